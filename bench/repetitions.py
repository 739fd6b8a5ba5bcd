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
