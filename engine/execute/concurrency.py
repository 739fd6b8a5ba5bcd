"""Runs independent pieces of work at once on a bounded thread pool, without ever deadlocking it.

Sibling joins of one level, and the per-key calls of an action join, are submitted to the pool;
the submitting thread runs the first piece itself and, when it comes to wait for a piece that no
worker has started yet, takes it back and runs it too. So a thread only ever waits for work that is
already running elsewhere, and nested submissions (a join inside a join, from a pool thread) cannot
exhaust the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import TypeVar

T = TypeVar("T")


def run_concurrently(pool: Executor, work: Sequence[Callable[[], T]]) -> list[T]:
    """The results of ``work``, in order; the first exception raised is raised once all have ended."""
    if len(work) < 2:
        return [item() for item in work]
    futures = [pool.submit(item) for item in work[1:]]
    results: list[T] = []
    failure: BaseException | None = None
    for index, item in enumerate(work):
        try:
            if index == 0 or futures[index - 1].cancel():
                results.append(item())
            else:
                results.append(futures[index - 1].result())
        except Exception as error:  # noqa: BLE001 - kept, raised after the others have ended
            failure = failure or error
    if failure is not None:
        raise failure
    return results
