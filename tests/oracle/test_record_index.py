"""The explorer's record index: derived from the log, caught up incrementally, totals equal to the records'."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore, create_store_engine
from oracle.demo import load_demo_records
from oracle.record_index import RecordIndex, _month


def open_index(tmp_path: Path) -> tuple[MerkleLog, RecordIndex]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    return MerkleLog(SqlLogStore.from_url(url), "index/test"), RecordIndex(create_store_engine(url), "index/test")


def record(account: str, period: str, scope: int, co2e_g: int, method: str | None = None) -> bytes:
    return json.dumps({"account": account, "facility": None, "period": period, "scope": scope,
                       "scope2_method": method, "source": "s/x", "co2e_g": co2e_g}).encode()


def test_given_records_appended_in_two_batches_when_caught_up_twice_then_each_is_indexed_once(tmp_path: Path) -> None:
    log, index = open_index(tmp_path)
    log.append([record("AAA", "2025M01", 1, 5), record("BBB", "2025M01", 2, 7, "location")])
    assert index.catch_up(log) == 2
    log.append([record("AAA", "2025M01", 1, 11), record("AAA", "2025Q2", 3, 13)])
    assert index.catch_up(log) == 4
    assert index.catch_up(log) == 4
    totals = {(t.account, t.month, t.scope, t.scope2_method): (t.co2e_g, t.records) for t in index.monthly_totals()}
    assert totals == {("AAA", "2025M01", 1, ""): (16, 2), ("BBB", "2025M01", 2, "location"): (7, 1),
                      ("AAA", "2025M04", 3, ""): (13, 1)}
    assert index.leaf_indices("AAA") == [0, 2, 3]
    assert index.leaf_indices(start=1, limit=2) == [1, 2]


def test_given_the_demo_records_then_monthly_totals_equal_the_sums_of_the_records(tmp_path: Path) -> None:
    log, index = open_index(tmp_path)
    load_demo_records(log, tmp_path)
    index.catch_up(log)
    expected: Counter[tuple[str, str, int]] = Counter()
    for entry in log.entries(0, log.tree_head().tree_size):
        parsed = json.loads(entry)
        expected[(parsed["account"], parsed["period"], parsed["scope"])] += parsed["co2e_g"]
    got: Counter[tuple[str, str, int]] = Counter()
    for total in index.monthly_totals(year=2025):
        got[(total.account, total.month, total.scope)] += total.co2e_g
    assert got == expected


def test_periods_are_booked_to_the_month_they_start_in() -> None:
    assert [_month(p) for p in ("2025", "2025Q3", "2025M11", "20250314")] == ["2025M01", "2025M07", "2025M11", "2025M03"]
