"""Batch totals: what an import stores per appended batch equals what totalling its records gives, and the
oracle's totals over any range take stored batches where they lie wholly inside and read the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledger.errors import IngestError
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore
from oracle.account_totals import account_totals
from oracle.batch_totals import BatchTotals, Totals
from oracle.batch_totals import batch_totals as batch_totals_table
from oracle.ingest.options import IngestOptions
from oracle.ingest.pipeline import ingest
from tests.ingest.conftest import write_mixed_file

ORIGIN = "carbonledger.test/batch-totals"


@pytest.fixture
def store(tmp_path: Path) -> SqlLogStore:
    return SqlLogStore.from_url(f"sqlite:///{tmp_path / 'ledger.db'}")


def totals_read_from(log: MerkleLog, start: int, end: int) -> Totals:
    return account_totals(json.loads(entry) for entry in log.entries(start, end))


def test_given_an_import_in_batches_when_totalled_then_stored_totals_equal_the_records_and_nothing_is_read(
    store: SqlLogStore, options: IngestOptions, tmp_path: Path
) -> None:
    log = MerkleLog(store, ORIGIN)
    batch_totals = BatchTotals(store.engine, ORIGIN)
    small_batches = IngestOptions(options.library, batch_size=37)
    report = ingest(write_mixed_file(tmp_path / "two-years.csv", 200, (2024, 2025)), log, small_batches,
                    batch_totals=batch_totals)
    size = report.tree_size
    assert size == 250  # 50 rows calculated both location- and market-based

    def refuse(start: int, end: int) -> Totals:
        raise AssertionError(f"read [{start}, {end}) although every batch was stored")

    everything = batch_totals.totals(0, size, refuse)
    assert everything == totals_read_from(log, 0, size)
    assert {year for _, year in everything} == {2024, 2025}
    # Ranges cutting through batches: stored batches inside, the records read at either end.
    for start, end in ((0, 1), (5, 80), (36, 38), (37, 74), (100, size), (size - 1, size)):
        assert batch_totals.totals(start, end, lambda a, b: totals_read_from(log, a, b)) == totals_read_from(
            log, start, end
        )


def test_given_stored_batches_with_gaps_when_totalled_then_exactly_the_gaps_are_read(store: SqlLogStore) -> None:
    batch_totals = BatchTotals(store.engine, ORIGIN)
    batch_totals.store(10, 20, {("QZ0001", 2025): 5})
    batch_totals.store(20, 30, {("QZ0001", 2025): 7, ("QZ0002", 2025): 0})
    batch_totals.store(40, 60, {("QZ0002", 2024): 11})
    read: list[tuple[int, int]] = []

    def read_one_gram_per_entry(start: int, end: int) -> Totals:
        read.append((start, end))
        return {("QZ0009", 2025): end - start}

    assert batch_totals.totals(0, 50, read_one_gram_per_entry) == {
        ("QZ0001", 2025): 12, ("QZ0002", 2025): 0, ("QZ0009", 2025): 10 + 20,
    }
    assert read == [(0, 10), (30, 50)]  # the batch [40, 60) reaches past the range: read instead
    assert BatchTotals(store.engine, "another/log").totals(10, 20, read_one_gram_per_entry) == {
        ("QZ0009", 2025): 10
    }


def test_given_worker_processes_and_batches_cutting_chunks_when_imported_then_log_and_batches_are_as_in_one(
    store: SqlLogStore, options: IngestOptions, tmp_path: Path
) -> None:
    path = write_mixed_file(tmp_path / "mixed.csv", 200)
    single = MerkleLog(SqlLogStore.from_url(f"sqlite:///{tmp_path / 'single.db'}"), ORIGIN)
    ingest(path, single, IngestOptions(options.library, batch_size=37))
    log = MerkleLog(store, ORIGIN)
    batch_totals = BatchTotals(store.engine, ORIGIN)
    # Chunks of 7 rows (some calculated twice) end anywhere within batches of 37 records.
    in_workers = IngestOptions(options.library, workers=2, parallel_from_bytes=0, chunk_rows=7, batch_size=37)

    report = ingest(path, log, in_workers, batch_totals=batch_totals)

    assert report.appended == 250
    assert log.tree_head() == single.tree_head()
    with store.engine.connect() as connection:
        ranges = connection.execute(select(batch_totals_table.c.start_index, batch_totals_table.c.end_index)
                                    .order_by(batch_totals_table.c.start_index)).all()
    assert [tuple(row) for row in ranges] == [(start, min(start + 37, 250)) for start in range(0, 250, 37)]
    for start, end in ranges:
        assert batch_totals.totals(start, end, totals_read_from_nowhere) == totals_read_from(log, start, end)


def totals_read_from_nowhere(start: int, end: int) -> Totals:
    raise AssertionError(f"read [{start}, {end}) although every batch was stored")


def test_given_a_bad_row_late_in_a_file_when_imported_by_worker_processes_then_nothing_is_written(
    store: SqlLogStore, options: IngestOptions, tmp_path: Path
) -> None:
    path = write_mixed_file(tmp_path / "late-bad-row.csv", 200)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[180] = lines[180].replace("2025M", "2025X", 1)
    path.write_text("".join(lines), encoding="utf-8")
    log = MerkleLog(store, ORIGIN)
    with pytest.raises(IngestError) as single:
        ingest(path, None, options)

    in_workers = IngestOptions(options.library, workers=2, parallel_from_bytes=0, chunk_rows=7, batch_size=37)
    with pytest.raises(IngestError) as parallel:
        ingest(path, log, in_workers, batch_totals=BatchTotals(store.engine, ORIGIN))

    assert parallel.value.issues == single.value.issues and [issue.row for issue in single.value.issues] == [181]
    assert log.tree_head().tree_size == 0
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(batch_totals_table)).scalar() == 0
