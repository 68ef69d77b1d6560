"""Specification of the regulator's view without a chain: a region's totals, rankings and ratings, its exports
(parsed back), the region list and the published rating rule."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from ledger.period import Period
from oracle.account_totals import counts_toward_account
from oracle.rating import RatingInputs, load_rating_rule, rate
from tests.webapp.accounts_world import (
    DIRECTORY,
    ORIGIN,
    OUTPUTS,
    YEAR,
    ingest_activity,
    write_directory,
)
from webapp import create_app
from webapp.regulator_export import COLUMNS
from webapp.security_headers import SECURITY_HEADERS

RATING_FILE = Path(__file__).resolve().parents[1] / "data" / "rating" / "benchmarks.json"
ZJ_ENTERPRISES = {"QZ0001", "QZ0002", "QZ0003"}


@pytest.fixture
def records(tmp_path: Path) -> tuple[str, list[dict[str, Any]]]:
    """A fresh ledger database with the directory and the activity file's records; its URL and the records."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    write_directory(url)
    log = ingest_activity(url)
    return url, [json.loads(entry) for entry in log.entries(0, log.tree_head().tree_size)]


def app_client(url: str, tmp_path: Path, **config: Any) -> FlaskClient:
    return create_app({"DATABASE_URL": url, "LOG_ORIGIN": ORIGIN, "SECRET_KEY": "test-only",
                       "DEPLOYMENT_FILE": str(tmp_path / "no-deployment.json"), **config}).test_client()


@pytest.fixture
def client(records: tuple[str, list[dict[str, Any]]], tmp_path: Path) -> FlaskClient:
    return app_client(records[0], tmp_path)


def counted_g(records: list[dict[str, Any]], year: int) -> dict[str, int]:
    emitted: defaultdict[str, int] = defaultdict(int)
    for record in records:
        if record["period"].startswith(str(year)) and counts_toward_account(record):
            emitted[record["account"]] += record["co2e_g"]
    return emitted


def test_given_a_region_then_its_totals_by_scope_industry_and_month_are_the_sums_of_its_records(
    client: FlaskClient, records: tuple[str, list[dict[str, Any]]]
) -> None:
    report = client.get("/api/v1/regions/ZJ?year=2025").get_json()
    zj = [record for record in records[1] if record["account"] in ZJ_ENTERPRISES and record["period"][:4] == "2025"]
    by_scope: defaultdict[str, int] = defaultdict(int)
    by_month = [0] * 12
    for record in zj:
        method = "" if record["scope"] != 2 else f"_{record['scope2_method'] or 'location'}"
        by_scope[f"scope{record['scope']}{method}"] += record["co2e_g"]
        if counts_toward_account(record):
            by_month[Period.parse(record["period"]).first_day.month - 1] += record["co2e_g"]
    assert report["totals_by_scope_g"] == {"scope1": by_scope["scope1"], "scope2_location": by_scope["scope2_location"],
                                           "scope2_market": by_scope["scope2_market"], "scope3": 0}
    assert report["totals_by_month_g"] == by_month
    industry = {entry.account: entry.industry for entry in DIRECTORY}
    by_industry: defaultdict[str, int] = defaultdict(int)
    for account, grams in counted_g(zj, YEAR).items():
        by_industry[industry[account]] += grams
    assert {row["industry"]: row["emissions_g"] for row in report["totals_by_industry_g"]} == by_industry
    assert report["chain"] == {"available": False, "note": report["chain"]["note"]}
    assert "no contracts are deployed" in report["chain"]["note"]


def test_given_a_region_then_its_enterprises_are_ranked_by_emissions_and_by_intensity_with_the_rules_colours(
    client: FlaskClient, records: tuple[str, list[dict[str, Any]]]
) -> None:
    report = client.get("/api/v1/regions/ZJ").get_json()
    emitted = counted_g(records[1], YEAR)
    assert report["year"] == YEAR and report["years"] == [2025, 2024]
    assert [(row["rank"], row["account"], row["emissions_g"]) for row in report["accounts"]] == [
        (rank, account, emitted[account])
        for rank, account in enumerate(sorted(ZJ_ENTERPRISES, key=lambda account: -emitted[account]), start=1)]
    rule = load_rating_rule()
    outputs = {output.account: output for output in OUTPUTS}
    industry = {entry.account: entry.industry for entry in DIRECTORY}
    for row in report["accounts"]:
        output = outputs.get(row["account"])
        expected = rate(RatingInputs(row["account"], YEAR, industry[row["account"]], emitted[row["account"]],
                                     output.output if output else None, output.output_unit if output else None), rule)
        assert row["rating"] == expected.to_json()
    rated = [row for row in report["accounts"] if row["rating"]["ratio"] is not None]
    assert report["ranked_by_intensity"] == [
        row["account"] for row in sorted(rated, key=lambda row: -Decimal(row["rating"]["ratio"]))]
    assert report["unrated"] == ["QZ0003"]


def test_given_the_region_page_then_it_shows_totals_rankings_colours_and_the_chain_note(client: FlaskClient) -> None:
    response = client.get("/regions/ZJ")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    report = client.get("/api/v1/regions/ZJ").get_json()
    for row in report["accounts"]:
        assert f'href="/accounts/{row["account"]}?year=2025"' in page
        if row["rating"]["colour"]:
            assert f'class="rating rating-{row["rating"]["colour"]}"' in page
    assert "Chain unavailable" in page and "Unrated" in page
    assert 'href="/regions/ZJ/accounts.csv?year=2025"' in page and 'href="/regions/ZJ/accounts.xlsx?year=2025"' in page
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert re.findall(r"<script\b|<style\b|\sstyle=|\son[a-z]+=", page) == []


def test_given_the_csv_export_when_parsed_back_then_it_holds_the_region_table(client: FlaskClient) -> None:
    report = client.get("/api/v1/regions/ZJ").get_json()
    response = client.get("/regions/ZJ/accounts.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ZJ-2025-accounts.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == [name for name, _ in COLUMNS]
    assert [(row["rank"], row["account"], row["emissions_g"], row["ratio"], row["colour"]) for row in rows] == [
        (str(account["rank"]), account["account"], str(account["emissions_g"]), account["rating"]["ratio"] or "",
         account["rating"]["colour"] or f"unrated: {account['rating']['unrated_reason']}")
        for account in report["accounts"]]
    assert [Decimal(row["emissions_t"]) * 1_000_000 for row in rows] == [
        account["emissions_g"] for account in report["accounts"]]
    assert {row["allowance_g"] for row in rows} == {""}


def test_given_the_xlsx_export_when_parsed_back_then_it_holds_the_same_table_with_numbers(client: FlaskClient) -> None:
    csv_rows = list(csv.reader(io.StringIO(client.get("/regions/ZJ/accounts.csv").get_data(as_text=True))))
    response = client.get("/regions/ZJ/accounts.xlsx")
    assert response.headers["Content-Disposition"] == 'attachment; filename="ZJ-2025-accounts.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "ZJ 2025"
    assert cells[0] == csv_rows[0]
    emissions = cells[0].index("emissions_g")
    ratio = cells[0].index("ratio")
    for cell_row, csv_row in zip(cells[1:], csv_rows[1:], strict=True):
        assert cell_row[emissions] == int(csv_row[emissions])
        assert ("" if cell_row[ratio] is None else Decimal(str(cell_row[ratio]))) == (
            csv_row[ratio] and Decimal(csv_row[ratio]))
        assert ["" if value is None else str(value) for value in cell_row[:5]] == csv_row[:5]


def test_given_the_regions_page_then_it_lists_each_region_with_its_enterprises(client: FlaskClient) -> None:
    page = client.get("/regions").get_data(as_text=True)
    assert re.search(r'href="/regions/ZJ".*?Zhejiang</td><td class="number">3<', page, re.S)
    assert re.search(r'href="/regions/JS".*?Jiangsu</td><td class="number">1<', page, re.S)


def test_given_an_earlier_year_then_only_that_years_records_count(
    client: FlaskClient, records: tuple[str, list[dict[str, Any]]]
) -> None:
    report = client.get("/api/v1/regions/ZJ?year=2024").get_json()
    assert {row["account"]: row["emissions_g"] for row in report["accounts"]} == {
        "QZ0001": counted_g(records[1], 2024)["QZ0001"], "QZ0002": 0, "QZ0003": 0}
    assert report["accounts"][0]["rating"]["unrated_reason"] == "no output is registered for 2024"


@pytest.mark.parametrize(
    "path, status",
    [("/regions/XX", 404), ("/api/v1/regions/XX", 404), ("/api/v1/regions/ZJ?year=0", 400),
     ("/regions/ZJ?year=twenty", 400), ("/regions/ZJ/accounts.csv?year=10000", 400)],
)
def test_given_an_unknown_region_or_a_bad_year_then_the_answer_says_what_is_wrong(
    client: FlaskClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    api = path.startswith("/api/")
    detail = response.get_json()["detail"] if api else html.unescape(response.get_data(as_text=True))
    assert ("region 'XX' is not in the account directory" if status == 404 else "year") in detail


def test_given_the_rule_page_then_it_prints_the_rule_the_bands_and_the_benchmarks_with_their_sources(
    client: FlaskClient
) -> None:
    page = client.get("/ratings/rule").get_data(as_text=True)
    rule = load_rating_rule()
    assert "Ratio = intensity / benchmark" in page
    for band in rule.bands:
        assert f'class="rating rating-{band.colour}">{band.label}<' in page
    for benchmark in rule.benchmarks.values():
        assert f"<code>{benchmark.industry}</code>" in page
    assert client.get("/api/v1/ratings/rule").get_json()["benchmarks"] == rule.to_json()["benchmarks"]


def test_given_a_configured_benchmarks_file_then_the_region_is_rated_against_it(
    records: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    client = app_client(records[0], tmp_path, BENCHMARKS_FILE=str(RATING_FILE))
    assert client.get("/api/v1/ratings/rule").get_json()["file"] == str(RATING_FILE)
    rows = {row["account"]: row for row in client.get("/api/v1/regions/ZJ").get_json()["accounts"]}
    assert rows["QZ0001"]["rating"]["benchmark"]["intensity_t_per_unit"] == "2.5"
    assert rows["QZ0002"]["rating"]["unrated_reason"] == "no benchmark is configured for industry 'C30'"
