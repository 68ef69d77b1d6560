"""The work done on a chunk of rows: checking it (in the importing process) and building its records (in a
worker process, or the importing one for small files).

`check_chunk` validates and calculates rows and returns what the importer needs to decide about each record
(identity, figures for the totals, the parts of its 3D code). `build_chunk` does the work again on the same rows
once the whole file is known to be clean (so it cannot fail), and turns each new record into its canonical
bytes with the serial the importer assigned. Both read the state `prepare` sets up in the process that runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from ledger.calc.calculate import ActivityKind, Calculator, Emission
from ledger.calc.factors import Factor
from ledger.calc.gwp import gwp_set
from ledger.canonical import MAX_SAFE_INTEGER
from ledger.errors import (
    CalculationError,
    CalorificBasisError,
    FactorNotFoundError,
    GwpError,
    Issue,
    UnitError,
)
from oracle.ingest.columns import Header
from oracle.ingest.formats import RawRow
from oracle.ingest.identity import identity_digest, log_key
from oracle.ingest.options import IngestOptions
from oracle.ingest.records import CodeParts, code_of, record_of
from oracle.ingest.totals import Totals
from oracle.ingest.validate import ActivityRow, RowValidator


class CheckedRecord(NamedTuple):
    """What the importer needs to know about one record of a valid row (a tuple: a million are cheap)."""

    row_number: int
    account: str
    gwp_set: str
    digest: bytes
    code_parts: CodeParts


class CheckedChunk(NamedTuple):
    """A chunk's rows checked: how many were valid, their records, their issues and the records' totals."""

    rows: int
    records: list[CheckedRecord]
    issues: list[Issue]
    totals: Totals


@dataclass
class _Work:
    file: str
    validator: RowValidator
    options: IngestOptions
    calculators: dict[str, Calculator]


_work: _Work | None = None


def prepare(file: str, header: Header, header_cells: tuple[str, ...], options: IngestOptions) -> None:
    """Set up this process to check or build chunks of `file`."""
    global _work
    validator = RowValidator(file, header, header_cells, options.default_gwp_set, options.library)
    _work = _Work(file, validator, options, {})


def check_chunk(rows: list[RawRow]) -> CheckedChunk:
    """Validate and calculate `rows`: the records they make, and every issue found in them."""
    work = _current()
    records: list[CheckedRecord] = []
    issues: list[Issue] = []
    totals = Totals()
    row_count = 0
    for raw in rows:
        row, row_issues = work.validator.validate(raw)
        issues.extend(row_issues)
        if row is None:
            continue
        row_count += 1
        for kind in row.kinds:
            calculated = _emission(work, row, kind, issues)
            if calculated is None:
                continue
            emission, factor = calculated
            totals.add(row.source.category.scope, kind.scope2_method, emission)
            digest = identity_digest(row, kind, factor)
            records.append(CheckedRecord(row.row_number, row.account, row.gwp_set, digest, code_parts(row)))
    return CheckedChunk(row_count, records, issues, totals)


def build_chunk(job: tuple[list[RawRow], int, frozenset[bytes]]) -> list[tuple[str, bytes]]:
    """(log key, canonical bytes) of each record of `rows` not in `skipped`, serials counting from `first`.

    The rows were checked clean before, so validation and calculation succeed here as they did then.
    """
    rows, first_serial, skipped = job
    work = _current()
    built: list[tuple[str, bytes]] = []
    serial = first_serial
    for raw in rows:
        row, _ = work.validator.validate(raw)
        if row is None:
            continue
        for kind in row.kinds:
            calculation = _calculator(work, row).calculate_kind(kind, row.quantity, _instruments(row, kind))
            digest = identity_digest(row, kind, calculation.factor)
            if digest in skipped:
                continue
            record = record_of(row, kind, calculation, code_of(code_parts(row), serial))
            built.append((log_key(digest), record.canonical_bytes()))
            serial += 1
    return built


def code_parts(row: ActivityRow) -> CodeParts:
    category = row.source.category
    return CodeParts(row.account, row.facility, row.period, category.scope, category.token, row.source.token)


def _current() -> _Work:
    if _work is None:
        raise RuntimeError("chunks.prepare() was not called in this process")
    return _work


def _calculator(work: _Work, row: ActivityRow) -> Calculator:
    calculator = work.calculators.get(row.gwp_set)
    if calculator is None:
        options = work.options
        calculator = Calculator(options.library, gwp_set(row.gwp_set), options.conversions, options.datasets)
        work.calculators[row.gwp_set] = calculator
    return calculator


def _instruments(row: ActivityRow, kind: ActivityKind) -> Decimal | None:
    return row.instrument_quantity if kind.scope2_method == "market" else None


def _emission(work: _Work, row: ActivityRow, kind: ActivityKind, issues: list[Issue]) -> tuple[Emission, Factor] | None:
    """The emission of one of the row's kinds and its factor; None after reporting why there is none."""
    instrument_quantity = _instruments(row, kind)
    try:
        emission, factor = _calculator(work, row).emission_kind(kind, row.quantity, instrument_quantity)
    except CalculationError as e:
        issues.append(Issue(work.file, row.row_number, _column_of(e, instrument_quantity is not None), None, str(e)))
        return None
    if max(emission.co2e_g, emission.biogenic_co2_g) > MAX_SAFE_INTEGER:
        reason = "exceeds the largest figure one record holds (2^53 - 1 g); split it by period or facility"
        issues.append(Issue(work.file, row.row_number, "activity_quantity", str(row.quantity), reason))
        return None
    return emission, factor


def _column_of(error: CalculationError, has_instruments: bool) -> str | None:
    """The column a calculation error points at, for the issue that reports it."""
    if isinstance(error, UnitError):
        return "activity_unit"
    if isinstance(error, CalorificBasisError):
        return "calorific_basis"
    if isinstance(error, GwpError):
        return "gwp_set"
    if isinstance(error, FactorNotFoundError):
        return "source"  # named factors were checked with the row; this is a missing default
    return "instrument_quantity" if has_instruments else None
