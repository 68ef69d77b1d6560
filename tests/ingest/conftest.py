"""Shared helpers of the ingestion tests: test data, a fresh in-memory log, and workbook building."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ledger.calc.library import shipped_library
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from oracle.ingest.options import IngestOptions

INGEST_DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"


@pytest.fixture
def log() -> MerkleLog:
    return MerkleLog(MemoryLogStore(), "carbonledger/test")


@pytest.fixture(scope="session")
def options() -> IngestOptions:
    return IngestOptions(shipped_library())


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    """A workbook whose first sheet holds `rows`; a cell {"date": "2025-03-01"} becomes a date cell."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append([date.fromisoformat(cell["date"]) if isinstance(cell, dict) else cell for cell in row])
    workbook.save(path)
    return path


def write_mixed_file(path: Path, rows: int, years: tuple[int, ...] = (2025,)) -> Path:
    """`rows` distinct rows of the four kinds in good/activities.csv (one calculated both location- and
    market-based, with contractual instruments), over three accounts (two on AR5, one on AR6), with and
    without facility, through the months of `years`."""
    with (INGEST_DATA / "good" / "activities.csv").open(encoding="utf-8", newline="") as file:
        header, *kinds = list(csv.reader(file))
    lines = []
    for index in range(rows):
        account, facility, _, source, _, unit, basis, method, factor_id, _, _ = kinds[index % len(kinds)]
        quantity = f"{1 + index * 7 % 997}.{index:03d}"
        instruments = f"{index % 5}.5" if method == "both" else ""
        period = f"{years[index % len(years)]}M{1 + index % 12:02d}"
        lines.append([f"QZ000{1 + index % 3}", "" if index % 4 == 0 else facility, period, source, quantity, unit,
                      basis, method, factor_id, instruments, ("AR5", "AR5", "AR6")[index % 3]])
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([header, *lines])
    return path
