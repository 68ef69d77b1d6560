"""Properties of every calculation: the total is the GWP-weighted sum of the gases, the GWP set touches only
non-CO2 terms, and a receipt always reproduces its figures."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from ledger.calc.calculate import ActivityKind, Calculation, Calculator
from ledger.calc.gwp import BIOGENIC_CO2, GWP_SET_NAMES, gwp_set
from ledger.calc.library import shipped_library
from ledger.calc.precision import CALC_CONTEXT
from ledger.calc.recompute import recompute

# One activity of each kind of calculation: carbon content, direct, heating value, blend, biogenic, scope 2.
KINDS = [
    ("stationary-combustion/natural-gas", "万Nm³", None, None, None),
    ("stationary-combustion/diesel", "t", None, None, None),
    ("stationary-combustion/diesel", "mmBtu", "GCV", "us-epa-ghg-hub/diesel", None),
    ("stationary-combustion/diesel", "gal", None, "us-epa-ghg-hub/diesel", None),
    ("stationary-combustion/diesel", "GJ", "NCV", "ipcc-2006/gas-diesel-oil", None),
    ("stationary-combustion/wood", "GJ", "GCV", "us-epa-ghg-hub/wood", None),
    ("stationary-combustion/bituminous-coal", "mmBtu", "GCV", "us-epa-ghg-hub/bituminous-coal", None),
    ("fugitive/r-404a", "kg", None, None, None),
    ("fugitive/sf6", "t", None, None, None),
    ("purchased-energy/electricity", "万kWh", None, None, "location"),
    ("purchased-energy/electricity", "MWh", None, None, "market"),
]
# SAR has no NF3 and no HFC-245fa; every kind above has a GWP in every set.
quantities = st.decimals(min_value=Decimal(0), max_value=Decimal("1e9"), places=4)


Kind = tuple[str, str, str | None, str | None, str | None]


def calculate(set_name: str, kind: Kind, quantity: Decimal, instrument_quantity: Decimal | None = None) -> Calculation:
    source, unit, basis, factor_id, scope2_method = kind
    activity_kind = ActivityKind(source, unit, basis, scope2_method, factor_id)
    return Calculator(shipped_library(), gwp_set(set_name)).calculate_kind(activity_kind, quantity, instrument_quantity)


@given(kind=st.sampled_from(KINDS), quantity=quantities, set_name=st.sampled_from(GWP_SET_NAMES))
def test_given_any_activity_when_calculated_then_total_is_rounded_sum_of_gases_times_gwp(
    kind: Kind, quantity: Decimal, set_name: str
) -> None:
    emission = calculate(set_name, kind, quantity).emission
    gwp = gwp_set(set_name)
    with localcontext(CALC_CONTEXT):
        weighted = sum(
            (mass * gwp.gwp_of(gas) for gas, mass in sorted(emission.gases_g.items()) if gas != BIOGENIC_CO2),
            Decimal(0),
        )
        biogenic = emission.gases_g.get(BIOGENIC_CO2, Decimal(0))
    assert emission.co2e_g == int(weighted.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    assert emission.biogenic_co2_g == int(biogenic.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@given(
    kind=st.sampled_from(KINDS),
    quantity=quantities,
    set_a=st.sampled_from(GWP_SET_NAMES),
    set_b=st.sampled_from(GWP_SET_NAMES),
)
def test_given_two_gwp_sets_when_compared_then_gases_are_equal_and_only_non_co2_terms_differ(
    kind: Kind, quantity: Decimal, set_a: str, set_b: str
) -> None:
    first, second = calculate(set_a, kind, quantity).emission, calculate(set_b, kind, quantity).emission
    assert first.gases_g == second.gases_g
    assert first.biogenic_co2_g == second.biogenic_co2_g
    with localcontext(CALC_CONTEXT):
        non_co2_change = sum(
            (
                mass * (gwp_set(set_b).gwp_of(gas) - gwp_set(set_a).gwp_of(gas))
                for gas, mass in first.gases_g.items()
                if gas not in ("CO2", BIOGENIC_CO2)
            ),
            Decimal(0),
        )
    # Each total is rounded once, so the two can differ from the exact change by at most one gram.
    assert abs(second.co2e_g - first.co2e_g - non_co2_change) <= 1
    if set(first.gases_g) <= {"CO2", BIOGENIC_CO2}:
        assert first.co2e_g == second.co2e_g


@given(kind=st.sampled_from(KINDS), quantity=quantities, set_name=st.sampled_from(GWP_SET_NAMES))
def test_given_any_activity_when_recomputed_from_json_receipt_then_identical(
    kind: Kind, quantity: Decimal, set_name: str
) -> None:
    calculation = calculate(set_name, kind, quantity)
    assert recompute(json.loads(json.dumps(calculation.receipt))) == calculation.emission


@given(quantity=quantities, covered_share=st.decimals(min_value=0, max_value=1, places=2))
def test_given_instruments_when_market_based_then_figure_never_exceeds_the_one_without(
    quantity: Decimal, covered_share: Decimal
) -> None:
    market: Kind = ("purchased-energy/electricity", "MWh", None, None, "market")
    without = calculate("AR5", market, quantity).emission
    with localcontext(CALC_CONTEXT):
        covered = quantity * covered_share
    with_instruments = calculate("AR5", market, quantity, covered).emission
    assert with_instruments.co2e_g <= without.co2e_g
