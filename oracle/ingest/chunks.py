"""The work done on a chunk of rows: checking it, and later building its records.

`check_chunk` validates and calculates rows and returns what the importer needs to decide about each record
(identity, figures for the totals, the parts of its 3D code), together with each record but its code, kept by
whichever process checked them: the template of its kind and its values written as canonical text (see
ledger.record_template). `build_chunk` gives those records, once the whole file is known to be clean (so it
cannot fail), their codes from the serials the importer assigned, and so their log keys and canonical bytes.
Both read the state `prepare` sets up in the process that runs them. A chunk is built as soon as the importer
has planned it (given it its serials), into entries prepared for the log (ledger.prepared_entries), cut where
the import's batches end so that each piece goes to one batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from ledger.calc.calculate import ActivityKind, Calculator, Figures
from ledger.calc.gwp import gwp_set
from ledger.calc.receipt import quantity_paths
from ledger.canonical import MAX_SAFE_INTEGER
from ledger.code import CodeStem
from ledger.prepared_entries import PreparedEntries, prepare_entries
from ledger.record_template import RecordLeaves, RecordTemplate
from ledger.errors import (
    CalculationError,
    CalorificBasisError,
    FactorNotFoundError,
    GwpError,
    Issue,
    UnitError,
)
from oracle.account_totals import counts_toward
from oracle.ingest.columns import Header
from oracle.ingest.formats import RawRow
from oracle.ingest.identity import identity_digest, log_key
from oracle.ingest.options import IngestOptions
from oracle.ingest.records import CodeParts, CodeStems, record_of
from oracle.ingest.totals import Totals
from oracle.ingest.validate import ActivityRow, RowValidator


# What the importer needs to know about one record of a valid row: (row number, account, GWP set, identity
# digest, the parts of its 3D code, the grams it adds to its account, or None if it does not count toward it).
# A plain tuple: it crosses from a worker to the importer several times faster than a named one, and a million
# of them are cheap.
CheckedRecord = tuple[int, str, str, bytes, CodeParts, int | None]


class CheckedChunk(NamedTuple):
    """A chunk's rows checked: how many were valid, their records, their issues and the records' totals."""

    rows: int
    records: list[CheckedRecord]
    issues: list[Issue]
    totals: Totals


class CalculatedRecord(NamedTuple):
    """A record as the check left it, to be built once the file is known to be clean: the template of its kind
    and the stem of its code (each shared by many records), its values but the code written as canonical text,
    and its identity digest. Only the code's serial waits for the record's place in the log."""

    template: RecordTemplate
    leaves: RecordLeaves
    stem: CodeStem
    digest: bytes


@dataclass(frozen=True)
class ChunkPlan:
    """What building a chunk needs besides its records: the serial of its first new record, the digests
    of the records already in the log, which are left out, and where the import's batches of `batch_size`
    records begin: at log position `batch_start` and every `batch_size` after it."""

    first_serial: int
    skipped: frozenset[bytes]
    batch_start: int
    batch_size: int


@dataclass
class _Work:
    file: str
    validator: RowValidator
    options: IngestOptions
    calculators: dict[str, Calculator]
    stems: CodeStems = field(default_factory=CodeStems)
    templates: dict[tuple[object, ...], RecordTemplate] = field(default_factory=dict)


_work: _Work | None = None


def prepare(file: str, header: Header, header_cells: tuple[str, ...], options: IngestOptions) -> None:
    """Set up this process to check or build chunks of `file`."""
    global _work
    validator = RowValidator(file, header, header_cells, options.default_gwp_set, options.library)
    _work = _Work(file, validator, options, {})


def check_chunk(rows: list[RawRow], keep: bool) -> tuple[CheckedChunk, list[CalculatedRecord]]:
    """Validate and calculate `rows`: what the importer needs to know of them, and (if `keep`) their records
    to build."""
    work = _current()
    checked: list[CheckedRecord] = []
    calculated: list[CalculatedRecord] = []
    issues: list[Issue] = []
    totals = Totals()
    row_count = 0
    for raw in rows:
        row, row_issues = work.validator.validate(raw)
        issues.extend(row_issues)
        if row is None:
            continue
        row_count += 1
        parts = code_parts(row)
        for kind in row.kinds:
            figures = _figures(work, row, kind, issues)
            if figures is None:
                continue
            emission = figures.emission
            totals.add(row.source.category.scope, kind.scope2_method, emission)
            digest = identity_digest(row, kind, figures.factor)
            counted = emission.co2e_g if counts_toward(row.source.category.scope, kind.scope2_method) else None
            checked.append((row.row_number, row.account, row.gwp_set, digest, parts, counted))
            if keep:
                template = _template(work, row, kind)
                leaves = template.leaves(
                    row.account, row.facility, row.period, row.quantity,
                    emission.gases_g, emission.co2e_g, emission.biogenic_co2_g, figures.quantities,
                )
                calculated.append(CalculatedRecord(template, leaves, work.stems.stem(parts), digest))
    return CheckedChunk(row_count, checked, issues, totals), calculated


def build_chunk(records: list[CalculatedRecord], plan: ChunkPlan) -> list[PreparedEntries]:
    """The records not skipped by `plan`, serials counting from its first, prepared for their log positions, in
    pieces that each fall within one batch of the import.

    The records were checked clean and hold everything but their codes, so building them cannot fail.
    """
    keys: list[str | None] = []
    entries: list[bytes] = []
    serial = plan.first_serial
    for template, leaves, stem, digest in records:
        if digest in plan.skipped:
            continue
        keys.append(log_key(digest))
        entries.append(template.record_bytes(stem.code(serial), leaves))
        serial += 1
    first_index = plan.first_serial - 1
    pieces = []
    start = 0
    while start < len(entries):
        into_batch = (first_index + start - plan.batch_start) % plan.batch_size
        end = min(len(entries), start + plan.batch_size - into_batch)
        pieces.append(prepare_entries(first_index + start, entries[start:end], keys[start:end]))
        start = end
    return pieces


def _template(work: _Work, row: ActivityRow, kind: ActivityKind) -> RecordTemplate:
    """The template of the records of `row`'s kind, made from `row`'s record the first time it is asked for."""
    instruments = _instruments(row, kind)
    key = (kind, row.gwp_set, row.iso_category, row.unit, row.source.slug, instruments is not None)
    template = work.templates.get(key)
    if template is None:
        calculation = _calculator(work, row).calculate_kind(kind, row.quantity, instruments)
        # The code is a hole of the template: any valid code serves for the record it is made from.
        record = record_of(row, kind, calculation, work.stems.code(code_parts(row), 1))
        template = work.templates[key] = RecordTemplate(record, quantity_paths(1 if instruments is None else 2))
    return template


def code_parts(row: ActivityRow) -> CodeParts:
    category = row.source.category
    return (row.account, row.facility, row.period, category.scope, category.token, row.source.token)


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


def _figures(work: _Work, row: ActivityRow, kind: ActivityKind, issues: list[Issue]) -> Figures | None:
    """The figures of one of the row's kinds; None after reporting why there are none."""
    instrument_quantity = _instruments(row, kind)
    try:
        figures = _calculator(work, row).figures(kind, row.quantity, instrument_quantity)
    except CalculationError as e:
        issues.append(Issue(work.file, row.row_number, _column_of(e, instrument_quantity is not None), None, str(e)))
        return None
    if max(figures.emission.co2e_g, figures.emission.biogenic_co2_g) > MAX_SAFE_INTEGER:
        reason = "exceeds the largest figure one record holds (2^53 - 1 g); split it by period or facility"
        issues.append(Issue(work.file, row.row_number, "activity_quantity", str(row.quantity), reason))
        return None
    return figures


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
