"""Calculation rules: calorific basis, reference conditions, scope 2 methods and instruments, and why an
activity cannot be calculated."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.calc.calculate import Activity, Calculator
from ledger.calc.conversions import Conversions, parse_ncv_per_gcv, parse_unit_ratio
from ledger.calc.gwp import gwp_set
from ledger.calc.library import FactorLibrary
from ledger.errors import CalculationError, CalorificBasisError, FactorNotFoundError, GwpError, UnitError


def calculator(library: FactorLibrary, gwp: str = "AR5", conversions: Conversions = Conversions()) -> Calculator:
    return Calculator(library, gwp_set(gwp), conversions)


def test_given_energy_on_gcv_and_factor_on_ncv_when_no_ratio_configured_then_calorific_basis_error(
    library: FactorLibrary,
) -> None:
    activity = Activity("stationary-combustion/natural-gas", Decimal(100), "GJ", "GCV", factor_id="ipcc-2006/natural-gas")
    with pytest.raises(CalorificBasisError, match="GCV.*ipcc-2006/natural-gas.*NCV.*natural-gas"):
        calculator(library).calculate(activity)


def test_given_energy_without_basis_when_factor_states_one_then_calorific_basis_error(library: FactorLibrary) -> None:
    activity = Activity("stationary-combustion/natural-gas", Decimal(100), "GJ", factor_id="ipcc-2006/natural-gas")
    with pytest.raises(CalorificBasisError, match="state its calorific basis"):
        calculator(library).calculate(activity)


def test_given_ncv_activity_and_gcv_factor_when_ratio_configured_then_energy_is_divided_by_it(
    library: FactorLibrary,
) -> None:
    conversions = Conversions(ncv_per_gcv=(parse_ncv_per_gcv("natural-gas=0.9"),))
    activity = Activity("stationary-combustion/natural-gas", Decimal("0.9"), "mmBtu", "NCV", factor_id="us-epa-ghg-hub/natural-gas")
    emission = calculator(library, conversions=conversions).calculate(activity).emission
    # 0.9 mmBtu NCV / 0.9 = 1 mmBtu GCV × 53.06 kg = 53,060 g CO2
    assert emission.gases_g["CO2"] == Decimal("53060")


def test_given_plain_cubic_metres_when_factor_wants_normal_cubic_metres_then_unit_error(library: FactorLibrary) -> None:
    activity = Activity("stationary-combustion/natural-gas", Decimal(1000), "m3")
    with pytest.raises(UnitError, match="'m3'.*cannot use factor cn-gbt-32150-2015/natural-gas"):
        calculator(library).calculate(activity)


def test_given_plain_cubic_metres_when_ratio_to_nm3_configured_then_it_converts_and_receipt_says_so(
    library: FactorLibrary,
) -> None:
    conversions = Conversions(unit_ratios=(parse_unit_ratio("m3:Nm3=0.9"),))
    calculation = calculator(library, conversions=conversions).calculate(
        Activity("stationary-combustion/natural-gas", Decimal(10000), "m3")
    )
    # 10,000 m³ × 0.9 = 9,000 Nm³ = 0.9 × 10⁴ Nm³ × 21,621,888.09 g = 19,459,699.281 g
    assert calculation.emission.gases_g["CO2"] == Decimal("19459699.281")
    steps = calculation.receipt["terms"][0]["unit_steps"]  # type: ignore[index]
    assert steps[0] == {"what": "m3 to 万Nm³ (configured ratio)", "multiplier": "0.00009"}


def test_given_scf_when_factor_given_per_nm3_then_reference_conditions_do_not_convert(library: FactorLibrary) -> None:
    with pytest.raises(UnitError):
        calculator(library).calculate(Activity("stationary-combustion/natural-gas", Decimal(1000), "scf"))


def test_given_scope2_when_both_methods_calculated_then_only_market_sees_instruments(library: FactorLibrary) -> None:
    calc = calculator(library)
    location = calc.calculate(Activity("purchased-energy/electricity", Decimal(100), "MWh", scope2_method="location"))
    market = calc.calculate(
        Activity("purchased-energy/electricity", Decimal(100), "MWh", scope2_method="market", instrument_quantity=Decimal(100))
    )
    assert location.emission.co2e_g == 53_060_000
    assert market.emission.co2e_g == 0


def test_given_instruments_on_location_based_figure_when_calculated_then_rejected(library: FactorLibrary) -> None:
    activity = Activity(
        "purchased-energy/electricity", Decimal(100), "MWh", scope2_method="location", instrument_quantity=Decimal(10)
    )
    with pytest.raises(CalculationError, match="market-based scope 2 figures only"):
        calculator(library).calculate(activity)


def test_given_instruments_above_consumption_when_calculated_then_rejected(library: FactorLibrary) -> None:
    activity = Activity(
        "purchased-energy/electricity", Decimal(100), "MWh", scope2_method="market", instrument_quantity=Decimal(101)
    )
    with pytest.raises(CalculationError, match="between 0 and the activity quantity 100"):
        calculator(library).calculate(activity)


@pytest.mark.parametrize(
    ("activity", "error", "message"),
    [
        (Activity("purchased-energy/electricity", Decimal(1), "MWh"), CalculationError, "needs scope2_method"),
        (Activity("stationary-combustion/natural-gas", Decimal(1), "万Nm³", scope2_method="market"), CalculationError, "scope 2 sources only"),
        (Activity("stationary-combustion/natural-gas", Decimal(-1), "万Nm³"), CalculationError, ">= 0"),
        (Activity("stationary-combustion/natural-gas", Decimal("NaN"), "万Nm³"), CalculationError, "finite"),
        (Activity("stationary-combustion/natural-gas", Decimal(1), "万Nm³", "HHV"), CalculationError, "NCV or GCV"),
        (Activity("stationary-combustion/natural-gas", Decimal(1), "furlong"), UnitError, "furlong"),
        (Activity("stationary-combustion/natural-gas", Decimal(1), "t"), UnitError, "given per TJ or 万Nm³"),
        (Activity("stationary-combustion/unobtainium", Decimal(1), "t"), FactorNotFoundError, "unobtainium"),
        (Activity("smokestack/natural-gas", Decimal(1), "t"), CalculationError, "unknown category"),
        (Activity("fugitive/r-410a", Decimal(1), "kg", factor_id="no/such-factor"), FactorNotFoundError, "no/such-factor"),
    ],
)
def test_given_activity_that_cannot_be_calculated_when_calculated_then_error_says_why(
    library: FactorLibrary, activity: Activity, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        calculator(library).calculate(activity)


def test_given_gas_without_gwp_in_chosen_set_when_calculated_then_gwp_error(library: FactorLibrary) -> None:
    with pytest.raises(GwpError, match="NF3.*SAR"):
        calculator(library, "SAR").calculate(Activity("fugitive/nf3", Decimal(1), "kg"))


@pytest.mark.parametrize("text", ["natural-gas", "natural-gas=1.5", "natural-gas=0", "=0.9", "natural-gas=x"])
def test_given_malformed_ncv_ratio_when_parsed_then_calculation_error(text: str) -> None:
    with pytest.raises(CalculationError):
        parse_ncv_per_gcv(text)


@pytest.mark.parametrize("text", ["m3=0.9", "m3:furlong=1", "m3:Nm3=-1", "m3:Nm3=inf"])
def test_given_malformed_unit_ratio_when_parsed_then_calculation_error(text: str) -> None:
    with pytest.raises(CalculationError):
        parse_unit_ratio(text)
