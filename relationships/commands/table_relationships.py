"""Commands for a table's relationships: local ones within its source (§1.9), and remote ones (§1.10).

A new relationship needs a name no column or other relationship of the table has. A remote
relationship joins to another source's table or to a remote schema field.
"""

from __future__ import annotations

from dataclasses import replace

from engine.errors import Code, EngineError
from engine.metadata import (
    LocalRelationship,
    Metadata,
    Node,
    RemoteRelationship,
    Source,
    Table,
    ToRemoteSchema,
)
from engine.metadata.common import parse_target
from engine.naming import column_graphql_name
from engine.validation.objects import relationship_id, remote_relationship_id
from relationships.commands import CommandContext, CommandResult, command
from relationships.commands.sources import prefixed, without_dependents
from relationships.commands.tables import table_changed, tracked_table, with_table

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
    return table_changed(context, source, updated, target)


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
    return table_changed(context, source, _with_relationship(table, relationship.name, renamed), target)


@command(*prefixed("set_relationship_comment"))
def set_relationship_comment(context: CommandContext, args: Node) -> CommandResult:
    """Set (or clear, with null) a relationship's comment."""
    source, table = tracked_table(context, args)
    relationship = existing_relationship(table, _relationship_name_node(args))
    commented = replace(relationship, comment=args.optional_string("comment"))
    target = relationship_id(source.name, table.table, relationship.name)
    return table_changed(context, source, _with_relationship(table, relationship.name, commented), target)


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
    """Add a relationship from a table to another source's table, a remote schema field or an action."""
    source, table = tracked_table(context, args)
    relationship = parse_remote_relationship(args)
    check_field_name_free(context, source, table, args.key("name"))
    updated = replace(table, remote_relationships=(*table.remote_relationships, relationship))
    target = remote_relationship_id(source.name, table.table, relationship.name)
    return table_changed(context, source, updated, target)


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
    return table_changed(context, source, updated, target)


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


# Field names -------------------------------------------------------------------------------------


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
