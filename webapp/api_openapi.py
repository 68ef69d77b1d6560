"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of the JSON API, a hand-written data file."""

from __future__ import annotations

from functools import cache
from importlib import resources

from flask import Blueprint, Response

blueprint = Blueprint("api_openapi", __name__, url_prefix="/api/v1")


@cache
def openapi_document() -> bytes:
    return resources.files("webapp").joinpath("openapi.json").read_bytes()


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return Response(openapi_document(), mimetype="application/json")
