"""The decimal arithmetic every emission figure is computed in, and the one rounding rule.

Figures are Decimals computed in `CALC_CONTEXT` (34 significant digits, as IEEE 754 decimal128), whatever
context the caller has set. Products of the decimal figures in the datasets are exact at that precision; the
only inexact steps are divisions (carbon to CO2 by 44/12, and conversions such as GJ to mmBtu), and those are
carried at 34 digits. Totals are rounded once, at the end, half-even to the gram.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

CALC_CONTEXT = Context(
    prec=34,
    rounding=ROUND_HALF_EVEN,
    Emin=-6143,
    Emax=6144,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


def round_to_grams(mass_g: Decimal) -> int:
    """`mass_g` rounded half-even to a whole gram: the single rounding step of a calculation."""
    return int(mass_g.to_integral_value(rounding=ROUND_HALF_EVEN, context=CALC_CONTEXT))
