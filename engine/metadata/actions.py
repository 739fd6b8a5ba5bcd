"""Metadata for actions (webhook-resolved queries and mutations) and their custom types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLSyntaxError, NamedTypeNode, TypeNode
from graphql.language import ListTypeNode, NonNullTypeNode, parse_type

from engine.metadata.common import (
    DEFAULT_SOURCE,
    HeaderConf,
    QualifiedTable,
    ToAction,
    ToRemoteSchema,
    frozen_map,
    parse_target,
    render_target,
)
from engine.metadata.reader import Node

DEFAULT_ACTION_TIMEOUT = 30


def parse_graphql_type(node: Node) -> str:
    """Parse a GraphQL type reference string such as ``[UserInput!]!``."""
    text = node.nonempty_string()
    try:
        parse_type(text)
    except GraphQLSyntaxError:
        raise node.fail(f"not a valid GraphQL type: {text}")
    return text


def base_type_name(type_text: str) -> str:
    """The named type inside a type reference (``[User!]!`` → ``User``)."""
    node: TypeNode = parse_type(type_text)
    while isinstance(node, ListTypeNode | NonNullTypeNode):
        node = node.type
    assert isinstance(node, NamedTypeNode)
    return node.name.value


def is_list_type(type_text: str) -> bool:
    """True when the type reference is a list (possibly non-null)."""
    node = parse_type(type_text)
    if isinstance(node, NonNullTypeNode):
        node = node.type
    return isinstance(node, ListTypeNode)


@dataclass(frozen=True)
class ArgumentDef:
    """An action argument or input object field: ``{name, type, description?}``."""

    name: str
    type: str
    description: str | None = None

    @classmethod
    def parse(cls, node: Node) -> ArgumentDef:
        """Parse an argument definition."""
        return cls(
            node.key("name").name(), parse_graphql_type(node.key("type")), node.optional_string("description")
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.description is not None:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class ActionDefinition:
    """How an action appears in GraphQL and how its handler is called."""

    handler: str
    output_type: str
    type: str = "mutation"
    kind: str = "synchronous"
    arguments: tuple[ArgumentDef, ...] = ()
    headers: tuple[HeaderConf, ...] = ()
    forward_client_headers: bool = False
    timeout: int = DEFAULT_ACTION_TIMEOUT
    transforms: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, node: Node) -> ActionDefinition:
        """Parse an action definition, applying Hasura's defaults."""
        type_node = node.get("type")
        action_type = "mutation" if type_node is None else type_node.string()
        if action_type not in ("mutation", "query"):
            raise type_node.fail(f"expected mutation or query, but found {action_type}")  # type: ignore[union-attr]
        kind = "synchronous"
        kind_node = node.get("kind")
        if action_type == "mutation" and kind_node is not None and kind_node.value != "":
            kind = kind_node.string()
            if kind not in ("synchronous", "asynchronous"):
                raise kind_node.fail(f"expected synchronous or asynchronous, but found {kind}")
        timeout_node = node.get("timeout")
        arguments = node.get("arguments")
        return cls(
            handler=node.key("handler").nonempty_string(),
            output_type=parse_graphql_type(node.key("output_type")),
            type=action_type,
            kind=kind,
            arguments=() if arguments is None else tuple(ArgumentDef.parse(a) for a in arguments.items()),
            headers=HeaderConf.parse_list(node.get("headers")),
            forward_client_headers=node.optional_bool("forward_client_headers", False),
            timeout=DEFAULT_ACTION_TIMEOUT if timeout_node is None else _positive(timeout_node),
            transforms={
                k: node.object()[k] for k in ("request_transform", "response_transform") if node.has(k)
            },
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form, in Hasura's key order with defaults omitted."""
        out: dict[str, Any] = {"handler": self.handler, "output_type": self.output_type}
        if self.forward_client_headers:
            out["forward_client_headers"] = True
        if self.headers:
            out["headers"] = [h.to_dict() for h in self.headers]
        if self.arguments:
            out["arguments"] = [a.to_dict() for a in self.arguments]
        out.update(self.transforms)
        out["type"] = self.type
        if self.type == "mutation":
            out["kind"] = self.kind
        if self.timeout != DEFAULT_ACTION_TIMEOUT:
            out["timeout"] = self.timeout
        return out


def _positive(node: Node) -> int:
    value = node.integer()
    if value <= 0:
        raise node.fail("expected a positive integer")
    return value


@dataclass(frozen=True)
class ActionPermission:
    """Permission for a role to see and call an action."""

    role: str
    comment: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {"role": self.role}
        if self.comment is not None:
            out["comment"] = self.comment
        return out


@dataclass(frozen=True)
class Action:
    """A custom query or mutation resolved by an HTTP handler."""

    name: str
    definition: ActionDefinition
    comment: str | None = None
    permissions: tuple[ActionPermission, ...] = ()

    @classmethod
    def parse(cls, node: Node) -> Action:
        """Parse one ``actions[]`` entry."""
        permissions = node.get("permissions")
        return cls(
            name=node.key("name").name(),
            definition=ActionDefinition.parse(node.key("definition")),
            comment=node.optional_string("comment"),
            permissions=()
            if permissions is None
            else tuple(
                ActionPermission(p.key("role").nonempty_string(), p.optional_string("comment"))
                for p in permissions.items()
            ),
        )

    def permission(self, role: str) -> ActionPermission | None:
        """The permission for ``role``, if defined."""
        return next((p for p in self.permissions if p.role == role), None)

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {"name": self.name, "definition": self.definition.to_dict()}
        if self.comment is not None:
            out["comment"] = self.comment
        if self.permissions:
            out["permissions"] = [p.to_dict() for p in self.permissions]
        return out


@dataclass(frozen=True)
class CustomScalar:
    """A custom scalar type."""

    name: str
    description: str | None = None

    @classmethod
    def parse(cls, node: Node) -> CustomScalar:
        """Parse ``{name, description?}``."""
        return cls(node.key("name").name(), node.optional_string("description"))

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        return _named(self.name, self.description)


@dataclass(frozen=True)
class EnumValue:
    """One value of a custom enum."""

    value: str
    description: str | None = None
    is_deprecated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {"value": self.value}
        if self.description is not None:
            out["description"] = self.description
        if self.is_deprecated:
            out["is_deprecated"] = True
        return out


@dataclass(frozen=True)
class CustomEnum:
    """A custom enum type."""

    name: str
    values: tuple[EnumValue, ...]
    description: str | None = None

    @classmethod
    def parse(cls, node: Node) -> CustomEnum:
        """Parse ``{name, description?, values: [...]}`` (values non-empty)."""
        values = node.key("values")
        items = values.items()
        if not items:
            raise values.fail("expected a non-empty list of enum values")
        return cls(
            name=node.key("name").name(),
            values=tuple(
                EnumValue(
                    v.key("value").name(),
                    v.optional_string("description"),
                    v.optional_bool("is_deprecated", False),
                )
                for v in items
            ),
            description=node.optional_string("description"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out = _named(self.name, self.description)
        out["values"] = [v.to_dict() for v in self.values]
        return out


@dataclass(frozen=True)
class CustomInputObject:
    """A custom input object type."""

    name: str
    fields: tuple[ArgumentDef, ...]
    description: str | None = None

    @classmethod
    def parse(cls, node: Node) -> CustomInputObject:
        """Parse ``{name, description?, fields: [...]}`` (fields non-empty)."""
        return cls(
            node.key("name").name(), _fields(node, ArgumentDef.parse), node.optional_string("description")
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out = _named(self.name, self.description)
        out["fields"] = [f.to_dict() for f in self.fields]
        return out


@dataclass(frozen=True)
class ObjectField:
    """A field of a custom object type. ``arguments`` is kept only to report it as invalid."""

    name: str
    type: str
    description: str | None = None
    arguments: Any = None

    @classmethod
    def parse(cls, node: Node) -> ObjectField:
        """Parse ``{name, type, description?}``."""
        return cls(
            node.key("name").name(),
            parse_graphql_type(node.key("type")),
            node.optional_string("description"),
            node.object().get("arguments"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.description is not None:
            out["description"] = self.description
        if self.arguments is not None:
            out["arguments"] = self.arguments
        return out


@dataclass(frozen=True)
class TypeRelationship:
    """A relationship from a custom object type to a database table (Hasura's form).

    ``field_mapping`` keys name fields of the object; Joinery also takes a dotted path into nested
    object fields (``author.id``), and a list-typed field for an array relationship (its rows are
    the ones whose column is in the list).
    """

    name: str
    type: str
    remote_table: QualifiedTable
    field_mapping: Mapping[str, str]
    source: str = DEFAULT_SOURCE

    @classmethod
    def parse(cls, node: Node) -> TypeRelationship:
        """Parse ``{name, type, source?, remote_table, field_mapping}``."""
        kind_node = node.key("type")
        kind = kind_node.string()
        if kind not in ("object", "array"):
            raise kind_node.fail(f'expected "object" or "array", but found "{kind}"')
        source = node.get("source")
        return cls(
            name=node.key("name").name(),
            type=kind,
            remote_table=QualifiedTable.parse(node.key("remote_table")),
            field_mapping=frozen_map(node.key("field_mapping").string_map()),
            source=DEFAULT_SOURCE if source is None else source.nonempty_string(),
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        return {
            "name": self.name,
            "type": self.type,
            "source": self.source,
            "remote_table": self.remote_table.to_dict(),
            "field_mapping": dict(self.field_mapping),
        }


@dataclass(frozen=True)
class TypeRemoteRelationship:
    """A relationship from a custom object type to a remote schema field or to an action.

    Joinery's extension, written in the unified form of table remote relationships:
    ``{"name", "definition": {"to_remote_schema": {...}} | {"to_action": {...}}}``. Its
    ``lhs_fields`` name fields of the object (dotted paths reach into nested objects).
    """

    name: str
    target: ToRemoteSchema | ToAction

    @classmethod
    def parse(cls, node: Node) -> TypeRemoteRelationship:
        """Parse ``{name, definition}``."""
        target = parse_target(node.key("definition"), ("to_remote_schema", "to_action"))
        assert isinstance(target, ToRemoteSchema | ToAction)
        return cls(node.key("name").name(), target)

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        return {"name": self.name, "definition": render_target(self.target)}


@dataclass(frozen=True)
class CustomObject:
    """A custom object type (an action's output), with its relationships.

    ``relationships`` are Hasura's (to tables); ``remote_relationships`` Joinery's (to remote schema
    fields and actions). Both live in the ``relationships`` list of the metadata document, told apart
    by their shape; export lists Hasura's first.
    """

    name: str
    fields: tuple[ObjectField, ...]
    description: str | None = None
    relationships: tuple[TypeRelationship, ...] = ()
    remote_relationships: tuple[TypeRemoteRelationship, ...] = ()

    @classmethod
    def parse(cls, node: Node) -> CustomObject:
        """Parse ``{name, description?, fields, relationships?}``."""
        relationships = node.get("relationships")
        items = [] if relationships is None else relationships.items()
        return cls(
            name=node.key("name").name(),
            fields=_fields(node, ObjectField.parse),
            description=node.optional_string("description"),
            relationships=tuple(TypeRelationship.parse(r) for r in items if not r.has("definition")),
            remote_relationships=tuple(TypeRemoteRelationship.parse(r) for r in items if r.has("definition")),
        )

    def field(self, name: str) -> ObjectField | None:
        """A field by name."""
        return next((f for f in self.fields if f.name == name), None)

    def relationship(self, name: str) -> TypeRelationship | None:
        """A relationship to a table by name."""
        return next((r for r in self.relationships if r.name == name), None)

    def remote_relationship(self, name: str) -> TypeRemoteRelationship | None:
        """A relationship to a remote schema field or an action by name."""
        return next((r for r in self.remote_relationships if r.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out = _named(self.name, self.description)
        out["fields"] = [f.to_dict() for f in self.fields]
        if self.relationships or self.remote_relationships:
            out["relationships"] = [r.to_dict() for r in (*self.relationships, *self.remote_relationships)]
        return out


@dataclass(frozen=True)
class CustomTypes:
    """All custom types; ``set_custom_types`` replaces the whole set."""

    scalars: tuple[CustomScalar, ...] = ()
    enums: tuple[CustomEnum, ...] = ()
    input_objects: tuple[CustomInputObject, ...] = ()
    objects: tuple[CustomObject, ...] = ()

    @classmethod
    def parse(cls, node: Node) -> CustomTypes:
        """Parse ``{scalars?, enums?, input_objects?, objects?}``; omitted lists are empty."""

        def items(key: str) -> list[Node]:
            child = node.get(key)
            return [] if child is None else child.items()

        return cls(
            scalars=tuple(CustomScalar.parse(n) for n in items("scalars")),
            enums=tuple(CustomEnum.parse(n) for n in items("enums")),
            input_objects=tuple(CustomInputObject.parse(n) for n in items("input_objects")),
            objects=tuple(CustomObject.parse(n) for n in items("objects")),
        )

    def is_empty(self) -> bool:
        """True when no custom type is defined."""
        return not (self.scalars or self.enums or self.input_objects or self.objects)

    def object(self, name: str) -> CustomObject | None:
        """A custom object type by name."""
        return next((o for o in self.objects if o.name == name), None)

    def field_path(self, obj: CustomObject, path: str) -> tuple[ObjectField, ...] | None:
        """The fields a dotted path (``author.id``) goes through from ``obj``, or None if a step is missing.

        Every step but the last must be a field of a custom object type.
        """
        fields: list[ObjectField] = []
        current: CustomObject | None = obj
        for step in path.split("."):
            found = None if current is None else current.field(step)
            if found is None:
                return None
            fields.append(found)
            current = self.object(base_type_name(found.type))
        return tuple(fields)

    def type_names(self) -> list[str]:
        """Every custom type name, in declaration order, duplicates kept."""
        groups: tuple[tuple[Any, ...], ...] = (self.scalars, self.enums, self.input_objects, self.objects)
        return [t.name for group in groups for t in group]

    def to_dict(self) -> dict[str, Any]:
        """Render in export form (Hasura's order; empty lists omitted)."""
        out: dict[str, Any] = {}
        for key in ("input_objects", "objects", "scalars", "enums"):
            group = getattr(self, key)
            if group:
                out[key] = [t.to_dict() for t in group]
        return out


def _named(name: str, description: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if description is not None:
        out["description"] = description
    return out


def _fields(node: Node, parse: Any) -> tuple[Any, ...]:
    fields = node.key("fields")
    items = fields.items()
    if not items:
        raise fields.fail("expected a non-empty list of fields")
    return tuple(parse(item) for item in items)
