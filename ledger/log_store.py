"""The SQL LogStore: SQLAlchemy 2.x Core over SQLite (WAL, the embedded default) or PostgreSQL.

Tables: `logs` (one row per log: origin, size, root), `log_tiles` (subtree hashes, ledger/tiles.py),
`log_bundles` (entries, 256 to a row, ledger/bundles.py), `log_leaf_lookup` (leaf hash prefix -> index) and
`log_key_hashes` (optional entry keys, unique per log, each stored as a 128-bit hash of it). Only the last tile of each level and the last bundle ever
change, by growing. An append is one transaction that first
moves the log's size with a compare-and-set, so a crash or a concurrent writer leaves the previous tree whole.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
    inspect,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.sql import CompoundSelect, Select
from sqlalchemy.exc import IntegrityError

from ledger.errors import ConcurrentAppendError, DuplicateEntryError, LogNotFoundError
from ledger.hasher import EMPTY_ROOT
from ledger.log_port import AppendBatch, LogState, clashing_key_hashes
from ledger.prepared_entries import key_hash
from ledger.tiles import TileKey

logger = logging.getLogger(__name__)

# Bounds the number of bound parameters per statement (SQLite allows 32,766).
_CHUNK = 500

metadata = MetaData()

logs = Table(
    "logs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(255), nullable=False, unique=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
)

log_tiles = Table(
    "log_tiles",
    metadata,
    Column("log_id", Integer, primary_key=True),
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("tile_index", BigInteger, primary_key=True, autoincrement=False),
    Column("hashes", LargeBinary, nullable=False),
)

log_bundles = Table(
    "log_bundles",
    metadata,
    Column("log_id", Integer, primary_key=True),
    Column("bundle_index", BigInteger, primary_key=True, autoincrement=False),
    Column("entries", LargeBinary, nullable=False),
)

# Leaf hash -> index. Keyed by an 8-byte prefix of the hash: a third of the size of a full-hash index, and
# the log confirms each candidate against the leaf hash in its tile.
log_leaf_lookup = Table(
    "log_leaf_lookup",
    metadata,
    Column("log_id", Integer, primary_key=True),
    Column("hash_prefix", BigInteger, primary_key=True, autoincrement=False),
    Column("leaf_index", BigInteger, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)

# Entry keys, each stored as its key hash (ledger.prepared_entries.key_hash): a row a third the size of the
# key's text keeps the index small, which an append of random keys writes back page by page.
log_key_hashes = Table(
    "log_key_hashes",
    metadata,
    Column("log_id", Integer, primary_key=True),
    Column("key_hash", LargeBinary(16), primary_key=True),
    sqlite_with_rowid=False,
)
# The table keys were kept in, as text with their leaf index, before `log_key_hashes`; moved on opening.
_LEGACY_KEYS_TABLE = "log_keys"


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk_insert(connection: Connection, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert rows given as tuples in the table's column order, straight through the driver's executemany.

    The Core insert is compiled once for the dialect; skipping per-row parameter processing is what lets an
    append of a million leaves fit its time budget.
    """
    if not rows:
        return
    compiled = insert(table).compile(dialect=connection.dialect)
    names = [column.name for column in table.columns]
    if compiled.positional:
        order = [names.index(name) for name in compiled.positiontup or ()]
        parameters: list[Any] = [tuple(row[i] for i in order) for row in rows]
    else:
        parameters = [dict(zip(names, row)) for row in rows]
    connection.exec_driver_sql(str(compiled), parameters)


@cache
def _tiles_query(levels: int) -> Select[Any] | CompoundSelect:
    """Tiles at `levels` levels: one SELECT per level, joined by UNION ALL, so that each finds its rows by the
    whole primary key (with a row-value IN on (level, tile_index), SQLite walks every tile of the log instead).
    Built once per number of levels and bound per read: building a statement costs more than running it."""
    selects = [
        select(log_tiles.c.level, log_tiles.c.tile_index, log_tiles.c.hashes).where(
            log_tiles.c.log_id == bindparam("log_id"),
            log_tiles.c.level == bindparam(f"level_{n}"),
            log_tiles.c.tile_index.in_(bindparam(f"indices_{n}", expanding=True)),
        )
        for n in range(levels)
    ]
    return selects[0] if levels == 1 else union_all(*selects)


def _tiles_select(log_id: int, keys: Sequence[TileKey]) -> tuple[Select[Any] | CompoundSelect, dict[str, Any]]:
    """The query for the tiles `keys` and its parameters."""
    indices_by_level: dict[int, list[int]] = {}
    for key in keys:
        indices_by_level.setdefault(key.level, []).append(key.index)
    parameters: dict[str, Any] = {"log_id": log_id}
    for n, (level, indices) in enumerate(indices_by_level.items()):
        parameters[f"level_{n}"] = level
        parameters[f"indices_{n}"] = indices
    return _tiles_query(len(indices_by_level)), parameters


_STATE_QUERY = select(logs.c.tree_size, logs.c.root_hash).where(logs.c.id == bindparam("log_id"))
_BUNDLES_QUERY = select(log_bundles.c.bundle_index, log_bundles.c.entries).where(
    log_bundles.c.log_id == bindparam("log_id"),
    log_bundles.c.bundle_index.between(bindparam("first"), bindparam("last")),
)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (so BEGIN covers the reads too).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a killed process loses nothing committed; a power cut may lose the last commits
        # but never corrupts the file or splits a transaction.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers take no lock up front, so they never wait for each other; a transaction that reads before
        # it writes asks for the write lock at BEGIN, so two such writers queue instead of deadlocking.
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_WRITE_OPTION = "carbonledger_write"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the database's write lock from its first statement (SQLite: BEGIN IMMEDIATE)."""
    with engine.connect().execution_options(**{_WRITE_OPTION: True}) as connection, connection.begin():
        yield connection


def create_store_engine(url: str) -> Engine:
    """An engine for `url`; for a SQLite file, its folder is created and WAL mode switched on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


class SqlLogStore:
    """The SQL implementation of ledger.log.LogStore."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)
        _move_legacy_keys(engine)

    @classmethod
    def from_url(cls, url: str) -> SqlLogStore:
        return cls(create_store_engine(url))

    def open_log(self, origin: str) -> LogState:
        with write_transaction(self.engine) as connection:
            row = connection.execute(select(logs.c.id).where(logs.c.origin == origin)).first()
            if row is None:
                connection.execute(insert(logs).values(origin=origin, tree_size=0, root_hash=EMPTY_ROOT))
                logger.info("created log %s", origin)
            log_id = connection.execute(select(logs.c.id).where(logs.c.origin == origin)).scalar_one()
        return self.state(log_id)

    def state(self, log_id: int) -> LogState:
        with self.engine.connect() as connection:
            row = connection.execute(_STATE_QUERY, {"log_id": log_id}).first()
        if row is None:
            raise LogNotFoundError(f"no log with id {log_id}")
        return LogState(log_id, row.tree_size, bytes(row.root_hash))

    def read_tiles(self, log_id: int, keys: Iterable[TileKey]) -> dict[TileKey, bytes]:
        wanted = sorted(set(keys))
        found: dict[TileKey, bytes] = {}
        if not wanted:
            return found
        with self.engine.connect() as connection:
            for chunk in _chunks(wanted):
                rows = connection.execute(*_tiles_select(log_id, chunk))
                found.update((TileKey(row.level, row.tile_index), bytes(row.hashes)) for row in rows)
        return found

    def read_bundles(self, log_id: int, indices: Iterable[int]) -> dict[int, bytes]:
        wanted = sorted(set(indices))
        if not wanted:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(_BUNDLES_QUERY, {"log_id": log_id, "first": wanted[0], "last": wanted[-1]})
            return {row.bundle_index: bytes(row.entries) for row in rows if row.bundle_index in set(wanted)}

    def existing_keys(self, log_id: int, keys: Sequence[str]) -> set[str]:
        key_of = {key_hash(key): key for key in keys}
        return {key_of[hashed] for hashed in self._stored_key_hashes(log_id, list(key_of))}

    def _stored_key_hashes(self, log_id: int, hashes: Sequence[bytes]) -> set[bytes]:
        found: set[bytes] = set()
        with self.engine.connect() as connection:
            for chunk in _chunks(hashes):
                found.update(
                    bytes(hashed)
                    for hashed in connection.execute(
                        select(log_key_hashes.c.key_hash).where(
                            log_key_hashes.c.log_id == log_id, log_key_hashes.c.key_hash.in_(chunk)
                        )
                    ).scalars()
                )
        return found

    def leaf_indices_with_prefix(self, log_id: int, prefix: int, below: int) -> list[int]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(log_leaf_lookup.c.leaf_index)
                    .where(
                        log_leaf_lookup.c.log_id == log_id,
                        log_leaf_lookup.c.hash_prefix == prefix,
                        log_leaf_lookup.c.leaf_index < below,
                    )
                    .order_by(log_leaf_lookup.c.leaf_index)
                ).scalars()
            )

    def commit_append(self, log_id: int, batch: AppendBatch) -> None:
        new_state = batch.new_state
        try:
            with write_transaction(self.engine) as connection:
                moved = connection.execute(
                    update(logs)
                    .where(logs.c.id == log_id, logs.c.tree_size == batch.old_size)
                    .values(tree_size=new_state.tree_size, root_hash=new_state.root_hash)
                ).rowcount
                if moved != 1:
                    actual = connection.execute(select(logs.c.tree_size).where(logs.c.id == log_id)).scalar()
                    raise ConcurrentAppendError(batch.old_size, int(actual or 0))
                _bulk_insert(connection, log_key_hashes, [(log_id, hashed) for hashed in sorted(batch.key_hashes)])
                _bulk_insert(
                    connection,
                    log_leaf_lookup,
                    [(log_id, prefix, index) for prefix, index in batch.leaf_prefixes],
                )
                _bulk_insert(
                    connection,
                    log_bundles,
                    [(log_id, index, bundle) for index, bundle in batch.bundles_created.items()],
                )
                _bulk_insert(
                    connection,
                    log_tiles,
                    [(log_id, key.level, key.index, tile) for key, tile in batch.tiles_created.items()],
                )
                for index, bundle in batch.bundles_updated.items():
                    connection.execute(
                        update(log_bundles)
                        .where(log_bundles.c.log_id == log_id, log_bundles.c.bundle_index == index)
                        .values(entries=bundle)
                    )
                for key, tile in batch.tiles_updated.items():
                    connection.execute(
                        update(log_tiles)
                        .where(
                            log_tiles.c.log_id == log_id,
                            log_tiles.c.level == key.level,
                            log_tiles.c.tile_index == key.index,
                        )
                        .values(hashes=tile)
                    )
        except IntegrityError as error:
            stored = self._stored_key_hashes(log_id, batch.key_hashes)
            raise DuplicateEntryError(clashing_key_hashes(batch.key_hashes, stored)) from error


def _move_legacy_keys(engine: Engine) -> None:
    """Move the keys of a database written before `log_key_hashes` into it, in one transaction."""
    if _LEGACY_KEYS_TABLE not in inspect(engine).get_table_names():
        return
    legacy = Table(_LEGACY_KEYS_TABLE, MetaData(), autoload_with=engine)
    with write_transaction(engine) as connection:
        moved = 0
        for rows in connection.execute(select(legacy.c.log_id, legacy.c.entry_key)).partitions(50_000):
            _bulk_insert(connection, log_key_hashes, [(log_id, key_hash(key)) for log_id, key in rows])
            moved += len(rows)
        legacy.drop(connection)
    logger.info("moved %d entry keys to %s", moved, log_key_hashes.name)
