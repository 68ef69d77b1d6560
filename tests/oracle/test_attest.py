"""Specification of verifier attestations and the verifier's commands: the signed document, `carbonledger roles`,
`attest`, `evidence` and `rating` (run in this process) against a ledger anchored on a real embedded chain."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from identity.keystore import Keystore
from identity.password import PASSWORD_VARIABLE
from ledger.errors import AttestationFormatError
from ledger.hasher import hash_leaf
from ledger.log_store import create_store_engine
from ledger.verify import verify_inclusion
from oracle.account_registry import (
    AccountEntry,
    AccountLevel,
    AccountRegistry,
    OutputEntry,
)
from oracle.account_totals import counts_toward_account
from oracle.attest import SignedAttestation
from oracle.chain_ids import account_id
from oracle.cli import main
from oracle.eip712 import (
    AssuranceLevel,
    Opinion,
    SigningDomain,
    log_id,
)
from tests.oracle.chain_fixture import REGION
from tests.oracle.cli_ledger import (
    KEY_PASSWORD,
    ORIGIN,
    TEST_SCRYPT_N,
    YEAR,
    CliLedger,
    monthly_rows,
    provision_ledger,
    write_activity,
)
from tests.webapp.attestation_documents import attestation_document

MALFORMED = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "attest" / "malformed-attestations.json").read_text("utf-8"))
VERIFIER_KEY = "verifier"
DOMAIN = SigningDomain(31337, "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")


def signed_document(private_key: bytes) -> dict[str, Any]:
    return attestation_document(private_key, DOMAIN, ORIGIN, tree_size=18)


def test_given_a_signed_document_when_read_back_then_it_recovers_the_signer_and_round_trips() -> None:
    verifier = Account.create()
    document = signed_document(bytes(verifier.key))
    signed = SignedAttestation.from_json(json.loads(json.dumps(document)))
    assert signed.signer() == verifier.address
    assert signed.to_json() == document
    assert document["typed_data"]["message"]["accountId"] == "0x" + account_id("QZ0001").hex()


def test_given_integers_written_as_decimal_strings_as_wallets_do_then_the_document_reads_the_same() -> None:
    verifier = Account.create()
    document = signed_document(bytes(verifier.key))
    as_strings = copy.deepcopy(document)
    for name in ("year", "treeSize", "nonce", "materialityBps"):
        as_strings["typed_data"]["message"][name] = str(document["typed_data"]["message"][name])
    assert SignedAttestation.from_json(as_strings).signer() == verifier.address


def test_given_a_field_changed_after_signing_then_the_signature_recovers_to_someone_else() -> None:
    verifier = Account.create()
    document = signed_document(bytes(verifier.key))
    document["typed_data"]["message"]["materialityBps"] = 1000
    assert SignedAttestation.from_json(document).signer() != verifier.address


@pytest.mark.parametrize("case", MALFORMED, ids=[case["desc"] for case in MALFORMED])
def test_given_a_malformed_document_when_read_then_the_error_names_the_field(case: dict[str, Any]) -> None:
    document = signed_document(bytes(Account.create().key))
    *parents, name = case["path"]
    target = document
    for parent in parents:
        target = target[parent]
    if case["value"] == "__delete__":
        del target[name]
    else:
        target[name] = case["value"]
    with pytest.raises(AttestationFormatError) as raised:
        SignedAttestation.from_json(document)
    assert case["want_error"] in str(raised.value)


def test_given_a_signature_that_is_no_point_on_the_curve_then_reading_its_signer_is_a_format_error() -> None:
    document = signed_document(bytes(Account.create().key))
    document["signature"] = "0x" + "00" * 64 + "1b"
    with pytest.raises(AttestationFormatError, match="signature: is not a valid secp256k1 signature"):
        SignedAttestation.from_json(document).signer()


def test_given_roles_token_then_it_prints_a_token_and_the_configuration_entry_of_its_hash(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["roles", "token", "verifier:ZJ", "admin"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    token, entry = lines[1], json.loads(lines[-1])
    assert entry == {hashlib.sha256(token.encode()).hexdigest(): ["admin", "verifier:ZJ"]}


@pytest.mark.parametrize("role", ["verifier", "regulator:", "oracle:ZJ", "auditor", "verifier:ZJ ZJ"])
def test_given_a_malformed_role_when_granted_then_the_command_line_refuses_it(
    role: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["roles", "grant", role, "0x" + "11" * 20])
    assert raised.value.code == 2
    assert "role" in capsys.readouterr().err


# --- Against a ledger anchored on an embedded chain, through the command line in subprocesses ---


@pytest.fixture(scope="module")
def anchored(tmp_path_factory: pytest.TempPathFactory) -> CliLedger:
    """Three accounts' first quarter, anchored and posted, with a verifier key in the keystore (not accredited)."""
    work = tmp_path_factory.mktemp("attest")
    ledger = provision_ledger(work / "state", write_activity(work / "activity.csv", monthly_rows((1, 2, 3))))
    Keystore.in_state_dir(ledger.state_dir, scrypt_n=TEST_SCRYPT_N).create(VERIFIER_KEY, KEY_PASSWORD)
    ledger.chain.up()
    try:
        ledger.succeed("anchor")
    finally:
        ledger.chain.down()
    return ledger


@pytest.fixture
def ledger(anchored: CliLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliLedger]:
    monkeypatch.setenv(PASSWORD_VARIABLE, KEY_PASSWORD)
    clone = anchored.copy_to(tmp_path / "state")
    try:
        yield clone
    finally:
        clone.chain.down()


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    out: str
    err: str


def carbonledger(ledger: CliLedger, capsys: pytest.CaptureFixture[str], *words: str) -> Outcome:
    """`carbonledger <words>` run in this process against `ledger` (its state folder, database, chain, log)."""
    capsys.readouterr()
    exit_code = main([*words, "--state-dir", str(ledger.state_dir), "--database-url", ledger.database_url,
                      "--rpc-url", ledger.chain.rpc_url, "--origin", ORIGIN])
    captured = capsys.readouterr()
    return Outcome(exit_code, captured.out, captured.err)


def succeed(ledger: CliLedger, capsys: pytest.CaptureFixture[str], *words: str) -> str:
    outcome = carbonledger(ledger, capsys, *words)
    assert outcome.exit_code == 0, outcome.err
    return outcome.out


def verifier_address(ledger: CliLedger) -> str:
    return Keystore.in_state_dir(ledger.state_dir).entry(VERIFIER_KEY).address


def attest(ledger: CliLedger, capsys: pytest.CaptureFixture[str], report: Path, out: Path) -> Outcome:
    return carbonledger(ledger, capsys, "attest", "QZ0001", str(YEAR), "--opinion", "qualified", "--assurance",
                        "limited", "--materiality-bps", "250", "--report", str(report), "--key", VERIFIER_KEY,
                        "--out", str(out), "--submit", "--relay-key", "admin")


def test_given_a_verifier_accredited_by_the_regulator_when_it_attests_and_submits_then_the_chain_records_it(
    ledger: CliLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    verifier = verifier_address(ledger)
    succeed(ledger, capsys, "roles", "grant", f"verifier:{REGION}", verifier, "--as", "admin")
    assert f"holds verifier:{REGION}" in succeed(ledger, capsys, "roles", "check", f"verifier:{REGION}", verifier)
    report = tmp_path / "statement.pdf"
    report.write_bytes(b"verification statement of QZ0001, 2025")
    result = attest(ledger, capsys, report, tmp_path / "attestation.json")
    assert result.exit_code == 0, result.err
    assert "recorded as attestation 1" in result.err

    attestations = ledger.contract("CarbonAttestations")
    assert attestations.functions.attestationCount().call() == 1
    (recorded_account, _, report_hash, recorded_verifier, tree_size, year, materiality_bps, assurance, opinion,
     supersedes, superseded_by) = attestations.functions.attestation(1).call()
    anchored_size = ledger.contract("CarbonLedger").functions.latestHead(log_id(ORIGIN)).call()[0]
    assert (bytes(recorded_account), recorded_verifier, tree_size, year) == (account_id("QZ0001"), verifier,
                                                                             anchored_size, YEAR)
    assert bytes(report_hash) == hashlib.sha256(report.read_bytes()).digest()
    assert (materiality_bps, assurance, opinion, supersedes, superseded_by) == (
        250, AssuranceLevel.LIMITED, Opinion.QUALIFIED, 0, 0)
    written = SignedAttestation.from_json(json.loads((tmp_path / "attestation.json").read_text()))
    assert written.signer() == verifier


def test_given_a_verifier_never_accredited_when_it_submits_then_nothing_is_sent_and_the_reason_is_given(
    ledger: CliLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "statement.pdf"
    report.write_bytes(b"statement")
    result = attest(ledger, capsys, report, tmp_path / "attestation.json")
    assert result.exit_code == 2
    assert f"is not a verifier accredited in region {REGION}" in result.err
    assert ledger.contract("CarbonAttestations").functions.attestationCount().call() == 0


def test_given_an_accreditation_when_revoked_then_the_verifier_no_longer_holds_the_role(
    ledger: CliLedger, capsys: pytest.CaptureFixture[str]
) -> None:
    verifier = verifier_address(ledger)
    succeed(ledger, capsys, "roles", "grant", f"verifier:{REGION}", verifier)
    revoked = succeed(ledger, capsys, "roles", "revoke", f"verifier:{REGION}", verifier)
    assert revoked.strip() == f"revoked verifier:{REGION} from {verifier}"
    check = carbonledger(ledger, capsys, "roles", "check", f"verifier:{REGION}", verifier)
    assert (check.exit_code, check.out.strip()) == (1, f"{verifier} does not hold verifier:{REGION}")
    assert "does not hold" in succeed(ledger, capsys, "roles", "revoke", f"verifier:{REGION}", verifier)


def test_given_the_registry_role_when_granted_and_again_then_the_second_grant_changes_nothing(
    ledger: CliLedger, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = Account.create().address
    assert f"granted registry to {holder}" in succeed(ledger, capsys, "roles", "grant", "registry", holder)
    assert "already holds registry" in succeed(ledger, capsys, "roles", "grant", "registry", holder)
    offsets = ledger.contract("CarbonOffsets")
    assert offsets.functions.hasRole(offsets.functions.REGISTRY_ROLE().call(), holder).call()


def test_given_an_anchored_account_year_when_its_evidence_pack_is_written_then_every_record_proves_to_the_chain_root(
    ledger: CliLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "evidence.zip"
    succeed(ledger, capsys, "evidence", "QZ0001", str(YEAR), "--out", str(pack))
    with zipfile.ZipFile(io.BytesIO(pack.read_bytes())) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        checkpoint = manifest["checkpoint"]
        root = bytes(ledger.contract("CarbonLedger").functions.rootAt(log_id(ORIGIN), checkpoint["tree_size"]).call())
        assert checkpoint["root_hash"] == root.hex()
        assert archive.read("checkpoint.note").decode() == checkpoint["note"]
        log = ledger.log()
        expected = [index for index, entry in enumerate(log.entries(0, checkpoint["tree_size"]))
                    if json.loads(entry)["account"] == "QZ0001"]
        assert [record["leaf_index"] for record in manifest["records"]] == expected
        for record in manifest["records"]:
            entry = archive.read(record["file"])
            assert hash_leaf(entry).hex() == record["leaf_hash"]
            verify_inclusion(hash_leaf(entry), record["leaf_index"], checkpoint["tree_size"],
                             [bytes.fromhex(element) for element in record["inclusion"]], root)
    assert manifest["records_after_checkpoint"] == 0
    assert checkpoint["anchor"]["ledger_contract"] == ledger.deployment().contracts["CarbonLedger"].address


def test_given_the_directory_and_an_output_when_rated_on_the_command_line_then_it_shows_the_inputs(
    ledger: CliLedger, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_store_engine(ledger.database_url)
    registry = AccountRegistry(engine)
    registry.save_accounts([AccountEntry("QZ0001", "Quzhou Chemicals", AccountLevel.ENTERPRISE, REGION, "C26", None,
                                         "0x" + "11" * 20)])
    registry.save_outputs([OutputEntry("QZ0001", YEAR, Decimal("400"), "t product")])
    engine.dispose()
    rated = json.loads(succeed(ledger, capsys, "rating", "QZ0001", "--year", str(YEAR), "--json"))
    log = ledger.log()
    records = [json.loads(entry) for entry in log.entries(0, log.tree_head().tree_size)]
    emitted_g = sum(record["co2e_g"] for record in records
                    if record["account"] == "QZ0001" and counts_toward_account(record))
    assert rated["inputs"] == {"account": "QZ0001", "year": YEAR, "industry": "C26", "emissions_g": emitted_g,
                               "output": "400", "output_unit": "t product"}
    assert rated["benchmark"]["industry"] == "C26" and rated["colour"] is not None
    missing = carbonledger(ledger, capsys, "rating", "QZ0002", "--year", str(YEAR))
    assert (missing.exit_code, missing.err.strip()) == (
        2, "carbonledger: error: account 'QZ0002' is not in the account directory")
