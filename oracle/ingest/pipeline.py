"""Ingesting one activity file: read → validate → calculate → code → append to the log, all or nothing.

The file is first copied, so that it cannot change under the import, then worked in chunks of rows, each chunk
by one process: this one, or for a large CSV file one of several worker processes (see oracle/ingest/workers.py).

1. Check: every row is validated and calculated; this process checks each record against the rows before
   it (the same identity twice is an error naming both rows), against the log's keys (a record already
   there is skipped: re-imports add nothing), keeps one GWP set per account, totals the figures and gives
   each new record its serial, its position in the log, which fixes its 3D code.
2. Build (not for a dry run), as soon as a chunk has its serials and while later chunks are still checked: the
   process that checked the chunk turns its new records into their 3D codes and canonical bytes, prepared for
   their log positions; this process builds them into the log's batches (tiles, roots, bundles) without
   storing anything.
3. Write, once every row is checked: the batches are committed in order, each batch of `batch_size` records
   one transaction expecting the log size the one before left, with its account totals. Any problem found in
   the check: IngestError listing them all, and nothing is written.

A storage failure in step 3 (another writer, a lost database) can leave the earlier batches of a large file
written; running the import again appends exactly the rest, because written records are skipped.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ledger.bulk_append import BulkAppend
from ledger.errors import CodeError, IngestError, Issue
from ledger.log import MerkleLog
from ledger.prepared_entries import PreparedEntries
from oracle.batch_totals import AccountYear, BatchTotals
from oracle.crash import crash_point
from oracle.ingest.chunks import CheckedChunk, CheckedRecord, ChunkPlan
from oracle.ingest.columns import Header, read_header
from oracle.ingest.formats import RawRow, file_format, read_rows
from oracle.ingest.identity import log_key
from oracle.ingest.options import IngestOptions
from oracle.ingest.records import code_of
from oracle.ingest.totals import Totals
from oracle.ingest.workers import ChunkWork

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


def ingest(
    path: Path,
    log: MerkleLog | None,
    options: IngestOptions,
    dry_run: bool = False,
    batch_totals: BatchTotals | None = None,
) -> IngestReport:
    """Import the file at `path` into `log` (or only check and total it: `dry_run`, or no log), storing each
    appended batch's account totals in `batch_totals` if given (see oracle.batch_totals).

    Raises IngestError listing every problem found (file, row, column, value, reason); then nothing is written.
    """
    file_format(path)
    with tempfile.TemporaryDirectory(prefix="carbonledger-ingest-") as work_dir:
        snapshot = Path(work_dir) / f"snapshot{path.suffix.lower()}"
        try:
            shutil.copyfile(path, snapshot)
        except OSError as e:
            raise IngestError((Issue(path.name, None, None, None, f"cannot be read: {e.strerror}"),)) from e
        check = _Check(path.name, log, options)
        rows = read_rows(snapshot, options.encoding, path.name)
        header = check.header(rows)
        writing = not dry_run and log is not None
        workers = _worker_count(snapshot, options)
        with ChunkWork(snapshot, path.name, rows, header, check.header_cells, options, workers, writing) as work:
            writer = None
            if writing and log is not None:
                writer = _Writer(log.bulk_append(check.start_size), check.start_size, options.batch_size)
            check.run(work, writer)
            if writer is not None:
                writer.add(work.built(wait=True))
                writer.commit(check, batch_totals)
        return check.report


def _worker_count(snapshot: Path, options: IngestOptions) -> int:
    """Workers for a large CSV file. Every worker reads the whole file, so the rest is worked here: starting
    workers takes longer than working a small file, a workbook is slower to read than to check, and a JSON
    document is read into memory whole."""
    if snapshot.suffix == ".csv" and snapshot.stat().st_size >= options.parallel_from_bytes:
        return options.workers
    return 1


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
        self.first_new: CheckedRecord | None = None
        self.last_new: CheckedRecord | None = None
        # Per new record, in log order: its (account, year) if it counts toward its account, and its grams.
        self.counted_keys: list[AccountYear | None] = []
        self.counted_grams = array("q")
        self._account_years: dict[tuple[str, str], AccountYear] = {}

    def header(self, rows: Iterator[RawRow]) -> Header:
        """The file's header, read from the first of `rows`; IngestError if the file cannot be imported by it."""
        try:
            header_row = next(rows, None)
        except IngestError as e:
            self._add(e.issues)
            header_row = None
        if header_row is None or not any(header_row.cells):
            if not self.issue_count:
                self._add((Issue(self.file, None, None, None, "is empty: no header row"),))
            raise IngestError(tuple(self.issues), self.issue_count)
        header, header_issues = read_header(self.file, header_row.cells)
        self._add(header_issues)
        self._raise_issues()
        self.header_cells = header_row.cells
        return header

    def run(self, work: ChunkWork, writer: _Writer | None) -> None:
        """Check every chunk, having each one built (by `writer`) while the file is clean so far; IngestError
        listing every issue."""
        try:
            for chunk in work.checked():
                plan = self._take(chunk)
                if writer is not None and not self.issue_count:
                    work.plan(plan)
                    writer.add(work.built(wait=False))
        except IngestError as e:
            self._add(e.issues)
        if self.report.rows == 0 and not self.issue_count:
            self._add((Issue(self.file, None, None, None, "has no data rows"),))
        self._name_codes()
        self._raise_issues()

    def _raise_issues(self) -> None:
        if self.issue_count:
            raise IngestError(tuple(self.issues), self.issue_count)

    def _take(self, chunk: CheckedChunk) -> ChunkPlan:
        """Fold one checked chunk into the import: issues, duplicates, log keys, serials, totals."""
        self.report.rows += chunk.rows
        self.report.totals.merge(chunk.totals)
        self._add(chunk.issues)
        first_serial = self.start_size + self.report.new_records + 1
        records = [record for record in chunk.records if self._is_first(record)]
        digests = [record[3] for record in records]
        skipped = self._in_log(digests)
        new_records = (
            [record for record, digest in zip(records, digests, strict=True) if digest not in skipped]
            if skipped
            else records
        )
        self.report.already_in_log += len(skipped)
        self.report.new_records += len(new_records)
        if new_records:
            self.first_new = self.first_new or new_records[0]
            self.last_new = new_records[-1]
        for _, account, _, _, parts, counted in new_records:
            if counted is None:
                self.counted_keys.append(None)
                self.counted_grams.append(0)
                continue
            year = parts[2][:4]
            key = self._account_years.get((account, year))
            if key is None:
                key = self._account_years[(account, year)] = (account, int(year))
            self.counted_keys.append(key)
            self.counted_grams.append(counted)
        return ChunkPlan(first_serial, skipped, self.start_size, self.options.batch_size)

    def account_totals(self, start: int, end: int) -> dict[AccountYear, int]:
        """The grams counting toward each account and year of the new records at log positions [start, end)."""
        totals: defaultdict[AccountYear, int] = defaultdict(int)
        offset = self.start_size
        for key, grams in zip(self.counted_keys[start - offset : end - offset],
                              self.counted_grams[start - offset : end - offset], strict=True):
            if key is not None:
                totals[key] += grams
        return dict(totals)

    def _in_log(self, digests: Sequence[bytes]) -> frozenset[bytes]:
        """Those of `digests` whose records the log holds already (none, if it held nothing when we began)."""
        if self.log is None or not self.start_size or not digests:
            return frozenset()
        keys = [log_key(digest) for digest in digests]
        existing = self.log.existing_keys(keys)
        return frozenset(digest for digest, key in zip(digests, keys, strict=True) if key in existing)

    def _name_codes(self) -> None:
        """The codes of the first and last new record; the last one shows that every serial fits a code."""
        if self.first_new is None or self.last_new is None:
            return
        last_serial = self.start_size + self.report.new_records
        first_code_parts = self.first_new[4]
        last_row_number, last_code_parts = self.last_new[0], self.last_new[4]
        try:
            self.report.first_code = code_of(first_code_parts, self.start_size + 1)
            self.report.last_code = code_of(last_code_parts, last_serial)
        except CodeError as e:
            self._add((Issue(self.file, last_row_number, None, None, f"cannot be given a 3D code: {e}"),))

    def _is_first(self, record: CheckedRecord) -> bool:
        """Whether the record is the first of its identity in the file and keeps its account's GWP set."""
        row_number, account, gwp_set, digest, _, _ = record
        first_gwp_set, first_row = self.gwp_set_of_account.setdefault(account, (gwp_set, row_number))
        if first_gwp_set != gwp_set:
            reason = f"account {account} uses {first_gwp_set} (row {first_row}); an inventory takes one GWP set"
            self._add((Issue(self.file, row_number, "gwp_set", gwp_set, reason),))
            return False
        first_row = self.first_row_of.setdefault(digest[:16], row_number)
        if first_row != row_number:
            reason = f"duplicates row {first_row} (same record identity)"
            self._add((Issue(self.file, row_number, None, None, reason),))
            return False
        return True

    def _add(self, issues: Iterable[Issue]) -> None:
        issues = list(issues)
        room = max(self.options.max_listed_issues - len(self.issues), 0)
        self.issues.extend(issues[:room])
        self.issue_count += len(issues)


class _Writer:
    """Step 3 of an import, prepared during steps 1 and 2: the built entries gathered into the log's batches."""

    def __init__(self, bulk: BulkAppend, batch_start: int, batch_size: int) -> None:
        self.bulk = bulk
        self.batch_start = batch_start
        self.batch_size = batch_size
        self.pieces: list[PreparedEntries] = []
        self.ranges: list[tuple[int, int]] = []

    def add(self, pieces: Iterable[PreparedEntries]) -> None:
        """Take the next pieces; each falls within one batch (chunks are cut where batches end)."""
        for piece in pieces:
            if self.pieces and self._batch_of(piece) != self._batch_of(self.pieces[0]):
                self._build()
            self.pieces.append(piece)

    def commit(self, check: _Check, batch_totals: BatchTotals | None) -> None:
        """Commit every batch in order, storing each one's account totals."""
        self._build()
        size = check.start_size
        for (start, end), state in zip(self.ranges, self.bulk.commit(), strict=True):
            if batch_totals is not None:
                batch_totals.store(start, end, check.account_totals(start, end))
            logger.info("%s: appended %d records, log size %d", check.file, end - start, state.tree_size)
            crash_point("ingest-batch-appended")
            size = state.tree_size
        check.report.appended = size - check.start_size
        check.report.tree_size = size

    def _batch_of(self, piece: PreparedEntries) -> int:
        return (piece.first_index - self.batch_start) // self.batch_size

    def _build(self) -> None:
        if self.pieces:
            start = self.bulk.size
            self.bulk.add(self.pieces)
            self.ranges.append((start, self.bulk.size))
            self.pieces = []
