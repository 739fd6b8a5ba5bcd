"""Plans a table mutation root field: coerced arguments and the role's permissions become a TableMutation.

The client's ``where`` names the columns the role may read (its select permission); the permission's
own filter and check name any column and may use session variables, as select filters do. Presets
fill their columns from fixed values or session variables, which the client cannot override: preset
columns are not in the input types.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from graphql import FieldNode, GraphQLObjectType, get_named_type

from engine.errors import Code
from engine.graphql_errors import RequestError
from engine.plan.arguments import SESSION_PREFIX, all_of
from engine.plan.join_tree import rows_tree, tree_or_none
from engine.plan.mutation_nodes import (
    AffectedRowsOut,
    ConflictClause,
    DeleteRows,
    InsertRows,
    ResponseItem,
    ReturningOut,
    TableMutation,
    UpdateRows,
)
from engine.plan.nodes import BoolExp, Compare, JoinTree, LiteralOut
from engine.plan.selections import TYPENAME, SelectionPlanner
from engine.schema.model import GatewaySchema, TableAccess, TableModel
from engine.schema.mutation_model import MutationAccess, MutationRootField, UpdateAccess
from engine.schema.mutations import PLACEHOLDER

SINGLE_ROW_KINDS = ("insert_one", "update_by_pk", "delete_by_pk")


class MutationPlanner:
    """Plans the table mutation root fields of one operation."""

    def __init__(self, schema: GatewaySchema, selections: SelectionPlanner) -> None:
        self.schema = schema
        self.selections = selections
        self.reader = selections.reader

    def plan(
        self,
        root_type: GraphQLObjectType,
        key: str,
        role: MutationRootField,
        nodes: list[FieldNode],
        path: str,
    ) -> TableMutation:
        """The plan of one mutation root field."""
        table = self.schema.all_tables[role.table]
        readable = self.schema.tables.get(role.table)
        arguments = self.selections.field_arguments(root_type.name, nodes, path)
        change = self._change(role, table, readable, arguments, path)
        if role.kind in SINGLE_ROW_KINDS:
            assert readable is not None
            row = self.selections.rows(readable, nodes, path)
            return TableMutation(key, table, change, row=row, joins=rows_tree(row))
        response = self._response(root_type, readable, nodes, path)
        return TableMutation(key, table, change, response=response, joins=_response_tree(response))

    def _change(
        self,
        role: MutationRootField,
        table: TableModel,
        readable: TableModel | None,
        arguments: Mapping[str, Any],
        path: str,
    ) -> InsertRows | UpdateRows | DeleteRows:
        # A role that cannot read the table filters with _and/_or/_not only: no columns to name.
        target = readable or dataclasses.replace(table, columns=(), relationships=())
        access = role.access
        if role.kind.startswith("insert"):
            return self._insert(table, target, access, arguments, role.kind == "insert", path)
        if role.kind.startswith("update"):
            assert access.update is not None
            where = self._where(table, target, role.kind, arguments, path)
            return self._update(table, access.update, arguments, where, path)
        assert access.delete is not None
        where = self._where(table, target, role.kind, arguments, path)
        return DeleteRows(all_of(self._filter(table, access.delete.filter), where))

    # --- insert -------------------------------------------------------------------------------

    def _insert(
        self,
        table: TableModel,
        target: TableModel,
        access: MutationAccess,
        arguments: Mapping[str, Any],
        many: bool,
        path: str,
    ) -> InsertRows:
        insert = access.insert
        assert insert is not None
        objects = arguments["objects"] if many else [arguments["object"]]
        presets = self._presets(insert.presets)
        rows = tuple({**_by_column(table, item), **presets} for item in objects)
        conflict = self._conflict(table, target, access.update, arguments.get("on_conflict"), path)
        update_check = None
        if conflict is not None and conflict.update_columns and access.update is not None:
            update_check = self._filter(table, access.update.check)
        return InsertRows(rows, conflict, self._filter(table, insert.check), update_check)

    def _conflict(
        self,
        table: TableModel,
        target: TableModel,
        update: UpdateAccess | None,
        value: Mapping[str, Any] | None,
        path: str,
    ) -> ConflictClause | None:
        if value is None:
            return None
        assert update is not None
        columns = tuple(column for column in value.get("update_columns") or () if column != PLACEHOLDER)
        where = value.get("where")
        client = None if where is None else self.reader.where(target, where, f"{path}.args.on_conflict.where")
        presets = self._presets(update.presets) if columns else {}
        return ConflictClause(
            tuple(value["constraint"]), columns, presets, all_of(self._filter(table, update.filter), client)
        )

    # --- update -------------------------------------------------------------------------------

    def _update(
        self,
        table: TableModel,
        update: UpdateAccess,
        arguments: Mapping[str, Any],
        where: BoolExp | None,
        path: str,
    ) -> UpdateRows:
        assign = _by_column(table, arguments.get("_set") or {})
        increment = _by_column(table, arguments.get("_inc") or {})
        both = [column for column in assign if column in increment]
        if both:
            listed = ", ".join(f'"{column}"' for column in both)
            raise RequestError(f"Column found in multiple operators: {listed}.", path=f"{path}.args")
        return UpdateRows(
            {**assign, **self._presets(update.presets)},
            increment,
            all_of(self._filter(table, update.filter), where),
            self._filter(table, update.check),
        )

    # --- shared -------------------------------------------------------------------------------

    def _where(
        self, table: TableModel, target: TableModel, kind: str, arguments: Mapping[str, Any], path: str
    ) -> BoolExp | None:
        """The client's row choice: its ``where``, or the primary key of a ``_by_pk`` field."""
        if kind.endswith("_by_pk"):
            keys = arguments.get("pk_columns", arguments)
            columns = table.columns_by_name
            return all_of(
                *(
                    Compare(name, columns[name].data_type, "_eq", keys[columns[name].field_name])
                    for name in table.primary_key
                )
            )
        return self.reader.where(target, arguments["where"], f"{path}.args.where")

    def _filter(self, table: TableModel, permission: Mapping[str, Any] | None) -> BoolExp | None:
        """A permission's filter or check, session variables filled in (None: every row)."""
        if not permission:
            return None
        return self.reader.row_filter(dataclasses.replace(table, access=TableAccess(filter=permission)))

    def _presets(self, presets: Mapping[str, Any]) -> dict[str, Any]:
        return {column: self._session_value(value) for column, value in presets.items()}

    def _session_value(self, value: Any) -> Any:
        if isinstance(value, str) and value.lower().startswith(SESSION_PREFIX):
            name = value.lower()
            if name not in self.reader.session:
                raise RequestError(f'missing session variable: "{name}"', code=Code.NOT_FOUND)
            return self.reader.session[name]
        return value

    def _response(
        self, root_type: GraphQLObjectType, readable: TableModel | None, nodes: list[FieldNode], path: str
    ) -> tuple[ResponseItem, ...]:
        type_name = get_named_type(self.selections.field_type(root_type.name, nodes[0].name.value)).name
        items: list[ResponseItem] = []
        for key, field_nodes in self.selections.sub_fields(type_name, nodes).items():
            name = field_nodes[0].name.value
            if name == TYPENAME:
                items.append(LiteralOut(key, type_name))
            elif name == "affected_rows":
                items.append(AffectedRowsOut(key))
            else:
                assert readable is not None
                here = f"{path}.selectionSet.{key}"
                items.append(ReturningOut(key, self.selections.rows(readable, field_nodes, here)))
        return tuple(items)


def _by_column(table: TableModel, values: Mapping[str, Any]) -> dict[str, Any]:
    """Values keyed by GraphQL field name, keyed by column name instead."""
    columns = table.columns_by_field
    return {columns[name].name: value for name, value in values.items()}


def _response_tree(response: tuple[ResponseItem, ...]) -> JoinTree | None:
    children = tuple(
        (item.alias, tree)
        for item in response
        if isinstance(item, ReturningOut) and (tree := rows_tree(item.selection)) is not None
    )
    return tree_or_none(JoinTree(children=children))
