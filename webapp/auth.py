"""Who may write: sign-in with an Ethereum key for people, API tokens for machines, and CSRF protection.

Public pages and the read API need nothing. A write (relaying an attestation, and any later upload or device
registration) needs a role (oracle/roles.py), held by one of:

- a signed-in address: GET /login gives the session a one-time nonce inside a message; the person signs that
  message with their key (EIP-191 personal_sign, from a browser wallet or any tool) and posts address and
  signature; the server recovers the address and keeps it in the session. Whether the address holds the role
  a write needs is asked of the chain at each write, so a revoked role stops working at once.
- an API token, sent as `Authorization: Bearer <token>`: the configuration (API_TOKENS) maps the SHA-256 hex of
  each token to the roles it acts in; the token itself is never stored (`carbonledger roles token` makes one).

Every form, and every session-authenticated request, carries the session's CSRF token (form field `csrf_token`
or header `X-CSRF-Token`); token-authenticated requests need none, as no browser sends them on its own. The
session is Flask's signed cookie (HttpOnly, SameSite=Lax) under SECRET_KEY from the instance config or
CARBONLEDGER_SECRET_KEY; without one the app makes a random key, which signs everyone out at each restart.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys.exceptions import BadSignature
from eth_utils.address import is_address, to_checksum_address
from eth_utils.exceptions import ValidationError as KeyValidationError
from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from ledger.errors import (
    AuthenticationError,
    AuthorizationError,
    ChainUnavailableError,
    CsrfError,
    RoleError,
)
from oracle.roles import Role, holds_role, roles_held
from webapp.accounts_access import account_registry, chain

logger = logging.getLogger(__name__)

blueprint = Blueprint("auth", __name__)

SIGN_IN_NONCE_TTL_S = 600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SIGNATURE_HEX_DIGITS = 130


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in address, or an API token with the roles configured for it."""

    address: str | None
    token_roles: frozenset[str] | None = None


def register_auth(app: Flask) -> None:
    """Session settings, the API token table (checked now, so a typo fails at start) and the template helpers."""
    if not app.config.get("SECRET_KEY"):
        logger.warning("no SECRET_KEY configured: using a random one, so sessions end when the app restarts")
        app.config["SECRET_KEY"] = secrets.token_bytes(32)
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    api_token_roles(app.config.get("API_TOKENS") or {})
    app.context_processor(lambda: {"csrf_token": csrf_token, "signed_in_address": session.get("address")})
    app.register_blueprint(blueprint)


def api_token_roles(configured: Mapping[str, object]) -> dict[str, frozenset[str]]:
    """API_TOKENS as {sha256 hex of a token: roles}; RoleError naming the entry that is malformed."""
    table = {}
    for digest, roles in configured.items():
        if len(digest) != 64 or not all(character in "0123456789abcdef" for character in digest):
            raise RoleError(f"API_TOKENS: {digest[:12]!r}...: keys must be SHA-256 digests in lower-case hex")
        if not isinstance(roles, list) or not roles:
            raise RoleError(f"API_TOKENS: {digest[:12]}...: must list the roles the token acts in")
        table[digest] = frozenset(Role.parse(str(role)).text for role in roles)
    return table


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    token: str = session[CSRF_FIELD]
    return token


def require_csrf() -> None:
    expected = session.get(CSRF_FIELD)
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise CsrfError(f"the CSRF token is missing or wrong: send the page's {CSRF_FIELD} form field "
                        f"or the {CSRF_HEADER} header (reload the page if your session ended)")


def current_principal() -> Principal | None:
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("Authorization: send 'Bearer <API token>'")
        digest = hashlib.sha256(token.strip().encode()).hexdigest()
        roles = api_token_roles(current_app.config.get("API_TOKENS") or {}).get(digest)
        if roles is None:
            raise AuthenticationError("the API token is not valid")
        return Principal(None, roles)
    address = session.get("address")
    return None if address is None else Principal(str(address))


def require_principal() -> Principal:
    """The principal asking: 401 without credentials, 403 for a session without its CSRF token."""
    principal = current_principal()
    if principal is None:
        raise AuthenticationError(f"this needs a role: sign in at {url_for('auth.login')} "
                                  "or send an API token (Authorization: Bearer <token>)")
    if principal.address is not None:
        require_csrf()
    return principal


def require_role(role: Role) -> Principal:
    """The principal asking, if it holds `role` (asked of the chain for a signed-in address): else 403."""
    principal = require_principal()
    if principal.token_roles is not None:
        if role.text not in principal.token_roles:
            raise AuthorizationError(f"the API token does not act in the role {role.text}")
        return principal
    assert principal.address is not None
    reader = chain()
    with reader.reading():
        held = holds_role(role, principal.address, reader, current_app.config["LOG_ORIGIN"])
    if not held:
        raise AuthorizationError(f"{principal.address} does not hold the role {role.text} on chain")
    return principal


def sign_in_message(nonce: str, issued_at: int) -> str:
    """The text a person signs to sign in (EIP-191 personal_sign)."""
    issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(issued_at))
    return f"Sign in to the carbon-ledger explorer at {request.host}\nNonce: {nonce}\nIssued at: {issued}"


@blueprint.get("/login")
def login() -> str:
    nonce, issued_at = secrets.token_urlsafe(16), int(time.time())
    session["sign_in"] = {"nonce": nonce, "issued_at": issued_at}
    address = session.get("address")
    return render_template("login.html", message=sign_in_message(nonce, issued_at), roles=_roles_of(address))


@blueprint.post("/login")
def sign_in() -> Response:
    require_csrf()
    pending = session.pop("sign_in", None)
    if not isinstance(pending, dict) or time.time() - pending["issued_at"] > SIGN_IN_NONCE_TTL_S:
        raise AuthenticationError("the sign-in message has expired or was used: reload the sign-in page")
    address, signature = request.form.get("address", "").strip(), request.form.get("signature", "").strip()
    if not is_address(address):
        raise AuthenticationError("address: must be the 0x address of the key that signed")
    signature_hex = signature.removeprefix("0x")
    if len(signature_hex) != _SIGNATURE_HEX_DIGITS or not all(c in "0123456789abcdefABCDEF" for c in signature_hex):
        raise AuthenticationError("signature: must be 0x and 130 hex digits (65 bytes), as personal_sign returns it")
    message = sign_in_message(pending["nonce"], pending["issued_at"])
    try:
        signer = Account.recover_message(encode_defunct(text=message), signature=bytes.fromhex(signature_hex))
    except (BadSignature, KeyValidationError, ValueError) as error:
        raise AuthenticationError("signature: not a valid signature of the sign-in message") from error
    if signer != to_checksum_address(address):
        raise AuthenticationError(f"signature: made by {signer}, not by {to_checksum_address(address)}")
    session.clear()
    session["address"] = signer
    logger.info("signed in %s", signer)
    return redirect(url_for("auth.login"))


@blueprint.post("/logout")
def sign_out() -> Response:
    require_csrf()
    session.clear()
    return redirect(url_for("pages.overview"))


def _roles_of(address: str | None) -> list[str] | None:
    """The roles the signed-in address holds on chain, for the page; None when there is none or no chain."""
    if address is None:
        return None
    reader = chain()
    regions = {entry.region for entry in account_registry().accounts()}
    try:
        with reader.reading():
            return [role.text for role in roles_held(address, regions, reader, current_app.config["LOG_ORIGIN"])]
    except ChainUnavailableError:
        return None
