"""An action written in GraphQL SDL, as Hasura's console takes it, to and from the metadata shapes.

    action definition   type Mutation { createUser(name: String!): UserOutput }
                        -> name, operation, arguments, output type (the field's description is the comment)
    type configuration  type UserOutput { id: Int! }  input ...  enum ...  scalar ...
                        -> custom types by kind, in ``set_custom_types`` shape

Rendering goes the other way: an action's field under ``type Query``/``type Mutation``, and the
custom types its arguments and output reach.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSyntaxError, parse, print_ast
from graphql import language as gql

from engine.metadata import Action, CustomTypes, base_type_name

ROOT_OPERATIONS = {"Query": "query", "Mutation": "mutation"}
ROOT_TYPES = {operation: type_name for type_name, operation in ROOT_OPERATIONS.items()}
TYPE_KINDS = ("scalars", "enums", "input_objects", "objects")


class ActionSdlError(ValueError):
    """The SDL cannot describe an action; ``part`` says which text is at fault."""

    def __init__(self, message: str, part: str) -> None:
        super().__init__(message)
        self.message = message
        self.part = part


@dataclass(frozen=True)
class ActionSignature:
    """What the action definition declares."""

    name: str
    operation: str
    arguments: tuple[dict[str, Any], ...]
    output_type: str
    description: str | None = None


# Parsing ------------------------------------------------------------------------------------------


def parse_action_definition(text: str) -> ActionSignature:
    """The one field declared under ``type Query`` or ``type Mutation``."""
    fields: list[tuple[str, gql.FieldDefinitionNode]] = []
    for node in _definitions(text, "definition"):
        if not isinstance(node, gql.ObjectTypeDefinitionNode | gql.ObjectTypeExtensionNode) or (
            node.name.value not in ROOT_OPERATIONS
        ):
            raise ActionSdlError(
                "the action definition may only declare type Query or type Mutation; "
                "put other types in the type configuration",
                "definition",
            )
        fields += [(ROOT_OPERATIONS[node.name.value], field) for field in node.fields or ()]
    if len(fields) != 1:
        raise ActionSdlError(
            f"the action definition must declare exactly one field, found {len(fields)}", "definition"
        )
    operation, field = fields[0]
    return ActionSignature(
        name=field.name.value,
        operation=operation,
        arguments=tuple(_input_value(argument) for argument in field.arguments or ()),
        output_type=print_ast(field.type),
        description=field.description.value if field.description else None,
    )


def parse_type_definitions(text: str) -> dict[str, list[dict[str, Any]]]:
    """The custom types declared in the type configuration, by kind."""
    declared: dict[str, list[dict[str, Any]]] = {kind: [] for kind in TYPE_KINDS}
    names: set[str] = set()
    for node in _definitions(text, "types"):
        reader = _TYPE_READERS.get(type(node))
        if reader is None or node.name.value in ROOT_OPERATIONS:
            raise ActionSdlError(_unsupported(node), "types")
        if node.name.value in names:
            raise ActionSdlError(f"type {node.name.value} is declared more than once", "types")
        names.add(node.name.value)
        kind, read = reader
        declared[kind].append(read(node))
    return declared


def _definitions(text: str, part: str) -> list[gql.DefinitionNode]:
    if not text.strip():
        return []
    try:
        return list(parse(text).definitions)
    except GraphQLSyntaxError as error:
        location = error.locations[0] if error.locations else None
        where = f"line {location.line}, column {location.column}: " if location else ""
        raise ActionSdlError(f"invalid GraphQL SDL: {where}{error.message}", part)


def _unsupported(node: gql.DefinitionNode) -> str:
    name = getattr(getattr(node, "name", None), "value", None)
    if name in ROOT_OPERATIONS:
        return f"type {name} belongs in the action definition"
    kind = type(node).__name__.removesuffix("Node")
    return f"the type configuration may only declare scalars, enums, input types and object types, not {kind}"


def _with_description(entry: dict[str, Any], node: Any) -> dict[str, Any]:
    if node.description is not None:
        entry["description"] = node.description.value
    return entry


def _input_value(node: gql.InputValueDefinitionNode) -> dict[str, Any]:
    return _with_description({"name": node.name.value, "type": print_ast(node.type)}, node)


def _object_field(node: gql.FieldDefinitionNode) -> dict[str, Any]:
    entry = _with_description({"name": node.name.value, "type": print_ast(node.type)}, node)
    if node.arguments:
        # Kept so that validation reports it: object fields of custom types take no arguments.
        entry["arguments"] = [_input_value(argument) for argument in node.arguments]
    return entry


def _scalar(node: gql.ScalarTypeDefinitionNode) -> dict[str, Any]:
    return _with_description({"name": node.name.value}, node)


def _enum(node: gql.EnumTypeDefinitionNode) -> dict[str, Any]:
    values = []
    for value in node.values or ():
        entry = _with_description({"value": value.name.value}, value)
        if any(directive.name.value == "deprecated" for directive in value.directives or ()):
            entry["is_deprecated"] = True
        values.append(entry)
    return _with_description({"name": node.name.value, "values": values}, node)


def _input_object(node: gql.InputObjectTypeDefinitionNode) -> dict[str, Any]:
    fields = [_input_value(field) for field in node.fields or ()]
    return _with_description({"name": node.name.value, "fields": fields}, node)


def _object(node: gql.ObjectTypeDefinitionNode) -> dict[str, Any]:
    fields = [_object_field(field) for field in node.fields or ()]
    return _with_description({"name": node.name.value, "fields": fields}, node)


_TYPE_READERS: dict[type, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    gql.ScalarTypeDefinitionNode: ("scalars", _scalar),
    gql.EnumTypeDefinitionNode: ("enums", _enum),
    gql.InputObjectTypeDefinitionNode: ("input_objects", _input_object),
    gql.ObjectTypeDefinitionNode: ("objects", _object),
}


# Rendering ----------------------------------------------------------------------------------------


def render_action_definition(action: Action) -> str:
    """The action as one field of ``type Query`` or ``type Mutation``."""
    definition = action.definition
    field = gql.FieldDefinitionNode(
        name=_name(action.name),
        description=_description(action.comment),
        arguments=[_input_value_node(argument.to_dict()) for argument in definition.arguments],
        type=gql.parse_type(definition.output_type),
        directives=[],
    )
    root = gql.ObjectTypeDefinitionNode(
        name=_name(ROOT_TYPES[definition.type]), fields=[field], interfaces=[], directives=[]
    )
    return print_ast(gql.DocumentNode(definitions=[root]))


def render_type_definitions(custom_types: CustomTypes, roots: Iterable[str]) -> str:
    """The custom types reachable from the type names ``roots``, as SDL."""
    document = custom_types.to_dict()
    reached = _reachable(document, set(roots))
    definitions = [
        _TYPE_RENDERERS[kind](entry)
        for kind in TYPE_KINDS
        for entry in document.get(kind, [])
        if entry["name"] in reached
    ]
    return print_ast(gql.DocumentNode(definitions=definitions)) if definitions else ""


def action_type_roots(action: Action) -> list[str]:
    """The type names an action's arguments and output refer to."""
    definition = action.definition
    return [base_type_name(definition.output_type), *(base_type_name(a.type) for a in definition.arguments)]


def _reachable(document: dict[str, Any], roots: set[str]) -> set[str]:
    fields_of = {
        entry["name"]: [base_type_name(f["type"]) for f in entry.get("fields", [])]
        for kind in ("input_objects", "objects")
        for entry in document.get(kind, [])
    }
    reached: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending += fields_of.get(name, [])
    return reached


def _name(value: str) -> gql.NameNode:
    return gql.NameNode(value=value)


def _description(text: str | None) -> gql.StringValueNode | None:
    return None if text is None else gql.StringValueNode(value=text, block="\n" in text)


def _input_value_node(entry: dict[str, Any]) -> gql.InputValueDefinitionNode:
    return gql.InputValueDefinitionNode(
        name=_name(entry["name"]),
        type=gql.parse_type(entry["type"]),
        description=_description(entry.get("description")),
        directives=[],
    )


def _field_node(entry: dict[str, Any]) -> gql.FieldDefinitionNode:
    return gql.FieldDefinitionNode(
        name=_name(entry["name"]),
        type=gql.parse_type(entry["type"]),
        description=_description(entry.get("description")),
        arguments=[_input_value_node(argument) for argument in entry.get("arguments") or []],
        directives=[],
    )


def _scalar_node(entry: dict[str, Any]) -> gql.ScalarTypeDefinitionNode:
    return gql.ScalarTypeDefinitionNode(
        name=_name(entry["name"]), description=_description(entry.get("description")), directives=[]
    )


def _enum_node(entry: dict[str, Any]) -> gql.EnumTypeDefinitionNode:
    deprecated = [gql.DirectiveNode(name=_name("deprecated"), arguments=[])]
    values = [
        gql.EnumValueDefinitionNode(
            name=_name(value["value"]),
            description=_description(value.get("description")),
            directives=deprecated if value.get("is_deprecated") else [],
        )
        for value in entry["values"]
    ]
    return gql.EnumTypeDefinitionNode(
        name=_name(entry["name"]),
        description=_description(entry.get("description")),
        values=values,
        directives=[],
    )


def _input_object_node(entry: dict[str, Any]) -> gql.InputObjectTypeDefinitionNode:
    return gql.InputObjectTypeDefinitionNode(
        name=_name(entry["name"]),
        description=_description(entry.get("description")),
        fields=[_input_value_node(field) for field in entry["fields"]],
        directives=[],
    )


def _object_node(entry: dict[str, Any]) -> gql.ObjectTypeDefinitionNode:
    return gql.ObjectTypeDefinitionNode(
        name=_name(entry["name"]),
        description=_description(entry.get("description")),
        fields=[_field_node(field) for field in entry["fields"]],
        interfaces=[],
        directives=[],
    )


_TYPE_RENDERERS: dict[str, Callable[[dict[str, Any]], gql.DefinitionNode]] = {
    "scalars": _scalar_node,
    "enums": _enum_node,
    "input_objects": _input_object_node,
    "objects": _object_node,
}


def merged_custom_types(existing: CustomTypes, declared: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """``set_custom_types`` args: the existing types, with the declared ones added or replacing theirs.

    A replaced object type keeps its relationships, which SDL cannot express.
    """
    document = existing.to_dict()
    merged = {kind: list(document.get(kind, [])) for kind in TYPE_KINDS}
    for kind in TYPE_KINDS:
        for entry in declared.get(kind, []):
            _put_type(merged, kind, entry)
    return merged


def _put_type(merged: dict[str, list[dict[str, Any]]], kind: str, entry: dict[str, Any]) -> None:
    previous = next((e for e in merged[kind] if e["name"] == entry["name"]), None)
    if kind == "objects" and previous is not None and previous.get("relationships"):
        entry = {**entry, "relationships": previous["relationships"]}
    for other_kind in TYPE_KINDS:
        if other_kind != kind:
            merged[other_kind] = [e for e in merged[other_kind] if e["name"] != entry["name"]]
    if previous is None:
        merged[kind].append(entry)
    else:
        merged[kind] = [entry if e is previous else e for e in merged[kind]]
