"""Reconciliation: the database, the log and the chain must tell the same story, or the oracle stops.

Checked on every oracle start and by `carbonledger audit`:
- the ledger contract still exists at its address (else the chain was reset);
- the chain's latest head for the log is a checkpoint this database made (else someone anchored a head
  the database does not know, or the database is behind);
- no checkpoint the database recorded as anchored lies beyond the chain's head (else the chain was reset or
  reorganised below our anchors);
- every anchored checkpoint's root equals the root on chain and the log's root at that size;
- with `full`, every entry is a record whose 3D code serial is its position, and the log's root recomputed
  from all its entries equals the stored head.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ledger.code import ThreeDCode
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from oracle.anvil import ChainError
from oracle.eip712 import log_id
from oracle.pipeline_store import CheckpointState, PipelineStore

_READ_SLICE = 50_000


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
    records_checked: int = 0
    problems: list[str] = field(default_factory=list)


def audit(log: MerkleLog, store: PipelineStore, w3: Any, ledger: Any, full: bool = False) -> AuditReport:
    """Check the three agree; raise ReconciliationError (or ChainResetError) at the first disagreement."""
    if not bytes(w3.eth.get_code(ledger.address)):
        raise ChainResetError(f"no contract at {ledger.address}: the chain was reset; redeploy or restore it")
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
        raise ChainResetError(
            f"checkpoints at sizes {beyond} are recorded as anchored but the chain's head is at {chain_size}"
        )
    local_size = log.tree_head().tree_size
    for row in anchored:
        if row.tree_size > local_size:
            raise ReconciliationError(f"checkpoint at size {row.tree_size} lies beyond the log's {local_size}")
        on_chain = bytes(ledger.functions.rootAt(identifier, row.tree_size).call())
        local = log.tree_head(row.tree_size).root_hash
        if not on_chain == local == row.root_hash:
            raise ReconciliationError(f"roots at size {row.tree_size} differ: chain, log and database disagree")
    report = AuditReport(log.origin, local_size, chain_size, len(anchored))
    if full:
        report.records_checked = _check_entries(log, local_size)
    return report


def _check_entries(log: MerkleLog, size: int) -> int:
    rebuilt = MerkleLog(MemoryLogStore(), log.origin)
    for start in range(0, size, _READ_SLICE):
        entries = log.entries(start, min(start + _READ_SLICE, size))
        for offset, entry in enumerate(entries):
            serial = ThreeDCode.parse(json.loads(entry)["code"]).serial
            if serial != start + offset + 1:
                raise ReconciliationError(f"entry {start + offset} carries serial {serial}")
        rebuilt.append(entries)
    if rebuilt.tree_head().root_hash != log.tree_head(size).root_hash:
        raise ReconciliationError("the log's root recomputed from its entries differs from the stored head")
    return size
