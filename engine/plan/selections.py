"""Selection sets as plan nodes: table rows, aggregates, and action outputs with their joins.

Fragments, ``@skip``/``@include`` and merged fields are resolved by graphql-core's field collection;
every item keeps the client's alias (its response key). A relationship field that crosses a
boundary (to another source's table, a remote schema or an action) becomes a placeholder
(``JoinOut`` in a table row, ``OutputJoin`` in an action output) whose call ``engine.plan.joins``
plans; its join keys are read from fields of the same object: the client's own selection of that
field when there is one (under any alias), otherwise a phantom field added under a generated alias
(``id_join_column_``) and removed from the answer after the join. A join key of an action output
may be a dotted path into nested objects (``author.id``), read into a phantom field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    VariableDefinitionNode,
    get_named_type,
)
from graphql.execution.collect_fields import collect_sub_fields
from graphql.execution.values import get_argument_values

from engine.graphql_errors import RequestError
from engine.plan.arguments import ArgumentReader
from engine.plan.document import reword
from engine.plan.joins import JoinPlanner
from engine.plan.nodes import (
    AggregateFieldsOut,
    AggregateRelOut,
    AggregateSelection,
    ArrayRelOut,
    ColumnOut,
    CountOut,
    FunctionOut,
    JoinOut,
    LiteralOut,
    NodesOut,
    ObjectRelOut,
    OutputItem,
    OutputJoin,
    OutputObject,
    OutputPath,
    OutputSelection,
    OutputValue,
    PhantomColumnOut,
    RowItem,
    RowSelection,
)
from engine.plan.remote import phantom_alias
from engine.schema import naming
from engine.schema.model import (
    ActionJoinField,
    ColumnField,
    GatewaySchema,
    JoinField,
    RelationshipField,
    RemoteJoinField,
    TableModel,
)

TYPENAME = "__typename"
JOIN_ROLES = (JoinField, RemoteJoinField, ActionJoinField)
Fields = dict[str, list[FieldNode]]


class SelectionPlanner:
    """Plans selection sets of one operation (fragments and variables fixed)."""

    def __init__(
        self,
        schema: GatewaySchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        reader: ArgumentReader,
        variable_definitions: Sequence[VariableDefinitionNode] = (),
        raw_variables: Mapping[str, Any] | None = None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.reader = reader
        self.variable_definitions = tuple(variable_definitions)
        self.raw_variables = dict(raw_variables or {})
        self.joins = JoinPlanner(self)

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
        field = self._fields_of(type_name)[nodes[0].name.value]
        return self.arguments(field, nodes[0], path)

    def field_type(self, type_name: str, field_name: str) -> GraphQLOutputType:
        """The type of a field of an object or interface type."""
        return self._fields_of(type_name)[field_name].type

    def _fields_of(self, type_name: str) -> Mapping[str, GraphQLField]:
        found = self.schema.graphql.get_type(type_name)
        assert isinstance(found, GraphQLObjectType | GraphQLInterfaceType)
        return found.fields

    # --- table rows ---------------------------------------------------------------------------

    def rows(self, model: TableModel, nodes: list[FieldNode], path: str) -> RowSelection:
        """The row selection made by ``nodes`` (fields whose type is the table's row type)."""
        fields = self.sub_fields(model.type_name, nodes)
        items: dict[str, RowItem] = {}
        joins = {}
        for key, field_nodes in fields.items():
            role = self.schema.role_of(model.type_name, field_nodes[0].name.value)
            if isinstance(role, JOIN_ROLES):
                joins[key] = (role, field_nodes)
                items[key] = LiteralOut(key, "")  # keeps the field's place until its join is planned
            else:
                items[key] = self._row_item(model, key, field_nodes, f"{path}.selectionSet.{key}")
        if not joins:
            return tuple(items.values())
        keys = _RowKeys(model, items, list(fields))
        for key, (role, field_nodes) in joins.items():
            here = f"{path}.selectionSet.{key}"
            items[key] = JoinOut(key, self.joins.call(model.type_name, role, field_nodes, here, keys.alias))
        return tuple(items.values()) + tuple(keys.phantoms.values())

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
        joins = {}
        for key, field_nodes in fields.items():
            name = field_nodes[0].name.value
            role = self.schema.role_of(type_name, name)
            if name == TYPENAME:
                items[key] = LiteralOut(key, type_name)
            elif isinstance(role, JOIN_ROLES):
                joins[key] = (role, field_nodes)
                items[key] = LiteralOut(key, "")  # keeps the field's place until its join is planned
            else:
                items[key] = self._output_item(type_name, key, field_nodes, f"{path}.selectionSet.{key}")
        keys = _OutputKeys(items, list(fields))
        for key, (role, field_nodes) in joins.items():
            here = f"{path}.selectionSet.{key}"
            items[key] = OutputJoin(key, self.joins.call(type_name, role, field_nodes, here, keys.alias))
        return tuple(items.values()) + tuple(keys.phantoms.values())

    def _output_item(self, type_name: str, key: str, nodes: list[FieldNode], path: str) -> OutputItem:
        name = nodes[0].name.value
        field_type = get_named_type(self.object_type(type_name).fields[name].type)
        if isinstance(field_type, GraphQLObjectType):
            return OutputObject(key, name, self.output(field_type.name, nodes, path))
        return OutputValue(key, name)


class _RowKeys:
    """Where a row's join columns sit: the client's own selection of the column, or a phantom column."""

    def __init__(self, model: TableModel, items: Mapping[str, RowItem], taken: list[str]) -> None:
        self.model = model
        self.selected = {item.column: item.alias for item in items.values() if type(item) is ColumnOut}
        self.taken = taken
        self.phantoms: dict[str, PhantomColumnOut] = {}

    def alias(self, column: str) -> str:
        """The response key of ``column`` in each row."""
        if column in self.selected:
            return self.selected[column]
        if column not in self.phantoms:
            alias = phantom_alias(column, self.taken)
            self.taken.append(alias)
            self.phantoms[column] = PhantomColumnOut(alias, column, self.model.column_types[column])
        return self.phantoms[column].alias


class _OutputKeys:
    """Where an output object's join fields sit: the client's own selection, or a phantom field."""

    def __init__(self, items: Mapping[str, OutputItem], taken: list[str]) -> None:
        self.selected = {item.name: item.alias for item in items.values() if isinstance(item, OutputValue)}
        self.taken = taken
        self.phantoms: dict[str, OutputValue | OutputPath] = {}

    def alias(self, field: str) -> str:
        """The response key of a join field (a field name or a dotted path) in each object."""
        if field in self.selected:
            return self.selected[field]
        if field not in self.phantoms:
            alias = phantom_alias(field.replace(".", "_"), self.taken)
            self.taken.append(alias)
            path = tuple(field.split("."))
            self.phantoms[field] = (
                OutputValue(alias, field, phantom=True) if len(path) == 1 else OutputPath(alias, path)
            )
        return self.phantoms[field].alias
