"""Shared fixtures of the calculation tests: the test data folder and a library with the test's own factors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ledger.calc.factors import factors_from_rows
from ledger.calc.library import FactorLibrary, shipped_library

CALC_DATA = Path(__file__).resolve().parent.parent / "data" / "calc"


def csv_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as file:
        return [
            (row_number, {column: value.strip() for column, value in row.items()})
            for row_number, row in enumerate(csv.DictReader(file), start=2)
        ]


@pytest.fixture(scope="session")
def library() -> FactorLibrary:
    """The shipped datasets plus tests/data/calc/custom-factors.csv, loaded as a user's own set."""
    custom = factors_from_rows("custom-factors.csv", csv_rows(CALC_DATA / "custom-factors.csv"))
    return shipped_library().extended(custom)
