"""The presets of a role's remote schema permission, filled into what the gateway sends the remote.

A preset argument is added to its field; a preset input object field is added to every object of that
input type the client passes, one given in a variable included (that value is then written into the
document instead of the variable). A preset string naming a session variable (``"x-hasura-user-id"``,
unless the preset is static) becomes the caller's value, written as the position's type wants it: an
``Int``, ``Float`` or ``Boolean`` literal, an enum value, or a string.

    client:  user { name }                    role's SDL:  user(id: ID! @preset(value: "x-hasura-user-id"))
    sent:    user(id: "42") { name }          session:     x-hasura-user-id = 42

Types here are the remote schema's own (whole) types: the role's view lacks the preset positions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    EnumValueNode,
    FloatValueNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)

from engine.errors import Code
from engine.graphql_errors import RequestError
from engine.plan.literals import is_enum_literal, literal_field_name, untyped_ast
from engine.schema.model import RemoteSchemaModel
from engine.validation.boolexp import is_session_variable
from engine.validation.remote_schema_permissions import Preset

SESSION_LITERALS = {"Int": int, "Float": float}


def has_presets(remote: RemoteSchemaModel) -> bool:
    """True when the role's permission on ``remote`` presets anything."""
    return bool(remote.argument_presets or remote.input_presets)


def with_argument_presets(
    remote: RemoteSchemaModel,
    parent: str,
    field_name: str,
    arguments: tuple[ArgumentNode, ...],
    session: Mapping[str, str],
    variables: Mapping[str, Any],
) -> tuple[ArgumentNode, ...]:
    """The client's arguments of ``parent.field_name`` (remote names) with every preset filled in."""
    field = _field(remote, parent, field_name)
    if field is None:
        return arguments
    fill = PresetFill(remote, session, variables)
    given = tuple(
        ArgumentNode(name=node.name, value=fill.literal(node.value, field.args[node.name.value].type))
        if node.name.value in field.args
        else node
        for node in arguments
    )
    presets = remote.argument_presets.get((parent, field_name), {})
    added = tuple(
        ArgumentNode(name=NameNode(value=name), value=fill.preset(p)) for name, p in presets.items()
    )
    return given + added


def with_step_presets(
    remote: RemoteSchemaModel,
    parent: str,
    field_name: str,
    values: Mapping[str, Any],
    session: Mapping[str, str],
) -> tuple[dict[str, Any], dict[str, GraphQLInputType]]:
    """A join step's argument values (JSON, ``$field`` templates kept) with presets, and their remote types."""
    field = _field(remote, parent, field_name)
    if field is None:
        return dict(values), {}
    types = {name: argument.type for name, argument in field.args.items()}
    if not has_presets(remote):
        return dict(values), types
    fill = PresetFill(remote, session, {})
    filled = {
        name: fill.value(value, types[name]) if name in types else value for name, value in values.items()
    }
    for name, preset in remote.argument_presets.get((parent, field_name), {}).items():
        filled[name] = value_from_ast_untyped(fill.preset(preset))
    return filled, types


def _field(remote: RemoteSchemaModel, parent: str, field_name: str) -> GraphQLField | None:
    found = remote.whole_schema.type_map.get(parent)
    if isinstance(found, GraphQLObjectType | GraphQLInterfaceType):
        return found.fields.get(field_name)
    return None


class PresetFill:
    """Fills one role's presets for one caller: session variables resolved, input objects completed."""

    def __init__(
        self, remote: RemoteSchemaModel, session: Mapping[str, str], variables: Mapping[str, Any]
    ) -> None:
        self.remote = remote
        self.session = session
        self.variables = variables
        self._reaching: dict[str, bool] = {}

    # --- the preset values --------------------------------------------------------------------

    def preset(self, preset: Preset) -> ValueNode:
        """A preset's literal with its session variables replaced."""
        return self._resolved(preset.value, preset.type, preset.static)

    def _resolved(self, node: ValueNode, graphql_type: Any, static: bool) -> ValueNode:
        if isinstance(graphql_type, GraphQLNonNull):
            return self._resolved(node, graphql_type.of_type, static)
        if isinstance(graphql_type, GraphQLList):
            if isinstance(node, ListValueNode):
                return ListValueNode(
                    values=tuple(self._resolved(v, graphql_type.of_type, static) for v in node.values)
                )
            return self._resolved(node, graphql_type.of_type, static)
        if isinstance(graphql_type, GraphQLInputObjectType) and isinstance(node, ObjectValueNode):
            return ObjectValueNode(
                fields=tuple(
                    ObjectFieldNode(
                        name=entry.name,
                        value=self._resolved(entry.value, graphql_type.fields[entry.name.value].type, static),
                    )
                    for entry in node.fields
                )
            )
        if not static and isinstance(node, StringValueNode) and is_session_variable(node.value):
            return _session_literal(node.value, self._session_value(node.value), graphql_type)
        return node

    def _session_value(self, name: str) -> str:
        value = self.session.get(name.lower())
        if value is None:
            raise RequestError(f'missing session variable: "{name.lower()}"', code=Code.NOT_FOUND)
        return value

    # --- input objects the client passes ------------------------------------------------------

    def literal(self, node: ValueNode, graphql_type: Any) -> ValueNode:
        """A client's argument literal with the preset fields of its input objects added."""
        if not self._reaches_presets(graphql_type):
            return node
        if isinstance(node, VariableNode):
            value = self.variables.get(node.name.value)
            return _literal(self.value(value, graphql_type), graphql_type)
        if isinstance(graphql_type, GraphQLNonNull):
            return self.literal(node, graphql_type.of_type)
        if isinstance(graphql_type, GraphQLList):
            if isinstance(node, ListValueNode):
                return ListValueNode(
                    values=tuple(self.literal(item, graphql_type.of_type) for item in node.values)
                )
            return self.literal(node, graphql_type.of_type)
        if isinstance(graphql_type, GraphQLInputObjectType) and isinstance(node, ObjectValueNode):
            given = tuple(
                ObjectFieldNode(
                    name=e.name, value=self.literal(e.value, graphql_type.fields[e.name.value].type)
                )
                for e in node.fields
            )
            presets = self.remote.input_presets.get(graphql_type.name, {})
            added = tuple(
                ObjectFieldNode(name=NameNode(value=n), value=self.preset(p)) for n, p in presets.items()
            )
            return ObjectValueNode(fields=given + added)
        return node

    def value(self, value: Any, graphql_type: Any) -> Any:
        """A JSON value with the preset fields of its input objects added."""
        if value is None or not self._reaches_presets(graphql_type):
            return value
        if isinstance(graphql_type, GraphQLNonNull):
            return self.value(value, graphql_type.of_type)
        if isinstance(graphql_type, GraphQLList):
            if isinstance(value, list):
                return [self.value(item, graphql_type.of_type) for item in value]
            return self.value(value, graphql_type.of_type)
        if isinstance(graphql_type, GraphQLInputObjectType) and isinstance(value, Mapping):
            fields = graphql_type.fields
            filled = {k: self.value(v, fields[k].type) if k in fields else v for k, v in value.items()}
            for name, preset in self.remote.input_presets.get(graphql_type.name, {}).items():
                filled[name] = value_from_ast_untyped(self.preset(preset))
            return filled
        return value

    def _reaches_presets(self, graphql_type: Any) -> bool:
        """True when a value of this type may hold an input object that has preset fields."""
        if not self.remote.input_presets:
            return False
        named = get_named_type(graphql_type)
        return isinstance(named, GraphQLInputObjectType) and self._input_reaches(named, set())

    def _input_reaches(self, input_type: GraphQLInputObjectType, seen: set[str]) -> bool:
        name = input_type.name
        if name not in self._reaching:
            if name in seen:
                return False
            seen.add(name)
            nested = (get_named_type(f.type) for f in input_type.fields.values())
            self._reaching[name] = name in self.remote.input_presets or any(
                self._input_reaches(n, seen) for n in nested if isinstance(n, GraphQLInputObjectType)
            )
        return self._reaching[name]


def _session_literal(name: str, value: str, graphql_type: Any) -> ValueNode:
    """A session variable's value as the literal its (scalar or enum) position wants."""
    type_name = getattr(graphql_type, "name", "")
    if isinstance(graphql_type, GraphQLEnumType):
        if value not in graphql_type.values:
            raise RequestError(f'session variable "{name.lower()}" is not a value of the enum "{type_name}"')
        return EnumValueNode(value=value)
    if type_name == "Boolean":
        if value.lower() not in ("true", "false"):
            raise RequestError(f'expected a Boolean in session variable "{name.lower()}"')
        return BooleanValueNode(value=value.lower() == "true")
    if type_name in SESSION_LITERALS:
        try:
            number = SESSION_LITERALS[type_name](value)
        except ValueError:
            raise RequestError(f'expected {type_name} in session variable "{name.lower()}"') from None
        return IntValueNode(value=str(number)) if type_name == "Int" else FloatValueNode(value=repr(number))
    return StringValueNode(value=value)


def _literal(value: Any, graphql_type: Any) -> ValueNode:
    """A JSON value as a GraphQL literal of ``graphql_type`` (enum values only for text that is a name)."""
    if value is None:
        return NullValueNode()
    if isinstance(graphql_type, GraphQLNonNull):
        return _literal(value, graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        items = value if isinstance(value, list) else [value]
        return ListValueNode(values=tuple(_literal(item, graphql_type.of_type) for item in items))
    if isinstance(graphql_type, GraphQLInputObjectType) and isinstance(value, Mapping):
        fields = graphql_type.fields
        return ObjectValueNode(
            fields=tuple(
                ObjectFieldNode(
                    name=literal_field_name(k), value=_literal(v, fields[k].type if k in fields else None)
                )
                for k, v in value.items()
            )
        )
    if isinstance(graphql_type, GraphQLEnumType) and isinstance(value, str) and is_enum_literal(value):
        return EnumValueNode(value=value)
    return untyped_ast(value)
