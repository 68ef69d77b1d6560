"""Templates: CSV and XLSX, English and Chinese headers; each imports as it is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from ledger.log import MerkleLog
from oracle.cli import main
from oracle.ingest.columns import COLUMNS, REQUIRED
from oracle.ingest.options import IngestOptions
from oracle.ingest.pipeline import ingest
from oracle.ingest.templates import LANGUAGES, csv_template, headers, write_xlsx_template


@pytest.mark.parametrize("language", LANGUAGES)
def test_given_csv_template_when_imported_as_it_is_then_its_examples_become_records(
    language: str, tmp_path: Path, log: MerkleLog, options: IngestOptions
) -> None:
    path = tmp_path / f"template-{language}.csv"
    path.write_text(csv_template(language), encoding="utf-8")

    report = ingest(path, log, options)

    assert (report.rows, report.appended) == (3, 4)


@pytest.mark.parametrize("language", LANGUAGES)
def test_given_xlsx_template_when_imported_as_it_is_then_its_examples_become_records(
    language: str, tmp_path: Path, log: MerkleLog, options: IngestOptions
) -> None:
    path = tmp_path / f"template-{language}.xlsx"
    write_xlsx_template(path, language)

    report = ingest(path, log, options)

    assert (report.rows, report.appended) == (3, 4)
    guide = openpyxl.load_workbook(path, read_only=True)["columns"]
    described = [row[0] for row in guide.iter_rows(min_row=2, values_only=True)]
    assert described == list(COLUMNS)


def test_given_chinese_template_when_read_then_headers_are_chinese_and_required_columns_come_first() -> None:
    header = next(csv.reader(io.StringIO(csv_template("zh"))))
    assert header[: len(REQUIRED)] == ["账户", "核算期", "排放源", "活动数据", "单位"]
    assert header == headers("zh")


def test_given_template_command_when_run_then_csv_goes_to_standard_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["template", "csv"]) == 0
    assert capsys.readouterr().out == csv_template("en")


def test_given_template_command_with_output_when_xlsx_then_workbook_is_written(tmp_path: Path) -> None:
    output = tmp_path / "t.xlsx"
    assert main(["template", "xlsx", "--lang", "zh", "--output", str(output)]) == 0
    first_row = next(openpyxl.load_workbook(output, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert list(first_row) == headers("zh")
