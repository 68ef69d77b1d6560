"""Importing good files: records land in the log with codes and receipts, the same data in any format or
language gives the same figures, re-imports add nothing, and a dry run writes nothing."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.calc.calculate import ActivityKind, Calculator
from ledger.calc.factors import factors_from_rows
from ledger.calc.gwp import gwp_set
from ledger.calc.library import shipped_library
from ledger.calc.recompute import check_record
from ledger.code import ThreeDCode
from ledger.errors import ConcurrentAppendError, IngestError
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from ledger.record import Record
from oracle.ingest.options import IngestOptions
from oracle.ingest.pipeline import ingest
from tests.calc.conftest import CALC_DATA, csv_rows
from tests.ingest.conftest import INGEST_DATA, write_mixed_file, write_xlsx

GOOD = INGEST_DATA / "good"
# Worked by hand in tests/data/calc/known-answers.json (AR5).
EXPECTED_CO2E_G_BY_SCOPE = {
    "scope 1": 216_218_881 + 74_209_000 + 19_235_000,
    "scope 2 (location-based)": 530_600_000,
    "scope 2 (market-based)": 365_760_000,
}


def records_in(log: MerkleLog) -> list[Record]:
    return [Record.from_canonical_bytes(entry) for entry in log.entries(0, log.tree_head().tree_size)]


def xlsx_copy(csv_path: Path, tmp_path: Path) -> Path:
    with csv_path.open(encoding="utf-8", newline="") as file:
        rows = [list(row) for row in csv.reader(file)]
    return write_xlsx(tmp_path / (csv_path.stem + ".xlsx"), rows)


def test_given_good_csv_when_ingested_then_each_row_becomes_coded_records_in_the_log(
    log: MerkleLog, options: IngestOptions
) -> None:
    report = ingest(GOOD / "activities.csv", log, options)

    assert (report.rows, report.new_records, report.appended, report.tree_size) == (4, 5, 5, 5)
    assert report.totals.co2e_g_by_scope == EXPECTED_CO2E_G_BY_SCOPE
    records = records_in(log)
    assert records[0].code.startswith("QZ0001.F01-2025M01-1SC.NG-00001-")
    assert records[4].code.startswith("QZ0001.F02-2025Q1-1FU.R410A-00005-")
    for leaf_index, record in enumerate(records):
        code = ThreeDCode.parse(record.code)
        assert code.serial == leaf_index + 1
        check_record(record)
    assert [(r.source, r.scope2_method, r.iso_category) for r in records] == [
        ("stationary-combustion/natural-gas", None, 1),
        ("purchased-energy/electricity", "location", 2),
        ("purchased-energy/electricity", "market", 2),
        ("stationary-combustion/diesel", None, 1),
        ("fugitive/r-410a", None, 1),
    ]


@pytest.mark.parametrize("name", ["activities-zh.csv", "activities.json", "activities.csv as xlsx"])
def test_given_same_data_in_another_format_or_language_when_ingested_then_figures_are_the_same(
    name: str, tmp_path: Path, log: MerkleLog, options: IngestOptions
) -> None:
    path = xlsx_copy(GOOD / "activities.csv", tmp_path) if name.endswith("xlsx") else GOOD / name
    report = ingest(path, log, options)

    assert report.totals.co2e_g_by_scope == EXPECTED_CO2E_G_BY_SCOPE
    assert [record.co2e_g for record in records_in(log)] == [
        216_218_881,
        530_600_000,
        365_760_000,
        74_209_000,
        19_235_000,
    ]


def test_given_file_already_imported_when_imported_again_then_nothing_is_added(
    log: MerkleLog, options: IngestOptions
) -> None:
    ingest(GOOD / "activities.csv", log, options)
    head = log.tree_head()

    again = ingest(GOOD / "activities.csv", log, options)

    assert (again.new_records, again.already_in_log, again.appended) == (0, 5, 0)
    assert log.tree_head() == head


def test_given_file_sharing_rows_with_an_import_when_imported_then_only_new_rows_are_added(
    tmp_path: Path, log: MerkleLog, options: IngestOptions
) -> None:
    ingest(GOOD / "activities.csv", log, options)
    lines = (GOOD / "activities.csv").read_text(encoding="utf-8").splitlines()
    extended = tmp_path / "more.csv"
    extended.write_text(
        "\n".join([*lines, "QZ0001,F01,2025M02,stationary-combustion/natural-gas,12,万Nm³,,,,,AR5"]) + "\n"
    )

    report = ingest(extended, log, options)

    assert (report.new_records, report.already_in_log, report.appended) == (1, 5, 1)
    last = records_in(log)[-1]
    assert (last.period, ThreeDCode.parse(last.code).serial) == ("2025M02", 6)


def test_given_dry_run_when_ingested_then_totals_are_previewed_and_nothing_is_written(
    log: MerkleLog, options: IngestOptions
) -> None:
    report = ingest(GOOD / "activities.csv", log, options, dry_run=True)

    assert report.totals.co2e_g_by_scope == EXPECTED_CO2E_G_BY_SCOPE
    assert (report.new_records, report.appended, log.tree_head().tree_size) == (5, 0, 0)
    assert "scope 2 (market-based): 365.760 t CO2e" in report.totals.lines()
    assert report.first_code is not None and report.first_code.startswith("QZ0001.F01-2025M01-1SC.NG-00001-")
    assert report.last_code is not None and report.last_code.startswith("QZ0001.F02-2025Q1-1FU.R410A-00005-")


def test_given_small_batches_when_ingested_then_every_batch_lands_in_order(
    log: MerkleLog, options: IngestOptions
) -> None:
    small_batches = IngestOptions(options.library, batch_size=2)
    report = ingest(GOOD / "activities.csv", log, small_batches)

    assert report.appended == 5
    assert [ThreeDCode.parse(record.code).serial for record in records_in(log)] == [1, 2, 3, 4, 5]


def test_given_user_factor_set_when_scope3_spend_ingested_then_it_uses_the_factor_and_iso_category(
    log: MerkleLog,
) -> None:
    custom = factors_from_rows("custom-factors.csv", csv_rows(CALC_DATA / "custom-factors.csv"))
    report = ingest(GOOD / "scope3-spend.csv", log, IngestOptions(shipped_library().extended(custom)))

    assert report.totals.co2e_g_by_scope == {"scope 3": 30_000 + 30_000}
    records = records_in(log)
    assert [(r.scope3_category, r.iso_category) for r in records] == [(1, 4), (1, 6)]
    assert [r.code.split("-")[2] for r in records] == ["3C1.STEEL", "3C1.STEELP"]


def test_given_log_grown_by_another_writer_when_appending_then_nothing_is_written(
    log: MerkleLog, options: IngestOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    original_bulk_append = log.bulk_append

    def bulk_append_before_another_writer(expected_size=None):  # type: ignore[no-untyped-def]
        bulk = original_bulk_append(expected_size)
        original_commit = bulk.commit

        def commit_after_another_writer(*arguments):  # type: ignore[no-untyped-def]
            monkeypatch.setattr(log, "bulk_append", original_bulk_append)
            log.append([b"another writer's entry"])
            return original_commit(*arguments)

        monkeypatch.setattr(bulk, "commit", commit_after_another_writer)
        return bulk

    monkeypatch.setattr(log, "bulk_append", bulk_append_before_another_writer)
    with pytest.raises(ConcurrentAppendError):
        ingest(GOOD / "activities.csv", log, options)
    assert log.tree_head().tree_size == 1


def test_given_worker_processes_when_ingested_then_records_are_those_of_a_single_process(
    options: IngestOptions,
) -> None:
    single, parallel = (MerkleLog(MemoryLogStore(), "carbonledger/test") for _ in range(2))
    ingest(GOOD / "activities.csv", single, options)
    in_workers = IngestOptions(options.library, workers=2, parallel_from_bytes=0, chunk_rows=1)

    report = ingest(GOOD / "activities.csv", parallel, in_workers)

    assert report.appended == 5
    assert parallel.tree_head() == single.tree_head()


def test_given_dry_run_then_import_when_compared_then_the_previewed_codes_are_the_ones_given(
    log: MerkleLog, options: IngestOptions
) -> None:
    ingest(GOOD / "one-row.csv", log, options)
    preview = ingest(GOOD / "activities.csv", log, options, dry_run=True)

    ingest(GOOD / "activities.csv", log, options)

    records = records_in(log)
    assert (preview.first_code, preview.last_code) == (records[1].code, records[-1].code)


def in_workers(options: IngestOptions) -> IngestOptions:
    """Two worker processes, even for a small file, with chunks of two rows so that every stripe has some."""
    return IngestOptions(options.library, workers=2, parallel_from_bytes=0, chunk_rows=2)


@pytest.mark.parametrize(
    "name", ["duplicate-rows.csv", "mixed-gwp-sets.csv", "many-problems.csv", "nul-byte.csv", "cells-beyond-header.csv"]
)
def test_given_bad_file_when_checked_by_worker_processes_then_the_issues_are_those_of_a_single_process(
    name: str, options: IngestOptions
) -> None:
    path = INGEST_DATA / "bad" / name
    with pytest.raises(IngestError) as single:
        ingest(path, None, options)

    with pytest.raises(IngestError) as parallel:
        ingest(path, None, in_workers(options))

    assert (parallel.value.issues, parallel.value.issue_count) == (single.value.issues, single.value.issue_count)


def test_given_bytes_that_are_not_utf8_halfway_when_read_by_worker_processes_then_the_issue_is_that_of_one(
    tmp_path: Path, options: IngestOptions
) -> None:
    row = "QZ0001,2025M01,stationary-combustion/natural-gas,{},万Nm³\n"
    rows = [row.format(quantity).encode("utf-8") for quantity in range(1, 1001)]
    path = tmp_path / "broken-halfway.csv"
    rows[900] = rows[900].replace(b"QZ0001", b"QZ\xff001")
    path.write_bytes(b"account,period,source,activity_quantity,activity_unit\n" + b"".join(rows))
    with pytest.raises(IngestError) as single:
        ingest(path, None, options)

    with pytest.raises(IngestError) as parallel:
        ingest(path, None, IngestOptions(options.library, workers=2, parallel_from_bytes=0, chunk_rows=50))

    assert parallel.value.issues == single.value.issues
    (issue,) = parallel.value.issues
    # Text is decoded a block at a time, so the row named is the first of the block that cannot be decoded.
    assert 2 < (issue.row or 0) <= 902 and "is not utf-8-sig text (byte 0xff" in issue.reason


def test_given_rows_alike_but_for_their_quantity_when_checked_then_each_quantity_is_checked_again(
    tmp_path: Path, log: MerkleLog, options: IngestOptions
) -> None:
    row = "QZ0001,2025M01,stationary-combustion/natural-gas,{},万Nm³\n"
    path = tmp_path / "alike.csv"
    path.write_text(
        "account,period,source,activity_quantity,activity_unit\n"
        + "".join(row.format(quantity) for quantity in ["10", "-5", "abc", "", "1.0000000000001", "11"])
        + row.format("12").replace("QZ0001", "Q1"),
        encoding="utf-8",
    )

    with pytest.raises(IngestError) as error:
        ingest(path, log, options)

    assert [(issue.row, issue.column, issue.reason.split(" (")[0]) for issue in error.value.issues] == [
        (3, "activity_quantity", "must not be negative"),
        (4, "activity_quantity", "is not a number"),
        (5, "activity_quantity", "is required"),
        (6, "activity_quantity", "has more than 12 decimal places"),
        (8, "account", "must be 3 to 6 letters or digits, starting with a letter"),
    ]


def rebuilt_the_long_way(record: Record) -> Record:
    """`record` built again field by field from a fresh calculation of what its receipt says was measured."""
    receipt = json.loads(record.canonical_bytes())["receipt"]
    inputs, factor_id = receipt["inputs"], receipt["terms"][0]["factor"]["id"]
    instruments = inputs.get("instrument_quantity")
    kind = ActivityKind(record.source, record.activity_unit, inputs["calorific_basis"], record.scope2_method,
                        factor_id, receipt["terms"][1]["factor"]["id"] if instruments else None)
    calculator = Calculator(shipped_library(), gwp_set(record.gwp_set))
    calculation = calculator.calculate_kind(kind, record.activity_quantity, instruments and Decimal(instruments))
    return replace(record, gases_g=calculation.emission.gases_g, co2e_g=calculation.emission.co2e_g,
                   biogenic_co2_g=calculation.emission.biogenic_co2_g, receipt=calculation.receipt)


def test_given_many_rows_of_each_kind_when_ingested_then_every_record_is_the_one_built_field_by_field(
    log: MerkleLog, options: IngestOptions, tmp_path: Path
) -> None:
    path = write_mixed_file(tmp_path / "many.csv", 240)

    report = ingest(path, log, options)

    records = records_in(log)
    assert report.appended == len(records) == 300  # every electricity row gives two records
    for record in records:
        assert record.canonical_bytes() == rebuilt_the_long_way(record).canonical_bytes(), record.code
        check_record(record)
