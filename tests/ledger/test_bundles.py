"""Entry bundles: what goes in comes out, any run of entries is read without copying the ones before it."""

from __future__ import annotations

import pytest

from ledger.bundles import BUNDLE_WIDTH, decode_bundle, encode_bundle, entries_in, extend_bundles
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


def test_given_a_truncated_bundle_when_reading_past_the_cut_then_it_fails_and_before_it_then_not() -> None:
    entries = entries_of(10, start=1)
    bundle = encode_bundle(entries)
    cut = bundle[: len(encode_bundle(entries[:6])) + 3]
    assert decode_bundle(cut, 2, 6) == entries[2:6]
    with pytest.raises(LogError, match="truncated"):
        decode_bundle(cut, 2, 7)
    with pytest.raises(LogError, match="truncated"):
        decode_bundle(cut)


def test_given_entries_across_bundles_when_reading_ranges_then_each_is_the_slice_of_all_entries() -> None:
    entries = entries_of(3 * BUNDLE_WIDTH + 5)
    bundles = extend_bundles(0, entries, None)
    assert sorted(bundles) == [0, 1, 2, 3]
    last = len(entries)
    for start, end in ((0, 1), (255, 257), (300, 301), (10, last), (last - 1, last)):
        assert entries_in(bundles, start, end) == entries[start:end]
