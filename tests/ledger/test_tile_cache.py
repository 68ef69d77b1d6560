"""Tile layers and the tile cache: every subtree hash of a tile, and proofs from kept layers equal to the reference."""

from __future__ import annotations

import hashlib
import random

import pytest

from ledger.errors import ConcurrentAppendError
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from ledger.tile_cache import DEFAULT_CAPACITY, TileCache
from ledger.tile_layers import TileLayers
from ledger.tiles import TILE_HEIGHT, TILE_WIDTH, TileKey
from tests.ledger.counting_store import CountingStore
from tests.ledger.reference_merkle import mth, path, proof


def leaves_of(size: int) -> list[bytes]:
    return [b"leaf-%d" % i for i in range(size)]


def subtree_root(hashes: list[bytes]) -> bytes:
    """The naive root over a power-of-two count of hashes, halving recursively."""
    if len(hashes) == 1:
        return hashes[0]
    half = len(hashes) // 2
    return hashlib.sha256(b"\x01" + subtree_root(hashes[:half]) + subtree_root(hashes[half:])).digest()


@pytest.mark.parametrize("width", [1, 2, 3, 5, 64, 66, 127, 200, 255, 256])
def test_given_a_tile_of_any_width_when_asking_for_each_subtree_then_its_hash_is_the_naive_root(width: int) -> None:
    generator = random.Random(width)
    hashes = [generator.randbytes(32) for _ in range(width)]
    layers = TileLayers.of(b"".join(hashes))
    assert layers.width == width
    for height in range(TILE_HEIGHT + 1):
        count = 1 << height
        for index in range(width // count):
            assert layers.subtree_hash(height, index) == subtree_root(hashes[index * count : (index + 1) * count])
        with pytest.raises(KeyError):
            layers.subtree_hash(height, width // count)


@pytest.mark.parametrize("cached_tiles", [0, 1, 3, DEFAULT_CAPACITY])
def test_given_a_reader_while_a_writer_grows_the_log_past_tile_ends_when_proving_then_proofs_equal_the_reference(
    cached_tiles: int,
) -> None:
    store = MemoryLogStore()
    leaves = leaves_of(3 * TILE_WIDTH + 40)
    writer = MerkleLog(store, "grow")
    reader = MerkleLog(store, "grow", cached_tiles=cached_tiles)
    size = 0
    for batch in (1, 4, 250, 1, 2, 255, 30, 200, 25, 40):
        writer.append(leaves[size : size + batch])
        size += batch
        for tree_size in sorted({1, size // 2, size - 1, size} - {0}):
            tree = leaves[:tree_size]
            assert reader.tree_head(tree_size).root_hash == mth(tree)
            for leaf_index in sorted({0, tree_size // 3, tree_size - 1}):
                assert reader.inclusion_proof(leaf_index, tree_size) == path(leaf_index, tree)
            assert reader.consistency_proof(tree_size // 2, size) == proof(tree_size // 2, leaves[:size])
    assert size == len(leaves)
    assert len(reader._tiles) <= cached_tiles  # noqa: SLF001 - the bound is what this test is about


def test_given_a_proof_just_made_when_making_it_again_then_no_tile_is_read() -> None:
    store = CountingStore()
    leaves = leaves_of(5 * TILE_WIDTH + 7)
    log = MerkleLog(store, "warm")
    log.append(leaves)
    first = log.inclusion_proof(300, len(leaves))
    assert store.tile_reads
    store.tile_reads.clear()
    assert log.inclusion_proof(300, len(leaves)) == first == path(300, leaves)
    assert log.inclusion_proof(301, len(leaves)) == path(301, leaves)
    assert store.tile_reads == []


def test_given_a_kept_partial_tile_when_a_wider_one_is_needed_then_only_that_tile_is_read_again() -> None:
    store = CountingStore()
    leaves = leaves_of(TILE_WIDTH + 10)
    writer, reader = MerkleLog(store, "wider"), MerkleLog(store, "wider")
    writer.append(leaves[: TILE_WIDTH + 3])
    assert reader.inclusion_proof(TILE_WIDTH, TILE_WIDTH + 3) == path(TILE_WIDTH, leaves[: TILE_WIDTH + 3])
    writer.append(leaves[TILE_WIDTH + 3 :])
    store.tile_reads.clear()
    assert reader.inclusion_proof(TILE_WIDTH, len(leaves)) == path(TILE_WIDTH, leaves)
    assert store.tile_reads == [{TileKey(0, 1)}]


def test_given_an_append_whose_commit_fails_when_another_writer_appends_other_entries_then_proofs_follow_the_stored_ones(
) -> None:
    store = CountingStore()
    log = MerkleLog(store, "failed")
    log.append(leaves_of(TILE_WIDTH - 2))
    store.fail_next_commit = True
    with pytest.raises(ConcurrentAppendError):
        log.append([b"never stored %d" % i for i in range(4)])
    stored = leaves_of(TILE_WIDTH + 2)
    MerkleLog(store, "failed").append(stored[TILE_WIDTH - 2 :])
    for leaf_index in (0, TILE_WIDTH - 1, TILE_WIDTH + 1):
        assert log.inclusion_proof(leaf_index, len(stored)) == path(leaf_index, stored)
    assert log.tree_head().root_hash == mth(stored)


def test_given_a_full_cache_when_reading_another_tile_then_the_least_recently_used_is_dropped() -> None:
    tiles = {TileKey(0, index): bytes([index]) * 32 * TILE_WIDTH for index in range(4)}
    reads: list[list[TileKey]] = []

    def read_tiles(keys: object) -> dict[TileKey, bytes]:
        wanted = list(keys)  # type: ignore[call-overload]
        reads.append(wanted)
        return {key: tiles[key] for key in wanted}

    cache = TileCache(capacity=2)
    first, second, third = TileKey(0, 0), TileKey(0, 1), TileKey(0, 2)
    cache.read({first: TILE_WIDTH, second: TILE_WIDTH}, read_tiles)
    cache.read({first: 1}, read_tiles)
    cache.read({third: TILE_WIDTH}, read_tiles)
    assert len(cache) == 2
    reads.clear()
    assert cache.read({first: TILE_WIDTH, third: 5}, read_tiles)[first] == TileLayers.of(tiles[first])
    assert reads == []
    cache.read({second: TILE_WIDTH}, read_tiles)
    assert reads == [[second]]


def test_given_a_negative_capacity_then_the_cache_refuses_it() -> None:
    with pytest.raises(ValueError):
        TileCache(capacity=-1)
