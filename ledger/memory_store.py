"""A LogStore that keeps its logs in memory: for offline tools, tests and short-lived logs."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ledger.errors import ConcurrentAppendError, DuplicateEntryError
from ledger.hasher import EMPTY_ROOT
from ledger.log_port import AppendBatch, LogState, clashing_key_hashes
from ledger.prepared_entries import key_hash
from ledger.tiles import TileKey


@dataclass
class _MemoryLog:
    state: LogState
    tiles: dict[TileKey, bytes] = field(default_factory=dict)
    bundles: dict[int, bytes] = field(default_factory=dict)
    prefixes: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    key_hashes: set[bytes] = field(default_factory=set)


class MemoryLogStore:
    """The in-memory implementation of ledger.log.LogStore."""

    def __init__(self) -> None:
        self._logs: list[_MemoryLog] = []
        self._ids: dict[str, int] = {}

    def open_log(self, origin: str) -> LogState:
        if origin not in self._ids:
            self._ids[origin] = len(self._logs)
            self._logs.append(_MemoryLog(LogState(len(self._logs), 0, EMPTY_ROOT)))
        return self._logs[self._ids[origin]].state

    def state(self, log_id: int) -> LogState:
        return self._logs[log_id].state

    def read_tiles(self, log_id: int, keys: Iterable[TileKey]) -> dict[TileKey, bytes]:
        tiles = self._logs[log_id].tiles
        return {key: tiles[key] for key in keys if key in tiles}

    def read_bundles(self, log_id: int, indices: Iterable[int]) -> dict[int, bytes]:
        bundles = self._logs[log_id].bundles
        return {index: bundles[index] for index in indices if index in bundles}

    def existing_keys(self, log_id: int, keys: Sequence[str]) -> set[str]:
        stored = self._logs[log_id].key_hashes
        return {key for key in keys if key_hash(key) in stored}

    def leaf_indices_with_prefix(self, log_id: int, prefix: int, below: int) -> list[int]:
        indices = self._logs[log_id].prefixes.get(prefix, [])
        return indices[: bisect.bisect_left(indices, below)]

    def commit_append(self, log_id: int, batch: AppendBatch) -> None:
        log = self._logs[log_id]
        if log.state.tree_size != batch.old_size:
            raise ConcurrentAppendError(batch.old_size, log.state.tree_size)
        clashing = clashing_key_hashes(batch.key_hashes, log.key_hashes)
        if clashing:
            raise DuplicateEntryError(clashing)
        for tiles in (batch.tiles_created, batch.tiles_updated):
            log.tiles.update(tiles)
        for bundles in (batch.bundles_created, batch.bundles_updated):
            log.bundles.update(bundles)
        for prefix, leaf_index in sorted(batch.leaf_prefixes, key=lambda pair: pair[1]):
            log.prefixes[prefix].append(leaf_index)
        log.key_hashes.update(batch.key_hashes)
        log.state = batch.new_state
