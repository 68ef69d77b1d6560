"""Reading a user's own factor set from a CSV or XLSX file with the columns of the shipped datasets."""

from __future__ import annotations

from pathlib import Path

from ledger.calc.factors import Factor, factors_from_rows
from ledger.errors import FactorDataError, IngestError, Issue
from oracle.ingest.formats import read_rows


def load_factor_file(path: Path) -> tuple[Factor, ...]:
    """The factors in the file at `path`; FactorDataError listing every problem if any row is malformed."""
    try:
        rows = list(read_rows(path))
    except IngestError as e:
        raise FactorDataError(e.issues) from e
    if not rows:
        raise FactorDataError((Issue(path.name, None, None, None, "is empty: no header row"),))
    header = [cell.strip() for cell in rows[0].cells]
    problems = [
        Issue(
            path.name, raw.row_number, header[position] if position < len(header) else None, raw.cells[position], reason
        )
        for raw in rows[1:]
        for position, reason in raw.problems
    ]
    if problems:
        raise FactorDataError(tuple(problems))
    table = [
        (raw.row_number, {column: cell.strip() for column, cell in zip(header, raw.cells, strict=False) if column})
        for raw in rows[1:]
        if any(raw.cells)
    ]
    return factors_from_rows(path.name, table)
