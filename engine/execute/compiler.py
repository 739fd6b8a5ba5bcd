"""Compiles table plans into one SQL statement that returns the answer as JSON text.

A selection becomes nested scalar subqueries, each correlated to its parent row:

    SELECT ( SELECT coalesce(json_agg("_r1"."j" ORDER BY "_r1"."n"), '[]')        -- rows of author
             FROM ( SELECT json_build_object('name', "_t0"."name",
                                             'articles', ( SELECT ... WHERE "_t2"."author_id" = "_t0"."id" ))
                           AS "j", row_number() OVER (ORDER BY "_t0"."name" ASC NULLS LAST) AS "n"
                    FROM "public"."author" AS "_t0" WHERE ... ORDER BY ... LIMIT ... ) AS "_r1" )::text

so the database shapes every row and nothing is resolved per field in Python. A join statement
runs the same expression once per join key, the keys arriving as parameters whose number does
not depend on how many keys there are (see
``engine.execute.joins``); a key that is a list of keys matches the rows whose column is in it.
Limits, order and filters of nested arrays apply per parent row. A relationship field filled by a
join after the statement ran (``JoinOut``) is null in the statement's JSON.

Where JSON buys nothing, rows come back as columns: a root rows or object field, or an object
join, whose selection is only columns of the dialect's ``plain_types`` (and constants and join
placeholders) is one plain ``SELECT`` (a ``JOIN LATERAL`` per key for a join), and ``PlainRow``
builds its objects. Building JSON per row is most of what the database spends on such rows, and
the driver's values of those types encode to the very same JSON.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.execute.dialects import SqlDialect, SqliteSql
from engine.execute.fragments import Sql, compose, join, raw
from engine.execute.generated import define
from engine.plan.nodes import (
    AggregateFieldsOut,
    AggregateRelOut,
    AggregateSelection,
    AllOf,
    AnyOf,
    ArrayRelOut,
    BoolExp,
    ColumnOut,
    Compare,
    CompareColumns,
    CountOut,
    FunctionOut,
    Hop,
    Join,
    JoinOut,
    LiteralOut,
    Negation,
    NodesOut,
    ObjectRelOut,
    OrderAggregate,
    OrderColumn,
    OrderKey,
    OrderThrough,
    RelatedExists,
    RowItem,
    RowSelection,
    SelectArgs,
    TableQuery,
)
from engine.schema.model import TableModel


class PlainRow:
    """How plain rows become objects: ``(value...)`` rows of a root field, ``(value..., argument id)`` of a join.

    ``entries`` are the response keys in order, each with the position of its value in the row, or
    None and the constant it holds (``__typename``, or null for a join's placeholder). The two
    builders are Python source written for the entries (a dict display per row), compiled once.
    """

    def __init__(self, entries: Sequence[tuple[str, int | None, Any]]) -> None:
        self.entries = tuple(entries)
        namespace: dict[str, Any] = {}
        fields = []
        for index, (alias, position, constant) in enumerate(entries):
            if position is None:
                namespace[f"constant_{index}"] = constant
                fields.append(f"{alias!r}: constant_{index}")
            else:
                fields.append(f"{alias!r}: row[{position}]")
        display = "{" + ", ".join(fields) + "}"
        self.values: Callable[[list[tuple[Any, ...]]], list[dict[str, Any]]] = define(
            ["def values(rows):", f"    return [{display} for row in rows]"], namespace, "values"
        )
        """The objects of ``(value...)`` rows, in order."""
        self.objects: Callable[[list[tuple[Any, ...]]], dict[int, Any]] = define(
            ["def objects(rows):", f"    return {{row[-1]: {display} for row in rows}}"], namespace, "objects"
        )
        """Argument id -> its row's object (an argument without a row gets none)."""


@dataclass(frozen=True)
class TableStatement:
    """A root table field's statement: one row of JSON text, or plain rows when ``row`` says how to build them."""

    statement: Sql
    row: PlainRow | None = None


@dataclass(frozen=True)
class JoinStatement:
    """A join's statement compiled once, its keys (its key parameters) given per call.

    The statement returns ``(argument id, JSON text)`` rows, or plain ``(value..., argument id)``
    rows when ``row`` says how to build their objects.
    """

    dialect: SqlDialect
    statement: Sql
    key_count: int
    row: PlainRow | None = None

    def with_keys(self, keys: list[list[Any]]) -> Sql:
        """The statement for ``keys`` (``[[argument id, value...], ...]``)."""
        return Sql(self.statement.text, self.dialect.bind_keys(self.statement.params, keys, self.key_count))


def _plain_row(selection: RowSelection, columns: list[ColumnOut]) -> PlainRow:
    positions = {id(item): position for position, item in enumerate(columns)}
    return PlainRow(
        [
            (item.alias, positions.get(id(item)), item.value if isinstance(item, LiteralOut) else None)
            for item in selection
        ]
    )


AGGREGATE_FUNCTIONS = frozenset(
    {"avg", "max", "min", "sum", "stddev", "stddev_pop", "stddev_samp", "var_pop", "var_samp", "variance"}
)
JOIN_KINDS = {"object": "object", "array": "rows", "aggregate": "aggregate"}
COLUMN_COMPARISONS = {"_ceq": "=", "_cne": "<>", "_cgt": ">", "_cgte": ">=", "_clt": "<", "_clte": "<="}


@dataclass(frozen=True)
class KeyList:
    """A join key expression holding a list of keys: the column must be one of them."""

    keys: Sql


# (column of the table being read, expression it must equal): ties a subquery to its parent row.
Correlation = Sequence[tuple[str, Sql | KeyList]]


class SelectCompiler:
    """Compiles one statement; table aliases are numbered within it."""

    def __init__(self, dialect: SqlDialect) -> None:
        self.d = dialect
        self._numbers = itertools.count()

    def _alias(self, prefix: str = "_t") -> str:
        return f"{prefix}{next(self._numbers)}"

    # --- statements ---------------------------------------------------------------------------

    def table_query(self, query: TableQuery) -> Sql:
        """``SELECT <json text>`` answering a root table field (NULL for a missing ``_by_pk`` row)."""
        select = self._select(query.kind, query.table, query.args, query.selection, ())
        return compose("SELECT {}", self.d.as_text(compose("({})", select)))

    def table_statement(self, query: TableQuery) -> TableStatement:
        """The statement of a root table field: plain rows for rows and objects of plain columns."""
        if query.kind == "aggregate" or not self._plain_selection(query.selection):
            return TableStatement(self.table_query(query))
        alias = self._alias()
        columns, projected = self._plain_columns(alias, query.selection)
        args = query.args
        if query.kind == "object":
            args = SelectArgs(args.where, args.order_by, 1, args.offset, args.distinct_on)
            order = None
        else:
            order = self._order_clause(alias, args.order_by)
        statement = self._from(alias, query.table, args, (), projected, order)
        return TableStatement(statement, _plain_row(query.selection, columns))

    def join_query(self, join: Join, keys: list[list[Any]]) -> Sql:
        """``SELECT argument id, <json text>`` per join key; keys are ``[[argument id, value...], ...]``."""
        return self.join_statement(join).with_keys(keys)

    def join_statement(self, join: Join) -> JoinStatement:
        """The statement of ``join`` for any keys (the same for every call of the join)."""
        lists = [key.many for key in join.keys]
        source, argument, key_values = self.d.key_source([key.data_type for key in join.keys], lists)
        correlation = [
            (key.column, KeyList(value) if key.many else value)
            for key, value in zip(join.keys, key_values, strict=True)
        ]
        if join.kind == "object" and self._plain_selection(join.selection):
            return self._plain_join_statement(join, source, argument, correlation)
        select = self._select(JOIN_KINDS[join.kind], join.target, join.args, join.selection, correlation)
        statement = compose(
            "SELECT {}, {} FROM {}", argument, self.d.as_text(compose("({})", select)), source
        )
        return JoinStatement(self.d, statement, len(join.keys))

    def _plain_selection(self, selection: Any) -> bool:
        """Whether the rows of ``selection`` travel as plain columns, not JSON built per row.

        Building JSON is most of what the database spends on flat rows, and the driver hands over
        the values of ``plain_types`` columns as the very values that JSON holds.
        """
        return any(isinstance(item, ColumnOut) for item in selection) and all(
            isinstance(item, LiteralOut | JoinOut)
            or (isinstance(item, ColumnOut) and item.data_type in self.d.plain_types)
            for item in selection
        )

    def _plain_columns(self, alias: str, selection: RowSelection) -> tuple[list[ColumnOut], Sql]:
        """The selection's columns and their projection, named ``c0``, ``c1``... in order."""
        columns = [item for item in selection if isinstance(item, ColumnOut)]
        projected = join(
            ", ",
            (
                compose("{} AS {}", self.d.column(alias, item.column), self.d.ident(f"c{index}"))
                for index, item in enumerate(columns)
            ),
        )
        return columns, projected

    def _plain_join_statement(
        self, call: Join, source: Sql, argument: Sql, correlation: Correlation
    ) -> JoinStatement:
        """``SELECT "_r"."c0", ..., <argument id> FROM <keys> JOIN LATERAL (<the row>) AS "_r" ON true``."""
        alias, row = self._alias(), self._alias("_r")
        columns, projected = self._plain_columns(alias, call.selection)
        args = call.args
        limited = SelectArgs(args.where, args.order_by, 1, args.offset, args.distinct_on)
        inner = self._from(alias, call.target, limited, correlation, projected, None)
        names = (self.d.column(row, f"c{index}") for index in range(len(columns)))
        outer = join(", ", [*names, argument])
        statement = compose(
            "SELECT {} FROM {} JOIN LATERAL ({}) AS {} ON true", outer, source, inner, self.d.ident(row)
        )
        return JoinStatement(self.d, statement, len(call.keys), _plain_row(call.selection, columns))

    def _select(
        self, kind: str, model: TableModel, args: SelectArgs, selection: Any, correlation: Correlation
    ) -> Sql:
        if kind == "object":
            return self.object_select(model, args, selection, correlation)
        if kind == "aggregate":
            return self.aggregate_select(model, args, selection, correlation)
        return self.rows_select(model, args, selection, correlation)

    # --- selections ---------------------------------------------------------------------------

    def rows_select(
        self, model: TableModel, args: SelectArgs, selection: RowSelection, correlation: Correlation
    ) -> Sql:
        """A query returning the JSON array of the selected rows."""
        alias, derived = self._alias(), self._alias("_r")
        order = self._order_clause(alias, args.order_by)
        numbered = order is not None and self.d.orders_aggregates
        columns = [compose('{} AS "j"', self.row_object(alias, selection))]
        if numbered:
            columns.append(compose('row_number() OVER (ORDER BY {}) AS "n"', order))
        inner = self._from(alias, model, args, correlation, join(", ", columns), order)
        row_number = self.d.column(derived, "n") if numbered else None
        aggregate = self.d.json_array_agg(self.d.column(derived, "j"), row_number)
        return compose("SELECT {} FROM ({}) AS {}", aggregate, inner, self.d.ident(derived))

    def object_select(
        self, model: TableModel, args: SelectArgs, selection: RowSelection, correlation: Correlation
    ) -> Sql:
        """A query returning one row's JSON object, or no row."""
        alias = self._alias()
        limited = SelectArgs(args.where, args.order_by, 1, args.offset, args.distinct_on)
        return self._from(alias, model, limited, correlation, self.row_object(alias, selection), None)

    def aggregate_select(
        self, model: TableModel, args: SelectArgs, selection: AggregateSelection, correlation: Correlation
    ) -> Sql:
        """A query returning ``{"aggregate": {...}, "nodes": [...]}`` over the selected rows."""
        alias, derived = self._alias(), self._alias("_r")
        order = self._order_clause(alias, args.order_by)
        numbered = order is not None and self.d.orders_aggregates
        projection = _Projection(self.d, alias, derived)
        value = self._aggregate_value(selection, projection, numbered)
        columns = projection.columns(self, order if numbered else None)
        inner = self._from(alias, model, args, correlation, columns, order)
        return compose("SELECT {} FROM ({}) AS {}", value, inner, self.d.ident(derived))

    def _aggregate_value(self, selection: AggregateSelection, projection: _Projection, ordered: bool) -> Sql:
        pairs = []
        for item in selection:
            if isinstance(item, LiteralOut):
                pairs.append((item.alias, self.d.text(item.value)))
            elif isinstance(item, NodesOut):
                rows = projection.nodes(item.selection)
                pairs.append(
                    (item.alias, self.d.json_array_agg(rows, projection.row_number() if ordered else None))
                )
            else:
                pairs.append((item.alias, self._aggregate_fields(item, projection)))
        return self.d.json_object(pairs)

    def _aggregate_fields(self, item: AggregateFieldsOut, projection: _Projection) -> Sql:
        pairs = []
        for field in item.fields:
            if isinstance(field, LiteralOut):
                pairs.append((field.alias, self.d.text(field.value)))
            elif isinstance(field, CountOut):
                columns = [projection.column(name) for name in field.columns]
                pairs.append((field.alias, self.d.count(columns, field.distinct)))
            else:
                pairs.append((field.alias, self._function(field, projection)))
        return self.d.json_object(pairs)

    def _function(self, item: FunctionOut, projection: _Projection) -> Sql:
        if item.function not in AGGREGATE_FUNCTIONS:
            raise ValueError(f"unknown aggregate function {item.function!r}")
        pairs = [
            (field.alias, self.d.text(field.value))
            if isinstance(field, LiteralOut)
            else (field.alias, compose(f"{item.function}({{}})", projection.column(field.column)))
            for field in item.fields
        ]
        return self.d.json_object(pairs)

    # --- rows ---------------------------------------------------------------------------------

    def row_object(self, alias: str, selection: RowSelection) -> Sql:
        """The JSON object of one row of table alias ``alias``."""
        return self.d.json_object([(item.alias, self._row_value(alias, item)) for item in selection])

    def _row_value(self, alias: str, item: RowItem) -> Sql:
        if isinstance(item, ColumnOut):
            return self.d.output(self.d.column(alias, item.column), item.data_type)
        if isinstance(item, LiteralOut):
            return self.d.text(item.value)
        if isinstance(item, JoinOut):
            return raw("NULL")
        correlation = self._correlation(alias, item.hop)
        if isinstance(item, ObjectRelOut):
            args = SelectArgs(where=item.hop.filter)
            return self.d.nested(self.object_select(item.hop.target, args, item.selection, correlation))
        if isinstance(item, ArrayRelOut):
            return self.d.nested(self.rows_select(item.hop.target, item.args, item.selection, correlation))
        assert isinstance(item, AggregateRelOut)
        return self.d.nested(self.aggregate_select(item.hop.target, item.args, item.selection, correlation))

    def _correlation(self, parent: str, hop: Hop) -> Correlation:
        return [(there, self.d.column(parent, here)) for here, there in hop.mapping]

    def _from(
        self,
        alias: str,
        model: TableModel,
        args: SelectArgs,
        correlation: Correlation,
        columns: Sql,
        order: Sql | None,
    ) -> Sql:
        """``SELECT <columns> FROM <table> WHERE ... ORDER BY ... LIMIT ... OFFSET ...``."""
        conditions = [self._correlated(self.d.column(alias, column), value) for column, value in correlation]
        if args.where is not None:
            conditions.append(self.condition(alias, args.where))
        table = compose("{} AS {}", self.d.table(model.table.schema, model.table.name), self.d.ident(alias))
        prefix = raw("")
        where = join(" AND ", conditions) if conditions else None
        if args.distinct_on:
            distinct = join(", ", (self.d.column(alias, column) for column in args.distinct_on))
            if isinstance(self.d, SqliteSql):
                table, where = self._sqlite_distinct(alias, table, where, distinct, order)
            else:
                prefix = compose("DISTINCT ON ({}) ", distinct)
        parts = [compose("SELECT {}{} FROM {}", prefix, columns, table)]
        if where is not None:
            parts.append(compose("WHERE {}", where))
        if order is not None:
            parts.append(compose("ORDER BY {}", order))
        limits = self.d.limit_offset(args.limit, args.offset)
        if limits is not None:
            parts.append(limits)
        return join(" ", parts)

    def _correlated(self, column: Sql, value: Sql | KeyList) -> Sql:
        if isinstance(value, KeyList):
            return self.d.in_keys(column, value.keys)
        return compose("{} = {}", column, value)

    def _sqlite_distinct(
        self, alias: str, table: Sql, where: Sql | None, distinct: Sql, order: Sql | None
    ) -> tuple[Sql, Sql]:
        """SQLite has no DISTINCT ON: keep the first row of each partition, numbered in a derived table."""
        window = compose("PARTITION BY {} ORDER BY {}", distinct, order if order is not None else distinct)
        filtered = raw("") if where is None else compose(" WHERE {}", where)
        numbered = compose(
            'SELECT {}.*, row_number() OVER ({}) AS "__distinct" FROM {}{}',
            self.d.ident(alias),
            window,
            table,
            filtered,
        )
        derived = compose("({}) AS {}", numbered, self.d.ident(alias))
        return derived, compose("{} = 1", self.d.column(alias, "__distinct"))

    # --- filters and ordering -----------------------------------------------------------------

    def condition(self, alias: str, exp: BoolExp, root: str | None = None) -> Sql:
        """A boolean expression over rows of table alias ``alias``.

        ``root`` is the alias of the row the expression was first applied to (default ``alias``):
        column comparisons with ``["$", column]`` read that row from inside related-row subqueries.
        """
        root = root or alias
        if isinstance(exp, Compare):
            return self.d.compare(self.d.column(alias, exp.column), exp.operator, exp.value, exp.data_type)
        if isinstance(exp, CompareColumns):
            other = self.d.column(root if exp.of_root else alias, exp.other)
            return compose(
                f"{{}} {COLUMN_COMPARISONS[exp.operator]} {{}}", self.d.column(alias, exp.column), other
            )
        if isinstance(exp, AllOf):
            return (
                compose("({})", join(" AND ", (self.condition(alias, e, root) for e in exp.items)))
                if exp.items
                else raw("TRUE")
            )
        if isinstance(exp, AnyOf):
            return (
                compose("({})", join(" OR ", (self.condition(alias, e, root) for e in exp.items)))
                if exp.items
                else raw("FALSE")
            )
        if isinstance(exp, Negation):
            return compose("NOT ({})", self.condition(alias, exp.item, root))
        assert isinstance(exp, RelatedExists)
        inner = self._alias()
        conditions = self._hop_conditions(alias, exp.hop, inner) + [self.condition(inner, exp.where, root)]
        return compose(
            "EXISTS (SELECT 1 FROM {} WHERE {})", self._hop_table(exp.hop, inner), join(" AND ", conditions)
        )

    def _hop_table(self, hop: Hop, alias: str) -> Sql:
        return compose(
            "{} AS {}", self.d.table(hop.target.table.schema, hop.target.table.name), self.d.ident(alias)
        )

    def _hop_conditions(self, parent: str, hop: Hop, child: str) -> list[Sql]:
        conditions = [
            compose("{} = {}", self.d.column(child, there), self.d.column(parent, here))
            for here, there in hop.mapping
        ]
        if hop.filter is not None:
            conditions.append(self.condition(child, hop.filter))
        return conditions

    def _order_clause(self, alias: str, keys: Sequence[OrderKey]) -> Sql | None:
        if not keys:
            return None
        return join(", ", (self._order_item(alias, key) for key in keys))

    def _order_item(self, alias: str, key: OrderKey) -> Sql:
        direction = _direction(key)
        return compose(f"{{}} {direction.order} NULLS {direction.nulls}", self._order_value(alias, key))

    def _order_value(self, alias: str, key: OrderKey) -> Sql:
        if isinstance(key, OrderColumn):
            return self.d.column(alias, key.column)
        inner = self._alias()
        conditions = join(" AND ", self._hop_conditions(alias, key.hop, inner))
        table = self._hop_table(key.hop, inner)
        if isinstance(key, OrderThrough):
            return compose(
                "(SELECT {} FROM {} WHERE {} LIMIT 1)", self._order_value(inner, key.key), table, conditions
            )
        return compose("(SELECT {} FROM {} WHERE {})", self._aggregate_of(inner, key), table, conditions)

    def _aggregate_of(self, alias: str, key: OrderAggregate) -> Sql:
        if key.function == "count" or key.column is None:
            return raw("count(*)")
        if key.function not in AGGREGATE_FUNCTIONS:
            raise ValueError(f"unknown aggregate function {key.function!r}")
        return compose(f"{key.function}({{}})", self.d.column(alias, key.column))


def _direction(key: OrderKey) -> Any:
    while isinstance(key, OrderThrough):
        key = key.key
    return key.direction


class _Projection:
    """The columns an aggregate query reads from its derived table of selected rows."""

    def __init__(self, dialect: SqlDialect, alias: str, derived: str) -> None:
        self.d = dialect
        self.alias = alias
        self.derived = derived
        self._columns: dict[str, str] = {}
        self._nodes: list[RowSelection] = []

    def column(self, name: str) -> Sql:
        """The derived table's copy of a column."""
        projected = self._columns.setdefault(name, f"c{len(self._columns)}")
        return self.d.column(self.derived, projected)

    def nodes(self, selection: RowSelection) -> Sql:
        """The derived table's JSON object of each row for a ``nodes`` selection."""
        self._nodes.append(selection)
        return self.d.column(self.derived, f"j{len(self._nodes) - 1}")

    def row_number(self) -> Sql:
        """The derived table's row number (present when the selection is ordered)."""
        return self.d.column(self.derived, "n")

    def columns(self, compiler: SelectCompiler, order: Sql | None) -> Sql:
        """The select list of the derived table, numbered by ``order`` when given."""
        items = [
            compose("{} AS {}", self.d.column(self.alias, name), self.d.ident(c))
            for name, c in self._columns.items()
        ]
        items += [
            compose("{} AS {}", compiler.row_object(self.alias, selection), self.d.ident(f"j{index}"))
            for index, selection in enumerate(self._nodes)
        ]
        if order is not None:
            items.append(compose('row_number() OVER (ORDER BY {}) AS "n"', order))
        return join(", ", items) if items else raw('1 AS "one"')
