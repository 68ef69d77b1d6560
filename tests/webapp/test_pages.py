"""Specification of the explorer's pages: what each shows, where search leads, errors, and the security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from eth_typing import HexStr
from flask import Flask
from flask.testing import FlaskClient
from web3 import Web3

from oracle.contracts import DeployedContract, Deployment
from oracle.eip712 import log_id
from tests.webapp.conftest import ORIGIN, DemoLedger
from webapp.security_headers import SECURITY_HEADERS, content_security_policy

PAGES = ("/", "/records", "/verify", "/checkpoints", "/records?account=HZ0001&period=2025M02")


@pytest.mark.parametrize("path", PAGES)
def test_given_a_page_then_it_is_html_carrying_every_security_header(
    app: Flask, client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == content_security_policy(app.config["RPC_URL"])
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


@pytest.mark.parametrize("path", PAGES)
def test_given_a_page_then_it_has_no_inline_script_style_or_event_handler(client: FlaskClient, path: str) -> None:
    html = client.get(path).get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"<style\b|\sstyle=|\son[a-z]+=", html) == []
    assert re.findall(r"(?:src|href)=\"(?:https?:)?//", html) == []


def test_given_the_content_security_policy_then_it_allows_nothing_inline_and_no_framing() -> None:
    policy = content_security_policy("http://127.0.0.1:8545")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize(
    ("rpc_url", "connect_src"),
    [
        ("http://127.0.0.1:8545", "connect-src 'self' http://127.0.0.1:8545;"),
        ("https://rpc.example.org/v1/key", "connect-src 'self' https://rpc.example.org;"),
        ("not a url", "connect-src 'self';"),
    ],
)
def test_given_an_rpc_url_then_pages_may_connect_to_its_origin_and_nowhere_else(rpc_url: str, connect_src: str) -> None:
    assert connect_src in content_security_policy(rpc_url)


def test_given_the_overview_then_it_shows_origin_size_and_root(client: FlaskClient, demo_ledger: DemoLedger) -> None:
    html = client.get("/").get_data(as_text=True)
    assert ORIGIN in html
    assert str(demo_ledger.head.tree_size) in html
    assert demo_ledger.head.root_hash.hex() in html
    assert "absent: no contracts deployed yet" in html
    assert "No chain configured, so nothing is anchored." in html


def write_deployment(path: Path) -> Deployment:
    address = "0x" + "12" * 20
    contract = DeployedContract(Web3.to_checksum_address(address), "00" * 32, HexStr("0x" + "34" * 32))
    deployment = Deployment(31337, 1, Web3.to_checksum_address(address), {"CarbonLedger": contract})
    deployment.write(path)
    return deployment


def test_given_a_deployment_but_nothing_anchored_then_the_overview_shows_the_chain_and_says_so(
    app: Flask, client: FlaskClient
) -> None:
    deployment = write_deployment(Path(app.config["DEPLOYMENT_FILE"]))
    html = client.get("/").get_data(as_text=True)
    assert "<dt>Chain id</dt><dd>31337</dd>" in html
    assert f"<dt>CarbonLedger</dt><dd><code>{deployment.contracts['CarbonLedger'].address}</code></dd>" in html
    assert f"0x{log_id(ORIGIN).hex()}" in html
    assert "No checkpoint of this log is anchored yet." in html


def test_given_an_unreadable_deployment_file_then_the_pages_still_answer_as_without_a_chain(
    app: Flask, client: FlaskClient
) -> None:
    Path(app.config["DEPLOYMENT_FILE"]).parent.mkdir(parents=True)
    Path(app.config["DEPLOYMENT_FILE"]).write_text("{}")
    assert "No chain configured" in client.get("/").get_data(as_text=True)
    assert "data-rpc-url" not in client.get("/verify").get_data(as_text=True)


def test_given_no_chain_then_the_checkpoints_page_says_nothing_is_anchored(client: FlaskClient) -> None:
    html = client.get("/checkpoints").get_data(as_text=True)
    assert "No checkpoint of this log is anchored: no chain is configured." in html


def test_given_the_records_page_then_it_links_every_record_of_the_first_page(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    html = client.get("/records").get_data(as_text=True)
    for leaf_index in range(20):
        assert f'href="/records/{demo_ledger.record(leaf_index).code}"' in html
    assert 'href="/records?start=20&amp;limit=20"' in html


def test_given_a_record_page_then_it_shows_canonical_json_receipt_decoded_code_leaf_hash_and_proof(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    record = demo_ledger.record(5)
    html = client.get(f"/records/{record.code}").get_data(as_text=True)
    escaped_canonical = (
        record.canonical_bytes().decode().replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;")
    )
    assert escaped_canonical in html
    assert record.leaf_hash().hex() in html
    assert "Calculation receipt" in html and "carbonledger-calc/1" in html
    assert "<dt>serial</dt><dd>6</dd>" in html
    assert html.count('<li><code class="hash">') == len(demo_ledger.log.inclusion_proof(5, demo_ledger.head.tree_size))
    assert f'href="/verify?code={record.code}"' in html


def test_given_a_record_code_in_lower_case_then_its_page_redirects_to_the_canonical_code(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    code = demo_ledger.record(1).code
    response = client.get(f"/records/{code.lower()}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/records/{code}"


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("code", "/records/{code}"),
        ("lower-case code", "/records/{code}"),
        ("leaf hash", "/records/{code}"),
        ("account", "/records?account=QZ0001"),
    ],
)
def test_given_a_search_then_it_redirects_to_the_right_page(
    client: FlaskClient, demo_ledger: DemoLedger, query: str, target: str
) -> None:
    record = demo_ledger.record(3)
    typed = {
        "code": record.code,
        "lower-case code": f"  {record.code.lower()} ",
        "leaf hash": record.leaf_hash().hex().upper(),
        "account": "qz0001",
    }[query]
    response = client.get("/search", query_string={"q": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == target.format(code=record.code)


@pytest.mark.parametrize(
    ("typed", "status", "says"),
    [
        ("", 400, "q: type a 3D code"),
        ("QZ0001-2025M03", 400, "expected 5 parts"),
        ("no such thing!", 400, "is not a 3D code, a leaf hash in hex, a transaction hash or an account"),
        ("ab" * 32, 404, "no entry with leaf hash"),
        ("0x" + "ab" * 32, 404, "no anchored checkpoint of this log was anchored by transaction 0xabab"),
    ],
)
def test_given_a_search_that_finds_nothing_then_the_error_page_says_why(
    client: FlaskClient, typed: str, status: int, says: str
) -> None:
    response = client.get("/search", query_string={"q": typed})
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert says in response.get_data(as_text=True)


def test_given_an_unknown_page_then_the_html_404_page_shows_no_stack_trace(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "404 Not Found" in html and "Traceback" not in html


@pytest.mark.parametrize(
    "path", ["/static/verify.js", "/static/verify-page.js", "/static/verify-chain.js", "/static/style.css"]
)
def test_given_the_static_files_then_they_are_served_from_this_origin(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == ("text/css" if path.endswith(".css") else "text/javascript")
    response.close()


def test_given_the_verify_page_then_it_loads_its_module_and_knows_the_api_root(client: FlaskClient) -> None:
    html = client.get("/verify").get_data(as_text=True)
    assert '<script type="module" src="/static/verify-page.js"></script>' in html
    assert 'data-api-root="/api/v1"' in html
    assert "data-rpc-url" not in html


def test_given_a_deployment_then_the_verify_page_carries_the_chain_it_reads_roots_from(
    app: Flask, client: FlaskClient
) -> None:
    deployment = write_deployment(Path(app.config["DEPLOYMENT_FILE"]))
    html = client.get("/verify").get_data(as_text=True)
    address = deployment.contracts["CarbonLedger"].address
    assert (
        f'data-rpc-url="{app.config["RPC_URL"]}" data-chain-id="31337"\n'
        f'  data-ledger-address="{address}" data-log-id="0x{log_id(ORIGIN).hex()}"\n'
        f'  data-origin="{ORIGIN}"'
    ) in html
