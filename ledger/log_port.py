"""The port between a Merkle log and its storage: what a store keeps of a log, and what one append writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

from ledger.tiles import TileKey


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
    key_hashes: Sequence[bytes]
    """The key hash (ledger.prepared_entries.key_hash) of every new entry that has a key."""


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
        DuplicateEntryError naming (in hex) the key hashes already stored, or repeated in the batch; in both
        cases nothing is written.
        """


def clashing_key_hashes(key_hashes: Sequence[bytes], stored: AbstractSet[bytes]) -> list[str]:
    """In hex, the key hashes an append cannot take: those already stored, and those it repeats."""
    repeated = {hashed for hashed, count in Counter(key_hashes).items() if count > 1}
    return sorted(hashed.hex() for hashed in (stored & set(key_hashes)) | repeated)
