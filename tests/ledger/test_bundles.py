"""Entry bundles: what goes in comes out, any run of entries is read without copying the ones before it."""

from __future__ import annotations

import zlib

import pytest

from ledger.bundles import BUNDLE_WIDTH, decode_bundle, encode_bundle, entries_in
from ledger.errors import LogError


def entries_of(count: int, start: int = 0) -> list[bytes]:
    # Lengths vary from 0 bytes up, so no two neighbours share an offset pattern.
    return [b"e%d:" % i + b"x" * (i % 37) if i % 50 else b"" for i in range(start, start + count)]


@pytest.mark.parametrize("count", [0, 1, 2, 100, BUNDLE_WIDTH])
def test_given_a_bundle_when_decoding_any_run_then_it_is_that_slice_of_the_entries(count: int) -> None:
    entries = entries_of(count)
    bundle = encode_bundle(entries)
    assert decode_bundle(bundle) == entries
    for first in range(0, count + 2, 7):
        for end in (first, first + 1, first + 13, count, BUNDLE_WIDTH):
            assert decode_bundle(bundle, first, end) == entries[first:end]


def uncompressed_bundle(entries: list[bytes]) -> bytes:
    """A bundle as the log stored them before it compressed them: the length-prefixed entries alone."""
    return b"".join(len(entry).to_bytes(4, "big") + entry for entry in entries)


def test_given_a_bundle_stored_uncompressed_when_decoding_then_its_entries_come_back() -> None:
    entries = entries_of(BUNDLE_WIDTH)
    assert decode_bundle(uncompressed_bundle(entries)) == entries
    assert decode_bundle(uncompressed_bundle(entries), 40, 45) == entries[40:45]


def test_given_a_bundle_stored_zlib_compressed_when_decoding_then_its_entries_come_back() -> None:
    entries = entries_of(BUNDLE_WIDTH)
    stored = b"\xff\xff\xff\xffz" + zlib.compress(uncompressed_bundle(entries), 3)  # as bundles were stored
    assert decode_bundle(stored) == entries
    assert decode_bundle(stored, 40, 45) == entries[40:45]
    with pytest.raises(LogError, match="does not decompress"):
        decode_bundle(stored[:-10])


def test_given_a_truncated_uncompressed_bundle_when_reading_past_the_cut_then_it_fails_and_before_it_then_not(
) -> None:
    entries = entries_of(10, start=1)
    cut = uncompressed_bundle(entries)[: len(uncompressed_bundle(entries[:6])) + 3]
    assert decode_bundle(cut, 2, 6) == entries[2:6]
    with pytest.raises(LogError, match="truncated"):
        decode_bundle(cut, 2, 7)
    with pytest.raises(LogError, match="truncated"):
        decode_bundle(cut)


def test_given_a_truncated_or_altered_compressed_bundle_when_decoding_then_log_error() -> None:
    bundle = encode_bundle(entries_of(100))
    with pytest.raises(LogError, match="does not decompress"):
        decode_bundle(bundle[:-10])
    altered = bundle[:20] + bytes([bundle[20] ^ 0xFF]) + bundle[21:]
    with pytest.raises(LogError):
        decode_bundle(altered)


def test_given_entries_sharing_most_of_their_text_when_bundled_then_the_bundle_is_many_times_smaller() -> None:
    receipt = b'"receipt":{"factor":{"id":"cn-gbt-32150-2015/natural-gas","source":"GB/T 32150-2015"}}' * 10
    entries = [b'{"account":"QZ%04d","co2e_g":%d,' % (i, i * 7919) + receipt + b"}" for i in range(BUNDLE_WIDTH)]
    bundle = encode_bundle(entries)
    assert len(bundle) * 10 < len(uncompressed_bundle(entries))
    assert decode_bundle(bundle) == entries


def test_given_entries_across_bundles_when_reading_ranges_then_each_is_the_slice_of_all_entries() -> None:
    entries = entries_of(3 * BUNDLE_WIDTH + 5)
    bundles = {
        offset // BUNDLE_WIDTH: encode_bundle(entries[offset : offset + BUNDLE_WIDTH])
        for offset in range(0, len(entries), BUNDLE_WIDTH)
    }
    assert sorted(bundles) == [0, 1, 2, 3]
    last = len(entries)
    for start, end in ((0, 1), (255, 257), (300, 301), (10, last), (last - 1, last)):
        assert entries_in(bundles, start, end) == entries[start:end]
