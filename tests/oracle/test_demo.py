"""The main job end to end: chain, contracts, two regions' accounts, a year of records, anchored, once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.code import ThreeDCode
from ledger.record import Record
from oracle.account_registry import AccountLevel, AccountRegistry
from oracle.anvil import EmbeddedChain
from oracle.audit import audit
from oracle.chain_ids import account_id
from oracle.checkpoint import Checkpoint
from oracle.demo import ATTESTED_ACCOUNT, OFFSETS_RETIRED, RETIRING_ACCOUNT
from oracle.demo_world import DEMO_YEAR, TIGHT_ALLOWANCES
from oracle.note import NoteVerifier, open_note
from oracle.runtime import Runtime
from tests.oracle.chain_fixture import free_port

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "carbonledger.test/demo"


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str, str]]:
    state = tmp_path_factory.mktemp("demo")
    port = free_port()
    environment = dict(os.environ, CARBONLEDGER_HOME=str(state), CARBONLEDGER_RPC_URL=f"http://127.0.0.1:{port}",
                       CARBONLEDGER_LOG_ORIGIN=ORIGIN, CARBONLEDGER_KEY_PASSWORD="demo test password")
    environment.pop("CARBONLEDGER_DATABASE_URL", None)

    def run() -> str:
        result = subprocess.run([sys.executable, "-m", "oracle.cli", "demo", "--no-serve"], cwd=ROOT,
                                env=environment, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        return result.stdout

    try:
        first, second = run(), run()
        yield state, f"http://127.0.0.1:{port}", first, second
    finally:
        EmbeddedChain(state / "chain", port=port).down()


def runtime_for(state: Path, rpc_url: str) -> Runtime:
    return Runtime(state, f"sqlite:///{state / 'ledger.db'}", ORIGIN, rpc_url)


def test_given_a_fresh_machine_when_the_demo_runs_twice_then_the_second_run_adds_nothing(
    demo_runs: tuple[Path, str, str, str],
) -> None:
    _, _, first, second = demo_runs
    appended = int(first.split(" records appended")[0].rsplit(" ", 1)[1])
    assert appended >= 2000
    assert f"0 records appended, {appended} in the log" in second


def test_given_the_demo_then_its_signed_tree_head_is_the_anchored_root_and_everything_agrees(
    demo_runs: tuple[Path, str, str, str],
) -> None:
    state, rpc_url, _, second = demo_runs
    verifier = NoteVerifier.from_key_string(second.split("checkpoint verifier key: ")[1].split("\n")[0])
    text, _ = open_note(second.split("signed tree head:\n")[1], [verifier])
    checkpoint = Checkpoint.parse(text)
    runtime = runtime_for(state, rpc_url)
    report = audit(runtime.log, runtime.store, runtime.w3, runtime.contract("CarbonLedger"), full=True)
    assert report.chain_tree_size == checkpoint.tree_size == report.tree_size == report.records_checked
    for leaf_index, entry in enumerate(runtime.log.entries(0, 50)):
        assert ThreeDCode.parse(Record.from_canonical_bytes(entry).code).serial == leaf_index + 1


def test_given_the_demo_then_it_has_two_regions_twenty_enterprises_and_a_year_across_three_scopes(
    demo_runs: tuple[Path, str, str, str],
) -> None:
    state, rpc_url, _, _ = demo_runs
    runtime = runtime_for(state, rpc_url)
    entries = AccountRegistry(runtime.store.engine).accounts()
    assert len([entry for entry in entries if entry.level is AccountLevel.REGION]) == 2
    assert len([entry for entry in entries if entry.level is AccountLevel.ENTERPRISE]) >= 20
    assert any(entry.level is AccountLevel.FACILITY for entry in entries)
    records = [Record.from_canonical_bytes(entry) for entry in runtime.log.entries(0, runtime.log.tree_head().tree_size)]
    assert {record.scope for record in records} == {1, 2, 3}
    assert {record.period for record in records} == {f"{DEMO_YEAR}M{month:02d}" for month in range(1, 13)}


def test_given_the_demo_then_tight_accounts_warn_an_offset_is_retired_and_one_attestation_exists(
    demo_runs: tuple[Path, str, str, str],
) -> None:
    state, rpc_url, _, _ = demo_runs
    runtime = runtime_for(state, rpc_url)
    carbon_accounts = runtime.contract("CarbonAccounts")
    since = runtime.deployment.block_number
    negative = {event["args"]["accountId"] for event in carbon_accounts.events.BalanceWentNegative().get_logs(from_block=since)}
    assert negative and negative <= {account_id(account) for account in TIGHT_ALLOWANCES}
    book = carbon_accounts.functions.yearBook(account_id(RETIRING_ACCOUNT), DEMO_YEAR).call()
    assert book[2] == OFFSETS_RETIRED * 1_000_000
    attestations = runtime.contract("CarbonAttestations")
    assert attestations.functions.attestationCount().call() == 1
    assert bytes(attestations.functions.attestation(1).call()[0]) == account_id(ATTESTED_ACCOUNT)


def test_given_a_ledger_holding_an_account_outside_the_demo_when_the_demo_runs_then_it_completes_and_names_it(
    tmp_path: Path,
) -> None:
    port = free_port()
    environment = dict(os.environ, CARBONLEDGER_HOME=str(tmp_path), CARBONLEDGER_RPC_URL=f"http://127.0.0.1:{port}",
                       CARBONLEDGER_LOG_ORIGIN=ORIGIN, CARBONLEDGER_KEY_PASSWORD="demo test password")
    environment.pop("CARBONLEDGER_DATABASE_URL", None)
    activity = tmp_path / "earlier.csv"
    activity.write_text("account,period,source,activity_quantity,activity_unit\n"
                        "XX0001,2025M01,stationary-combustion/natural-gas,5,万Nm³\n", encoding="utf-8")

    def cli(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "oracle.cli", *arguments], cwd=ROOT, env=environment,
                              capture_output=True, text=True, timeout=600)

    try:
        assert cli("ingest", str(activity)).returncode == 0
        result = cli("demo", "--no-serve")
    finally:
        EmbeddedChain(tmp_path / "chain", port=port).down()
    assert result.returncode == 0, result.stderr
    assert "accounts outside the demo directory: XX0001" in result.stderr
    assert " records appended, " in result.stdout
