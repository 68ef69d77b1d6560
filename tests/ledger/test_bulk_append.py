"""Bulk appends: entries prepared in pieces anywhere, built into batches ahead of their commit, give the log an
entry-by-entry append would give it; pieces out of place are refused before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.bundles import BUNDLE_WIDTH, decode_bundle
from ledger.errors import ConcurrentAppendError, DuplicateEntryError, TreeSizeError
from ledger.hasher import hash_leaf
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore
from ledger.memory_store import MemoryLogStore
from ledger.prepared_entries import key_hash, prepare_entries
from tests.ledger.reference_merkle import mth, path


def entries_of(start: int, end: int) -> list[bytes]:
    return [b"entry-%d-" % index + bytes(index % 97) for index in range(start, end)]


def cuts(length: int) -> st.SearchStrategy[list[int]]:
    """Ascending cut points in [0, length], both ends included."""
    inner = st.lists(st.integers(min_value=0, max_value=length), max_size=6)
    return inner.map(lambda points: sorted({0, length, *points}))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_given_pieces_cut_anywhere_and_grouped_in_batches_when_committed_then_the_log_equals_the_reference(
    data: st.DataObject,
) -> None:
    before = data.draw(st.integers(min_value=0, max_value=2 * BUNDLE_WIDTH + 3), label="entries before")
    added = data.draw(st.integers(min_value=1, max_value=3 * BUNDLE_WIDTH + 5), label="entries added")
    log = MerkleLog(MemoryLogStore(), "bulk")
    if before:
        log.append(entries_of(0, before), keys=[f"k{index}" for index in range(before)])
    entries = entries_of(before, before + added)
    keys = [f"k{index}" if index % 3 else None for index in range(before, before + added)]
    piece_cuts = data.draw(cuts(added), label="piece cuts")
    pieces = [
        prepare_entries(before + start, entries[start:end], keys[start:end])
        for start, end in zip(piece_cuts, piece_cuts[1:])
    ]
    batch_cuts = data.draw(cuts(len(pieces)), label="batch cuts")
    bulk = log.bulk_append(expected_size=before)
    for start, end in zip(batch_cuts, batch_cuts[1:]):
        bulk.add(pieces[start:end])
    assert bulk.size == before + added
    sizes = [state.tree_size for state in bulk.commit()]

    everything = entries_of(0, before + added)
    assert sizes[-1] == before + added
    for size in sizes:
        assert log.tree_head(size).root_hash == mth(everything[:size])
    assert log.entries(0, before + added) == everything
    leaf_index = data.draw(st.integers(min_value=0, max_value=before + added - 1), label="leaf")
    assert log.inclusion_proof(leaf_index, before + added) == path(leaf_index, everything)
    assert log.inclusion_proof_by_hash(hash_leaf(everything[leaf_index]), before + added)[0] == leaf_index
    added_keys = {key for key in keys if key is not None}
    assert log.existing_keys([*added_keys, "absent"]) == added_keys


def test_given_prepared_entries_when_a_run_fills_bundles_then_only_the_shared_ones_stay_loose() -> None:
    entries = entries_of(250, 250 + 2 * BUNDLE_WIDTH + 10)
    prepared = prepare_entries(250, entries)
    assert sorted(prepared.bundles) == [1, 2]
    assert decode_bundle(prepared.bundles[1]) == entries[6 : 6 + BUNDLE_WIDTH]
    assert [(index, len(run)) for index, run in prepared.loose] == [(0, 6), (3, 4)]
    assert prepared.leaf_hash_list() == [hash_leaf(entry) for entry in entries]
    within = prepare_entries(1, entries_of(1, 200))
    assert within.bundles == {} and [(index, len(run)) for index, run in within.loose] == [(0, 199)]
    across = prepare_entries(1, entries_of(1, 257))
    assert across.bundles == {} and [(index, len(run)) for index, run in across.loose] == [(0, 255), (1, 1)]
    assert prepare_entries(0, [b"a"], ["k"]).key_hashes == (key_hash("k"),)


def test_given_pieces_out_of_place_when_added_then_refused_and_nothing_is_written() -> None:
    log = MerkleLog(MemoryLogStore(), "bulk")
    log.append(entries_of(0, 10))
    bulk = log.bulk_append(expected_size=10)
    with pytest.raises(TreeSizeError, match="cannot follow position 10"):
        bulk.add([prepare_entries(11, entries_of(11, 20))])
    with pytest.raises(TreeSizeError, match="cannot follow position 15"):
        bulk.add([prepare_entries(10, entries_of(10, 15)), prepare_entries(16, entries_of(16, 20))])
    assert list(bulk.commit()) == []
    assert log.tree_head().tree_size == 10
    with pytest.raises(ConcurrentAppendError):
        log.bulk_append(expected_size=9)


def test_given_a_writer_between_build_and_commit_when_committing_then_the_run_stops_there(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    log, other = MerkleLog(SqlLogStore.from_url(url), "bulk"), MerkleLog(SqlLogStore.from_url(url), "bulk")
    bulk = log.bulk_append(expected_size=0)
    bulk.add([prepare_entries(0, entries_of(0, 300), [f"k{index}" for index in range(300)])])
    other.append([b"first"])
    with pytest.raises(ConcurrentAppendError):
        list(bulk.commit())
    assert log.tree_head().tree_size == 1
    assert log.existing_keys(["k0"]) == set()


def test_given_a_key_already_stored_when_a_bulk_commits_then_its_hash_is_named_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    log = MerkleLog(SqlLogStore.from_url(f"sqlite:///{tmp_path / 'log.db'}"), "bulk")
    log.append([b"a"], keys=["taken"])
    bulk = log.bulk_append(expected_size=1)
    bulk.add([prepare_entries(1, [b"b", b"c"], ["new", "taken"])])
    with pytest.raises(DuplicateEntryError) as raised:
        list(bulk.commit())
    assert raised.value.keys == [key_hash("taken").hex()]
    assert log.tree_head().tree_size == 1
