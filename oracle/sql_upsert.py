"""The dialect's INSERT that supports ON CONFLICT (SQLite and PostgreSQL), for the stores that upsert."""

from __future__ import annotations

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

from ledger.errors import LedgerError

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class UnsupportedDatabaseError(LedgerError, ValueError):
    """The database is neither SQLite nor PostgreSQL, so upserts cannot be written."""


def upsert_insert(engine: Engine, table: Table) -> SqliteInsert | PostgresInsert:
    """An INSERT into `table` on which `.on_conflict_do_update(...)` can be called."""
    make = _INSERTS.get(engine.dialect.name)
    if make is None:
        raise UnsupportedDatabaseError(f"{engine.dialect.name} is not supported: use SQLite or PostgreSQL")
    return make(table)
