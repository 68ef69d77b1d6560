"""Signing in to the explorer as a person would: read the message from the sign-in page, sign it, post it."""

from __future__ import annotations

import html
import re

from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from flask.testing import FlaskClient


def found(pattern: str, text: str) -> str:
    """The first group of `pattern`'s first match in `text`, which must be there."""
    match = re.search(pattern, text, re.S)
    assert match is not None, pattern
    return match.group(1)


def sign_in_form(client: FlaskClient) -> tuple[str, str]:
    """The message to sign and the CSRF token, as the sign-in page shows them."""
    page = client.get("/login").get_data(as_text=True)
    message = html.unescape(found(r'<pre id="sign-in-message" class="note">(.*?)</pre>', page))
    return message, found(r'name="csrf_token" value="([^"]+)"', page)


def signature_of(key: LocalAccount, message: str) -> str:
    """`key`'s EIP-191 personal_sign signature of `message`, as wallets return it."""
    return "0x" + bytes(key.sign_message(encode_defunct(text=message)).signature).hex()


def sign_in(client: FlaskClient, key: LocalAccount) -> str:
    """Sign in as `key`; the new session's CSRF token."""
    message, csrf = sign_in_form(client)
    response = client.post("/login", data={"csrf_token": csrf, "address": key.address,
                                           "signature": signature_of(key, message)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return sign_in_form(client)[1]
