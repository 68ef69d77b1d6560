"""Specification of /api/v1/log: RFC 9162 tree heads, proofs and entries that verify against the log's roots."""

from __future__ import annotations

import base64
import json

import pytest
from flask.testing import FlaskClient

from ledger.hasher import hash_leaf
from ledger.verify import verify_consistency, verify_inclusion
from oracle.checkpoint import Checkpoint
from oracle.note import NoteSigner, open_note
from tests.webapp.conftest import ORIGIN, DemoLedger


def hashes(elements: list[str]) -> list[bytes]:
    return [base64.b64decode(element) for element in elements]


def test_given_the_demo_log_when_asking_for_the_tree_head_then_it_is_the_logs_head_in_base64_and_hex(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    body = client.get("/api/v1/log/tree-head").get_json()
    head = demo_ledger.head
    assert body == {
        "origin": ORIGIN,
        "tree_size": head.tree_size,
        "root_hash": base64.b64encode(head.root_hash).decode(),
        "root_hash_hex": head.root_hash.hex(),
    }


def test_given_a_past_tree_size_when_asking_for_the_tree_head_then_it_is_the_root_at_that_size(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    body = client.get("/api/v1/log/tree-head?tree_size=5").get_json()
    assert body["tree_size"] == 5
    assert bytes.fromhex(body["root_hash_hex"]) == demo_ledger.log.tree_head(5).root_hash


def test_given_two_sizes_when_asking_for_consistency_then_the_proof_verifies_between_their_roots(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    size = demo_ledger.head.tree_size
    for first in (1, 3, 8, size):
        body = client.get(f"/api/v1/log/consistency?first={first}&second={size}").get_json()
        verify_consistency(
            first, size, demo_ledger.log.tree_head(first).root_hash, demo_ledger.head.root_hash,
            hashes(body["consistency"]),
        )


def test_given_every_leaf_when_asking_for_its_proof_by_index_and_by_hash_then_both_verify_against_the_root(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    head = demo_ledger.head
    for leaf_index, entry in enumerate(demo_ledger.log.entries(0, head.tree_size)):
        leaf_hash = hash_leaf(entry)
        by_index = client.get(f"/api/v1/log/proof?leaf_index={leaf_index}&tree_size={head.tree_size}").get_json()
        verify_inclusion(leaf_hash, leaf_index, head.tree_size, hashes(by_index["inclusion"]), head.root_hash)
        for written in (leaf_hash.hex(), base64.b64encode(leaf_hash).decode()):
            by_hash = client.get(
                "/api/v1/log/proof-by-hash", query_string={"hash": written, "tree_size": head.tree_size}
            ).get_json()
            assert by_hash["leaf_index"] == leaf_index
            assert by_hash["inclusion"] == by_index["inclusion"]


def test_given_a_range_when_asking_for_entries_then_both_ends_are_included_with_their_leaf_hashes(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    body = client.get("/api/v1/log/entries?start=2&end=6").get_json()
    stored = demo_ledger.log.entries(2, 7)
    assert [entry["leaf_index"] for entry in body["entries"]] == [2, 3, 4, 5, 6]
    for served, entry in zip(body["entries"], stored, strict=True):
        assert served["entry"] == json.loads(entry)
        assert served["leaf_hash_hex"] == hash_leaf(entry).hex()
        assert base64.b64decode(served["leaf_hash"]) == hash_leaf(entry)


def test_given_more_than_a_thousand_entries_asked_for_then_the_400_says_the_limit(client: FlaskClient) -> None:
    response = client.get("/api/v1/log/entries?start=0&end=1000")
    assert response.status_code == 400
    assert "at most 1000 entries per request" in response.get_json()["detail"]


def test_given_no_checkpoint_key_when_asking_for_the_checkpoint_then_it_is_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/log/checkpoint")
    assert response.status_code == 404
    assert "no checkpoint key" in response.get_json()["detail"]


def test_given_the_checkpoint_key_when_asking_for_the_checkpoint_then_the_signed_note_states_the_latest_head(
    client: FlaskClient, demo_ledger: DemoLedger, checkpoint_signer: NoteSigner
) -> None:
    body = client.get("/api/v1/log/checkpoint").get_json()
    assert body["verifier_key"] == checkpoint_signer.verifier.key_string()
    text, signers = open_note(body["checkpoint"], [checkpoint_signer.verifier])
    assert signers == [ORIGIN]
    assert Checkpoint.parse(text) == Checkpoint.of(demo_ledger.head)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("/api/v1/log/tree-head?tree_size=-1", "tree_size"),
        ("/api/v1/log/tree-head?tree_size=1.5", "tree_size"),
        ("/api/v1/log/tree-head?tree_size=%201", "tree_size"),
        ("/api/v1/log/tree-head?tree_size=99999999999999999999", "tree_size"),
        ("/api/v1/log/tree-head?tree_size=1&tree_size=2", "tree_size"),
        ("/api/v1/log/tree-head?tree_size=28", "tree size 28"),
        ("/api/v1/log/consistency?first=3", "second"),
        ("/api/v1/log/consistency?first=9&second=3", "first"),
        ("/api/v1/log/consistency?first=3&second=28", "tree size 28"),
        ("/api/v1/log/proof?leaf_index=27&tree_size=27", "leaf_index"),
        ("/api/v1/log/proof?leaf_index=0&tree_size=0", "tree_size"),
        ("/api/v1/log/proof?leaf_index=0", "tree_size"),
        ("/api/v1/log/proof-by-hash?hash=abc&tree_size=27", "hash"),
        ("/api/v1/log/proof-by-hash?tree_size=27", "hash"),
        ("/api/v1/log/entries?start=5&end=4", "end"),
        ("/api/v1/log/entries?start=0&end=27", "end"),
        ("/api/v1/log/entries?end=3", "start"),
    ],
)
def test_given_a_bad_parameter_then_the_400_names_it(client: FlaskClient, query: str, named: str) -> None:
    response = client.get(query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["error"] == "bad_request"
    assert named in body["detail"]


def test_given_a_hash_not_in_the_log_when_asking_for_its_proof_then_it_is_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/log/proof-by-hash", query_string={"hash": "ab" * 32, "tree_size": 27})
    assert response.status_code == 404
    assert "ab" * 32 in response.get_json()["detail"]
