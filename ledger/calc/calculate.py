"""Calculating an activity's emission: per-gas grams, CO2e total and biogenic CO2, with a receipt.

    gases_g[gas] = Σ over terms of quantity × (grams of gas per activity unit)        exact, unrounded
    co2e_g       = round_half_even(Σ over gases, in gas-id order, of gases_g × GWP)   biogenic CO2 excluded
    biogenic_co2_g = round_half_even(gases_g["CO2-biogenic"])

A calculation has one term, except a market-based scope 2 figure with contractual instruments (green
certificates, PPAs): then the quantity they cover uses the instrument's rate and the rest the residual factor;
the location-based figure never sees instruments. `emission_of` is the single implementation of the
arithmetic above; `recompute` runs it on the numbers a receipt holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ledger.calc.applied_factor import AppliedFactor, GasRate, apply_factor, gas_mass_g
from ledger.calc.conversions import Conversions
from ledger.calc.factors import CALORIFIC_BASES, SCOPE2_METHODS, Factor
from ledger.calc.gwp import BIOGENIC_CO2, GwpSet
from ledger.calc.library import DEFAULT_DATASETS, ZERO_EMISSION_INSTRUMENT, FactorLibrary
from ledger.calc.precision import CALC_CONTEXT, round_to_grams
from ledger.calc.receipt import (
    INSTRUMENT_COVERED,
    INSTRUMENT_UNCOVERED,
    WHOLE_ACTIVITY,
    applied_factor_receipt,
    gwp_receipt,
    receipt_of,
)
from ledger.calc.sources import source
from ledger.canonical import JSON, decimal_text
from ledger.errors import CalculationError


_ZERO = Decimal(0)


@dataclass(frozen=True)
class Emission:
    """Per-gas masses in grams (exact), the CO2e total and biogenic CO2, each rounded once to the gram."""

    gases_g: Mapping[str, Decimal]
    co2e_g: int
    biogenic_co2_g: int


def emission_of(terms: Sequence[tuple[Decimal, Sequence[GasRate]]], gwp_values: Mapping[str, Decimal]) -> Emission:
    """The emission of (quantity, rates) terms weighted by `gwp_values` (which must cover every gas but biogenic CO2)."""
    add, multiply = CALC_CONTEXT.add, CALC_CONTEXT.multiply
    gases_g: dict[str, Decimal] = {}
    for quantity, rates in terms:
        for rate in rates:
            mass_g = gas_mass_g(quantity, rate)
            gases_g[rate.gas] = add(gases_g[rate.gas], mass_g) if rate.gas in gases_g else mass_g
    co2e_g = _ZERO
    # A fixed order, so that a sum carried at 34 digits comes out the same in every recomputation.
    for gas in sorted(gases_g):
        if gas != BIOGENIC_CO2:
            co2e_g = add(co2e_g, multiply(gases_g[gas], gwp_values[gas]))
    return Emission(gases_g, round_to_grams(co2e_g), round_to_grams(gases_g.get(BIOGENIC_CO2, _ZERO)))


@dataclass(frozen=True)
class Activity:
    """One activity to calculate: what (source), how much, and which factor and method to use.

    `factor_id` picks a factor; without it the calculator's datasets supply the source's default.
    `instrument_quantity` (market-based scope 2 only) is the part covered by contractual instruments, at the
    rate of `instrument_factor_id` (zero-emission generation by default).
    """

    source: str
    quantity: Decimal
    unit: str
    calorific_basis: str | None = None
    scope2_method: str | None = None
    factor_id: str | None = None
    instrument_quantity: Decimal | None = None
    instrument_factor_id: str | None = None


@dataclass(frozen=True)
class Calculation:
    """An activity's emission, the factor it used and the receipt that lets anyone recompute it."""

    emission: Emission
    factor: Factor
    receipt: Mapping[str, JSON]


@dataclass(frozen=True)
class _Plan:
    """Everything about a calculation that depends on the activity's kind but not on its quantity."""

    applied: AppliedFactor
    instrument: AppliedFactor | None
    gwp_values: Mapping[str, Decimal]
    receipt_terms: tuple[Mapping[str, JSON], ...]
    receipt_gwp: Mapping[str, JSON]


class Calculator:
    """Calculates activities against a factor library under one GWP set.

    What depends only on the kind of activity (factor, unit conversion, GWP values, the fixed parts of the
    receipt) is worked out once per kind and cached, so a long file costs a few Decimal operations per row.
    """

    def __init__(
        self,
        library: FactorLibrary,
        gwp: GwpSet,
        conversions: Conversions = Conversions(),
        datasets: Sequence[str] = DEFAULT_DATASETS,
    ) -> None:
        self.library = library
        self.gwp = gwp
        self.conversions = conversions
        self.datasets = tuple(datasets)
        self._plans: dict[tuple[object, ...], _Plan] = {}

    def calculate(self, activity: Activity) -> Calculation:
        """The emission of `activity`; CalculationError (or a subclass) saying why it cannot be calculated."""
        quantity, covered = activity.quantity, activity.instrument_quantity
        if not quantity.is_finite() or quantity < 0:
            raise CalculationError(f"activity quantity must be a finite number >= 0, got {quantity}")
        plan = self._plan(activity)
        inputs: dict[str, JSON] = {
            "activity_quantity": decimal_text(quantity),
            "activity_unit": activity.unit,
            "calorific_basis": activity.calorific_basis,
            "scope2_method": activity.scope2_method,
        }
        if plan.instrument is None or covered is None:
            terms = [(quantity, plan.applied.rates)]
            receipt_terms = [{"label": WHOLE_ACTIVITY, "quantity": inputs["activity_quantity"], **plan.receipt_terms[0]}]
        else:
            if not covered.is_finite() or not 0 <= covered <= quantity:
                raise CalculationError(
                    f"instrument quantity must lie between 0 and the activity quantity {quantity}, got {covered}"
                )
            uncovered = CALC_CONTEXT.subtract(quantity, covered)
            inputs["instrument_quantity"] = decimal_text(covered)
            terms = [(uncovered, plan.applied.rates), (covered, plan.instrument.rates)]
            receipt_terms = [
                {"label": INSTRUMENT_UNCOVERED, "quantity": decimal_text(uncovered), **plan.receipt_terms[0]},
                {"label": INSTRUMENT_COVERED, "quantity": decimal_text(covered), **plan.receipt_terms[1]},
            ]
        emission = emission_of(terms, plan.gwp_values)
        return Calculation(emission, plan.applied.factor, receipt_of(inputs, receipt_terms, plan.receipt_gwp))

    def factor_for(self, activity: Activity) -> Factor:
        """The factor `activity` uses: the one it names, or its source's default."""
        if activity.factor_id is not None:
            return self.library.factor(activity.factor_id)
        return self.library.default_factor(activity.source, activity.scope2_method, self.datasets)

    def _plan(self, activity: Activity) -> _Plan:
        key = (
            activity.source,
            activity.unit,
            activity.calorific_basis,
            activity.scope2_method,
            activity.factor_id,
            activity.instrument_quantity is not None,
            activity.instrument_factor_id,
        )
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._new_plan(activity)
        return plan

    def _new_plan(self, activity: Activity) -> _Plan:
        emission_source = source(activity.source)
        is_scope2 = emission_source.category.scope == 2
        if is_scope2 and activity.scope2_method not in SCOPE2_METHODS:
            raise CalculationError(f"scope 2 source {activity.source} needs scope2_method location or market")
        if not is_scope2 and activity.scope2_method is not None:
            raise CalculationError(f"scope2_method applies to scope 2 sources only, not {activity.source}")
        if activity.calorific_basis not in (None, *CALORIFIC_BASES):
            raise CalculationError(f"calorific basis must be NCV or GCV, got {activity.calorific_basis!r}")
        if activity.instrument_quantity is not None and activity.scope2_method != "market":
            raise CalculationError("contractual instruments reduce market-based scope 2 figures only")
        fuel = emission_source.item
        applied = apply_factor(
            self.factor_for(activity), activity.unit, activity.calorific_basis, fuel, self.conversions
        )
        instrument = None
        if activity.instrument_quantity is not None:
            instrument_factor = self.library.factor(activity.instrument_factor_id or ZERO_EMISSION_INSTRUMENT)
            instrument = apply_factor(instrument_factor, activity.unit, activity.calorific_basis, fuel, self.conversions)
        gases = {rate.gas for applied_factor in (applied, instrument) if applied_factor for rate in applied_factor.rates}
        gwp_gases = sorted(gases - {BIOGENIC_CO2})
        gwp_values = {gas: self.gwp.gwp_of(gas) for gas in gwp_gases}
        receipt_terms = tuple(applied_factor_receipt(a) for a in (applied, instrument) if a is not None)
        return _Plan(applied, instrument, gwp_values, receipt_terms, gwp_receipt(self.gwp, gwp_gases))
