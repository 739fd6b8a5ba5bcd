"""GraphQL types of actions: custom scalars, enums, input and object types, and the action root fields.

A custom object type's relationships to tables become fields of that type: an object relationship
is the target row type, an array relationship a list with the usual selection arguments plus its
``<name>_aggregate`` sibling. They appear only when the role can read the target table. Its
relationships to remote schema fields and actions come from ``engine.schema.joins``.
"""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLType,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    TypeNode,
    parse_type,
)

from engine.metadata import Action, CustomObject, CustomTypes, QualifiedTable
from engine.schema.joins import JoinFields, table_target_fields
from engine.schema.model import ActionRootField, FieldRole, OutputField, TableModel
from engine.schema.registry import TypeRegistry
from engine.schema.scalars import passthrough_scalar
from engine.schema.tables import TableTypes

TableKey = tuple[str, QualifiedTable]


class ActionTypes:
    """Registers custom types and builds action root fields for one role."""

    def __init__(
        self,
        registry: TypeRegistry,
        tables: TableTypes,
        models: Mapping[TableKey, TableModel],
        roles: dict[tuple[str, str], FieldRole],
        joins: JoinFields,
    ) -> None:
        self.registry = registry
        self.tables = tables
        self.models = models
        self.roles = roles
        self.joins = joins
        self.custom_types = CustomTypes()

    def build_custom_types(self, custom_types: CustomTypes) -> None:
        """Register every custom type whose name is still free."""
        self.custom_types = custom_types
        for scalar in custom_types.scalars:
            if not self.registry.has(scalar.name):
                self.registry.add(passthrough_scalar(scalar.name, scalar.description))
        for enum in custom_types.enums:
            if not self.registry.has(enum.name):
                values = {
                    value.value: GraphQLEnumValue(
                        value.value,
                        description=value.description,
                        deprecation_reason="deprecated" if value.is_deprecated else None,
                    )
                    for value in enum.values
                }
                self.registry.add(GraphQLEnumType(enum.name, values, description=enum.description))
        for input_object in custom_types.input_objects:
            if not self.registry.has(input_object.name):
                self.registry.add(
                    GraphQLInputObjectType(
                        input_object.name,
                        lambda fields=input_object.fields: {
                            f.name: GraphQLInputField(self.type_ref(f.type), description=f.description)
                            for f in fields  # type: ignore[misc]
                        },
                        description=input_object.description,
                    )
                )
        for obj in custom_types.objects:
            if not self.registry.has(obj.name):
                self._record_object_roles(obj)
                self.registry.add(
                    GraphQLObjectType(
                        obj.name, lambda obj=obj: self._object_fields(obj), description=obj.description
                    )
                )

    def action_field(self, action: Action, root: str) -> GraphQLField:
        """The root field of an action, recorded under the root type ``root``."""
        definition = action.definition
        arguments = {
            argument.name: GraphQLArgument(self.type_ref(argument.type), description=argument.description)  # type: ignore[arg-type]
            for argument in definition.arguments
        }
        self.roles[(root, action.name)] = ActionRootField(action)
        return GraphQLField(self.type_ref(definition.output_type), arguments, description=action.comment)  # type: ignore[arg-type]

    def type_ref(self, text: str) -> GraphQLType:
        """The GraphQL type a type reference such as ``[UserInput!]!`` names."""
        return self._wrap(parse_type(text))

    def _wrap(self, node: TypeNode) -> GraphQLType:
        if isinstance(node, NonNullTypeNode):
            return GraphQLNonNull(self._wrap(node.type))  # type: ignore[arg-type]
        if isinstance(node, ListTypeNode):
            return GraphQLList(self._wrap(node.type))
        assert isinstance(node, NamedTypeNode)
        return self._named(node.name.value)

    def _named(self, name: str) -> GraphQLNamedType:
        if self.registry.has(name):
            return self.registry.get(name)
        return self.registry.scalar(name)

    def _record_object_roles(self, obj: CustomObject) -> None:
        for object_field in obj.fields:
            self.roles[(obj.name, object_field.name)] = OutputField(object_field.name)
        for relationship in obj.relationships:
            self.joins.custom_table_join(self.custom_types, obj, relationship)

    def _object_fields(self, obj: CustomObject) -> dict[str, GraphQLField]:
        fields = {
            f.name: GraphQLField(self.type_ref(f.type), description=f.description)  # type: ignore[arg-type]
            for f in obj.fields
        }
        for relationship in obj.relationships:
            target = self.models.get((relationship.source, relationship.remote_table))
            if target is not None:
                fields.update(table_target_fields(self.tables, relationship.name, relationship.type, target))
        fields.update(self.joins.custom_object_fields(obj))
        return fields
