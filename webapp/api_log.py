"""/api/v1/log: the RFC 9162 log interface — tree heads, consistency and inclusion proofs, entries, checkpoint."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint

from ledger.errors import EntryNotFoundError, RequestError
from ledger.hasher import hash_leaf
from oracle.checkpoint import Checkpoint
from webapp.api_json import hash_json, proof_json, tree_head_json
from webapp.ledger_access import checkpoint_signer, current_log
from webapp.parameters import hash_parameter, int_parameter, optional_int_parameter

MAX_ENTRIES_PER_REQUEST = 1000

blueprint = Blueprint("api_log", __name__, url_prefix="/api/v1/log")


@blueprint.get("/tree-head")
def tree_head() -> dict[str, Any]:
    """The latest tree head, or the one at `tree_size`."""
    return tree_head_json(current_log().tree_head(optional_int_parameter("tree_size")))


@blueprint.get("/consistency")
def consistency() -> dict[str, Any]:
    """The proof that the tree of `second` entries extends the tree of `first` entries."""
    first, second = int_parameter("first"), int_parameter("second")
    if first > second:
        raise RequestError("first", f"{first} is larger than second ({second})")
    proof_hashes = current_log().consistency_proof(first, second)
    return {"first": first, "second": second, "consistency": proof_json(proof_hashes)}


@blueprint.get("/proof-by-hash")
def proof_by_hash() -> dict[str, Any]:
    """The index of the leaf with hash `hash` and its inclusion proof in the tree of `tree_size` entries."""
    leaf_hash = hash_parameter("hash")
    tree_size = int_parameter("tree_size", minimum=1)
    leaf_index, proof = current_log().inclusion_proof_by_hash(leaf_hash, tree_size)
    return {"leaf_index": leaf_index, "tree_size": tree_size, "inclusion": proof_json(proof)}


@blueprint.get("/proof")
def proof() -> dict[str, Any]:
    """The inclusion proof of the leaf at `leaf_index` in the tree of `tree_size` entries."""
    leaf_index = int_parameter("leaf_index")
    tree_size = int_parameter("tree_size", minimum=1)
    if leaf_index >= tree_size:
        raise RequestError("leaf_index", f"{leaf_index} is not below tree_size ({tree_size})")
    proof_hashes = current_log().inclusion_proof(leaf_index, tree_size)
    return {"leaf_index": leaf_index, "tree_size": tree_size, "inclusion": proof_json(proof_hashes)}


@blueprint.get("/entries")
def entries() -> dict[str, Any]:
    """Entries `start` to `end`, both included as in RFC 9162 get-entries; at most MAX_ENTRIES_PER_REQUEST."""
    start, end = int_parameter("start"), int_parameter("end")
    if end < start:
        raise RequestError("end", f"{end} is before start ({start})")
    if end - start + 1 > MAX_ENTRIES_PER_REQUEST:
        last = start + MAX_ENTRIES_PER_REQUEST - 1
        raise RequestError("end", f"at most {MAX_ENTRIES_PER_REQUEST} entries per request: end may be {last} at most")
    log = current_log()
    tree_size = log.tree_head().tree_size
    if end >= tree_size:
        raise RequestError("end", f"{end} is beyond the log's last entry; the log holds {tree_size} entries")
    log_entries = log.entries(start, end + 1)
    return {
        "entries": [
            {"leaf_index": start + offset, **hash_json("leaf_hash", hash_leaf(entry)), "entry": json.loads(entry)}
            for offset, entry in enumerate(log_entries)
        ]
    }


@blueprint.get("/checkpoint")
def checkpoint() -> dict[str, Any]:
    """The latest tree head as a C2SP signed note, with the key that verifies it."""
    signer = checkpoint_signer()
    if signer is None:
        raise EntryNotFoundError("this server holds no checkpoint key, so it serves no signed checkpoint")
    head = current_log().tree_head()
    return {
        "checkpoint": Checkpoint.of(head).signed([signer]),
        "verifier_key": signer.verifier.key_string(),
        "tree_head": tree_head_json(head),
    }
