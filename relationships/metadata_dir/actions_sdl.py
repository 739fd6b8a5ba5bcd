"""actions.graphql, both ways: action fields and custom types parsed from the SDL, and printed back.

The SDL holds each action's arguments, output type and operation (a field of `type Query` or
`type Mutation`) and the custom types' fields, enum values and descriptions; everything else about
them lives in actions.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphql import GraphQLSyntaxError, parse, parse_type, parse_value, print_ast
from graphql.language import ast as gql
from graphql.language.block_string import print_block_string

from relationships.metadata_dir.errors import MetadataDirError

ROOT_OPERATION_TYPES = {"Query": "query", "Mutation": "mutation"}
CUSTOM_TYPE_KINDS = ("input_objects", "objects", "scalars", "enums")  # export_metadata order
SDL_ACTION_KEYS = frozenset({"arguments", "output_type", "type"})
SDL_TYPE_KEYS = frozenset({"fields", "values"})
_GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*\Z")

TypesByKind = dict[str, dict[str, dict[str, Any]]]


# --- Reading ---------------------------------------------------------------------------------------


def read_actions_sdl(path: Path) -> tuple[dict[str, dict[str, Any]], TypesByKind]:
    """Actions (by name) and custom types (by kind, then name) declared in actions.graphql."""
    actions: dict[str, dict[str, Any]] = {}
    types: TypesByKind = {kind: {} for kind in CUSTOM_TYPE_KINDS}
    for node in _parse_sdl(path):
        if isinstance(node, gql.ObjectTypeDefinitionNode | gql.ObjectTypeExtensionNode) and (
            node.name.value in ROOT_OPERATION_TYPES
        ):
            _collect_actions(node, actions)
        else:
            _collect_custom_type(node, types)
    return actions, types


def _parse_sdl(path: Path) -> list[gql.DefinitionNode]:
    if not path.is_file():
        return []
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise MetadataDirError("file is not UTF-8 text", "actions.graphql", str(error))
    if not any(line.strip() and not line.strip().startswith("#") for line in text.splitlines()):
        return []
    try:
        return list(parse(text).definitions)
    except GraphQLSyntaxError as error:
        location = error.locations[0] if error.locations else None
        where = f"line {location.line}, column {location.column}: " if location else ""
        raise MetadataDirError("invalid GraphQL SDL", "actions.graphql", where + error.message)


def _node_position(node: gql.Node) -> str | None:
    token = node.loc.start_token if node.loc else None
    return f"line {token.line}, column {token.column}" if token else None


def _collect_actions(
    node: gql.ObjectTypeDefinitionNode | gql.ObjectTypeExtensionNode, actions: dict[str, dict[str, Any]]
) -> None:
    operation = ROOT_OPERATION_TYPES[node.name.value]
    for field_node in node.fields or ():
        name = field_node.name.value
        if name in actions:
            raise MetadataDirError(
                f"action {name} is defined more than once", "actions.graphql", _node_position(field_node)
            )
        definition: dict[str, Any] = {"output_type": print_ast(field_node.type)}
        arguments = [_input_value(argument) for argument in field_node.arguments or ()]
        if arguments:
            definition["arguments"] = arguments
        definition["type"] = operation
        actions[name] = {"name": name, "definition": definition}


def _collect_custom_type(node: gql.DefinitionNode, types: TypesByKind) -> None:
    kind_and_reader = _CUSTOM_TYPE_READERS.get(type(node))
    if kind_and_reader is None:
        kind = type(node).__name__.removesuffix("Node")
        raise MetadataDirError(
            f"unsupported definition in actions.graphql: {kind}", "actions.graphql", _node_position(node)
        )
    kind, reader = kind_and_reader
    name = node.name.value
    if any(name in declared for declared in types.values()):
        raise MetadataDirError(
            f"type {name} is defined more than once", "actions.graphql", _node_position(node)
        )
    types[kind][name] = reader(node)


def _with_description(entry: dict[str, Any], node: gql.Node) -> dict[str, Any]:
    description = getattr(node, "description", None)
    if description is not None:
        entry["description"] = description.value
    return entry


def _input_value(node: gql.InputValueDefinitionNode | gql.FieldDefinitionNode) -> dict[str, Any]:
    return _with_description({"name": node.name.value, "type": print_ast(node.type)}, node)


def _enum_value(node: gql.EnumValueDefinitionNode) -> dict[str, Any]:
    value = _with_description({"value": node.name.value}, node)
    if any(directive.name.value == "deprecated" for directive in node.directives or ()):
        value["is_deprecated"] = True
    return value


def _scalar_type(node: gql.ScalarTypeDefinitionNode) -> dict[str, Any]:
    return _with_description({"name": node.name.value}, node)


def _enum_type(node: gql.EnumTypeDefinitionNode) -> dict[str, Any]:
    values = [_enum_value(value) for value in node.values or ()]
    return _with_description({"name": node.name.value, "values": values}, node)


def _fields_type(node: gql.ObjectTypeDefinitionNode | gql.InputObjectTypeDefinitionNode) -> dict[str, Any]:
    fields = [_input_value(field_node) for field_node in node.fields or ()]
    return _with_description({"name": node.name.value, "fields": fields}, node)


_CUSTOM_TYPE_READERS: dict[type, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    gql.ScalarTypeDefinitionNode: ("scalars", _scalar_type),
    gql.EnumTypeDefinitionNode: ("enums", _enum_type),
    gql.InputObjectTypeDefinitionNode: ("input_objects", _fields_type),
    gql.ObjectTypeDefinitionNode: ("objects", _fields_type),
}


# --- Writing ---------------------------------------------------------------------------------------


def render_actions_sdl(actions: list[dict[str, Any]], custom_types: dict[str, Any]) -> str:
    """Action fields under `type Query` / `type Mutation`, then scalars, enums, input objects, objects."""
    definitions: list[gql.DefinitionNode] = []
    for type_name, operation in ROOT_OPERATION_TYPES.items():
        fields = [_action_field(action) for action in actions if _action_operation(action) == operation]
        if fields:
            definitions.append(
                gql.ObjectTypeDefinitionNode(name=_name_node(type_name, type_name), fields=fields)
            )
    for kind, render in _CUSTOM_TYPE_RENDERERS:
        definitions += [render(entry) for entry in custom_types.get(kind) or []]
    return print_ast(gql.DocumentNode(definitions=definitions)) + "\n" if definitions else ""


def _action_operation(action: dict[str, Any]) -> str:
    operation = (action.get("definition") or {}).get("type", "mutation")
    if operation not in ROOT_OPERATION_TYPES.values():
        raise MetadataDirError(
            f"action {action.get('name')} has type {operation!r}; expected query or mutation",
            "actions.graphql",
        )
    return operation


def _name_node(name: Any, where: str) -> gql.NameNode:
    if not isinstance(name, str) or not _GRAPHQL_NAME.match(name):
        raise MetadataDirError(f"{name!r} is not a valid GraphQL name ({where})", "actions.graphql")
    return gql.NameNode(value=name)


def _type_node(type_string: Any, where: str) -> gql.TypeNode:
    try:
        return parse_type(type_string)
    except (GraphQLSyntaxError, TypeError):
        raise MetadataDirError(f"{type_string!r} is not a valid GraphQL type ({where})", "actions.graphql")


def _description_node(description: Any) -> gql.StringValueNode | None:
    """Block string when it reads back to exactly the same text, else a quoted one-line string."""
    if description is None:
        return None
    text = str(description)
    block = "\n" in text and parse_value(print_block_string(text)).value == text
    return gql.StringValueNode(value=text, block=block)


def _typed_member(entry: dict[str, Any], where: str) -> dict[str, Any]:
    """The name, type and description nodes of an argument, input field or object field."""
    where = f"{where}.{entry.get('name')}"
    return {
        "name": _name_node(entry.get("name"), where),
        "type": _type_node(entry.get("type"), where),
        "description": _description_node(entry.get("description")),
    }


def _input_value_node(entry: dict[str, Any], where: str) -> gql.InputValueDefinitionNode:
    return gql.InputValueDefinitionNode(**_typed_member(entry, where), directives=[])


def _field_node(entry: dict[str, Any], where: str) -> gql.FieldDefinitionNode:
    return gql.FieldDefinitionNode(**_typed_member(entry, where), arguments=[], directives=[])


def _action_field(action: dict[str, Any]) -> gql.FieldDefinitionNode:
    name = action.get("name")
    definition = action.get("definition") or {}
    return gql.FieldDefinitionNode(
        name=_name_node(name, f"action {name}"),
        arguments=[
            _input_value_node(argument, f"action {name}") for argument in definition.get("arguments") or []
        ],
        type=_type_node(definition.get("output_type"), f"output type of action {name}"),
        directives=[],
    )


def _named_type(entry: dict[str, Any], kind: str) -> dict[str, Any]:
    """The name and description nodes of a custom type."""
    return {
        "name": _name_node(entry.get("name"), kind),
        "description": _description_node(entry.get("description")),
    }


def _scalar_node(entry: dict[str, Any]) -> gql.ScalarTypeDefinitionNode:
    return gql.ScalarTypeDefinitionNode(**_named_type(entry, "scalar"), directives=[])


def _enum_value_node(value: dict[str, Any], where: str) -> gql.EnumValueDefinitionNode:
    deprecated = [gql.DirectiveNode(name=gql.NameNode(value="deprecated"), arguments=[])]
    return gql.EnumValueDefinitionNode(
        name=_name_node(value.get("value"), where),
        description=_description_node(value.get("description")),
        directives=deprecated if value.get("is_deprecated") else [],
    )


def _enum_node(entry: dict[str, Any]) -> gql.EnumTypeDefinitionNode:
    where = f"enum {entry.get('name')}"
    return gql.EnumTypeDefinitionNode(
        **_named_type(entry, "enum"),
        values=[_enum_value_node(value, where) for value in entry.get("values") or []],
        directives=[],
    )


def _input_object_node(entry: dict[str, Any]) -> gql.InputObjectTypeDefinitionNode:
    where = f"input {entry.get('name')}"
    return gql.InputObjectTypeDefinitionNode(
        **_named_type(entry, "input object"),
        fields=[_input_value_node(item, where) for item in entry.get("fields") or []],
        directives=[],
    )


def _object_node(entry: dict[str, Any]) -> gql.ObjectTypeDefinitionNode:
    where = f"type {entry.get('name')}"
    return gql.ObjectTypeDefinitionNode(
        **_named_type(entry, "object"),
        fields=[_field_node(item, where) for item in entry.get("fields") or []],
        interfaces=[],
        directives=[],
    )


_CUSTOM_TYPE_RENDERERS: tuple[tuple[str, Callable[[dict[str, Any]], gql.DefinitionNode]], ...] = (
    ("scalars", _scalar_node),
    ("enums", _enum_node),
    ("input_objects", _input_object_node),
    ("objects", _object_node),
)
