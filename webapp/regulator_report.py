"""The regulator's view of a region and year, as a JSON-ready dict for the page, the API and the exports.

The region's enterprises come from the account directory; their emissions from the record index's monthly
totals (oracle/record_index.py: an enterprise's own records and its facilities', booked to the month their
period starts in). Totals by scope take every record (scope 2 both location- and market-based, so the two are
not to be added); totals by industry and by month, the rankings and the ratings take the emissions that count
toward the carbon accounts (scope 1 and location-based scope 2). Allowances, balances and warnings come from the
chain when it answers.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from ledger.errors import ChainUnavailableError, UnknownAccountError
from oracle.account_registry import AccountLevel
from oracle.account_totals import counts_toward_account
from oracle.record_index import MonthlyTotal
from webapp.accounts_access import account_registry, chain, rating_rule, record_index
from webapp.accounts_chain import warnings, year_books
from webapp.accounts_view import chosen_year, index_years, rating_of

SCOPE_KEYS = ("scope1", "scope2_location", "scope2_market", "scope3")


def scope_key(total: MonthlyTotal) -> str:
    """scope1, scope2_location, scope2_market or scope3."""
    if total.scope == 2:
        return "scope2_market" if total.scope2_method == "market" else "scope2_location"
    return f"scope{total.scope}"


def counts(total: MonthlyTotal) -> bool:
    return counts_toward_account({"scope": total.scope, "scope2_method": total.scope2_method})


def regions() -> list[dict[str, Any]]:
    """The regions in the account directory, with how many enterprises each has."""
    entries = account_registry().accounts()
    enterprises: defaultdict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.level is AccountLevel.ENTERPRISE:
            enterprises[entry.region] += 1
    return [{"region": entry.account, "name": entry.name, "enterprises": enterprises[entry.account]}
            for entry in entries if entry.level is AccountLevel.REGION]


def region_report(region: str, year: int | None) -> dict[str, Any]:
    entries = account_registry().accounts(region)
    head = next((entry for entry in entries if entry.level is AccountLevel.REGION), None)
    if head is None:
        raise UnknownAccountError(f"region {region!r} is not in the account directory")
    enterprises = [entry for entry in entries if entry.level is AccountLevel.ENTERPRISE]
    accounts = [entry.account for entry in enterprises]
    names = {entry.account: entry.name for entry in entries}
    index = record_index()
    years = index_years(index, accounts)
    year = chosen_year(year, years)

    by_scope = dict.fromkeys(SCOPE_KEYS, 0)
    by_industry: defaultdict[str, int] = defaultdict(int)
    by_month = [0] * 12
    by_account: defaultdict[str, int] = defaultdict(int)
    industry_of = {entry.account: entry.industry for entry in enterprises}
    for total in index.monthly_totals(accounts, year):
        by_scope[scope_key(total)] += total.co2e_g
        if counts(total):
            by_industry[industry_of[total.account]] += total.co2e_g
            by_month[int(total.month[5:]) - 1] += total.co2e_g
            by_account[total.account] += total.co2e_g

    books, chain_note = _books(accounts, year)
    outputs = account_registry().outputs(year)
    rows: list[dict[str, Any]] = [{
        "account": entry.account,
        "name": entry.name,
        "industry": entry.industry,
        "parent": entry.parent,
        "parent_name": names.get(entry.parent or ""),
        "emissions_g": by_account[entry.account],
        "rating": rating_of(entry, year, by_account[entry.account], outputs.get(entry.account)),
        "book": books.get(entry.account),
    } for entry in enterprises]
    rows.sort(key=lambda row: (-row["emissions_g"], row["account"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    rated = [row for row in rows if row["rating"]["ratio"] is not None]
    benchmarks = rating_rule().benchmarks
    return {
        "region": region,
        "name": head.name,
        "year": year,
        "years": years,
        "totals_by_scope_g": by_scope,
        "totals_by_industry_g": [
            {"industry": industry, "name": benchmarks[industry].name if industry in benchmarks else None,
             "emissions_g": grams}
            for industry, grams in sorted(by_industry.items(), key=lambda item: (-item[1], item[0]))
        ],
        "totals_by_month_g": by_month,
        "accounts": rows,
        # Highest intensity relative to the industry benchmark first; rows are already ranked by emissions.
        "ranked_by_intensity": [row["account"] for row in sorted(
            rated, key=lambda row: (-Decimal(row["rating"]["ratio"]), row["account"]))],
        "unrated": [row["account"] for row in rows if row["rating"]["ratio"] is None],
        "warnings": _warnings([entry.account for entry in entries], year) if chain_note is None else [],
        "chain": {"available": chain_note is None, "note": chain_note},
    }


def _books(accounts: list[str], year: int) -> tuple[dict[str, dict[str, int]], str | None]:
    try:
        return dict(year_books(chain(), accounts, year)), None
    except ChainUnavailableError as error:
        return {}, str(error)


def _warnings(accounts: list[str], year: int) -> list[dict[str, Any]]:
    try:
        return warnings(chain(), accounts, year)
    except ChainUnavailableError:
        return []
