"""Entry bundles: the log's entries stored 256 to a row, so an append writes a few large rows, not one per entry.

Bundle b holds entries [256·b, 256·b + 256) as a sequence of (4-byte big-endian length, entry bytes); only the
last bundle can be partial, and bundles only ever grow. A bundle is stored compressed (Zstandard, RFC 8878, with
its frame checksum) behind a marker no uncompressed bundle starts with (an entry of 2^32 - 1 bytes): the
entries of one log share most of their text (a record's receipt repeats its factor's), so a bundle of 256
records shrinks about fifty-fold, and an append writes that much less. Bundles stored as they were before,
uncompressed or zlib-compressed behind a marker of their own, are still read.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence

import zstandard

from ledger.errors import LogError

BUNDLE_WIDTH = 256
_LENGTH = struct.Struct(">I")
_ZSTD = b"\xff\xff\xff\xffs"
_ZLIB = b"\xff\xff\xff\xffz"  # how bundles were compressed before: read, no longer written
# Zstandard's level 1 on bundles of records: a quarter of zlib's time (level 3) for two thirds of its size.
_LEVEL = 1


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    parts = []
    for entry in entries:
        if len(entry) >= 2**32 - 1:
            raise LogError(f"an entry of {len(entry)} bytes is too large for an entry bundle")
        parts += (_LENGTH.pack(len(entry)), entry)
    compressor = zstandard.ZstdCompressor(level=_LEVEL, write_checksum=True)  # one per call: thread-safe
    return _ZSTD + compressor.compress(b"".join(parts))


def decode_bundle(bundle: bytes, first: int = 0, end: int = BUNDLE_WIDTH) -> list[bytes]:
    """Entries [first, end) of a bundle, all of them by default; those before `first` are stepped over by their
    lengths, not copied, and those from `end` on are not read."""
    if bundle.startswith(_ZSTD):
        try:
            bundle = zstandard.ZstdDecompressor().decompress(memoryview(bundle)[len(_ZSTD):])
        except zstandard.ZstdError as e:
            raise LogError(f"entry bundle does not decompress: {e}") from e
    elif bundle.startswith(_ZLIB):
        try:
            bundle = zlib.decompress(memoryview(bundle)[len(_ZLIB):])
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


def entries_in(bundles: Mapping[int, bytes], start: int, end: int) -> list[bytes]:
    """Entries [start, end) out of the bundles that hold them (start < end)."""
    result: list[bytes] = []
    for bundle_index in range(start // BUNDLE_WIDTH, (end - 1) // BUNDLE_WIDTH + 1):
        first = bundle_index * BUNDLE_WIDTH
        result.extend(decode_bundle(bundles[bundle_index], max(start - first, 0), end - first))
    return result
