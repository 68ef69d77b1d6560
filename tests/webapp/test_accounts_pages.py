"""Specification of the account pages without a chain: records, monthly chart, rating and hierarchy from the
ledger, a clear note where the chain's part would be, and the JSON API with the rating's inputs."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from ledger.period import Period
from oracle.account_totals import counts_toward_account
from tests.webapp.accounts_world import ORIGIN, ingest_activity, write_directory
from webapp import create_app
from webapp.accounts_chart import ChartLine, balance_chart

Records = list[tuple[int, dict[str, Any]]]


@pytest.fixture
def records(tmp_path: Path) -> tuple[str, Records]:
    """A fresh ledger database with the directory and the activity file's records; its URL and the records."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    write_directory(url)
    log = ingest_activity(url)
    return url, [(index, json.loads(entry)) for index, entry in enumerate(log.entries(0, log.tree_head().tree_size))]


@pytest.fixture
def client(records: tuple[str, Records], tmp_path: Path) -> FlaskClient:
    return create_app({"DATABASE_URL": records[0], "LOG_ORIGIN": ORIGIN, "SECRET_KEY": "test-only",
                       "DEPLOYMENT_FILE": str(tmp_path / "no-deployment.json")}).test_client()


def of(records: Records, account: str, year: str, facility: str | None = None) -> Records:
    return [(index, record) for index, record in records if record["account"] == account
            and record["period"].startswith(year) and (facility is None or record["facility"] == facility)]


def test_given_an_enterprise_then_its_page_lists_its_records_of_the_year_and_notes_the_missing_chain(
    client: FlaskClient, records: tuple[str, Records]
) -> None:
    response = client.get("/accounts/QZ0001")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    listed = re.findall(r'<a href="/records/([^"]+)"><code>', page)
    assert listed == [record["code"] for _, record in of(records[1], "QZ0001", "2025")]
    assert "Chain unavailable: no contracts are deployed" in page
    assert 'href="/accounts/QZ0001?year=2024"' in page and "<strong>2025</strong>" in page
    assert 'href="/accounts/QZ0001/2025/evidence"' in page
    assert re.findall(r"<script\b|<style\b|\sstyle=|\son[a-z]+=", page) == []


def test_given_an_enterprise_then_its_chart_draws_the_cumulative_emissions_that_count_toward_the_account(
    client: FlaskClient, records: tuple[str, Records]
) -> None:
    overview = client.get("/api/v1/accounts/QZ0001").get_json()
    monthly = [0] * 12
    for _, record in of(records[1], "QZ0001", "2025"):
        if counts_toward_account(record):
            monthly[Period.parse(record["period"]).first_day.month - 1] += record["co2e_g"]
    assert overview["monthly_emissions_g"] == monthly
    assert overview["emissions_g"] == sum(monthly)
    page = client.get("/accounts/QZ0001").get_data(as_text=True)
    points = re.search(r'<polyline class="chart-emissions" points="([^"]+)"', page)
    assert points is not None and len(points.group(1).split()) == 12
    assert "chart-allowance" not in page


def test_given_an_enterprise_with_output_then_its_rating_and_the_inputs_to_recompute_it_are_served(
    client: FlaskClient
) -> None:
    overview = client.get("/api/v1/accounts/QZ0001").get_json()
    rating = client.get("/api/v1/accounts/QZ0001/rating?year=2025").get_json()
    assert rating["inputs"] == {"account": "QZ0001", "year": 2025, "industry": "C26",
                                "emissions_g": overview["emissions_g"], "output": "1500", "output_unit": "t product"}
    assert {key: rating[key] for key in overview["rating"]} == overview["rating"]
    assert rating["level"] == "enterprise" and [band["colour"] for band in rating["bands"]][-1] == "red"
    page = client.get("/accounts/QZ0001").get_data(as_text=True)
    assert f'class="rating rating-{rating["colour"]}">{rating["label"]}<' in page
    assert f"{rating['ratio']} × the industry benchmark" in page


def test_given_a_facility_then_its_page_holds_only_that_facilitys_records_and_names_its_enterprise(
    client: FlaskClient, records: tuple[str, Records]
) -> None:
    overview = client.get("/api/v1/accounts/QZ0001.F01").get_json()
    assert [record["leaf_index"] for record in overview["records"]] == [
        index for index, _ in of(records[1], "QZ0001", "2025", facility="F01")]
    assert overview["parent"]["account"] == "QZ0001" and overview["rating"] is None
    enterprise = client.get("/api/v1/accounts/QZ0001").get_json()
    assert [child["account"] for child in enterprise["children"]] == ["QZ0001.F01"]


def test_given_a_region_account_then_its_page_lists_its_children(client: FlaskClient) -> None:
    page = html.unescape(client.get("/accounts/ZJ").get_data(as_text=True))
    for account, name in (("QZ0001", "Quzhou Chemicals"), ("QZ0002", "Quzhou Glass"), ("QZ0003", "Quzhou Instruments")):
        assert f'<a href="/accounts/{account}?year=2025">{name}</a> (enterprise)' in page
    assert "none: a region" in page


def test_given_an_earlier_year_then_the_page_holds_that_years_records(
    client: FlaskClient, records: tuple[str, Records]
) -> None:
    overview = client.get("/api/v1/accounts/QZ0001?year=2024").get_json()
    assert [record["code"] for record in overview["records"]] == [
        record["code"] for _, record in of(records[1], "QZ0001", "2024")]
    assert overview["years"] == [2025, 2024]


@pytest.mark.parametrize(
    "path, status, detail",
    [
        ("/accounts/NOPE", 404, "account 'NOPE' is not in the account directory"),
        ("/api/v1/accounts/NOPE/rating", 404, "account 'NOPE' is not in the account directory"),
        ("/api/v1/accounts/QZ0001?year=-1", 400, "year"),
        ("/accounts/QZ0001/2025/evidence", 404, f"no checkpoint of log '{ORIGIN}' is anchored on chain yet"),
        ("/accounts/QZ0001/2025/evidence?format=pdf", 400, "format: must be zip or json"),
        ("/accounts/NOPE/2025/evidence", 404, "account 'NOPE' is not in the account directory"),
    ],
)
def test_given_a_request_that_cannot_be_answered_then_the_status_and_detail_say_why(
    client: FlaskClient, path: str, status: int, detail: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    text = response.get_json()["detail"] if path.startswith("/api/") else html.unescape(response.get_data(as_text=True))
    assert detail in text
    assert "Traceback" not in text


def test_given_limits_then_the_chart_draws_a_line_for_each_and_labels_it() -> None:
    monthly = [1_000_000] * 12
    svg = str(balance_chart(monthly, 2025, [ChartLine("chart-allowance", "allowance", 10_000_000),
                                            ChartLine("chart-budget", "<offsets>", 15_000_000)]))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('<line class="chart-allowance"') == 1 and svg.count('<line class="chart-budget"') == 1
    assert "&lt;offsets&gt;" in svg and "<offsets>" not in svg
    assert "Cumulative emissions reach 12.000 t CO2e by December" in svg
    # The axis rounds up to 20 t, so the allowance of 10 t sits half way up the plot.
    assert ">20 t</text>" in svg


def test_given_no_emissions_and_no_limits_then_the_chart_still_has_an_axis() -> None:
    svg = str(balance_chart([0] * 12, 2025, []))
    assert ">1 t</text>" in svg and "chart-allowance" not in svg
