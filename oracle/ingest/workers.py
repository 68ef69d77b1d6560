"""Who checks and builds the chunks of a file: this process, or worker processes that each read the file
themselves.

Shipping rows to a worker and back costs more than checking them, so nothing is shipped: each of n workers reads
the whole (private copy of the) file and works every n-th chunk of it, its stripe, from check to build. Reading a
row costs a fraction of checking it. A worker keeps the records it checked (row, kind and identity digest of
each) until the importer, having checked the whole file, plans the serials; it then builds them. Only
compact results travel: a chunk's check, then its records' keys and canonical bytes. Each worker answers through
a small queue of its own, so the importer reads the answers in chunk order and no worker runs far ahead of it.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import traceback
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import count, islice
from multiprocessing.context import SpawnProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from ledger.errors import IngestError
from oracle.ingest import chunks
from oracle.ingest.chunks import CalculatedRecord, CheckedChunk, ChunkPlan
from oracle.ingest.columns import Header
from oracle.ingest.formats import RawRow, read_rows
from oracle.ingest.options import IngestOptions

Built = list[tuple[str, bytes]]
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
    """The chunks of a file one process works, every `stripe_count`-th from the `stripe_index`-th, kept
    between check and build when `keep_records`."""

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
                    # What is kept lives until it is built: no collection need look at it again and again.
                    gc.freeze()
                yield checked
            elif not deque(islice(self.rows, self.chunk_rows), maxlen=1):
                return

    def built(self, plans: Sequence[ChunkPlan]) -> Iterator[Built]:
        """The keys and canonical bytes of each chunk's new records, in order; `plans` has one per chunk."""
        if len(plans) != len(self.kept):
            raise RuntimeError(f"{len(plans)} plans for the {len(self.kept)} chunks of a stripe")
        for plan in plans:
            yield chunks.build_chunk(self.kept.popleft(), plan)


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
        gc.unfreeze()

    def checked(self) -> Iterator[CheckedChunk]:
        """The check of every chunk, in file order; IngestError where the file cannot be read further."""
        if not self._workers:
            yield from self._here.checked()
            return
        for chunk_index in count():
            answer = self._workers[chunk_index % self._stripes].answer()
            if answer is None:
                break
            yield answer
        # The file ended at that worker's stripe; every other worker said so too after its last chunk.
        for worker in self._workers:
            if worker is not self._workers[chunk_index % self._stripes] and worker.answer() is not None:
                raise RuntimeError("an ingest worker read further than the end of the file")

    def built(self, plans: Sequence[ChunkPlan]) -> Iterator[Built]:
        """The keys and canonical bytes of every chunk's new records, in file order; one plan per chunk."""
        if not self._workers:
            yield from self._here.built(plans)
            return
        for stripe_index, worker in enumerate(self._workers):
            worker.send(list(plans[stripe_index :: self._stripes]))
        for chunk_index in range(len(plans)):
            yield self._workers[chunk_index % self._stripes].answer()


class _Worker:
    """One worker process and its two queues: plans to it, answers from it."""

    def __init__(self, context: Any, arguments: tuple[Any, ...]) -> None:
        self.plans: multiprocessing.Queue[list[ChunkPlan] | None] = context.Queue()
        self.answers: multiprocessing.Queue[tuple[str, Any]] = context.Queue(_QUEUED_PER_WORKER)
        self.process: SpawnProcess = context.Process(
            target=_serve, args=(*arguments, self.plans, self.answers), daemon=True
        )
        self.process.start()

    def send(self, plans: list[ChunkPlan] | None) -> None:
        self.plans.put(plans)

    def answer(self) -> Any:
        """The worker's next answer; re-raises what stopped its reading, and fails if the worker died."""
        while True:
            try:
                kind, value = self.answers.get(timeout=_LIVENESS_SECONDS)
            except queue.Empty:
                if not self.process.is_alive():
                    raise RuntimeError(f"an ingest worker died (exit code {self.process.exitcode})") from None
                continue
            if kind == "unreadable":
                raise value
            if kind == "crashed":
                raise RuntimeError(f"an ingest worker failed:\n{value}")
            return value

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
    plans: multiprocessing.Queue[list[ChunkPlan] | None],
    answers: multiprocessing.Queue[tuple[str, Any]],
) -> None:
    """A worker: check its stripe, answering each chunk and then "end"; build it by the plans sent, if any."""
    try:
        gc.set_threshold(_ALLOCATIONS_BETWEEN_COLLECTIONS, *gc.get_threshold()[1:])
        chunks.prepare(file, header, header_cells, options)
        rows = read_rows(snapshot, options.encoding, file)
        next(rows)  # the header
        stripe = _Stripe(rows, options.chunk_rows, stripe_index, stripe_count, keep_records)
        try:
            for checked in stripe.checked():
                answers.put(("checked", checked))
        except IngestError as e:
            answers.put(("unreadable", e))
        else:
            answers.put(("end", None))
        stripe_plans = plans.get()
        if stripe_plans is not None:
            for built in stripe.built(stripe_plans):
                answers.put(("built", built))
    except Exception:  # noqa: BLE001 - whatever it is, the importer must hear of it rather than wait
        answers.put(("crashed", traceback.format_exc()))
