"""Selection sets as plan nodes: table rows, aggregates, and action outputs with their joins.

Fragments, ``@skip``/``@include`` and merged fields are resolved by graphql-core's field collection;
every item keeps the client's alias (its response key). For an action output, each relationship
field becomes an ``OutputJoin`` whose join keys are read from fields of the same object: the
client's own selection of that field when there is one (under any alias), otherwise a phantom field
added under a generated alias (``id_join_column_``) and removed from the answer after the join.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    get_named_type,
)
from graphql.execution.collect_fields import collect_sub_fields
from graphql.execution.values import get_argument_values

from engine.graphql_errors import RequestError
from engine.plan.arguments import ArgumentReader
from engine.plan.document import reword
from engine.plan.nodes import (
    AggregateFieldsOut,
    AggregateRelOut,
    AggregateSelection,
    ArrayRelOut,
    ColumnOut,
    CountOut,
    FunctionOut,
    Join,
    JoinKey,
    LiteralOut,
    NodesOut,
    ObjectRelOut,
    OutputItem,
    OutputJoin,
    OutputObject,
    OutputSelection,
    OutputValue,
    RowItem,
    RowSelection,
    SelectArgs,
)
from engine.schema import naming
from engine.schema.model import ColumnField, GatewaySchema, JoinField, RelationshipField, TableModel

TYPENAME = "__typename"
Fields = dict[str, list[FieldNode]]


def phantom_alias(field_name: str, taken: list[str]) -> str:
    """``<field>_join_column`` padded with ``_`` until it is longer than every alias in ``taken``."""
    alias = f"{field_name}_join_column"
    longest = max((len(key) for key in taken), default=0)
    return alias + "_" * max(0, longest + 1 - len(alias))


class SelectionPlanner:
    """Plans selection sets of one operation (fragments and variables fixed)."""

    def __init__(
        self,
        schema: GatewaySchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        reader: ArgumentReader,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.reader = reader

    # --- helpers ------------------------------------------------------------------------------

    def object_type(self, name: str) -> GraphQLObjectType:
        """A named object type of the schema."""
        found = self.schema.graphql.get_type(name)
        assert isinstance(found, GraphQLObjectType)
        return found

    def sub_fields(self, type_name: str, nodes: list[FieldNode]) -> Fields:
        """The merged sub-selections of ``nodes`` on type ``type_name``, keyed by response key."""
        return collect_sub_fields(
            self.schema.graphql, self.fragments, self.variables, self.object_type(type_name), nodes
        )

    def arguments(self, field: GraphQLField, node: FieldNode, path: str) -> dict[str, Any]:
        """The coerced argument values of a field."""
        try:
            return get_argument_values(field, node, self.variables)
        except GraphQLError as error:
            raise RequestError(reword(error.message), path=path)

    def field_arguments(self, type_name: str, nodes: list[FieldNode], path: str) -> dict[str, Any]:
        """The coerced arguments of the field ``nodes`` select on ``type_name``."""
        field = self.object_type(type_name).fields[nodes[0].name.value]
        return self.arguments(field, nodes[0], path)

    # --- table rows ---------------------------------------------------------------------------

    def rows(self, model: TableModel, nodes: list[FieldNode], path: str) -> RowSelection:
        """The row selection made by ``nodes`` (fields whose type is the table's row type)."""
        fields = self.sub_fields(model.type_name, nodes)
        return tuple(
            self._row_item(model, key, field_nodes, f"{path}.selectionSet.{key}")
            for key, field_nodes in fields.items()
        )

    def _row_item(self, model: TableModel, key: str, nodes: list[FieldNode], path: str) -> RowItem:
        name = nodes[0].name.value
        if name == TYPENAME:
            return LiteralOut(key, model.type_name)
        role = self.schema.role_of(model.type_name, name)
        if isinstance(role, ColumnField):
            return ColumnOut(key, role.column.name, role.column.data_type)
        assert isinstance(role, RelationshipField)
        hop = self.reader.hop(model, role.relationship)
        if role.relationship.kind == "object":
            return ObjectRelOut(key, hop, self.rows(hop.target, nodes, path))
        args = self.reader.select_args(hop.target, self.field_arguments(model.type_name, nodes, path), path)
        if role.aggregate:
            return AggregateRelOut(key, hop, args, self.aggregate(hop.target, nodes, path))
        return ArrayRelOut(key, hop, args, self.rows(hop.target, nodes, path))

    # --- aggregates ---------------------------------------------------------------------------

    def aggregate(self, model: TableModel, nodes: list[FieldNode], path: str) -> AggregateSelection:
        """The selection on ``<table>_aggregate``: ``aggregate { ... }`` and ``nodes { ... }``."""
        type_name = naming.aggregate_name(model.type_name)
        items: list[AggregateFieldsOut | NodesOut | LiteralOut] = []
        for key, field_nodes in self.sub_fields(type_name, nodes).items():
            name = field_nodes[0].name.value
            here = f"{path}.selectionSet.{key}"
            if name == TYPENAME:
                items.append(LiteralOut(key, type_name))
            elif name == "nodes":
                items.append(NodesOut(key, self.rows(model, field_nodes, here)))
            else:
                items.append(AggregateFieldsOut(key, self._aggregate_fields(model, field_nodes, here)))
        return tuple(items)

    def _aggregate_fields(
        self, model: TableModel, nodes: list[FieldNode], path: str
    ) -> tuple[CountOut | FunctionOut | LiteralOut, ...]:
        type_name = naming.aggregate_fields_name(model.type_name)
        items: list[CountOut | FunctionOut | LiteralOut] = []
        for key, field_nodes in self.sub_fields(type_name, nodes).items():
            name = field_nodes[0].name.value
            if name == TYPENAME:
                items.append(LiteralOut(key, type_name))
            elif name == "count":
                args = self.field_arguments(type_name, field_nodes, f"{path}.selectionSet.{key}")
                items.append(CountOut(key, tuple(args.get("columns") or ()), bool(args.get("distinct"))))
            else:
                items.append(FunctionOut(key, name, self._function_fields(model, name, field_nodes)))
        return tuple(items)

    def _function_fields(
        self, model: TableModel, function: str, nodes: list[FieldNode]
    ) -> tuple[ColumnOut | LiteralOut, ...]:
        type_name = naming.function_fields_name(model.type_name, function)
        items: list[ColumnOut | LiteralOut] = []
        for key, field_nodes in self.sub_fields(type_name, nodes).items():
            name = field_nodes[0].name.value
            if name == TYPENAME:
                items.append(LiteralOut(key, type_name))
            else:
                column = model.columns_by_field[name]
                items.append(ColumnOut(key, column.name, column.data_type))
        return tuple(items)

    # --- action outputs -----------------------------------------------------------------------

    def output(self, type_name: str, nodes: list[FieldNode], path: str) -> OutputSelection:
        """How to shape objects of a custom type from a handler's answer, joins and phantoms included."""
        fields = self.sub_fields(type_name, nodes)
        items: dict[str, OutputItem] = {}
        joins: dict[str, tuple[JoinField, list[FieldNode]]] = {}
        for key, field_nodes in fields.items():
            name = field_nodes[0].name.value
            role = self.schema.role_of(type_name, name)
            if name == TYPENAME:
                items[key] = LiteralOut(key, type_name)
            elif isinstance(role, JoinField):
                joins[key] = (role, field_nodes)
                items[key] = LiteralOut(key, "")  # keeps the field's place until its join is planned
            else:
                items[key] = self._output_item(type_name, key, field_nodes, f"{path}.selectionSet.{key}")
        phantoms: dict[str, OutputValue] = {}
        for key, (role, field_nodes) in joins.items():
            keys = self._join_keys(role, items, phantoms, list(fields))
            join = self._join(type_name, role, keys, field_nodes, f"{path}.selectionSet.{key}")
            items[key] = OutputJoin(key, join)
        return tuple(items.values()) + tuple(phantoms.values())

    def _output_item(self, type_name: str, key: str, nodes: list[FieldNode], path: str) -> OutputItem:
        name = nodes[0].name.value
        field_type = get_named_type(self.object_type(type_name).fields[name].type)
        if isinstance(field_type, GraphQLObjectType):
            return OutputObject(key, name, self.output(field_type.name, nodes, path))
        return OutputValue(key, name)

    def _join_keys(
        self,
        role: JoinField,
        items: Mapping[str, OutputItem],
        phantoms: dict[str, OutputValue],
        taken: list[str],
    ) -> tuple[JoinKey, ...]:
        selected = {item.name: item.alias for item in items.values() if isinstance(item, OutputValue)}
        target = self.schema.tables[role.target]
        keys = []
        for field_name, column in role.mapping:
            alias = selected.get(field_name)
            if alias is None:
                if field_name not in phantoms:
                    phantoms[field_name] = OutputValue(
                        phantom_alias(field_name, taken), field_name, phantom=True
                    )
                alias = phantoms[field_name].alias
            keys.append(JoinKey(alias, column, target.column_types[column]))
        return tuple(keys)

    def _join(
        self, type_name: str, role: JoinField, keys: tuple[JoinKey, ...], nodes: list[FieldNode], path: str
    ) -> Join:
        target = self.schema.tables[role.target]
        if role.kind == "object":
            args = SelectArgs(where=self.reader.row_filter(target))
            return Join("object", target, keys, args, self.rows(target, nodes, path))
        arguments = self.field_arguments(type_name, nodes, path)
        args = self.reader.select_args(target, arguments, path)
        if role.aggregate:
            return Join("aggregate", target, keys, args, self.aggregate(target, nodes, path))
        return Join("array", target, keys, args, self.rows(target, nodes, path))
