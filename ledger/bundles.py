"""Entry bundles: the log's entries stored 256 to a row, so an append writes a few large rows, not one per entry.

Bundle b holds entries [256·b, 256·b + 256) as a sequence of (4-byte big-endian length, entry bytes); only the
last bundle can be partial, and bundles only ever grow. A bundle is stored compressed (zlib) behind a marker
no uncompressed bundle starts with (an entry of 2^32 - 1 bytes): the entries of one log share most of their
text (a record's receipt repeats its factor's), so a bundle of 256 records shrinks about thirty-fold, and an
append writes that much less. Bundles stored uncompressed, as they were before, are still read.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence

from ledger.errors import LogError

BUNDLE_WIDTH = 256
_LENGTH = struct.Struct(">I")
_COMPRESSED = b"\xff\xff\xff\xffz"
# zlib's level 3: within a tenth of level 6's size on record bundles, in about half the time.
_LEVEL = 3


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    for entry in entries:
        if len(entry) >= 2**32 - 1:
            raise LogError(f"an entry of {len(entry)} bytes is too large for an entry bundle")
    return _COMPRESSED + zlib.compress(b"".join(_LENGTH.pack(len(entry)) + entry for entry in entries), _LEVEL)


def decode_bundle(bundle: bytes, first: int = 0, end: int = BUNDLE_WIDTH) -> list[bytes]:
    """Entries [first, end) of a bundle, all of them by default; those before `first` are stepped over by their
    lengths, not copied, and those from `end` on are not read."""
    if bundle.startswith(_COMPRESSED):
        try:
            bundle = zlib.decompress(memoryview(bundle)[len(_COMPRESSED):])
        except zlib.error as e:
            raise LogError(f"entry bundle does not decompress: {e}") from e
    entries = []
    offset = 0
    position = 0
    while offset < len(bundle) and position < end:
        if offset + _LENGTH.size > len(bundle):
            raise LogError(f"entry bundle is truncated at byte {offset}")
        (length,) = _LENGTH.unpack_from(bundle, offset)
        offset += _LENGTH.size
        if offset + length > len(bundle):
            raise LogError(f"entry bundle is truncated at byte {offset}")
        if position >= first:
            entries.append(bundle[offset : offset + length])
        offset += length
        position += 1
    return entries


def partial_bundle_index(tree_size: int) -> int | None:
    """The bundle an append to a tree of `tree_size` entries extends, if the last one is partial."""
    return tree_size // BUNDLE_WIDTH if tree_size % BUNDLE_WIDTH else None


def extend_bundles(tree_size: int, entries: Sequence[bytes], partial: bytes | None) -> dict[int, bytes]:
    """The bundles that appending `entries` to a tree of `tree_size` entries creates or rewrites."""
    first = tree_size // BUNDLE_WIDTH
    run = (decode_bundle(partial) if partial else []) + list(entries)
    return {
        first + offset // BUNDLE_WIDTH: encode_bundle(run[offset : offset + BUNDLE_WIDTH])
        for offset in range(0, len(run), BUNDLE_WIDTH)
    }


def entries_in(bundles: Mapping[int, bytes], start: int, end: int) -> list[bytes]:
    """Entries [start, end) out of the bundles that hold them (start < end)."""
    result: list[bytes] = []
    for bundle_index in range(start // BUNDLE_WIDTH, (end - 1) // BUNDLE_WIDTH + 1):
        first = bundle_index * BUNDLE_WIDTH
        result.extend(decode_bundle(bundles[bundle_index], max(start - first, 0), end - first))
    return result
