"""Python functions written as source for one plan or type, then compiled: the engine's hot loops.

A loop over a thousand objects that interprets a selection (or a type, or a row layout) again for
every object spends most of its time on that interpretation; the same loop written out for the
selection at hand does only the work. Only names reach the source, each written as a Python string
literal (``repr``) by the caller, so no text from metadata or a request is ever read as code; every
value the function needs (constants, kinds, other functions) comes through its namespace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def define(lines: Sequence[str], namespace: dict[str, Any], name: str) -> Any:
    """The function ``name`` that ``lines`` define, compiled with ``namespace`` as its globals."""
    exec("\n".join(lines), namespace)  # noqa: S102 - names are repr() literals, values come by namespace
    return namespace[name]
