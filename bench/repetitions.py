"""Repeated measurements of one cell reduced to their median, with the spread that flags a noisy cell.

performance.md §5.3: each server runs its cells several times, in alternating order, and every
figure reported is the median of the repetitions; a cell whose repetitions differ by more than
``SPREAD_LIMIT`` of that median is flagged, so a disturbed stretch of the machine shows as such
instead of passing for a result.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

SPREAD_LIMIT = 0.10

Record = TypeVar("Record")


def spread(values: Sequence[float]) -> float:
    """(largest − smallest) / median; 0 for fewer than two values or a median of 0."""
    if len(values) < 2:
        return 0.0
    middle = statistics.median(values)
    return (max(values) - min(values)) / middle if middle else 0.0


def median_record(records: Sequence[Record], keep_max: Collection[str] = ()) -> Record:
    """The first of ``records`` (dataclasses) with each numeric field the median of all of theirs.

    Fields named in ``keep_max`` take the largest value instead (a peak stays a peak); booleans,
    non-numeric fields and fields equal in all records (N, the concurrency) are the first record's.
    """
    first: Any = records[0]
    changes = {}
    for item in fields(first):
        values = [getattr(record, item.name) for record in records]
        if len(set(values)) == 1 or not all(_is_number(value) for value in values):
            continue
        changes[item.name] = max(values) if item.name in keep_max else statistics.median(values)
    return replace(first, **changes)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def summarise_rounds(rounds: Sequence[Record], keep_max: Collection[str] = ()) -> tuple[Record, float]:
    """A cell's rounds as one: their ``median_record`` and the spread of Joinery's p50 over them.

    The records hold ``joinery_p50_ms``, as the rows of ``bench.action_join`` and ``bench.remote_joins`` do.
    """
    rows: Sequence[Any] = rounds
    return median_record(rounds, keep_max), spread([row.joinery_p50_ms for row in rows])


def rounds_caption(rounds: int, per: str) -> str:
    """The line above a table of rounds' medians, ``per`` naming what each row is (N, a cell)."""
    return (
        f"Median of {rounds} rounds per {per}; ratio and overhead are taken within each round. Spread: "
        f"(largest − smallest) / median of Joinery's p50 over the rounds, ~ above {SPREAD_LIMIT:.0%}.\n"
    )


def spread_mark(value: float) -> str:
    """`` ~`` after a figure whose repetitions differ by more than the limit, else nothing."""
    return " ~" if value > SPREAD_LIMIT else ""
