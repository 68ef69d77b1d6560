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
from typing import NamedTuple

from ledger.calc.applied_factor import AppliedFactor, GasRate, apply_factor, gas_mass_g
from ledger.calc.conversions import NO_CONVERSIONS, Conversions
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
    """The emission of (quantity, rates) terms, weighted by `gwp_values` (every gas but biogenic CO2 needs one)."""
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
class ActivityKind:
    """What was measured and how to calculate it, apart from how much: what calculations are cached by.

    `factor_id` picks a factor; without it the calculator's datasets supply the source's default. For a
    market-based scope 2 figure with contractual instruments, `instrument_factor_id` is the instruments'
    rate (zero-emission generation by default).
    """

    source: str
    unit: str
    calorific_basis: str | None = None
    scope2_method: str | None = None
    factor_id: str | None = None
    instrument_factor_id: str | None = None


@dataclass(frozen=True)
class Activity:
    """One activity to calculate: its kind (see ActivityKind) and how much of it there was."""

    source: str
    quantity: Decimal
    unit: str
    calorific_basis: str | None = None
    scope2_method: str | None = None
    factor_id: str | None = None
    instrument_quantity: Decimal | None = None
    instrument_factor_id: str | None = None

    @property
    def kind(self) -> ActivityKind:
        return ActivityKind(
            self.source, self.unit, self.calorific_basis, self.scope2_method, self.factor_id, self.instrument_factor_id
        )


@dataclass(frozen=True)
class Calculation:
    """An activity's emission, the factor it used and the receipt that lets anyone recompute it."""

    emission: Emission
    factor: Factor
    receipt: Mapping[str, JSON]


class Figures(NamedTuple):
    """A calculation's figures without its receipt: the emission, the factor, and the quantities the receipt
    repeats, as text in the order of `receipt.quantity_paths`."""

    emission: Emission
    factor: Factor
    quantities: tuple[str, ...]


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
        conversions: Conversions = NO_CONVERSIONS,
        datasets: Sequence[str] = DEFAULT_DATASETS,
    ) -> None:
        self.library = library
        self.gwp = gwp
        self.conversions = conversions
        self.datasets = tuple(datasets)
        self._plans: dict[ActivityKind, _Plan] = {}
        self._instrument_plans: dict[ActivityKind, _Plan] = {}

    def calculate(self, activity: Activity) -> Calculation:
        """The emission of `activity`; CalculationError (or a subclass) saying why it cannot be calculated."""
        return self.calculate_kind(activity.kind, activity.quantity, activity.instrument_quantity)

    def calculate_kind(
        self, kind: ActivityKind, quantity: Decimal, instrument_quantity: Decimal | None = None
    ) -> Calculation:
        """The emission of `quantity` units of `kind`, `instrument_quantity` of them covered by contractual
        instruments: the fast path for many rows of few kinds."""
        plan, terms = self._terms(kind, quantity, instrument_quantity)
        emission = emission_of(terms, plan.gwp_values)
        return Calculation(emission, plan.applied.factor, _receipt(kind, plan, _quantity_texts(terms, quantity)))

    def figures(self, kind: ActivityKind, quantity: Decimal, instrument_quantity: Decimal | None = None) -> Figures:
        """As `calculate_kind`, without the receipt: its emission, its factor, and the quantities its receipt
        would repeat. For checking many rows before any is recorded, and for records written by template."""
        plan, terms = self._terms(kind, quantity, instrument_quantity)
        return Figures(emission_of(terms, plan.gwp_values), plan.applied.factor, _quantity_texts(terms, quantity))

    def _terms(
        self, kind: ActivityKind, quantity: Decimal, instrument_quantity: Decimal | None
    ) -> tuple[_Plan, list[tuple[Decimal, Sequence[GasRate]]]]:
        if not quantity.is_finite() or quantity < 0:
            raise CalculationError(f"activity quantity must be a finite number >= 0, got {quantity}")
        plan = self._plan(kind, with_instruments=instrument_quantity is not None)
        if plan.instrument is None or instrument_quantity is None:
            return plan, [(quantity, plan.applied.rates)]
        if not instrument_quantity.is_finite() or not 0 <= instrument_quantity <= quantity:
            raise CalculationError(
                "instrument quantity must lie between 0 and the activity quantity "
                f"{quantity}, got {instrument_quantity}"
            )
        uncovered = CALC_CONTEXT.subtract(quantity, instrument_quantity)
        return plan, [(uncovered, plan.applied.rates), (instrument_quantity, plan.instrument.rates)]

    def factor_for(self, kind: ActivityKind) -> Factor:
        """The factor `kind` uses: the one it names, or its source's default."""
        if kind.factor_id is not None:
            return self.library.factor(kind.factor_id)
        return self.library.default_factor(kind.source, kind.scope2_method, self.datasets)

    def _plan(self, kind: ActivityKind, with_instruments: bool) -> _Plan:
        plans = self._instrument_plans if with_instruments else self._plans
        plan = plans.get(kind)
        if plan is None:
            plan = plans[kind] = self._new_plan(kind, with_instruments)
        return plan

    def _new_plan(self, kind: ActivityKind, with_instruments: bool) -> _Plan:
        emission_source = source(kind.source)
        is_scope2 = emission_source.category.scope == 2
        if is_scope2 and kind.scope2_method not in SCOPE2_METHODS:
            raise CalculationError(f"scope 2 source {kind.source} needs scope2_method location or market")
        if not is_scope2 and kind.scope2_method is not None:
            raise CalculationError(f"scope2_method applies to scope 2 sources only, not {kind.source}")
        if kind.calorific_basis not in (None, *CALORIFIC_BASES):
            raise CalculationError(f"calorific basis must be NCV or GCV, got {kind.calorific_basis!r}")
        if with_instruments and kind.scope2_method != "market":
            raise CalculationError("contractual instruments reduce market-based scope 2 figures only")
        fuel = emission_source.item
        applied = apply_factor(self.factor_for(kind), kind.unit, kind.calorific_basis, fuel, self.conversions)
        instrument = None
        if with_instruments:
            instrument_factor = self.library.factor(kind.instrument_factor_id or ZERO_EMISSION_INSTRUMENT)
            instrument = apply_factor(instrument_factor, kind.unit, kind.calorific_basis, fuel, self.conversions)
        applied_factors = (applied,) if instrument is None else (applied, instrument)
        gases = sorted({rate.gas for each in applied_factors for rate in each.rates} - {BIOGENIC_CO2})
        return _Plan(
            applied,
            instrument,
            {gas: self.gwp.gwp_of(gas) for gas in gases},
            tuple(applied_factor_receipt(each) for each in applied_factors),
            gwp_receipt(self.gwp, gases),
        )


def _quantity_texts(terms: list[tuple[Decimal, Sequence[GasRate]]], quantity: Decimal) -> tuple[str, ...]:
    """The quantities a receipt repeats, in the order of `receipt.quantity_paths(len(terms))`."""
    quantity_text = decimal_text(quantity)
    if len(terms) == 1:
        return (quantity_text, quantity_text)
    (uncovered, _), (covered, _) = terms
    covered_text = decimal_text(covered)
    return (quantity_text, covered_text, decimal_text(uncovered), covered_text)


def _receipt(kind: ActivityKind, plan: _Plan, quantity_texts: tuple[str, ...]) -> dict[str, JSON]:
    inputs: dict[str, JSON] = {
        "activity_quantity": quantity_texts[0],
        "activity_unit": kind.unit,
        "calorific_basis": kind.calorific_basis,
        "scope2_method": kind.scope2_method,
    }
    if len(quantity_texts) == 2:
        term = {"label": WHOLE_ACTIVITY, "quantity": quantity_texts[1], **plan.receipt_terms[0]}
        return receipt_of(inputs, [term], plan.receipt_gwp)
    inputs["instrument_quantity"] = quantity_texts[1]
    receipt_terms = [
        {"label": INSTRUMENT_UNCOVERED, "quantity": quantity_texts[2], **plan.receipt_terms[0]},
        {"label": INSTRUMENT_COVERED, "quantity": quantity_texts[3], **plan.receipt_terms[1]},
    ]
    return receipt_of(inputs, receipt_terms, plan.receipt_gwp)
