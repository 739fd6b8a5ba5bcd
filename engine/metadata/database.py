"""Metadata for data sources: sources, tracked tables, their relationships and permissions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.metadata.common import (
    QualifiedTable,
    RelationshipTarget,
    ToRemoteSchema,
    frozen_map,
    parse_target,
    render_target,
)
from engine.metadata.reader import Node

SOURCE_KINDS = ("postgres", "sqlite")
PERMISSION_KINDS = ("insert", "select", "update", "delete")


@dataclass(frozen=True)
class ForeignKeyUsing:
    """``foreign_key_constraint_on``: columns of this table, or of ``table`` pointing back here."""

    columns: tuple[str, ...]
    table: QualifiedTable | None = None

    @classmethod
    def parse(cls, node: Node) -> ForeignKeyUsing:
        """Parse a column name, a list of column names, or ``{"table", "columns"|"column"}``."""
        if isinstance(node.value, str):
            return cls((node.nonempty_string(),))
        if isinstance(node.value, list):
            return cls(node.string_list())
        table = QualifiedTable.parse(node.key("table"))
        if node.has("columns"):
            return cls(node.key("columns").string_list(), table)
        return cls((node.key("column").nonempty_string(),), table)

    def to_dict(self) -> Any:
        """Render in export form."""
        if self.table is not None:
            return {"table": self.table.to_dict(), "columns": list(self.columns)}
        return self.columns[0] if len(self.columns) == 1 else list(self.columns)


@dataclass(frozen=True)
class ManualUsing:
    """``manual_configuration``: an explicit column mapping to another table of the same source."""

    remote_table: QualifiedTable
    column_mapping: Mapping[str, str]
    insertion_order: str | None = None

    @classmethod
    def parse(cls, node: Node) -> ManualUsing:
        """Parse a manual configuration."""
        return cls(
            remote_table=QualifiedTable.parse(node.key("remote_table")),
            column_mapping=node.key("column_mapping").string_map(),
            insertion_order=node.optional_string("insertion_order"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {
            "remote_table": self.remote_table.to_dict(),
            "column_mapping": dict(self.column_mapping),
        }
        if self.insertion_order is not None:
            out["insertion_order"] = self.insertion_order
        return out


@dataclass(frozen=True)
class LocalRelationship:
    """An object or array relationship between two tables of one source."""

    name: str
    kind: str
    using: ForeignKeyUsing | ManualUsing
    comment: str | None = None

    @classmethod
    def parse(cls, node: Node, kind: str) -> LocalRelationship:
        """Parse ``{"name", "using", "comment"?}``."""
        using = node.key("using")
        which = using.exactly_one_of("foreign_key_constraint_on", "manual_configuration")
        parsed: ForeignKeyUsing | ManualUsing
        if which == "foreign_key_constraint_on":
            parsed = ForeignKeyUsing.parse(using.key(which))
        else:
            parsed = ManualUsing.parse(using.key(which))
        return cls(node.key("name").name(), kind, parsed, node.optional_string("comment"))

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        key = (
            "foreign_key_constraint_on" if isinstance(self.using, ForeignKeyUsing) else "manual_configuration"
        )
        out: dict[str, Any] = {"name": self.name, "using": {key: self.using.to_dict()}}
        if self.comment is not None:
            out["comment"] = self.comment
        return out


@dataclass(frozen=True)
class RemoteRelationship:
    """A relationship from a table to another source's table or to a remote schema field.

    ``legacy`` marks the pre-unified form (``remote_schema``/``hasura_fields``/``remote_field``),
    which export preserves.
    """

    name: str
    target: RelationshipTarget
    legacy: bool = False

    @classmethod
    def parse(cls, node: Node) -> RemoteRelationship:
        """Parse a stored table remote relationship ``{"name", "definition"}``."""
        name = node.key("name").name()
        definition = node.key("definition")
        if definition.has("remote_schema") and not definition.has("to_remote_schema"):
            return cls(name, ToRemoteSchema.parse(definition, lhs_key="hasura_fields"), legacy=True)
        return cls(name, parse_target(definition))

    def definition_dict(self) -> dict[str, Any]:
        """Render the definition in the form it was created in."""
        if self.legacy and isinstance(self.target, ToRemoteSchema):
            return {
                "remote_schema": self.target.remote_schema,
                "hasura_fields": list(self.target.lhs_fields),
                "remote_field": dict(self.target.remote_field),
            }
        return render_target(self.target)

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        return {"name": self.name, "definition": self.definition_dict()}


@dataclass(frozen=True)
class Permission:
    """A role's permission of one kind (insert/select/update/delete) on a table.

    The permission body keeps Hasura's shape; typed accessors cover what the engine reads.
    """

    role: str
    kind: str
    permission: Mapping[str, Any]
    comment: str | None = None

    @classmethod
    def parse(cls, node: Node, kind: str) -> Permission:
        """Parse ``{"role", "permission", "comment"?}``."""
        body = node.key("permission")
        body.object()
        if kind == "select":
            validate_select_permission(body)
        return cls(
            node.key("role").nonempty_string(), kind, frozen_map(body.value), node.optional_string("comment")
        )

    @property
    def columns(self) -> tuple[str, ...] | str:
        """The permitted columns, or ``"*"`` for all."""
        columns = self.permission.get("columns", ())
        return "*" if columns == "*" else tuple(columns)

    @property
    def filter(self) -> Mapping[str, Any]:
        """The row filter (a boolean expression)."""
        return self.permission.get("filter") or {}

    @property
    def limit(self) -> int | None:
        """The row limit, if any."""
        return self.permission.get("limit")

    @property
    def allow_aggregations(self) -> bool:
        """Whether aggregate queries are allowed."""
        return bool(self.permission.get("allow_aggregations", False))

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {"role": self.role, "permission": dict(self.permission)}
        if self.comment is not None:
            out["comment"] = self.comment
        return out


def validate_select_permission(body: Node) -> None:
    """Check the shape of a select permission body."""
    columns = body.key("columns")
    if columns.value != "*":
        columns.string_list()
    if body.has("filter"):
        body.key("filter").object()
    if body.has("limit"):
        limit = body.key("limit")
        if limit.integer() < 0:
            raise limit.fail("expected a non-negative integer")
    if body.has("allow_aggregations"):
        body.key("allow_aggregations").boolean()


@dataclass(frozen=True)
class Table:
    """A tracked table with its configuration, relationships and permissions."""

    table: QualifiedTable
    configuration: Mapping[str, Any] = field(default_factory=dict)
    is_enum: bool = False
    object_relationships: tuple[LocalRelationship, ...] = ()
    array_relationships: tuple[LocalRelationship, ...] = ()
    remote_relationships: tuple[RemoteRelationship, ...] = ()
    permissions: tuple[Permission, ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)

    PASSTHROUGH = ("computed_fields", "event_triggers", "apollo_federation_config")

    @classmethod
    def parse(cls, node: Node) -> Table:
        """Parse one ``tables[]`` entry."""
        permissions = tuple(
            Permission.parse(item, kind)
            for kind in PERMISSION_KINDS
            for item in _list(node, f"{kind}_permissions")
        )
        configuration = node.optional_object("configuration") or {}
        if configuration:
            validate_table_configuration(node.key("configuration"))
        return cls(
            table=QualifiedTable.parse(node.key("table")),
            configuration=frozen_map(configuration),
            is_enum=node.optional_bool("is_enum", False),
            object_relationships=tuple(
                LocalRelationship.parse(item, "object") for item in _list(node, "object_relationships")
            ),
            array_relationships=tuple(
                LocalRelationship.parse(item, "array") for item in _list(node, "array_relationships")
            ),
            remote_relationships=tuple(
                RemoteRelationship.parse(item) for item in _list(node, "remote_relationships")
            ),
            permissions=permissions,
            extras={key: node.object()[key] for key in cls.PASSTHROUGH if node.object().get(key)},
        )

    @property
    def relationships(self) -> tuple[LocalRelationship, ...]:
        """Object and array relationships together."""
        return self.object_relationships + self.array_relationships

    @property
    def custom_name(self) -> str | None:
        """The GraphQL name configured for this table, if any."""
        return self.configuration.get("custom_name")

    def permissions_of(self, kind: str) -> tuple[Permission, ...]:
        """The permissions of one kind."""
        return tuple(p for p in self.permissions if p.kind == kind)

    def permission(self, kind: str, role: str) -> Permission | None:
        """The permission of ``kind`` for ``role``, if defined."""
        return next((p for p in self.permissions if p.kind == kind and p.role == role), None)

    def relationship(self, name: str) -> LocalRelationship | None:
        """A local relationship by name."""
        return next((r for r in self.relationships if r.name == name), None)

    def remote_relationship(self, name: str) -> RemoteRelationship | None:
        """A remote relationship by name."""
        return next((r for r in self.remote_relationships if r.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Render in export form (empty collections omitted, Hasura's key order)."""
        out: dict[str, Any] = {"table": self.table.to_dict()}
        if self.configuration:
            out["configuration"] = dict(self.configuration)
        if self.is_enum:
            out["is_enum"] = True
        _put_list(out, "object_relationships", self.object_relationships)
        _put_list(out, "array_relationships", self.array_relationships)
        if self.extras.get("computed_fields"):
            out["computed_fields"] = self.extras["computed_fields"]
        _put_list(out, "remote_relationships", self.remote_relationships)
        for kind in PERMISSION_KINDS:
            _put_list(out, f"{kind}_permissions", self.permissions_of(kind))
        for key in ("event_triggers", "apollo_federation_config"):
            if self.extras.get(key):
                out[key] = self.extras[key]
        return out


def validate_table_configuration(node: Node) -> None:
    """Check the shape of a table configuration."""
    if node.has("custom_name"):
        node.key("custom_name").name()
    if node.has("custom_root_fields"):
        for _, value in node.key("custom_root_fields").entries():
            if value.value is not None and not isinstance(value.value, dict):
                value.name()
    if node.has("column_config"):
        for _, column in node.key("column_config").entries():
            if column.has("custom_name"):
                column.key("custom_name").name()


@dataclass(frozen=True)
class Source:
    """A connected database: ``kind`` is ``postgres`` or ``sqlite``."""

    name: str
    kind: str
    configuration: Mapping[str, Any]
    tables: tuple[Table, ...] = ()
    customization: Mapping[str, Any] | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    PASSTHROUGH = ("functions", "native_queries", "logical_models", "stored_procedures")

    @classmethod
    def parse(cls, node: Node) -> Source:
        """Parse one ``sources[]`` entry."""
        kind_node = node.key("kind")
        kind = kind_node.string()
        if kind not in SOURCE_KINDS:
            raise kind_node.fail(
                f'unsupported source kind "{kind}"; expected one of: {", ".join(SOURCE_KINDS)}'
            )
        configuration = node.key("configuration")
        configuration.key("connection_info").key("database_url")
        return cls(
            name=node.key("name").nonempty_string(),
            kind=kind,
            configuration=frozen_map(configuration.object()),
            tables=tuple(Table.parse(item) for item in _list(node, "tables")),
            customization=node.optional_object("customization"),
            extras={key: node.object()[key] for key in cls.PASSTHROUGH if node.object().get(key)},
        )

    def table(self, name: QualifiedTable) -> Table | None:
        """A tracked table by name."""
        return next((t for t in self.tables if t.table == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Render in export form."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "tables": [t.to_dict() for t in self.tables],
        }
        for key in self.PASSTHROUGH:
            if self.extras.get(key):
                out[key] = self.extras[key]
        out["configuration"] = dict(self.configuration)
        if self.customization:
            out["customization"] = dict(self.customization)
        return out


def _list(node: Node, key: str) -> list[Node]:
    child = node.get(key)
    return [] if child is None else child.items()


def _put_list(out: dict[str, Any], key: str, items: tuple[Any, ...]) -> None:
    if items:
        out[key] = [item.to_dict() for item in items]
