"""Reading the datasets shipped under `ledger/calc/data/`: UTF-8 CSV with a header row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from importlib import resources

# Row 1 is the header, so the first data row is row 2, as a spreadsheet numbers it.
FIRST_DATA_ROW = 2


def package_csv_rows(file_name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) for each data row of the shipped CSV `file_name`; cells stripped of outer spaces."""
    text = resources.files("ledger.calc").joinpath("data", file_name).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row_number, row in enumerate(reader, start=FIRST_DATA_ROW):
        yield row_number, {column: (value or "").strip() for column, value in row.items() if column is not None}
