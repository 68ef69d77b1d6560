"""Emission factors: per-gas values for one activity, with the document and licence each value comes from.

A factor is given either directly (kg of a gas per unit of activity: 53.06 kg CO2/mmBtu) or by carbon
content (tonnes of carbon per unit of energy, × oxidation fraction × 44/12 for CO2: 15.3 tC/TJ, 99 %). A
factor given per unit of energy may carry the fuel's default heating value (389.31 GJ per 万Nm³), so that
activity measured by mass or volume can use it. Energy figures state their calorific basis, NCV or GCV.

Datasets are tables with one row per factor and gas; `factors_from_rows` reads such a table (shipped or a
user's own) and reports every malformed row, not only the first. Every row names `factor_id`, `dataset`,
`version`, `gas`, `value`, `unit` (mass per activity unit: kg/mmBtu, tC/TJ), `source_document` and `licence`;
optional columns are `name`, `source` (the ;-separated sources this factor is the dataset's default for),
`scope2_method`, `calorific_basis`, `heating_value` with `heating_value_unit` (GJ/万Nm³), `oxidation_fraction`
and `note` (where "(check)" marks a figure not re-verified).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ledger.calc.gwp import BIOGENIC_CO2, known_gases
from ledger.calc.sources import SOURCE_SLUG
from ledger.calc.units import is_energy, parse_unit
from ledger.errors import FactorDataError, Issue, UnitError

CALORIFIC_BASES = ("NCV", "GCV")
SCOPE2_METHODS = ("location", "market")

# Grams per unit of the mass a factor is stated in; a trailing C means mass of carbon, not of the gas.
_GRAMS_PER_MASS_UNIT = {"g": Decimal(1), "kg": Decimal(1000), "t": Decimal(1000000)}
_FACTOR_ID = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*")

# Figures outside this range are typing errors, and would push products past the calculation's precision.
_MIN_MAGNITUDE = Decimal("1e-20")
_MAX_MAGNITUDE = Decimal("1e15")

REQUIRED_COLUMNS = ("factor_id", "dataset", "version", "gas", "value", "unit", "source_document", "licence")
# Columns whose value is the same on every row of one factor.
_FACTOR_COLUMNS = (
    "dataset",
    "version",
    "name",
    "source",
    "scope2_method",
    "calorific_basis",
    "heating_value",
    "heating_value_unit",
    "oxidation_fraction",
    "licence",
)


@dataclass(frozen=True)
class FactorUnit:
    """The unit of a factor value, e.g. 'tC/TJ': grams per numerator unit, whether it is carbon, per what."""

    text: str
    grams: Decimal
    is_carbon: bool
    per_unit: str


@dataclass(frozen=True)
class FactorGas:
    """One gas of a factor: its value in `unit`, and the document that value is taken from."""

    gas: str
    value: Decimal
    unit: FactorUnit
    source_document: str
    note: str


@dataclass(frozen=True)
class HeatingValue:
    """A fuel's default heating value: `value` units of `energy_unit` per `per_unit` of fuel."""

    value: Decimal
    energy_unit: str
    per_unit: str


@dataclass(frozen=True)
class Factor:
    """An emission factor: the gases one unit of an activity emits, with its dataset, version and licence.

    `default_for` names the sources (and, for scope 2, the `scope2_method`) this factor is the dataset's
    default for; a factor with no default is chosen only by its id.
    """

    factor_id: str
    dataset: str
    version: str
    name: str
    default_for: tuple[str, ...]
    scope2_method: str | None
    per_unit: str
    calorific_basis: str | None
    heating_value: HeatingValue | None
    oxidation_fraction: Decimal | None
    gases: tuple[FactorGas, ...]
    licence: str


def parse_factor_unit(text: str) -> FactorUnit:
    """Read 'kg/mmBtu', 'tC/TJ' or 'g/kWh'; UnitError if the mass or the activity unit is unknown."""
    grams, is_carbon = factor_mass_unit(text)
    per_unit = text.partition("/")[2].strip()
    parse_unit(per_unit)
    return FactorUnit(text, grams, is_carbon, per_unit)


def factor_mass_unit(text: str) -> tuple[Decimal, bool]:
    """Grams per mass unit of a factor unit ('tC/TJ' → 10⁶, carbon); needs no unit registry."""
    mass_text, slash, _ = text.partition("/")
    mass_text = mass_text.strip()
    is_carbon = mass_text.endswith("C")
    grams = _GRAMS_PER_MASS_UNIT.get(mass_text[:-1] if is_carbon else mass_text)
    if not slash or grams is None:
        raise UnitError(f"factor unit {text!r} must read <mass>/<activity unit> with mass g, kg, t, gC, kgC or tC")
    return grams, is_carbon


def factors_from_rows(file: str, rows: Iterable[tuple[int, Mapping[str, str]]]) -> tuple[Factor, ...]:
    """The factors of a dataset table; FactorDataError listing every malformed row if any is.

    `rows` yields (row number, row) with cells stripped; a row lacking an optional column reads it as empty.
    """
    issues: list[Issue] = []
    rows_by_factor: dict[str, list[_Cells]] = {}
    for row_number, row in rows:
        missing = [column for column in REQUIRED_COLUMNS if column not in row]
        if missing:
            issues.append(Issue(file, None, None, None, f"missing column(s): {', '.join(missing)}"))
            break
        cells = _Cells(file, row_number, row, issues)
        if _FACTOR_ID.fullmatch(row["factor_id"]):
            rows_by_factor.setdefault(row["factor_id"], []).append(cells)
        else:
            cells.report("factor_id", "must be lower-case words joined by / . _ -")
    factors = [_factor(factor_id, factor_rows) for factor_id, factor_rows in rows_by_factor.items()]
    if issues:
        raise FactorDataError(tuple(issues))
    return tuple(factor for factor in factors if factor is not None)


class _Cells:
    """The cells of one dataset row; malformed cells are reported to the table's shared list of issues."""

    def __init__(self, file: str, row_number: int, row: Mapping[str, str], issues: list[Issue]) -> None:
        self.file = file
        self.row_number = row_number
        self.row = row
        self.issues = issues

    def text(self, column: str) -> str:
        return self.row.get(column, "")

    def report(self, column: str, reason: str) -> None:
        self.issues.append(Issue(self.file, self.row_number, column, self.text(column), reason))

    def required_text(self, column: str) -> str:
        if not self.text(column):
            self.report(column, "is required")
        return self.text(column)

    def choice(self, column: str, choices: tuple[str, ...]) -> str | None:
        text = self.text(column)
        if text and text not in choices:
            self.report(column, f"must be empty or one of {', '.join(choices)}")
        return text if text in choices else None

    def decimal(self, column: str) -> Decimal | None:
        """The cell as a finite Decimal; None if it is empty or malformed (then reported)."""
        text = self.text(column)
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.report(column, "is not a decimal number")
            return None
        if not value.is_finite():
            self.report(column, "must be a finite number")
            return None
        if value and not _MIN_MAGNITUDE <= abs(value) < _MAX_MAGNITUDE:
            self.report(column, "is out of range (10^-20 to 10^15)")
            return None
        return value


def _factor(factor_id: str, rows: list[_Cells]) -> Factor | None:
    """The factor spread over `rows` (one per gas), or None after reporting what is wrong with them."""
    first = rows[0]
    issue_count = len(first.issues)
    for other in rows[1:]:
        for column in _FACTOR_COLUMNS:
            if other.text(column) != first.text(column):
                other.report(column, f"differs from row {first.row_number}, the first row of factor {factor_id}")
    dataset, version, licence = (first.required_text(column) for column in ("dataset", "version", "licence"))
    default_for = tuple(slug.strip() for slug in first.text("source").split(";") if slug.strip())
    if not all(SOURCE_SLUG.fullmatch(slug) for slug in default_for):
        first.report("source", "must be ;-separated lower-case slugs like stationary-combustion/natural-gas")
    scope2_method = first.choice("scope2_method", SCOPE2_METHODS)
    calorific_basis = first.choice("calorific_basis", CALORIFIC_BASES)
    oxidation = first.decimal("oxidation_fraction")
    if oxidation is not None and not 0 < oxidation <= 1:
        first.report("oxidation_fraction", "must be a fraction in (0, 1]")
    heating_value = _heating_value(first, calorific_basis)
    gases: list[FactorGas] = []
    for row in rows:
        gas = _factor_gas(row, oxidation)
        if gas is None:
            continue
        if any(seen.gas == gas.gas for seen in gases):
            row.report("gas", f"appears twice in factor {factor_id}")
        elif gases and gas.unit.per_unit != gases[0].unit.per_unit:
            row.report("unit", f"must be per {gases[0].unit.per_unit}, like the other gases of {factor_id}")
        else:
            gases.append(gas)
    if heating_value is not None and gases and not is_energy(gases[0].unit.per_unit):
        first.report("heating_value", "applies only to a factor given per unit of energy")
    if len(first.issues) > issue_count:
        return None
    return Factor(
        factor_id=factor_id,
        dataset=dataset,
        version=version,
        name=first.text("name") or factor_id,
        default_for=default_for,
        scope2_method=scope2_method,
        per_unit=gases[0].unit.per_unit,
        calorific_basis=calorific_basis,
        heating_value=heating_value,
        oxidation_fraction=oxidation,
        gases=tuple(gases),
        licence=licence,
    )


def _factor_gas(row: _Cells, oxidation: Decimal | None) -> FactorGas | None:
    gas = row.text("gas")
    if gas not in known_gases():
        row.report("gas", f"unknown gas id; known: {', '.join(sorted(known_gases()))}")
        return None
    value = row.decimal("value")
    if value is None or value < 0:
        if value is not None or not row.text("value"):
            row.report("value", "must be a number >= 0")
        return None
    try:
        unit = parse_factor_unit(row.text("unit"))
    except UnitError as e:
        row.report("unit", str(e))
        return None
    if unit.is_carbon and gas not in ("CO2", BIOGENIC_CO2):
        row.report("unit", "a carbon mass (gC, kgC, tC) converts to CO2 only")
    if unit.is_carbon and oxidation is None:
        row.report("oxidation_fraction", "is required for a factor given as carbon content")
    return FactorGas(gas, value, unit, row.required_text("source_document"), row.text("note"))


def _heating_value(row: _Cells, calorific_basis: str | None) -> HeatingValue | None:
    value, unit_text = row.decimal("heating_value"), row.text("heating_value_unit")
    if value is None and not unit_text and not row.text("heating_value"):
        return None
    energy_unit, slash, per_unit = (part.strip() for part in unit_text.partition("/"))
    try:
        if not slash or not is_energy(energy_unit):
            raise UnitError("must read <energy unit>/<fuel unit>, e.g. GJ/万Nm³")
        parse_unit(per_unit)
    except UnitError as e:
        row.report("heating_value_unit", str(e))
        return None
    if value is None or value <= 0:
        row.report("heating_value", "must be a positive number")
        return None
    if calorific_basis is None:
        row.report("calorific_basis", "is required with a heating value (NCV or GCV)")
    return HeatingValue(value, energy_unit, per_unit)
