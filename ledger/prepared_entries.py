"""Entries made ready for their place in a log: what an append needs of them besides the log's own state.

An append hashes each entry, hashes its key, and packs the entries into bundles of 256 by log position (see
ledger/bundles.py). Those steps depend only on the entries and the position of the first, so any process can do
them once it knows that position, and hand the log a compact result: the bundles that the run fills
completely, encoded; the entries that share a bundle with the runs before or after it, as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.bundles import BUNDLE_WIDTH, encode_bundle
from ledger.errors import TreeSizeError
from ledger.hasher import HASH_SIZE, hash_leaves

KEY_HASH_SIZE = 16


def key_hash(key: str) -> bytes:
    """How a log keeps an entry's key: the first 16 bytes of its SHA-256. A key's only question is whether the
    log holds it; two keys of one log sharing 128 bits of hash is a 2^-128 chance per pair."""
    return hashlib.sha256(key.encode("utf-8")).digest()[:KEY_HASH_SIZE]


@dataclass(frozen=True)
class PreparedEntries:
    """`count` entries for log positions [first_index, first_index + count).

    `leaf_hashes` holds their RFC 9162 leaf hashes end to end; `key_hashes` the hash of each one's key (None for
    an entry without one). `bundles` holds, encoded, each bundle the entries fill completely; `loose` the
    entries of the (at most two) bundles they share with other entries, by bundle index, in order.
    """

    first_index: int
    count: int
    leaf_hashes: bytes
    key_hashes: tuple[bytes | None, ...]
    bundles: dict[int, bytes]
    loose: tuple[tuple[int, tuple[bytes, ...]], ...]

    @property
    def end_index(self) -> int:
        return self.first_index + self.count

    def leaf_hash_list(self) -> list[bytes]:
        hashes = self.leaf_hashes
        return [hashes[offset : offset + HASH_SIZE] for offset in range(0, len(hashes), HASH_SIZE)]


def prepare_entries(
    first_index: int, entries: Sequence[bytes], keys: Sequence[str | None] | None = None
) -> PreparedEntries:
    """`entries` (and their `keys`, one per entry or None) prepared for positions from `first_index` on."""
    if first_index < 0:
        raise TreeSizeError(f"an entry's position cannot be negative: {first_index}")
    if keys is not None and len(keys) != len(entries):
        raise TreeSizeError(f"{len(keys)} keys given for {len(entries)} entries")
    for position, entry in enumerate(entries):
        if not isinstance(entry, bytes):
            raise TreeSizeError(f"entry {position} is {type(entry).__name__}, not bytes")
    end_index = first_index + len(entries)
    # The bundles wholly inside [first_index, end_index): from the first boundary at or after the start to the
    # last boundary at or before the end.
    full_start = -(-first_index // BUNDLE_WIDTH) * BUNDLE_WIDTH
    full_end = end_index // BUNDLE_WIDTH * BUNDLE_WIDTH
    bundles: dict[int, bytes] = {}
    loose: list[tuple[int, tuple[bytes, ...]]] = []
    head_end = min(full_start, end_index)
    if head_end > first_index:
        loose.append((first_index // BUNDLE_WIDTH, tuple(entries[: head_end - first_index])))
    for start in range(full_start, full_end, BUNDLE_WIDTH):
        offset = start - first_index
        bundles[start // BUNDLE_WIDTH] = encode_bundle(entries[offset : offset + BUNDLE_WIDTH])
    tail_start = max(full_start, full_end)
    if end_index > tail_start:
        loose.append((tail_start // BUNDLE_WIDTH, tuple(entries[tail_start - first_index :])))
    return PreparedEntries(
        first_index=first_index,
        count=len(entries),
        leaf_hashes=hash_leaves(entries),
        key_hashes=tuple(None if key is None else key_hash(key) for key in keys or [None] * len(entries)),
        bundles=bundles,
        loose=tuple(loose),
    )
