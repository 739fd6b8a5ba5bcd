"""Metadata for remote schemas (other GraphQL servers) and relationships defined on their types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSyntaxError
from graphql import parse as parse_graphql

from engine.metadata.common import HeaderConf, RelationshipTarget, frozen_map, parse_target, render_target
from engine.metadata.reader import Node

DEFAULT_REMOTE_TIMEOUT = 60


@dataclass(frozen=True)
class RemoteSchemaDefinition:
    """Where a remote schema lives and how to call it."""

    url: str | None = None
    url_from_env: str | None = None
    headers: tuple[HeaderConf, ...] = ()
    forward_client_headers: bool = False
    timeout_seconds: int | None = None
    customization: Mapping[str, Any] | None = None

    @classmethod
    def parse(cls, node: Node) -> RemoteSchemaDefinition:
        """Parse a remote schema definition: exactly one of ``url`` / ``url_from_env``."""
        has_url, has_env = node.has("url"), node.has("url_from_env")
        if has_url and has_env:
            raise node.fail("both url and url_from_env can't be present")
        if not (has_url or has_env):
            raise node.fail("both url and url_from_env can't be empty")
        timeout = node.get("timeout_seconds")
        timeout_seconds = None if timeout is None else timeout.integer()
        if timeout_seconds is not None and timeout_seconds <= 0:
            raise timeout.fail("expected a positive integer")  # type: ignore[union-attr]
        return cls(
            url=node.key("url").nonempty_string() if has_url else None,
            url_from_env=node.key("url_from_env").nonempty_string() if has_env else None,
            headers=HeaderConf.parse_list(node.get("headers")),
            forward_client_headers=node.optional_bool("forward_client_headers", False),
            timeout_seconds=timeout_seconds,
            customization=node.optional_object("customization"),
        )

    @property
    def effective_timeout(self) -> int:
        """The timeout that applies to every request to this server."""
        return self.timeout_seconds or DEFAULT_REMOTE_TIMEOUT

    def to_dict(self) -> dict[str, Any]:
        """Render in export form (absent optional keys omitted)."""
        out: dict[str, Any] = {}
        if self.url is not None:
            out["url"] = self.url
        if self.url_from_env is not None:
            out["url_from_env"] = self.url_from_env
        if self.timeout_seconds is not None:
            out["timeout_seconds"] = self.timeout_seconds
        if self.customization:
            out["customization"] = dict(self.customization)
        if self.headers:
            out["headers"] = [h.to_dict() for h in self.headers]
        if self.forward_client_headers:
            out["forward_client_headers"] = True
        return out


@dataclass(frozen=True)
class RemoteSchemaRelationship:
    """A relationship from a remote schema object type to a table or another remote schema."""

    name: str
    target: RelationshipTarget

    @classmethod
    def parse(cls, node: Node) -> RemoteSchemaRelationship:
        """Parse ``{name, definition: {to_source | to_remote_schema}}``."""
        return cls(node.key("name").name(), parse_target(node.key("definition")))

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        return {"name": self.name, "definition": render_target(self.target)}


@dataclass(frozen=True)
class TypeRelationships:
    """The relationships of one remote object type.

    ``type_name`` may be omitted in a metadata document; the type is then inferred from the remote
    schema as the one object type that has every join field the relationships use.
    """

    type_name: str | None
    relationships: tuple[RemoteSchemaRelationship, ...]

    @classmethod
    def parse(cls, node: Node) -> TypeRelationships:
        """Parse ``{type_name?, relationships: [...]}``."""
        type_name = node.get("type_name")
        return cls(
            type_name=None if type_name is None else type_name.name(),
            relationships=tuple(RemoteSchemaRelationship.parse(r) for r in node.key("relationships").items()),
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {}
        if self.type_name is not None:
            out["type_name"] = self.type_name
        out["relationships"] = [r.to_dict() for r in self.relationships]
        return out


@dataclass(frozen=True)
class RemoteSchemaPermission:
    """A role's view of a remote schema: ``definition.schema`` is SDL, a subset of the remote's schema."""

    role: str
    definition: Mapping[str, Any]
    comment: str | None = None

    @classmethod
    def parse(cls, node: Node) -> RemoteSchemaPermission:
        """Parse ``{role, definition: {schema: "<SDL>"}, comment?}``; the SDL must be valid GraphQL."""
        definition = node.key("definition")
        schema = definition.key("schema")
        try:
            parse_graphql(schema.string(), no_location=True)
        except GraphQLSyntaxError as error:
            raise schema.fail(f"the schema is not valid GraphQL SDL: {error.message}") from None
        return cls(
            node.key("role").nonempty_string(),
            frozen_map(definition.object()),
            node.optional_string("comment"),
        )

    @property
    def schema(self) -> str:
        """The role's SDL."""
        return str(self.definition["schema"])

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {"role": self.role, "definition": dict(self.definition)}
        if self.comment is not None:
            out["comment"] = self.comment
        return out


@dataclass(frozen=True)
class RemoteSchema:
    """Another GraphQL server whose root fields and types join the schema."""

    name: str
    definition: RemoteSchemaDefinition
    comment: str | None = None
    permissions: tuple[RemoteSchemaPermission, ...] = ()
    remote_relationships: tuple[TypeRelationships, ...] = ()

    @classmethod
    def parse(cls, node: Node) -> RemoteSchema:
        """Parse one ``remote_schemas[]`` entry."""
        permissions = node.get("permissions")
        relationships = node.get("remote_relationships")
        return cls(
            name=node.key("name").nonempty_string(),
            definition=RemoteSchemaDefinition.parse(node.key("definition")),
            comment=node.optional_string("comment"),
            permissions=()
            if permissions is None
            else tuple(RemoteSchemaPermission.parse(p) for p in permissions.items()),
            remote_relationships=()
            if relationships is None
            else tuple(TypeRelationships.parse(r) for r in relationships.items()),
        )

    def permission(self, role: str) -> RemoteSchemaPermission | None:
        """The role's permission, if it has one."""
        return next((p for p in self.permissions if p.role == role), None)

    def relationships_of(self, type_name: str | None) -> tuple[RemoteSchemaRelationship, ...]:
        """Every relationship declared for ``type_name``."""
        return tuple(
            r
            for group in self.remote_relationships
            if group.type_name == type_name
            for r in group.relationships
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {"name": self.name, "definition": self.definition.to_dict()}
        if self.comment is not None:
            out["comment"] = self.comment
        if self.permissions:
            out["permissions"] = [p.to_dict() for p in self.permissions]
        if self.remote_relationships:
            out["remote_relationships"] = [g.to_dict() for g in self.remote_relationships]
        return out
