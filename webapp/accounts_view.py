"""What the explorer says about one carbon account and year, as a JSON-ready dict for the page and the API.

From the ledger: the account's records of the year (from the log) and its place in the hierarchy and its output
(from the account directory). From the chain: the year book (allowance, emissions posted, retired offsets,
balance), the balance warnings and the attestations. Without the chain the rest still shows, with `chain.note`
saying why the chain's part is missing.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from flask import current_app

from ledger.errors import ChainUnavailableError, UnknownAccountError
from ledger.period import Period
from oracle.account_registry import AccountEntry, AccountLevel, OutputEntry
from oracle.account_totals import counts_toward_account
from oracle.chain_ids import account_id
from oracle.evidence import account_matches, record_year
from oracle.rating import RatingInputs, rate
from oracle.record_index import RecordIndex
from webapp.accounts_access import account_registry, chain, rating_rule, record_index
from webapp.accounts_chain import (
    anchored_tree_size,
    attestations,
    registration,
    warning_thresholds_bps,
    warnings,
    year_book,
)
from webapp.ledger_access import current_log

# Leaf indices are read from the record index this many at a time.
_INDEX_PAGE = 1000


def directory_entry(account: str) -> tuple[AccountEntry, list[AccountEntry]]:
    """The account's directory entry and all entries; UnknownAccountError if it is not in the directory."""
    entries = account_registry().accounts()
    for entry in entries:
        if entry.account == account:
            return entry, entries
    raise UnknownAccountError(f"account {account!r} is not in the account directory")


def chosen_year(year: int | None, years_with_records: list[int]) -> int:
    """The year asked for, else the latest with records, else this year."""
    if year is not None:
        return year
    return years_with_records[0] if years_with_records else datetime.now(timezone.utc).year


def entry_json(entry: AccountEntry) -> dict[str, Any]:
    return {"account": entry.account, "name": entry.name, "level": entry.level.name.lower(), "region": entry.region,
            "industry": entry.industry, "parent": entry.parent, "owner": entry.owner}


def rating_of(entry: AccountEntry, year: int, emissions_g: int, output: OutputEntry | None) -> dict[str, Any]:
    """The account's colour rating for `year` with its inputs (oracle/rating.py)."""
    inputs = RatingInputs(entry.account, year, entry.industry, emissions_g,
                          None if output is None else output.output, None if output is None else output.output_unit)
    return rate(inputs, rating_rule()).to_json()


def index_years(index: RecordIndex, accounts: list[str] | None) -> list[int]:
    """The years in which `accounts` (None: any account) have records, latest first."""
    return sorted({int(total.month[:4]) for total in index.monthly_totals(accounts)}, reverse=True)


def account_records(index: RecordIndex, account: str, year: int) -> list[dict[str, Any]]:
    """`account`'s records of `year` (an enterprise's from all its facilities, or one facility's), in log order,
    each with the month its period starts in (where the record index books it)."""
    enterprise = account.partition(".")[0]
    log = current_log()
    records, start = [], 0
    while leaf_indices := index.leaf_indices(enterprise, start, _INDEX_PAGE):
        for leaf_index in leaf_indices:
            record = json.loads(log.entries(leaf_index, leaf_index + 1)[0])
            if record_year(record) == year and account_matches(account, record["account"], record.get("facility")):
                records.append({
                    "code": record["code"], "leaf_index": leaf_index, "facility": record.get("facility"),
                    "period": record["period"], "month": Period.parse(record["period"]).first_day.month,
                    "scope": record["scope"], "scope2_method": record.get("scope2_method"), "source": record["source"],
                    "co2e_g": record["co2e_g"], "counts_toward_account": counts_toward_account(record),
                })
        start = leaf_indices[-1] + 1
    return records


def account_overview(account: str, year: int | None) -> dict[str, Any]:
    entry, entries = directory_entry(account)
    index = record_index()
    years = index_years(index, [account.partition(".")[0]])
    # A region or park has no records of its own: it shows the ledger's latest year, as its children do.
    year = chosen_year(year, years or index_years(index, None))
    records = account_records(index, account, year)
    monthly = [0] * 12
    for record in records:
        if record["counts_toward_account"]:
            monthly[record["month"] - 1] += record["co2e_g"]
    by_account = {other.account: other for other in entries}
    parent = by_account.get(entry.parent) if entry.parent else None
    return {
        "account": entry_json(entry),
        "account_id": "0x" + account_id(account).hex(),
        "year": year,
        "years": years,
        "parent": None if parent is None else entry_json(parent),
        "children": [entry_json(other) for other in entries if other.parent == account],
        "records": records,
        "monthly_emissions_g": monthly,
        "emissions_g": sum(monthly),
        "rating": None if entry.level is not AccountLevel.ENTERPRISE else rating_of(
            entry, year, sum(monthly), account_registry().outputs(year).get(account)),
        "chain": chain_part(account, year),
    }


def chain_part(account: str, year: int) -> dict[str, Any]:
    """The account's year on chain, or `{"available": False, "note": why}`."""
    reader = chain()
    try:
        return {
            "available": True,
            "registration": registration(reader, account),
            "book": year_book(reader, account, year),
            "warning_thresholds_bps": warning_thresholds_bps(reader),
            "warnings": warnings(reader, [account], year),
            "attestations": attestations(reader, account),
            "anchored_tree_size": anchored_tree_size(reader, current_app.config["LOG_ORIGIN"]),
            "chain_id": reader.deployment.chain_id,
            "attestations_contract": reader.deployment.contracts["CarbonAttestations"].address,
        }
    except ChainUnavailableError as error:
        return {"available": False, "note": str(error)}
