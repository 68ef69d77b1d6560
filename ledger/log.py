"""The append-only RFC 9162 Merkle log: append entries, answer tree heads, proofs and entries by range.

The log keeps its subtree hashes in tiles (ledger/tiles.py) behind a `LogStore` port, so every root and proof
reads O(log n) stored hashes and an append rewrites only the rightmost tile of each level. What it answers is
what an RFC 9162 log's API answers: the tree head at any size, an inclusion proof by leaf index or leaf hash,
a consistency proof between two sizes, and entries by range.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ledger.errors import ConcurrentAppendError, DuplicateEntryError, EntryNotFoundError, TreeSizeError
from ledger.bundles import BUNDLE_WIDTH, entries_in, extend_bundles, partial_bundle_index
from ledger.hasher import HASH_SIZE, hash_leaf
from ledger.prove import (
    LeafRange,
    Node,
    consistency_ranges,
    hashes_of,
    inclusion_ranges,
    nodes_of,
    root_of,
    root_range,
)
from ledger.tile_cache import DEFAULT_CAPACITY, TileCache
from ledger.tiles import TileKey, extend_tiles, layers_reader, node_hashes, partial_tile_keys

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TreeHead:
    """The root of the log's first `tree_size` entries."""

    origin: str
    tree_size: int
    root_hash: bytes


@dataclass(frozen=True)
class LogState:
    """What a store keeps about one log: its handle, size and current root."""

    log_id: int
    tree_size: int
    root_hash: bytes


@dataclass(frozen=True)
class AppendBatch:
    """Everything one append writes: new and grown tiles and bundles, and the lookups for the new leaves."""

    old_size: int
    new_state: LogState
    tiles_created: Mapping[TileKey, bytes]
    tiles_updated: Mapping[TileKey, bytes]
    bundles_created: Mapping[int, bytes]
    bundles_updated: Mapping[int, bytes]
    leaf_prefixes: Sequence[tuple[int, int]]
    """(leaf_hash_prefix, leaf_index) for every new leaf."""
    keys: Sequence[tuple[str, int]]
    """(key, leaf_index) for every new entry that has a key."""


def leaf_hash_prefix(leaf_hash: bytes) -> int:
    """The first 8 bytes of a leaf hash as a signed 64-bit integer: a compact, well-spread lookup key."""
    return int.from_bytes(leaf_hash[:8], "big", signed=True)


class LogStore(Protocol):
    """The port a log's storage implements. Appends are atomic: all of a batch is stored, or none of it."""

    def open_log(self, origin: str) -> LogState:
        """The state of the log named `origin`, created empty if it does not exist."""

    def state(self, log_id: int) -> LogState: ...

    def read_tiles(self, log_id: int, keys: Iterable[TileKey]) -> dict[TileKey, bytes]: ...

    def read_bundles(self, log_id: int, indices: Iterable[int]) -> dict[int, bytes]: ...

    def existing_keys(self, log_id: int, keys: Sequence[str]) -> set[str]: ...

    def leaf_indices_with_prefix(self, log_id: int, prefix: int, below: int) -> list[int]:
        """Indices < `below` whose leaf hash starts with `prefix` (see leaf_hash_prefix), ascending."""

    def commit_append(self, log_id: int, batch: AppendBatch) -> None:
        """Write the batch and move the log to `batch.new_state` in one transaction.

        Raises ConcurrentAppendError if the log no longer has `batch.old_size` entries, and
        DuplicateEntryError if a key is already stored; in both cases nothing is written.
        """


class MerkleLog:
    """One append-only log, named by its origin string, in a store.

    The log remembers the largest tree it has seen: a request for a size up to that one needs no read of the
    store's state, so a caller that reads the tree head once can then read entries and proofs against it. It
    also keeps the layers of the `cached_tiles` tiles it read last (ledger/tile_cache.py), per process.
    """

    def __init__(self, store: LogStore, origin: str, cached_tiles: int = DEFAULT_CAPACITY) -> None:
        if not origin or not origin.isprintable() or origin != origin.strip():
            raise TreeSizeError(f"origin must be a non-empty printable string without outer spaces: {origin!r}")
        self._store = store
        self.origin = origin
        self._seen = store.open_log(origin)
        self._log_id = self._seen.log_id
        self._tiles = TileCache(cached_tiles)

    def tree_head(self, tree_size: int | None = None) -> TreeHead:
        """The latest tree head, or the one the log had at `tree_size` entries."""
        state = self._seen if tree_size is not None and tree_size <= self._seen.tree_size else self._state()
        if tree_size is None or tree_size == state.tree_size:
            return TreeHead(self.origin, state.tree_size, state.root_hash)
        self._check_size(tree_size)
        return TreeHead(self.origin, tree_size, root_of(tree_size, self._hashes_for(root_range(tree_size))))

    def append(
        self,
        entries: Sequence[bytes],
        keys: Sequence[str | None] | None = None,
        expected_size: int | None = None,
    ) -> TreeHead:
        """Append a batch of entries atomically and return the new tree head.

        `keys`, if given, name the entries (one per entry, or None) and must be new to the log: a re-import of
        the same data then fails with DuplicateEntryError and writes nothing. `expected_size` makes the append
        fail with ConcurrentAppendError unless the log still has that many entries.
        """
        if keys is not None and len(keys) != len(entries):
            raise TreeSizeError(f"{len(keys)} keys given for {len(entries)} entries")
        for position, entry in enumerate(entries):
            if not isinstance(entry, bytes):
                raise TreeSizeError(f"entry {position} is {type(entry).__name__}, not bytes")
        entry_keys = list(keys) if keys is not None else [None] * len(entries)
        self._check_new_keys(entry_keys)
        old_state = self._state()
        if expected_size is not None and expected_size != old_state.tree_size:
            raise ConcurrentAppendError(expected_size, old_state.tree_size)
        if not entries:
            return TreeHead(self.origin, old_state.tree_size, old_state.root_hash)
        old_size = old_state.tree_size
        new_size = old_size + len(entries)
        leaf_hashes = [hash_leaf(entry) for entry in entries]
        partial_tiles = self._store.read_tiles(self._log_id, partial_tile_keys(old_size))
        changed_tiles = extend_tiles(old_size, leaf_hashes, partial_tiles)
        partial_index = partial_bundle_index(old_size)
        partial_bundles = self._store.read_bundles(self._log_id, [] if partial_index is None else [partial_index])
        changed_bundles = extend_bundles(old_size, entries, partial_bundles.get(partial_index or 0))

        def read_with_changes(tile_keys: Iterable[TileKey]) -> dict[TileKey, bytes]:
            tile_keys = set(tile_keys)
            found = {key: changed_tiles[key] for key in tile_keys if key in changed_tiles}
            found.update(self._store.read_tiles(self._log_id, tile_keys - found.keys()))
            return found

        # The append's tiles are not committed yet: their layers are built afresh and never kept.
        root = root_of(new_size, node_hashes(nodes_of(root_range(new_size)), layers_reader(read_with_changes)))
        batch = AppendBatch(
            old_size=old_size,
            new_state=LogState(self._log_id, new_size, root),
            tiles_created={key: tile for key, tile in changed_tiles.items() if key not in partial_tiles},
            tiles_updated={key: tile for key, tile in changed_tiles.items() if key in partial_tiles},
            bundles_created={i: b for i, b in changed_bundles.items() if i not in partial_bundles},
            bundles_updated={i: b for i, b in changed_bundles.items() if i in partial_bundles},
            leaf_prefixes=sorted(
                (leaf_hash_prefix(leaf_hash), old_size + offset) for offset, leaf_hash in enumerate(leaf_hashes)
            ),
            keys=[(key, old_size + offset) for offset, key in enumerate(entry_keys) if key is not None],
        )
        self._store.commit_append(self._log_id, batch)
        self._saw(batch.new_state)
        logger.info("log %s: appended %d entries, size %d", self.origin, len(entries), new_size)
        return TreeHead(self.origin, new_size, root)

    def existing_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` the log already holds."""
        return self._store.existing_keys(self._log_id, list(keys))

    def inclusion_proof(self, leaf_index: int, tree_size: int) -> list[bytes]:
        """The RFC 9162 inclusion proof of entry `leaf_index` in the tree of `tree_size` entries."""
        self._check_size(tree_size)
        return self._proof(inclusion_ranges(leaf_index, tree_size))

    def inclusion_proof_by_hash(self, leaf_hash: bytes, tree_size: int) -> tuple[int, list[bytes]]:
        """The leaf index of the first entry with `leaf_hash` within `tree_size` entries, and its proof."""
        self._check_size(tree_size)
        if len(leaf_hash) != HASH_SIZE:
            raise EntryNotFoundError(f"a leaf hash has {HASH_SIZE} bytes, got {len(leaf_hash)}")
        candidates = self._store.leaf_indices_with_prefix(self._log_id, leaf_hash_prefix(leaf_hash), tree_size)
        if candidates:
            stored = self._hashes_for([LeafRange(index, index + 1) for index in candidates])
            for leaf_index in candidates:
                if stored[Node(0, leaf_index)] == leaf_hash:
                    return leaf_index, self._proof(inclusion_ranges(leaf_index, tree_size))
        raise EntryNotFoundError(f"no entry with leaf hash {leaf_hash.hex()} in the first {tree_size}")

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """The RFC 9162 proof that the tree of `new_size` entries extends the one of `old_size`."""
        self._check_size(new_size)
        return self._proof(consistency_ranges(old_size, new_size))

    def entries(self, start: int, end: int) -> list[bytes]:
        """Entries [start, end) as appended."""
        if not (0 <= start <= end and self._has_size(end)):
            raise TreeSizeError(f"range [{start}, {end}) is outside the log's {self._seen.tree_size} entries")
        if start == end:
            return []
        bundles = self._store.read_bundles(
            self._log_id, range(start // BUNDLE_WIDTH, (end - 1) // BUNDLE_WIDTH + 1)
        )
        return entries_in(bundles, start, end)

    def _check_new_keys(self, keys: list[str | None]) -> None:
        """Refuse keys repeated within the batch; keys the log holds already the store refuses as it commits
        (one look, under its write lock, rather than a second one before it)."""
        named = [key for key in keys if key is not None]
        repeated = sorted(key for key, count in Counter(named).items() if count > 1)
        if repeated:
            raise DuplicateEntryError(repeated)

    def _hashes_for(self, ranges: Sequence[LeafRange]) -> dict[Node, bytes]:
        read_tiles = self._tiles.reader(lambda keys: self._store.read_tiles(self._log_id, keys))
        return node_hashes(nodes_of(ranges), read_tiles)

    def _proof(self, ranges: Sequence[LeafRange]) -> list[bytes]:
        return hashes_of(ranges, self._hashes_for(ranges))

    def _state(self) -> LogState:
        state = self._store.state(self._log_id)
        self._saw(state)
        return state

    def _saw(self, state: LogState) -> None:
        # The log only grows, so the largest size seen stays valid: sizes up to it need no read of the state.
        # A race between two threads may keep the smaller of two sizes, which is still a size the log has had.
        if state.tree_size > self._seen.tree_size:
            self._seen = state

    def _has_size(self, tree_size: int) -> bool:
        """Whether the log has (or had) `tree_size` entries; reads the state only for a size not seen yet."""
        return 0 <= tree_size and (tree_size <= self._seen.tree_size or tree_size <= self._state().tree_size)

    def _check_size(self, tree_size: int) -> None:
        if not self._has_size(tree_size):
            raise TreeSizeError(f"tree size {tree_size} is outside the log's {self._seen.tree_size} entries")
