"""The calculation receipt: what a record's figures were calculated from, enough to recompute them offline.

    {"method": "carbonledger-calc/1",
     "inputs": {"activity_quantity", "activity_unit", "calorific_basis", "scope2_method"[, "instrument_quantity"]},
     "terms": [{"label", "quantity",
                "factor": {"id", "dataset", "version", "name", "licence", "calorific_basis", "oxidation_fraction"},
                "unit_steps": [{"what", "multiplier"}], "unit_multiplier",
                "gases": {gas: {"value", "unit", "source"}}}],
     "gwp": {"set", "values": {gas: value}, "sources": [document]}}

Decimals are strings in plain notation. `read_receipt` parses a receipt back strictly: every field present,
every number well formed, the unit multiplier equal to the product of its steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ledger.calc.applied_factor import AppliedFactor, GasRate, UnitStep, gas_rate, unit_multiplier_of
from ledger.calc.factors import factor_mass_unit
from ledger.calc.gwp import GwpSet
from ledger.canonical import JSON, decimal_text
from ledger.canonical_template import Path
from ledger.errors import ReceiptError, UnitError

METHOD_VERSION = "carbonledger-calc/1"
WHOLE_ACTIVITY = "activity"
INSTRUMENT_UNCOVERED = "not covered by contractual instruments"
INSTRUMENT_COVERED = "covered by contractual instruments"


def applied_factor_receipt(applied: AppliedFactor) -> dict[str, JSON]:
    """The part of a term's receipt fixed by its factor and activity unit (all but label and quantity)."""
    factor = applied.factor
    oxidation = factor.oxidation_fraction
    return {
        "factor": {
            "id": factor.factor_id,
            "dataset": factor.dataset,
            "version": factor.version,
            "name": factor.name,
            "licence": factor.licence,
            "calorific_basis": factor.calorific_basis,
            "oxidation_fraction": None if oxidation is None else decimal_text(oxidation),
        },
        "unit_steps": [{"what": step.what, "multiplier": decimal_text(step.multiplier)} for step in applied.steps],
        "unit_multiplier": decimal_text(applied.unit_multiplier),
        "gases": {
            factor_gas.gas: {
                "value": decimal_text(factor_gas.value),
                "unit": factor_gas.unit.text,
                "source": factor_gas.source_document,
            }
            for factor_gas in factor.gases
        },
    }


def gwp_receipt(gwp: GwpSet, gases: Sequence[str]) -> dict[str, JSON]:
    """The GWP set and the values (with their documents) of the gases a calculation weighs."""
    return {
        "set": gwp.name,
        "values": {gas: decimal_text(gwp.gwp_of(gas)) for gas in gases},
        "sources": sorted({gwp.source_of(gas) for gas in gases}),
    }


def quantity_paths(term_count: int) -> tuple[Path, ...]:
    """Where a receipt of `term_count` terms repeats the calculation's quantities: the activity's, then (with
    contractual instruments, two terms) the covered quantity and each term's."""
    if term_count == 1:
        return (("inputs", "activity_quantity"), ("terms", 0, "quantity"))
    return (("inputs", "activity_quantity"), ("inputs", "instrument_quantity"), ("terms", 0, "quantity"),
            ("terms", 1, "quantity"))


def receipt_of(
    inputs: Mapping[str, JSON], terms: Sequence[Mapping[str, JSON]], gwp: Mapping[str, JSON]
) -> dict[str, JSON]:
    return {"method": METHOD_VERSION, "inputs": dict(inputs), "terms": list(terms), "gwp": dict(gwp)}


@dataclass(frozen=True)
class ReceiptTerm:
    """One term of a receipt, read back: its quantity and the rate of each gas."""

    quantity: Decimal
    rates: tuple[GasRate, ...]


@dataclass(frozen=True)
class ReadReceipt:
    """A receipt parsed back into the numbers a recomputation needs."""

    activity_quantity: Decimal
    activity_unit: str
    gwp_set: str
    terms: tuple[ReceiptTerm, ...]
    gwp_values: Mapping[str, Decimal]


def read_receipt(receipt: object) -> ReadReceipt:
    """Parse `receipt` strictly; ReceiptError naming the field (`terms[0].unit_multiplier`) if malformed."""
    receipt = _object(receipt, "receipt")
    method = receipt.get("method")
    if method != METHOD_VERSION:
        raise ReceiptError(f"method: {method!r} is not {METHOD_VERSION!r}, the method this version computes")
    inputs = _object(receipt.get("inputs"), "inputs")
    gwp = _object(receipt.get("gwp"), "gwp")
    terms = receipt.get("terms")
    if not isinstance(terms, Sequence) or isinstance(terms, str) or not terms:
        raise ReceiptError("terms: must be a non-empty list")
    try:
        terms_read = tuple(_term(term, f"terms[{index}]") for index, term in enumerate(terms))
    except ArithmeticError as e:
        raise ReceiptError(f"terms: their numbers overflow the calculation ({type(e).__name__})") from e
    return ReadReceipt(
        activity_quantity=_decimal(inputs.get("activity_quantity"), "inputs.activity_quantity"),
        activity_unit=_text(inputs.get("activity_unit"), "inputs.activity_unit"),
        gwp_set=_text(gwp.get("set"), "gwp.set"),
        terms=terms_read,
        gwp_values={
            gas: _decimal(value, f"gwp.values.{gas}") for gas, value in _object(gwp.get("values"), "gwp.values").items()
        },
    )


def _term(term: object, path: str) -> ReceiptTerm:
    term = _object(term, path)
    steps = term.get("unit_steps")
    if not isinstance(steps, Sequence) or isinstance(steps, str):
        raise ReceiptError(f"{path}.unit_steps: must be a list")
    unit_steps = tuple(
        UnitStep(
            _text(_object(step, f"{path}.unit_steps[{index}]").get("what"), f"{path}.unit_steps[{index}].what"),
            _decimal(
                _object(step, f"{path}.unit_steps[{index}]").get("multiplier"), f"{path}.unit_steps[{index}].multiplier"
            ),
        )
        for index, step in enumerate(steps)
    )
    unit_multiplier = _decimal(term.get("unit_multiplier"), f"{path}.unit_multiplier")
    if unit_multiplier_of(unit_steps) != unit_multiplier:
        raise ReceiptError(f"{path}.unit_multiplier: {unit_multiplier} is not the product of the unit steps")
    factor = _object(term.get("factor"), f"{path}.factor")
    oxidation_text = factor.get("oxidation_fraction")
    oxidation = None if oxidation_text is None else _decimal(oxidation_text, f"{path}.factor.oxidation_fraction")
    rates = []
    for gas, gas_entry in _object(term.get("gases"), f"{path}.gases").items():
        gas_path = f"{path}.gases.{gas}"
        entry = _object(gas_entry, gas_path)
        unit_text = _text(entry.get("unit"), f"{gas_path}.unit")
        try:
            grams, is_carbon = factor_mass_unit(unit_text)
            rate = gas_rate(
                gas, unit_multiplier, _decimal(entry.get("value"), f"{gas_path}.value"), grams, is_carbon, oxidation
            )
        except UnitError as e:
            raise ReceiptError(f"{gas_path}: {e}") from e
        rates.append(rate)
    return ReceiptTerm(_decimal(term.get("quantity"), f"{path}.quantity"), tuple(rates))


def _object(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ReceiptError(f"{path}: must be a JSON object")
    return value


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise ReceiptError(f"{path}: must be a non-empty string")
    return value


def _decimal(value: object, path: str) -> Decimal:
    if not isinstance(value, str):
        raise ReceiptError(f"{path}: must be a decimal string")
    try:
        number = Decimal(value)
    except InvalidOperation as e:
        raise ReceiptError(f"{path}: {value!r} is not a decimal number") from e
    if not number.is_finite() or decimal_text(number) != value:
        raise ReceiptError(f"{path}: {value!r} must be a finite decimal in plain notation")
    return number
