"""The append-only RFC 9162 Merkle log: append entries, answer tree heads, proofs and entries by range.

The log keeps its subtree hashes in tiles (ledger/tiles.py) behind a `LogStore` port, so every root and proof
reads O(log n) stored hashes and an append rewrites only the rightmost tile of each level. What it answers is
what an RFC 9162 log's API answers: the tree head at any size, an inclusion proof by leaf index or leaf hash,
a consistency proof between two sizes, and entries by range.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.bulk_append import BulkAppend
from ledger.bundles import BUNDLE_WIDTH, entries_in
from ledger.errors import ConcurrentAppendError, DuplicateEntryError, EntryNotFoundError, TreeSizeError
from ledger.hasher import HASH_SIZE
from ledger.log_port import LogState, LogStore, leaf_hash_prefix
from ledger.prepared_entries import key_hash, prepare_entries
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
from ledger.tiles import node_hashes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TreeHead:
    """The root of the log's first `tree_size` entries."""

    origin: str
    tree_size: int
    root_hash: bytes


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
        entry_keys = list(keys) if keys is not None else [None] * len(entries)
        self._check_new_keys(entry_keys)
        bulk = self.bulk_append(expected_size)
        if not entries:
            return self.tree_head(bulk.size)
        bulk.add([prepare_entries(bulk.size, entries, entry_keys)])
        try:
            (state,) = bulk.commit(self._saw)
        except DuplicateEntryError as e:
            named = {key_hash(key).hex(): key for key in entry_keys if key is not None}
            raise DuplicateEntryError(sorted(named.get(key, key) for key in e.keys)) from e
        logger.info("log %s: appended %d entries, size %d", self.origin, len(entries), state.tree_size)
        return TreeHead(self.origin, state.tree_size, state.root_hash)

    def bulk_append(self, expected_size: int | None = None) -> BulkAppend:
        """A run of batches of prepared entries (ledger.prepared_entries), built now and committed later (see
        ledger.bulk_append); ConcurrentAppendError unless the log has `expected_size` entries, if given."""
        state = self._state()
        if expected_size is not None and expected_size != state.tree_size:
            raise ConcurrentAppendError(expected_size, state.tree_size)
        return BulkAppend(self._store, state)

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
