"""Shared helpers of the ingestion tests: test data, a fresh in-memory log, and workbook building."""

from __future__ import annotations

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
