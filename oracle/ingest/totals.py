"""Totals of an ingested file, for the dry-run preview and the import summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ledger.calc.calculate import Emission
from ledger.calc.precision import CALC_CONTEXT

_ZERO = Decimal(0)
_SCOPE_NAMES = {
    (1, None): "scope 1",
    (2, "location"): "scope 2 (location-based)",
    (2, "market"): "scope 2 (market-based)",
    (3, None): "scope 3",
}


@dataclass
class Totals:
    """CO2e grams by scope (scope 2 by method), biogenic CO2, and exact grams per gas over all records.

    Per-gas grams count both scope 2 methods where a row was calculated both ways.
    """

    records: int = 0
    co2e_g_by_scope: dict[str, int] = field(default_factory=dict)
    biogenic_co2_g: int = 0
    gases_g: dict[str, Decimal] = field(default_factory=dict)

    def add(self, scope: int, scope2_method: str | None, emission: Emission) -> None:
        self.records += 1
        scope_name = _SCOPE_NAMES[(scope, scope2_method)]
        self.co2e_g_by_scope[scope_name] = self.co2e_g_by_scope.get(scope_name, 0) + emission.co2e_g
        self.biogenic_co2_g += emission.biogenic_co2_g
        for gas, mass_g in emission.gases_g.items():
            self.gases_g[gas] = CALC_CONTEXT.add(self.gases_g.get(gas, _ZERO), mass_g)

    def merge(self, other: Totals) -> None:
        """Add the totals of another part of the same file."""
        self.records += other.records
        for scope_name, co2e_g in other.co2e_g_by_scope.items():
            self.co2e_g_by_scope[scope_name] = self.co2e_g_by_scope.get(scope_name, 0) + co2e_g
        self.biogenic_co2_g += other.biogenic_co2_g
        for gas, mass_g in other.gases_g.items():
            self.gases_g[gas] = CALC_CONTEXT.add(self.gases_g.get(gas, _ZERO), mass_g)

    def lines(self) -> list[str]:
        """The totals as lines of text, in tonnes (t = 10⁶ g)."""
        lines = [f"records: {self.records}"]
        lines += [f"{scope}: {_tonnes(grams)} t CO2e" for scope, grams in sorted(self.co2e_g_by_scope.items())]
        lines.append(f"biogenic CO2 (outside the scopes): {_tonnes(self.biogenic_co2_g)} t")
        lines += [f"  {gas}: {_tonnes(grams)} t" for gas, grams in sorted(self.gases_g.items())]
        return lines


def _tonnes(grams: int | Decimal) -> str:
    return f"{Decimal(grams).scaleb(-6).quantize(Decimal('0.001')):,}"
