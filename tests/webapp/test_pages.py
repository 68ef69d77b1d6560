"""Specification of the explorer's pages: what each shows, where search leads, errors, and the security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oracle.note import NoteSigner
from tests.webapp.conftest import ORIGIN, DemoLedger
from webapp.security_headers import SECURITY_HEADERS

PAGES = ("/", "/records", "/verify", "/records?account=HZ0001&period=2025M02")


@pytest.mark.parametrize("path", PAGES)
def test_given_a_page_then_it_is_html_carrying_every_security_header(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


@pytest.mark.parametrize("path", PAGES)
def test_given_a_page_then_it_has_no_inline_script_style_or_event_handler(client: FlaskClient, path: str) -> None:
    html = client.get(path).get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"<style\b|\sstyle=|\son[a-z]+=", html) == []
    assert re.findall(r"(?:src|href)=\"(?:https?:)?//", html) == []


def test_given_the_content_security_policy_then_it_allows_nothing_inline_and_no_framing() -> None:
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_given_the_overview_then_it_shows_origin_size_and_root(client: FlaskClient, demo_ledger: DemoLedger) -> None:
    html = client.get("/").get_data(as_text=True)
    assert ORIGIN in html
    assert str(demo_ledger.head.tree_size) in html
    assert demo_ledger.head.root_hash.hex() in html
    assert "No checkpoint key" in html
    assert "absent: no contracts deployed yet" in html


def test_given_the_checkpoint_key_and_a_deployment_file_then_the_overview_shows_the_signed_note_and_the_key(
    app: Flask, client: FlaskClient, checkpoint_signer: NoteSigner
) -> None:
    Path(app.config["DEPLOYMENT_FILE"]).write_text("{}")
    html = client.get("/").get_data(as_text=True)
    assert checkpoint_signer.verifier.key_string() in html
    assert f"\u2014 {ORIGIN} " in html
    assert "(present)" in html


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
        ("no such thing!", 400, "is not a 3D code, a leaf hash in hex or an account"),
        ("ab" * 32, 404, "no entry with leaf hash"),
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


@pytest.mark.parametrize("path", ["/static/verify.js", "/static/verify-page.js", "/static/style.css"])
def test_given_the_static_files_then_they_are_served_from_this_origin(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == ("text/css" if path.endswith(".css") else "text/javascript")
    response.close()


def test_given_the_verify_page_then_it_loads_its_module_and_knows_the_api_root(client: FlaskClient) -> None:
    html = client.get("/verify").get_data(as_text=True)
    assert '<script type="module" src="/static/verify-page.js"></script>' in html
    assert 'data-api-root="/api/v1"' in html
