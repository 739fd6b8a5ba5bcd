"""Walking Hasura boolean expressions (permission filters and checks).

``{"_and": [..], "_or": [..], "_not": {..}}`` combine field conditions; every other key is a field
condition on the current table: a column with its operators, a relationship whose value is a
boolean expression on the target table, a computed field, or ``_exists`` on another table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.metadata.reader import child_path

LIST_CONNECTIVES = ("_and", "_or")
NEGATION = "_not"
EXISTS = "_exists"
SESSION_VARIABLE_PREFIX = "x-hasura-"


@dataclass(frozen=True)
class Condition:
    """A condition on one field of the current table, with the path of its value."""

    field: str
    value: Any
    path: str


@dataclass(frozen=True)
class ShapeError:
    """A connective whose operand has the wrong JSON shape."""

    message: str
    path: str


def conditions(expression: Any, path: str) -> Iterator[Condition | ShapeError]:
    """The field conditions of an expression, looking through ``_and``/``_or``/``_not``."""
    if not isinstance(expression, Mapping):
        yield ShapeError("expected a boolean expression (an object)", path)
        return
    for key, value in expression.items():
        value_path = child_path(path, key)
        if key in LIST_CONNECTIVES:
            yield from _list_operands(key, value, value_path)
        elif key == NEGATION:
            yield from conditions(value, value_path)
        else:
            yield Condition(key, value, value_path)


def _list_operands(key: str, value: Any, path: str) -> Iterator[Condition | ShapeError]:
    if not isinstance(value, list):
        yield ShapeError(f"expected an array of boolean expressions for {key}", path)
        return
    for index, item in enumerate(value):
        yield from conditions(item, f"{path}[{index}]")


def is_session_variable(value: Any) -> bool:
    """True for a session variable reference such as ``"X-Hasura-User-Id"`` (any case)."""
    return isinstance(value, str) and value.lower().startswith(SESSION_VARIABLE_PREFIX)
