"""End to end in a real browser: the verify page, served by the explorer over a ledger anchored on a real chain,
checks a record in headless Chromium and reads the trusted root from the CarbonLedger contract itself.

- a genuine record: every check is green;
- a record rewritten in the database: the page shows red and names the failed check;
- a forging server, whose whole log was rewritten so that record, proof and root fit each other: the browser
  still catches it, because the root it trusts comes from the chain, not from the server.

Needs Debian's chromium at /usr/bin/chromium (scripts/install-system-deps.sh installs it); driven by Playwright
from PyPI without downloading a browser of its own. Missing, the tests fail on CI and skip elsewhere.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from ledger.bundles import BUNDLE_WIDTH, decode_bundle, encode_bundle
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore, create_store_engine
from oracle.pipeline_store import CheckpointState, PipelineStore
from tests.webapp.anchored_ledger import ORIGIN, AnchoredLedger, anchored_ledger
from webapp import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
BROWSER_CHECKS = ["record", "hex_twins", "leaf_hash", "serial", "inclusion", "trusted_root"]
LEAF_INDEX = 4
VERDICT = '#verify-results[data-verdict="valid"], #verify-results[data-verdict="invalid"]'
TIMEOUT_MS = 30_000

if not CHROMIUM.exists():
    reason = f"{CHROMIUM} is missing: install Debian's chromium (scripts/install-system-deps.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402 (only once chromium is known to be there)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnchoredLedger]:
    yield from anchored_ledger(tmp_path_factory.mktemp("e2e"))


@contextmanager
def serving(config: dict[str, Any]) -> Iterator[str]:
    """The explorer with `config`, served on a free port of 127.0.0.1 in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def explorer(ledger: AnchoredLedger) -> Iterator[str]:
    with serving(ledger.app_config()) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def verify_in_browser(browser: Browser, base_url: str, code: str, screenshot: Path) -> tuple[str, dict[str, str], Page]:
    """Open the verify page for `code`; the verdict and each check's status once the page has decided."""
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page.goto(f"{base_url}/verify?code={code}")
    page.wait_for_selector(VERDICT, timeout=TIMEOUT_MS)
    verdict = page.get_attribute("#verify-results", "data-verdict") or ""
    items = page.locator("#verify-results li")
    statuses = {
        items.nth(i).get_attribute("data-check") or "": items.nth(i).get_attribute("class") or ""
        for i in range(items.count())
    }
    page.screenshot(path=str(screenshot), full_page=True)
    return verdict, statuses, page


def test_given_an_anchored_record_when_verified_in_the_browser_then_every_check_is_green(
    browser: Browser, explorer: str, ledger: AnchoredLedger, screenshots: Path
) -> None:
    verdict, statuses, page = verify_in_browser(
        browser, explorer, ledger.record(LEAF_INDEX).code, screenshots / "verify-green.png"
    )
    assert verdict == "valid"
    assert statuses == {name: "pass" for name in BROWSER_CHECKS}
    note = page.inner_text("#verify-trusted-root")
    assert f"CarbonLedger {ledger.ledger_address} on chain 31337 at {ledger.world.chain.rpc_url}" in note
    trusted_root = page.inner_text('#verify-results li[data-check="trusted_root"]')
    assert ledger.head.root_hash.hex() in trusted_root
    page.close()


@contextmanager
def rewritten_entry(ledger: AnchoredLedger, leaf_index: int) -> Iterator[None]:
    """Raise the record's co2e_g in its stored entry bundle, behind the log's back; restore it afterwards."""
    bundle_index = leaf_index // BUNDLE_WIDTH
    with sqlite3.connect(ledger.state_dir / "ledger.db") as connection:
        (stored,) = connection.execute(
            "SELECT entries FROM log_bundles WHERE bundle_index = ?", (bundle_index,)
        ).fetchone()
        entries = decode_bundle(stored)
        entries[leaf_index % BUNDLE_WIDTH] = entries[leaf_index % BUNDLE_WIDTH].replace(b'"co2e_g":', b'"co2e_g":1', 1)
        connection.execute("UPDATE log_bundles SET entries = ? WHERE bundle_index = ?",
                           (encode_bundle(entries), bundle_index))
    try:
        yield
    finally:
        with sqlite3.connect(ledger.state_dir / "ledger.db") as connection:
            connection.execute("UPDATE log_bundles SET entries = ? WHERE bundle_index = ?", (stored, bundle_index))


def test_given_a_record_rewritten_in_the_database_when_verified_in_the_browser_then_the_page_names_the_failed_check(
    browser: Browser, explorer: str, ledger: AnchoredLedger, screenshots: Path
) -> None:
    code = ledger.record(LEAF_INDEX).code
    with rewritten_entry(ledger, LEAF_INDEX):
        verdict, statuses, page = verify_in_browser(browser, explorer, code, screenshots / "verify-red-rewritten.png")
        detail = page.inner_text('#verify-results li[data-check="inclusion"]')
        page.close()
    assert verdict == "invalid"
    assert {name for name, status in statuses.items() if status == "fail"} == {"inclusion"}
    assert "does not match expected root" in detail


def forged_database(ledger: AnchoredLedger, path: Path) -> str:
    """A forger's copy of the ledger: one figure raised and the whole log rebuilt around it, so that record,
    proof and root agree; the anchored checkpoints copied with the forged roots, their transactions as they are."""
    url = f"sqlite:///{path}"
    entries = ledger.log.entries(0, ledger.head.tree_size)
    entries[LEAF_INDEX] = entries[LEAF_INDEX].replace(b'"co2e_g":', b'"co2e_g":1', 1)
    store = SqlLogStore.from_url(url)
    forged_log = MerkleLog(store, ORIGIN)
    forged_log.append(entries)
    forged_pipeline = PipelineStore(create_store_engine(url))
    for row in ledger.store.checkpoints(ORIGIN, CheckpointState.ANCHORED):
        assert row.tx_subject is not None
        forged_root = forged_log.tree_head(row.tree_size).root_hash
        forged_pipeline.add_checkpoint(dataclasses.replace(row, root_hash=forged_root))
        tx = ledger.store.transaction(row.tx_subject)
        assert tx is not None
        forged_pipeline.add_transaction(tx)
    store.engine.dispose()
    forged_pipeline.engine.dispose()
    return url


def test_given_a_server_serving_a_forged_log_when_verified_in_the_browser_then_the_root_from_the_chain_exposes_it(
    browser: Browser, ledger: AnchoredLedger, screenshots: Path, tmp_path: Path
) -> None:
    code = ledger.record(LEAF_INDEX).code
    with serving(ledger.app_config(forged_database(ledger, tmp_path / "forged.db"))) as forger:
        verdict, statuses, page = verify_in_browser(browser, forger, code, screenshots / "verify-red-forged.png")
        detail = page.inner_text('#verify-results li[data-check="trusted_root"]')
        page.close()
    assert verdict == "invalid"
    assert statuses == {name: "fail" if name == "trusted_root" else "pass" for name in BROWSER_CHECKS}
    assert ledger.head.root_hash.hex() in detail
