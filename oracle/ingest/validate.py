"""Validating one row of an activity file into an `ActivityRow`, reporting every bad cell of it.

Checks are per cell and cheap; values that repeat down a file (periods, sources, units) are parsed once and
remembered, and so are whole rows: a row whose cells, but for its quantity, are those of a valid row seen before
is valid exactly when its quantity is, so only the quantity is checked again. Accounts and facilities must be
valid in a 3D code (3 to 6 letters or digits); quantities must be plain finite numbers, not negative, below 10¹⁵
and with at most 12 decimal places.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from ledger.calc.calculate import ActivityKind
from ledger.calc.gwp import GWP_SET_NAMES
from ledger.calc.library import FactorLibrary
from ledger.calc.sources import Source, source
from ledger.calc.units import parse_unit
from ledger.errors import CalculationError, FactorNotFoundError, Issue, PeriodError, UnitError
from ledger.period import Period
from oracle.ingest.columns import COLUMNS, Header
from oracle.ingest.formats import RawRow

MAX_QUANTITY = Decimal(10) ** 15
MAX_DECIMAL_PLACES = 12
_ACCOUNT = re.compile(r"[A-Z][A-Z0-9]{2,5}")
_FACILITY = re.compile(r"[A-Z0-9]{3,6}")
_BASES = {"NCV": "NCV", "GCV": "GCV", "LHV": "NCV", "HHV": "GCV", "低位发热量": "NCV", "高位发热量": "GCV"}
_SCOPE2_METHODS = {
    "": ("location", "market"),
    "both": ("location", "market"),
    "location": ("location",),
    "market": ("market",),
    "基于位置": ("location",),
    "基于市场": ("market",),
    "两者": ("location", "market"),
}
_ISO_CATEGORIES_BY_SCOPE = {1: range(1, 2), 2: range(2, 3), 3: range(3, 7)}
# Valid rows remembered by their cells but the quantity; past this many, the memory starts afresh.
_MAX_REMEMBERED_ROWS = 20_000


class ActivityRow(NamedTuple):
    """A valid row: who, when, what and how much, and how to calculate it.

    `kinds` holds one activity kind, or two for a scope 2 row calculated both location- and market-based
    (the market-based one with the market factor and the contractual instruments). A tuple rather than a
    dataclass: an import keeps a file's worth of them between its check and its write.
    """

    row_number: int
    account: str
    facility: str | None
    period: str
    source: Source
    iso_category: int
    quantity: Decimal
    unit: str
    calorific_basis: str | None
    kinds: tuple[ActivityKind, ...]
    instrument_quantity: Decimal | None
    gwp_set: str


class RowValidator:
    """Validates the rows of one file against its header; `default_gwp_set` fills rows that name none."""

    def __init__(
        self, file: str, header: Header, header_cells: tuple[str, ...], default_gwp_set: str, library: FactorLibrary
    ) -> None:
        self.file = file
        self.library = library
        self.header = header
        self.header_cells = header_cells
        self.default_gwp_set = default_gwp_set
        self.positions = {column: position for position, column in enumerate(header.columns) if column is not None}
        self._present = tuple(self.positions.items())
        # Every column maps to its cell text in a row, "" where the file lacks the column.
        self._absent = {column: "" for column in COLUMNS if column not in self.positions}
        self._periods: dict[str, tuple[str] | str] = {}
        self._sources: dict[str, Source | str] = {}
        self._units: dict[str, str | None] = {}
        self._factor_ids: set[str] = set()
        self._kinds_seen: dict[tuple[str | tuple[str | None, ...] | None, ...], tuple[ActivityKind, ...]] = {}
        self._quantity_position = self.positions["activity_quantity"]
        self._rows_seen: dict[tuple[str, ...], ActivityRow] = {}

    def validate(self, raw: RawRow) -> tuple[ActivityRow | None, list[Issue]]:
        """The row as an ActivityRow, or None with the issues found; (None, []) for a blank row."""
        cells = raw.cells
        position = self._quantity_position
        # Rows as wide as the header and read without problems can be remembered; others are rare.
        rememberable = len(cells) == len(self.header.columns) and not raw.problems
        if rememberable:
            others = cells[:position] + cells[position + 1 :]
            seen = self._rows_seen.get(others)
            if seen is not None:
                quantity, _ = _decimal(cells[position].strip())
                if quantity is not None:
                    return seen._replace(row_number=raw.row_number, quantity=quantity), []
        row, issues = self._validate_cells(raw)
        if row is not None and rememberable:
            if len(self._rows_seen) >= _MAX_REMEMBERED_ROWS:
                self._rows_seen.clear()
            self._rows_seen[others] = row
        return row, issues

    def _validate_cells(self, raw: RawRow) -> tuple[ActivityRow | None, list[Issue]]:
        cells = raw.cells
        if not any(cells):
            return None, []
        texts = self._absent.copy()
        texts.update({column: cells[position].strip() for column, position in self._present if position < len(cells)})
        row = _Row(self, raw, texts)
        for position, reason in raw.problems:
            row.report_position(position, reason)
            # The reader's reason is the real one; what the validator would add about that cell is noise.
            row.silenced.add(self.header.columns[position] if position < len(self.header.columns) else None)
        for position in range(len(self.header.columns), len(cells)):
            if cells[position]:
                row.report_position(position, "lies beyond the last column of the header")

        account = texts["account"].upper()
        if not _ACCOUNT.fullmatch(account):
            row.report("account", "must be 3 to 6 letters or digits, starting with a letter (its 3D code id)")
        facility = texts["facility"].upper() or None
        if facility is not None and not _FACILITY.fullmatch(facility):
            row.report("facility", "must be empty or 3 to 6 letters or digits (its 3D code id)")
        period = self._period(row)
        emission_source = self._source(row)
        iso_category = self._iso_category(row, emission_source)
        quantity = row.decimal("activity_quantity", required=True)
        unit = self._unit(row)
        basis_text = texts["calorific_basis"]
        calorific_basis = _BASES.get(basis_text.upper(), _BASES.get(basis_text)) if basis_text else None
        if basis_text and calorific_basis is None:
            row.report("calorific_basis", "must be empty, NCV or GCV")
        methods = self._scope2_methods(row, emission_source)
        instrument_quantity = row.decimal("instrument_quantity", required=False)
        if instrument_quantity is not None and "market" not in methods:
            row.report("instrument_quantity", "applies to market-based scope 2 rows only")
        gwp_set = texts["gwp_set"].upper() or self.default_gwp_set
        if gwp_set not in GWP_SET_NAMES:
            row.report("gwp_set", f"must be one of {', '.join(GWP_SET_NAMES)}")
        kinds = (
            self._kinds(row, emission_source.slug, unit, calorific_basis, methods) if emission_source and unit else ()
        )
        if row.issues or period is None or emission_source is None or quantity is None or unit is None:
            return None, row.issues
        return (
            ActivityRow(
                row_number=raw.row_number,
                account=account,
                facility=facility,
                period=period,
                source=emission_source,
                iso_category=iso_category or emission_source.category.iso_category,
                quantity=quantity,
                unit=unit,
                calorific_basis=calorific_basis,
                kinds=kinds,
                instrument_quantity=instrument_quantity,
                gwp_set=gwp_set,
            ),
            [],
        )

    def _kinds(
        self, row: _Row, slug: str, unit: str, calorific_basis: str | None, methods: tuple[str | None, ...]
    ) -> tuple[ActivityKind, ...]:
        factor_id = self._factor_id(row, "factor_id")
        market_factor_id = self._factor_id(row, "market_factor_id")
        instrument_factor_id = self._factor_id(row, "instrument_factor_id")
        key = (slug, unit, calorific_basis, methods, factor_id, market_factor_id, instrument_factor_id)
        kinds = self._kinds_seen.get(key)
        if kinds is None:
            kinds = self._kinds_seen[key] = tuple(
                ActivityKind(
                    source=slug,
                    unit=unit,
                    calorific_basis=calorific_basis,
                    scope2_method=method,
                    # A row calculated both ways names its location factor in factor_id; market_factor_id
                    # (or the default) serves the market-based figure.
                    factor_id=market_factor_id
                    if method == "market" and (market_factor_id or len(methods) > 1)
                    else factor_id,
                    instrument_factor_id=instrument_factor_id if method == "market" else None,
                )
                for method in methods
            )
        return kinds

    def _factor_id(self, row: _Row, column: str) -> str | None:
        factor_id = row.texts[column] or None
        if factor_id is not None and factor_id not in self._factor_ids:
            try:
                self.library.factor(factor_id)
                self._factor_ids.add(factor_id)
            except FactorNotFoundError as e:
                row.report(column, str(e))
        return factor_id

    def _period(self, row: _Row) -> str | None:
        """The period in canonical form; periods seen before are looked up, not parsed again."""
        text = row.text("period")
        found = self._periods.get(text)
        if found is None:
            try:
                found = (Period.parse(text.upper()).text,)
            except PeriodError as e:
                found = e.reason
            self._periods[text] = found
        if isinstance(found, str):
            row.report("period", found)
            return None
        return found[0]

    def _source(self, row: _Row) -> Source | None:
        text = row.text("source")
        found = self._sources.get(text)
        if found is None:
            try:
                found = source(text)
            except CalculationError as e:
                found = str(e)
            self._sources[text] = found
        if isinstance(found, str):
            row.report("source", found)
            return None
        scope_text = row.text("scope")
        if scope_text and scope_text != str(found.category.scope):
            row.report("scope", f"source {found.slug} is scope {found.category.scope}")
        category_text = row.text("scope3_category")
        if category_text and category_text != str(found.category.scope3_category):
            expected = found.category.scope3_category
            row.report(
                "scope3_category",
                f"source {found.slug} is scope 3 category {expected}"
                if expected
                else "applies to scope 3 sources only",
            )
        return found

    def _iso_category(self, row: _Row, emission_source: Source | None) -> int | None:
        text = row.text("iso_category")
        if not text or emission_source is None:
            return None
        allowed = _ISO_CATEGORIES_BY_SCOPE[emission_source.category.scope]
        if not text.isdigit() or int(text) not in allowed:
            row.report(
                "iso_category",
                f"scope {emission_source.category.scope} sources belong to ISO 14064-1 category "
                f"{allowed.start}" + (f" to {allowed.stop - 1}" if len(allowed) > 1 else ""),
            )
            return None
        return int(text)

    def _unit(self, row: _Row) -> str | None:
        text = row.text("activity_unit")
        if text not in self._units:
            try:
                parse_unit(text)
                self._units[text] = None
            except UnitError as e:
                self._units[text] = str(e)
        problem = self._units[text]
        if problem is not None:
            row.report("activity_unit", problem)
            return None
        return text

    def _scope2_methods(self, row: _Row, emission_source: Source | None) -> tuple[str | None, ...]:
        text = row.text("scope2_method")
        if emission_source is None or emission_source.category.scope != 2:
            if text:
                row.report("scope2_method", "applies to scope 2 sources only")
            return (None,)
        methods = _SCOPE2_METHODS.get(text.lower())
        if methods is None:
            row.report("scope2_method", "must be location, market or both (empty means both)")
            return ("location",)
        return methods


class _Row:
    """One row's cells by column, and the issues found in it."""

    def __init__(self, validator: RowValidator, raw: RawRow, texts: dict[str, str]) -> None:
        self.validator = validator
        self.raw = raw
        self.texts = texts
        self.issues: list[Issue] = []
        self.silenced: set[str | None] = set()

    def text(self, column: str) -> str:
        return self.texts[column]

    def report(self, column: str, reason: str) -> None:
        if column in self.silenced:
            return
        position = self.validator.positions.get(column)
        shown_column = column if position is None else self.validator.header_cells[position]
        self.issues.append(Issue(self.validator.file, self.raw.row_number, shown_column, self.text(column), reason))

    def report_position(self, position: int, reason: str) -> None:
        header_cells = self.validator.header_cells
        column = header_cells[position] if position < len(header_cells) else f"column {position + 1}"
        self.issues.append(Issue(self.validator.file, self.raw.row_number, column, self.raw.cells[position], reason))

    def decimal(self, column: str, required: bool) -> Decimal | None:
        text = self.text(column)
        if not text:
            if required:
                self.report(column, "is required")
            return None
        quantity, problem = _decimal(text)
        if problem is not None:
            self.report(column, problem)
        return quantity


def _decimal(text: str) -> tuple[Decimal | None, str | None]:
    """The quantity written as `text` (not empty), or None and what is wrong with it."""
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        return None, "is not a number (write digits with a '.' decimal point, no thousands separators)"
    if not quantity.is_finite():
        return None, "must be a finite number"
    if quantity < 0:
        return None, "must not be negative"
    if quantity >= MAX_QUANTITY:
        return None, "is too large: quantities must stay below 10^15 (use a larger unit)"
    if quantity.as_tuple().exponent < -MAX_DECIMAL_PLACES:  # type: ignore[operator]
        return None, f"has more than {MAX_DECIMAL_PLACES} decimal places"
    return quantity, None
