"""Commands for sources, tracked tables, local and remote relationships and table permissions (§1.8–§1.10).

Every command exists once per source kind: ``pg_*`` works on PostgreSQL sources, ``sqlite_*`` on
SQLite ones, and a command of one kind refuses a source of the other. Handlers check what only the
command knows (the source and table exist, a name is free, a dropped object has no dependents) and
build the new metadata; the funnel in ``relationships.services`` then validates it against the
databases, so a missing column or foreign key comes back as ``invalid-configuration``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from engine.dependencies import drop_dependents, find_dependents
from engine.errors import Code, EngineError
from engine.metadata import (
    DEFAULT_SOURCE,
    LocalRelationship,
    Metadata,
    Node,
    Permission,
    QualifiedTable,
    RemoteRelationship,
    Source,
    Table,
    ToRemoteSchema,
)
from engine.metadata.common import parse_target
from engine.metadata.database import PERMISSION_KINDS, validate_table_configuration
from engine.naming import column_graphql_name
from engine.validation.objects import (
    ObjectId,
    permission_id,
    relationship_id,
    remote_relationship_id,
    source_id,
    table_id,
)
from relationships.auth import ADMIN_ROLE
from relationships.commands import (
    BACKEND_PREFIXES,
    CommandContext,
    CommandResult,
    command,
    dependency_error,
    source_kind,
)

TABLE_CHILD_KINDS = ("relationship", "remote_relationship", "permission")
_PERMISSION_COMMAND = re.compile(r"_(?:create|drop)_(insert|select|update|delete)_permission$")


def prefixed(name: str) -> list[str]:
    """The command types of ``name`` for every source kind (``pg_track_table``, ``sqlite_track_table``)."""
    return [f"{prefix}_{name}" for prefix in BACKEND_PREFIXES]


# Sources -----------------------------------------------------------------------------------------


@command(*prefixed("add_source"))
def add_source(context: CommandContext, args: Node) -> CommandResult:
    """Add a source, or replace its configuration and customization with ``replace_configuration``."""
    name_node = args.key("name")
    source = _parse_source(context, args, name_node.nonempty_string())
    existing = context.metadata.source(source.name)
    if existing is not None:
        if not args.optional_bool("replace_configuration", False):
            raise EngineError(
                f'source with name "{source.name}" already exists',
                code=Code.ALREADY_EXISTS,
                path=name_node.path,
            )
        _check_kind(context, existing, name_node)
        source = replace(existing, configuration=source.configuration, customization=source.customization)
    return CommandResult(metadata=with_source(context.metadata, source), target=source_id(source.name))


@command(*prefixed("update_source"))
def update_source(context: CommandContext, args: Node) -> CommandResult:
    """Change the configuration and/or customization of an existing source."""
    existing = existing_source(context, args.key("name"), args)
    document = {
        "name": existing.name,
        "configuration": args.object().get("configuration", existing.configuration),
        "customization": args.object().get("customization", existing.customization),
    }
    parsed = _parse_source(context, Node(document, args.path), existing.name)
    source = replace(existing, configuration=parsed.configuration, customization=parsed.customization)
    return CommandResult(metadata=with_source(context.metadata, source), target=source_id(source.name))


@command(*prefixed("drop_source"))
def drop_source(context: CommandContext, args: Node) -> CommandResult:
    """Remove a source with its tables; objects elsewhere that use it need ``cascade``."""
    source = existing_source(context, args.key("name"), args)
    metadata = without_dependents(
        context,
        source_id(source.name),
        args,
        owned=lambda object_id: object_id[0] in ("table", *TABLE_CHILD_KINDS) and object_id[1] == source.name,
    )
    sources = tuple(s for s in metadata.sources if s.name != source.name)
    return CommandResult(metadata=replace(metadata, sources=sources))


@command("rename_source")
def rename_source(context: CommandContext, args: Node) -> CommandResult:
    """Rename a source and every reference to it."""
    name_node, new_name_node = args.key("name"), args.key("new_name")
    name, new_name = name_node.nonempty_string(), new_name_node.nonempty_string()
    if context.metadata.source(name) is None:
        raise EngineError(
            f'Could not find source with name "{name}"', code=Code.NOT_EXISTS, path=name_node.path
        )
    if context.metadata.source(new_name) is not None:
        raise EngineError(
            f'Source with name "{new_name}" already exists', code=Code.ALREADY_EXISTS, path=new_name_node.path
        )
    document = renamed_source_references(context.metadata.to_dict(), name, new_name)
    return CommandResult(metadata=Metadata.from_dict(document), target=source_id(new_name))


def renamed_source_references(document: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The export document with source ``old`` renamed, in place, wherever it is named."""
    for source in document.get("sources", []):
        if source["name"] == old:
            source["name"] = new
        for table in source.get("tables", []):
            _rename_targets((r["definition"] for r in table.get("remote_relationships", [])), old, new)
    for remote_schema in document.get("remote_schemas", []):
        for group in remote_schema.get("remote_relationships", []):
            _rename_targets((r["definition"] for r in group["relationships"]), old, new)
    for custom_object in document.get("custom_types", {}).get("objects", []):
        for relationship in custom_object.get("relationships", []):
            if relationship.get("source", DEFAULT_SOURCE) == old:
                relationship["source"] = new
    return document


def _rename_targets(definitions: Iterable[dict[str, Any]], old: str, new: str) -> None:
    for definition in definitions:
        target = definition.get("to_source")
        if target is not None and target.get("source", DEFAULT_SOURCE) == old:
            target["source"] = new


def _parse_source(context: CommandContext, args: Node, name: str) -> Source:
    """A source of the command's kind from ``{configuration, customization?}`` (errors keep their paths)."""
    document = {
        "name": name,
        "kind": source_kind(context.command_type),
        "configuration": args.object().get("configuration"),
        "customization": args.object().get("customization"),
    }
    if document["configuration"] is None:
        args.key("configuration")
    return Source.parse(Node(document, args.path))


def existing_source(context: CommandContext, name_node: Node | None, args: Node) -> Source:
    """The source named at ``name_node`` (``default`` when absent), of the command's kind."""
    name = DEFAULT_SOURCE if name_node is None else name_node.nonempty_string()
    located = args if name_node is None else name_node
    source = context.metadata.source(name)
    if source is None:
        raise EngineError(
            f'source with name "{name}" does not exist', code=Code.NOT_EXISTS, path=located.path
        )
    _check_kind(context, source, located)
    return source


def _check_kind(context: CommandContext, source: Source, node: Node) -> None:
    kind = source_kind(context.command_type)
    if source.kind != kind:
        raise EngineError(
            f'source with name "{source.name}" has backend type "{source.kind}" which does not match '
            f'the type of this command ("{context.command_type}" works on {kind} sources)',
            code=Code.NOT_SUPPORTED,
            path=node.path,
        )


def with_source(metadata: Metadata, source: Source) -> Metadata:
    """``metadata`` with ``source`` added, or replacing the source of the same name."""
    if metadata.source(source.name) is None:
        return replace(metadata, sources=(*metadata.sources, source))
    sources = tuple(source if s.name == source.name else s for s in metadata.sources)
    return replace(metadata, sources=sources)


# Tables ------------------------------------------------------------------------------------------


@command(*prefixed("track_table"))
def track_table(context: CommandContext, args: Node) -> CommandResult:
    """Track a table or view of a source, optionally with a configuration."""
    source = existing_source(context, args.get("source"), args)
    name = QualifiedTable.parse(_table_node(args))
    table = Table(
        table=name, configuration=_table_configuration(args), is_enum=args.optional_bool("is_enum", False)
    )
    if source.table(name) is not None:
        raise EngineError(f'view/table already tracked: "{name}"', code=Code.ALREADY_TRACKED, path=args.path)
    updated = replace(source, tables=(*source.tables, table))
    return CommandResult(metadata=with_source(context.metadata, updated), target=table_id(source.name, name))


@command(*prefixed("untrack_table"))
def untrack_table(context: CommandContext, args: Node) -> CommandResult:
    """Stop tracking a table; objects elsewhere that use it need ``cascade``."""
    source = existing_source(context, args.get("source"), args)
    name = QualifiedTable.parse(_table_node(args))
    if source.table(name) is None:
        raise EngineError(
            f'view/table already untracked: "{name}"', code=Code.ALREADY_UNTRACKED, path=args.path
        )
    metadata = without_dependents(
        context, table_id(source.name, name), args, owned=lambda oid: belongs_to_table(oid, source.name, name)
    )
    return CommandResult(metadata=without_table(metadata, source.name, name))


@command(*prefixed("set_table_customization"))
def set_table_customization(context: CommandContext, args: Node) -> CommandResult:
    """Replace a tracked table's configuration (custom name, root fields, column names)."""
    source, table = tracked_table(context, args)
    updated = replace(table, configuration=_table_configuration(args))
    return _table_changed(context, source, updated, table_id(source.name, table.table))


@command(*prefixed("set_table_is_enum"))
def set_table_is_enum(context: CommandContext, args: Node) -> CommandResult:
    """Mark a tracked table as an enum table (or not)."""
    source, table = tracked_table(context, args)
    updated = replace(table, is_enum=args.key("is_enum").boolean())
    return _table_changed(context, source, updated, table_id(source.name, table.table))


def _table_node(args: Node) -> Node:
    """The table argument; the oldest form gives the table's ``schema``/``name`` as the args themselves."""
    if not args.has("table") and args.has("name"):
        return args
    return args.key("table")


def _table_configuration(args: Node) -> dict[str, Any]:
    node = args.get("configuration")
    if node is None:
        return {}
    validate_table_configuration(node)
    return dict(node.object())


def tracked_table(context: CommandContext, args: Node) -> tuple[Source, Table]:
    """The source and tracked table named by ``args.source`` and ``args.table``."""
    source = existing_source(context, args.get("source"), args)
    node = args.key("table")
    name = QualifiedTable.parse(node)
    table = source.table(name)
    if table is None:
        raise EngineError(
            f'table "{name}" does not exist in source: {source.name}', code=Code.NOT_EXISTS, path=node.path
        )
    return source, table


def belongs_to_table(object_id: ObjectId, source: str, table: QualifiedTable) -> bool:
    """True for the table's own id and the ids of its relationships and permissions."""
    if object_id == table_id(source, table):
        return True
    return object_id[0] in TABLE_CHILD_KINDS and object_id[1:4] == (source, table.schema, table.name)


def without_table(metadata: Metadata, source_name: str, name: QualifiedTable) -> Metadata:
    """``metadata`` with the table ``name`` of ``source_name`` untracked (with its own objects)."""
    source = metadata.source(source_name)
    assert source is not None
    return with_source(metadata, replace(source, tables=tuple(t for t in source.tables if t.table != name)))


def with_table(metadata: Metadata, source: Source, table: Table) -> Metadata:
    """``metadata`` with ``table`` replacing the tracked table of the same name in ``source``."""
    tables = tuple(table if t.table == table.table else t for t in source.tables)
    return with_source(metadata, replace(source, tables=tables))


def _table_changed(context: CommandContext, source: Source, table: Table, target: ObjectId) -> CommandResult:
    return CommandResult(metadata=with_table(context.metadata, source, table), target=target)


def column_names(context: CommandContext, source: Source, table: Table) -> set[str]:
    """The table's columns as the database has them, and their GraphQL names (empty if unreadable)."""
    catalog = context.environments.catalog(source)
    info = None if isinstance(catalog, str) else catalog.table(table.table.schema, table.table.name)
    if info is None:
        return set()
    return {c.name for c in info.columns} | {column_graphql_name(table, c.name) for c in info.columns}


def check_field_name_free(context: CommandContext, source: Source, table: Table, name_node: Node) -> None:
    """A new relationship's name must not be a column or another relationship of the table."""
    name = name_node.value
    taken = (
        table.relationship(name)
        or table.remote_relationship(name)
        or name in column_names(context, source, table)
    )
    if taken:
        raise EngineError(
            f'field with name "{name}" already exists in table "{table.table}"',
            code=Code.ALREADY_EXISTS,
            path=name_node.path,
        )


def without_dependents(
    context: CommandContext, object_id: ObjectId, args: Node, *, owned: Callable[[ObjectId], bool]
) -> Metadata:
    """The metadata without what depends on ``object_id`` (with ``cascade``), or a dependency-error.

    Objects ``owned`` by the dropped one go with it anyway and are not reported.
    """
    metadata = context.metadata
    cascade = args.optional_bool("cascade", False)
    found = find_dependents(metadata, object_id, context.environment())
    dependents = [d for d in found if not owned(d.object_id)]
    if dependents and not cascade:
        raise dependency_error(sorted(d.description for d in dependents), args.path)
    return drop_dependents(metadata, dependents) if dependents else metadata


# Local relationships -----------------------------------------------------------------------------


@command(*prefixed("create_object_relationship"))
def create_object_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Add an object relationship (a foreign key on either side, or a manual column mapping)."""
    return _create_relationship(context, args, "object")


@command(*prefixed("create_array_relationship"))
def create_array_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Add an array relationship (a foreign key of the other table, or a manual column mapping)."""
    foreign_key = args.key("using").get("foreign_key_constraint_on")
    if foreign_key is not None:
        foreign_key.object()
    return _create_relationship(context, args, "array")


def _create_relationship(context: CommandContext, args: Node, kind: str) -> CommandResult:
    source, table = tracked_table(context, args)
    relationship = LocalRelationship.parse(args, kind)
    check_field_name_free(context, source, table, args.key("name"))
    field = f"{kind}_relationships"
    updated = replace(table, **{field: (*getattr(table, field), relationship)})
    target = relationship_id(source.name, table.table, relationship.name)
    return _table_changed(context, source, updated, target)


@command(*prefixed("drop_relationship"))
def drop_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Remove a relationship; permissions that use it need ``cascade``."""
    source, table = tracked_table(context, args)
    relationship = existing_relationship(table, _relationship_name_node(args))
    object_id = relationship_id(source.name, table.table, relationship.name)
    metadata = without_dependents(context, object_id, args, owned=lambda oid: oid == object_id)
    source, table = _reread(metadata, source, table)
    return CommandResult(
        metadata=with_table(metadata, source, _without_relationship(table, relationship.name))
    )


@command(*prefixed("rename_relationship"))
def rename_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Give a relationship a new name that no other field of the table has."""
    source, table = tracked_table(context, args)
    relationship = existing_relationship(table, args.key("name"))
    new_name_node = args.key("new_name")
    new_name_node.name()
    check_field_name_free(context, source, table, new_name_node)
    renamed = replace(relationship, name=new_name_node.value)
    target = relationship_id(source.name, table.table, renamed.name)
    return _table_changed(context, source, _with_relationship(table, relationship.name, renamed), target)


@command(*prefixed("set_relationship_comment"))
def set_relationship_comment(context: CommandContext, args: Node) -> CommandResult:
    """Set (or clear, with null) a relationship's comment."""
    source, table = tracked_table(context, args)
    relationship = existing_relationship(table, _relationship_name_node(args))
    commented = replace(relationship, comment=args.optional_string("comment"))
    target = relationship_id(source.name, table.table, relationship.name)
    return _table_changed(context, source, _with_relationship(table, relationship.name, commented), target)


def _relationship_name_node(args: Node) -> Node:
    """The relationship named by ``relationship`` (the documented key) or ``name`` (the docs' example)."""
    node = args.get("relationship") or args.get("name")
    return node if node is not None else args.key("relationship")


def existing_relationship(table: Table, name_node: Node) -> LocalRelationship:
    """The table's relationship named at ``name_node``, or Hasura's not-exists error."""
    name = name_node.string()
    relationship = table.relationship(name)
    if relationship is None:
        raise EngineError(f'relationship "{name}" does not exist', code=Code.NOT_EXISTS, path=name_node.path)
    return relationship


def _with_relationship(table: Table, name: str, relationship: LocalRelationship) -> Table:
    field = f"{relationship.kind}_relationships"
    updated = tuple(relationship if r.name == name else r for r in getattr(table, field))
    return replace(table, **{field: updated})


def _without_relationship(table: Table, name: str) -> Table:
    return replace(
        table,
        object_relationships=tuple(r for r in table.object_relationships if r.name != name),
        array_relationships=tuple(r for r in table.array_relationships if r.name != name),
    )


def _reread(metadata: Metadata, source: Source, table: Table) -> tuple[Source, Table]:
    """The source and table as they are in ``metadata`` (after dependents were dropped)."""
    fresh_source = metadata.source(source.name)
    assert fresh_source is not None
    fresh_table = fresh_source.table(table.table)
    assert fresh_table is not None
    return fresh_source, fresh_table


# Remote relationships ----------------------------------------------------------------------------


@command(*prefixed("create_remote_relationship"))
def create_remote_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Add a relationship from a table to another source's table or to a remote schema field."""
    source, table = tracked_table(context, args)
    relationship = parse_remote_relationship(args)
    check_field_name_free(context, source, table, args.key("name"))
    updated = replace(table, remote_relationships=(*table.remote_relationships, relationship))
    target = remote_relationship_id(source.name, table.table, relationship.name)
    return _table_changed(context, source, updated, target)


@command(*prefixed("update_remote_relationship"))
def update_remote_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Replace the definition of an existing remote relationship."""
    source, table = tracked_table(context, args)
    relationship = parse_remote_relationship(args)
    existing_remote_relationship(table, args.key("name"))
    updated = replace(
        table,
        remote_relationships=tuple(
            relationship if r.name == relationship.name else r for r in table.remote_relationships
        ),
    )
    target = remote_relationship_id(source.name, table.table, relationship.name)
    return _table_changed(context, source, updated, target)


@command(*prefixed("delete_remote_relationship"))
def delete_remote_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Remove a remote relationship."""
    source, table = tracked_table(context, args)
    name = existing_remote_relationship(table, args.key("name")).name
    updated = replace(
        table, remote_relationships=tuple(r for r in table.remote_relationships if r.name != name)
    )
    return CommandResult(metadata=with_table(context.metadata, source, updated))


def parse_remote_relationship(args: Node) -> RemoteRelationship:
    """The unified form (``definition``) or the legacy one (``remote_schema``, ``hasura_fields``, ...)."""
    name = args.key("name").name()
    if args.has("remote_schema") == args.has("definition"):
        raise args.fail("create_remote_relationship expects exactly one of: remote_schema, definition")
    if args.has("definition"):
        return RemoteRelationship(name, parse_target(args.key("definition")))
    return RemoteRelationship(name, ToRemoteSchema.parse(args, lhs_key="hasura_fields"), legacy=True)


def existing_remote_relationship(table: Table, name_node: Node) -> RemoteRelationship:
    """The table's remote relationship named at ``name_node``, or a not-exists error."""
    name = name_node.string()
    relationship = table.remote_relationship(name)
    if relationship is None:
        raise EngineError(
            f'remote relationship "{name}" does not exist', code=Code.NOT_EXISTS, path=name_node.path
        )
    return relationship


# Permissions -------------------------------------------------------------------------------------


@command(*(name for kind in PERMISSION_KINDS for name in prefixed(f"create_{kind}_permission")))
def create_permission(context: CommandContext, args: Node) -> CommandResult:
    """Give a role a permission of the command's kind on a table."""
    kind = permission_kind(context)
    source, table = tracked_table(context, args)
    permission = Permission.parse(args, kind)
    if permission.role == ADMIN_ROLE or table.permission(kind, permission.role) is not None:
        raise EngineError(
            f'{kind} permission already defined on table "{table.table}" with role "{permission.role}"',
            code=Code.ALREADY_EXISTS,
            path=args.key("role").path,
        )
    updated = replace(table, permissions=(*table.permissions, permission))
    return _table_changed(
        context, source, updated, permission_id(source.name, table.table, kind, permission.role)
    )


@command(*(name for kind in PERMISSION_KINDS for name in prefixed(f"drop_{kind}_permission")))
def drop_permission(context: CommandContext, args: Node) -> CommandResult:
    """Take a role's permission of the command's kind on a table away."""
    kind = permission_kind(context)
    source, table = tracked_table(context, args)
    permission = existing_permission(table, kind, args.key("role"))
    remaining = tuple(p for p in table.permissions if p is not permission)
    return CommandResult(metadata=with_table(context.metadata, source, replace(table, permissions=remaining)))


@command(*prefixed("set_permission_comment"))
def set_permission_comment(context: CommandContext, args: Node) -> CommandResult:
    """Set (or clear, with null) the comment of a role's permission."""
    source, table = tracked_table(context, args)
    type_node = args.key("type")
    kind = type_node.string()
    if kind not in PERMISSION_KINDS:
        raise type_node.fail(f'expected one of: {", ".join(PERMISSION_KINDS)}, but found "{kind}"')
    permission = existing_permission(table, kind, args.key("role"))
    commented = replace(permission, comment=args.optional_string("comment"))
    updated = replace(
        table, permissions=tuple(commented if p is permission else p for p in table.permissions)
    )
    return _table_changed(
        context, source, updated, permission_id(source.name, table.table, kind, permission.role)
    )


def permission_kind(context: CommandContext) -> str:
    """The permission kind a command works on (``pg_create_select_permission`` → ``select``)."""
    match = _PERMISSION_COMMAND.search(context.command_type)
    assert match is not None
    return match.group(1)


def existing_permission(table: Table, kind: str, role_node: Node) -> Permission:
    """The table's permission of ``kind`` for the role at ``role_node``, or a not-exists error."""
    role = role_node.nonempty_string()
    permission = table.permission(kind, role)
    if permission is None:
        raise EngineError(
            f'{kind} permission on "{table.table}" for role "{role}" does not exist',
            code=Code.NOT_EXISTS,
            path=role_node.path,
        )
    return permission
