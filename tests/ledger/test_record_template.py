"""Specification of ledger.record_template: records of one kind written from their varying values alone, byte for
byte the canonical bytes of the Record those values make."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.calc.calculate import ActivityKind, Calculator
from ledger.calc.gwp import gwp_set
from ledger.calc.library import shipped_library
from ledger.calc.receipt import quantity_paths
from ledger.calc.sources import source
from ledger.errors import RecordError
from ledger.record import Record
from ledger.record_template import RecordTemplate
from tests.ledger.test_canonical import PROPERTY

# (kind, with contractual instruments): one gas, three gases, a blend, and market-based with instruments.
KINDS = [
    (ActivityKind("stationary-combustion/natural-gas", "万Nm³"), False),
    (ActivityKind("stationary-combustion/diesel", "mmBtu", "GCV", factor_id="us-epa-ghg-hub/diesel"), False),
    (ActivityKind("fugitive/r-410a", "kg"), False),
    (ActivityKind("purchased-energy/electricity", "MWh", scope2_method="market"), True),
]
CALCULATOR = Calculator(shipped_library(), gwp_set("AR6"))


def record_of(kind: ActivityKind, instruments: bool, who: dict[str, Any], quantity: Decimal, code: str) -> Record:
    covered = quantity / 3 if instruments else None
    calculation = CALCULATOR.calculate_kind(kind, quantity, covered)
    category = source(kind.source).category
    return Record(
        code=code, account=who["account"], facility=who["facility"], period=who["period"], scope=category.scope,
        scope3_category=category.scope3_category, iso_category=category.iso_category, source=kind.source,
        activity_quantity=quantity, activity_unit=kind.unit, scope2_method=kind.scope2_method, gwp_set="AR6",
        gases_g=calculation.emission.gases_g, co2e_g=calculation.emission.co2e_g,
        biogenic_co2_g=calculation.emission.biogenic_co2_g, receipt=calculation.receipt,
    )


def filled(template: RecordTemplate, kind: ActivityKind, instruments: bool, record: Record) -> bytes:
    covered = record.activity_quantity / 3 if instruments else None
    emission, _, quantities = CALCULATOR.figures(kind, record.activity_quantity, covered)
    return template.record_bytes(record.code, template.leaves(
        record.account, record.facility, record.period, record.activity_quantity,
        emission.gases_g, emission.co2e_g, emission.biogenic_co2_g, quantities,
    ))


FIRST = {"account": "QZ0001", "facility": "F01", "period": "2025M01"}
whos = st.fixed_dictionaries({
    "account": st.sampled_from(["QZ0001", "SZ0012", "A1B", "Ωmega", "企业一"]),
    "facility": st.none() | st.sampled_from(["F01", "车间", "e\u0301", "LINE\"2"]),
    "period": st.sampled_from(["2025", "2025Q3", "2025M12", "20250314"]),
})
quantities = st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(("kind", "instruments"), KINDS, ids=lambda kind: getattr(kind, "source", ""))
@PROPERTY
@given(who=whos, quantity=quantities, serial=st.integers(1, 10**6))
def test_given_a_kind_when_records_of_it_are_written_by_template_then_bytes_equal_those_of_the_record(
    kind: ActivityKind, instruments: bool, who: dict[str, Any], quantity: Decimal, serial: int
) -> None:
    template = RecordTemplate(record_of(kind, instruments, FIRST, Decimal("12.5"), "FIRST-1"), quantity_paths(
        2 if instruments else 1
    ))
    record = record_of(kind, instruments, who, quantity, f"CODE-{serial:05d}-X")
    assert filled(template, kind, instruments, record) == record.canonical_bytes()


@pytest.fixture(scope="module")
def natural_gas() -> tuple[RecordTemplate, Record]:
    kind = KINDS[0][0]
    record = record_of(kind, False, FIRST, Decimal("12.5"), "FIRST-1")
    return RecordTemplate(record, quantity_paths(1)), record


def fill_with(template: RecordTemplate, record: Record, **changes: Any) -> bytes:
    values: dict[str, Any] = {
        "account": record.account, "facility": record.facility, "period": record.period,
        "activity_quantity": record.activity_quantity, "gases_g": dict(record.gases_g), "co2e_g": record.co2e_g,
        "biogenic_co2_g": record.biogenic_co2_g, "receipt_values": ["12.5", "12.5"],
    }
    code = changes.pop("code", record.code)
    return template.record_bytes(code, template.leaves(**(values | changes)))


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"code": ""}, "code"),
        ({"code": "CODE-É"}, "code"),
        ({"account": ""}, "account"),
        ({"account": None}, "account"),
        ({"facility": ""}, "facility"),
        ({"facility": "\ud800"}, "facility"),
        ({"period": "2025M13"}, "period"),
        ({"activity_quantity": Decimal("NaN")}, "activity_quantity"),
        ({"activity_quantity": 12.5}, "activity_quantity"),
        ({"co2e_g": -1}, "co2e_g"),
        ({"co2e_g": 2**53}, "co2e_g"),
        ({"co2e_g": True}, "co2e_g"),
        ({"biogenic_co2_g": 1.0}, "biogenic_co2_g"),
        ({"gases_g": {"CO2": Decimal(1), "CH4": Decimal(1)}}, "gases_g"),
        ({"gases_g": {"CH4": Decimal(1)}}, "gases_g"),
        ({"gases_g": {"CO2": Decimal("Infinity")}}, "gases_g.CO2"),
        ({"receipt_values": ["12.5"]}, "receipt"),
        ({"receipt_values": ["12.5", 12.5]}, "receipt.terms[0].quantity"),
    ],
)
def test_given_a_value_a_record_would_refuse_when_filled_then_record_error_names_its_field(
    natural_gas: tuple[RecordTemplate, Record], changes: dict[str, Any], field: str
) -> None:
    template, record = natural_gas
    with pytest.raises(RecordError) as caught:
        fill_with(template, record, **changes)
    assert caught.value.field == field


def test_given_the_record_a_template_was_made_from_when_filled_with_its_values_then_its_own_bytes(
    natural_gas: tuple[RecordTemplate, Record],
) -> None:
    template, record = natural_gas
    assert fill_with(template, record) == record.canonical_bytes()
    assert Record.from_canonical_bytes(fill_with(template, record, account="SZ0009")) == replace(
        record, account="SZ0009"
    )


def test_given_receipt_holes_that_are_not_its_quantities_when_made_then_record_error() -> None:
    record = record_of(KINDS[0][0], False, FIRST, Decimal("12.5"), "FIRST-1")
    with pytest.raises(RecordError, match="cannot be made a template"):
        RecordTemplate(record, [("terms", 5, "quantity")])
    with pytest.raises(RecordError, match="cannot be made a template"):
        RecordTemplate(record, [("terms", 0, "unit_steps")])
    with pytest.raises(RecordError, match="holds no text"):
        RecordTemplate(record, [("inputs", "calorific_basis")])


def test_given_leaves_not_written_for_this_template_when_a_record_is_made_then_record_error(
    natural_gas: tuple[RecordTemplate, Record],
) -> None:
    template, record = natural_gas
    diesel_kind = KINDS[1][0]
    diesel = record_of(diesel_kind, False, FIRST, Decimal("12.5"), "FIRST-1")
    diesel_template = RecordTemplate(diesel, quantity_paths(1))
    emission, _, quantities = CALCULATOR.figures(diesel_kind, Decimal(3))
    diesel_leaves = diesel_template.leaves(
        "QZ0001", None, "2025", Decimal(3), emission.gases_g, emission.co2e_g, emission.biogenic_co2_g, quantities
    )
    own_leaves = template.leaves("QZ0001", None, "2025", Decimal(3), dict(record.gases_g), 1, 0, ["3", "3"])
    with pytest.raises(RecordError, match="leaves must be those"):
        template.record_bytes("CODE-1", diesel_leaves)
    with pytest.raises(RecordError, match="leaves must be those"):
        template.record_bytes("CODE-1", str(own_leaves))  # type: ignore[arg-type]
    with pytest.raises(RecordError) as caught:
        template.record_bytes("", own_leaves)
    assert caught.value.field == "code"
    assert Record.from_canonical_bytes(template.record_bytes("CODE-1", own_leaves)).facility is None
