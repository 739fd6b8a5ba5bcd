"""Commands for tracked tables (§1.8), and finding and replacing a tracked table in the metadata."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.errors import Code, EngineError
from engine.metadata import Metadata, Node, QualifiedTable, Source, Table
from engine.metadata.database import validate_table_configuration
from engine.validation.objects import ObjectId, table_id
from relationships.commands import CommandContext, CommandResult, command
from relationships.commands.sources import (
    TABLE_CHILD_KINDS,
    existing_source,
    prefixed,
    with_source,
    without_dependents,
)


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
    return table_changed(context, source, updated, table_id(source.name, table.table))


@command(*prefixed("set_table_is_enum"))
def set_table_is_enum(context: CommandContext, args: Node) -> CommandResult:
    """Mark a tracked table as an enum table (or not)."""
    source, table = tracked_table(context, args)
    updated = replace(table, is_enum=args.key("is_enum").boolean())
    return table_changed(context, source, updated, table_id(source.name, table.table))


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


def table_changed(context: CommandContext, source: Source, table: Table, target: ObjectId) -> CommandResult:
    """The result of a command that changed ``table``, targeting the object it touched."""
    return CommandResult(metadata=with_table(context.metadata, source, table), target=target)
