"""Signed IoT meter readings: verification, replay protection, and aggregation into monthly activity.

A meter sends

    {"device_id": "meter-001", "counter": 42, "timestamp": "2025-03-14T09:26:53Z",
     "quantity": "12.5", "unit": "kWh", "signature": "<base64 of 64 bytes>"}

The signature is the device's Ed25519 signature of `Reading.signed_bytes()`: the RFC 8785 canonical bytes
(ledger/canonical.py) of the five reading fields plus `"domain": "carbonledger/meter-reading/v1"`. The domain
binds the signature to its purpose, so nothing else a device key signs can pass for a reading. Timestamp and
quantity are signed as the text sent (UTC `Z` time; a plain non-negative decimal), and stored as that text,
so a stored reading can be re-verified at any time.

`ReadingIntake.accept_reading` checks, in this order, and raises a distinct ReadingRejectedError for each
failure: malformed payload, unknown device, bad signature, unit other than the registered one, timestamp
outside the window around now (±5 minutes by default), counter not above the last accepted counter of the
device (a replay). The signature is checked before anything that depends on stored state, so unsigned data
learns nothing about counters. A rejected reading is logged (reason, device, counter; never the payload)
and not stored; an accepted one is stored and the device's counter moved in one transaction
(oracle/readings_store.py), so of two concurrent copies exactly one is accepted.

`monthly_activities` sums accepted readings per account, facility, source, unit and UTC calendar month into
rows a calculation pipeline turns into records: each row's source, quantity and unit are those of a
`ledger.calc.calculate.Activity`, and its account, facility and period those of the record.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import MAX_PREC, Context, Decimal, Inexact, InvalidOperation, Overflow
from typing import ClassVar, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.device import Device
from identity.errors import IdentifierError
from identity.identifier import check_identifier
from ledger.canonical import MAX_SAFE_INTEGER, canonical_bytes
from ledger.errors import LedgerError
from ledger.period import Period, PeriodKind

logger = logging.getLogger(__name__)

READING_DOMAIN = "carbonledger/meter-reading/v1"
DEFAULT_WINDOW = timedelta(minutes=5)
SIGNATURE_BYTES = 64
PAYLOAD_FIELDS = ("device_id", "counter", "timestamp", "quantity", "unit", "signature")

_TIMESTAMP = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z")
# Bounded, so that sums stay small numbers and nothing a meter sends can be expensive to add.
_QUANTITY = re.compile(r"(?:0|[1-9][0-9]{0,29})(?:\.[0-9]{1,12})?")
_UNIT = re.compile(r"[^\s\x00-\x1f]{1,32}")
# Sums are exact: the precision never binds for bounded quantities, and were it ever to, Inexact is an error.
_EXACT = Context(prec=MAX_PREC, traps=[Inexact, InvalidOperation, Overflow])


class ReadingRejectedError(LedgerError):
    """A reading was refused and not stored; `reason` is a short stable code for logs and HTTP answers."""

    reason: ClassVar[str] = "rejected"


class MalformedReadingError(ReadingRejectedError, ValueError):
    """The payload is not a reading: a field is missing, extra, of the wrong type or badly written."""

    reason = "malformed"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class UnknownDeviceError(ReadingRejectedError, KeyError):
    """No device with the reading's id is registered."""

    reason = "unknown-device"

    def __str__(self) -> str:
        # KeyError would print the repr of its argument; the message reads better as written.
        return str(self.args[0])


class BadSignatureError(ReadingRejectedError, ValueError):
    """The signature is not the registered device key's signature of the reading as sent."""

    reason = "bad-signature"


class UnitMismatchError(ReadingRejectedError, ValueError):
    """The reading states another unit than the one its device is registered with."""

    reason = "unit-mismatch"


class ReadingTimeError(ReadingRejectedError, ValueError):
    """The reading's timestamp lies too far in the past or the future of the intake's clock."""

    reason = "timestamp-outside-window"


class ReplayedReadingError(ReadingRejectedError, ValueError):
    """The counter is not above the device's last accepted counter: a replayed or reordered reading."""

    reason = "replayed"

    def __init__(self, device_id: str, counter: int, last_counter: int | None) -> None:
        super().__init__(f"device {device_id!r}: counter {counter} is not above the last accepted {last_counter}")
        self.device_id = device_id
        self.counter = counter
        self.last_counter = last_counter


@dataclass(frozen=True)
class Reading:
    """What a meter measured: device, counter, UTC timestamp and quantity (both as signed text), unit."""

    device_id: str
    counter: int
    timestamp: str
    quantity: str
    unit: str

    def __post_init__(self) -> None:
        try:
            check_identifier("device_id", self.device_id)
        except IdentifierError as e:
            raise MalformedReadingError(e.field, e.reason) from e
        if type(self.counter) is not int or not 0 <= self.counter <= MAX_SAFE_INTEGER:
            raise MalformedReadingError("counter", f"{_shown(self.counter)} must be an integer from 0 to 2**53 - 1")
        parse_timestamp(self.timestamp)
        if not isinstance(self.quantity, str) or not _QUANTITY.fullmatch(self.quantity):
            raise MalformedReadingError(
                "quantity", f"{_shown(self.quantity)} must be a plain non-negative decimal string like \"12.5\""
            )
        if not isinstance(self.unit, str) or not _UNIT.fullmatch(self.unit):
            raise MalformedReadingError("unit", f"{_shown(self.unit)} must be 1 to 32 characters without spaces")

    @property
    def measured_at(self) -> datetime:
        """The timestamp as an aware UTC datetime."""
        return parse_timestamp(self.timestamp)

    @property
    def quantity_value(self) -> Decimal:
        return Decimal(self.quantity)

    @property
    def period(self) -> str:
        """The UTC calendar month of the timestamp, as a period text (`2025M03`)."""
        measured_at = self.measured_at
        return Period(PeriodKind.MONTH, date(measured_at.year, measured_at.month, 1)).text

    def signed_bytes(self) -> bytes:
        return canonical_bytes(
            {
                "domain": READING_DOMAIN,
                "device_id": self.device_id,
                "counter": self.counter,
                "timestamp": self.timestamp,
                "quantity": self.quantity,
                "unit": self.unit,
            }
        )

    def signed_with(self, device_key: Ed25519PrivateKey) -> SignedReading:
        return SignedReading(self, device_key.sign(self.signed_bytes()))


@dataclass(frozen=True)
class SignedReading:
    """A reading and the 64-byte Ed25519 signature its device made of `reading.signed_bytes()`."""

    reading: Reading
    signature: bytes

    @classmethod
    def from_payload(cls, payload: object) -> SignedReading:
        """The signed reading a meter sent; MalformedReadingError naming the field if it is not one."""
        if not isinstance(payload, Mapping):
            raise MalformedReadingError("payload", "must be a JSON object")
        missing = [name for name in PAYLOAD_FIELDS if name not in payload]
        if missing:
            raise MalformedReadingError(missing[0], "missing")
        extra = sorted(str(name)[:40] for name in payload if name not in PAYLOAD_FIELDS)
        if extra:
            raise MalformedReadingError(extra[0], f"not a reading field (expected only {', '.join(PAYLOAD_FIELDS)})")
        signature = _base64_signature(payload["signature"])
        if len(signature) != SIGNATURE_BYTES:
            raise MalformedReadingError("signature", f"{len(signature)} bytes, expected {SIGNATURE_BYTES}")
        reading = Reading(
            payload["device_id"], payload["counter"], payload["timestamp"], payload["quantity"], payload["unit"]
        )
        return cls(reading, signature)

    def payload(self) -> dict[str, str | int]:
        reading = self.reading
        return {
            "device_id": reading.device_id,
            "counter": reading.counter,
            "timestamp": reading.timestamp,
            "quantity": reading.quantity,
            "unit": reading.unit,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }


@dataclass(frozen=True)
class AcceptedReading:
    """A verified reading with the attribution its device had when it was accepted, and when that was."""

    signed: SignedReading
    account: str
    facility: str | None
    source: str
    received_at: datetime

    @property
    def reading(self) -> Reading:
        return self.signed.reading


class DeviceDirectory(Protocol):
    """Where the intake looks devices up (identity.device.DeviceRegistry)."""

    def find(self, device_id: str) -> Device | None: ...


class ReadingStore(Protocol):
    """Where accepted readings go (oracle.readings_store.SqlReadingStore)."""

    def save(self, accepted: AcceptedReading) -> bool:
        """Store `accepted` and make its counter the device's last, in one transaction; False (storing
        nothing) if the device's last accepted counter is already at or above it."""
        ...

    def last_counter(self, device_id: str) -> int | None: ...


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ReadingIntake:
    """Verifies readings against the device registry and stores the accepted ones."""

    def __init__(
        self,
        devices: DeviceDirectory,
        store: ReadingStore,
        *,
        window: timedelta = DEFAULT_WINDOW,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.devices = devices
        self.store = store
        self.window = window
        self.clock = clock

    def accept_reading(self, payload: object) -> AcceptedReading:
        """Verify and store the reading in `payload` (a parsed JSON object); a ReadingRejectedError if refused."""
        try:
            accepted = self._accept(payload)
        except ReadingRejectedError as e:
            logger.warning("reading rejected (%s): %s", e.reason, e)
            raise
        logger.info("accepted reading %s #%d", accepted.reading.device_id, accepted.reading.counter)
        return accepted

    def _accept(self, payload: object) -> AcceptedReading:
        signed = SignedReading.from_payload(payload)
        reading = signed.reading
        where = f"device {reading.device_id!r}, counter {reading.counter}"
        device = self.devices.find(reading.device_id)
        if device is None:
            raise UnknownDeviceError(f"{where}: no such device is registered")
        if not device.verifies(signed.signature, reading.signed_bytes()):
            raise BadSignatureError(f"{where}: the signature does not verify with the device's key")
        if reading.unit != device.unit:
            raise UnitMismatchError(f"{where}: unit {reading.unit!r}, but the device is registered in {device.unit!r}")
        now = self.clock()
        skew = reading.measured_at - now
        if abs(skew) > self.window:
            direction = "ahead of" if skew > timedelta(0) else "behind"
            raise ReadingTimeError(
                f"{where}: timestamp {reading.timestamp} is {abs(skew)} {direction} the intake's clock "
                f"(window ±{self.window})"
            )
        accepted = AcceptedReading(signed, device.account, device.facility, device.source, now)
        if not self.store.save(accepted):
            raise ReplayedReadingError(reading.device_id, reading.counter, self.store.last_counter(reading.device_id))
        return accepted


@dataclass(frozen=True)
class PeriodActivity:
    """The total quantity one account's facility measured of one source, in one unit, in one month."""

    account: str
    facility: str | None
    source: str
    period: str
    unit: str
    quantity: Decimal
    reading_count: int


def monthly_activities(readings: Iterable[AcceptedReading]) -> list[PeriodActivity]:
    """Exact sums of `readings` per account, facility, source, UTC month and unit, in that order."""
    totals: dict[tuple[str, str | None, str, str, str], tuple[Decimal, int]] = {}
    for accepted in readings:
        reading = accepted.reading
        key = (accepted.account, accepted.facility, accepted.source, reading.period, reading.unit)
        quantity, count = totals.get(key, (Decimal(0), 0))
        totals[key] = (_EXACT.add(quantity, reading.quantity_value), count + 1)
    ordered = sorted(totals, key=lambda key: (key[0], key[1] or "", key[2], key[3], key[4]))
    return [PeriodActivity(*key, *totals[key]) for key in ordered]


def parse_timestamp(text: object) -> datetime:
    """The aware UTC datetime written as `text` (RFC 3339, `Z`, at most microseconds); MalformedReadingError if not."""
    match = _TIMESTAMP.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise MalformedReadingError("timestamp", f"{_shown(text)} must be RFC 3339 UTC like 2025-03-14T09:26:53Z")
    *fields, fraction = match.groups()
    year, month, day, hour, minute, second = (int(field) for field in fields)
    try:
        return datetime(
            year, month, day, hour, minute, second, int((fraction or "").ljust(6, "0")), tzinfo=timezone.utc
        )
    except ValueError as e:
        raise MalformedReadingError("timestamp", f"{text!r} is not a real time ({e})") from e


def _base64_signature(encoded: object) -> bytes:
    # Non-ASCII text makes b64decode raise ValueError; binascii.Error (bad characters or padding) is one too.
    try:
        if isinstance(encoded, str):
            return base64.b64decode(encoded, validate=True)
    except ValueError as e:
        raise MalformedReadingError("signature", "must be base64 text") from e
    raise MalformedReadingError("signature", f"{_shown(encoded)} must be base64 text")


def _shown(value: object) -> str:
    return repr(value)[:60]
