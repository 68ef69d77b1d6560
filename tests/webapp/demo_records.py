"""A small demo ledger for the explorer's tests: three enterprises, one quarter of monthly gas and electricity.

27 records (3 enterprises × 3 months × natural gas, location- and market-based electricity), calculated with
the shipped factors and appended under keys naming their activity rows, so loading twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ledger.calc.calculate import Activity, Calculator
from ledger.calc.gwp import gwp_set
from ledger.calc.library import shipped_library
from ledger.calc.sources import source
from ledger.code import ThreeDCode
from ledger.log import MerkleLog, TreeHead
from ledger.period import Period
from ledger.record import Record

DEMO_GWP_SET = "AR6"
DEMO_ACCOUNTS = ("QZ0001", "QZ0002", "HZ0001")


@dataclass(frozen=True)
class DemoRow:
    account: str
    facility: str | None
    period: str
    source: str
    quantity: Decimal
    unit: str
    scope2_method: str | None = None

    @property
    def key(self) -> str:
        where = f"{self.account}.{self.facility}" if self.facility else self.account
        return f"demo/{where}/{self.period}/{self.source}/{self.scope2_method or '-'}"


def demo_rows() -> Iterator[DemoRow]:
    enterprises = (("QZ0001", "F01", Decimal("12.5"), Decimal("840")), ("QZ0002", None, Decimal("3.2"), Decimal("310")),
                   ("HZ0001", "F02", Decimal("7.75"), Decimal("515.5")))
    for account, facility, gas_10k_nm3, power_mwh in enterprises:
        for month in (1, 2, 3):
            period = f"2025M{month:02d}"
            scale = Decimal(100 + 5 * month) / 100
            yield DemoRow(account, facility, period, "stationary-combustion/natural-gas", gas_10k_nm3 * scale, "万Nm3")
            for method in ("location", "market"):
                yield DemoRow(account, facility, period, "purchased-energy/electricity", power_mwh * scale, "MWh", method)


def demo_record(row: DemoRow, serial: int, calculator: Calculator) -> Record:
    calculation = calculator.calculate(
        Activity(source=row.source, quantity=row.quantity, unit=row.unit, scope2_method=row.scope2_method)
    )
    where = source(row.source)
    code = ThreeDCode(
        row.account, row.facility, Period.parse(row.period), where.category.scope, where.category.token, where.token, serial
    )
    return Record(
        code=code.text,
        account=row.account,
        facility=row.facility,
        period=row.period,
        scope=where.category.scope,
        scope3_category=where.category.scope3_category,
        iso_category=where.category.iso_category,
        source=row.source,
        activity_quantity=row.quantity,
        activity_unit=row.unit,
        scope2_method=row.scope2_method,
        gwp_set=DEMO_GWP_SET,
        gases_g=calculation.emission.gases_g,
        co2e_g=calculation.emission.co2e_g,
        biogenic_co2_g=calculation.emission.biogenic_co2_g,
        receipt=calculation.receipt,
    )


def load_demo(log: MerkleLog, count: int | None = None) -> TreeHead:
    """Append the demo records that the log does not hold yet (only the first `count` of them, if given)."""
    rows = list(demo_rows())
    stored = log.existing_keys(row.key for row in rows)
    missing = [row for row in rows if row.key not in stored][:count]
    if not missing:
        return log.tree_head()
    calculator = Calculator(shipped_library(), gwp_set(DEMO_GWP_SET))
    start = log.tree_head().tree_size
    records = [demo_record(row, start + offset + 1, calculator) for offset, row in enumerate(missing)]
    return log.append([record.canonical_bytes() for record in records], keys=[row.key for row in missing],
                      expected_size=start)
