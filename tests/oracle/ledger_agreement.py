"""What a crash or a chain fault must leave behind, checked directly against the chain, the log and the database.

Independent of `carbonledger audit` (which the tests also run): no record lost or duplicated, every checkpoint
anchored exactly once, the chain's head the log's head, each account's postings exactly its records' totals.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from ledger.code import ThreeDCode
from oracle.chain_ids import account_id
from oracle.eip712 import log_id
from oracle.pipeline_store import CheckpointState, TxState
from tests.oracle.cli_ledger import ACCOUNTS, ORIGIN, YEAR, CliLedger


def assert_oracle_recovers(ledger: CliLedger, record_count: int) -> None:
    """`carbonledger anchor` finishes the work, `carbonledger audit` finds all in agreement, and so do we."""
    ledger.succeed("anchor")
    ledger.succeed("audit")
    assert_ledger_agrees(ledger, record_count)


def assert_ledger_agrees(ledger: CliLedger, record_count: int) -> None:
    log, store = ledger.log(), ledger.store()
    ledger_contract, accounts = ledger.contract("CarbonLedger"), ledger.contract("CarbonAccounts")
    from_block = ledger.deployment().block_number
    identifier = log_id(ORIGIN)

    head = log.tree_head()
    records = [json.loads(entry) for entry in log.entries(0, head.tree_size)]
    assert head.tree_size == record_count, "records lost or added"
    codes = [record["code"] for record in records]
    assert len(set(codes)) == len(codes), "a record was appended twice"
    assert [ThreeDCode.parse(code).serial for code in codes] == list(range(1, len(codes) + 1))

    chain_size, chain_root, _ = ledger_contract.functions.latestHead(identifier).call()
    assert (chain_size, bytes(chain_root)) == (head.tree_size, head.root_hash), "the chain's head is not the log's"

    checkpoints = store.checkpoints(ORIGIN)
    assert {row.state for row in checkpoints} == {CheckpointState.ANCHORED}
    anchored = [event["args"]["treeSize"] for event in ledger_contract.events.CheckpointAnchored.get_logs(
        argument_filters={"logId": identifier}, from_block=from_block)]
    assert sorted(anchored) == sorted({row.tree_size for row in checkpoints}), "a checkpoint anchored twice or never"

    expected: Counter[tuple[bytes, int, int, int]] = Counter()
    previous_size = 0
    for row in checkpoints:
        totals: defaultdict[str, int] = defaultdict(int)
        for record in records[previous_size:row.tree_size]:
            totals[record["account"]] += record["co2e_g"]
        expected.update((account_id(account), YEAR, co2e_g, row.tree_size) for account, co2e_g in totals.items())
        previous_size = row.tree_size
    posted = Counter(
        (bytes(event["args"]["accountId"]), event["args"]["year"], event["args"]["co2eG"], event["args"]["treeSize"])
        for event in accounts.events.EmissionsPosted.get_logs(from_block=from_block)
        if bytes(event["args"]["logId"]) == identifier
    )
    assert posted == expected, "postings lost or posted twice"
    assert [state for _, state in store.postings_with_states(ORIGIN)] == [TxState.CONFIRMED] * sum(posted.values())

    for account in ACCOUNTS:
        emitted_g = sum(record["co2e_g"] for record in records if record["account"] == account)
        assert accounts.functions.balance(account_id(account), YEAR).call() == -emitted_g
