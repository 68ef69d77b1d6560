"""Errors as responses: problem JSON under /api, an HTML page elsewhere, and never a stack trace.

Domain errors say what is wrong and map by the builtin they inherit: a LedgerError that is a KeyError (a
log, entry or record that does not exist) is 404, one that is a ValueError (a malformed code, an impossible
size, a bad parameter) is 400. Anything else is the server's fault: it is logged and answered with a 500
that reveals nothing.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ledger.errors import LedgerError

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
PROBLEM_JSON = "application/problem+json"


def error_text(error: BaseException) -> str:
    """The message of `error`; KeyError subclasses would otherwise print it quoted."""
    if isinstance(error, KeyError) and len(error.args) == 1:
        return str(error.args[0])
    return str(error)


def status_of(error: LedgerError) -> HTTPStatus:
    if isinstance(error, KeyError):
        return HTTPStatus.NOT_FOUND
    if isinstance(error, ValueError):
        return HTTPStatus.BAD_REQUEST
    return HTTPStatus.INTERNAL_SERVER_ERROR


def error_response(status: HTTPStatus, detail: str) -> Response:
    """`status` with `detail`, as problem JSON (RFC 9457 members plus `error`) or as the HTML error page."""
    if request.path.startswith(API_PREFIX):
        response = jsonify(
            {"error": status.name.lower(), "status": status.value, "title": status.phrase, "detail": detail}
        )
        response.mimetype = PROBLEM_JSON
    else:
        response = Response(render_template("error.html", status=status, detail=detail), mimetype="text/html")
    response.status_code = status.value
    return response


def _ledger_error(error: LedgerError) -> Response:
    status = status_of(error)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return _unexpected_error(error)
    return error_response(status, error_text(error))


def _http_error(error: HTTPException) -> Response:
    status = HTTPStatus(error.code or HTTPStatus.INTERNAL_SERVER_ERROR)
    response = error_response(status, error.description or status.description)
    # 405 must say which methods are allowed.
    for name, value in error.get_headers():
        if name.lower() == "allow":
            response.headers[name] = value
    return response


def _unexpected_error(error: Exception) -> Response:
    logger.exception("unhandled error while answering %s %s", request.method, request.path, exc_info=error)
    status = HTTPStatus.INTERNAL_SERVER_ERROR
    return error_response(status, "the server failed to answer this request; the failure has been logged")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(LedgerError, _ledger_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
