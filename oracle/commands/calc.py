"""`carbonledger factors|template|ingest|recompute`: the factor library, activity templates, importing
activity files into the ledger, and recomputing a record from its receipt."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from ledger.calc.conversions import Conversions, parse_ncv_per_gcv, parse_unit_ratio
from ledger.calc.factors import Factor
from ledger.calc.library import DEFAULT_DATASETS, FactorLibrary, shipped_library
from ledger.calc.recompute import check_record
from ledger.canonical import decimal_text
from ledger.errors import RecordError
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore
from ledger.record import Record
from oracle import settings
from oracle.batch_totals import BatchTotals
from oracle.ingest.factor_files import load_factor_file
from oracle.ingest.options import IngestOptions
from oracle.ingest.pipeline import ingest
from oracle.ingest.templates import LANGUAGES, csv_template, write_xlsx_template

_GWP_SET = os.environ.get("CARBONLEDGER_GWP_SET", "AR5")
_DATASETS = os.environ.get("CARBONLEDGER_FACTOR_DATASETS", ",".join(DEFAULT_DATASETS))
_FACTOR_FILES = [Path(name) for name in os.environ.get("CARBONLEDGER_FACTOR_FILES", "").split(os.pathsep) if name]


def register(subparsers: Any) -> None:
    factors = subparsers.add_parser("factors", help="list or show emission factors")
    factor_commands = factors.add_subparsers(dest="factors_command", required=True, metavar="list|show")
    listing = factor_commands.add_parser("list", help="list factors, shipped and from --factors files")
    listing.add_argument("--dataset", help="only this dataset")
    _add_factor_files(listing)
    listing.set_defaults(handler=_list_factors)
    show = factor_commands.add_parser("show", help="show one factor with its sources")
    show.add_argument("factor_id")
    _add_factor_files(show)
    show.set_defaults(handler=_show_factor)

    template = subparsers.add_parser("template", help="write an activity file template")
    template.add_argument("format", choices=("csv", "xlsx"))
    template.add_argument("--lang", choices=LANGUAGES, default="en", help="header language")
    template.add_argument("--output", type=Path, help="file to write (csv: default standard output)")
    template.set_defaults(handler=_template)

    ingest_command = subparsers.add_parser("ingest", help="import an activity file (CSV, XLSX, JSON) into the ledger")
    ingest_command.add_argument("file", type=Path)
    ingest_command.add_argument("--dry-run", action="store_true", help="check and total the file, write nothing")
    ingest_command.add_argument(
        "--gwp-set", default=_GWP_SET, help="GWP set of rows naming none [CARBONLEDGER_GWP_SET]"
    )
    ingest_command.add_argument(
        "--datasets",
        default=_DATASETS,
        help="comma-separated datasets whose defaults serve rows without factor_id [CARBONLEDGER_FACTOR_DATASETS]",
    )
    ingest_command.add_argument(
        "--ncv-per-gcv", action="append", default=[], metavar="FUEL=RATIO", help="e.g. natural-gas=0.90 (repeatable)"
    )
    ingest_command.add_argument(
        "--unit-ratio", action="append", default=[], metavar="FROM:TO=RATIO", help="e.g. m3:Nm3=0.93 (repeatable)"
    )
    ingest_command.add_argument("--encoding", default="utf-8-sig", help="text encoding of CSV files")
    ingest_command.add_argument(
        "--batch-size", type=_positive, default=os.environ.get("CARBONLEDGER_INGEST_BATCH", "50000"),
        help="records appended to the log per transaction [CARBONLEDGER_INGEST_BATCH]",
    )
    ingest_command.add_argument("--database-url", default=settings.DATABASE_URL, help="[CARBONLEDGER_DATABASE_URL]")
    ingest_command.add_argument("--origin", default=settings.LOG_ORIGIN, help="log origin [CARBONLEDGER_LOG_ORIGIN]")
    _add_factor_files(ingest_command)
    ingest_command.set_defaults(handler=_ingest)

    recompute = subparsers.add_parser("recompute", help="recompute a record's figures from its receipt, offline")
    recompute.add_argument("record", type=Path, help="the record as JSON (its canonical bytes or pretty-printed)")
    recompute.set_defaults(handler=_recompute)


def _add_factor_files(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--factors",
        type=Path,
        action="append",
        default=list(_FACTOR_FILES),
        metavar="FILE",
        help="a factor set of your own, CSV or XLSX (repeatable) [CARBONLEDGER_FACTOR_FILES]",
    )


def _library(arguments: argparse.Namespace) -> FactorLibrary:
    library = shipped_library()
    for path in arguments.factors:
        library = library.extended(load_factor_file(path))
    return library


def _list_factors(arguments: argparse.Namespace) -> int:
    for factor in _library(arguments).factors:
        if arguments.dataset and factor.dataset != arguments.dataset:
            continue
        gases = ", ".join(f"{gas.gas} {gas.value} {gas.unit.text}" for gas in factor.gases)
        checked = " (check)" if any("(check)" in gas.note for gas in factor.gases) else ""
        print(f"{factor.factor_id}  [{factor.dataset} {factor.version}]  {gases}{checked}")
    return 0


def _show_factor(arguments: argparse.Namespace) -> int:
    factor = _library(arguments).factor(arguments.factor_id)
    for line in _factor_lines(factor):
        print(line)
    return 0


def _factor_lines(factor: Factor) -> list[str]:
    lines = [
        f"{factor.factor_id}: {factor.name}",
        f"  dataset: {factor.dataset}, version {factor.version}",
        f"  licence: {factor.licence}",
        f"  per: {factor.per_unit}" + (f" ({factor.calorific_basis})" if factor.calorific_basis else ""),
    ]
    if factor.heating_value is not None:
        heating = factor.heating_value
        lines.append(f"  heating value: {heating.value} {heating.energy_unit} per {heating.per_unit}")
    if factor.oxidation_fraction is not None:
        lines.append(f"  oxidation fraction: {factor.oxidation_fraction}")
    if factor.default_for:
        method = f" ({factor.scope2_method}-based)" if factor.scope2_method else ""
        lines.append(f"  default for: {', '.join(factor.default_for)}{method}")
    for gas in factor.gases:
        lines.append(f"  {gas.gas}: {gas.value} {gas.unit.text}")
        lines.append(f"    source: {gas.source_document}")
        if gas.note:
            lines.append(f"    note: {gas.note}")
    return lines


def _template(arguments: argparse.Namespace) -> int:
    if arguments.format == "xlsx":
        output = arguments.output or Path(f"carbonledger-template-{arguments.lang}.xlsx")
        write_xlsx_template(output, arguments.lang)
        print(f"wrote {output}")
    elif arguments.output is not None:
        arguments.output.write_text(csv_template(arguments.lang), encoding="utf-8")
        print(f"wrote {arguments.output}")
    else:
        sys.stdout.write(csv_template(arguments.lang))
    return 0


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return number


def _ingest(arguments: argparse.Namespace) -> int:
    conversions = Conversions(
        ncv_per_gcv=tuple(parse_ncv_per_gcv(text) for text in arguments.ncv_per_gcv),
        unit_ratios=tuple(parse_unit_ratio(text) for text in arguments.unit_ratio),
    )
    options = IngestOptions(
        library=_library(arguments),
        default_gwp_set=arguments.gwp_set.upper(),
        datasets=tuple(name.strip() for name in arguments.datasets.split(",") if name.strip()),
        conversions=conversions,
        encoding=arguments.encoding,
        batch_size=arguments.batch_size,
    )
    store = SqlLogStore.from_url(arguments.database_url)
    log = MerkleLog(store, arguments.origin)
    batch_totals = BatchTotals(store.engine, arguments.origin)
    report = ingest(arguments.file, log, options, dry_run=arguments.dry_run, batch_totals=batch_totals)
    counts = f"{report.rows} rows, {report.new_records} new records, {report.already_in_log} already in the log"
    print(f"{report.file}: {counts}")
    if report.first_code is not None:
        print(f"  3D codes: {report.first_code} … {report.last_code}")
    for line in report.totals.lines():
        print(f"  {line}")
    if arguments.dry_run:
        print("dry run: nothing written")
    else:
        print(f"appended {report.appended} records; log {arguments.origin} now holds {report.tree_size}")
    return 0


def _recompute(arguments: argparse.Namespace) -> int:
    emission = check_record(record := _read_record(arguments.record))
    print(f"{record.code}: receipt reproduces the record")
    print(f"  co2e_g: {emission.co2e_g}")
    print(f"  biogenic_co2_g: {emission.biogenic_co2_g}")
    for gas, mass_g in sorted(emission.gases_g.items()):
        print(f"  {gas}: {decimal_text(mass_g)} g")
    return 0


def _read_record(path: Path) -> Record:
    """A record from its canonical bytes, or from the same JSON pretty-printed."""
    data = path.read_bytes()
    try:
        return Record.from_canonical_bytes(data)
    except RecordError:
        try:
            json_object = json.loads(data, parse_float=_refuse_float)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise RecordError("record", f"{path.name} is not JSON: {e}") from e
        return Record.from_json_object(json_object)


def _refuse_float(number_text: str) -> NoReturn:
    raise RecordError("record", f"JSON number {number_text} is not an integer; decimals must be strings")
