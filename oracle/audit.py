"""Reconciliation: the database, the log and the chain must tell the same story, or the oracle stops.

Checked on every oracle start and by `carbonledger audit`:
- the ledger contract still exists at its address and the chain is the one this database anchored on (same
  chain id and block 1); else the chain was reset (ChainResetError);
- the chain's latest head for the log is a checkpoint this database made (else someone anchored a head the
  database does not know, or the database is behind);
- no checkpoint the database recorded as anchored lies beyond the chain's head (else a reorg removed it:
  `carbonledger anchor` anchors it again);
- every anchored checkpoint's root equals the root on chain and the log's root at that size;
- with `full`, every entry is a record whose 3D code serial is its position and the log's root recomputed
  from all its entries equals the stored head; every checkpoint's planned postings equal the totals of its
  records; every CheckpointAnchored event of the log is a checkpoint of
  this database, once; and, given the accounts contract, every EmissionsPosted event of the log is a planned
  posting, once, and every posting recorded as confirmed is on chain.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ledger.code import ThreeDCode
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from oracle.account_totals import counts_toward_account
from oracle.anvil import ChainError
from oracle.chain_ids import account_id
from oracle.eip712 import log_id
from oracle.pipeline_store import ChainIdentity, CheckpointRow, CheckpointState, PipelineStore, TxState

_READ_SLICE = 50_000
# Event logs are read in ranges of this many blocks, which public nodes accept.
_LOG_RANGE_BLOCKS = 10_000


class ReconciliationError(ChainError):
    """The database, the log and the chain disagree; the oracle must not carry on."""


class ChainResetError(ReconciliationError):
    """The chain no longer holds what this database recorded as anchored."""


@dataclass
class AuditReport:
    origin: str
    tree_size: int
    chain_tree_size: int
    anchored_checkpoints: int
    checkpoints_in_progress: int = 0
    records_checked: int = 0
    anchor_events_checked: int = 0
    postings_checked: int = 0


def check_chain(store: PipelineStore, w3: Any, ledger: Any, remember: bool = False) -> None:
    """Raise ChainResetError unless the chain holds the ledger and is the one the database anchored on.

    With `remember`, a database that has not met a chain yet records this one.
    """
    if not bytes(w3.eth.get_code(ledger.address)):
        raise ChainResetError(f"no contract at {ledger.address}: the chain was reset; redeploy or restore it")
    # A chain holding a contract has mined block 1.
    current = ChainIdentity(int(w3.eth.chain_id), bytes(w3.eth.get_block(1)["hash"]))
    recorded = store.chain_identity()
    if recorded is None and remember:
        store.remember_chain(current)
    elif recorded is not None and recorded != current:
        raise ChainResetError(
            f"the chain (id {current.chain_id}, block 1 {current.block_one_hash.hex()}) is not the one this "
            f"database anchored on (id {recorded.chain_id}, block 1 {recorded.block_one_hash.hex()}): the chain was "
            "reset or replaced; restore its state, or start a new ledger database"
        )


def audit(
    log: MerkleLog,
    store: PipelineStore,
    w3: Any,
    ledger: Any,
    full: bool = False,
    accounts: Any = None,
    from_block: int = 0,
) -> AuditReport:
    """Check the three agree; raise ReconciliationError (or ChainResetError) at the first disagreement.

    `accounts` (the CarbonAccounts contract) adds the postings to a full audit; `from_block` is where event
    scans start (the deployment's block).
    """
    check_chain(store, w3, ledger)
    identifier = log_id(log.origin)
    chain_size, chain_root, _ = ledger.functions.latestHead(identifier).call()
    known = {row.tree_size: row for row in store.checkpoints(log.origin)}
    anchored = [row for row in known.values() if row.state is CheckpointState.ANCHORED]
    if chain_size and (chain_size not in known or known[chain_size].root_hash != bytes(chain_root)):
        raise ReconciliationError(
            f"the chain's head of {log.origin} (size {chain_size}) is not a checkpoint this database made"
        )
    beyond = [row.tree_size for row in anchored if row.tree_size > chain_size]
    if beyond:
        raise ReconciliationError(
            f"checkpoints at sizes {beyond} are recorded as anchored but the chain's head is at {chain_size}: "
            "a reorganisation removed them; `carbonledger anchor` anchors them again"
        )
    local_size = log.tree_head().tree_size
    for row in anchored:
        if row.tree_size > local_size:
            raise ReconciliationError(f"checkpoint at size {row.tree_size} lies beyond the log's {local_size}")
        on_chain = bytes(ledger.functions.rootAt(identifier, row.tree_size).call())
        local = log.tree_head(row.tree_size).root_hash
        if not on_chain == local == row.root_hash:
            raise ReconciliationError(f"roots at size {row.tree_size} differ: chain, log and database disagree")
    report = AuditReport(log.origin, local_size, chain_size, len(anchored), len(known) - len(anchored))
    if full:
        report.records_checked = _check_entries(log, local_size, _posting_ranges(store, log.origin, known))
        report.anchor_events_checked = _check_anchor_events(ledger, identifier, known, from_block, w3)
        if accounts is not None:
            report.postings_checked = _check_postings(store, log.origin, accounts, identifier, from_block, w3)
    return report


def _posting_ranges(
    store: PipelineStore, origin: str, known: dict[int, CheckpointRow]
) -> dict[tuple[int, int], dict[tuple[str, int], int]]:
    """The planned postings by the entry range they total, [the checkpoint before, the checkpoint): as planned."""
    planned: dict[int, dict[tuple[str, int], int]] = {}
    for posting, _ in store.postings_with_states(origin):
        planned.setdefault(posting.tree_size, {})[(posting.account, posting.year)] = posting.co2e_g
    return {
        (max((size for size in known if size < tree_size), default=0), tree_size): totals
        for tree_size, totals in planned.items()
    }


def _check_entries(log: MerkleLog, size: int, posting_ranges: dict[tuple[int, int], dict[tuple[str, int], int]]) -> int:
    """Every entry is a record at its serial, the root recomputes, and each checkpoint's planned postings are
    the totals of its records (so the totals an import stored per batch are checked against the records)."""
    rebuilt = MerkleLog(MemoryLogStore(), log.origin)
    ranges = sorted(posting_ranges)  # disjoint: each from the checkpoint before to its own
    firsts = [first for first, _ in ranges]
    totals: dict[tuple[int, int], defaultdict[tuple[str, int], int]] = {key: defaultdict(int) for key in ranges}
    for start in range(0, size, _READ_SLICE):
        entries = log.entries(start, min(start + _READ_SLICE, size))
        for offset, entry in enumerate(entries):
            record = json.loads(entry)
            index = start + offset
            serial = ThreeDCode.parse(record["code"]).serial
            if serial != index + 1:
                raise ReconciliationError(f"entry {index} carries serial {serial}")
            position = bisect_right(firsts, index) - 1
            if position >= 0 and index < ranges[position][1] and counts_toward_account(record):
                account_year = (record["account"], int(record["period"][:4]))
                totals[ranges[position]][account_year] += record["co2e_g"]
        rebuilt.append(entries)
    if rebuilt.tree_head().root_hash != log.tree_head(size).root_hash:
        raise ReconciliationError("the log's root recomputed from its entries differs from the stored head")
    for (first, end), planned in sorted(posting_ranges.items()):
        if end <= size and planned != dict(totals[(first, end)]):
            differing = sorted(set(planned) ^ set(totals[(first, end)])
                               | {key for key in planned if planned[key] != totals[(first, end)].get(key)})
            raise ReconciliationError(
                f"postings planned for entries [{first}, {end}) differ from their records' totals for "
                f"{', '.join(f'{account} {year}' for account, year in differing)}"
            )
    return size


def _check_anchor_events(
    ledger: Any, identifier: bytes, known: dict[int, CheckpointRow], from_block: int, w3: Any
) -> int:
    """Every head anchored for the log is a checkpoint of this database, anchored once; the anchored ones all are."""
    sizes = Counter[int]()
    for event in _events(ledger.events.CheckpointAnchored, {"logId": identifier}, from_block, w3):
        size, root = event["args"]["treeSize"], bytes(event["args"]["rootHash"])
        if size not in known or known[size].root_hash != root:
            raise ReconciliationError(f"the chain anchored size {size} with a root this database never made")
        sizes[size] += 1
    twice = sorted(size for size, count in sizes.items() if count > 1)
    if twice:
        raise ReconciliationError(f"checkpoints at sizes {twice} were anchored more than once")
    missing = sorted(size for size, row in known.items() if row.state is CheckpointState.ANCHORED and size not in sizes)
    if missing:
        raise ReconciliationError(f"checkpoints at sizes {missing} are recorded as anchored but no event shows it")
    return sum(sizes.values())


def _check_postings(
    store: PipelineStore, origin: str, accounts: Any, identifier: bytes, from_block: int, w3: Any
) -> int:
    """The log's postings on chain are the planned ones, each at most once; the confirmed ones all there."""
    planned = {
        (account_id(posting.account), posting.year, posting.tree_size): (posting, state)
        for posting, state in store.postings_with_states(origin)
    }
    posted = Counter[tuple[bytes, int, int]]()
    for event in _events(accounts.events.EmissionsPosted, None, from_block, w3):
        arguments = event["args"]
        if bytes(arguments["logId"]) != identifier:
            continue
        key = (bytes(arguments["accountId"]), arguments["year"], arguments["treeSize"])
        if key not in planned or planned[key][0].co2e_g != arguments["co2eG"] or arguments["corrects"]:
            raise ReconciliationError(
                f"posting {event['args']['postingId']} on chain (tree size {key[2]}, year {key[1]}) "
                "is not one this database planned"
            )
        posted[key] += 1
    twice = sorted(planned[key][0].tx_subject for key, count in posted.items() if count > 1)
    if twice:
        raise ReconciliationError(f"postings posted more than once: {', '.join(twice)}")
    missing = sorted(posting.tx_subject for key, (posting, state) in planned.items()
                     if state is TxState.CONFIRMED and key not in posted)
    if missing:
        raise ReconciliationError(f"postings recorded as confirmed are not on chain: {', '.join(missing)}")
    return sum(posted.values())


def _events(event: Any, argument_filters: dict[str, Any] | None, from_block: int, w3: Any) -> Iterator[Any]:
    head = int(w3.eth.block_number)
    for start in range(from_block, head + 1, _LOG_RANGE_BLOCKS):
        yield from event.get_logs(argument_filters=argument_filters, from_block=start,
                                  to_block=min(start + _LOG_RANGE_BLOCKS - 1, head))
