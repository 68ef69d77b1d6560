"""The fast log agrees with the naive RFC 9162 reference: roots, inclusion and consistency proofs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.hasher import hash_leaf
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from ledger.tiles import TILE_WIDTH
from ledger.verify import verify_consistency, verify_inclusion
from tests.ledger.reference_merkle import mth, path, proof

DATA = Path(__file__).parent.parent / "data" / "log"


def leaves_of(size: int) -> list[bytes]:
    return [b"leaf-%d" % i for i in range(size)]


def log_with(leaves: list[bytes], batch_sizes: list[int] | None = None) -> MerkleLog:
    log = MerkleLog(MemoryLogStore(), "test/log")
    start = 0
    for batch in batch_sizes or [len(leaves)]:
        log.append(leaves[start : start + batch])
        start += batch
    log.append(leaves[start:])
    return log


def test_given_the_rfc6962_test_tree_when_appended_leaf_by_leaf_then_every_root_matches_the_known_answer() -> None:
    vectors = json.loads((DATA / "rfc6962_test_tree.json").read_text())
    leaves = [bytes.fromhex(leaf) for leaf in vectors["leaves_hex"]]
    log = MerkleLog(MemoryLogStore(), "rfc6962")
    assert log.tree_head().root_hash.hex() == vectors["roots_hex"][0]
    for size, leaf in enumerate(leaves, start=1):
        assert log.append([leaf]).root_hash.hex() == vectors["roots_hex"][size]
    for size in range(9):
        assert log.tree_head(size).root_hash.hex() == vectors["roots_hex"][size]


@pytest.mark.parametrize("tree_size", range(1, 65))
def test_given_every_tree_size_up_to_64_when_proving_every_index_and_size_then_proofs_equal_the_reference(
    tree_size: int,
) -> None:
    leaves = leaves_of(tree_size)
    log = log_with(leaves, [tree_size // 3, 1])
    assert log.tree_head().root_hash == mth(leaves)
    for leaf_index in range(tree_size):
        assert log.inclusion_proof(leaf_index, tree_size) == path(leaf_index, leaves)
    for old_size in range(tree_size + 1):
        assert log.tree_head(old_size).root_hash == mth(leaves[:old_size])
        assert log.consistency_proof(old_size, tree_size) == proof(old_size, leaves)


def test_given_sizes_around_tile_boundaries_when_proving_then_proofs_verify_against_reference_roots() -> None:
    leaves = leaves_of(3 * TILE_WIDTH + 5)
    log = log_with(leaves, [TILE_WIDTH - 1, 2, TILE_WIDTH, 7])
    for tree_size in (TILE_WIDTH - 1, TILE_WIDTH, TILE_WIDTH + 1, 2 * TILE_WIDTH, len(leaves)):
        root = mth(leaves[:tree_size])
        assert log.tree_head(tree_size).root_hash == root
        for leaf_index in (0, tree_size // 2, tree_size - 1):
            assert log.inclusion_proof(leaf_index, tree_size) == path(leaf_index, leaves[:tree_size])
        for old_size in (1, TILE_WIDTH // 2, tree_size - 1):
            assert log.consistency_proof(old_size, tree_size) == proof(old_size, leaves[:tree_size])


def test_given_more_than_one_level_of_tiles_when_proving_then_proofs_verify() -> None:
    tree_size = TILE_WIDTH * TILE_WIDTH + 3
    leaves = leaves_of(tree_size)
    log = log_with(leaves, [TILE_WIDTH * TILE_WIDTH - 1])
    root = log.tree_head().root_hash
    for leaf_index in (0, TILE_WIDTH * TILE_WIDTH - 1, tree_size - 1):
        verify_inclusion(hash_leaf(leaves[leaf_index]), leaf_index, tree_size, log.inclusion_proof(leaf_index, tree_size), root)
    for old_size in (1, TILE_WIDTH * TILE_WIDTH, tree_size - 1):
        old_root = log.tree_head(old_size).root_hash
        verify_consistency(old_size, tree_size, old_root, root, log.consistency_proof(old_size, tree_size))


@settings(max_examples=40, deadline=None)
@given(
    batch_sizes=st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=6),
    data=st.data(),
)
def test_given_random_trees_built_in_random_batches_when_proving_then_proofs_equal_the_reference(
    batch_sizes: list[int], data: st.DataObject
) -> None:
    leaves = leaves_of(sum(batch_sizes))
    log = log_with(leaves, batch_sizes)
    tree_size = data.draw(st.integers(min_value=1, max_value=len(leaves)))
    leaf_index = data.draw(st.integers(min_value=0, max_value=tree_size - 1))
    old_size = data.draw(st.integers(min_value=0, max_value=tree_size))
    assert log.tree_head(tree_size).root_hash == mth(leaves[:tree_size])
    assert log.inclusion_proof(leaf_index, tree_size) == path(leaf_index, leaves[:tree_size])
    assert log.consistency_proof(old_size, tree_size) == proof(old_size, leaves[:tree_size])
