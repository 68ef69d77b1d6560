"""The region's account table as CSV and XLSX: one row per enterprise, ranked by emissions.

Both files have the same columns. Grams are whole numbers; tonnes, intensities and ratios are decimal text in
the CSV and numbers in the workbook; figures the chain did not give (it was unavailable) are empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

_GRAMS_PER_TONNE = Decimal(1_000_000)


def _tonnes(grams: int | None) -> Decimal | None:
    return None if grams is None else (Decimal(grams) / _GRAMS_PER_TONNE).quantize(Decimal("0.000001"))


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _book(field: str) -> Callable[[dict[str, Any]], int | None]:
    return lambda row: None if row["book"] is None else row["book"][field]


def _benchmark(row: dict[str, Any]) -> Decimal | None:
    benchmark = row["rating"]["benchmark"]
    return None if benchmark is None else Decimal(benchmark["intensity_t_per_unit"])


COLUMNS: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = (
    ("rank", lambda row: row["rank"]),
    ("account", lambda row: row["account"]),
    ("name", lambda row: row["name"]),
    ("industry", lambda row: row["industry"]),
    ("parent", lambda row: row["parent"]),
    ("emissions_g", lambda row: row["emissions_g"]),
    ("emissions_t", lambda row: _tonnes(row["emissions_g"])),
    ("output", lambda row: _decimal(row["rating"]["inputs"]["output"])),
    ("output_unit", lambda row: row["rating"]["inputs"]["output_unit"]),
    ("intensity_t_per_unit", lambda row: _decimal(row["rating"]["intensity_t_per_unit"])),
    ("benchmark_t_per_unit", _benchmark),
    ("ratio", lambda row: _decimal(row["rating"]["ratio"])),
    ("colour", lambda row: row["rating"]["colour"] or f"unrated: {row['rating']['unrated_reason']}"),
    ("allowance_g", _book("allowance_g")),
    ("balance_g", _book("balance_g")),
)


def table(report: dict[str, Any]) -> list[list[Any]]:
    """The header and one row per account, as Python values."""
    return [[name for name, _ in COLUMNS]] + [[value(row) for _, value in COLUMNS] for row in report["accounts"]]


def csv_bytes(report: dict[str, Any]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in table(report):
        writer.writerow(["" if value is None else str(value) for value in row])
    return text.getvalue().encode("utf-8")


def xlsx_bytes(report: dict[str, Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{report['region']} {report['year']}"[:31]
    for row in table(report):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
