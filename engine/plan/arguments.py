"""Selection arguments as plan nodes: ``where``, ``order_by``, ``limit``, ``offset``, ``distinct_on``.

Client filters name GraphQL fields; row filters of select permissions name columns and may refer to
session variables (``"X-Hasura-User-Id"``), replaced here by the caller's values. The role's row
filter is AND-ed into every selection of a table, also through relationships.

A row filter is the metadata's, not the role's: it may follow relationships to tables the role
cannot read and look into any table of the source with ``_exists``, and the tables it reaches are
not restricted by the role's own permissions on them (as in Hasura). A client's filter only sees
what the role may read, and a relationship in it carries the target's row filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import Code
from engine.graphql_errors import RequestError
from engine.metadata import Node, QualifiedTable
from engine.plan.array_literal import parse_array_literal
from engine.plan.nodes import (
    AllOf,
    AnyOf,
    BoolExp,
    Compare,
    CompareColumns,
    Direction,
    Hop,
    Negation,
    OrderAggregate,
    OrderColumn,
    OrderKey,
    OrderThrough,
    RelatedExists,
    SelectArgs,
)
from engine.schema.model import RelationshipModel, TableModel
from engine.schema.naming import AGGREGATE_SUFFIX
from engine.schema.scalars import scalar_name

SESSION_PREFIX = "x-hasura-"
EXISTS = "_exists"
COLUMN_OPERATORS = frozenset({"_ceq", "_cne", "_cgt", "_cgte", "_clt", "_clte"})
LIST_OPERATORS = frozenset({"_in", "_nin"})
ROOT_TABLE_MARKER = "$"
DIRECTIONS = {
    "asc": Direction("ASC", "LAST"),
    "asc_nulls_first": Direction("ASC", "FIRST"),
    "asc_nulls_last": Direction("ASC", "LAST"),
    "desc": Direction("DESC", "FIRST"),
    "desc_nulls_first": Direction("DESC", "FIRST"),
    "desc_nulls_last": Direction("DESC", "LAST"),
}


def all_of(*items: BoolExp | None) -> BoolExp | None:
    """The conjunction of the given expressions, None when there is nothing to check."""
    present = tuple(item for item in items if item is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else AllOf(present)


class ArgumentReader:
    """Turns coerced argument values and permission filters into plan nodes for one caller."""

    def __init__(
        self,
        tables: Mapping[str, TableModel],
        session_variables: Mapping[str, str],
        all_tables: Mapping[str, TableModel] | None = None,
    ) -> None:
        self.tables = tables
        self.session = {name.lower(): value for name, value in session_variables.items()}
        self.all_tables = all_tables or tables
        self._by_table = {(m.source.name, m.table): m for m in self.all_tables.values()}

    # --- selections ---------------------------------------------------------------------------

    def select_args(self, model: TableModel, args: Mapping[str, Any], path: str) -> SelectArgs:
        """The rows a selection reads: the client's arguments within the role's row filter and limit."""
        where = args.get("where")
        client_where = None if where is None else self.where(model, where, f"{path}.args.where")
        order_by = self.order_by(model, args.get("order_by") or [], f"{path}.args.order_by")
        distinct_on = tuple(args.get("distinct_on") or ())
        _check_distinct_on(distinct_on, order_by, f"{path}.args.distinct_on")
        return SelectArgs(
            where=all_of(self.row_filter(model), client_where),
            order_by=order_by,
            limit=_capped(_non_negative(args.get("limit"), f"{path}.args.limit"), model.access.limit),
            offset=_non_negative(args.get("offset"), f"{path}.args.offset"),
            distinct_on=distinct_on,
        )

    def hop(self, model: TableModel, relationship: RelationshipModel) -> Hop:
        """The step along a relationship, carrying the target's row filter."""
        target = self.tables[relationship.target]
        return Hop(target, relationship.mapping, self.row_filter(target))

    def row_filter(self, model: TableModel) -> BoolExp | None:
        """The role's row filter of a table, with session variables filled in."""
        if not model.access.filter:
            return None
        unrestricted = self._by_table.get((model.source.name, model.table), model)
        return self._permission_exp(unrestricted, model.access.filter)

    # --- client filters -----------------------------------------------------------------------

    def where(self, model: TableModel, value: Mapping[str, Any], path: str) -> BoolExp:
        """A ``<table>_bool_exp`` value (keys are GraphQL field names)."""
        items: list[BoolExp] = []
        for key, operand in value.items():
            if operand is None:
                continue
            items.append(self._where_item(model, key, operand, path))
        return AllOf(tuple(items)) if len(items) != 1 else items[0]

    def _where_item(self, model: TableModel, key: str, operand: Any, path: str) -> BoolExp:
        if key == "_and":
            return AllOf(tuple(self.where(model, item, path) for item in operand))
        if key == "_or":
            return AnyOf(tuple(self.where(model, item, path) for item in operand))
        if key == "_not":
            return Negation(self.where(model, operand, path))
        column = model.columns_by_field.get(key)
        if column is not None:
            return _comparisons(column.name, column.data_type, operand, f"{path}.{key}")
        relationship = model.relationships_by_name[key]
        target = self.tables[relationship.target]
        return RelatedExists(self.hop(model, relationship), self.where(target, operand, f"{path}.{key}"))

    # --- permission filters -------------------------------------------------------------------

    def _permission_exp(self, model: TableModel, value: Mapping[str, Any]) -> BoolExp:
        items = [self._permission_item(model, key, operand) for key, operand in value.items()]
        return AllOf(tuple(items)) if len(items) != 1 else items[0]

    def _permission_item(self, model: TableModel, key: str, operand: Any) -> BoolExp:
        if key == "_and":
            return AllOf(tuple(self._permission_exp(model, item) for item in operand))
        if key == "_or":
            return AnyOf(tuple(self._permission_exp(model, item) for item in operand))
        if key == "_not":
            return Negation(self._permission_exp(model, operand))
        if key == EXISTS:
            return self._permission_exists(model, operand)
        if key in model.column_types:
            return self._permission_column(model, key, operand)
        relationship = model.relationships_by_name.get(key)
        if relationship is None:
            raise _not_in_row_filter(key, model)
        target = self.all_tables[relationship.target]
        return RelatedExists(Hop(target, relationship.mapping), self._permission_exp(target, operand))

    def _permission_exists(self, model: TableModel, operand: Mapping[str, Any]) -> BoolExp:
        """``{"_exists": {"_table": T, "_where": E}}``: some row of T in the same source satisfies E."""
        table = QualifiedTable.parse(Node(operand["_table"], "$"))
        target = self._by_table.get((model.source.name, table))
        if target is None:
            raise _not_in_row_filter(EXISTS, model)
        return RelatedExists(Hop(target, ()), self._permission_exp(target, operand["_where"]))

    def _permission_column(self, model: TableModel, column: str, operand: Any) -> BoolExp:
        """The operators of a column; a value that is not an object stands for ``_eq``."""
        operators = operand if isinstance(operand, Mapping) else {"_eq": operand}
        items = [self._column_operator(model, column, op, value) for op, value in operators.items()]
        return AllOf(tuple(items)) if len(items) != 1 else items[0]

    def _column_operator(self, model: TableModel, column: str, operator: str, value: Any) -> BoolExp:
        if operator in COLUMN_OPERATORS:
            return _column_comparison(column, operator, value)
        value = self._resolve_session(value)
        if operator in LIST_OPERATORS and isinstance(value, str):
            value = parse_array_literal(value)
        return _comparisons(column, model.column_types[column], {operator: value}, "$")

    def _resolve_session(self, value: Any) -> Any:
        if isinstance(value, str) and value.lower().startswith(SESSION_PREFIX):
            name = value.lower()
            if name not in self.session:
                raise RequestError(f'missing session variable: "{name}"', code=Code.NOT_FOUND)
            return self.session[name]
        if isinstance(value, Mapping):
            return {key: self._resolve_session(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._resolve_session(item) for item in value]
        return value

    # --- ordering -----------------------------------------------------------------------------

    def order_by(self, model: TableModel, items: list[Mapping[str, Any]], path: str) -> tuple[OrderKey, ...]:
        """Order keys in priority order: list items first to last, then keys within an item."""
        keys: list[OrderKey] = []
        for item in items:
            for key, value in item.items():
                if value is not None:
                    keys.extend(self._order_keys(model, key, value, path))
        return tuple(keys)

    def _order_keys(self, model: TableModel, key: str, value: Any, path: str) -> list[OrderKey]:
        column = model.columns_by_field.get(key)
        if column is not None:
            return [OrderColumn(column.name, DIRECTIONS[value])]
        relationship = model.relationships_by_name.get(key)
        if relationship is not None:
            target = self.tables[relationship.target]
            hop = self.hop(model, relationship)
            return [OrderThrough(hop, inner) for inner in self.order_by(target, [value], path)]
        relationship = model.relationships_by_name[key.removesuffix(AGGREGATE_SUFFIX)]
        return self._aggregate_keys(self.hop(model, relationship), value)

    def _aggregate_keys(self, hop: Hop, value: Mapping[str, Any]) -> list[OrderKey]:
        keys: list[OrderKey] = []
        for function, spec in value.items():
            if spec is None:
                continue
            if function == "count":
                keys.append(OrderAggregate(hop, "count", None, DIRECTIONS[spec]))
                continue
            for field_name, direction in spec.items():
                if direction is not None:
                    column = hop.target.columns_by_field[field_name]
                    keys.append(OrderAggregate(hop, function, column.name, DIRECTIONS[direction]))
        return keys


def _comparisons(column: str, data_type: str, operators: Mapping[str, Any], path: str) -> BoolExp:
    items: list[BoolExp] = []
    for operator, value in operators.items():
        if value is None:
            raise RequestError(
                f'unexpected null value for type "{scalar_name(data_type)}"', path=f"{path}.{operator}"
            )
        items.append(Compare(column, data_type, operator, value))
    return AllOf(tuple(items)) if len(items) != 1 else items[0]


def _column_comparison(column: str, operator: str, other: Any) -> CompareColumns:
    """``_ceq`` and friends: ``other`` names a column of the same row, or ``["$", c]`` of the filtered row."""
    if isinstance(other, list) and len(other) == 2 and other[0] == ROOT_TABLE_MARKER:
        return CompareColumns(column, operator, other[1], of_root=True)
    if isinstance(other, list) and len(other) == 1:
        other = other[0]
    return CompareColumns(column, operator, other)


def _not_in_row_filter(key: str, model: TableModel) -> RequestError:
    return RequestError(
        f'"{key}" cannot be used in the row filter of "{model.type_name}"', code=Code.NOT_SUPPORTED
    )


def _non_negative(value: int | None, path: str) -> int | None:
    if value is not None and value < 0:
        raise RequestError("unexpected negative value", path=path)
    return value


def _capped(limit: int | None, cap: int | None) -> int | None:
    if cap is None:
        return limit
    return cap if limit is None else min(limit, cap)


def _check_distinct_on(distinct_on: tuple[str, ...], order_by: tuple[OrderKey, ...], path: str) -> None:
    if not distinct_on or not order_by:
        return
    leading = order_by[: len(distinct_on)]
    columns = {key.column for key in leading if isinstance(key, OrderColumn)}
    if len(leading) < len(distinct_on) or len(columns) != len(leading) or columns != set(distinct_on):
        raise RequestError('"distinct_on" columns must match initial "order_by" columns', path=path)
