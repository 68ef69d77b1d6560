"""An in-memory log store that counts the reads a log makes of it, and can be told to fail its next commit."""

from __future__ import annotations

from collections.abc import Iterable

from ledger.errors import ConcurrentAppendError
from ledger.log_port import AppendBatch, LogState
from ledger.memory_store import MemoryLogStore
from ledger.tiles import TileKey


class CountingStore(MemoryLogStore):
    def __init__(self) -> None:
        super().__init__()
        self.state_reads = 0
        self.tile_reads: list[set[TileKey]] = []
        self.fail_next_commit = False

    def state(self, log_id: int) -> LogState:
        self.state_reads += 1
        return super().state(log_id)

    def read_tiles(self, log_id: int, keys: Iterable[TileKey]) -> dict[TileKey, bytes]:
        keys = set(keys)
        self.tile_reads.append(keys)
        return super().read_tiles(log_id, keys)

    def commit_append(self, log_id: int, batch: AppendBatch) -> None:
        if self.fail_next_commit:
            self.fail_next_commit = False
            raise ConcurrentAppendError(batch.old_size, batch.old_size)
        super().commit_append(log_id, batch)
