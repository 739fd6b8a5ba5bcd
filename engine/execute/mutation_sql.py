"""Compiles table mutations: the INSERT/UPDATE/DELETE of a change, and the statement shaping its answer.

PostgreSQL runs the change in a data-modifying CTE and answers in the same statement:

    WITH "_m" AS (INSERT INTO "public"."author" AS "_mt" ("name") VALUES ($1::text) RETURNING *)
    SELECT (json_build_object('affected_rows', (SELECT count(*) FROM "_m"),
                              'returning', (SELECT coalesce(json_agg(...), '[]') FROM "_m" AS "_t0")))::text,
           (SELECT coalesce(bool_and(<permission check>), true) FROM "_m" AS "_c")

Relationships read in the same statement would see the tables as they were before the change, so
when the answer reads relationships the first statement returns the changed rows as JSON and a
second one reads them back with ``jsonb_populate_recordset(NULL::"public"."author", $1)``, which
sees the change (Hasura does the same). SQLite cannot change rows in a CTE: its change returns each
row as a JSON object with its check, and a second statement reads them from ``json_each`` when the
answer needs more than counts. The answer is compiled by the select compiler: the changed rows
stand in for a table whose FROM item is one of the above (``ChangedRows``), so every selection,
relationship and permission filter works on them as on any table.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from engine.execute.compiler import SelectCompiler
from engine.execute.dialects import JSON_TYPES, PostgresSql, SqlDialect, SqliteSql
from engine.execute.fragments import Sql, compose, join, raw
from engine.metadata import QualifiedTable
from engine.plan.mutation_nodes import (
    AffectedRowsOut,
    ConflictClause,
    DeleteRows,
    InsertRows,
    ReturningOut,
    TableMutation,
    UpdateRows,
)
from engine.plan.nodes import AggregateRelOut, ArrayRelOut, BoolExp, LiteralOut, ObjectRelOut, SelectArgs
from engine.sources import SQLITE

# The schema name of the stand-in table for the changed rows: no real schema has an empty name.
CHANGED = ""
CTE = "_m"
TARGET = "_mt"
CHECK_ROWS = "_c"
_POSTGRES = PostgresSql()


class _ChangedRows:
    """A dialect whose stand-in table (schema ``CHANGED``) reads from ``rows_from``."""

    rows_from: Sql

    def table(self, schema: str, name: str) -> Sql:
        if schema == CHANGED:
            return self.rows_from
        return super().table(schema, name)  # type: ignore[misc]


class _PostgresChanged(_ChangedRows, PostgresSql):
    """PostgreSQL reading changed rows."""


class _SqliteChanged(_ChangedRows, SqliteSql):
    """SQLite reading changed rows."""


def changed_rows_dialect(kind: str, rows_from: Sql) -> SqlDialect:
    """The dialect of ``kind`` with the changed rows readable as a table from ``rows_from``."""
    dialect: _ChangedRows = _SqliteChanged() if kind == SQLITE else _PostgresChanged()
    dialect.rows_from = rows_from
    return dialect  # type: ignore[return-value]


def reads_relationships(mutation: TableMutation) -> bool:
    """True when the answer reads related rows in SQL (which must see the change)."""
    relationships = (ObjectRelOut, ArrayRelOut, AggregateRelOut)
    return any(isinstance(item, relationships) for selection in mutation.selections() for item in selection)


def needs_rows(mutation: TableMutation) -> bool:
    """True when the answer shows rows, not only counts and type names."""
    return bool(mutation.selections())


def empty_answer(mutation: TableMutation) -> Any:
    """The answer when nothing changed: no row, or zero rows."""
    return None if mutation.response is None else counted_answer(mutation, 0)


def counted_answer(mutation: TableMutation, affected: int) -> dict[str, Any]:
    """The answer built without a statement: ``affected_rows``, ``__typename`` and empty ``returning``."""
    answer: dict[str, Any] = {}
    for item in mutation.response or ():
        if isinstance(item, AffectedRowsOut):
            answer[item.alias] = affected
        else:
            answer[item.alias] = item.value if isinstance(item, LiteralOut) else []
    return answer


class MutationCompiler:
    """Compiles the statements of one table mutation for one dialect."""

    def __init__(self, kind: str, mutation: TableMutation) -> None:
        self.kind = kind
        self.mutation = mutation
        self.table = mutation.table
        self.sqlite = kind == SQLITE
        # On SQLite RETURNING and ON CONFLICT name the target table itself, never an alias.
        self.target = self.table.table.name if self.sqlite else TARGET

    # --- PostgreSQL ---------------------------------------------------------------------------

    def postgres_answer(self) -> Sql:
        """One statement: ``(answer JSON text, every check passed)``."""
        d = changed_rows_dialect(self.kind, _POSTGRES.ident(CTE))
        select = SelectCompiler(d)
        change = self._change(d, select, self._postgres_returning())
        answer = self._answer(d, select, compose("(SELECT count(*) FROM {})", d.ident(CTE)))
        return compose(
            "WITH {} AS ({}) SELECT {}, {}", d.ident(CTE), change, d.as_text(answer), self._check(d, select)
        )

    def postgres_change(self) -> Sql:
        """The change alone: ``(affected rows, changed rows as JSON text, every check passed)``."""
        d = changed_rows_dialect(self.kind, _POSTGRES.ident(CTE))
        select = SelectCompiler(d)
        change = self._change(d, select, self._postgres_returning())
        rows = compose(
            "(SELECT coalesce(json_agg({}), '[]'::json) FROM {} AS {})::text",
            d.ident(CHECK_ROWS),
            d.ident(CTE),
            d.ident(CHECK_ROWS),
        )
        return compose(
            "WITH {} AS ({}) SELECT (SELECT count(*) FROM {}), {}, {}",
            d.ident(CTE),
            change,
            d.ident(CTE),
            rows,
            self._check(d, select),
        )

    def _postgres_returning(self) -> Sql:
        # xmax is 0 on a row an upsert inserted: it tells insert and update checks apart.
        return raw("*, xmax") if self._update_check() is not None else raw("*")

    # --- SQLite -------------------------------------------------------------------------------

    def sqlite_changes(self) -> list[Sql]:
        """The change, as statements returning ``(row as JSON text, check passed)`` per changed row."""
        d = changed_rows_dialect(self.kind, raw(""))
        select = SelectCompiler(d)
        row = d.json_object(
            [(column.name, d.column(self.target, column.name)) for column in self.table.columns]
        )
        check = self._row_check(select)
        returning = compose("{}, {}", row, check if check is not None else raw("1"))
        change = self.mutation.change
        if isinstance(change, InsertRows):
            return [self._insert(d, select, rows, returning) for rows in _same_columns(change.rows)]
        return [self._change(d, select, returning)]

    def _row_check(self, select: SelectCompiler) -> Sql | None:
        check, update_check = self._insert_check(), self._update_check()
        # SQLite cannot tell rows an upsert inserted from rows it updated: both checks apply.
        both = [select.condition(self.target, exp) for exp in (check, update_check) if exp is not None]
        return compose("({})", join(" AND ", both)) if both else None

    # --- answers ------------------------------------------------------------------------------

    def answer_from_json(self, rows: str, affected: int) -> Sql:
        """``SELECT <answer JSON text>`` over changed rows given as a JSON array of objects."""
        if self.sqlite:
            base: SqlDialect = SqliteSql()
            row = base.ident("_r")
            columns = [
                compose("{} AS {}", _sqlite_member(base, row, column.name), base.ident(column.name))
                for column in self.table.columns
            ]
            rows_from = compose(
                "(SELECT {} FROM json_each({}) AS {})", join(", ", columns), base.value(rows), row
            )
        else:
            table = self.table.table
            rows_from = compose(
                "jsonb_populate_recordset(NULL::{}, {}::jsonb)",
                _POSTGRES.table(table.schema, table.name),
                _POSTGRES.value(rows),
            )
        d = changed_rows_dialect(self.kind, rows_from)
        answer = self._answer(d, SelectCompiler(d), d.value(affected))
        return compose("SELECT {}", d.as_text(answer))

    def _answer(self, d: SqlDialect, select: SelectCompiler, affected: Sql) -> Sql:
        changed = dataclasses.replace(self.table, table=QualifiedTable(CHANGED, CTE))
        mutation = self.mutation
        if mutation.row is not None:
            return compose("({})", select.object_select(changed, SelectArgs(), mutation.row, ()))
        pairs = []
        for item in mutation.response or ():
            if isinstance(item, AffectedRowsOut):
                pairs.append((item.alias, affected))
            elif isinstance(item, ReturningOut):
                rows = select.rows_select(changed, SelectArgs(), item.selection, ())
                pairs.append((item.alias, d.nested(rows)))
            else:
                pairs.append((item.alias, d.text(item.value)))
        return d.json_object(pairs)

    def _check(self, d: SqlDialect, select: SelectCompiler) -> Sql:
        check, update_check = self._insert_check(), self._update_check()
        if check is None and update_check is None:
            return raw("true")
        condition = self._condition(select, check)
        if update_check is not None:
            condition = compose(
                "CASE WHEN {}::text = '0' THEN {} ELSE {} END",
                d.column(CHECK_ROWS, "xmax"),
                condition,
                self._condition(select, update_check),
            )
        return compose(
            "(SELECT coalesce(bool_and({}), true) FROM {} AS {})",
            condition,
            d.ident(CTE),
            d.ident(CHECK_ROWS),
        )

    def _condition(self, select: SelectCompiler, exp: BoolExp | None) -> Sql:
        return raw("true") if exp is None else select.condition(CHECK_ROWS, exp)

    def _insert_check(self) -> BoolExp | None:
        change = self.mutation.change
        return change.check if isinstance(change, InsertRows | UpdateRows) else None

    def _update_check(self) -> BoolExp | None:
        change = self.mutation.change
        return change.update_check if isinstance(change, InsertRows) else None

    # --- changes ------------------------------------------------------------------------------

    def _change(self, d: SqlDialect, select: SelectCompiler, returning: Sql) -> Sql:
        change = self.mutation.change
        if isinstance(change, InsertRows):
            return self._insert(d, select, list(change.rows), returning)
        if isinstance(change, UpdateRows):
            return self._update(d, select, change, returning)
        assert isinstance(change, DeleteRows)
        return join(
            " ",
            [
                compose("DELETE FROM {}", self._target_table(d)),
                *self._where(select, change.where),
                compose("RETURNING {}", returning),
            ],
        )

    def _insert(self, d: SqlDialect, select: SelectCompiler, rows: list[Any], returning: Sql) -> Sql:
        columns = _union_columns(rows) or ([] if self.sqlite else [self.table.columns[0].name])
        if columns:
            values = join(", ", (compose("({})", self._row_values(d, row, columns)) for row in rows))
            head = compose(
                "INSERT INTO {} ({}) VALUES {}",
                self._target_table(d),
                join(", ", (d.ident(column) for column in columns)),
                values,
            )
        else:
            head = compose("INSERT INTO {} DEFAULT VALUES", self._target_table(d))
        parts = [head]
        change = self.mutation.change
        assert isinstance(change, InsertRows)
        if change.conflict is not None:
            parts.append(self._on_conflict(d, select, change.conflict))
        parts.append(compose("RETURNING {}", returning))
        return join(" ", parts)

    def _row_values(self, d: SqlDialect, row: dict[str, Any], columns: list[str]) -> Sql:
        types = self.table.column_types
        return join(", ", (self._value(d, row[c], types[c]) if c in row else raw("DEFAULT") for c in columns))

    def _on_conflict(self, d: SqlDialect, select: SelectCompiler, conflict: ConflictClause) -> Sql:
        target = compose("ON CONFLICT ({})", join(", ", (d.ident(column) for column in conflict.columns)))
        if not conflict.update_columns:
            return compose("{} DO NOTHING", target)
        assignments = [compose("{} = excluded.{}", d.ident(c), d.ident(c)) for c in conflict.update_columns]
        types = self.table.column_types
        assignments += [
            compose("{} = {}", d.ident(column), self._value(d, value, types[column]))
            for column, value in conflict.presets.items()
        ]
        parts = [compose("{} DO UPDATE SET {}", target, join(", ", assignments))]
        return join(" ", parts + self._where(select, conflict.where))

    def _update(self, d: SqlDialect, select: SelectCompiler, change: UpdateRows, returning: Sql) -> Sql:
        types = self.table.column_types
        assignments = [
            compose("{} = {}", d.ident(column), self._value(d, value, types[column]))
            for column, value in change.assign.items()
        ]
        assignments += [
            compose(
                "{} = {} + {}",
                d.ident(column),
                d.column(self.target, column),
                self._value(d, value, types[column]),
            )
            for column, value in change.increment.items()
        ]
        return join(
            " ",
            [
                compose("UPDATE {} SET {}", self._target_table(d), join(", ", assignments)),
                *self._where(select, change.where),
                compose("RETURNING {}", returning),
            ],
        )

    def _where(self, select: SelectCompiler, where: BoolExp | None) -> list[Sql]:
        return [] if where is None else [compose("WHERE {}", select.condition(self.target, where))]

    def _target_table(self, d: SqlDialect) -> Sql:
        table = d.table(self.table.table.schema, self.table.table.name)
        return table if self.sqlite else compose("{} AS {}", table, d.ident(TARGET))

    def _value(self, d: SqlDialect, value: Any, data_type: str) -> Sql:
        if isinstance(d, PostgresSql):
            return d.typed(value, data_type)
        return d.value(json.dumps(value) if data_type in JSON_TYPES and value is not None else value)


def _sqlite_member(d: SqlDialect, row: Sql, key: str) -> Sql:
    """Member ``key`` of the JSON object ``row.value``: by JSON path, or by key where no path can name it."""
    if key.isprintable() and '"' not in key and "\\" not in key:
        return compose("json_extract({}.value, {})", row, d.value(f'$."{key}"'))
    member = d.ident("_f")
    return compose(
        "(SELECT {}.value FROM json_each({}.value) AS {} WHERE {}.key = {})",
        member,
        row,
        member,
        member,
        d.value(key),
    )


def _union_columns(rows: list[Any]) -> list[str]:
    """Every column some row gives, in first-seen order."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def _same_columns(rows: tuple[Any, ...]) -> list[list[Any]]:
    """Consecutive rows giving the same columns, grouped: SQLite has no DEFAULT in VALUES."""
    groups: list[list[Any]] = []
    for row in rows:
        # A row giving no column is inserted alone: DEFAULT VALUES makes one row.
        if groups and row and set(groups[-1][0]) == set(row):
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups
