"""`carbonledger rating ACCOUNT --year YEAR`: an account's colour rating, with every input it is computed from.

Emissions are summed from the log's records (those that count toward the account), output and industry come
from the account directory, benchmarks and bands from the rating configuration (oracle/rating.py), so an
enterprise can recompute its own colour from the ledger's data.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ledger.errors import UnknownAccountError
from oracle.account_registry import AccountRegistry
from oracle.account_totals import counts_toward_account
from oracle.commands.attest import year_argument
from oracle.commands.options import add_runtime_options, runtime_of
from oracle.evidence import account_matches, logged_records, record_year
from oracle.rating import RatingInputs, load_rating_rule, rate


def _rating(arguments: argparse.Namespace) -> int:
    runtime = runtime_of(arguments)
    account, year = arguments.account, arguments.year
    registry = AccountRegistry(runtime.store.engine)
    entry = next((entry for entry in registry.accounts() if entry.account == account), None)
    if entry is None:
        raise UnknownAccountError(f"account {account!r} is not in the account directory")
    emissions_g = sum(
        int(record["co2e_g"])
        for _, _, record in logged_records(runtime.log, 0, runtime.log.tree_head().tree_size)
        if record_year(record) == year and account_matches(account, record["account"], record.get("facility"))
        and counts_toward_account(record)
    )
    output = registry.outputs(year).get(account)
    inputs = RatingInputs(account, year, entry.industry, emissions_g, None if output is None else output.output,
                          None if output is None else output.output_unit)
    rule = load_rating_rule(Path(arguments.benchmarks) if arguments.benchmarks else None)
    rating = rate(inputs, rule)
    if arguments.json:
        print(json.dumps(rating.to_json(), indent=2))
        return 0
    verdict = rating.band.label if rating.band is not None else f"unrated ({rating.unrated_reason})"
    lines = [f"{account} {year}: {verdict}",
             f"  emissions  {emissions_g:,} g CO2e (scope 1 and location-based scope 2)",
             f"  output     {inputs.output} {inputs.output_unit}" if output is not None else "  output     none"]
    if rating.benchmark is not None:
        lines.append(f"  benchmark  {rating.benchmark.intensity_t_per_unit} tCO2e per {rating.benchmark.output_unit}"
                     f" ({rating.benchmark.source})")
    if rating.ratio is not None:
        lines += [f"  intensity  {rating.intensity_t_per_unit} tCO2e per {inputs.output_unit}",
                  f"  ratio      {rating.ratio}"]
    print("\n".join([*lines, f"  rule       {rule.file}"]))
    return 0


def register(subparsers: Any) -> None:
    rating = subparsers.add_parser("rating", help="an account's colour rating and the inputs it comes from")
    add_runtime_options(rating)
    rating.add_argument("account", metavar="ACCOUNT", help="account id, e.g. QZ0001")
    rating.add_argument("--year", type=year_argument, required=True)
    rating.add_argument("--benchmarks", help="rating configuration file [CARBONLEDGER_BENCHMARKS_FILE, else shipped]")
    rating.set_defaults(handler=_rating)
