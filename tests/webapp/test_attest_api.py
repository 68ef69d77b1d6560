"""Specification of relaying attestations from the explorer over a real chain: a signed attestation of an
accredited verifier is recorded and shown; a bad signature, an unaccredited signer, a changed field, a used
nonce, another deployment or an unanchored checkpoint are refused with 4xx and nothing is sent."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from flask import Flask
from flask.testing import FlaskClient
from web3 import Web3

from identity.password import PASSWORD_VARIABLE
from oracle.chain_ids import account_id
from oracle.eip712 import (
    SigningDomain,
)
from tests.webapp.accounts_world import (
    KEY_PASSWORD,
    ORIGIN,
    YEAR,
    AccountsWorld,
    accounts_world,
)
from tests.webapp.attestation_documents import attestation_document
from tests.webapp.sign_in import sign_in
from webapp import create_app

TOKEN = "test-only verifier token"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsWorld]:
    yield from accounts_world(tmp_path_factory.mktemp("attest-api"))


@pytest.fixture
def app(world: AccountsWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv(PASSWORD_VARIABLE, KEY_PASSWORD)
    config = world.app_config(world.fresh_database(tmp_path))
    return create_app({**config, "API_TOKENS": {hashlib.sha256(TOKEN.encode()).hexdigest(): ["verifier:ZJ"]}})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def signed(world: AccountsWorld, signer: LocalAccount, *, supersedes: int = 0, nonce_offset: int = 0,
           chain_id: int | None = None, tree_size: int | None = None) -> dict[str, Any]:
    """An attestation of QZ0001 signed by `signer` with its next nonce (+ `nonce_offset`), for this deployment."""
    attestations = world.contract("CarbonAttestations")
    domain = SigningDomain(chain_id or world.world.w3.eth.chain_id, attestations.address)
    return attestation_document(bytes(signer.key), domain, ORIGIN,
                                world.head.tree_size if tree_size is None else tree_size, supersedes=supersedes,
                                nonce=attestations.functions.nonces(signer.address).call() + nonce_offset)


def relay(client: FlaskClient, document: dict[str, Any]) -> Any:
    return client.post("/api/v1/attestations", json=document, headers={"Authorization": f"Bearer {TOKEN}"})


def sent_nothing(world: AccountsWorld, before: tuple[int, int]) -> bool:
    return chain_counts(world) == before


def chain_counts(world: AccountsWorld) -> tuple[int, int]:
    """The number of attestations recorded and of transactions the relayer sent."""
    return (world.contract("CarbonAttestations").functions.attestationCount().call(),
            world.world.w3.eth.get_transaction_count(Web3.to_checksum_address(world.relayer)))


def test_given_an_accredited_verifiers_signed_attestation_when_relayed_then_the_chain_records_it_and_the_page_shows_it(
    world: AccountsWorld, client: FlaskClient
) -> None:
    count, _ = chain_counts(world)
    response = relay(client, signed(world, world.verifier))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["attestation_id"], answer["account"], answer["verifier"]) == (count + 1, "QZ0001",
                                                                                 world.verifier.address)
    recorded = world.contract("CarbonAttestations").functions.attestation(answer["attestation_id"]).call()
    assert recorded[3] == world.verifier.address and recorded[0] == account_id("QZ0001")
    shown = client.get("/api/v1/accounts/QZ0001").get_json()["chain"]["attestations"]
    expected = {"id": answer["attestation_id"], "verifier": world.verifier.address, "opinion": "unqualified",
                "assurance": "reasonable", "materiality_bps": 500, "tx_hash": answer["tx_hash"]}
    assert expected.items() <= shown[-1].items()
    page = client.get("/accounts/QZ0001").get_data(as_text=True)
    assert f"<code class=\"hash\">{world.verifier.address}</code>" in page


@pytest.mark.parametrize(
    "tamper, status, detail",
    [
        (lambda document: document.update(signature="0x" + "ab" * 64 + "1c"), 403,
         "which is not a verifier accredited in region ZJ"),
        (lambda document: document["typed_data"]["message"].update(materialityBps=100), 403,
         "a field was changed after signing"),
        (lambda document: document["typed_data"]["message"].update(opinion=2), 403,
         "a field was changed after signing"),
        (lambda document: document.update(signature="0x" + "00" * 64 + "1b"), 400,
         "signature: is not a valid secp256k1 signature"),
    ],
    ids=["another signature", "materiality changed", "opinion changed", "signature off the curve"],
)
def test_given_a_tampered_attestation_then_it_is_refused_and_nothing_is_sent(
    world: AccountsWorld, client: FlaskClient, tamper: Any, status: int, detail: str
) -> None:
    document = copy.deepcopy(signed(world, world.verifier))
    tamper(document)
    before = chain_counts(world)
    response = relay(client, document)
    assert (response.status_code, response.mimetype) == (status, "application/problem+json")
    assert detail in response.get_json()["detail"]
    assert sent_nothing(world, before)


def test_given_a_verifier_never_accredited_then_its_attestation_is_forbidden_and_nothing_is_sent(
    world: AccountsWorld, client: FlaskClient
) -> None:
    stranger = Account.create()
    before = chain_counts(world)
    response = relay(client, signed(world, stranger))
    assert response.status_code == 403
    detail = response.get_json()["detail"]
    assert f"recovers to {stranger.address}, which is not a verifier accredited in region ZJ" in detail
    assert sent_nothing(world, before)


@pytest.mark.parametrize(
    "change, status, detail",
    [
        ({"nonce_offset": 1}, 409, "this attestation was relayed already, or another was signed since"),
        ({"chain_id": 1}, 422, "typed_data.domain: signed for CarbonAttestations"),
        ({"tree_size": 4}, 422, "typed_data.message.treeSize: checkpoint 4 of the log"),
        ({"supersedes": 999}, 422, "CarbonAttestationsUnknownAttestation(999)"),
    ],
    ids=["nonce not the next", "another chain", "checkpoint not anchored", "superseding what does not exist"],
)
def test_given_an_attestation_the_chain_would_refuse_then_the_reason_is_given_and_nothing_is_sent(
    world: AccountsWorld, client: FlaskClient, change: dict[str, int], status: int, detail: str
) -> None:
    before = chain_counts(world)
    response = relay(client, signed(world, world.verifier, **change))
    assert response.status_code == status
    assert detail in response.get_json()["detail"]
    assert sent_nothing(world, before)


def test_given_an_attestation_relayed_twice_then_the_second_is_a_conflict(
    world: AccountsWorld, client: FlaskClient
) -> None:
    document = signed(world, world.verifier)
    assert relay(client, document).status_code == 200
    before = chain_counts(world)
    again = relay(client, document)
    assert again.status_code == 409
    assert sent_nothing(world, before)


def test_given_a_superseded_attestation_then_a_second_successor_is_refused_by_the_contract_and_nothing_is_sent(
    world: AccountsWorld, client: FlaskClient
) -> None:
    first = relay(client, signed(world, world.verifier)).get_json()["attestation_id"]
    second = relay(client, signed(world, world.verifier, supersedes=first)).get_json()["attestation_id"]
    shown = {item["id"]: item for item in client.get("/api/v1/accounts/QZ0001").get_json()["chain"]["attestations"]}
    assert (shown[first]["superseded_by"], shown[second]["supersedes"]) == (second, first)
    before = chain_counts(world)
    refused = relay(client, signed(world, world.verifier, supersedes=first))
    assert refused.status_code == 422
    assert f"CarbonAttestationsAlreadySuperseded({first}, {second})" in refused.get_json()["detail"]
    assert sent_nothing(world, before)


def test_given_no_key_password_in_the_environment_then_relaying_is_unavailable_and_nothing_is_sent(
    world: AccountsWorld, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_VARIABLE)
    before = chain_counts(world)
    response = relay(client, signed(world, world.verifier))
    assert response.status_code == 503
    assert f"{PASSWORD_VARIABLE} is not set" in response.get_json()["detail"]
    assert sent_nothing(world, before)


def test_given_a_signed_in_verifier_when_it_relays_through_the_account_page_form_then_the_page_says_so(
    world: AccountsWorld, client: FlaskClient
) -> None:
    csrf = sign_in(client, world.verifier)
    assert "Roles on chain: verifier:ZJ" in client.get("/login").get_data(as_text=True)
    form = {"csrf_token": csrf, "attestation": json.dumps(signed(world, world.verifier))}
    response = client.post("/accounts/QZ0001/attestations", data=form)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/accounts/QZ0001?year={YEAR}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(rf"Recorded attestation \d+ by {world.verifier.address} in transaction 0x[0-9a-f]{{64}}", page)


def test_given_a_signed_in_address_without_the_verifier_role_then_relaying_is_forbidden_and_nothing_is_sent(
    world: AccountsWorld, client: FlaskClient
) -> None:
    stranger = Account.create()
    csrf = sign_in(client, stranger)
    before = chain_counts(world)
    response = client.post("/api/v1/attestations", json=signed(world, world.verifier), headers={"X-CSRF-Token": csrf})
    assert response.status_code == 403
    assert response.get_json()["detail"] == f"{stranger.address} does not hold the role verifier:ZJ on chain"
    assert sent_nothing(world, before)
