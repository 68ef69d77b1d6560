"""The proof bundle: everything needed to check one record offline, in one JSON document.

A bundle holds the record as the exact canonical JSON text that was hashed, its leaf index and hash, the
inclusion proof, the tree head it leads to and, when the server holds the checkpoint key, the C2SP signed
note of that tree head. `anchor` stays null until checkpoints are anchored on chain; it is where the chain id,
the contract address and the anchoring transaction go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledger.errors import RequestError
from ledger.log import TreeHead
from webapp.api_json import hash_json, proof_json, tree_head_json
from webapp.parameters import MAX_INDEX, decode_base64, decode_hash

BUNDLE_FORMAT = "carbonledger-proof-bundle/1"


@dataclass(frozen=True)
class ProofBundle:
    entry: bytes
    """The log entry: UTF-8 of the record's canonical JSON."""
    leaf_index: int
    leaf_hash: bytes
    inclusion: tuple[bytes, ...]
    tree_head: TreeHead
    checkpoint: str | None
    hex_twin_mismatches: tuple[str, ...] = ()
    """Read from a document: the `*_hex` fields that state a different hash than their base64 twin."""

    def to_json(self) -> dict[str, Any]:
        return {
            "format": BUNDLE_FORMAT,
            "record": self.entry.decode("utf-8"),
            "leaf_index": self.leaf_index,
            **hash_json("leaf_hash", self.leaf_hash),
            "inclusion": proof_json(self.inclusion),
            "tree_head": tree_head_json(self.tree_head),
            "checkpoint": self.checkpoint,
            "anchor": None,
        }

    @classmethod
    def from_json(cls, document: object) -> ProofBundle:
        """Read a bundle as `to_json` writes it; RequestError names the first field that is wrong.

        Only the shape is checked here; whether the hashes and the proof fit, and whether the hex twins of the
        hashes state the same hashes, is the verifier's business.
        """
        bundle = _object("bundle", document)
        if bundle.get("format") != BUNDLE_FORMAT:
            raise RequestError("format", f"must be {BUNDLE_FORMAT!r}")
        record_text = _string("record", bundle.get("record"))
        try:
            entry = record_text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise RequestError("record", "holds a lone surrogate, which is not Unicode text") from error
        inclusion = bundle.get("inclusion")
        if not isinstance(inclusion, list):
            raise RequestError("inclusion", "must be a list of base64 hashes")
        tree_head = _object("tree_head", bundle.get("tree_head"))
        checkpoint = bundle.get("checkpoint")
        if checkpoint is not None and not isinstance(checkpoint, str):
            raise RequestError("checkpoint", "must be a signed note (text) or null")
        leaf_hash = decode_hash("leaf_hash", _string("leaf_hash", bundle.get("leaf_hash")))
        root_hash = decode_hash("tree_head.root_hash", _string("tree_head.root_hash", tree_head.get("root_hash")))
        return cls(
            entry=entry,
            leaf_index=_index("leaf_index", bundle.get("leaf_index")),
            leaf_hash=leaf_hash,
            inclusion=tuple(decode_base64(f"inclusion[{i}]", element) for i, element in enumerate(inclusion)),
            tree_head=TreeHead(
                origin=_string("tree_head.origin", tree_head.get("origin")),
                tree_size=_index("tree_head.tree_size", tree_head.get("tree_size")),
                root_hash=root_hash,
            ),
            checkpoint=checkpoint,
            hex_twin_mismatches=tuple(
                field
                for field, twin, value in (
                    ("leaf_hash_hex", bundle.get("leaf_hash_hex"), leaf_hash),
                    ("tree_head.root_hash_hex", tree_head.get("root_hash_hex"), root_hash),
                )
                if _string_or_none(field, twin) not in (None, value.hex())
            ),
        )


def _object(field: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RequestError(field, "must be a JSON object")
    return value


def _string(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise RequestError(field, "must be a string")
    return value


def _index(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INDEX:
        raise RequestError(field, f"must be a whole number in 0..{MAX_INDEX}")
    return value


def _string_or_none(field: str, value: object) -> str | None:
    return None if value is None else _string(field, value).lower()
