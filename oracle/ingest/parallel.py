"""An ordered, bounded map over worker processes: results come back in input order, and only a few items
are in flight at once, so a long stream is never read ahead into memory."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Items in flight per worker: enough to keep every worker busy while results are collected in order.
_IN_FLIGHT_PER_WORKER = 2


def ordered_map(
    function: Callable[[Item], Result],
    items: Iterable[Item],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
) -> Iterator[Result]:
    """`function(item)` for each item, in order; in this process when `workers` is 1, else in a pool.

    `initializer(*initargs)` prepares the state `function` reads (in each worker, or here).
    """
    if workers <= 1:
        initializer(*initargs)
        yield from map(function, items)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs) as pool:
        in_flight: deque[Future[Result]] = deque()
        for item in items:
            in_flight.append(pool.submit(function, item))
            if len(in_flight) >= workers * _IN_FLIGHT_PER_WORKER:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
