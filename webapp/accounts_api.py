"""/api/v1/accounts: an account's year as JSON, and its colour rating with every input it is computed from."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from webapp.accounts_access import account_registry, rating_rule, record_index
from webapp.accounts_http import year_parameter
from webapp.accounts_view import (
    account_overview,
    account_records,
    chosen_year,
    directory_entry,
    index_years,
    rating_of,
)

blueprint = Blueprint("accounts_api", __name__, url_prefix="/api/v1/accounts")


@blueprint.get("/<account>")
def account(account: str) -> dict[str, Any]:
    return account_overview(account, year_parameter())


@blueprint.get("/<account>/rating")
def rating(account: str) -> dict[str, Any]:
    """The rating of an enterprise account, its inputs, and the rule's bands and benchmark, to recompute it."""
    entry, _ = directory_entry(account)
    index = record_index()
    year = chosen_year(year_parameter(), index_years(index, [account.partition(".")[0]]))
    emissions_g = sum(record["co2e_g"] for record in account_records(index, account, year)
                      if record["counts_toward_account"])
    rated = rating_of(entry, year, emissions_g, account_registry().outputs(year).get(account))
    rule = rating_rule().to_json()
    return {**rated, "level": entry.level.name.lower(), "bands": rule["bands"], "rule_file": rule["file"]}
