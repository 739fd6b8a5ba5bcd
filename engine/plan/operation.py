"""Plan one operation of a validated document: pick the operation, coerce variables, plan each root field.

A query's plan is kept with its document (``planned_operation``): a plan follows from the schema, the
document, the operation name, the variables and the session variables alone, and running it changes
none of it, so a query asked again with the same inputs is not planned again. Mutations (whose
variables carry the rows they write) are planned every time.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Hashable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_variable_values

from engine.graphql_errors import RequestError, RequestErrors
from engine.metadata import base_type_name
from engine.plan.arguments import ArgumentReader, all_of
from engine.plan.document import checked_entry, translate_error
from engine.plan.join_tree import aggregate_tree, output_tree, rows_tree
from engine.plan.mutations import MutationPlanner
from engine.plan.nodes import (
    ActionQuery,
    Compare,
    IntrospectionRoot,
    LiteralRoot,
    NamespaceRoot,
    OperationPlan,
    RemoteRootQuery,
    RootPlan,
    SelectArgs,
    TableQuery,
)
from engine.plan.remote_requests import bind_remote_requests
from engine.plan.selections import TYPENAME, SelectionPlanner
from engine.schema.model import (
    ActionRootField,
    GatewaySchema,
    NamespaceField,
    RemoteNamespaceField,
    RemoteRootField,
    TableRootField,
)
from engine.schema.mutation_model import MutationRootField

INTROSPECTION_FIELDS = ("__schema", "__type")
# Variables up to this size (as JSON) are part of a kept plan's key; a query with larger ones is planned anew.
MAX_KEPT_VARIABLES_CHARS = 4096
# Output type references of actions, read into the name of their named type (``[Order!]!`` -> ``Order``).
output_type_name = functools.lru_cache(maxsize=1024)(base_type_name)
NO_QUERIES_MESSAGE = (
    "There are no queries available to the current role. Either there are no sources or remote schemas "
    "configured, or the current role doesn't have the required permissions."
)


def planned_operation(
    schema: GatewaySchema,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    session_variables: Mapping[str, str],
) -> OperationPlan:
    """``plan_operation``, kept with the checked ``query`` when it is a query with small variables."""
    key = None
    if select_operation(document, operation_name).operation is OperationType.QUERY:
        key = _plan_key(operation_name, variables, session_variables)
    if key is None:
        return plan_operation(schema, document, operation_name, variables, session_variables)
    return checked_entry(schema, query).plans.get_or_build(
        key, lambda: plan_operation(schema, document, operation_name, variables, session_variables)
    )


def _plan_key(
    operation_name: str | None, variables: Mapping[str, Any] | None, session_variables: Mapping[str, str]
) -> Hashable | None:
    """What a plan depends on besides its document; None when the variables are too large to keep."""
    try:
        # Strict and sorted: 1, 1.0 and true differ, NaN cannot hide behind null, key order does not matter.
        encoded = json.dumps(variables or {}, sort_keys=True, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    if len(encoded) > MAX_KEPT_VARIABLES_CHARS:
        return None
    return operation_name, encoded, tuple(sorted(session_variables.items()))


def plan_operation(
    schema: GatewaySchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    session_variables: Mapping[str, str],
) -> OperationPlan:
    """The plan of the chosen operation; raises RequestErrors for request-level problems."""
    operation = select_operation(document, operation_name)
    coerced = coerce_variables(schema, operation, variables)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    planner = RootPlanner(
        schema,
        SelectionPlanner(
            schema,
            fragments,
            coerced,
            ArgumentReader(schema.tables, session_variables, schema.all_tables),
            operation.variable_definitions or (),
            variables,
        ),
    )
    root_type = _root_type(schema, operation)
    fields = collect_fields(schema.graphql, fragments, coerced, root_type, operation.selection_set)
    roots = tuple(planner.root(root_type, key, nodes) for key, nodes in fields.items())
    roots = bind_remote_requests(roots, operation.operation.value, dict(variables or {}))
    return OperationPlan(operation.operation.value, roots, coerced)


def select_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    """The operation to run, as Hasura picks it."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise RequestErrors(
                [
                    RequestError(
                        "exactly one operation has to be present in the document when operationName is not specified"
                    )
                ]
            )
        return operations[0]
    found = [op for op in operations if op.name is not None and op.name.value == operation_name]
    if not found:
        raise RequestErrors([RequestError(f'no such operation found in the document: "{operation_name}"')])
    return found[0]


def coerce_variables(
    schema: GatewaySchema, operation: OperationDefinitionNode, variables: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The operation's variables coerced to their declared types."""
    coerced = get_variable_values(schema.graphql, operation.variable_definitions or (), dict(variables or {}))
    if isinstance(coerced, list):
        error = translate_error(coerced[0])
        error.path = "$.variableValues"
        raise RequestErrors([error])
    return coerced


def _root_type(schema: GatewaySchema, operation: OperationDefinitionNode) -> GraphQLObjectType:
    root = schema.graphql.get_root_type(operation.operation)
    if root is None:
        raise RequestErrors([RequestError(f"no {operation.operation.value}s exist")])
    return root


class RootPlanner:
    """Plans root fields: table reads and mutations, action calls, ``__typename`` and introspection."""

    def __init__(self, schema: GatewaySchema, selections: SelectionPlanner) -> None:
        self.schema = schema
        self.selections = selections

    def root(
        self, root_type: GraphQLObjectType, key: str, nodes: list[FieldNode], prefix: str = "$"
    ) -> RootPlan:
        """The plan of one root field."""
        name = nodes[0].name.value
        path = f"{prefix}.selectionSet.{key}"
        if name == TYPENAME:
            return LiteralRoot(key, root_type.name)
        if name in INTROSPECTION_FIELDS:
            return IntrospectionRoot(key, tuple(nodes))
        role = self.schema.role_of(root_type.name, name)
        if isinstance(role, NamespaceField | RemoteNamespaceField):
            return self._namespace(key, role, nodes, path)
        try:
            if isinstance(role, TableRootField):
                return self._table(root_type, key, role, nodes, path)
            if isinstance(role, ActionRootField):
                return self._action(root_type, key, role, nodes, path)
            if isinstance(role, RemoteRootField):
                return self._remote(root_type, key, role, nodes, path)
            if isinstance(role, MutationRootField):
                return MutationPlanner(self.schema, self.selections).plan(root_type, key, role, nodes, path)
        except RequestError as error:
            raise RequestErrors([error])
        return LiteralRoot(key, NO_QUERIES_MESSAGE)

    def _namespace(
        self, key: str, role: NamespaceField | RemoteNamespaceField, nodes: list[FieldNode], path: str
    ) -> NamespaceRoot:
        namespace_type = self.selections.object_type(role.type_name)
        fields = self.selections.sub_fields(role.type_name, nodes)
        return NamespaceRoot(key, tuple(self.root(namespace_type, k, n, path) for k, n in fields.items()))

    def _table(
        self, root_type: GraphQLObjectType, key: str, role: TableRootField, nodes: list[FieldNode], path: str
    ) -> TableQuery:
        model = self.schema.tables[role.table]
        arguments = self.selections.field_arguments(root_type.name, nodes, path)
        reader = self.selections.reader
        if role.kind == "select_by_pk":
            columns = model.columns_by_name
            keys = tuple(
                Compare(name, columns[name].data_type, "_eq", arguments[columns[name].field_name])
                for name in model.primary_key
            )
            where = all_of(reader.row_filter(model), *keys)
            selection = self.selections.rows(model, nodes, path)
            return TableQuery(key, "object", model, SelectArgs(where=where), selection, rows_tree(selection))
        args = reader.select_args(model, arguments, path)
        if role.kind == "select_aggregate":
            aggregate = self.selections.aggregate(model, nodes, path)
            return TableQuery(key, "aggregate", model, args, aggregate, aggregate_tree(aggregate))
        rows = self.selections.rows(model, nodes, path)
        return TableQuery(key, "rows", model, args, rows, rows_tree(rows))

    def _action(
        self, root_type: GraphQLObjectType, key: str, role: ActionRootField, nodes: list[FieldNode], path: str
    ) -> ActionQuery:
        arguments = self.selections.field_arguments(root_type.name, nodes, path)
        output_type = output_type_name(role.action.definition.output_type)
        selection = None
        if isinstance(self.schema.graphql.get_type(output_type), GraphQLObjectType):
            selection = self.selections.output(output_type, nodes, path)
        return ActionQuery(key, role.action, arguments, selection, output_tree(selection))

    def _remote(
        self, root_type: GraphQLObjectType, key: str, role: RemoteRootField, nodes: list[FieldNode], path: str
    ) -> RemoteRootQuery:
        remote = self.schema.remote_schemas[role.remote_schema]
        selections = self.selections.joins.remote
        field, tree = selections.field(remote, root_type, key, nodes, path)
        variables = selections.variable_definitions(remote, [field])
        return RemoteRootQuery(key, remote.name, role.operation, field, variables, tree)
