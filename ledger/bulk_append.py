"""Appends made ready ahead of their commit: a run of batches, each built on the one before it while none of
them is stored yet, then committed in order.

A large import can so do all of an append's work but the store's own (tiles, root, bundles, lookups) while it
is still checking its input, and commit only once it knows the input clean. Each batch is its own atomic
append of the store, expecting the size the batch before it left; a batch that cannot commit (another writer
came first, a key already stored) stops the run there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from ledger.bundles import BUNDLE_WIDTH, decode_bundle, encode_bundle, partial_bundle_index
from ledger.errors import TreeSizeError
from ledger.log_port import AppendBatch, LogState, LogStore, leaf_hash_prefix
from ledger.prepared_entries import PreparedEntries
from ledger.prove import nodes_of, root_of, root_range
from ledger.tiles import TileKey, extend_tiles, layers_reader, node_hashes, partial_tile_keys


class BulkAppend:
    """Batches of prepared entries appended, on paper, to the log in `store` whose state is `state`."""

    def __init__(self, store: LogStore, state: LogState) -> None:
        self._store = store
        self._log_id = state.log_id
        self._size = state.tree_size
        # Every tile this run changed, and the partial ones it started from: the ones it builds on.
        self._tiles: dict[TileKey, bytes] = store.read_tiles(self._log_id, partial_tile_keys(state.tree_size))
        partial_index = partial_bundle_index(state.tree_size)
        partial = store.read_bundles(self._log_id, [] if partial_index is None else [partial_index])
        self._stored_bundles: set[int] = set(partial)
        # The entries of the partial bundle at the current size: the next batch extends it.
        self._edge: list[bytes] = decode_bundle(partial[partial_index]) if partial_index in partial else []
        self._batches: list[AppendBatch] = []

    @property
    def size(self) -> int:
        """The log's size once every batch added so far is committed."""
        return self._size

    def add(self, pieces: Sequence[PreparedEntries]) -> None:
        """Build the next batch from `pieces`, which must follow each other from the current `size`."""
        old_size = self._size
        leaf_hashes: list[bytes] = []
        key_hashes: list[bytes] = []
        bundles: dict[int, bytes] = {}
        for piece in pieces:
            if piece.first_index != old_size + len(leaf_hashes):
                raise TreeSizeError(
                    f"prepared entries from position {piece.first_index} cannot follow position "
                    f"{old_size + len(leaf_hashes)}"
                )
            leaf_hashes += piece.leaf_hash_list()
            key_hashes += [hashed for hashed in piece.key_hashes if hashed is not None]
            self._place_bundles(piece, bundles)
        if not leaf_hashes:
            return
        new_size = old_size + len(leaf_hashes)
        if self._edge:
            bundles[new_size // BUNDLE_WIDTH] = encode_bundle(self._edge)
        partial_tiles = {key: self._tiles[key] for key in partial_tile_keys(old_size)}
        changed_tiles = extend_tiles(old_size, leaf_hashes, partial_tiles)
        tiles_created = {key: tile for key, tile in changed_tiles.items() if key not in self._tiles}
        tiles_updated = {key: tile for key, tile in changed_tiles.items() if key in self._tiles}
        self._tiles.update(changed_tiles)
        root = root_of(new_size, node_hashes(nodes_of(root_range(new_size)), layers_reader(self._read_tiles)))
        self._batches.append(AppendBatch(
            old_size=old_size,
            new_state=LogState(self._log_id, new_size, root),
            tiles_created=tiles_created,
            tiles_updated=tiles_updated,
            bundles_created={index: b for index, b in bundles.items() if index not in self._stored_bundles},
            bundles_updated={index: b for index, b in bundles.items() if index in self._stored_bundles},
            leaf_prefixes=sorted(
                (leaf_hash_prefix(leaf_hash), old_size + offset) for offset, leaf_hash in enumerate(leaf_hashes)
            ),
            key_hashes=sorted(key_hashes),
        ))
        self._stored_bundles.update(bundles)
        self._size = new_size

    def commit(self, committed: Callable[[LogState], None] = lambda _: None) -> Iterator[LogState]:
        """Commit the batches in order, yielding the log's state after each (`committed` hears of it first)."""
        while self._batches:
            batch = self._batches[0]
            self._store.commit_append(self._log_id, batch)
            self._batches.pop(0)
            committed(batch.new_state)
            yield batch.new_state

    def _place_bundles(self, piece: PreparedEntries, bundles: dict[int, bytes]) -> None:
        """Put the piece's bundles in `bundles`: its full ones as they are, its loose entries onto the edge."""
        position = piece.first_index
        runs: list[tuple[int, bytes | tuple[bytes, ...]]] = [*piece.bundles.items(), *piece.loose]
        for index, run in sorted(runs, key=lambda item: item[0]):
            if index != position // BUNDLE_WIDTH:
                raise TreeSizeError(f"bundle {index} given at position {position}")
            if isinstance(run, bytes):
                if position % BUNDLE_WIDTH:
                    raise TreeSizeError(f"a full bundle given at position {position}, inside bundle {index}")
                bundles[index] = run
                position += BUNDLE_WIDTH
                continue
            self._edge.extend(run)
            position += len(run)
            if len(self._edge) > BUNDLE_WIDTH or (position % BUNDLE_WIDTH == 0) != (len(self._edge) == BUNDLE_WIDTH):
                raise TreeSizeError(f"loose entries of bundle {index} overrun it at position {position}")
            if len(self._edge) == BUNDLE_WIDTH:
                bundles[index] = encode_bundle(self._edge)
                self._edge = []
        if position != piece.end_index:
            raise TreeSizeError(f"bundles of {position - piece.first_index} entries given for {piece.count}")

    def _read_tiles(self, keys: Iterable[TileKey]) -> dict[TileKey, bytes]:
        keys = set(keys)
        found = {key: self._tiles[key] for key in keys if key in self._tiles}
        found.update(self._store.read_tiles(self._log_id, keys - found.keys()))
        return found
