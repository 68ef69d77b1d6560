"""The anchoring pipeline on a real chain: checkpoints anchored, totals posted, nothing twice, audits agree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore, create_store_engine
from ledger.record import Record
from oracle.audit import ReconciliationError, audit
from oracle.chain import RevertDecoder, TransactionSender
from oracle.chain_ids import account_id
from oracle.account_totals import account_totals
from oracle.demo import load_demo_records
from oracle.demo_world import enterprises
from oracle.eip712 import SigningDomain
from oracle.note import NoteSigner
from oracle.pipeline import BatchPolicy, Oracle, OracleContracts
from oracle.pipeline_store import CheckpointState, PipelineStore, TxState
from tests.oracle.chain_fixture import ChainWorld, chain_world

ORIGIN = "carbonledger.test/pipeline"
DEMO_ACCOUNTS = [enterprise.account for enterprise in enterprises()]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChainWorld]:
    yield from chain_world(tmp_path_factory.mktemp("chain"), ORIGIN, DEMO_ACCOUNTS)


def make_oracle(world: ChainWorld, database: Path) -> tuple[Oracle, MerkleLog, PipelineStore]:
    url = f"sqlite:///{database}"
    log = MerkleLog(SqlLogStore.from_url(url), ORIGIN)
    store = PipelineStore(create_store_engine(url))
    decoder = RevertDecoder(list(world.abis.values()))
    sender = TransactionSender(world.w3, world.oracle, store, decoder)
    ledger = world.contract("CarbonLedger")
    contracts = OracleContracts(ledger, world.contract("CarbonAccounts"),
                                SigningDomain(world.w3.eth.chain_id, ledger.address))
    note_signer = NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
    return Oracle(log, store, sender, contracts, world.oracle, note_signer, BatchPolicy(max_records=5)), log, store


def test_given_demo_records_when_the_oracle_runs_then_the_head_is_anchored_and_totals_posted_once(
    world: ChainWorld, tmp_path: Path
) -> None:
    oracle, log, store = make_oracle(world, tmp_path / "ledger.db")
    head = load_demo_records(log, tmp_path)
    rows = oracle.run_once()
    assert [(row.tree_size, row.state) for row in rows] == [(head.tree_size, CheckpointState.ANCHORED)]
    ledger, carbon_accounts = world.contract("CarbonLedger"), world.contract("CarbonAccounts")
    assert bytes(ledger.functions.rootAt(oracle.log_id, head.tree_size).call()) == head.root_hash
    records = [Record.from_canonical_bytes(entry) for entry in log.entries(0, head.tree_size)]
    counted = account_totals(record.to_json_object() for record in records)
    assert sum(counted.values()) < sum(record.co2e_g for record in records)
    for account in DEMO_ACCOUNTS:
        assert carbon_accounts.functions.balance(account_id(account), 2025).call() == -counted[(account, 2025)]
    postings = store.postings(ORIGIN)
    assert {posting.account for posting in postings} == set(DEMO_ACCOUNTS)
    assert all(store.transaction(posting.tx_subject).state is TxState.CONFIRMED for posting in postings)
    posting_count = carbon_accounts.functions.postingCount().call()
    oracle.run_once(force=True)
    assert carbon_accounts.functions.postingCount().call() == posting_count
    report = audit(log, store, world.w3, ledger, full=True)
    assert (report.tree_size, report.chain_tree_size, report.records_checked) == (head.tree_size, head.tree_size, head.tree_size)


def test_given_a_chain_head_this_database_never_made_when_audited_then_the_oracle_stops(
    world: ChainWorld, tmp_path: Path
) -> None:
    oracle, log, store = make_oracle(world, tmp_path / "other.db")
    load_demo_records(log, tmp_path)
    with pytest.raises(ReconciliationError, match="not a checkpoint this database made"):
        audit(log, store, world.w3, world.contract("CarbonLedger"))
