"""Chain faults: a node restarted from its saved state, a reset chain, reorgs of the anchoring block, nonce
gaps, dropped and replaced transactions, a node that goes away for a moment.

The oracle runs through the real command line against a ledger clone with its own chain; the fault is made
on cue with Anvil's controls; then the oracle recovers (or stops, for a reset chain) and the audit agrees.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from ledger.log_store import create_store_engine
from oracle.chain import RevertDecoder, TransactionSender
from oracle.eip712 import log_id
from oracle.pipeline_store import PipelineStore, TxState
from tests.oracle.chain_calls import (
    automine_off,
    drop,
    first_anchor,
    funded_key,
    mine,
    reorg,
    set_automine,
    transfer,
)
from tests.oracle.chain_fixture import ChainWorld, chain_world
from tests.oracle.cli_ledger import ORIGIN, REPO_ROOT, CliLedger, monthly_rows, provision_ledger, write_activity
from tests.oracle.ledger_agreement import assert_ledger_agrees, assert_oracle_recovers

MONTHS = (1, 2)
RECORDS = 12
LATER_MONTHS = (3,)
LATER_RECORDS = 6
FIRST_ANCHOR_SUBJECT = f"anchor:{ORIGIN}:{RECORDS}"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> CliLedger:
    work = tmp_path_factory.mktemp("template")
    return provision_ledger(work / "state", write_activity(work / "activity.csv", monthly_rows(MONTHS)))


@pytest.fixture
def ledger(template: CliLedger, tmp_path: Path) -> Iterator[CliLedger]:
    with template.running_copy(tmp_path / "state") as clone:
        yield clone


def chain_tree_size(ledger: CliLedger) -> int:
    return int(ledger.contract("CarbonLedger").functions.latestHead(log_id(ORIGIN)).call()[0])


def anchor_nonce(ledger: CliLedger) -> int:
    row = ledger.store().transaction(FIRST_ANCHOR_SUBJECT)
    assert row is not None
    return row.nonce


def test_given_a_sent_transaction_when_the_node_restarts_from_its_saved_state_then_the_oracle_resumes(
    ledger: CliLedger,
) -> None:
    set_automine(ledger.w3(), False)
    ledger.crash("anchor", at="tx-sent:anchor")
    ledger.chain.down()  # the pool, holding the anchoring transaction, is not saved
    ledger.chain.up()
    assert chain_tree_size(ledger) == 0
    assert_oracle_recovers(ledger, RECORDS)


def settled_at(ledger: CliLedger, tree_size: int) -> bool:
    """The chain's head is at `tree_size` and every posting is planned and confirmed."""
    store = ledger.store()
    return (chain_tree_size(ledger) == tree_size and not store.checkpoints_without_postings(ORIGIN)
            and not store.postings_to_send(ORIGIN))


def wait_until(condition: Callable[[], bool], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_given_the_oracle_following_when_the_node_restarts_mid_run_then_it_carries_on_with_what_came_meanwhile(
    ledger: CliLedger, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "oracle.cli", "anchor", "--follow", "--batch-records", "1", "--poll-seconds", "0.2"]
    with (tmp_path / "follow.log").open("w") as output:
        follower = subprocess.Popen(command, cwd=REPO_ROOT, env=ledger.environment(), stdout=output, stderr=output)
        try:
            wait_until(lambda: settled_at(ledger, RECORDS))
            ledger.chain.down()
            ledger.ingest(write_activity(tmp_path / "more.csv", monthly_rows(LATER_MONTHS)))
            wait_until(lambda: "pass failed" in (tmp_path / "follow.log").read_text())  # no node, no pass
            ledger.chain.up()
            wait_until(lambda: settled_at(ledger, RECORDS + LATER_RECORDS))
            assert follower.poll() is None, (tmp_path / "follow.log").read_text()
        finally:
            follower.terminate()
            follower.wait(timeout=30)
    ledger.succeed("audit")
    assert_ledger_agrees(ledger, RECORDS + LATER_RECORDS)


@pytest.mark.parametrize(("redeployed", "reason"), [
    (False, "no contract at"),
    (True, "is not the one this database anchored on"),
])
def test_given_an_anchored_ledger_when_its_chain_is_reset_then_anchor_and_audit_stop_with_a_reset_error(
    ledger: CliLedger, redeployed: bool, reason: str
) -> None:
    ledger.succeed("anchor")
    contracts = ledger.deployment().contracts
    ledger.chain.down()
    (ledger.chain.state_dir / "state.json").unlink()
    ledger.chain.up()
    if redeployed:
        # The same deployer, from nonce 0 again, puts the contracts at the same addresses on the new chain.
        ledger.succeed("deploy", "--redeploy")
        assert ledger.deployment().contracts["CarbonLedger"].address == contracts["CarbonLedger"].address
    for command in ("anchor", "audit"):
        result = ledger.run(command)
        assert result.returncode == 2
        assert reason in result.stderr and "the chain was reset" in result.stderr
    if redeployed:
        assert chain_tree_size(ledger) == 0, "the oracle carried on on the new chain"


@pytest.mark.parametrize(("crash_at", "depth"), [("checkpoint-anchored", 1), ("tx-confirmed:post", 2)])
def test_given_the_anchoring_block_reorged_away_when_the_oracle_restarts_then_it_anchors_once_again(
    ledger: CliLedger, crash_at: str, depth: int
) -> None:
    ledger.crash("anchor", at=crash_at)
    reorg(ledger.w3(), depth)
    assert chain_tree_size(ledger) == 0
    result = ledger.run("audit", "--quick")
    assert result.returncode == 2 and "a reorganisation removed them" in result.stderr
    assert_oracle_recovers(ledger, RECORDS)


def test_given_a_prepared_transaction_never_sent_and_a_later_nonce_sent_when_the_oracle_restarts_then_both_mine(
    ledger: CliLedger,
) -> None:
    ledger.crash("anchor", at="tx-prepared:anchor")
    w3, nonce = ledger.w3(), anchor_nonce(ledger)
    later = transfer(w3, ledger.key("oracle"), nonce + 1)
    mine(w3)
    assert w3.eth.get_transaction(later)["blockNumber"] is None  # held back by the gap
    assert_oracle_recovers(ledger, RECORDS)
    assert w3.eth.wait_for_transaction_receipt(later, timeout=10)["status"] == 1
    assert anchor_nonce(ledger) == nonce


def test_given_a_prepared_transaction_whose_nonce_another_takes_when_the_oracle_restarts_then_it_is_prepared_again(
    ledger: CliLedger,
) -> None:
    ledger.crash("anchor", at="tx-prepared:anchor")
    w3, nonce = ledger.w3(), anchor_nonce(ledger)
    other = transfer(w3, ledger.key("oracle"), nonce)
    assert w3.eth.wait_for_transaction_receipt(other, timeout=10)["status"] == 1
    assert_oracle_recovers(ledger, RECORDS)
    anchored = ledger.store().transaction(FIRST_ANCHOR_SUBJECT)
    assert anchored is not None and (anchored.state, anchored.nonce) == (TxState.CONFIRMED, nonce + 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChainWorld]:
    yield from chain_world(tmp_path_factory.mktemp("chain"), ORIGIN, [])


def make_sender(world: ChainWorld, key: LocalAccount, database: Path) -> TransactionSender:
    store = PipelineStore(create_store_engine(f"sqlite:///{database}"))
    return TransactionSender(world.w3, key, store, RevertDecoder(list(world.abis.values())))


def test_given_a_submitted_transaction_when_the_node_drops_it_then_it_is_sent_again_and_mined(
    world: ChainWorld, tmp_path: Path
) -> None:
    sender = make_sender(world, funded_key(world), tmp_path / "state.db")
    call = first_anchor(world, f"{ORIGIN}/dropped")
    with automine_off(world.w3):
        row = sender.prepare("anchor:dropped", call)
        sender.submit(row)
        drop(world.w3, row.tx_hash)
    assert sender.confirm(row).state is TxState.CONFIRMED


def test_given_a_transaction_in_the_pool_when_another_takes_its_nonce_then_the_work_is_prepared_again(
    world: ChainWorld, tmp_path: Path
) -> None:
    key = funded_key(world)
    sender = make_sender(world, key, tmp_path / "state.db")
    call = first_anchor(world, f"{ORIGIN}/replaced")
    with automine_off(world.w3):
        row = sender.prepare("anchor:replaced", call)
        sender.submit(row)
        transfer(world.w3, key, row.nonce)
        mine(world.w3)
    again = sender.send("anchor:replaced", call)
    assert (again.state, again.nonce) == (TxState.CONFIRMED, row.nonce + 1)
    assert again.tx_hash != row.tx_hash


def test_given_the_node_down_for_a_moment_when_sending_then_the_sender_retries_until_it_is_back(
    world: ChainWorld, tmp_path: Path
) -> None:
    sender = make_sender(world, funded_key(world), tmp_path / "state.db")
    call = first_anchor(world, f"{ORIGIN}/restart")
    world.chain.down()
    restart = threading.Timer(1.0, world.chain.up)
    restart.start()
    try:
        row = sender.send("anchor:restart", call)
    finally:
        restart.join()
    assert row.state is TxState.CONFIRMED


def test_given_stored_batch_totals_altered_before_anchoring_when_audited_then_the_postings_are_named_as_wrong(
    ledger: CliLedger, tmp_path: Path
) -> None:
    ledger.succeed("ingest", str(write_activity(tmp_path / "more.csv", monthly_rows(LATER_MONTHS))))
    with sqlite3.connect(ledger.state_dir / "ledger.db") as connection:
        ((stored,),) = connection.execute("SELECT totals FROM ledger_batch_totals").fetchall()
        totals = json.loads(stored)
        account = sorted(totals)[0]
        year = sorted(totals[account])[0]
        totals[account][year] += 1
        connection.execute("UPDATE ledger_batch_totals SET totals = ?", (json.dumps(totals),))
    ledger.succeed("anchor")

    result = ledger.run("audit")

    assert result.returncode == 2, result.stdout
    assert f"postings planned for entries [0, {RECORDS + LATER_RECORDS}) differ from their records' totals " \
           f"for {account} {year}" in result.stderr
    assert ledger.run("audit", "--quick").returncode == 0  # the quick audit reads no record
