"""When the oracle closes a batch of records into a checkpoint: at `max_records` records, or once the records
past the last checkpoint have waited `max_age_s` since the oracle first saw them; `force` closes any batch.

Closing a batch touches only the log and the oracle's store, so the oracle here has no chain to talk to.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eth_account import Account
from web3 import Web3

from ledger.log import MerkleLog
from ledger.log_store import create_store_engine
from ledger.memory_store import MemoryLogStore
from oracle.chain import RevertDecoder, TransactionSender
from oracle.eip712 import SigningDomain
from oracle.note import NoteSigner
from oracle.pipeline import BatchPolicy, Oracle, OracleContracts
from oracle.pipeline_store import CheckpointState, PipelineStore

ORIGIN = "carbonledger.test/batches"
START_S = 1_767_225_600.0


class Clock:
    def __init__(self) -> None:
        self.now_s = START_S

    def __call__(self) -> float:
        return self.now_s


def make_oracle(database: Path, policy: BatchPolicy, clock: Clock) -> tuple[Oracle, MerkleLog]:
    log = MerkleLog(MemoryLogStore(), ORIGIN)
    store = PipelineStore(create_store_engine(f"sqlite:///{database}"))
    key = Account.create()
    sender = TransactionSender(Web3(), key, store, RevertDecoder([]))
    contracts = OracleContracts(None, None, SigningDomain(31337, Account.create().address))
    note_signer = NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
    return Oracle(log, store, sender, contracts, key, note_signer, policy, clock), log


def append(log: MerkleLog, count: int) -> None:
    size = log.tree_head().tree_size
    log.append([f"record {size + index}".encode() for index in range(count)])


@pytest.mark.parametrize(
    ("waiting_records", "waited_s", "due"),
    [(0, 0.0, False), (4, 59.9, False), (5, 0.0, True), (1, 60.0, True), (9, 120.0, True)],
)
def test_given_a_policy_of_five_records_or_a_minute_when_asked_then_a_batch_is_due_at_either(
    waiting_records: int, waited_s: float, due: bool
) -> None:
    assert BatchPolicy(max_records=5, max_age_s=60.0).due(waiting_records, waited_s) is due


def test_given_records_arriving_when_the_batch_reaches_its_size_then_one_checkpoint_covers_them(tmp_path: Path) -> None:
    oracle, log = make_oracle(tmp_path / "state.db", BatchPolicy(max_records=5, max_age_s=3600.0), Clock())
    append(log, 4)
    assert oracle.checkpoint_if_due() is None
    append(log, 2)
    row = oracle.checkpoint_if_due()
    assert row is not None and (row.tree_size, row.state) == (6, CheckpointState.PENDING)
    assert row.root_hash == log.tree_head().root_hash
    assert oracle.checkpoint_if_due() is None


def test_given_few_records_when_they_have_waited_the_batch_age_then_they_are_checkpointed_and_the_wait_restarts(
    tmp_path: Path,
) -> None:
    clock = Clock()
    oracle, log = make_oracle(tmp_path / "state.db", BatchPolicy(max_records=100, max_age_s=60.0), clock)
    assert oracle.checkpoint_if_due() is None
    clock.now_s += 600  # an idle log does not start the wait
    append(log, 2)
    assert oracle.checkpoint_if_due() is None
    clock.now_s += 59
    assert oracle.checkpoint_if_due() is None
    clock.now_s += 1
    first = oracle.checkpoint_if_due()
    assert first is not None and (first.tree_size, first.timestamp) == (2, int(clock.now_s))
    append(log, 1)
    clock.now_s += 1
    assert oracle.checkpoint_if_due() is None
    clock.now_s += 59
    assert oracle.checkpoint_if_due() is None
    clock.now_s += 1
    second = oracle.checkpoint_if_due()
    assert second is not None and second.tree_size == 3


def test_given_a_young_small_batch_when_forced_then_it_closes_but_an_empty_one_does_not(tmp_path: Path) -> None:
    oracle, log = make_oracle(tmp_path / "state.db", BatchPolicy(max_records=100, max_age_s=60.0), Clock())
    assert oracle.checkpoint_if_due(force=True) is None
    append(log, 1)
    forced = oracle.checkpoint_if_due(force=True)
    assert forced is not None and forced.tree_size == 1
    assert oracle.checkpoint_if_due(force=True) is None
