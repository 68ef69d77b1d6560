"""The app's handles on carbon accounts: directory, record index, oracle state, readings, chain, rating rule.

Each is made on first use and then shared by every request of the app: one database engine for the ledger's
database (the account directory, the record index, the oracle's checkpoints and transactions and the meter
readings live there beside the log), one chain reader, the rating rule read once from its configuration file.

The record index (oracle/record_index.py) is derived from the log; `record_index()` first indexes whatever
was appended since it was last caught up, so the views never lag behind the log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from identity.device import DeviceRegistry
from ledger.log_store import create_store_engine
from oracle.account_registry import AccountRegistry
from oracle.pipeline_store import PipelineStore
from oracle.rating import RatingRule, load_rating_rule
from oracle.readings import ReadingIntake
from oracle.readings_store import SqlReadingStore
from oracle.record_index import RecordIndex
from webapp.chain_reader import ChainReader
from webapp.ledger_access import current_log

T = TypeVar("T")

# Re-entrant: making one handle may make another (the directory needs the engine).
_making = threading.RLock()


def shared(name: str, make: Callable[[], T]) -> T:
    """The app's one `name`, made by `make` on first use."""
    extensions = current_app.extensions
    key = f"carbonledger.{name}"
    if key not in extensions:
        with _making:
            if key not in extensions:
                extensions[key] = make()
    value: T = extensions[key]
    return value


def ledger_engine() -> Engine:
    return shared("engine", lambda: create_store_engine(current_app.config["DATABASE_URL"]))


def account_registry() -> AccountRegistry:
    return shared("account_registry", lambda: AccountRegistry(ledger_engine()))


def pipeline_store() -> PipelineStore:
    return shared("pipeline_store", lambda: PipelineStore(ledger_engine()))


def chain() -> ChainReader:
    config = current_app.config
    return shared("chain", lambda: ChainReader(config["RPC_URL"], Path(config["DEPLOYMENT_FILE"])))


def rating_rule() -> RatingRule:
    configured = current_app.config.get("BENCHMARKS_FILE")
    return shared("rating_rule", lambda: load_rating_rule(Path(configured) if configured else None))


_catching_up = threading.Lock()


def record_index() -> RecordIndex:
    """The log's record index, caught up with the log."""
    index = shared("record_index", lambda: RecordIndex(ledger_engine(), current_app.config["LOG_ORIGIN"]))
    # Another process may index the same entries first; what it wrote is what this one would have.
    with _catching_up, suppress(IntegrityError):
        index.catch_up(current_log())
    return index


def reading_intake() -> ReadingIntake:
    devices_file = Path(current_app.config["DEVICE_REGISTRY_FILE"])
    return shared("reading_intake",
                   lambda: ReadingIntake(DeviceRegistry(devices_file), SqlReadingStore(ledger_engine())))
