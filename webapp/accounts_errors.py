"""How the errors of sign-in, roles, attestations and the chain become HTTP answers.

The app's own handlers (webapp/error_responses.py) map any LedgerError by the builtin it inherits: KeyError 404,
ValueError 400, anything else 500. These errors need other statuses: no credentials 401, no role or CSRF token
403, an attestation signed by someone not accredited 403, a used nonce 409, an attestation the chain would
refuse 422, and a chain or relayer that is away 503. The answers are problem JSON or the HTML error page, as
for every other error.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response

from ledger.errors import (
    AttestationNonceError,
    AttestationRejectedError,
    AuthenticationError,
    AuthorizationError,
    ChainUnavailableError,
    CsrfError,
    LedgerError,
    RelayerUnavailableError,
    UnaccreditedVerifierError,
)
from webapp.error_responses import error_response, error_text

STATUSES: dict[type[LedgerError], HTTPStatus] = {
    AuthenticationError: HTTPStatus.UNAUTHORIZED,
    AuthorizationError: HTTPStatus.FORBIDDEN,
    CsrfError: HTTPStatus.FORBIDDEN,
    UnaccreditedVerifierError: HTTPStatus.FORBIDDEN,
    AttestationNonceError: HTTPStatus.CONFLICT,
    AttestationRejectedError: HTTPStatus.UNPROCESSABLE_ENTITY,
    ChainUnavailableError: HTTPStatus.SERVICE_UNAVAILABLE,
    RelayerUnavailableError: HTTPStatus.SERVICE_UNAVAILABLE,
}


def _answer(error: LedgerError) -> Response:
    status = next(STATUSES[kind] for kind in type(error).__mro__ if kind in STATUSES)
    response = error_response(status, error_text(error))
    if status is HTTPStatus.UNAUTHORIZED:
        response.headers["WWW-Authenticate"] = 'Bearer realm="carbon-ledger"'
    return response


def register_account_error_handlers(app: Flask) -> None:
    for kind in STATUSES:
        app.register_error_handler(kind, _answer)
