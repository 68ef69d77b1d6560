"""A factor applied to an activity unit: the unit conversion steps and what one activity unit emits per gas.

The chain for one gas is

    grams = quantity × unit multiplier × value × grams per mass unit            (direct factor)
    grams = quantity × unit multiplier × value × grams per mass unit × oxidation × 44 / 12   (carbon content)

where the unit multiplier is the product of the conversion steps, in order: activity unit to factor unit (or
to the unit of the fuel's heating value, then the heating value, then its energy unit to the factor's), and a
configured NCV/GCV ratio where the bases differ. Everything left of "/ 12" is a product, done first; the
division by 12 is the one inexact step. `gas_rate` and `gas_mass_g` are the only places this arithmetic
happens, for a calculation and for a recomputation from its receipt alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from ledger.calc.conversions import Conversions
from ledger.calc.factors import Factor
from ledger.calc.precision import CALC_CONTEXT
from ledger.calc.units import conversion_multiplier, dimension_of, is_energy
from ledger.errors import CalorificBasisError, UnitError

_CO2_PER_CARBON_NUMERATOR = 44
_CO2_PER_CARBON_DIVISOR = 12


@dataclass(frozen=True)
class UnitStep:
    """One multiplication on the way from activity units to the factor's unit, and what it stands for."""

    what: str
    multiplier: Decimal


@dataclass(frozen=True)
class GasRate:
    """What one activity unit emits of `gas`: numerator / divisor grams (divisor 12 for carbon, else 1)."""

    gas: str
    numerator: Decimal
    divisor: int


@dataclass(frozen=True)
class AppliedFactor:
    """`factor` applied to activity in `activity_unit` (on `activity_basis` where that is energy)."""

    factor: Factor
    activity_unit: str
    activity_basis: str | None
    steps: tuple[UnitStep, ...]
    unit_multiplier: Decimal
    rates: tuple[GasRate, ...]


def gas_rate(
    gas: str, unit_multiplier: Decimal, value: Decimal, grams: Decimal, is_carbon: bool, oxidation: Decimal | None
) -> GasRate:
    """The grams of `gas` one activity unit emits, kept as numerator and divisor so no rounding happens yet."""
    with localcontext(CALC_CONTEXT):
        numerator = unit_multiplier * value * grams
        if not is_carbon:
            return GasRate(gas, numerator, 1)
        if oxidation is None:
            raise UnitError(f"a carbon-content value for {gas} needs an oxidation fraction")
        return GasRate(gas, numerator * oxidation * _CO2_PER_CARBON_NUMERATOR, _CO2_PER_CARBON_DIVISOR)


def gas_mass_g(quantity: Decimal, rate: GasRate) -> Decimal:
    """Grams of the rate's gas emitted by `quantity` activity units (unrounded, at 34 digits)."""
    mass_g = CALC_CONTEXT.multiply(quantity, rate.numerator)
    return mass_g if rate.divisor == 1 else CALC_CONTEXT.divide(mass_g, rate.divisor)


def unit_multiplier_of(steps: tuple[UnitStep, ...]) -> Decimal:
    """The product of the steps' multipliers, in order."""
    with localcontext(CALC_CONTEXT):
        product = Decimal(1)
        for step in steps:
            product *= step.multiplier
        return product


def apply_factor(
    factor: Factor, activity_unit: str, activity_basis: str | None, fuel: str, conversions: Conversions
) -> AppliedFactor:
    """`factor` applied to activity in `activity_unit`; `fuel` keys a configured NCV/GCV ratio.

    Raises UnitError if the activity unit reaches neither the factor's unit nor its heating value's, and
    CalorificBasisError if energy is stated on another basis than the factor's without a configured ratio.
    """
    with localcontext(CALC_CONTEXT):
        steps = _unit_steps(factor, activity_unit, activity_basis, fuel, conversions)
        unit_multiplier = unit_multiplier_of(steps)
        rates = tuple(
            gas_rate(
                factor_gas.gas,
                unit_multiplier,
                factor_gas.value,
                factor_gas.unit.grams,
                factor_gas.unit.is_carbon,
                factor.oxidation_fraction,
            )
            for factor_gas in factor.gases
        )
    return AppliedFactor(factor, activity_unit, activity_basis, steps, unit_multiplier, rates)


def _unit_steps(
    factor: Factor, activity_unit: str, activity_basis: str | None, fuel: str, conversions: Conversions
) -> tuple[UnitStep, ...]:
    direct = _conversion_step(activity_unit, factor.per_unit, conversions)
    if direct is not None:
        if factor.calorific_basis is None or not is_energy(activity_unit):
            return (direct,)
        return (direct, *_basis_steps(factor, activity_unit, activity_basis, fuel, conversions))
    heating_value = factor.heating_value
    to_fuel_unit = (
        None if heating_value is None else _conversion_step(activity_unit, heating_value.per_unit, conversions)
    )
    if heating_value is None or to_fuel_unit is None:
        reachable = factor.per_unit if heating_value is None else f"{factor.per_unit} or {heating_value.per_unit}"
        raise UnitError(
            f"activity in {activity_unit!r} ({dimension_of(activity_unit)}) cannot use factor {factor.factor_id}, "
            f"given per {reachable}"
        )
    return (
        to_fuel_unit,
        UnitStep(
            f"heating value ({factor.calorific_basis}), {heating_value.energy_unit} per {heating_value.per_unit}",
            heating_value.value,
        ),
        UnitStep(
            f"{heating_value.energy_unit} to {factor.per_unit}",
            conversion_multiplier(heating_value.energy_unit, factor.per_unit),
        ),
    )


def _conversion_step(from_unit: str, to_unit: str, conversions: Conversions) -> UnitStep | None:
    try:
        return UnitStep(f"{from_unit} to {to_unit}", conversion_multiplier(from_unit, to_unit))
    except UnitError:
        ratio = conversions.unit_ratio(from_unit, to_unit)
        return None if ratio is None else UnitStep(f"{from_unit} to {to_unit} (configured ratio)", ratio)


def _basis_steps(
    factor: Factor, activity_unit: str, activity_basis: str | None, fuel: str, conversions: Conversions
) -> tuple[UnitStep, ...]:
    if activity_basis == factor.calorific_basis:
        return ()
    if activity_basis is None:
        raise CalorificBasisError(
            f"activity in {activity_unit!r} is energy: state its calorific basis (NCV or GCV); "
            f"factor {factor.factor_id} is given on {factor.calorific_basis}"
        )
    ratio = conversions.ncv_per_gcv_of(fuel)
    if ratio is None:
        raise CalorificBasisError(
            f"activity on {activity_basis} cannot use factor {factor.factor_id}, given on "
            f"{factor.calorific_basis}, unless an NCV/GCV ratio for {fuel!r} is configured"
        )
    if activity_basis == "GCV":
        return (UnitStep(f"GCV to NCV (configured NCV/GCV ratio of {fuel})", ratio),)
    return (UnitStep(f"NCV to GCV (1 / configured NCV/GCV ratio of {fuel})", 1 / ratio),)
