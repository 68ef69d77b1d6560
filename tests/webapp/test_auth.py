"""Specification of who may write: sign-in by signing a one-time message, API tokens, CSRF tokens, and the
answers when any of it is missing or wrong. No chain here: role checks on chain are in test_attest_api.py."""

from __future__ import annotations

import hashlib
import html
import logging
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from flask import Flask
from flask.testing import FlaskClient

from ledger.errors import RoleError
from oracle.eip712 import (
    SigningDomain,
)
from tests.webapp.accounts_world import ORIGIN, write_directory
from tests.webapp.attestation_documents import attestation_document
from tests.webapp.sign_in import sign_in, sign_in_form, signature_of
from webapp import create_app

TOKEN = "test-only-api-token"
TOKEN_ROLES = {hashlib.sha256(TOKEN.encode()).hexdigest(): ["verifier:ZJ"]}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    write_directory(url)
    return create_app({"DATABASE_URL": url, "LOG_ORIGIN": ORIGIN, "SECRET_KEY": "test-only session key",
                       "DEPLOYMENT_FILE": str(tmp_path / "no-deployment.json"), "API_TOKENS": TOKEN_ROLES})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def signed_attestation_document() -> dict[str, Any]:
    """A well-formed attestation signed by a random key, for a made-up deployment."""
    return attestation_document(bytes(Account.create().key), SigningDomain(31337, "0x" + "12" * 20), ORIGIN, 10)


def test_given_a_signature_of_the_sign_in_message_then_the_session_is_signed_in_as_its_address(
    client: FlaskClient
) -> None:
    key = Account.create()
    message, _ = sign_in_form(client)
    assert "Sign in to the carbon-ledger explorer at localhost" in message and "Nonce: " in message
    sign_in(client, key)
    page = client.get("/login").get_data(as_text=True)
    assert f"Signed in as <code>{key.address}</code>" in page
    assert "Its roles cannot be read now (the chain is unavailable)" in page
    assert ">Signed in</a>" in client.get("/regions").get_data(as_text=True)


def test_given_a_signature_by_another_key_then_sign_in_is_refused(client: FlaskClient) -> None:
    key, other = Account.create(), Account.create()
    message, csrf = sign_in_form(client)
    response = client.post("/login", data={"csrf_token": csrf, "address": key.address,
                                           "signature": signature_of(other, message)})
    assert response.status_code == 401
    assert f"made by {other.address}, not by {key.address}" in html.unescape(response.get_data(as_text=True))
    assert "Signed in as" not in client.get("/login").get_data(as_text=True)


def test_given_a_sign_in_message_tried_once_then_it_cannot_sign_in_again(client: FlaskClient) -> None:
    key = Account.create()
    message, csrf = sign_in_form(client)
    wrong = client.post("/login", data={"csrf_token": csrf, "address": key.address,
                                        "signature": signature_of(Account.create(), message)})
    assert wrong.status_code == 401
    retried = client.post("/login", data={"csrf_token": csrf, "address": key.address,
                                          "signature": signature_of(key, message)})
    assert retried.status_code == 401
    assert "the sign-in message has expired or was used" in retried.get_data(as_text=True)


@pytest.mark.parametrize(
    "address, signature, detail",
    [("0x1234", "0x" + "ab" * 65, "address: must be the 0x address"),
     (None, "0xabcd", "signature: must be 0x and 130 hex digits"),
     (None, "0x" + "00" * 64 + "1b", "signature: not a valid signature of the sign-in message")],
    ids=["short address", "short signature", "signature off the curve"],
)
def test_given_a_malformed_sign_in_form_then_it_is_refused_saying_which_field(
    client: FlaskClient, address: str | None, signature: str, detail: str
) -> None:
    _, csrf = sign_in_form(client)
    response = client.post("/login", data={"csrf_token": csrf, "address": address or Account.create().address,
                                           "signature": signature})
    assert response.status_code == 401
    assert detail in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/login", "/logout", "/accounts/QZ0001/attestations"])
def test_given_a_form_posted_without_its_csrf_token_then_it_is_forbidden(client: FlaskClient, path: str) -> None:
    sign_in_form(client)
    response = client.post(path, data={"address": Account.create().address, "attestation": "{}"})
    assert response.status_code == 403
    assert "CSRF token is missing or wrong" in response.get_data(as_text=True)


def test_given_a_signed_in_session_when_signing_out_with_its_token_then_the_session_ends(client: FlaskClient) -> None:
    csrf = sign_in(client, Account.create())
    assert client.post("/logout", data={"csrf_token": "not-the-token"}).status_code == 403
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert "Signed in as" not in client.get("/login").get_data(as_text=True)


def test_given_no_credentials_when_relaying_an_attestation_then_it_is_unauthorized_with_a_bearer_challenge(
    client: FlaskClient
) -> None:
    response = client.post("/api/v1/attestations", json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="carbon-ledger"'
    assert "sign in at /login or send an API token" in response.get_json()["detail"]


@pytest.mark.parametrize(
    "header, detail",
    [("Basic dXNlcjpwYXNz", "Authorization: send 'Bearer <API token>'"),
     ("Bearer not-a-configured-token", "the API token is not valid")],
)
def test_given_credentials_that_are_not_a_known_token_then_it_is_unauthorized(
    client: FlaskClient, header: str, detail: str
) -> None:
    response = client.post("/api/v1/attestations", json={}, headers={"Authorization": header})
    assert (response.status_code, response.get_json()["detail"]) == (401, detail)


def test_given_a_valid_token_and_a_malformed_attestation_then_the_answer_names_the_field(client: FlaskClient) -> None:
    response = client.post("/api/v1/attestations", json={"format": "carbonledger-attestation/1"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert (response.status_code, response.get_json()["detail"]) == (
        400, "account: must be the ledger account id, e.g. \"QZ0001\"")


def test_given_a_signed_in_session_then_its_json_writes_need_the_csrf_header_and_its_role_needs_the_chain(
    client: FlaskClient
) -> None:
    csrf = sign_in(client, Account.create())
    document = signed_attestation_document()
    missing = client.post("/api/v1/attestations", json=document)
    assert missing.status_code == 403 and "CSRF token is missing or wrong" in missing.get_json()["detail"]
    no_chain = client.post("/api/v1/attestations", json=document, headers={"X-CSRF-Token": csrf})
    assert no_chain.status_code == 503
    assert "no contracts are deployed" in no_chain.get_json()["detail"]


def test_given_a_signed_in_session_when_the_form_holds_no_json_then_the_answer_says_so(client: FlaskClient) -> None:
    csrf = sign_in(client, Account.create())
    response = client.post("/accounts/QZ0001/attestations", data={"attestation": "not json", "csrf_token": csrf})
    assert response.status_code == 400
    assert "attestation: is not valid JSON" in response.get_data(as_text=True)


def test_given_a_token_for_another_region_then_relaying_for_this_one_is_forbidden(
    app: Flask, client: FlaskClient
) -> None:
    app.config["API_TOKENS"] = {hashlib.sha256(b"js-token").hexdigest(): ["verifier:JS"]}
    response = client.post("/api/v1/attestations", json=signed_attestation_document(),
                           headers={"Authorization": "Bearer js-token"})
    assert (response.status_code, response.get_json()["detail"]) == (
        403, "the API token does not act in the role verifier:ZJ")


def test_given_a_malformed_api_token_table_then_the_app_does_not_start(tmp_path: Path) -> None:
    with pytest.raises(RoleError, match=r"API_TOKENS: 'not-a-digest'\.\.\.: keys must be SHA-256 digests"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}", "LOG_ORIGIN": ORIGIN,
                    "API_TOKENS": {"not-a-digest": ["verifier:ZJ"]}})
    with pytest.raises(RoleError, match="role 'auditor' is not one of"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}", "LOG_ORIGIN": ORIGIN,
                    "API_TOKENS": {"ab" * 32: ["auditor"]}})


def test_given_no_secret_key_then_a_random_one_signs_sessions_and_a_warning_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="webapp.auth"):
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}", "LOG_ORIGIN": ORIGIN})
    assert len(app.config["SECRET_KEY"]) == 32
    assert "no SECRET_KEY configured" in caplog.text
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
