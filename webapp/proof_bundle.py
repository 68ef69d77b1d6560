"""The proof bundle of a record, as this explorer serves it (the bundle itself is oracle/bundle.py's).

The proof leads to the latest anchored checkpoint when that covers the record, so the bundle carries the
checkpoint, both its signatures and its anchor; a record newer than that is proved to the log's latest tree
head, without checkpoint or anchor, and fails verification against the chain until it is anchored.
"""

from __future__ import annotations

from oracle.bundle import ProofBundle, build_bundle
from webapp.checkpoints_access import anchored
from webapp.ledger_access import current_log
from webapp.record_lookup import record_by_code


def record_bundle(code_text: str) -> ProofBundle:
    log = current_log()
    _, logged = record_by_code(log, code_text, log.tree_head().tree_size)
    checkpoints = anchored()
    return build_bundle(log, logged.leaf_index, checkpoints[-1] if checkpoints else None)
