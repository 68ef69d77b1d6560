"""What the explorer says about anchored checkpoints, as JSON-ready dicts: the API returns them, pages render them.

Each checkpoint comes with its anchoring transaction and the consistency proof, computed from the log, that
its tree extends the previous anchored one (the proof the contract checked when it accepted the checkpoint).
"""

from __future__ import annotations

from typing import Any

from ledger.errors import EntryNotFoundError
from ledger.log import MerkleLog
from oracle.bundle import AnchoredCheckpoint
from webapp.api_json import proof_json


def checkpoint_view(log: MerkleLog, checkpoints: list[AnchoredCheckpoint], position: int) -> dict[str, Any]:
    """The checkpoint at `position` (oldest first) with the consistency proof from the one before it."""
    checkpoint = checkpoints[position]
    previous_size = checkpoints[position - 1].tree_head.tree_size if position else 0
    tree_size = checkpoint.tree_head.tree_size
    proof = log.consistency_proof(previous_size, tree_size) if previous_size else []
    return {
        **checkpoint.to_json(),
        "consistency": {"first": previous_size, "second": tree_size, "consistency": proof_json(proof)},
    }


def checkpoint_listing(
    log: MerkleLog, checkpoints: list[AnchoredCheckpoint], before: int | None, limit: int
) -> dict[str, Any]:
    """Up to `limit` checkpoints, newest first, of tree sizes below `before` (all when None)."""
    positions = [
        position
        for position in range(len(checkpoints) - 1, -1, -1)
        if before is None or checkpoints[position].tree_head.tree_size < before
    ]
    shown = positions[:limit]
    more = len(positions) > limit
    return {
        "checkpoints": [checkpoint_view(log, checkpoints, position) for position in shown],
        "next_before": checkpoints[shown[-1]].tree_head.tree_size if more else None,
    }


def checkpoint_at(log: MerkleLog, checkpoints: list[AnchoredCheckpoint], tree_size: int) -> dict[str, Any]:
    for position, checkpoint in enumerate(checkpoints):
        if checkpoint.tree_head.tree_size == tree_size:
            return checkpoint_view(log, checkpoints, position)
    raise EntryNotFoundError(f"no checkpoint of this log is anchored at tree size {tree_size}")


def checkpoint_of_transaction(checkpoints: list[AnchoredCheckpoint], tx_hash: bytes) -> AnchoredCheckpoint:
    for checkpoint in checkpoints:
        if checkpoint.anchor.tx_hash == tx_hash:
            return checkpoint
    raise EntryNotFoundError(f"no anchored checkpoint of this log was anchored by transaction 0x{tx_hash.hex()}")
