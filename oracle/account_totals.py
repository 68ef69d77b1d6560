"""Which records count toward a carbon account's emissions, and their totals per account and year.

A carbon account weighs an enterprise's own emissions against its allowance: scope 1 and scope 2
location-based. Market-based scope 2 figures restate the same electricity (they would count it twice), and
scope 3 lies in other organisations' accounts; both stay in the ledger and its reports, not in the balance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any


def counts_toward_account(record: dict[str, Any]) -> bool:
    return counts_toward(record["scope"], record.get("scope2_method"))


def counts_toward(scope: int, scope2_method: str | None) -> bool:
    """Whether a record of `scope` (and `scope2_method`) counts toward its account's emissions."""
    return scope == 1 or (scope == 2 and scope2_method != "market")


def account_totals(records: Iterable[dict[str, Any]]) -> dict[tuple[str, int], int]:
    """CO2e grams per (account, year) of the records that count toward accounts."""
    totals: defaultdict[tuple[str, int], int] = defaultdict(int)
    for record in records:
        if counts_toward_account(record):
            totals[(record["account"], int(record["period"][:4]))] += record["co2e_g"]
    return dict(totals)
