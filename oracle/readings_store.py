"""The SQL store of accepted meter readings: SQLAlchemy 2.x Core over SQLite (WAL) or PostgreSQL.

Tables: `meter_readings` (each accepted reading with its signature, timestamp and quantity as signed, and the
attribution its device had) and `meter_counters` (the last accepted counter of each device). A save moves the
counter with a compare-and-set (`UPDATE ... WHERE last_counter < :counter`) and inserts the reading in the
same transaction, so of two concurrent saves of one counter exactly one succeeds, and a crash leaves
neither a reading without its counter nor the reverse.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from ledger.log_store import create_store_engine
from oracle.readings import AcceptedReading, Reading, SignedReading

logger = logging.getLogger(__name__)

metadata = MetaData()

meter_readings = Table(
    "meter_readings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("counter", BigInteger, nullable=False),
    Column("timestamp", String(40), nullable=False),
    # The timestamp again as microseconds since the Unix epoch, for range queries in any database.
    Column("measured_at_us", BigInteger, nullable=False, index=True),
    Column("quantity", String(48), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
    Column("account", String(16), nullable=False),
    Column("facility", String(16), nullable=True),
    Column("source", String(255), nullable=False),
    Column("received_at_us", BigInteger, nullable=False),
    UniqueConstraint("device_id", "counter"),
)

meter_counters = Table(
    "meter_counters",
    metadata,
    Column("device_id", String(64), primary_key=True),
    Column("last_counter", BigInteger, nullable=False),
)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_MICROSECOND = timedelta(microseconds=1)


class SqlReadingStore:
    """The SQL implementation of oracle.readings.ReadingStore."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    @classmethod
    def from_url(cls, url: str) -> SqlReadingStore:
        return cls(create_store_engine(url))

    def save(self, accepted: AcceptedReading) -> bool:
        try:
            return self._save_once(accepted)
        except IntegrityError:
            # Two first readings of one device raced to create its counter row and this one lost; now that
            # the row exists the retry decides by the compare-and-set.
            return self._save_once(accepted)

    def last_counter(self, device_id: str) -> int | None:
        with self.engine.connect() as connection:
            return _last_counter(connection, device_id)

    def readings(
        self, measured_from: datetime | None = None, measured_before: datetime | None = None
    ) -> list[AcceptedReading]:
        """The accepted readings measured in [measured_from, measured_before), in the order they were accepted."""
        query = select(meter_readings).order_by(meter_readings.c.id)
        if measured_from is not None:
            query = query.where(meter_readings.c.measured_at_us >= _microseconds(measured_from))
        if measured_before is not None:
            query = query.where(meter_readings.c.measured_at_us < _microseconds(measured_before))
        with self.engine.connect() as connection:
            return [_accepted(row) for row in connection.execute(query)]

    def _save_once(self, accepted: AcceptedReading) -> bool:
        reading = accepted.reading
        with self.engine.begin() as connection:
            moved = connection.execute(_MOVE_COUNTER, {"b_device": reading.device_id, "b_counter": reading.counter}).rowcount
            if moved == 0:
                if _last_counter(connection, reading.device_id) is not None:
                    return False
                connection.execute(_CREATE_COUNTER, {"device_id": reading.device_id, "last_counter": reading.counter})
            connection.execute(
                _STORE_READING,
                {
                    "device_id": reading.device_id,
                    "counter": reading.counter,
                    "timestamp": reading.timestamp,
                    "measured_at_us": _microseconds(reading.measured_at),
                    "quantity": reading.quantity,
                    "unit": reading.unit,
                    "signature": accepted.signed.signature,
                    "account": accepted.account,
                    "facility": accepted.facility,
                    "source": accepted.source,
                    "received_at_us": _microseconds(accepted.received_at),
                },
            )
        logger.debug("stored reading %s #%d", reading.device_id, reading.counter)
        return True


# Built once with bound parameters, so each save reuses their compiled form.
_MOVE_COUNTER = (
    update(meter_counters)
    .where(meter_counters.c.device_id == bindparam("b_device"), meter_counters.c.last_counter < bindparam("b_counter"))
    .values(last_counter=bindparam("b_counter"))
)
_CREATE_COUNTER = insert(meter_counters)
_STORE_READING = insert(meter_readings)


def _last_counter(connection: Connection, device_id: str) -> int | None:
    last: int | None = connection.execute(
        select(meter_counters.c.last_counter).where(meter_counters.c.device_id == device_id)
    ).scalar_one_or_none()
    return last


def _microseconds(moment: datetime) -> int:
    # Integer arithmetic on the timedelta: exact for every datetime, unlike timestamp()'s float.
    return (moment - _EPOCH) // _ONE_MICROSECOND


def _accepted(row: Row[Any]) -> AcceptedReading:
    reading = Reading(row.device_id, row.counter, row.timestamp, row.quantity, row.unit)
    return AcceptedReading(
        SignedReading(reading, bytes(row.signature)),
        row.account,
        row.facility,
        row.source,
        _EPOCH + row.received_at_us * _ONE_MICROSECOND,
    )
