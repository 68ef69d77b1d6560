"""Specification of webapp/static/verify.js, run under node: the RFC 9162 proof vectors, the canonical JSON
vectors, and the same verdicts on genuine and tampered bundles as the server gives."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from eth_utils.crypto import keccak
from flask.testing import FlaskClient
from web3 import Web3

from oracle.bundle import LEDGER_ABI
from oracle.eip712 import log_id
from tests.webapp.conftest import ORIGIN, DemoLedger
from tests.webapp.tampering import TAMPERINGS, Tampering, genuine_bundle

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("verify_js_runner.mjs")
PROOF_VECTORS = sorted((ROOT / "tests" / "data" / "log" / "vectors").glob("*.json"))
CANONICAL_CASES = json.loads((ROOT / "tests" / "data" / "canonical" / "vectors.json").read_text(encoding="utf-8"))[
    "cases"
]

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def run_verify_js(job: dict[str, Any]) -> dict[str, Any]:
    completed = subprocess.run(
        # verify.js is an ES module without a package.json saying so; node detects that and would warn.
        ["node", "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", str(RUNNER)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    outcome: dict[str, Any] = json.loads(completed.stdout)
    return outcome


@cache
def proof_vector_outcomes() -> dict[str, str]:
    vectors = [json.loads(path.read_text()) for path in PROOF_VECTORS]
    outcomes = run_verify_js({"proof_vectors": vectors})["proof_vectors"]
    return {path.stem: outcome for path, outcome in zip(PROOF_VECTORS, outcomes, strict=True)}


@pytest.mark.parametrize("vector", PROOF_VECTORS, ids=[path.stem for path in PROOF_VECTORS])
def test_given_a_proof_vector_when_verify_js_checks_it_then_the_outcome_is_the_one_it_wants(vector: Path) -> None:
    want = json.loads(vector.read_text())["want_err"] or "ok"
    assert proof_vector_outcomes()[vector.stem] == want


def test_given_the_canonical_json_vectors_when_verify_js_encodes_them_then_the_text_is_the_wanted_one() -> None:
    outcomes = run_verify_js({"canonical_values": [case["value"] for case in CANONICAL_CASES]})["canonical_values"]
    for case, outcome in zip(CANONICAL_CASES, outcomes, strict=True):
        assert outcome == case["want"], case["desc"]


def test_given_floats_or_unsafe_integers_when_verify_js_encodes_them_then_it_refuses() -> None:
    outcomes = run_verify_js({"canonical_values": [{"a": 1.5}, [2**53], {"ok": [1, "x", None, True]}]})
    refused = "error: CanonicalError"
    assert outcomes["canonical_values"] == [refused, refused, '{"ok":[1,"x",null,true]}']


def checks_in_the_browser(bundles: list[dict[str, Any]], demo_ledger: DemoLedger) -> list[list[dict[str, str]]]:
    log = demo_ledger.log
    trusted_roots = {str(size): log.tree_head(size).root_hash.hex() for size in range(demo_ledger.head.tree_size + 1)}
    job = {"bundles": [{"bundle": bundle, "origin": ORIGIN, "trusted_roots_hex": trusted_roots} for bundle in bundles]}
    results: list[list[dict[str, str]]] = run_verify_js(job)["bundles"]
    return results


def test_given_a_genuine_bundle_then_verify_js_passes_every_check(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    [checks] = checks_in_the_browser([genuine_bundle(client, demo_ledger)], demo_ledger)
    assert [(check["check"], check["status"]) for check in checks] == [
        ("record", "pass"),
        ("hex_twins", "pass"),
        ("leaf_hash", "pass"),
        ("serial", "pass"),
        ("inclusion", "pass"),
        ("trusted_root", "pass"),
    ]


@pytest.mark.parametrize("tampering", TAMPERINGS, ids=[tampering.name for tampering in TAMPERINGS])
def test_given_a_tampered_bundle_then_verify_js_fails_the_same_checks_as_the_server(
    client: FlaskClient, demo_ledger: DemoLedger, tampering: Tampering
) -> None:
    [checks] = checks_in_the_browser([tampering.applied_to(genuine_bundle(client, demo_ledger))], demo_ledger)
    assert {check["check"] for check in checks if check["status"] == "fail"} == tampering.failed_checks


def test_given_a_bundle_that_is_not_one_then_verify_js_reports_the_field(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    bundle = genuine_bundle(client, demo_ledger)
    del bundle["inclusion"]
    [checks] = checks_in_the_browser([bundle], demo_ledger)
    assert checks == [{"check": "bundle", "status": "fail", "detail": "inclusion: must be a list of base64 hashes"}]


def test_given_the_selectors_in_verify_chain_js_then_they_are_those_of_the_contracts_signatures() -> None:
    selectors = run_verify_js({})["selectors"]
    assert selectors == {
        "root_at": keccak(text="rootAt(bytes32,uint64)")[:4].hex(),
        "not_anchored": keccak(text="CarbonLedgerCheckpointNotAnchored(bytes32,uint64)")[:4].hex(),
    }


@pytest.mark.parametrize("tree_size", [0, 1, 27, 2**32 + 5, 2**53 - 1])
def test_given_a_log_id_and_size_when_verify_chain_js_encodes_root_at_then_it_is_the_abi_encoding(
    tree_size: int,
) -> None:
    identifier = log_id(ORIGIN)
    [data] = run_verify_js({"root_at_calls": [{"log_id": "0x" + identifier.hex().upper(), "tree_size": tree_size}]})[
        "root_at_calls"
    ]
    ledger = Web3().eth.contract(abi=LEDGER_ABI)
    assert data == ledger.encode_abi("rootAt", args=[identifier, tree_size])


def test_given_a_log_id_that_is_not_32_bytes_or_a_size_that_is_not_whole_then_verify_chain_js_refuses() -> None:
    calls = [{"log_id": "0x1234", "tree_size": 1}, {"log_id": "0x" + "00" * 32, "tree_size": -1},
             {"log_id": "0x" + "00" * 32, "tree_size": 1.5}]
    assert run_verify_js({"root_at_calls": calls})["root_at_calls"] == ["error: TypeError"] * 3


CHAIN = {"rpcUrl": "http://node.test", "chainId": "31337", "ledgerAddress": "0x" + "12" * 20,
         "logId": "0x" + "ab" * 32, "origin": ORIGIN}
ROOT_HEX = "5c" * 32


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        ({"eth_chainId": {"result": "0x7a69"}, "eth_call": {"result": "0x" + ROOT_HEX}}, f"root {ROOT_HEX}"),
        ({"eth_chainId": {"result": "0x1"}, "eth_call": {"result": "0x" + ROOT_HEX}},
         "error: http://node.test serves chain 1, not chain 31337"),
        ({"eth_chainId": {"result": "0x7a69"},
          "eth_call": {"error": {"code": 3, "message": "execution reverted",
                                 "data": "0x86c1eda2" + "ab" * 32 + f"{27:064x}"}}},
         "error: no checkpoint of this log is anchored at tree size 27"),
        ({"eth_chainId": {"result": "0x7a69"}, "eth_call": {"result": "0x"}},
         'error: rootAt answered "0x", not one 32-byte word'),
        ({"eth_chainId": {"result": "0x7a69"}},
         "error: the chain at http://node.test answered eth_call with HTTP 500"),
    ],
    ids=["the anchored root", "another chain", "not anchored at that size", "no contract there", "a failing node"],
)
def test_given_a_node_when_verify_chain_js_reads_the_anchored_root_then_it_trusts_only_the_right_answer(
    answers: dict[str, Any], outcome: str
) -> None:
    reads = [{"chain": CHAIN, "tree_size": 27, "answers": answers}]
    assert run_verify_js({"anchored_root_reads": reads})["anchored_root_reads"] == [outcome]
