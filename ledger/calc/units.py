"""Units of activity data and factors, via pint, with every conversion multiplier cached.

The registry defines only what inventories use, each unit exactly (kWh = 3.6 MJ, mmBtu = 10⁶ Btu(IT) =
1.05505585262 GJ, tce = 29.3076 GJ, US gallon = 3.785411784 L), and computes in Decimal. Gas volumes at
reference conditions are dimensions of their own: Nm³ (0 °C and 101.325 kPa, as Chinese data states gas) and
scf (60 °F and 14.696 psia, as US data does); a plain m³ is a geometric volume. None of the three converts
into another unless the user configures a ratio (ledger.calc.conversions), because the ratio depends on
conditions the unit alone does not state. Each currency is its own dimension too: no exchange rates here.

Chinese data writes 万 (10⁴) or 亿 (10⁸) before a unit (万Nm³, 万kWh, 万吨, 万元); "10^4 " and "10⁴" do the same.
Parsing and conversion are cached per unit text, so a file with a million rows calls pint once per unit.
"""

from __future__ import annotations

import re
import tokenize
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache

import pint

from ledger.calc.precision import CALC_CONTEXT
from ledger.errors import UnitError

_DEFINITIONS = (
    "kilo- = 1000 = k-",
    "mega- = 1000000 = M-",
    "giga- = 1000000000 = G-",
    "tera- = 1000000000000 = T-",
    "milli- = 0.001 = m-",
    "gram = [mass] = g",
    "meter = [length] = m",
    "joule = [energy] = J",
    "normal_cubic_meter = [gas_volume_at_0C_101325Pa] = Nm3",
    "standard_cubic_foot = [gas_volume_at_60F_14696psia] = scf",
    "passenger = [passenger]",
    "yuan = [currency_CNY] = CNY",
    "us_dollar = [currency_USD] = USD",
    "euro = [currency_EUR] = EUR",
    "tonne = 1000000 * gram = t",
    "short_ton = 907184.74 * gram = ston",
    "pound = 453.59237 * gram = lb",
    "liter = 0.001 * meter ** 3 = L",
    "us_gallon = 3.785411784 * liter = gal",
    "barrel = 42 * us_gallon = bbl",
    "mile = 1609.344 * meter = mi",
    "watt_hour = 3600 * joule = Wh",
    "btu_it = 1055.05585262 * joule = Btu",
    "million_btu = 1000000 * Btu = mmBtu = MMBtu",
    "therm = 100000 * Btu",
    "tonne_of_coal_equivalent = 29307600000 * joule = tce",
)

# Spellings found in activity data, mapped to the registry's expression for the same unit.
_ALIASES = {
    "m3": "meter**3",
    "m^3": "meter**3",
    "立方米": "meter**3",
    "Nm^3": "Nm3",
    "标准立方米": "Nm3",
    "标方": "Nm3",
    "SCF": "scf",
    "度": "kWh",
    "千瓦时": "kWh",
    "兆瓦时": "MWh",
    "吉焦": "GJ",
    "兆焦": "MJ",
    "太焦": "TJ",
    "吨标准煤": "tce",
    "吨标煤": "tce",
    "吨": "t",
    "千克": "kg",
    "公斤": "kg",
    "克": "g",
    "升": "L",
    "加仑": "gal",
    "公里": "km",
    "千米": "km",
    "tkm": "t*km",
    "t-km": "t*km",
    "tonne-km": "t*km",
    "吨公里": "t*km",
    "pkm": "passenger*km",
    "passenger-km": "passenger*km",
    "人公里": "passenger*km",
    "元": "CNY",
    "RMB": "CNY",
}

_SCALES = (
    ("万", Decimal(10) ** 4),
    ("亿", Decimal(10) ** 8),
    ("10^4", Decimal(10) ** 4),
    ("10⁴", Decimal(10) ** 4),
    ("10^8", Decimal(10) ** 8),
    ("10⁸", Decimal(10) ** 8),
)

_SPELLING = str.maketrans({"³": "3", "²": "2", "·": "*", "×": "*"})

# What pint's parser may raise on text that is not a unit expression (its parser asserts on some).
_PARSE_FAILURES = (
    pint.PintError,
    AssertionError,
    ArithmeticError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,
    tokenize.TokenError,
)
_UNIT_TEXT = re.compile(r"[\w*/^().-]+")


@dataclass(frozen=True)
class ParsedUnit:
    """A unit as written (`text`), read as `scale` × the registry unit `expression`: 万Nm³ = 10⁴ × Nm3."""

    text: str
    scale: Decimal
    expression: str


@cache
def parse_unit(text: str) -> ParsedUnit:
    """Read a unit as written in activity data or a factor dataset; UnitError if it is unknown."""
    spelled = text.strip().translate(_SPELLING)
    scale = Decimal(1)
    for prefix, prefix_scale in _SCALES:
        if spelled.startswith(prefix):
            spelled, scale = spelled[len(prefix) :].strip(), prefix_scale
            break
    expression = _ALIASES.get(spelled, spelled)
    if not expression:
        raise UnitError(f"unit {text!r} is empty")
    if not _UNIT_TEXT.fullmatch(expression):
        raise UnitError(f"unit {text!r} holds characters no unit has")
    try:
        _REGISTRY.parse_units(expression)
    except _PARSE_FAILURES as e:
        raise UnitError(f"unknown unit {text!r}") from e
    return ParsedUnit(text, scale, expression)


@cache
def conversion_multiplier(from_text: str, to_text: str) -> Decimal:
    """The number that turns a quantity in `from_text` units into `to_text` units (万Nm³ → Nm3: 10000).

    UnitError if either unit is unknown or the two measure different things (energy vs mass, Nm³ vs m³).
    """
    from_unit, to_unit = parse_unit(from_text), parse_unit(to_text)
    with localcontext(CALC_CONTEXT):
        try:
            base = _REGISTRY.Quantity(Decimal(1), from_unit.expression).to(to_unit.expression).magnitude
        except pint.DimensionalityError as e:
            raise UnitError(
                f"cannot convert {from_text!r} ({dimension_of(from_text)}) to {to_text!r} ({dimension_of(to_text)})"
            ) from e
        return (Decimal(base) * from_unit.scale / to_unit.scale).normalize()


@cache
def dimension_of(text: str) -> str:
    """What a unit measures, as pint writes it: '[energy]', '[mass]', '[gas_volume_at_0C_101325Pa]'."""
    return str(_REGISTRY.parse_units(parse_unit(text).expression).dimensionality)


def is_energy(text: str) -> bool:
    return dimension_of(text) == "[energy]"


def _registry() -> pint.UnitRegistry[Decimal]:
    registry: pint.UnitRegistry[Decimal] = pint.UnitRegistry(None, non_int_type=Decimal, cache_folder=None)
    for definition in _DEFINITIONS:
        registry.define(definition)
    return registry


_REGISTRY = _registry()
