"""The demo ledger's world: two regions, their parks, 24 enterprises with facilities, and a year of activity.

Everything is generated from a fixed seed, so the demo is the same on every machine and a second run finds
everything already in place. The enterprises and figures are made up; the emission factors are the shipped,
cited ones, except the scope 3 demo factors in oracle/data/demo-scope3-factors.csv, which say they are
illustrative.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from oracle.account_registry import AccountEntry, AccountLevel, OutputEntry

DEMO_YEAR = 2025
SCOPE3_FACTORS = Path(__file__).parent / "data" / "demo-scope3-factors.csv"
_SEED = 2025_001

REGIONS = (("ZJ", "Zhejiang"), ("JS", "Jiangsu"))
PARKS = (("QZP", "Quzhou Green Industrial Park", "ZJ", "QZ"), ("SZP", "Suzhou Industrial Park", "JS", "SZ"))
# Industry codes (GB/T 4754 divisions): the benchmark of each is in oracle/data/benchmarks.json.
INDUSTRIES = (("C26", "chemicals"), ("C30", "non-metallic minerals"), ("C31", "iron and steel"),
              ("C39", "electronics"), ("C17", "textiles"))
ENTERPRISES_PER_PARK = 12
# Enterprises whose allowance is set below what they emit, so that the demo shows warnings.
TIGHT_ALLOWANCES = {"QZ0003": Decimal("0.85"), "QZ0007": Decimal("0.95"), "SZ0004": Decimal("1.12"),
                    "SZ0009": Decimal("1.18")}
# East China grid, 2023 (MEE/NBS): the location-based factor for Zhejiang and Jiangsu.
GRID_FACTOR = "cn-grid-2023/east"
RESIDUAL_FACTOR = "cn-grid-2023/national-excluding-non-fossil"


@dataclass(frozen=True)
class Enterprise:
    account: str
    name: str
    region: str
    park: str
    industry: str
    facilities: tuple[str, ...]
    gas_10k_nm3_per_month: Decimal
    power_mwh_per_month: Decimal
    green_share: Decimal


def enterprises() -> list[Enterprise]:
    chooser = random.Random(_SEED)
    result = []
    for park, park_name, region, prefix in PARKS:
        for number in range(1, ENTERPRISES_PER_PARK + 1):
            industry, industry_name = INDUSTRIES[(number - 1) % len(INDUSTRIES)]
            facilities = ("F01", "F02") if number % 3 == 0 else ("F01",)
            result.append(Enterprise(
                account=f"{prefix}{number:04d}",
                name=f"{park_name.split()[0]} {industry_name.title()} Co. {number}",
                region=region,
                park=park,
                industry=industry,
                facilities=facilities,
                gas_10k_nm3_per_month=Decimal(chooser.randint(50, 400)) / 10,
                power_mwh_per_month=Decimal(chooser.randint(300, 3000)),
                green_share=Decimal(chooser.choice((0, 0, 10, 25))) / 100,
            ))
    return result


def directory(owner_of: Callable[[str], str]) -> list[AccountEntry]:
    """Every account of the demo, parents before children; `owner_of` gives each account's owner address."""
    entries = [AccountEntry(code, name, AccountLevel.REGION, code, "-", None, owner_of(code)) for code, name in REGIONS]
    entries += [AccountEntry(code, name, AccountLevel.PARK, region, "-", region, owner_of(code))
                for code, name, region, _ in PARKS]
    for enterprise in enterprises():
        entries.append(AccountEntry(enterprise.account, enterprise.name, AccountLevel.ENTERPRISE, enterprise.region,
                                    enterprise.industry, enterprise.park, owner_of(enterprise.account)))
        entries += [AccountEntry(f"{enterprise.account}.{facility}", f"{enterprise.name}, facility {facility}",
                                 AccountLevel.FACILITY, enterprise.region, enterprise.industry, enterprise.account,
                                 owner_of(enterprise.account)) for facility in enterprise.facilities]
    return entries


def _monthly_scale(month: int) -> Decimal:
    # Heating in winter, cooling in summer: a simple seasonal swing around 1.
    return Decimal((100, 96, 90, 85, 88, 98, 108, 110, 97, 88, 92, 102)[month - 1]) / 100


def activity_rows() -> Iterator[dict[str, str]]:
    """A year of monthly activity per facility: gas, diesel, electricity, refrigerant, purchases, travel."""
    chooser = random.Random(_SEED + 1)
    for enterprise in enterprises():
        share = Decimal(1) / len(enterprise.facilities)
        for facility in enterprise.facilities:
            for month in range(1, 13):
                period = f"{DEMO_YEAR}M{month:02d}"
                scale = _monthly_scale(month) * share
                base = {"account": enterprise.account, "facility": facility, "period": period, "gwp_set": "AR5"}
                power = (enterprise.power_mwh_per_month * scale).quantize(Decimal("0.1"))
                yield dict(base, source="stationary-combustion/natural-gas", activity_quantity=str(
                    (enterprise.gas_10k_nm3_per_month * scale).quantize(Decimal("0.01"))), activity_unit="万Nm³")
                yield dict(base, source="mobile-combustion/diesel", activity_quantity=str(
                    Decimal(chooser.randint(20, 90)) * share), activity_unit="t")
                yield dict(base, source="purchased-energy/electricity", activity_quantity=str(power),
                           activity_unit="MWh", scope2_method="both", factor_id=GRID_FACTOR,
                           market_factor_id=RESIDUAL_FACTOR,
                           instrument_quantity=str((power * enterprise.green_share).quantize(Decimal("0.1"))))
                yield dict(base, source="purchased-goods-and-services/spend", activity_quantity=str(
                    Decimal(chooser.randint(5, 50)) * 10_000 * share), activity_unit="元",
                    factor_id="demo-scope3/purchased-goods-spend")
                yield dict(base, source="business-travel/air", activity_quantity=str(
                    chooser.randint(2_000, 40_000)), activity_unit="pkm", factor_id="demo-scope3/business-travel-air")
            yield {"account": enterprise.account, "facility": facility, "period": f"{DEMO_YEAR}M07",
                   "gwp_set": "AR5", "source": "fugitive/r-410a",
                   "activity_quantity": str(Decimal(chooser.randint(5, 60)) / 2), "activity_unit": "kg"}


def write_activity_file(path: Path) -> int:
    """Write the year of activity as a CSV the ingest command reads; return the number of rows."""
    rows = list(activity_rows())
    columns = sorted({column for row in rows for column in row})
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def outputs(emitted_t: dict[str, Decimal]) -> list[OutputEntry]:
    """Yearly output per enterprise, spread around what makes its intensity equal to the industry benchmark."""
    chooser = random.Random(_SEED + 2)
    return [OutputEntry(account, DEMO_YEAR, (tonnes * Decimal(chooser.randint(70, 135)) / 100).quantize(Decimal(1)),
                        "t product")
            for account, tonnes in sorted(emitted_t.items())]


def allowance_g(account: str, emitted_g: int) -> int:
    """The 2025 allowance: a little above the year's emissions, below them for the few tight accounts."""
    ratio = TIGHT_ALLOWANCES.get(account, Decimal("1.30"))
    return int((Decimal(emitted_g) * ratio).quantize(Decimal(1_000_000)))
