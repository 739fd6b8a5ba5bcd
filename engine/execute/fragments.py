"""SQL fragments that carry their own parameters: ``(text, params)`` composed in text order.

``compose("{} = {}", a, b)`` puts ``a``'s text and parameters before ``b``'s, so the parameters of a
statement always line up with its placeholders however it was assembled. Identifiers are quoted by
the dialect; values only ever travel as parameters. Fragments are plain strings in the dialect's
spelling (placeholders included), so composing a statement is string formatting, done per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sql:
    """A piece of SQL text and the parameters of its placeholders, in order."""

    text: str
    params: tuple[Any, ...] = ()


def raw(text: str) -> Sql:
    """Fixed SQL text written by the compiler (keywords, operators, function names)."""
    return Sql(text)


def compose(template: str, *parts: Sql) -> Sql:
    """Fill the ``{}`` slots of ``template`` with ``parts``; their parameters follow in the same order."""
    text = template.format(*(part.text for part in parts))
    return Sql(text, tuple(param for part in parts for param in part.params))


def join(separator: str, parts: Iterable[Sql]) -> Sql:
    """``parts`` separated by ``separator``."""
    items = list(parts)
    return Sql(separator.join(part.text for part in items), tuple(p for part in items for p in part.params))
