"""POST /api/v1/readings: a meter's signed reading (oracle/readings.py), verified and stored.

Readings authenticate themselves: each is signed with its registered device's Ed25519 key, and a counter
that only goes up stops replays, so the endpoint needs no sign-in. A refused reading is answered with its
reason first in `detail`: 404 for an unknown device, 409 for a replayed counter, 422 for anything else
(malformed, bad signature, unit mismatch, timestamp outside the window); nothing is stored then.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Blueprint
from werkzeug.wrappers import Response

from oracle.readings import (
    ReadingRejectedError,
    ReplayedReadingError,
    UnknownDeviceError,
)
from webapp.accounts_access import reading_intake
from webapp.error_responses import error_response
from webapp.parameters import json_body

blueprint = Blueprint("readings_api", __name__, url_prefix="/api/v1")


def _status(error: ReadingRejectedError) -> HTTPStatus:
    if isinstance(error, UnknownDeviceError):
        return HTTPStatus.NOT_FOUND
    if isinstance(error, ReplayedReadingError):
        return HTTPStatus.CONFLICT
    return HTTPStatus.UNPROCESSABLE_ENTITY


@blueprint.post("/readings")
def readings() -> dict[str, Any] | Response:
    payload = json_body()
    try:
        accepted = reading_intake().accept_reading(payload)
    except ReadingRejectedError as error:
        return error_response(_status(error), f"{error.reason}: {error}")
    reading = accepted.reading
    return {
        "device_id": reading.device_id,
        "counter": reading.counter,
        "account": accepted.account,
        "facility": accepted.facility,
        "source": accepted.source,
        "period": reading.period,
        "quantity": reading.quantity,
        "unit": reading.unit,
        "received_at": accepted.received_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
