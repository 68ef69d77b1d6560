"""Finding records in the log: by 3D code in O(1) (serial = leaf index + 1), and by filtered scan for listings.

The scan reads entries in order and stops after SCAN_BUDGET entries per request, returning where to resume;
it is enough for a demo-sized ledger. At scale, listings by account and period need an index table
(account, period, leaf_index) filled as records are appended, and should read that instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ledger.code import ThreeDCode
from ledger.errors import EntryNotFoundError, PeriodError, RecordError
from ledger.hasher import hash_leaf
from ledger.log import MerkleLog
from ledger.period import Period
from ledger.record import Record

SCAN_CHUNK = 256
SCAN_BUDGET = 10_000


@dataclass(frozen=True)
class LoggedRecord:
    """A record as it stands in the log: its position and the exact entry bytes that were hashed."""

    leaf_index: int
    entry: bytes
    record: Record

    @cached_property
    def leaf_hash(self) -> bytes:
        return hash_leaf(self.entry)


def _parsed(leaf_index: int, entry: bytes) -> LoggedRecord | None:
    try:
        return LoggedRecord(leaf_index, entry, Record.from_canonical_bytes(entry))
    except RecordError:
        return None


def record_by_code(log: MerkleLog, text: str, tree_size: int) -> tuple[ThreeDCode, LoggedRecord]:
    """The record whose 3D code is `text` among the log's first `tree_size` entries: CodeError if the code is
    malformed, EntryNotFoundError if absent."""
    code = ThreeDCode.parse(text)
    leaf_index = code.serial - 1
    if leaf_index >= tree_size:
        raise EntryNotFoundError(
            f"no record {code.text}: its serial {code.serial} is beyond the log's {tree_size} entries"
        )
    logged = record_at(log, leaf_index)
    if logged.record.code != code.text:
        raise EntryNotFoundError(
            f"no record {code.text}: the record with serial {code.serial} is {logged.record.code}"
        )
    return code, logged


def record_at(log: MerkleLog, leaf_index: int) -> LoggedRecord:
    """The record at `leaf_index`; EntryNotFoundError if that entry is not a record."""
    logged = _parsed(leaf_index, log.entries(leaf_index, leaf_index + 1)[0])
    if logged is None:
        raise EntryNotFoundError(f"entry {leaf_index} is not a record")
    return logged


@dataclass(frozen=True)
class RecordFilter:
    """Which records a listing shows: one account's (if given), within a period (if given)."""

    account: str | None = None
    period: Period | None = None

    def matches(self, record: Record) -> bool:
        if self.account is not None and record.account != self.account:
            return False
        if self.period is None:
            return True
        try:
            period = Period.parse(record.period)
        except PeriodError:
            return False
        return self.period.first_day <= period.first_day and period.last_day <= self.period.last_day


@dataclass(frozen=True)
class RecordPage:
    """One page of a listing; `next_start` is the leaf index to resume the scan from, None at the log's end."""

    records: tuple[LoggedRecord, ...]
    next_start: int | None


def scan_records(log: MerkleLog, record_filter: RecordFilter, start: int, limit: int) -> RecordPage:
    """Up to `limit` records from leaf index `start` on that match `record_filter`, reading at most SCAN_BUDGET."""
    tree_size = log.tree_head().tree_size
    found: list[LoggedRecord] = []
    position = start
    stop = min(tree_size, start + SCAN_BUDGET)
    while position < stop and len(found) < limit:
        chunk_end = min(position + SCAN_CHUNK, stop)
        for offset, entry in enumerate(log.entries(position, chunk_end)):
            logged = _parsed(position + offset, entry)
            if logged is not None and record_filter.matches(logged.record):
                found.append(logged)
                if len(found) == limit:
                    chunk_end = position + offset + 1
                    break
        position = chunk_end
    return RecordPage(tuple(found), position if position < tree_size else None)
