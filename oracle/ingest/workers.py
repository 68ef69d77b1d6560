"""Who checks and builds the chunks of a file: this process, or worker processes that each read the file
themselves.

Shipping rows to a worker and back costs more than checking them, so nothing is shipped: each of n workers reads
the whole (private copy of the) file and works every n-th chunk of it, its stripe, from check to build. Reading a
row costs a fraction of checking it. A worker keeps the records it checked until the importer, having folded
the chunk's check into the import's, sends the chunk's plan (its serials); the worker then builds the chunk
between checks of the next ones, preparing its entries for the log. Only compact results travel: a chunk's
check, then its entries' hashes and compressed bundles. Each worker answers through a small queue of its own,
so the importer reads the answers in chunk order and no worker runs far ahead of it.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import traceback
from collections import deque
from collections.abc import Iterator
from itertools import count, islice
from multiprocessing.context import SpawnProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from ledger.errors import IngestError
from ledger.prepared_entries import PreparedEntries
from oracle.ingest import chunks
from oracle.ingest.chunks import CalculatedRecord, CheckedChunk, ChunkPlan
from oracle.ingest.columns import Header
from oracle.ingest.formats import RawRow, read_rows
from oracle.ingest.options import IngestOptions

# Answers a worker may have waiting for the importer: enough to keep it busy while the importer reads in order.
_QUEUED_PER_WORKER = 2
# How often the importer, waiting for an answer, looks whether the worker is still alive.
_LIVENESS_SECONDS = 1.0
# How long a worker told to stop may take before it is ended.
_STOP_SECONDS = 30.0
# Allocations between collections of the youngest generation while a file is worked (the default is 700). Every
# row allocates dozens of containers, almost none of them in cycles, and a collection costs in proportion to the
# objects that survive it, so collecting at the default rate costs about a quarter of the work.
_ALLOCATIONS_BETWEEN_COLLECTIONS = 100_000


class _Stripe:
    """The chunks of a file one process works, every `stripe_count`-th from the `stripe_index`-th; when
    `keep_records`, each chunk's records are kept from its check until it is built."""

    def __init__(
        self, rows: Iterator[RawRow], chunk_rows: int, stripe_index: int, stripe_count: int, keep_records: bool
    ) -> None:
        self.rows = rows
        self.chunk_rows = chunk_rows
        self.stripe_index = stripe_index
        self.stripe_count = stripe_count
        self.keep_records = keep_records
        self.kept: deque[list[CalculatedRecord]] = deque()

    def checked(self) -> Iterator[CheckedChunk]:
        """The check of each chunk of the stripe, in order; IngestError where the file cannot be read further."""
        for chunk_index in count():
            if chunk_index % self.stripe_count == self.stripe_index:
                chunk = list(islice(self.rows, self.chunk_rows))
                if not chunk:
                    return
                checked, calculated = chunks.check_chunk(chunk, self.keep_records)
                if self.keep_records:
                    self.kept.append(calculated)
                yield checked
            elif not deque(islice(self.rows, self.chunk_rows), maxlen=1):
                return

    def build(self, plan: ChunkPlan) -> list[PreparedEntries]:
        """The oldest kept chunk built by `plan`."""
        if not self.kept:
            raise RuntimeError("a plan for a chunk the stripe has not checked")
        return chunks.build_chunk(self.kept.popleft(), plan)


class ChunkWork:
    """The chunks of one file, checked and then built, by this process or by worker processes.

    `rows` reads the file after its header (the importer has read and checked the header). Use as a context
    manager: leaving it stops any worker still running.
    """

    def __init__(
        self,
        snapshot: Path,
        file: str,
        rows: Iterator[RawRow],
        header: Header,
        header_cells: tuple[str, ...],
        options: IngestOptions,
        workers: int,
        keep_records: bool,
    ) -> None:
        self._stripes = max(workers, 1)
        self._here = _Stripe(rows, options.chunk_rows, 0, 1, keep_records)
        self._arguments = (snapshot, file, header, header_cells, options)
        self._keep_records = keep_records
        self._workers: list[_Worker] = []
        self._thresholds = gc.get_threshold()
        self._planned = 0  # chunks given their plan so far
        self._handed_out = 0  # built chunks handed to the importer so far
        self._built_here: deque[list[PreparedEntries]] = deque()

    def __enter__(self) -> ChunkWork:
        gc.set_threshold(_ALLOCATIONS_BETWEEN_COLLECTIONS, *self._thresholds[1:])
        if self._stripes == 1:
            chunks.prepare(*self._arguments[1:])
            return self
        context = multiprocessing.get_context("spawn")
        try:
            for stripe_index in range(self._stripes):
                arguments = (*self._arguments, stripe_index, self._stripes, self._keep_records)
                self._workers.append(_Worker(context, arguments))
        except BaseException as e:
            self.__exit__(type(e), e, None)
            raise
        return self

    def __exit__(
        self, error_type: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for worker in self._workers:
            worker.stop(wait=error_type is None and worker.process.is_alive())
        gc.set_threshold(*self._thresholds)

    def checked(self) -> Iterator[CheckedChunk]:
        """The check of every chunk, in file order; IngestError where the file cannot be read further."""
        if not self._workers:
            yield from self._here.checked()
            return
        for chunk_index in count():
            answer = self._workers[chunk_index % self._stripes].next_check()
            if answer is None:
                break
            yield answer
        # The file ended at that worker's stripe; every other worker said so too after its last chunk.
        for worker in self._workers:
            if worker is not self._workers[chunk_index % self._stripes] and worker.next_check() is not None:
                raise RuntimeError("an ingest worker read further than the end of the file")

    def plan(self, plan: ChunkPlan) -> None:
        """Have the next chunk not yet planned (in file order) built by `plan`."""
        if self._workers:
            self._workers[self._planned % self._stripes].send(plan)
        else:
            self._built_here.append(self._here.build(plan))
        self._planned += 1

    def built(self, wait: bool) -> Iterator[PreparedEntries]:
        """The entries of the planned chunks, in file order, from where the last call left off: those built
        already, or (`wait`) every one planned."""
        while self._handed_out < self._planned:
            if self._workers:
                pieces = self._workers[self._handed_out % self._stripes].next_built(wait)
            else:
                pieces = self._built_here.popleft()
            if pieces is None:
                return
            self._handed_out += 1
            yield from pieces


class _Worker:
    """One worker process and its two queues: plans to it, answers from it. Answers come as the worker
    makes them, checks and builds interleaved; each kind is kept in order until asked for."""

    def __init__(self, context: Any, arguments: tuple[Any, ...]) -> None:
        self.plans: multiprocessing.Queue[ChunkPlan | None] = context.Queue()
        self.answers: multiprocessing.Queue[tuple[str, Any]] = context.Queue(_QUEUED_PER_WORKER)
        self.process: SpawnProcess = context.Process(
            target=_serve, args=(*arguments, self.plans, self.answers), daemon=True
        )
        self.process.start()
        self._checks: deque[CheckedChunk | IngestError | None] = deque()
        self._built: deque[list[PreparedEntries]] = deque()

    def send(self, plan: ChunkPlan | None) -> None:
        self.plans.put(plan)

    def next_check(self) -> CheckedChunk | None:
        """The worker's next chunk check, or None at the end of its stripe; re-raises what stopped its
        reading."""
        while not self._checks:
            self._receive(wait=True)
        check = self._checks.popleft()
        if isinstance(check, IngestError):
            raise check
        return check

    def next_built(self, wait: bool) -> list[PreparedEntries] | None:
        """The worker's next built chunk; None if it has none ready and not `wait`."""
        while not self._built:
            if not self._receive(wait):
                return None
        return self._built.popleft()

    def _receive(self, wait: bool) -> bool:
        """File the worker's next answer; False if there was none and not `wait`. Fails if the worker died
        or failed."""
        while True:
            try:
                kind, value = self.answers.get(timeout=_LIVENESS_SECONDS) if wait else self.answers.get_nowait()
            except queue.Empty:
                if not self.process.is_alive():
                    raise RuntimeError(f"an ingest worker died (exit code {self.process.exitcode})") from None
                if not wait:
                    return False
                continue
            if kind == "crashed":
                raise RuntimeError(f"an ingest worker failed:\n{value}")
            if kind == "built":
                self._built.append(value)
            else:
                self._checks.append(value)  # a check, None at the end, or the IngestError that ended it
            return True

    def stop(self, wait: bool) -> None:
        """Let the worker finish (it ends by itself once its work is answered), or end it now."""
        if wait:
            self.send(None)
            self.process.join(_STOP_SECONDS)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.plans.close()
        self.answers.close()


def _serve(
    snapshot: Path,
    file: str,
    header: Header,
    header_cells: tuple[str, ...],
    options: IngestOptions,
    stripe_index: int,
    stripe_count: int,
    keep_records: bool,
    plans: multiprocessing.Queue[ChunkPlan | None],
    answers: multiprocessing.Queue[tuple[str, Any]],
) -> None:
    """A worker: check its stripe, answering each chunk's check and then None; between checks, and after the
    last, build each chunk whose plan has come, answering its entries. A None plan ends it."""
    try:
        gc.set_threshold(_ALLOCATIONS_BETWEEN_COLLECTIONS, *gc.get_threshold()[1:])
        chunks.prepare(file, header, header_cells, options)
        rows = read_rows(snapshot, options.encoding, file)
        next(rows)  # the header
        stripe = _Stripe(rows, options.chunk_rows, stripe_index, stripe_count, keep_records)
        try:
            for checked in stripe.checked():
                answers.put(("checked", checked))
                while stripe.kept:
                    try:
                        plan = plans.get_nowait()
                    except queue.Empty:
                        break
                    if plan is None:
                        return
                    answers.put(("built", stripe.build(plan)))
        except IngestError as e:
            answers.put(("unreadable", e))
        else:
            answers.put(("end", None))
        while (plan := plans.get()) is not None:
            answers.put(("built", stripe.build(plan)))
    except Exception:  # noqa: BLE001 - whatever it is, the importer must hear of it rather than wait
        answers.put(("crashed", traceback.format_exc()))
