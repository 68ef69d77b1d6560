"""Specification of proof bundles against a real chain: what the explorer serves for an anchored record, what
oracle.bundle.verify_bundle checks (on its own, in POST /api/v1/verify and in `carbonledger verify`), the
checkpoints pages and API, and search by anchoring transaction."""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from flask.testing import FlaskClient

from ledger.code import ThreeDCode
from ledger.hasher import hash_leaf
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from ledger.verify import verify_consistency
from oracle.bundle import CHAIN_CHECKS, ProofBundle, verify_bundle
from oracle.cli import main
from oracle.eip712 import CheckpointMessage, SigningDomain, log_id, sign
from oracle.pipeline_store import CheckpointRow, CheckpointState
from tests.webapp.anchored_ledger import FIRST_ANCHORED_SIZE, ORIGIN, AnchoredLedger, anchored_ledger
from webapp import create_app

Bundle = dict[str, Any]
LEAF_INDEX = 4
ALL_CHECKS = ("record", "hex_twins", "leaf_hash", "serial", "inclusion", *CHAIN_CHECKS, "signed_note")


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnchoredLedger]:
    yield from anchored_ledger(tmp_path_factory.mktemp("anchored"))


@pytest.fixture(scope="module")
def client(ledger: AnchoredLedger) -> FlaskClient:
    return create_app(ledger.app_config()).test_client()


def served_bundle(client: FlaskClient, ledger: AnchoredLedger) -> Bundle:
    response = client.get(f"/api/v1/records/{ledger.record(LEAF_INDEX).code}/bundle")
    assert response.status_code == 200, response.get_json()
    bundle: Bundle = response.get_json()
    return bundle


def checks_of(ledger: AnchoredLedger, bundle: Bundle) -> dict[str, str]:
    checks = verify_bundle(ProofBundle.from_json(bundle), ledger.world.w3, ledger.ledger_address)
    assert [check.check for check in checks] == list(ALL_CHECKS)
    assert all(check.detail for check in checks)
    return {check.check: check.status for check in checks}


def failed(statuses: dict[str, str]) -> set[str]:
    return {name for name, status in statuses.items() if status == "fail"}


def anchored_rows(ledger: AnchoredLedger) -> list[CheckpointRow]:
    return ledger.store.checkpoints(ORIGIN, CheckpointState.ANCHORED)


def test_given_an_anchored_record_when_asking_for_its_bundle_then_it_carries_the_latest_anchored_checkpoint(
    client: FlaskClient, ledger: AnchoredLedger
) -> None:
    bundle = served_bundle(client, ledger)
    latest = anchored_rows(ledger)[-1]
    assert latest.tx_subject is not None and latest.signature is not None
    tx = ledger.store.transaction(latest.tx_subject)
    assert tx is not None and tx.block_hash is not None
    assert bundle["format"] == "carbonledger-proof-bundle/2"
    assert bundle["record"].encode() == ledger.record(LEAF_INDEX).canonical_bytes()
    assert bundle["tree_head"]["tree_size"] == latest.tree_size == ledger.head.tree_size
    assert bundle["checkpoint"] == {
        "timestamp": latest.timestamp,
        "metadata_hash": "0x" + latest.metadata_hash.hex(),
        "eip712_signature": "0x" + latest.signature.hex(),
        "note": latest.note,
        "note_verifier_key": ledger.note_signer.verifier.key_string(),
    }
    assert bundle["anchor"] == {
        "chain_id": ledger.world.w3.eth.chain_id,
        "contract": ledger.ledger_address,
        "log_id": "0x" + log_id(ORIGIN).hex(),
        "tx_hash": "0x" + tx.tx_hash.hex(),
        "block_number": tx.block_number,
        "block_hash": "0x" + tx.block_hash.hex(),
    }


def test_given_the_served_bundle_when_verified_against_the_chain_then_every_check_passes(
    client: FlaskClient, ledger: AnchoredLedger
) -> None:
    assert checks_of(ledger, served_bundle(client, ledger)) == {name: "pass" for name in ALL_CHECKS}


def test_given_no_trusted_contract_when_verifying_then_the_chain_check_says_the_bundle_named_it(
    client: FlaskClient, ledger: AnchoredLedger
) -> None:
    checks = verify_bundle(ProofBundle.from_json(served_bundle(client, ledger)), ledger.world.w3)
    chain = next(check for check in checks if check.check == "chain")
    assert chain.status == "pass"
    assert f"CarbonLedger {ledger.ledger_address} (the contract the bundle names)" in chain.detail


# --- tampering, each with the checks it must fail --------------------------------------------------------


def _raise_the_figure(bundle: Bundle, ledger: AnchoredLedger) -> None:
    bundle["record"] = bundle["record"].replace('"co2e_g":', '"co2e_g":1', 1)


def _forge_the_whole_log(bundle: Bundle, ledger: AnchoredLedger) -> None:
    """A forger's log: one figure raised, and every hash and proof recomputed so that they fit each other."""
    size = bundle["tree_head"]["tree_size"]
    entries = ledger.log.entries(0, size)
    entries[LEAF_INDEX] = entries[LEAF_INDEX].replace(b'"co2e_g":', b'"co2e_g":1', 1)
    forged = MerkleLog(MemoryLogStore(), ORIGIN)
    head = forged.append(entries)
    leaf_hash = hash_leaf(entries[LEAF_INDEX])
    bundle["record"] = entries[LEAF_INDEX].decode()
    bundle["leaf_hash"], bundle["leaf_hash_hex"] = base64.b64encode(leaf_hash).decode(), leaf_hash.hex()
    bundle["inclusion"] = [base64.b64encode(element).decode() for element in forged.inclusion_proof(LEAF_INDEX, size)]
    bundle["tree_head"]["root_hash"] = base64.b64encode(head.root_hash).decode()
    bundle["tree_head"]["root_hash_hex"] = head.root_hash.hex()


def _name_another_contract(bundle: Bundle, ledger: AnchoredLedger) -> None:
    bundle["anchor"]["contract"] = ledger.world.deployment.contracts["CarbonAccounts"].address


def _name_another_chain(bundle: Bundle, ledger: AnchoredLedger) -> None:
    bundle["anchor"]["chain_id"] = 1


def _name_the_first_anchoring_transaction(bundle: Bundle, ledger: AnchoredLedger) -> None:
    first = anchored_rows(ledger)[0]
    assert first.tx_subject is not None
    tx = ledger.store.transaction(first.tx_subject)
    assert tx is not None
    bundle["anchor"]["tx_hash"] = "0x" + tx.tx_hash.hex()


def _sign_with_a_key_that_is_no_oracle(bundle: Bundle, ledger: AnchoredLedger) -> None:
    head, checkpoint, anchor = bundle["tree_head"], bundle["checkpoint"], bundle["anchor"]
    message = CheckpointMessage(log_id(ORIGIN), head["tree_size"], bytes.fromhex(head["root_hash_hex"]),
                                checkpoint["timestamp"], bytes.fromhex(checkpoint["metadata_hash"][2:]))
    signature = sign(bytes(Account.create().key), SigningDomain(anchor["chain_id"], anchor["contract"]), message)
    checkpoint["eip712_signature"] = "0x" + signature.hex()


def _rename_the_log(bundle: Bundle, ledger: AnchoredLedger) -> None:
    bundle["tree_head"]["origin"] = "elsewhere.example/other-log"


def _drop_the_anchor(bundle: Bundle, ledger: AnchoredLedger) -> None:
    bundle["anchor"] = None


@dataclass(frozen=True)
class ChainTampering:
    name: str
    apply: Callable[[Bundle, AnchoredLedger], None]
    failed_checks: frozenset[str]


CHAIN_TAMPERINGS = (
    ChainTampering("a figure in the record raised", _raise_the_figure,
                   frozenset({"leaf_hash", "inclusion", "inclusion_on_chain"})),
    ChainTampering("a whole forged log with its own root", _forge_the_whole_log,
                   frozenset({"trusted_root", "inclusion_on_chain", "oracle_signature", "anchor_tx", "signed_note"})),
    ChainTampering("another contract named", _name_another_contract,
                   frozenset({"chain", "trusted_root", "inclusion_on_chain", "oracle_signature", "anchor_tx"})),
    ChainTampering("another chain named", _name_another_chain, frozenset({"chain", "oracle_signature"})),
    ChainTampering("the earlier anchoring transaction named", _name_the_first_anchoring_transaction,
                   frozenset({"anchor_tx"})),
    ChainTampering("signed by a key without the oracle role", _sign_with_a_key_that_is_no_oracle,
                   frozenset({"oracle_signature"})),
    ChainTampering("the log renamed", _rename_the_log, frozenset({"chain", "signed_note"})),
    ChainTampering("the anchor dropped", _drop_the_anchor, frozenset({"chain"})),
)


@pytest.mark.parametrize("tampering", CHAIN_TAMPERINGS, ids=[tampering.name for tampering in CHAIN_TAMPERINGS])
def test_given_a_tampered_bundle_when_verified_against_the_chain_then_exactly_the_affected_checks_fail(
    client: FlaskClient, ledger: AnchoredLedger, tampering: ChainTampering
) -> None:
    bundle = copy.deepcopy(served_bundle(client, ledger))
    tampering.apply(bundle, ledger)
    assert failed(checks_of(ledger, bundle)) == tampering.failed_checks


def test_given_a_bundle_without_anchor_then_the_chain_checks_are_skipped_not_passed(
    client: FlaskClient, ledger: AnchoredLedger
) -> None:
    bundle = served_bundle(client, ledger)
    bundle["anchor"] = None
    statuses = checks_of(ledger, bundle)
    assert [statuses[name] for name in CHAIN_CHECKS] == ["fail", "skip", "skip", "skip", "skip"]


# --- the API, the command line and the pages, with a chain configured --------------------------------------


def test_given_a_chain_when_posting_a_bundle_to_verify_then_the_server_runs_the_chain_checks(
    client: FlaskClient, ledger: AnchoredLedger
) -> None:
    genuine = client.post("/api/v1/verify", json=served_bundle(client, ledger)).get_json()
    assert genuine["valid"] is True
    assert [check["check"] for check in genuine["checks"]] == list(ALL_CHECKS)
    forged = served_bundle(client, ledger)
    _forge_the_whole_log(forged, ledger)
    result = client.post("/api/v1/verify", json=forged).get_json()
    assert result["valid"] is False
    trusted_root = next(check for check in result["checks"] if check["check"] == "trusted_root")
    assert trusted_root["status"] == "fail" and "rootAt(" in trusted_root["detail"]


def cli_options(ledger: AnchoredLedger) -> list[str]:
    return ["--state-dir", str(ledger.state_dir), "--database-url", ledger.url, "--origin", ORIGIN,
            "--rpc-url", ledger.world.chain.rpc_url]


def test_given_a_code_when_the_cli_writes_its_bundle_and_verifies_it_then_every_check_passes(
    ledger: AnchoredLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle_file = tmp_path / "bundle.json"
    code = ledger.record(LEAF_INDEX).code
    assert main(["proof", code, "-o", str(bundle_file), *cli_options(ledger)]) == 0
    assert main(["verify", str(bundle_file), *cli_options(ledger)]) == 0
    out = capsys.readouterr().out
    assert f"CarbonLedger {ledger.ledger_address}" in out
    assert all(f"✔ {name}:" in out for name in ALL_CHECKS)


def test_given_a_forged_bundle_when_the_cli_verifies_it_then_it_exits_1_naming_every_failed_check(
    client: FlaskClient, ledger: AnchoredLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = served_bundle(client, ledger)
    _forge_the_whole_log(bundle, ledger)
    bundle_file = tmp_path / "forged.json"
    bundle_file.write_text(json.dumps(bundle))
    assert main(["verify", str(bundle_file), *cli_options(ledger)]) == 1
    error = capsys.readouterr().err
    assert "failed: trusted_root, inclusion_on_chain, oracle_signature, anchor_tx, signed_note" in error


def test_given_a_code_beyond_the_anchored_checkpoint_when_the_cli_writes_its_bundle_then_it_refuses_saying_why(
    ledger: AnchoredLedger, capsys: pytest.CaptureFixture[str]
) -> None:
    code = dataclasses.replace(ThreeDCode.parse(ledger.record(LEAF_INDEX).code), serial=99).text
    assert main(["proof", code, *cli_options(ledger)]) == 2
    assert f"is not covered by an anchored checkpoint yet (anchored tree size {ledger.head.tree_size})" in (
        capsys.readouterr().err
    )


def test_given_two_anchored_checkpoints_when_listing_them_then_the_newest_comes_first_with_its_consistency_proof(
    client: FlaskClient, ledger: AnchoredLedger
) -> None:
    listing = client.get("/api/v1/checkpoints").get_json()
    assert [c["tree_head"]["tree_size"] for c in listing["checkpoints"]] == [ledger.head.tree_size, FIRST_ANCHORED_SIZE]
    assert listing["next_before"] is None
    newest, first = listing["checkpoints"]
    assert first["consistency"] == {"first": 0, "second": FIRST_ANCHORED_SIZE, "consistency": []}
    verify_consistency(
        FIRST_ANCHORED_SIZE, ledger.head.tree_size, bytes.fromhex(first["tree_head"]["root_hash_hex"]),
        bytes.fromhex(newest["tree_head"]["root_hash_hex"]),
        [base64.b64decode(element) for element in newest["consistency"]["consistency"]],
    )
    page = client.get("/api/v1/checkpoints?limit=1").get_json()
    assert len(page["checkpoints"]) == 1 and page["next_before"] == ledger.head.tree_size
    assert client.get(f"/api/v1/checkpoints/{FIRST_ANCHORED_SIZE}").get_json() == first
    missing = client.get("/api/v1/checkpoints/5")
    assert missing.status_code == 404 and "no checkpoint" in missing.get_json()["detail"]


def test_given_a_chain_then_the_overview_shows_chain_contracts_and_the_latest_anchored_checkpoint(
    client: FlaskClient, ledger: AnchoredLedger
) -> None:
    html = client.get("/").get_data(as_text=True)
    latest = anchored_rows(ledger)[-1]
    assert latest.tx_subject is not None and latest.note is not None
    tx = ledger.store.transaction(latest.tx_subject)
    assert tx is not None
    for name, contract in ledger.world.deployment.contracts.items():
        assert f"<dt>{name}</dt><dd><code>{contract.address}</code></dd>" in html
    assert f"<dt>Chain id</dt><dd>{ledger.world.w3.eth.chain_id}</dd>" in html
    assert "0x" + tx.tx_hash.hex() in html
    assert f"<dd>{tx.block_number} " in html
    assert latest.note in html
    assert ledger.note_signer.verifier.key_string() in html


def test_given_an_anchoring_transaction_when_searching_for_it_then_it_leads_to_its_checkpoint_page(
    client: FlaskClient, ledger: AnchoredLedger
) -> None:
    first = anchored_rows(ledger)[0]
    assert first.tx_subject is not None
    tx = ledger.store.transaction(first.tx_subject)
    assert tx is not None
    for typed in ("0x" + tx.tx_hash.hex(), tx.tx_hash.hex().upper()):
        response = client.get("/search", query_string={"q": typed})
        assert response.status_code == 302
        assert response.headers["Location"] == f"/checkpoints/{FIRST_ANCHORED_SIZE}"
    page = client.get(f"/checkpoints/{ledger.head.tree_size}").get_data(as_text=True)
    proof = client.get(f"/api/v1/checkpoints/{ledger.head.tree_size}").get_json()["consistency"]["consistency"]
    assert all(f'<li><code class="hash">{element}</code></li>' in page for element in proof)
    assert f'href="/checkpoints/{FIRST_ANCHORED_SIZE}"' in page


def test_given_a_chain_then_the_verify_page_names_it_and_may_connect_to_its_rpc_endpoint(
    client: FlaskClient, ledger: AnchoredLedger
) -> None:
    response = client.get("/verify")
    html = response.get_data(as_text=True)
    assert f'data-rpc-url="{ledger.world.chain.rpc_url}"' in html
    assert f'data-ledger-address="{ledger.ledger_address}"' in html
    assert f'data-log-id="0x{log_id(ORIGIN).hex()}"' in html
    assert f"connect-src 'self' {ledger.world.chain.rpc_url};" in response.headers["Content-Security-Policy"]
