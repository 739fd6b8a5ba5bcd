"""Relationship fields that cross a boundary: on tables, remote object types and custom object types.

One builder serves every left-hand side, so a relationship means the same wherever it is defined:

    to_source         the target table's row type (object), or its rows with ``where``/``order_by``/
                      ``limit``... plus ``<name>_aggregate`` (array) — shown when the role can read it
    to_remote_schema  the type of the last field of ``remote_field``, its arguments minus those the
                      relationship fixes (an input object fixed in part keeps only its other fields,
                      as ``<Input>_remote_rel_<Parent><name>``); in list mode the element type;
                      shown when the role's view of the remote schema has the whole path
    to_action         the action's output type, its arguments minus those the relationship fixes;
                      shown when the role may call the action; in list mode the element type

A join field that may meet a null key is nullable. Every field records its role for the planner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
)

from engine.metadata import (
    Action,
    CustomObject,
    CustomTypes,
    Metadata,
    RelationshipTarget,
    ToAction,
    ToRemoteSchema,
    ToSource,
    TypeRelationships,
    is_list_type,
)
from engine.schema import naming
from engine.schema.model import (
    ActionJoinField,
    FieldRole,
    JoinField,
    RemoteJoinField,
    RemoteSchemaModel,
    TableModel,
)
from engine.schema.registry import TypeRegistry
from engine.schema.tables import TableTypes
from engine.schema.tables_model import ADMIN_ROLE, TableKey
from engine.validation.joins import remote_batch_problems, remote_field_problems, remote_leaf_field
from engine.validation.remote_schema_relationships import (
    RemoteTypeInferenceError,
    infer_remote_relationship_type,
)

if TYPE_CHECKING:
    from engine.schema.actions import ActionTypes
    from engine.schema.remote_types import RemoteTypes

STRIPPED_INPUT = "{input}_remote_rel_{parent}{name}"


def table_target_fields(
    tables: TableTypes, name: str, kind: str, target: TableModel
) -> dict[str, GraphQLField]:
    """An object relationship's row, or an array relationship's rows and its ``_aggregate`` sibling."""
    type_name = target.type_name
    if kind == "object":
        return {name: GraphQLField(tables.object_type(type_name), description="An object relationship")}
    fields = {
        name: GraphQLField(
            tables.rows_type(type_name),
            tables.select_arguments(type_name),
            description="An array relationship",
        )
    }
    if target.access.allow_aggregations:
        fields[naming.aggregate_field_name(name)] = GraphQLField(
            tables.aggregate_type(type_name),
            tables.select_arguments(type_name),
            description="An aggregate relationship",
        )
    return fields


def typed_relationships(schema: GraphQLSchema, groups: tuple[TypeRelationships, ...]) -> dict[str, list[Any]]:
    """A remote schema's relationships by the object type they are defined on (inferred when omitted)."""
    found: dict[str, list[Any]] = {}
    for group in groups:
        type_name = group.type_name
        if type_name is None:
            try:
                type_name = infer_remote_relationship_type(schema, group)
            except RemoteTypeInferenceError:
                continue
        found.setdefault(type_name, []).extend(group.relationships)
    return found


class JoinFields:
    """Builds the cross-boundary relationship fields of one role's schema and records their roles."""

    def __init__(
        self,
        metadata: Metadata,
        role: str,
        registry: TypeRegistry,
        models: Mapping[TableKey, TableModel],
        roles: dict[tuple[str, str], FieldRole],
    ) -> None:
        self.metadata = metadata
        self.role = role
        self.registry = registry
        self.models = models
        self.roles = roles
        self.remote_schemas: dict[str, RemoteSchemaModel] = {}
        self.tables: TableTypes | None = None
        self.remote_types: RemoteTypes | None = None
        self.actions: ActionTypes | None = None

    # --- left-hand sides ----------------------------------------------------------------------

    def table_fields(self, model: TableModel) -> dict[str, GraphQLField]:
        """The remote relationships of a table."""
        table = self.metadata.table(model.source.name, model.table)
        fields: dict[str, GraphQLField] = {}
        for relationship in table.remote_relationships if table else ():
            fields.update(self._fields(model.type_name, relationship.name, relationship.target))
        return fields

    def remote_object_fields(self, remote: RemoteSchemaModel, original_type: str) -> dict[str, GraphQLField]:
        """The relationships defined on a remote object type (by its original name)."""
        metadata = self.metadata.remote_schema(remote.name)
        groups = () if metadata is None else metadata.remote_relationships
        relationships = typed_relationships(remote.schema, groups).get(original_type, [])
        parent = remote.type_names[original_type]
        fields: dict[str, GraphQLField] = {}
        for relationship in relationships:
            fields.update(self._fields(parent, relationship.name, relationship.target))
        return fields

    def custom_object_fields(self, obj: CustomObject) -> dict[str, GraphQLField]:
        """A custom object type's relationships to remote schema fields and actions."""
        fields: dict[str, GraphQLField] = {}
        for relationship in obj.remote_relationships:
            fields.update(self._fields(obj.name, relationship.name, relationship.target))
        return fields

    def custom_table_join(self, custom_types: CustomTypes, obj: CustomObject, relationship: Any) -> None:
        """Record the roles of a custom object type's (Hasura form) relationship to a table."""
        target = self.models.get((relationship.source, relationship.remote_table))
        if target is None:
            return
        many = any(
            is_list_type(field.type)
            for key in relationship.field_mapping
            for field in custom_types.field_path(obj, key) or ()
        )
        self._record_table_join(
            obj.name, relationship.name, relationship.type, target, relationship.field_mapping, many
        )

    # --- targets ------------------------------------------------------------------------------

    def _fields(self, parent: str, name: str, target: RelationshipTarget) -> dict[str, GraphQLField]:
        if isinstance(target, ToSource):
            return self._table_fields(parent, name, target)
        if isinstance(target, ToAction):
            return self._action_fields(parent, name, target)
        return self._remote_fields(parent, name, target)

    def _table_fields(self, parent: str, name: str, target: ToSource) -> dict[str, GraphQLField]:
        model = self.models.get((target.source, target.table))
        if model is None:
            return {}
        assert self.tables is not None
        self._record_table_join(parent, name, target.relationship_type, model, target.field_mapping, False)
        return table_target_fields(self.tables, name, target.relationship_type, model)

    def _record_table_join(
        self, parent: str, name: str, kind: str, target: TableModel, mapping: Mapping[str, str], many: bool
    ) -> None:
        pairs = tuple(mapping.items())
        self.roles[(parent, name)] = JoinField(name, kind, target.type_name, pairs, many=many)
        if kind == "array" and target.access.allow_aggregations:
            aggregate = naming.aggregate_field_name(name)
            self.roles[(parent, aggregate)] = JoinField(name, kind, target.type_name, pairs, True, many)

    def _remote_fields(self, parent: str, name: str, target: ToRemoteSchema) -> dict[str, GraphQLField]:
        remote = self.remote_schemas.get(target.remote_schema)
        leaf = (
            None
            if remote is None or not _within_view(remote, target)
            else remote_leaf_field(remote.schema, target)
        )
        if remote is None or leaf is None:
            return {}
        assert self.remote_types is not None
        output: GraphQLOutputType = self.remote_types.type_ref(remote, leaf.type)  # type: ignore[assignment]
        if target.batch is not None:
            output = _batched(get_named_type(output), target.batch.relationship_type)  # type: ignore[arg-type]
        arguments = self._remote_arguments(remote, leaf.args, target.field_path()[-1][1], f"{parent}{name}")
        self.roles[(parent, name)] = RemoteJoinField(name, target)
        return {name: GraphQLField(get_nullable_type(output), arguments)}  # type: ignore[arg-type]

    def _remote_arguments(
        self,
        remote: RemoteSchemaModel,
        arguments: Mapping[str, GraphQLArgument],
        fixed: Mapping[str, Any],
        suffix: str,
    ) -> dict[str, GraphQLArgument]:
        assert self.remote_types is not None
        out = {}
        for argument_name, argument in arguments.items():
            if argument_name not in fixed:
                out[argument_name] = self.remote_types.argument(remote, argument)
                continue
            named = get_named_type(argument.type)
            value = fixed[argument_name]
            if isinstance(named, GraphQLInputObjectType) and isinstance(value, Mapping):
                stripped = self._stripped_input(remote, named, value, suffix)
                if stripped is not None:
                    out[argument_name] = GraphQLArgument(stripped)
        return out

    def _stripped_input(
        self,
        remote: RemoteSchemaModel,
        original: GraphQLInputObjectType,
        fixed: Mapping[str, Any],
        suffix: str,
    ) -> GraphQLInputObjectType | None:
        """``original`` without the fields the relationship fixes; None when none is left."""
        assert self.remote_types is not None
        name = STRIPPED_INPUT.format(input=remote.type_names[original.name], parent=suffix, name="")
        if self.registry.has(name):
            return self.registry.get(name)  # type: ignore[return-value]
        fields = {}
        for field_name, field in original.fields.items():
            named = get_named_type(field.type)
            if field_name not in fixed:
                fields[field_name] = GraphQLInputField(
                    self.remote_types.type_ref(remote, field.type),  # type: ignore[arg-type]
                    default_value=field.default_value,
                )
            elif isinstance(named, GraphQLInputObjectType) and isinstance(fixed[field_name], Mapping):
                nested = self._stripped_input(remote, named, fixed[field_name], f"{suffix}{field_name}")
                if nested is not None:
                    fields[field_name] = GraphQLInputField(nested)
        if not fields:
            return None
        return self.registry.add(GraphQLInputObjectType(name, fields))

    def _action_fields(self, parent: str, name: str, target: ToAction) -> dict[str, GraphQLField]:
        action = self.metadata.action(target.action)
        if action is None or not self._may_call(action):
            return {}
        assert self.actions is not None
        definition = action.definition
        output: GraphQLOutputType = self.actions.type_ref(definition.output_type)  # type: ignore[assignment]
        if target.batch is not None:
            output = _batched(get_named_type(output), target.batch.relationship_type)  # type: ignore[arg-type]
        arguments = {
            argument.name: GraphQLArgument(
                self.actions.type_ref(argument.type), description=argument.description
            )  # type: ignore[arg-type]
            for argument in definition.arguments
            if argument.name not in target.arguments
        }
        self.roles[(parent, name)] = ActionJoinField(name, target, action)
        return {name: GraphQLField(get_nullable_type(output), arguments)}  # type: ignore[arg-type]

    def _may_call(self, action: Action) -> bool:
        return self.role == ADMIN_ROLE or action.permission(self.role) is not None


def _within_view(remote: RemoteSchemaModel, target: ToRemoteSchema) -> bool:
    """A role seeing part of a remote schema must see the relationship's whole path and arguments."""
    if remote.upstream is None:
        return True
    problems = remote_field_problems(remote.schema, target, "$")
    if not problems and target.batch is not None:
        problems = remote_batch_problems(remote.schema, target, target.batch, "$")
    return not problems


def _batched(element: GraphQLObjectType, kind: str) -> GraphQLOutputType:
    """In list mode a key gets one matching object, or (array) every matching object."""
    if kind == "array":
        return GraphQLNonNull(GraphQLList(GraphQLNonNull(element)))
    return element
