"""Global warming potentials (GWP-100) per IPCC assessment report, as chosen per inventory.

The values ship in `data/gwp.csv`, one row per gas and set, each citing its IPCC table. Sets without a
fossil/non-fossil methane split (SAR, AR4) carry the single CH4 value under all three methane ids, so a
factor can always say which methane it emits. Biogenic CO2 has no GWP here: it is reported beside the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from types import MappingProxyType

from ledger.calc.data_files import package_csv_rows
from ledger.errors import FactorDataError, GwpError, Issue

GWP_SET_NAMES = ("SAR", "AR4", "AR5", "AR6")
BIOGENIC_CO2 = "CO2-biogenic"
_GWP_FILE = "gwp.csv"


@dataclass(frozen=True)
class GwpSet:
    """The GWP-100 of each gas in one IPCC assessment report, with the document each value comes from."""

    name: str
    values: Mapping[str, Decimal]
    sources: Mapping[str, str]

    def gwp_of(self, gas: str) -> Decimal:
        """The GWP of `gas` in this set; GwpError if the set has none for it."""
        try:
            return self.values[gas]
        except KeyError as e:
            raise GwpError(f"gas {gas!r} has no GWP in the {self.name} set") from e

    def source_of(self, gas: str) -> str:
        self.gwp_of(gas)
        return self.sources[gas]


def gwp_set(name: str) -> GwpSet:
    """The GWP set called `name` (SAR, AR4, AR5 or AR6); GwpError for any other name."""
    try:
        return _gwp_sets()[name]
    except KeyError as e:
        raise GwpError(f"unknown GWP set {name!r}: choose one of {', '.join(GWP_SET_NAMES)}") from e


@cache
def known_gases() -> frozenset[str]:
    """Every gas id a factor may name: the gases of any GWP set, and biogenic CO2."""
    return frozenset(gas for gwp in _gwp_sets().values() for gas in gwp.values) | {BIOGENIC_CO2}


@cache
def _gwp_sets() -> Mapping[str, GwpSet]:
    values: dict[str, dict[str, Decimal]] = {name: {} for name in GWP_SET_NAMES}
    sources: dict[str, dict[str, str]] = {name: {} for name in GWP_SET_NAMES}
    issues: list[Issue] = []
    for row_number, row in package_csv_rows(_GWP_FILE):
        name, gas, value_text = row["gwp_set"], row["gas"], row["value"]
        if name not in values:
            issues.append(Issue(_GWP_FILE, row_number, "gwp_set", name, "unknown GWP set"))
            continue
        try:
            value = Decimal(value_text)
        except InvalidOperation:
            issues.append(Issue(_GWP_FILE, row_number, "value", value_text, "not a decimal number"))
            continue
        if not value.is_finite() or value <= 0:
            issues.append(Issue(_GWP_FILE, row_number, "value", value_text, "must be a positive number"))
        elif gas in values[name]:
            issues.append(Issue(_GWP_FILE, row_number, "gas", gas, f"listed twice for {name}"))
        else:
            values[name][gas] = value
            sources[name][gas] = row["source_document"]
    if issues:
        raise FactorDataError(tuple(issues))
    return MappingProxyType(
        {name: GwpSet(name, MappingProxyType(values[name]), MappingProxyType(sources[name])) for name in GWP_SET_NAMES}
    )
