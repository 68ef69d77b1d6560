"""Calculation rules: calorific basis, reference conditions, scope 2 methods and instruments, and why an
activity cannot be calculated."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ledger.calc.calculate import ActivityKind, Calculator
from ledger.calc.conversions import NO_CONVERSIONS, Conversions, parse_ncv_per_gcv, parse_unit_ratio
from ledger.calc.gwp import gwp_set
from ledger.calc.library import FactorLibrary
from ledger.errors import CalculationError, CalorificBasisError, FactorNotFoundError, GwpError, UnitError

NATURAL_GAS = "stationary-combustion/natural-gas"
ELECTRICITY = "purchased-energy/electricity"


def calculator(library: FactorLibrary, gwp: str = "AR5", conversions: Conversions = NO_CONVERSIONS) -> Calculator:
    return Calculator(library, gwp_set(gwp), conversions)


def test_given_energy_on_gcv_and_factor_on_ncv_when_no_ratio_configured_then_calorific_basis_error(
    library: FactorLibrary,
) -> None:
    kind = ActivityKind(NATURAL_GAS, "GJ", "GCV", factor_id="ipcc-2006/natural-gas")
    with pytest.raises(CalorificBasisError, match="GCV.*ipcc-2006/natural-gas.*NCV.*natural-gas"):
        calculator(library).calculate_kind(kind, Decimal(100))


def test_given_energy_without_basis_when_factor_states_one_then_calorific_basis_error(library: FactorLibrary) -> None:
    kind = ActivityKind(NATURAL_GAS, "GJ", factor_id="ipcc-2006/natural-gas")
    with pytest.raises(CalorificBasisError, match="state its calorific basis"):
        calculator(library).calculate_kind(kind, Decimal(100))


def test_given_ncv_activity_and_gcv_factor_when_ratio_configured_then_energy_is_divided_by_it(
    library: FactorLibrary,
) -> None:
    conversions = Conversions(ncv_per_gcv=(parse_ncv_per_gcv("natural-gas=0.9"),))
    kind = ActivityKind(NATURAL_GAS, "mmBtu", "NCV", factor_id="us-epa-ghg-hub/natural-gas")
    emission = calculator(library, conversions=conversions).calculate_kind(kind, Decimal("0.9")).emission
    # 0.9 mmBtu NCV / 0.9 = 1 mmBtu GCV × 53.06 kg = 53,060 g CO2
    assert emission.gases_g["CO2"] == Decimal("53060")


def test_given_plain_cubic_metres_when_factor_wants_normal_cubic_metres_then_unit_error(library: FactorLibrary) -> None:
    with pytest.raises(UnitError, match="'m3'.*cannot use factor cn-gbt-32150-2015/natural-gas"):
        calculator(library).calculate_kind(ActivityKind(NATURAL_GAS, "m3"), Decimal(1000))


def test_given_plain_cubic_metres_when_ratio_to_nm3_configured_then_it_converts_and_receipt_says_so(
    library: FactorLibrary,
) -> None:
    conversions = Conversions(unit_ratios=(parse_unit_ratio("m3:Nm3=0.9"),))
    calculation = calculator(library, conversions=conversions).calculate_kind(
        ActivityKind(NATURAL_GAS, "m3"), Decimal(10000)
    )
    # 10,000 m³ × 0.9 = 9,000 Nm³ = 0.9 × 10⁴ Nm³ × 21,621,888.09 g = 19,459,699.281 g
    assert calculation.emission.gases_g["CO2"] == Decimal("19459699.281")
    steps = json.loads(json.dumps(calculation.receipt))["terms"][0]["unit_steps"]
    assert steps[0] == {"what": "m3 to 万Nm³ (configured ratio)", "multiplier": "0.00009"}


def test_given_scf_when_factor_given_per_nm3_then_reference_conditions_do_not_convert(library: FactorLibrary) -> None:
    with pytest.raises(UnitError):
        calculator(library).calculate_kind(ActivityKind(NATURAL_GAS, "scf"), Decimal(1000))


def test_given_scope2_when_both_methods_calculated_then_only_market_sees_instruments(library: FactorLibrary) -> None:
    calc = calculator(library)
    location = calc.calculate_kind(ActivityKind(ELECTRICITY, "MWh", scope2_method="location"), Decimal(100))
    market = calc.calculate_kind(ActivityKind(ELECTRICITY, "MWh", scope2_method="market"), Decimal(100), Decimal(100))
    assert location.emission.co2e_g == 53_060_000
    assert market.emission.co2e_g == 0


def test_given_instruments_on_location_based_figure_when_calculated_then_rejected(library: FactorLibrary) -> None:
    kind = ActivityKind(ELECTRICITY, "MWh", scope2_method="location")
    with pytest.raises(CalculationError, match="market-based scope 2 figures only"):
        calculator(library).calculate_kind(kind, Decimal(100), Decimal(10))


def test_given_instruments_above_consumption_when_calculated_then_rejected(library: FactorLibrary) -> None:
    kind = ActivityKind(ELECTRICITY, "MWh", scope2_method="market")
    with pytest.raises(CalculationError, match="between 0 and the activity quantity 100"):
        calculator(library).calculate_kind(kind, Decimal(100), Decimal(101))


@pytest.mark.parametrize(
    ("kind", "quantity", "error", "message"),
    [
        (ActivityKind(ELECTRICITY, "MWh"), "1", CalculationError, "needs scope2_method"),
        (ActivityKind(NATURAL_GAS, "万Nm³", scope2_method="market"), "1", CalculationError, "scope 2 sources only"),
        (ActivityKind(NATURAL_GAS, "万Nm³"), "-1", CalculationError, ">= 0"),
        (ActivityKind(NATURAL_GAS, "万Nm³"), "NaN", CalculationError, "finite"),
        (ActivityKind(NATURAL_GAS, "万Nm³", "HHV"), "1", CalculationError, "NCV or GCV"),
        (ActivityKind(NATURAL_GAS, "furlong"), "1", UnitError, "furlong"),
        (ActivityKind(NATURAL_GAS, "t"), "1", UnitError, "given per TJ or 万Nm³"),
        (ActivityKind("stationary-combustion/unobtainium", "t"), "1", FactorNotFoundError, "unobtainium"),
        (ActivityKind("smokestack/natural-gas", "t"), "1", CalculationError, "unknown category"),
        (ActivityKind("fugitive/r-410a", "kg", factor_id="no/such-factor"), "1", FactorNotFoundError, "no/such-factor"),
    ],
)
def test_given_activity_that_cannot_be_calculated_when_calculated_then_error_says_why(
    library: FactorLibrary, kind: ActivityKind, quantity: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        calculator(library).calculate_kind(kind, Decimal(quantity))


def test_given_gas_without_gwp_in_chosen_set_when_calculated_then_gwp_error(library: FactorLibrary) -> None:
    with pytest.raises(GwpError, match="NF3.*SAR"):
        calculator(library, "SAR").calculate_kind(ActivityKind("fugitive/nf3", "kg"), Decimal(1))


@pytest.mark.parametrize("text", ["natural-gas", "natural-gas=1.5", "natural-gas=0", "=0.9", "natural-gas=x"])
def test_given_malformed_ncv_ratio_when_parsed_then_calculation_error(text: str) -> None:
    with pytest.raises(CalculationError):
        parse_ncv_per_gcv(text)


@pytest.mark.parametrize("text", ["m3=0.9", "m3:furlong=1", "m3:Nm3=-1", "m3:Nm3=inf"])
def test_given_malformed_unit_ratio_when_parsed_then_calculation_error(text: str) -> None:
    with pytest.raises(CalculationError):
        parse_unit_ratio(text)
