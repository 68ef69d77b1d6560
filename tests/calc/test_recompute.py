"""Recomputing a record from its receipt alone: exact reproduction, and a clear error for every kind of
tampering or damage."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from ledger.calc.calculate import ActivityKind, Calculation, Calculator
from ledger.calc.gwp import gwp_set
from ledger.calc.library import shipped_library
from ledger.calc.recompute import check_record, recompute
from ledger.errors import ReceiptError
from ledger.record import Record


def diesel_calculation() -> Calculation:
    calculator = Calculator(shipped_library(), gwp_set("AR6"))
    kind = ActivityKind("stationary-combustion/diesel", "gal", factor_id="us-epa-ghg-hub/diesel")
    return calculator.calculate_kind(kind, Decimal("1234.5"))


def record_of(calculation: Calculation, **changes: Any) -> Record:
    fields: dict[str, Any] = {
        "code": "ACME-2025M03-1SC.DSL-00001-X",
        "account": "ACME",
        "facility": None,
        "period": "2025M03",
        "scope": 1,
        "scope3_category": None,
        "iso_category": 1,
        "source": "stationary-combustion/diesel",
        "activity_quantity": Decimal("1234.5"),
        "activity_unit": "gal",
        "scope2_method": None,
        "gwp_set": "AR6",
        "gases_g": calculation.emission.gases_g,
        "co2e_g": calculation.emission.co2e_g,
        "biogenic_co2_g": calculation.emission.biogenic_co2_g,
        "receipt": calculation.receipt,
    }
    fields.update(changes)
    return Record(**fields)


def test_given_record_read_back_from_canonical_bytes_when_checked_then_receipt_reproduces_it() -> None:
    calculation = diesel_calculation()
    record = Record.from_canonical_bytes(record_of(calculation).canonical_bytes())
    assert check_record(record) == calculation.emission


def test_given_receipt_when_serialised_then_it_holds_no_floats_and_names_factor_version_and_gwp() -> None:
    receipt = diesel_calculation().receipt
    text = json.dumps(receipt)
    parsed = json.loads(text, parse_float=lambda number: pytest.fail(f"float {number} in receipt"))
    term = parsed["terms"][0]
    assert term["factor"]["id"] == "us-epa-ghg-hub/diesel" and term["factor"]["version"] == "2024"
    assert term["gases"]["CO2"] == {"value": "73.96", "unit": "kg/mmBtu", "source": term["gases"]["CO2"]["source"]}
    assert parsed["gwp"]["set"] == "AR6" and parsed["gwp"]["values"]["CH4-fossil"] == "29.8"
    assert parsed["method"] == "carbonledger-calc/1"


def test_given_record_with_altered_total_when_checked_then_error_names_the_figure() -> None:
    calculation = diesel_calculation()
    record = record_of(calculation, co2e_g=calculation.emission.co2e_g + 1)
    with pytest.raises(ReceiptError, match="co2e_g: recomputed"):
        check_record(record)


def test_given_record_whose_receipt_factor_was_altered_when_checked_then_gases_and_total_mismatch() -> None:
    calculation = diesel_calculation()
    receipt: dict[str, Any] = json.loads(json.dumps(calculation.receipt))
    receipt["terms"][0]["gases"]["CO2"]["value"] = "74.96"
    with pytest.raises(ReceiptError, match="gases_g.*co2e_g"):
        check_record(record_of(calculation, receipt=receipt))


def test_given_record_whose_quantity_differs_from_receipt_when_checked_then_error_names_activity() -> None:
    with pytest.raises(ReceiptError, match="activity: receipt says 1234.5 gal"):
        check_record(record_of(diesel_calculation(), activity_quantity=Decimal("1234.6")))


def mutated(path: list[Any], value: Any) -> dict[str, Any]:
    receipt = json.loads(json.dumps(diesel_calculation().receipt))
    target = receipt
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return receipt  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["method"], "carbonledger-calc/0", "method"),
        (["terms"], [], "terms: must be a non-empty list"),
        (["terms", 0, "unit_multiplier"], "0.139", "unit_multiplier.*product of the unit steps"),
        (["terms", 0, "unit_steps", 1, "multiplier"], "0.139", "unit_multiplier.*product of the unit steps"),
        (["terms", 0, "quantity"], "1000", "add up to 1000, not the activity quantity 1234.5"),
        (["terms", 0, "gases", "CO2", "value"], 73.96, r"terms\[0\].gases.CO2.value: must be a decimal string"),
        (["terms", 0, "gases", "CO2", "value"], "7.396E+1", "plain notation"),
        (["terms", 0, "gases", "CO2", "unit"], "lb/mmBtu", "factor unit"),
        (["gwp", "values", "N2O"], KeyError, "no GWP for N2O"),
        (["inputs"], KeyError, "inputs: must be a JSON object"),
        (["inputs", "activity_quantity"], "NaN", "finite decimal"),
    ],
)
def test_given_damaged_receipt_when_recomputed_then_receipt_error_names_the_field(
    path: list[Any], value: Any, message: str
) -> None:
    with pytest.raises(ReceiptError, match=message):
        recompute(mutated(path, value))


def test_given_receipt_with_numbers_past_the_precision_when_recomputed_then_receipt_error() -> None:
    huge = "9" * 7000
    with pytest.raises(ReceiptError, match="overflow"):
        recompute(mutated(["terms", 0, "gases", "CO2", "value"], huge))
