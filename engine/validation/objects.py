"""Inconsistency records and the identity of every metadata object validation can report.

An object id is a tuple naming one metadata object (``("table", "default", "public", "users")``);
callers build the id of the object a metadata command targets with the ``*_id`` functions and look
for it among the inconsistencies. ``MetadataObject`` bundles an id with Hasura's type, name and
definition (shaped like the arguments of the command that creates the object, so a problem's path,
relative to the definition, can be re-rooted under ``$.args``) and the context its reasons start with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.errors import Code
from engine.metadata import (
    Action,
    ActionPermission,
    CustomTypes,
    LocalRelationship,
    Permission,
    QualifiedTable,
    RemoteRelationship,
    RemoteSchema,
    RemoteSchemaPermission,
    RemoteSchemaRelationship,
    Source,
    Table,
    TypeRemoteRelationship,
)

ObjectId = tuple[str, ...]
REASON_PREFIX = "Inconsistent object: "


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an object: a message, a stable code and a path into its definition."""

    message: str
    code: str
    path: str = "$"


@dataclass(frozen=True)
class Inconsistency:
    """An inconsistent metadata object, as Hasura reports it, plus a code and a precise path.

    ``problems`` lists the problems behind ``reason``: one, or several that custom types combine
    into one reason; ``code`` and ``path`` are those of the first.
    """

    object_id: ObjectId
    type: str
    name: str
    definition: Any
    reason: str
    code: str
    path: str = "$"
    problems: tuple[Problem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Hasura's inconsistent-object record."""
        return {"definition": self.definition, "name": self.name, "reason": self.reason, "type": self.type}


@dataclass(frozen=True)
class MetadataObject:
    """A metadata object as validation reports it; ``context`` prefixes every reason."""

    object_id: ObjectId
    type: str
    name: str
    definition: Any
    context: str = ""

    def inconsistency(self, problem: Problem) -> Inconsistency:
        """The record for one problem of this object."""
        reason = f"{REASON_PREFIX}{self.context}{problem.message}"
        return Inconsistency(
            self.object_id,
            self.type,
            self.name,
            self.definition,
            reason,
            problem.code,
            problem.path,
            (problem,),
        )

    def duplicated(self, path: str = "$.name") -> Inconsistency:
        """The record for a second definition of this object (reported without context)."""
        return MetadataObject(self.object_id, self.type, self.name, self.definition).inconsistency(
            Problem(f"multiple definitions for {self.name}", Code.ALREADY_EXISTS, path)
        )


def quoted(value: object) -> str:
    """Quote a name the way Hasura's messages do."""
    return f'"{value}"'


def source_id(name: str) -> ObjectId:
    """The id of a source."""
    return ("source", name)


def table_id(source: str, table: QualifiedTable) -> ObjectId:
    """The id of a tracked table."""
    return ("table", source, table.schema, table.name)


def relationship_id(source: str, table: QualifiedTable, name: str) -> ObjectId:
    """The id of an object or array relationship (the two share one namespace)."""
    return ("relationship", source, table.schema, table.name, name)


def remote_relationship_id(source: str, table: QualifiedTable, name: str) -> ObjectId:
    """The id of a remote relationship defined on a table."""
    return ("remote_relationship", source, table.schema, table.name, name)


def permission_id(source: str, table: QualifiedTable, kind: str, role: str) -> ObjectId:
    """The id of a table permission of ``kind`` (insert/select/update/delete) for ``role``."""
    return ("permission", source, table.schema, table.name, kind, role)


def action_id(name: str) -> ObjectId:
    """The id of an action."""
    return ("action", name)


def action_permission_id(action: str, role: str) -> ObjectId:
    """The id of a role's permission on an action."""
    return ("action_permission", action, role)


def custom_types_id() -> ObjectId:
    """The id of the custom types (validated and replaced as one object)."""
    return ("custom_types",)


def custom_type_relationship_id(type_name: str, name: str) -> ObjectId:
    """The id of a relationship of a custom object type (a part of the custom types)."""
    return ("custom_type_relationship", type_name, name)


def remote_schema_id(name: str) -> ObjectId:
    """The id of a remote schema."""
    return ("remote_schema", name)


def remote_schema_permission_id(remote_schema: str, role: str) -> ObjectId:
    """The id of a role's permission on a remote schema."""
    return ("remote_schema_permission", remote_schema, role)


def remote_schema_relationship_id(remote_schema: str, type_name: str | None, name: str) -> ObjectId:
    """The id of a relationship on a remote schema type (type name as written in the metadata)."""
    return ("remote_schema_relationship", remote_schema, type_name or "", name)


def table_context(table: QualifiedTable) -> str:
    """The reason prefix of objects that belong to a table."""
    return f"in table {quoted(table)}: "


def source_object(source: Source) -> MetadataObject:
    """A source, defined like ``pg_add_source`` arguments."""
    definition: dict[str, Any] = {
        "name": source.name,
        "kind": source.kind,
        "configuration": dict(source.configuration),
    }
    if source.customization:
        definition["customization"] = dict(source.customization)
    return MetadataObject(source_id(source.name), "source", f"source {source.name}", definition)


def table_object(source: str, table: Table) -> MetadataObject:
    """A tracked table, defined like ``pg_track_table`` arguments."""
    definition: dict[str, Any] = {"source": source, "table": table.table.to_dict()}
    if table.configuration:
        definition["configuration"] = dict(table.configuration)
    if table.is_enum:
        definition["is_enum"] = True
    return MetadataObject(
        table_id(source, table.table), "table", _table_name(source, table.table), definition
    )


def relationship_object(
    source: str, table: QualifiedTable, relationship: LocalRelationship
) -> MetadataObject:
    """An object or array relationship, defined like ``pg_create_*_relationship`` arguments."""
    definition = {"source": source, "table": table.to_dict(), **relationship.to_dict()}
    kind = f"{relationship.kind}_relation"
    return MetadataObject(
        relationship_id(source, table, relationship.name),
        kind,
        f"{kind} {relationship.name} in {_table_name(source, table)}",
        definition,
        f"{table_context(table)}in relationship {quoted(relationship.name)}: ",
    )


def remote_relationship_object(
    source: str, table: QualifiedTable, relationship: RemoteRelationship
) -> MetadataObject:
    """A table remote relationship, defined like ``pg_create_remote_relationship`` arguments.

    The legacy form keeps its keys beside ``name``, as its create command does.
    """
    head = {"source": source, "table": table.to_dict(), "name": relationship.name}
    body = (
        relationship.definition_dict()
        if relationship.legacy
        else {"definition": relationship.definition_dict()}
    )
    return MetadataObject(
        remote_relationship_id(source, table, relationship.name),
        "remote_relationship",
        f"remote_relationship {relationship.name} in {_table_name(source, table)}",
        {**head, **body},
        f"{table_context(table)}in remote relationship {quoted(relationship.name)}: ",
    )


def permission_object(source: str, table: QualifiedTable, permission: Permission) -> MetadataObject:
    """A table permission, defined like ``pg_create_*_permission`` arguments."""
    definition = {"source": source, "table": table.to_dict(), **permission.to_dict()}
    kind = f"{permission.kind}_permission"
    return MetadataObject(
        permission_id(source, table, permission.kind, permission.role),
        kind,
        f"{kind} {permission.role} in {_table_name(source, table)}",
        definition,
        f"{table_context(table)}in permission for role {quoted(permission.role)}: ",
    )


def action_object(action: Action) -> MetadataObject:
    """An action, defined like ``create_action`` arguments."""
    definition: dict[str, Any] = {"name": action.name, "definition": action.definition.to_dict()}
    if action.comment is not None:
        definition["comment"] = action.comment
    return MetadataObject(action_id(action.name), "action", f"action {action.name}", definition)


def action_permission_object(action: str, permission: ActionPermission) -> MetadataObject:
    """An action permission, defined like ``create_action_permission`` arguments."""
    definition = {"action": action, **permission.to_dict()}
    return MetadataObject(
        action_permission_id(action, permission.role),
        "action_permission",
        f"action_permission {permission.role} permission in {action}",
        definition,
    )


def custom_types_object(custom_types: CustomTypes) -> MetadataObject:
    """The custom types, defined like ``set_custom_types`` arguments."""
    return MetadataObject(
        custom_types_id(), "custom_types", "custom_types custom_types", custom_types.to_dict()
    )


def custom_type_relationship_object(type_name: str, relationship: TypeRemoteRelationship) -> MetadataObject:
    """A custom object type's relationship to a remote schema field or an action."""
    definition = {"type_name": type_name, **relationship.to_dict()}
    return MetadataObject(
        custom_type_relationship_id(type_name, relationship.name),
        "custom_type_relationship",
        f"custom_type_relationship {relationship.name} on type {type_name}",
        definition,
        f"in custom type {quoted(type_name)}: in relationship {quoted(relationship.name)}: ",
    )


def remote_schema_object(remote_schema: RemoteSchema) -> MetadataObject:
    """A remote schema, defined like ``add_remote_schema`` arguments."""
    definition: dict[str, Any] = {
        "name": remote_schema.name,
        "definition": remote_schema.definition.to_dict(),
    }
    if remote_schema.comment is not None:
        definition["comment"] = remote_schema.comment
    return MetadataObject(
        remote_schema_id(remote_schema.name),
        "remote_schema",
        f"remote_schema {remote_schema.name}",
        definition,
    )


def remote_schema_permission_object(remote_schema: str, permission: RemoteSchemaPermission) -> MetadataObject:
    """A remote schema permission, defined like ``add_remote_schema_permissions`` arguments."""
    definition = {"remote_schema": remote_schema, **permission.to_dict()}
    return MetadataObject(
        remote_schema_permission_id(remote_schema, permission.role),
        "remote_schema_permission",
        f"remote_schema_permission {permission.role} permission in remote schema {remote_schema}",
        definition,
        f"in remote schema permission for role {quoted(permission.role)}: ",
    )


def remote_schema_relationship_object(
    remote_schema: str, type_name: str | None, relationship: RemoteSchemaRelationship, shown_type: str | None
) -> MetadataObject:
    """A relationship on a remote type, defined like ``create_remote_schema_remote_relationship`` args.

    ``shown_type`` is the type named in messages: the written type name, or the inferred one.
    """
    definition: dict[str, Any] = {"remote_schema": remote_schema}
    if type_name is not None:
        definition["type_name"] = type_name
    definition.update(relationship.to_dict())
    on_type = f" on type {shown_type}" if shown_type else ""
    return MetadataObject(
        remote_schema_relationship_id(remote_schema, type_name, relationship.name),
        "remote_schema_remote_relationship",
        f"remote_schema_remote_relationship {relationship.name}{on_type} in remote schema {remote_schema}",
        definition,
        f"in remote schema {quoted(remote_schema)}: in remote relationship {quoted(relationship.name)}: ",
    )


def _table_name(source: str, table: QualifiedTable) -> str:
    return f"table {table} in source {source}"
