"""Conversions a user configures because no unit states them: NCV/GCV ratios and reference-condition ratios.

An activity measured on one calorific basis (NCV, net; GCV, gross) cannot use a factor given on the other
unless the fuel's NCV/GCV ratio is configured (natural gas ≈ 0.90, oil and coal ≈ 0.95). Likewise a gas
volume at unstated conditions (m³) converts to one at reference conditions (Nm³, scf) only by a configured
ratio. Every configured ratio that a calculation uses is written into its receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ledger.calc.units import parse_unit
from ledger.errors import CalculationError

_MAX_RATIO = Decimal("1e15")


@dataclass(frozen=True)
class Conversions:
    """`ncv_per_gcv`: (fuel, NCV/GCV ratio) pairs, the fuel being a source's last segment (`natural-gas`).
    `unit_ratios`: ((from unit, to unit), multiplier) pairs, e.g. (("m3", "Nm3"), 0.9307).
    """

    ncv_per_gcv: tuple[tuple[str, Decimal], ...] = ()
    unit_ratios: tuple[tuple[tuple[str, str], Decimal], ...] = ()

    def ncv_per_gcv_of(self, fuel: str) -> Decimal | None:
        return dict(self.ncv_per_gcv).get(fuel)

    def unit_ratio(self, from_text: str, to_text: str) -> Decimal | None:
        """The configured multiplier from `from_text` to `to_text` units, 万 and 亿 scales included."""
        from_unit, to_unit = parse_unit(from_text), parse_unit(to_text)
        for (ratio_from, ratio_to), ratio in self.unit_ratios:
            if (parse_unit(ratio_from).expression, parse_unit(ratio_to).expression) == (
                from_unit.expression,
                to_unit.expression,
            ):
                scale_from, scale_to = parse_unit(ratio_from).scale, parse_unit(ratio_to).scale
                return ratio * from_unit.scale * scale_to / (to_unit.scale * scale_from)
        return None


NO_CONVERSIONS = Conversions()


def parse_ncv_per_gcv(text: str) -> tuple[str, Decimal]:
    """Read `natural-gas=0.90` as (fuel, ratio); CalculationError unless 0 < ratio <= 1."""
    fuel, _, ratio_text = text.partition("=")
    ratio = _positive_decimal(ratio_text, text)
    if not fuel.strip() or ratio > 1:
        raise CalculationError(f"NCV/GCV ratio {text!r} must read <fuel>=<ratio in (0, 1]>, e.g. natural-gas=0.90")
    return fuel.strip(), ratio


def parse_unit_ratio(text: str) -> tuple[tuple[str, str], Decimal]:
    """Read `m3:Nm3=0.9307` as ((from unit, to unit), multiplier); units must be known."""
    units_text, _, ratio_text = text.partition("=")
    from_text, colon, to_text = units_text.partition(":")
    if not colon:
        raise CalculationError(f"unit ratio {text!r} must read <from unit>:<to unit>=<multiplier>, e.g. m3:Nm3=0.93")
    parse_unit(from_text)
    parse_unit(to_text)
    return (from_text.strip(), to_text.strip()), _positive_decimal(ratio_text, text)


def _positive_decimal(ratio_text: str, text: str) -> Decimal:
    try:
        ratio = Decimal(ratio_text.strip())
    except InvalidOperation as e:
        raise CalculationError(f"{text!r}: {ratio_text!r} is not a decimal number") from e
    if not ratio.is_finite() or not 0 < ratio < _MAX_RATIO:
        raise CalculationError(f"{text!r}: the ratio must be a positive number below 10^15")
    return ratio
