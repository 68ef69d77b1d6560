"""Verification of RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs.

Every function raises a ProofShapeError for a proof that cannot be right whatever the hashes (sizes,
indices, lengths), and a RootMismatchError, carrying both roots, for a well-formed proof that leads elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.errors import ProofShapeError, RootMismatchError
from ledger.hasher import HASH_SIZE, hash_children


def _check_hash(name: str, value: bytes) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, bytes) else type(value).__name__
        raise ProofShapeError(f"{name} must be {HASH_SIZE} bytes, got {size}")


def _check_proof(proof: Sequence[bytes]) -> None:
    for position, element in enumerate(proof):
        _check_hash(f"proof element {position}", element)


def root_from_inclusion_proof(
    leaf_hash: bytes, leaf_index: int, tree_size: int, proof: Sequence[bytes]
) -> bytes:
    """The root that `proof` leads to from `leaf_hash` at `leaf_index` in a tree of `tree_size` leaves.

    Preconditions: 0 <= leaf_index < tree_size; every hash is 32 bytes; the proof has exactly the length
    the RFC 9162 path for (leaf_index, tree_size) has.
    """
    if not 0 <= leaf_index < tree_size:
        raise ProofShapeError(f"leaf index {leaf_index} is outside a tree of size {tree_size}")
    _check_hash("leaf hash", leaf_hash)
    _check_proof(proof)
    node_index, last_index = leaf_index, tree_size - 1
    root = leaf_hash
    for element in proof:
        if last_index == 0:
            raise ProofShapeError(f"inclusion proof is longer than a tree of size {tree_size} allows")
        if node_index & 1 or node_index == last_index:
            root = hash_children(element, root)
            # A node that is its level's last and a left child has no sibling: it moves up unchanged.
            while not node_index & 1 and node_index != 0:
                node_index >>= 1
                last_index >>= 1
        else:
            root = hash_children(root, element)
        node_index >>= 1
        last_index >>= 1
    if last_index != 0:
        raise ProofShapeError(f"inclusion proof is shorter than a tree of size {tree_size} needs")
    return root


def verify_inclusion(
    leaf_hash: bytes, leaf_index: int, tree_size: int, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Check that the leaf is at `leaf_index` in the tree of `tree_size` leaves whose root is `root_hash`."""
    _check_hash("root hash", root_hash)
    computed = root_from_inclusion_proof(leaf_hash, leaf_index, tree_size, proof)
    if computed != root_hash:
        raise RootMismatchError(tree_size, root_hash, computed)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of `new_size` leaves with `new_root` extends the one of `old_size` with `old_root`.

    Preconditions: 0 <= old_size <= new_size. Equal sizes need an empty proof and equal roots; an empty
    old tree is a prefix of every tree and needs an empty proof.
    """
    _check_hash("old root", old_root)
    _check_hash("new root", new_root)
    _check_proof(proof)
    if not 0 <= old_size <= new_size:
        raise ProofShapeError(f"sizes must satisfy 0 <= old <= new, got {old_size} and {new_size}")
    if old_size == 0 or old_size == new_size:
        if proof:
            raise ProofShapeError(f"a proof from size {old_size} to {new_size} must be empty")
        if old_size == new_size and old_root != new_root:
            raise RootMismatchError(new_size, old_root, new_root)
        return
    if not proof:
        raise ProofShapeError(f"a proof from size {old_size} to {new_size} cannot be empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # The old tree is a complete subtree of the new one: the proof omits its root.
        path.insert(0, old_root)
    node_index, last_index = old_size - 1, new_size - 1
    while node_index & 1:
        node_index >>= 1
        last_index >>= 1
    old_computed = new_computed = path[0]
    for element in path[1:]:
        if last_index == 0:
            raise ProofShapeError(f"consistency proof is longer than sizes {old_size}..{new_size} allow")
        if node_index & 1 or node_index == last_index:
            old_computed = hash_children(element, old_computed)
            new_computed = hash_children(element, new_computed)
            while not node_index & 1 and node_index != 0:
                node_index >>= 1
                last_index >>= 1
        else:
            new_computed = hash_children(new_computed, element)
        node_index >>= 1
        last_index >>= 1
    if last_index != 0:
        raise ProofShapeError(f"consistency proof is shorter than sizes {old_size}..{new_size} need")
    if old_computed != old_root:
        raise RootMismatchError(old_size, old_root, old_computed)
    if new_computed != new_root:
        raise RootMismatchError(new_size, new_root, new_computed)
