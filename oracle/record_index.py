"""A derived index of the log's records for the explorer: per record (account, period, scope, CO2e) and
monthly totals per account, scope and scope 2 method.

It is derived data: rebuilt from the log at any time, and kept current by `catch_up`, which reads the
entries appended since its cursor and writes their rows, the totals and the new cursor in one transaction
per slice, so a crash leaves it consistent and the next catch-up carries on. Listing an account's records
or totalling a region reads these tables instead of the whole log.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Engine, Index, Integer, MetaData, String, Table, select

from ledger.log import MerkleLog
from oracle.sql_upsert import upsert_insert

logger = logging.getLogger(__name__)

_SLICE = 50_000

metadata = MetaData()

record_rows = Table(
    "ledger_record_index",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("leaf_index", BigInteger, primary_key=True, autoincrement=False),
    Column("account", String(64), nullable=False),
    Column("facility", String(64), nullable=True),
    Column("period", String(8), nullable=False),
    Column("scope", Integer, nullable=False),
    Column("scope2_method", String(8), nullable=False),
    Column("source", String(128), nullable=False),
    Column("co2e_g", BigInteger, nullable=False),
    Index("ix_record_index_account", "origin", "account", "leaf_index"),
)

monthly_totals = Table(
    "ledger_monthly_totals",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("account", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("scope", Integer, primary_key=True, autoincrement=False),
    Column("scope2_method", String(8), primary_key=True),
    Column("co2e_g", BigInteger, nullable=False),
    Column("records", BigInteger, nullable=False),
)

cursors = Table(
    "ledger_index_cursor",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("indexed_size", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class MonthlyTotal:
    account: str
    month: str
    scope: int
    scope2_method: str
    co2e_g: int
    records: int


def _month(period: str) -> str:
    """The month a period starts in, as YYYYMmm (a year or quarter is booked to its first month)."""
    if "M" in period:
        return period
    if "Q" in period:
        return f"{period[:4]}M{(int(period[5]) - 1) * 3 + 1:02d}"
    if len(period) == 8:
        return f"{period[:4]}M{period[4:6]}"
    return f"{period}M01"


class RecordIndex:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin
        metadata.create_all(engine)

    def indexed_size(self) -> int:
        with self.engine.connect() as connection:
            size = connection.execute(select(cursors.c.indexed_size).where(cursors.c.origin == self.origin)).scalar()
        return int(size or 0)

    def catch_up(self, log: MerkleLog) -> int:
        """Index the entries appended since the last catch-up; return the size now indexed."""
        size = log.tree_head().tree_size
        start = self.indexed_size()
        for slice_start in range(start, size, _SLICE):
            slice_end = min(slice_start + _SLICE, size)
            self._index(slice_start, log.entries(slice_start, slice_end))
            logger.info("record index of %s at %d of %d", self.origin, slice_end, size)
        return size

    def _index(self, start: int, entries: Sequence[bytes]) -> None:
        rows = []
        totals: defaultdict[tuple[str, str, int, str], list[int]] = defaultdict(lambda: [0, 0])
        for offset, entry in enumerate(entries):
            record = json.loads(entry)
            method = record.get("scope2_method") or ""
            rows.append({"origin": self.origin, "leaf_index": start + offset, "account": record["account"],
                         "facility": record.get("facility"), "period": record["period"], "scope": record["scope"],
                         "scope2_method": method, "source": record["source"], "co2e_g": record["co2e_g"]})
            total = totals[(record["account"], _month(record["period"]), record["scope"], method)]
            total[0] += record["co2e_g"]
            total[1] += 1
        totals_insert = upsert_insert(self.engine, monthly_totals)
        add_totals = totals_insert.on_conflict_do_update(
            index_elements=["origin", "account", "month", "scope", "scope2_method"],
            set_={"co2e_g": monthly_totals.c.co2e_g + totals_insert.excluded.co2e_g,
                  "records": monthly_totals.c.records + totals_insert.excluded.records},
        )
        cursor_insert = upsert_insert(self.engine, cursors)
        move_cursor = cursor_insert.on_conflict_do_update(
            index_elements=["origin"], set_={"indexed_size": cursor_insert.excluded.indexed_size}
        )
        with self.engine.begin() as connection:
            if rows:
                connection.execute(record_rows.insert(), rows)
                connection.execute(add_totals, [
                    {"origin": self.origin, "account": account, "month": month, "scope": scope,
                     "scope2_method": method, "co2e_g": grams, "records": count}
                    for (account, month, scope, method), (grams, count) in totals.items()
                ])
            connection.execute(move_cursor, {"origin": self.origin, "indexed_size": start + len(entries)})

    def leaf_indices(self, account: str | None = None, start: int = 0, limit: int = 100) -> list[int]:
        """Leaf indices of records (of `account`, if given) from `start` on, ascending."""
        query = (select(record_rows.c.leaf_index)
                 .where(record_rows.c.origin == self.origin, record_rows.c.leaf_index >= start)
                 .order_by(record_rows.c.leaf_index).limit(limit))
        if account is not None:
            query = query.where(record_rows.c.account == account)
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def monthly_totals(self, accounts: Sequence[str] | None = None, year: int | None = None) -> list[MonthlyTotal]:
        query = select(monthly_totals).where(monthly_totals.c.origin == self.origin).order_by(
            monthly_totals.c.account, monthly_totals.c.month, monthly_totals.c.scope)
        if accounts is not None:
            query = query.where(monthly_totals.c.account.in_(list(accounts)))
        if year is not None:
            query = query.where(monthly_totals.c.month.like(f"{year}M%"))
        with self.engine.connect() as connection:
            return [MonthlyTotal(row.account, row.month, row.scope, row.scope2_method, row.co2e_g, row.records)
                    for row in connection.execute(query)]
