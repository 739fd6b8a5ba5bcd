"""Remote schemas in the gateway: their types copied under customized names, and their root fields.

Every named type reachable from a remote schema's query and mutation roots (interface
implementations included) is copied into the gateway schema with the name its customization gives
it (reference §4.5); fields of objects and interfaces take their customized names, and each records
a ``RemoteField`` role holding its name in the remote schema, so the planner can send the remote
its own names. Without ``root_fields_namespace`` the root fields join ``query_root`` and
``mutation_root``; with it, one field of that name holds the (copied) root type.

A role restricted by a remote schema permission gets only its view of the remote schema (the types,
fields, arguments and values its SDL keeps), copied the same way; its presets travel in the model.

Scalars other than the built-in ones pass values through; a scalar name two remote schemas share
(``DateTime``) is one gateway scalar. Any other name already taken in the gateway leaves the
remote schema out of this role's schema (validation reports such conflicts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
)

from engine.metadata import RemoteSchema
from engine.naming import (
    REMOTE_OPERATIONS,
    remote_field_name,
    remote_namespace,
    remote_root,
    remote_type_names,
)
from engine.schema.model import (
    FieldRole,
    RemoteField,
    RemoteNamespaceField,
    RemoteRootField,
    RemoteSchemaModel,
)
from engine.schema.registry import TypeRegistry
from engine.schema.scalars import BUILTIN_SCALARS
from engine.validation.remote_schema_permissions import RemoteSchemaView

# Extra fields for a copied object type: (remote schema model, original type name) -> fields.
ExtraFields = Callable[[RemoteSchemaModel, str], dict[str, GraphQLField]]


class RemoteTypes:
    """Copies remote schemas into one role's schema; ``extra_fields`` adds relationship fields to objects."""

    def __init__(
        self, registry: TypeRegistry, roles: dict[tuple[str, str], FieldRole], extra_fields: ExtraFields
    ) -> None:
        self.registry = registry
        self.roles = roles
        self.extra_fields = extra_fields

    def add(
        self, remote: RemoteSchema, schema: GraphQLSchema, view: RemoteSchemaView | None = None
    ) -> RemoteSchemaModel | None:
        """Register a remote schema's types (only the role's ``view``, if given); None when a name is taken."""
        served = schema if view is None else view.schema
        names = remote_type_names(remote.definition.customization, served)
        if any(self._taken(served.type_map[original], name) for original, name in names.items()):
            return None
        model = RemoteSchemaModel(
            remote.name,
            remote.definition,
            served,
            names,
            {name: original for original, name in names.items()},
            upstream=None if view is None else schema,
            argument_presets={} if view is None else view.argument_presets,
            input_presets={} if view is None else view.input_presets,
        )
        namespace_roots = self._namespace_roots(model)
        for original in names:
            self._register(model, served.type_map[original], original in namespace_roots)
        return model

    def root_fields(self, model: RemoteSchemaModel, operation: str, parent: str) -> dict[str, GraphQLField]:
        """The fields ``model`` adds to the gateway root type ``parent`` for ``operation``."""
        root = remote_root(model.schema, operation)
        if root is None:
            return {}
        namespace = remote_namespace(model.definition.customization)
        if namespace:
            type_name = model.type_names[root.name]
            self.roles[(parent, namespace)] = RemoteNamespaceField(model.name, type_name)
            return {namespace: GraphQLField(GraphQLNonNull(self.registry.get(type_name)))}  # type: ignore[arg-type]
        customization = model.definition.customization
        fields = {}
        for name, field in root.fields.items():
            gateway_name = remote_field_name(customization, root.name, name)
            self.roles[(parent, gateway_name)] = RemoteRootField(model.name, operation, name)
            fields[gateway_name] = self._field(model, field)
        return fields

    # --- copies -------------------------------------------------------------------------------

    def _namespace_roots(self, model: RemoteSchemaModel) -> dict[str, str]:
        if not remote_namespace(model.definition.customization):
            return {}
        roots = {operation: remote_root(model.schema, operation) for operation in REMOTE_OPERATIONS}
        return {root.name: operation for operation, root in roots.items() if root is not None}

    def _taken(self, original: GraphQLNamedType, name: str) -> bool:
        if not self.registry.has(name):
            return False
        return not (
            isinstance(original, GraphQLScalarType) and isinstance(self.registry.get(name), GraphQLScalarType)
        )

    def _register(self, model: RemoteSchemaModel, original: GraphQLNamedType, namespace_root: bool) -> None:
        name = model.type_names[original.name]
        if isinstance(original, GraphQLScalarType):
            self._scalar(name)
        elif isinstance(original, GraphQLEnumType):
            self.registry.add(_enum(name, original))
        elif isinstance(original, GraphQLInputObjectType):
            self.registry.add(self._input_object(model, name, original))
        elif isinstance(original, GraphQLUnionType):
            self.registry.add(self._union(model, name, original))
        elif isinstance(original, GraphQLInterfaceType):
            self._record_fields(model, name, original, namespace_root)
            self.registry.add(
                GraphQLInterfaceType(
                    name,
                    lambda: self._fields(model, original),
                    lambda: [self._named(model, i) for i in original.interfaces],  # type: ignore[misc]
                    description=original.description,
                )
            )
        else:
            assert isinstance(original, GraphQLObjectType)
            self._record_fields(model, name, original, namespace_root)
            self.registry.add(
                GraphQLObjectType(
                    name,
                    lambda: {**self._fields(model, original), **self.extra_fields(model, original.name)},
                    lambda: [self._named(model, i) for i in original.interfaces],  # type: ignore[misc]
                    description=original.description,
                )
            )

    def _scalar(self, name: str) -> None:
        if name not in BUILTIN_SCALARS:
            self.registry.scalar(name)

    def _record_fields(
        self,
        model: RemoteSchemaModel,
        name: str,
        original: GraphQLObjectType | GraphQLInterfaceType,
        namespace_root: bool,
    ) -> None:
        customization = model.definition.customization
        operation = "mutation" if original is model.schema.mutation_type else "query"
        for field_name in original.fields:
            gateway_name = remote_field_name(customization, original.name, field_name)
            role: FieldRole = (
                RemoteRootField(model.name, operation, field_name)
                if namespace_root
                else RemoteField(model.name, field_name)
            )
            self.roles[(name, gateway_name)] = role

    def _fields(
        self, model: RemoteSchemaModel, original: GraphQLObjectType | GraphQLInterfaceType
    ) -> dict[str, GraphQLField]:
        customization = model.definition.customization
        return {
            remote_field_name(customization, original.name, name): self._field(model, field)
            for name, field in original.fields.items()
        }

    def _field(self, model: RemoteSchemaModel, field: GraphQLField) -> GraphQLField:
        return GraphQLField(
            self.type_ref(model, field.type),  # type: ignore[arg-type]
            {name: self.argument(model, argument) for name, argument in field.args.items()},
            description=field.description,
            deprecation_reason=field.deprecation_reason,
        )

    def argument(self, model: RemoteSchemaModel, argument: GraphQLArgument) -> GraphQLArgument:
        """A remote field argument with its type in gateway names."""
        return GraphQLArgument(
            self.type_ref(model, argument.type),  # type: ignore[arg-type]
            default_value=argument.default_value,
            description=argument.description,
        )

    def _input_object(
        self, model: RemoteSchemaModel, name: str, original: GraphQLInputObjectType
    ) -> GraphQLInputObjectType:
        def fields() -> dict[str, GraphQLInputField]:
            return {
                field_name: GraphQLInputField(
                    self.type_ref(model, field.type),  # type: ignore[arg-type]
                    default_value=field.default_value,
                    description=field.description,
                )
                for field_name, field in original.fields.items()
            }

        return GraphQLInputObjectType(name, fields, description=original.description)

    def _union(self, model: RemoteSchemaModel, name: str, original: GraphQLUnionType) -> GraphQLUnionType:
        return GraphQLUnionType(
            name,
            lambda: [self._named(model, member) for member in original.types],  # type: ignore[misc]
            description=original.description,
        )

    def type_ref(self, model: RemoteSchemaModel, original: GraphQLType) -> GraphQLType:
        """A remote type reference (wrappers kept) in gateway types."""
        if isinstance(original, GraphQLNonNull):
            return GraphQLNonNull(self.type_ref(model, original.of_type))  # type: ignore[arg-type]
        if isinstance(original, GraphQLList):
            return GraphQLList(self.type_ref(model, original.of_type))
        return self._named(model, original)  # type: ignore[arg-type]

    def _named(self, model: RemoteSchemaModel, original: GraphQLNamedType) -> Any:
        name = model.type_names.get(original.name, original.name)
        if name in BUILTIN_SCALARS:
            return BUILTIN_SCALARS[name]
        return self.registry.get(name)


def _enum(name: str, original: GraphQLEnumType) -> GraphQLEnumType:
    values = {
        value_name: GraphQLEnumValue(
            value_name, description=value.description, deprecation_reason=value.deprecation_reason
        )
        for value_name, value in original.values.items()
    }
    return GraphQLEnumType(name, values, description=original.description)
