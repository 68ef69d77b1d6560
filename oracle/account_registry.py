"""The ledger's directory of accounts: who each account is, where it sits, and what it produced.

Accounts form a hierarchy (region → park/group → enterprise → facility) with a region code and an industry
code; the chain holds the same hierarchy (CarbonAccounts), this directory holds the names and the yearly
output figures that emission intensity is measured against. Regulators register accounts through the
provisioning commands, which write here and on chain.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, select

from oracle.sql_upsert import upsert_insert

metadata = MetaData()


class AccountLevel(enum.IntEnum):
    """The levels of CarbonAccounts.AccountLevel, in the same order."""

    REGION = 0
    PARK = 1
    ENTERPRISE = 2
    FACILITY = 3


accounts = Table(
    "ledger_accounts",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("level", Integer, nullable=False),
    Column("region", String(8), nullable=False),
    Column("industry", String(8), nullable=False),
    Column("parent", String(64), nullable=True),
    Column("owner", String(42), nullable=False),
)

outputs = Table(
    "ledger_account_outputs",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    # A decimal string: the denominator of emission intensity (e.g. tonnes of product, or 10^4 CNY value added).
    Column("output", String(64), nullable=False),
    Column("output_unit", String(32), nullable=False),
)


@dataclass(frozen=True)
class AccountEntry:
    account: str
    name: str
    level: AccountLevel
    region: str
    industry: str
    parent: str | None
    owner: str


@dataclass(frozen=True)
class OutputEntry:
    account: str
    year: int
    output: Decimal
    output_unit: str


class AccountRegistry:
    """Reads and writes the directory; writes are upserts, so provisioning can run again."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def _upsert(self, table: Table, rows: list[dict[str, object]], keys: Sequence[str]) -> None:
        if not rows:
            return
        insert = upsert_insert(self.engine, table)
        statement = insert.on_conflict_do_update(
            index_elements=list(keys),
            set_={column.name: insert.excluded[column.name] for column in table.columns if column.name not in keys},
        )
        with self.engine.begin() as connection:
            connection.execute(statement, rows)

    def save_accounts(self, entries: Sequence[AccountEntry]) -> None:
        self._upsert(accounts, [dict(entry.__dict__, level=int(entry.level)) for entry in entries], ["account"])

    def save_outputs(self, entries: Sequence[OutputEntry]) -> None:
        rows = [dict(entry.__dict__, output=str(entry.output)) for entry in entries]
        self._upsert(outputs, rows, ["account", "year"])

    def accounts(self, region: str | None = None) -> list[AccountEntry]:
        query = select(accounts).order_by(accounts.c.level, accounts.c.account)
        if region is not None:
            query = query.where(accounts.c.region == region)
        with self.engine.connect() as connection:
            return [
                AccountEntry(row.account, row.name, AccountLevel(row.level), row.region, row.industry, row.parent, row.owner)
                for row in connection.execute(query)
            ]

    def outputs(self, year: int) -> dict[str, OutputEntry]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(outputs).where(outputs.c.year == year))
            return {row.account: OutputEntry(row.account, row.year, Decimal(row.output), row.output_unit) for row in rows}
