"""Problems several kinds of object share: a missing column, a table that is not tracked, a missing env var."""

from __future__ import annotations

from collections.abc import Mapping

from engine.errors import Code
from engine.metadata import QualifiedTable
from engine.validation.objects import Problem, quoted


def missing_column(column: str, table: QualifiedTable, path: str) -> Problem:
    """A column that the table does not have."""
    return Problem(f"column {quoted(column)} does not exist in table {quoted(table)}", Code.NOT_EXISTS, path)


def untracked_table(table: QualifiedTable, path: str) -> Problem:
    """A referenced table that is not tracked (or not usable) in the source."""
    return Problem(f"table {quoted(table)} is not tracked", Code.NOT_EXISTS, path)


def unset_variable(name: str, environ: Mapping[str, str], path: str) -> list[Problem]:
    """An environment variable the configuration names but the server does not have."""
    if name in environ:
        return []
    return [Problem(f"environment variable '{name}' not set", Code.INVALID_PARAMS, path)]
