"""Account totals of appended batches, kept by the importer so that the oracle need not read their records back.

An import knows, for every record it appends, its account, year and the grams that count toward the account
(oracle.account_totals). After each append it stores that batch's totals per account and year under the
batch's leaf range. The oracle, totalling a checkpoint's range, takes the stored totals of the batches that lie
wholly inside it and reads and totals the records of whatever lies between them: entries another writer
appended, or a batch whose totals a crash kept from being stored. Stored totals are derived data, written only
after their batch was committed, from the figures the records were written with.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping

from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, Text, insert, select

AccountYear = tuple[str, int]
Totals = dict[AccountYear, int]

metadata = MetaData()

batch_totals = Table(
    "ledger_batch_totals",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("start_index", BigInteger, primary_key=True, autoincrement=False),
    Column("end_index", BigInteger, nullable=False),
    # {account: {year: grams}} as JSON: a batch holds a few accounts to a few thousand.
    Column("totals", Text, nullable=False),
)


class BatchTotals:
    """The stored batch totals of one log."""

    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin
        metadata.create_all(engine)

    def store(self, start: int, end: int, totals: Mapping[AccountYear, int]) -> None:
        """Keep the totals of the batch of entries [start, end), which the log has committed."""
        by_account: defaultdict[str, dict[str, int]] = defaultdict(dict)
        for (account, year), grams in sorted(totals.items()):
            by_account[account][str(year)] = grams
        with self.engine.begin() as connection:
            connection.execute(insert(batch_totals).values(
                origin=self.origin, start_index=start, end_index=end, totals=json.dumps(by_account, sort_keys=True)
            ))

    def totals(self, start: int, end: int, read: Callable[[int, int], Totals]) -> Totals:
        """Totals per account and year over entries [start, end): stored batch totals where a batch lies wholly
        inside, `read(a, b)` (the records of [a, b) totalled) for every stretch no stored batch covers."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(batch_totals.c.start_index, batch_totals.c.end_index, batch_totals.c.totals)
                .where(batch_totals.c.origin == self.origin, batch_totals.c.start_index >= start,
                       batch_totals.c.end_index <= end)
                .order_by(batch_totals.c.start_index)
            ).all()
        result: defaultdict[AccountYear, int] = defaultdict(int)
        position = start
        for batch_start, batch_end, stored in rows:
            if batch_start < position:
                continue
            if batch_start > position:
                _add(result, read(position, batch_start))
            for account, years in json.loads(stored).items():
                for year, grams in years.items():
                    result[(account, int(year))] += grams
            position = batch_end
        if position < end:
            _add(result, read(position, end))
        return dict(result)


def _add(into: defaultdict[AccountYear, int], totals: Mapping[AccountYear, int]) -> None:
    for key, grams in totals.items():
        into[key] += grams
