"""Ingesting one activity file: read → validate → calculate → code → append to the log, all or nothing.

Two passes over a private copy of the file, each streaming it in chunks of rows:

1. Check: every row is validated and calculated; this process checks each record against the rows before
   it (the same identity twice is an error naming both rows), against the log's keys (a record already
   there is skipped: re-imports add nothing), keeps one GWP set per account, totals the figures and gives
   each new record its serial, its position in the log, which fixes its 3D code. Any problem anywhere:
   IngestError listing them all, and nothing is written.
2. Write (not for a dry run): worker processes (this one, for small files) work the chunks again, now
   turning each new record into its 3D code and its canonical bytes, which are appended in batches under
   their identity keys, each batch expecting the log size the one before left.

A storage failure in pass 2 (another writer, a lost database) can leave the earlier batches of a large file
written; running the import again appends exactly the rest, because written records are skipped.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ledger.errors import CodeError, IngestError, Issue
from ledger.log import MerkleLog
from oracle.ingest import chunks
from oracle.ingest.columns import Header, read_header
from oracle.ingest.formats import RawRow, file_format, read_rows
from oracle.ingest.identity import log_key
from oracle.ingest.options import IngestOptions
from oracle.ingest.parallel import ordered_map
from oracle.ingest.records import code_of
from oracle.ingest.totals import Totals

logger = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What an import found and did. `appended` is 0 for a dry run; `tree_size` is the log's size after."""

    file: str
    rows: int = 0
    new_records: int = 0
    already_in_log: int = 0
    appended: int = 0
    tree_size: int = 0
    totals: Totals = field(default_factory=Totals)
    first_code: str | None = None
    last_code: str | None = None


@dataclass(frozen=True)
class _ChunkPlan:
    """What pass 2 needs to know about a chunk: the serial of its first new record, the records to skip."""

    first_serial: int
    skipped: frozenset[bytes]


def ingest(path: Path, log: MerkleLog | None, options: IngestOptions, dry_run: bool = False) -> IngestReport:
    """Import the file at `path` into `log` (or only check and total it: `dry_run`, or no log).

    Raises IngestError listing every problem found (file, row, column, value, reason); then nothing is written.
    """
    file_format(path)
    with tempfile.TemporaryDirectory(prefix="carbonledger-ingest-") as work_dir:
        # A private copy, so that the file cannot change between the check and the write.
        snapshot = Path(work_dir) / f"snapshot{path.suffix.lower()}"
        try:
            shutil.copyfile(path, snapshot)
        except OSError as e:
            raise IngestError((Issue(path.name, None, None, None, f"cannot be read: {e.strerror}"),)) from e
        workers = options.workers if snapshot.stat().st_size >= options.parallel_from_bytes else 1
        check = _Check(path.name, log, options)
        plans = check.run(snapshot)
        if not dry_run and log is not None and check.report.new_records:
            _write(snapshot, path.name, log, options, workers, check, plans)
        return check.report


class _Check:
    """Pass 1: the issues so far, identities seen, GWP set per account, serials given, totals."""

    def __init__(self, file: str, log: MerkleLog | None, options: IngestOptions) -> None:
        self.file = file
        self.log = log
        self.options = options
        self.report = IngestReport(file)
        self.issues: list[Issue] = []
        self.issue_count = 0
        self.first_row_of: dict[bytes, int] = {}
        self.gwp_set_of_account: dict[str, tuple[str, int]] = {}
        self.start_size = 0 if log is None else log.tree_head().tree_size
        self.report.tree_size = self.start_size
        self.header_cells: tuple[str, ...] = ()
        self.first_new: chunks.CheckedRecord | None = None
        self.last_new: chunks.CheckedRecord | None = None

    def run(self, snapshot: Path) -> list[_ChunkPlan]:
        """Check every row; the plan of each chunk for pass 2, or IngestError listing every issue.

        This runs in this process: a row's check costs less than shipping it to a worker and back
        (docs/benchmarks.md: 58k rows/s here, 23k to 29k with two workers).
        """
        plans: list[_ChunkPlan] = []
        try:
            rows = read_rows(snapshot, self.options.encoding, self.file)
            header = self._header(rows)
            if header is not None:
                chunks.prepare(self.file, header, self.header_cells, self.options)
                plans = [self._take(chunks.check_chunk(chunk)) for chunk in _chunked(rows, self.options.chunk_rows)]
                if self.report.rows == 0 and not self.issue_count:
                    self._add((Issue(self.file, None, None, None, "has no data rows"),))
                self._name_codes()
        except IngestError as e:
            self._add(e.issues)
        if self.issue_count:
            raise IngestError(tuple(self.issues), self.issue_count)
        return plans

    def _header(self, rows: Iterator[RawRow]) -> Header | None:
        header_row = next(rows, None)
        if header_row is None or not any(header_row.cells):
            self._add((Issue(self.file, None, None, None, "is empty: no header row"),))
            return None
        header, header_issues = read_header(self.file, header_row.cells)
        self._add(header_issues)
        self.header_cells = header_row.cells
        return None if header_issues else header

    def _take(self, chunk: chunks.CheckedChunk) -> _ChunkPlan:
        """Fold one checked chunk into the import: issues, duplicates, log keys, serials, totals."""
        self.report.rows += chunk.rows
        self.report.totals.merge(chunk.totals)
        self._add(chunk.issues)
        first_serial = self.start_size + self.report.new_records + 1
        records = [record for record in chunk.records if self._is_first(record)]
        keys = [log_key(record.digest) for record in records]
        existing = self.log.existing_keys(keys) if self.log is not None and keys else set()
        skipped = set()
        for record, key in zip(records, keys, strict=True):
            if key in existing:
                self.report.already_in_log += 1
                skipped.add(record.digest)
                continue
            self.report.new_records += 1
            self.first_new = self.first_new or record
            self.last_new = record
        return _ChunkPlan(first_serial, frozenset(skipped))

    def _name_codes(self) -> None:
        """The codes of the first and last new record; the last one shows that every serial fits a code."""
        if self.first_new is None or self.last_new is None:
            return
        last_serial = self.start_size + self.report.new_records
        try:
            self.report.first_code = code_of(self.first_new.code_parts, self.start_size + 1)
            self.report.last_code = code_of(self.last_new.code_parts, last_serial)
        except CodeError as e:
            self._add((Issue(self.file, self.last_new.row_number, None, None, f"cannot be given a 3D code: {e}"),))

    def _is_first(self, record: chunks.CheckedRecord) -> bool:
        """Whether the record is the first of its identity in the file and keeps its account's GWP set."""
        first_gwp_set, first_row = self.gwp_set_of_account.setdefault(
            record.account, (record.gwp_set, record.row_number)
        )
        if first_gwp_set != record.gwp_set:
            reason = f"account {record.account} uses {first_gwp_set} (row {first_row}); an inventory takes one GWP set"
            self._add((Issue(self.file, record.row_number, "gwp_set", record.gwp_set, reason),))
            return False
        first_row = self.first_row_of.setdefault(record.digest[:16], record.row_number)
        if first_row != record.row_number:
            reason = f"duplicates row {first_row} (same record identity)"
            self._add((Issue(self.file, record.row_number, None, None, reason),))
            return False
        return True

    def _add(self, issues: Iterable[Issue]) -> None:
        issues = list(issues)
        room = max(self.options.max_listed_issues - len(self.issues), 0)
        self.issues.extend(issues[:room])
        self.issue_count += len(issues)


def _write(
    snapshot: Path,
    file: str,
    log: MerkleLog,
    options: IngestOptions,
    workers: int,
    check: _Check,
    plans: list[_ChunkPlan],
) -> None:
    """Pass 2: build the new records chunk by chunk and append them in batches, in order."""
    rows = read_rows(snapshot, options.encoding, file)
    header_row = next(rows)
    header, _ = read_header(file, header_row.cells)
    jobs = (
        (chunk, plan.first_serial, plan.skipped)
        for chunk, plan in zip(_chunked(rows, options.chunk_rows), plans, strict=True)
    )
    built = ordered_map(chunks.build_chunk, jobs, workers, chunks.prepare, (file, header, header_row.cells, options))
    expected_size = check.start_size
    batch: list[tuple[str, bytes]] = []
    for records in built:
        batch.extend(records)
        while len(batch) >= options.batch_size:
            expected_size = _append(log, batch[: options.batch_size], expected_size, file)
            del batch[: options.batch_size]
    if batch:
        expected_size = _append(log, batch, expected_size, file)
    check.report.appended = expected_size - check.start_size
    check.report.tree_size = expected_size


def _append(log: MerkleLog, batch: list[tuple[str, bytes]], expected_size: int, file: str) -> int:
    keys: list[str | None] = [key for key, _ in batch]
    head = log.append([data for _, data in batch], keys, expected_size=expected_size)
    logger.info("%s: appended %d records, log size %d", file, len(batch), head.tree_size)
    return head.tree_size


def _chunked(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk
