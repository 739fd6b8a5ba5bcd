"""Plan nodes of table mutations: the change to make, the permission checks, and what to answer.

    TableMutation   one root field: its change and its answer (``engine.execute.mutation_sql``
                    compiles them into statements)
      change:  InsertRows   rows (column -> value, presets included), an optional ConflictClause
               UpdateRows   _set and _inc values (presets included) for the rows ``where`` selects
               DeleteRows   the rows ``where`` selects
      answer:  response     affected_rows / returning / __typename of ``<table>_mutation_response``
               row          the one row of ``_one`` and ``_by_pk`` fields (null when none changed)

``where`` already holds the role's permission filter; ``check`` is what every changed row must
satisfy afterwards (an insert's or update's permission check), else the whole request fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.plan.nodes import BoolExp, JoinTree, LiteralOut, RowSelection
from engine.schema.model import TableModel


@dataclass(frozen=True)
class ConflictClause:
    """``on_conflict``: the unique key, the columns taken from the new row (none: do nothing)."""

    columns: tuple[str, ...]
    update_columns: tuple[str, ...]
    presets: Mapping[str, Any]
    where: BoolExp | None


@dataclass(frozen=True)
class InsertRows:
    """Rows to insert; a column a row lacks takes its default.

    ``update_check`` applies instead of ``check`` to rows an upsert updated.
    """

    rows: tuple[Mapping[str, Any], ...]
    conflict: ConflictClause | None = None
    check: BoolExp | None = None
    update_check: BoolExp | None = None


@dataclass(frozen=True)
class UpdateRows:
    """New values of the rows ``where`` selects: ``assign`` sets, ``increment`` adds (column -> value)."""

    assign: Mapping[str, Any]
    increment: Mapping[str, Any]
    where: BoolExp | None
    check: BoolExp | None = None

    @property
    def changes_nothing(self) -> bool:
        """No column to change: the statement is skipped and nothing counts as affected (as in Hasura)."""
        return not self.assign and not self.increment


@dataclass(frozen=True)
class DeleteRows:
    """The rows ``where`` selects go."""

    where: BoolExp | None


Change = InsertRows | UpdateRows | DeleteRows


@dataclass(frozen=True)
class AffectedRowsOut:
    """``affected_rows`` under the client's alias."""

    alias: str


@dataclass(frozen=True)
class ReturningOut:
    """``returning``: the changed rows, shaped by ``selection``."""

    alias: str
    selection: RowSelection


ResponseItem = AffectedRowsOut | ReturningOut | LiteralOut


@dataclass(frozen=True)
class TableMutation:
    """A mutation root field on a table; exactly one of ``response`` and ``row`` is set.

    ``table`` is the table with every column (the statement writes columns the role may not read);
    ``joins`` are the relationship fields of the answer that cross a boundary, filled after commit.
    """

    alias: str
    table: TableModel
    change: Change
    response: tuple[ResponseItem, ...] | None = None
    row: RowSelection | None = None
    joins: JoinTree | None = None

    def selections(self) -> list[RowSelection]:
        """Every row selection of the answer."""
        if self.row is not None:
            return [self.row]
        return [item.selection for item in self.response or () if isinstance(item, ReturningOut)]
