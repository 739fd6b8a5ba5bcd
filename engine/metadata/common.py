"""Value types shared across metadata objects: table names, headers, relationship targets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.metadata.reader import Node

DEFAULT_SOURCE = "default"
DEFAULT_SCHEMA = "public"


def frozen_map(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """Copy a mapping so later edits of the input cannot change a metadata object."""
    return dict(mapping or {})


@dataclass(frozen=True, order=True)
class QualifiedTable:
    """A table name with its schema (``"author"`` means ``public.author``)."""

    schema: str
    name: str

    @classmethod
    def parse(cls, node: Node) -> QualifiedTable:
        """Parse a string or a ``{"schema", "name"}`` object."""
        if isinstance(node.value, str):
            return cls(DEFAULT_SCHEMA, node.nonempty_string())
        schema_node = node.get("schema")
        schema = DEFAULT_SCHEMA if schema_node is None else schema_node.nonempty_string()
        return cls(schema, node.key("name").nonempty_string())

    def to_dict(self) -> dict[str, str]:
        """Render in export form."""
        return {"name": self.name, "schema": self.schema}

    def __str__(self) -> str:
        return self.name if self.schema == DEFAULT_SCHEMA else f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class HeaderConf:
    """A configured outbound header: a literal value or the name of an environment variable."""

    name: str
    value: str | None = None
    value_from_env: str | None = None

    @classmethod
    def parse(cls, node: Node) -> HeaderConf:
        """Parse ``{"name", "value"}`` or ``{"name", "value_from_env"}``."""
        name = node.key("name").nonempty_string()
        which = node.exactly_one_of("value", "value_from_env")
        if which == "value":
            return cls(name, value=node.key("value").string())
        return cls(name, value_from_env=node.key("value_from_env").nonempty_string())

    @classmethod
    def parse_list(cls, node: Node | None) -> tuple[HeaderConf, ...]:
        """Parse an optional list of header configurations."""
        return () if node is None else tuple(cls.parse(item) for item in node.items())

    def to_dict(self) -> dict[str, str]:
        """Render in export form."""
        if self.value_from_env is not None:
            return {"name": self.name, "value_from_env": self.value_from_env}
        return {"name": self.name, "value": self.value or ""}


@dataclass(frozen=True)
class ToSource:
    """A join target that is a database table: ``to_source``."""

    relationship_type: str
    source: str
    table: QualifiedTable
    field_mapping: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, node: Node) -> ToSource:
        """Parse a ``to_source`` definition."""
        kind_node = node.key("relationship_type")
        kind = kind_node.string()
        if kind not in ("object", "array"):
            raise kind_node.fail(f'expected "object" or "array", but found "{kind}"')
        source_node = node.get("source")
        return cls(
            relationship_type=kind,
            source=DEFAULT_SOURCE if source_node is None else source_node.nonempty_string(),
            table=QualifiedTable.parse(node.key("table")),
            field_mapping=node.key("field_mapping").string_map(),
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        return {
            "relationship_type": self.relationship_type,
            "source": self.source,
            "table": self.table.to_dict(),
            "field_mapping": dict(self.field_mapping),
        }


@dataclass(frozen=True)
class ListBatch:
    """Joinery's list mode of a join to a remote field or an action (``batch``): one call for all keys.

    The keys travel together in ``list_argument``; each result object is matched back to its key by
    the value of its ``key_field``. ``relationship_type`` says whether a key gets the one matching
    object (``object``) or every matching object (``array``).
    """

    list_argument: str
    key_field: str
    relationship_type: str = "object"

    @classmethod
    def parse(cls, node: Node) -> ListBatch:
        """Parse ``{list_argument, key_field, relationship_type?}``."""
        kind_node = node.get("relationship_type")
        kind = "object" if kind_node is None else kind_node.string()
        if kind not in ("object", "array"):
            raise kind_node.fail(f'expected "object" or "array", but found "{kind}"')  # type: ignore[union-attr]
        return cls(node.key("list_argument").name(), node.key("key_field").name(), kind)

    @classmethod
    def parse_optional(cls, node: Node) -> ListBatch | None:
        """The ``batch`` key of a join definition, if present."""
        batch = node.get("batch")
        return None if batch is None else cls.parse(batch)

    def to_dict(self) -> dict[str, Any]:
        """Render in export form (the default relationship type omitted)."""
        out: dict[str, Any] = {"list_argument": self.list_argument, "key_field": self.key_field}
        if self.relationship_type != "object":
            out["relationship_type"] = self.relationship_type
        return out


@dataclass(frozen=True)
class ToRemoteSchema:
    """A join target that is a remote schema field: ``to_remote_schema``.

    ``remote_field`` keeps Hasura's nested shape ``{field: {arguments, field?}}``; argument values
    starting with ``$`` are templates filled from ``lhs_fields``. ``batch`` (Joinery's extension)
    asks for one call carrying every key in a list argument instead of one aliased field per key.
    """

    remote_schema: str
    lhs_fields: tuple[str, ...]
    remote_field: Mapping[str, Any]
    batch: ListBatch | None = None

    @classmethod
    def parse(cls, node: Node, *, lhs_key: str = "lhs_fields") -> ToRemoteSchema:
        """Parse a ``to_remote_schema`` definition (or the legacy one, with ``hasura_fields``)."""
        remote_field = node.key("remote_field")
        validate_remote_field(remote_field)
        return cls(
            remote_schema=node.key("remote_schema").nonempty_string(),
            lhs_fields=node.key(lhs_key).string_list(),
            remote_field=frozen_map(remote_field.object()),
            batch=ListBatch.parse_optional(node),
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {
            "remote_schema": self.remote_schema,
            "lhs_fields": list(self.lhs_fields),
            "remote_field": dict(self.remote_field),
        }
        if self.batch is not None:
            out["batch"] = self.batch.to_dict()
        return out

    def field_path(self) -> list[tuple[str, Mapping[str, Any]]]:
        """The remote field path from the query root, as (field name, arguments) pairs."""
        path: list[tuple[str, Mapping[str, Any]]] = []
        current: Mapping[str, Any] | None = self.remote_field
        while current:
            ((name, spec),) = current.items()
            path.append((name, spec.get("arguments") or {}))
            current = spec.get("field")
        return path


def validate_remote_field(node: Node) -> None:
    """Check the ``remote_field`` grammar: one key per level, ``arguments`` an object."""
    obj = node.object()
    if len(obj) != 1:
        raise node.fail("expecting exactly one key in a remote field selection")
    ((_, spec_node),) = node.entries()
    arguments = spec_node.get("arguments")
    if arguments is not None:
        arguments.object()
    nested = spec_node.get("field")
    if nested is not None:
        validate_remote_field(nested)


@dataclass(frozen=True)
class ToAction:
    """A join target that is an action (Joinery's extension of the unified form): ``to_action``.

    ``arguments`` maps the action's arguments to values; strings starting with ``$`` are templates
    filled from ``lhs_fields``, as in ``to_remote_schema``. Arguments not fixed here may be passed by
    the client on the relationship field. Without ``batch`` the handler is called once per distinct
    key; with it, once with every key in ``batch.list_argument``.
    """

    action: str
    lhs_fields: tuple[str, ...]
    arguments: Mapping[str, Any] = field(default_factory=dict)
    batch: ListBatch | None = None

    @classmethod
    def parse(cls, node: Node) -> ToAction:
        """Parse a ``to_action`` definition."""
        arguments = node.get("arguments")
        return cls(
            action=node.key("action").name(),
            lhs_fields=node.key("lhs_fields").string_list(),
            arguments=frozen_map(None if arguments is None else arguments.object()),
            batch=ListBatch.parse_optional(node),
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {"action": self.action, "lhs_fields": list(self.lhs_fields)}
        if self.arguments:
            out["arguments"] = dict(self.arguments)
        if self.batch is not None:
            out["batch"] = self.batch.to_dict()
        return out


RelationshipTarget = ToSource | ToRemoteSchema | ToAction
TARGET_KEYS = ("to_source", "to_remote_schema", "to_action")


def parse_target(node: Node, allowed: tuple[str, ...] = TARGET_KEYS) -> RelationshipTarget:
    """Parse a unified relationship definition: exactly one of the ``allowed`` target keys."""
    which = node.exactly_one_of(*allowed)
    if which == "to_source":
        return ToSource.parse(node.key("to_source"))
    if which == "to_action":
        return ToAction.parse(node.key("to_action"))
    return ToRemoteSchema.parse(node.key("to_remote_schema"))


def render_target(target: RelationshipTarget) -> dict[str, Any]:
    """Render a unified relationship definition."""
    if isinstance(target, ToSource):
        return {"to_source": target.to_dict()}
    if isinstance(target, ToAction):
        return {"to_action": target.to_dict()}
    return {"to_remote_schema": target.to_dict()}


def lhs_fields_of(target: RelationshipTarget) -> tuple[str, ...]:
    """The left-hand side fields a join reads: ``field_mapping`` keys or ``lhs_fields``."""
    if isinstance(target, ToSource):
        return tuple(target.field_mapping)
    return target.lhs_fields
