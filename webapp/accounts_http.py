"""Request and response pieces the account and region views share: the year parameter and file downloads."""

from __future__ import annotations

from flask import Response

from webapp.parameters import optional_int_parameter

MIN_YEAR, MAX_YEAR = 1, 9999


def year_parameter() -> int | None:
    """The optional `year` query parameter; None means the latest year with records."""
    return optional_int_parameter("year", minimum=MIN_YEAR, maximum=MAX_YEAR)


def download(body: bytes, mimetype: str, name: str) -> Response:
    """`body` as a file to save under `name`."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
