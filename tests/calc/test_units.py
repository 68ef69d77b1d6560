"""Units: 万 prefixes, reference conditions of gas volumes, Chinese spellings, round trips and caching."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.calc.precision import CALC_CONTEXT
from ledger.calc.units import conversion_multiplier, parse_unit
from ledger.errors import UnitError

EXACT_CONVERSIONS = [
    ("万Nm³", "Nm3", "10000"),
    ("10^4 Nm3", "万Nm³", "1"),
    ("10⁴Nm³", "Nm3", "10000"),
    ("万kWh", "MWh", "10"),
    ("万千瓦时", "kWh", "10000"),
    ("度", "kWh", "1"),
    ("万吨", "kg", "10000000"),
    ("亿元", "万元", "10000"),
    ("mmBtu", "GJ", "1.05505585262"),
    ("therm", "mmBtu", "0.1"),
    ("tce", "GJ", "29.3076"),
    ("gal", "L", "3.785411784"),
    ("MWh", "GJ", "3.6"),
    ("short_ton", "kg", "907.18474"),
    ("吨公里", "t*km", "1"),
    ("tkm", "kg*km", "1000"),
]


@pytest.mark.parametrize(("from_unit", "to_unit", "multiplier"), EXACT_CONVERSIONS)
def test_given_units_of_one_dimension_when_converted_then_multiplier_is_exact(
    from_unit: str, to_unit: str, multiplier: str
) -> None:
    assert conversion_multiplier(from_unit, to_unit) == Decimal(multiplier)


@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [("m3", "Nm3"), ("Nm3", "scf"), ("立方米", "万Nm³"), ("kg", "GJ"), ("CNY", "USD"), ("kWh", "t")],
)
def test_given_units_of_different_dimensions_when_converted_then_unit_error_names_both(
    from_unit: str, to_unit: str
) -> None:
    with pytest.raises(UnitError, match="cannot convert") as error:
        conversion_multiplier(from_unit, to_unit)
    assert from_unit in str(error.value) and to_unit in str(error.value)


@pytest.mark.parametrize("text", ["furlong", "", "kg kg kg", '__import__("os")', "2*kg", "kg/0", "万", "Nm³³"])
def test_given_text_that_is_no_unit_when_parsed_then_unit_error(text: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(text)


def test_given_many_rows_with_one_unit_pair_when_converted_then_pint_is_asked_once() -> None:
    conversion_multiplier.cache_clear()
    for _ in range(1000):
        conversion_multiplier("万Nm³", "Nm3")
    info = conversion_multiplier.cache_info()
    assert (info.misses, info.hits) == (1, 999)


ROUND_TRIP_PAIRS = [
    ("GJ", "mmBtu"),
    ("kWh", "therm"),
    ("tce", "MWh"),
    ("gal", "m3"),
    ("bbl", "L"),
    ("lb", "t"),
    ("万Nm³", "Nm3"),
    ("mi", "km"),
]


@given(
    pair=st.sampled_from(ROUND_TRIP_PAIRS),
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1e12"), places=3),
)
def test_given_quantity_when_converted_there_and_back_then_it_returns_within_precision(
    pair: tuple[str, str], quantity: Decimal
) -> None:
    there, back = conversion_multiplier(*pair), conversion_multiplier(pair[1], pair[0])
    with localcontext(CALC_CONTEXT):
        returned = quantity * there * back
    assert abs(returned - quantity) <= quantity * Decimal("1e-30")
