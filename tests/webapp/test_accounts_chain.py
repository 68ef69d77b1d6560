"""Specification of the account and region views over a real chain: balances and allowances from the year books,
warnings from the events, retired offsets, the evidence pack proved against the anchored root, and what the
pages say when the chain goes away."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from ledger.hasher import hash_leaf
from ledger.verify import verify_inclusion
from oracle.chain_ids import account_id
from oracle.eip712 import log_id
from tests.oracle.chain_fixture import free_port
from tests.webapp.accounts_world import (
    ALLOWANCES_G,
    GRAMS_PER_TONNE,
    OFFSETS_RETIRED,
    ORIGIN,
    YEAR,
    AccountsWorld,
    accounts_world,
)
from tests.webapp.sign_in import found
from webapp import create_app


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsWorld]:
    yield from accounts_world(tmp_path_factory.mktemp("accounts"))


@pytest.fixture
def database_url(world: AccountsWorld, tmp_path: Path) -> str:
    return world.fresh_database(tmp_path)


@pytest.fixture
def client(world: AccountsWorld, database_url: str) -> FlaskClient:
    return create_app(world.app_config(database_url)).test_client()


def chain_book(world: AccountsWorld, account: str) -> tuple[int, int, int, int]:
    carbon_accounts = world.contract("CarbonAccounts")
    allowance_g, emissions_g, retired_g = carbon_accounts.functions.yearBook(account_id(account), YEAR).call()
    return allowance_g, emissions_g, retired_g, carbon_accounts.functions.balance(account_id(account), YEAR).call()


@pytest.mark.parametrize("account", ["QZ0001", "QZ0002"])
def test_given_an_account_with_an_allowance_then_its_book_is_the_chains(
    world: AccountsWorld, client: FlaskClient, account: str
) -> None:
    book = client.get(f"/api/v1/accounts/{account}").get_json()["chain"]["book"]
    allowance_g, emissions_g, retired_g, balance_g = chain_book(world, account)
    assert book == {"allowance_g": allowance_g, "emissions_g": emissions_g, "retired_offsets_g": retired_g,
                    "balance_g": balance_g}
    assert allowance_g == ALLOWANCES_G[account] and emissions_g > 0


def test_given_retired_offsets_then_the_page_shows_them_and_charts_the_allowance_with_and_without_them(
    world: AccountsWorld, client: FlaskClient
) -> None:
    _, _, retired_g, balance_g = chain_book(world, "QZ0002")
    assert retired_g == OFFSETS_RETIRED * GRAMS_PER_TONNE
    page = client.get("/accounts/QZ0002").get_data(as_text=True)
    assert f"<dt>Retired offsets</dt><dd>{retired_g // GRAMS_PER_TONNE:,}.000 t CO2e</dd>" in page
    assert f'<dd class="negative">{balance_g / GRAMS_PER_TONNE:,.3f} t CO2e</dd>' in page
    assert page.count('<line class="chart-allowance"') == 1 and page.count('<line class="chart-budget"') == 1
    assert "allowance 1,000.000 t; + retired offsets 1,300.000 t" in page


def test_given_an_account_that_overspent_then_its_warnings_are_the_chains_threshold_and_negative_events(
    world: AccountsWorld, client: FlaskClient
) -> None:
    warnings = client.get("/api/v1/accounts/QZ0002").get_json()["chain"]["warnings"]
    events = world.contract("CarbonAccounts").events
    crossed = events.BalanceThresholdCrossed().get_logs(
        from_block=0, argument_filters={"accountId": account_id("QZ0002")})
    negative = events.BalanceWentNegative().get_logs(from_block=0, argument_filters={"accountId": account_id("QZ0002")})
    assert [(warning["kind"], warning["threshold_bps"]) for warning in warnings] == (
        [("threshold crossed", event["args"]["thresholdBps"]) for event in crossed]
        + [("balance went negative", None) for _ in negative])
    assert [warning["threshold_bps"] for warning in warnings[:3]] == [2000, 1000, 0]
    assert client.get("/api/v1/accounts/QZ0001").get_json()["chain"]["warnings"] == []
    page = client.get("/accounts/QZ0002").get_data(as_text=True)
    assert page.count('<tr class="warning-threshold-crossed">') == 3
    assert page.count('<tr class="warning-balance-went-negative">') == 1


def test_given_a_region_then_allowances_balances_and_warnings_come_from_the_chain(
    world: AccountsWorld, client: FlaskClient
) -> None:
    report = client.get("/api/v1/regions/ZJ").get_json()
    assert report["chain"] == {"available": True, "note": None}
    for row in report["accounts"]:
        allowance_g, _, _, balance_g = chain_book(world, row["account"])
        assert (row["book"]["allowance_g"], row["book"]["balance_g"]) == (allowance_g, balance_g)
    # QZ0003 has no allowance: no threshold applies, but its balance went negative all the same.
    assert {(warning["account"], warning["kind"]) for warning in report["warnings"]} == {
        ("QZ0002", "threshold crossed"), ("QZ0002", "balance went negative"), ("QZ0003", "balance went negative")}
    assert {warning["account"] for warning in client.get("/api/v1/regions/JS").get_json()["warnings"]} == {"JS0001"}
    page = client.get("/regions/ZJ").get_data(as_text=True)
    assert '<a href="/accounts/QZ0002?year=2025">QZ0002</a>' in page


def test_given_the_evidence_pack_of_an_account_year_then_each_record_proves_to_the_root_anchored_on_chain(
    world: AccountsWorld, client: FlaskClient
) -> None:
    response = client.get(f"/accounts/QZ0001/{YEAR}/evidence")
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="evidence-QZ0001-{YEAR}.zip"'
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        checkpoint = manifest["checkpoint"]
        root = bytes(world.contract("CarbonLedger").functions.rootAt(log_id(ORIGIN), checkpoint["tree_size"]).call())
        assert checkpoint["root_hash"] == root.hex() and checkpoint["tree_size"] == world.head.tree_size
        listed = client.get("/api/v1/accounts/QZ0001").get_json()["records"]
        assert [record["code"] for record in manifest["records"]] == [record["code"] for record in listed]
        for record in manifest["records"]:
            leaf_hash = hash_leaf(archive.read(record["file"]))
            verify_inclusion(leaf_hash, record["leaf_index"], checkpoint["tree_size"],
                             [bytes.fromhex(element) for element in record["inclusion"]], root)
        assert "README.txt" in archive.namelist()
    assert checkpoint["anchor"]["chain_id"] == world.world.w3.eth.chain_id
    as_json = client.get(f"/accounts/QZ0001/{YEAR}/evidence?format=json").get_json()
    assert [record["record"].encode() for record in as_json["records"]] == [
        zipfile.ZipFile(io.BytesIO(response.data)).read(record["file"]) for record in manifest["records"]]
    assert client.get(f"/accounts/QZ0001/{YEAR}/evidence").data == response.data


def test_given_an_account_page_then_it_documents_the_typed_data_a_verifier_signs_for_it(
    world: AccountsWorld, client: FlaskClient
) -> None:
    page = html.unescape(client.get("/accounts/QZ0001").get_data(as_text=True))
    typed_data = json.loads(found(r'<pre class="json">(.*?)</pre>', page))
    assert typed_data["domain"]["verifyingContract"] == world.contract("CarbonAttestations").address
    assert typed_data["message"]["accountId"] == "0x" + account_id("QZ0001").hex()
    assert typed_data["message"]["treeSize"] == world.head.tree_size
    assert [field["name"] for field in typed_data["types"]["Attestation"]][-1] == "nonce"


def test_given_a_chain_that_does_not_answer_then_the_pages_render_from_the_ledger_with_a_note(
    world: AccountsWorld, database_url: str
) -> None:
    config = {**world.app_config(database_url), "RPC_URL": f"http://127.0.0.1:{free_port()}"}
    client = create_app(config).test_client()
    account = client.get("/accounts/QZ0002")
    assert account.status_code == 200
    page = account.get_data(as_text=True)
    assert "Chain unavailable: the chain at http://127.0.0.1:" in page and "does not answer" in page
    assert re.findall(r'<a href="/records/([^"]+)"><code>', page)
    region = client.get("/api/v1/regions/ZJ").get_json()
    assert region["chain"]["available"] is False and all(row["book"] is None for row in region["accounts"])
    assert client.get("/api/v1/accounts/QZ0002").get_json()["chain"]["available"] is False
