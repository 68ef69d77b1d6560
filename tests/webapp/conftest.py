"""Fixtures of the explorer tests: a fresh SQLite ledger holding the demo records, and an app over it, per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from identity.note_key import load_or_create_note_signer
from ledger.log import MerkleLog, TreeHead
from ledger.log_store import SqlLogStore
from ledger.record import Record
from oracle.note import NoteSigner
from tests.webapp.demo_records import load_demo
from webapp import create_app

ORIGIN = "carbonledger.test/explorer"


@dataclass(frozen=True)
class DemoLedger:
    url: str
    log: MerkleLog
    head: TreeHead

    def record(self, leaf_index: int) -> Record:
        return Record.from_canonical_bytes(self.log.entries(leaf_index, leaf_index + 1)[0])


@pytest.fixture
def demo_ledger(tmp_path: Path) -> Iterator[DemoLedger]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = SqlLogStore.from_url(url)
    log = MerkleLog(store, ORIGIN)
    yield DemoLedger(url, log, load_demo(log))
    store.engine.dispose()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """Where the app looks for the checkpoint key; nothing is there unless a test asks for `checkpoint_signer`."""
    return tmp_path / "state" / "keys" / "checkpoint-ed25519.pem"


@pytest.fixture
def checkpoint_signer(key_file: Path) -> NoteSigner:
    return load_or_create_note_signer(key_file, ORIGIN)


@pytest.fixture
def app(demo_ledger: DemoLedger, key_file: Path, tmp_path: Path) -> Flask:
    return create_app(
        {
            "DATABASE_URL": demo_ledger.url,
            "LOG_ORIGIN": ORIGIN,
            "CHECKPOINT_KEY_FILE": str(key_file),
            "DEPLOYMENT_FILE": str(tmp_path / "state" / "deployment.json"),
            "RPC_URL": "http://127.0.0.1:8545",
        }
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
