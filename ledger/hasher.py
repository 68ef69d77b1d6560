"""RFC 9162 §2.1.1 hashing: SHA-256 with domain separation between leaves (0x00) and interior nodes (0x01)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def hash_leaf(leaf: bytes) -> bytes:
    """MTH({d0}) = SHA-256(0x00 || d0)."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


_LEAF_STATE = hashlib.sha256(LEAF_PREFIX)


def hash_leaves(leaves: Iterable[bytes]) -> bytes:
    """hash_leaf of each of `leaves`, end to end: the prefix is hashed once, and no leaf is copied."""
    hashes = []
    for leaf in leaves:
        state = _LEAF_STATE.copy()
        state.update(leaf)
        hashes.append(state.digest())
    return b"".join(hashes)


def hash_children(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def hash_adjacent_children(children: bytes) -> bytes:
    """hash_children(left, right) for the two hashes given side by side, as `left || right` (64 bytes)."""
    return hashlib.sha256(NODE_PREFIX + children).digest()
