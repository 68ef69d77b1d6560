"""Which subtree hashes an RFC 9162 root or proof is made of, and how to put them together.

A proof element is the hash of a range of leaves, MTH(D[start:end]) (RFC 9162 §2.1.1). In a Merkle tree
such a range starts at a multiple of a power of two and splits, greedily, into complete subtrees; only the
hashes of complete subtrees are ever stored, so every root and proof is planned here as ranges, the ranges
as complete subtrees (`Node`s), and then folded back together from whatever the store returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ledger.errors import TreeSizeError
from ledger.hasher import EMPTY_ROOT, hash_children


@dataclass(frozen=True, order=True)
class Node:
    """The complete subtree of height `height` covering leaves [index * 2**height, (index + 1) * 2**height)."""

    height: int
    index: int


@dataclass(frozen=True)
class LeafRange:
    """Leaves [start, end) of the tree; a proof element is the hash of one such range."""

    start: int
    end: int

    def nodes(self) -> tuple[Node, ...]:
        """The complete subtrees that make up this range, left to right."""
        nodes = []
        start = self.start
        while start < self.end:
            height = (self.end - start).bit_length() - 1
            # Alignment: a subtree of height h starts at a multiple of 2**h.
            while start & ((1 << height) - 1):
                height -= 1
            nodes.append(Node(height, start >> height))
            start += 1 << height
        return tuple(nodes)


def _split(size: int) -> int:
    """The largest power of two strictly smaller than `size` (size > 1): RFC 9162's k."""
    return 1 << ((size - 1).bit_length() - 1)


def inclusion_ranges(leaf_index: int, tree_size: int) -> list[LeafRange]:
    """The ranges whose hashes form PATH(leaf_index, D[0:tree_size]), leaf end first (RFC 9162 §2.1.3.1)."""
    if not 0 <= leaf_index < tree_size:
        raise TreeSizeError(f"leaf index {leaf_index} is outside a tree of size {tree_size}")
    ranges = []
    start, end = 0, tree_size
    while end - start > 1:
        middle = start + _split(end - start)
        if leaf_index < middle:
            ranges.append(LeafRange(middle, end))
            end = middle
        else:
            ranges.append(LeafRange(start, middle))
            start = middle
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[LeafRange]:
    """The ranges whose hashes form PROOF(old_size, D[0:new_size]) (RFC 9162 §2.1.4.1)."""
    if not 0 <= old_size <= new_size:
        raise TreeSizeError(f"sizes must satisfy 0 <= old <= new, got {old_size} and {new_size}")
    if old_size == 0 or old_size == new_size:
        return []
    ranges = []
    start, size, remaining, whole_old_tree = 0, new_size, old_size, True
    while remaining != size:
        split = _split(size)
        if remaining <= split:
            ranges.append(LeafRange(start + split, start + size))
            size = split
        else:
            ranges.append(LeafRange(start, start + split))
            start, size, remaining = start + split, size - split, remaining - split
            whole_old_tree = False
    if not whole_old_tree:
        ranges.append(LeafRange(start, start + size))
    ranges.reverse()
    return ranges


def root_range(tree_size: int) -> list[LeafRange]:
    """The one range whose hash is the root of a tree of `tree_size` leaves (none for the empty tree)."""
    return [LeafRange(0, tree_size)] if tree_size else []


def nodes_of(ranges: Iterable[LeafRange]) -> set[Node]:
    """Every complete subtree that the hashes of `ranges` need."""
    return {node for leaf_range in ranges for node in leaf_range.nodes()}


def range_hash(leaf_range: LeafRange, node_hashes: Mapping[Node, bytes]) -> bytes:
    """MTH(D[start:end]) from the hashes of its complete subtrees: folded right to left, as the tree nests them."""
    nodes = leaf_range.nodes()
    result = node_hashes[nodes[-1]]
    for node in reversed(nodes[:-1]):
        result = hash_children(node_hashes[node], result)
    return result


def hashes_of(ranges: Sequence[LeafRange], node_hashes: Mapping[Node, bytes]) -> list[bytes]:
    return [range_hash(leaf_range, node_hashes) for leaf_range in ranges]


def root_of(tree_size: int, node_hashes: Mapping[Node, bytes]) -> bytes:
    return range_hash(LeafRange(0, tree_size), node_hashes) if tree_size else EMPTY_ROOT
