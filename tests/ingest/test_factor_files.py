"""A user's own factor set, CSV or XLSX: loaded beside the shipped datasets, or rejected with every problem."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ledger.errors import FactorDataError
from oracle.ingest.factor_files import load_factor_file
from tests.calc.conftest import CALC_DATA
from tests.ingest.conftest import write_xlsx


def test_given_csv_factor_file_when_loaded_then_factors_carry_values_units_and_sources() -> None:
    factors = {factor.factor_id: factor for factor in load_factor_file(CALC_DATA / "custom-factors.csv")}
    steel = factors["test-custom/steel-spend"]
    assert (steel.gases[0].gas, str(steel.gases[0].value), steel.per_unit) == ("CO2e", "2.5", "万元")


def test_given_same_factors_in_xlsx_when_loaded_then_they_equal_the_csv_ones(tmp_path: Path) -> None:
    with (CALC_DATA / "custom-factors.csv").open(encoding="utf-8", newline="") as file:
        rows = [list(row) for row in csv.reader(file)]
    workbook = write_xlsx(tmp_path / "custom-factors.xlsx", rows)
    assert load_factor_file(workbook) == load_factor_file(CALC_DATA / "custom-factors.csv")


def test_given_factor_workbook_with_formula_when_loaded_then_rejected_naming_cell(tmp_path: Path) -> None:
    header = ["dataset", "version", "factor_id", "gas", "value", "unit", "source_document", "licence"]
    workbook = write_xlsx(tmp_path / "f.xlsx", [header, ["d", "1", "d/x", "CO2", "=1+1", "kg/kWh", "doc", "CC0"]])
    with pytest.raises(FactorDataError) as error:
        load_factor_file(workbook)
    (issue,) = error.value.issues
    assert (issue.row, issue.column) == (2, "value") and "formula" in issue.reason


def test_given_bad_factor_file_when_loaded_then_every_bad_row_is_reported() -> None:
    with pytest.raises(FactorDataError) as error:
        load_factor_file(CALC_DATA / "bad-factors.csv")
    assert error.value.issue_count == 11


def test_given_empty_factor_file_when_loaded_then_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(FactorDataError, match="is empty"):
        load_factor_file(path)
