"""Specification of POST /api/v1/verify without a chain configured: the trusted root is the server's own log,
a genuine bundle passes every check, a tampered one fails the right ones. (With a chain, see
test_anchored_bundles.py.)"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from ledger.log import TreeHead
from oracle.checkpoint import Checkpoint
from oracle.note import NoteSigner
from tests.webapp.conftest import DemoLedger
from tests.webapp.tampering import TAMPERINGS, Bundle, Tampering, genuine_bundle


def verify(client: FlaskClient, bundle: object) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=bundle)
    assert response.status_code == 200, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def statuses(result: dict[str, Any]) -> dict[str, str]:
    return {check["check"]: check["status"] for check in result["checks"]}


def test_given_a_genuine_bundle_then_every_check_passes_against_the_servers_own_log_and_says_so(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    result = verify(client, genuine_bundle(client, demo_ledger))
    assert result["valid"] is True
    assert statuses(result) == {
        "record": "pass",
        "hex_twins": "pass",
        "leaf_hash": "pass",
        "serial": "pass",
        "inclusion": "pass",
        "trusted_root": "pass",
        "signed_note": "skip",
    }
    trusted_root = next(check for check in result["checks"] if check["check"] == "trusted_root")
    assert trusted_root["detail"].endswith("from this explorer's own log (no chain configured)")


def signed(bundle: Bundle, signer: NoteSigner, head: TreeHead) -> Bundle:
    """The bundle with a checkpoint as the oracle signs one: the note of `head`, its SHA-256 as metadata hash."""
    note = Checkpoint.of(head).signed([signer])
    text = note[: note.rindex("\n\n") + 1]
    checkpoint = {"timestamp": 1_700_000_000, "metadata_hash": "0x" + hashlib.sha256(text.encode()).hexdigest(),
                  "eip712_signature": "0x" + "00" * 65, "note": note, "note_verifier_key": signer.verifier.key_string()}
    return {**bundle, "checkpoint": checkpoint}


def signed_note_check(result: dict[str, Any]) -> dict[str, str]:
    check: dict[str, str] = next(check for check in result["checks"] if check["check"] == "signed_note")
    return check


def test_given_a_bundle_with_a_signed_checkpoint_then_the_note_is_checked_with_the_key_it_carries(
    client: FlaskClient, demo_ledger: DemoLedger, checkpoint_signer: NoteSigner
) -> None:
    result = verify(client, signed(genuine_bundle(client, demo_ledger), checkpoint_signer, demo_ledger.head))
    assert result["valid"] is True
    assert signed_note_check(result)["status"] == "pass"


def test_given_a_signed_note_of_another_tree_head_then_the_signed_note_check_fails(
    client: FlaskClient, demo_ledger: DemoLedger, checkpoint_signer: NoteSigner
) -> None:
    bundle = signed(genuine_bundle(client, demo_ledger), checkpoint_signer, demo_ledger.log.tree_head(3))
    check = signed_note_check(verify(client, bundle))
    assert check == {"check": "signed_note", "status": "fail",
                     "detail": "the signed note states a different tree head than the bundle"}


def test_given_a_note_whose_signature_was_altered_then_the_signed_note_check_fails(
    client: FlaskClient, demo_ledger: DemoLedger, checkpoint_signer: NoteSigner
) -> None:
    bundle = signed(genuine_bundle(client, demo_ledger), checkpoint_signer, demo_ledger.head)
    bundle["checkpoint"]["note"] = bundle["checkpoint"]["note"].replace(f"\n{demo_ledger.head.tree_size}\n", "\n3\n")
    check = signed_note_check(verify(client, bundle))
    assert check["status"] == "fail" and "signature does not verify" in check["detail"]


def test_given_a_note_that_is_not_the_one_the_metadata_hash_commits_to_then_the_signed_note_check_fails(
    client: FlaskClient, demo_ledger: DemoLedger, checkpoint_signer: NoteSigner
) -> None:
    bundle = signed(genuine_bundle(client, demo_ledger), checkpoint_signer, demo_ledger.head)
    bundle["checkpoint"]["metadata_hash"] = "0x" + "11" * 32
    check = signed_note_check(verify(client, bundle))
    assert check == {"check": "signed_note", "status": "fail",
                     "detail": "the note's SHA-256 is not the checkpoint's metadata hash"}


@pytest.mark.parametrize("tampering", TAMPERINGS, ids=[tampering.name for tampering in TAMPERINGS])
def test_given_a_tampered_bundle_then_it_is_invalid_and_exactly_the_affected_checks_fail(
    client: FlaskClient, demo_ledger: DemoLedger, tampering: Tampering
) -> None:
    result = verify(client, tampering.applied_to(genuine_bundle(client, demo_ledger)))
    assert result["valid"] is False
    failed = {name for name, status in statuses(result).items() if status == "fail"}
    assert failed == tampering.failed_checks
    for check in result["checks"]:
        if check["status"] == "fail":
            assert check["detail"]


def without(bundle: Bundle, field: str) -> Bundle:
    return {name: value for name, value in bundle.items() if name != field}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda b: without(b, "record"), "record"),
        (lambda b: {**b, "record": 7}, "record"),
        (lambda b: {**b, "format": "other"}, "format"),
        (lambda b: {**b, "leaf_index": -1}, "leaf_index"),
        (lambda b: {**b, "leaf_index": True}, "leaf_index"),
        (lambda b: {**b, "leaf_index": "4"}, "leaf_index"),
        (lambda b: {**b, "leaf_hash": "00"}, "leaf_hash"),
        (lambda b: {**b, "inclusion": "AA=="}, "inclusion"),
        (lambda b: {**b, "inclusion": ["not base64!"]}, "inclusion[0]"),
        (lambda b: without(b, "tree_head"), "tree_head"),
        (lambda b: {**b, "tree_head": {**b["tree_head"], "root_hash": None}}, "tree_head.root_hash"),
        (lambda b: {**b, "tree_head": {**b["tree_head"], "tree_size": 2**63}}, "tree_head.tree_size"),
        (lambda b: {**b, "checkpoint": 5}, "checkpoint"),
        (lambda b: {**b, "anchor": {"chain_id": 1}}, "anchor.contract"),
        (lambda b: {**b, "anchor": {"contract": "0x" + "ab" * 20}}, "anchor.contract"),
        (lambda b: [b], "bundle"),
    ],
)
def test_given_a_malformed_bundle_then_the_400_names_the_field(
    client: FlaskClient, demo_ledger: DemoLedger, change: Any, named: str
) -> None:
    response = client.post("/api/v1/verify", json=change(genuine_bundle(client, demo_ledger)))
    assert response.status_code == 400
    assert response.get_json()["detail"].startswith(f"{named}:")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        ('{"leaf_index": NaN}', "application/json"),
        ("{}", "text/plain"),
    ],
    ids=["broken JSON", "nesting deep enough to exhaust the parser", "NaN", "not sent as JSON"],
)
def test_given_a_body_that_is_not_json_then_it_is_400(client: FlaskClient, body: str, content_type: str) -> None:
    response = client.post("/api/v1/verify", data=body, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["detail"].startswith("body:")


def test_given_a_body_over_one_mebibyte_then_it_is_refused_with_413(client: FlaskClient) -> None:
    response = client.post("/api/v1/verify", data=json.dumps({"record": "x" * (1024 * 1024)}),
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"] == "request_entity_too_large"
