"""SQL fragments that carry their own parameters: ``(composable, params)`` composed in text order.

``compose("{} = {}", a, b)`` puts ``a``'s text and parameters before ``b``'s, so the parameters of a
statement always line up with its placeholders however it was assembled. Identifiers are quoted by
the dialect; values only ever travel as parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from psycopg2 import sql


@dataclass(frozen=True)
class Sql:
    """A piece of SQL text (a psycopg2 Composable) and the parameters of its placeholders, in order."""

    text: sql.Composable
    params: tuple[Any, ...] = ()


def raw(text: str) -> Sql:
    """Fixed SQL text written by the compiler (keywords, operators, function names)."""
    return Sql(sql.SQL(text))


def compose(template: str, *parts: Sql) -> Sql:
    """Fill the ``{}`` slots of ``template`` with ``parts``; their parameters follow in the same order."""
    text = sql.SQL(template).format(*(part.text for part in parts))
    return Sql(text, tuple(param for part in parts for param in part.params))


def join(separator: str, parts: Iterable[Sql]) -> Sql:
    """``parts`` separated by ``separator``."""
    items = list(parts)
    return Sql(
        sql.SQL(separator).join(part.text for part in items), tuple(p for part in items for p in part.params)
    )
