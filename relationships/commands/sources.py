"""Commands for database sources (§1.8), and what every database command shares.

Every database command exists once per source kind: ``pg_*`` works on PostgreSQL sources,
``sqlite_*`` on SQLite ones, and a command of one kind refuses a source of the other. Handlers check
what only the command knows (the source and table exist, a name is free, a dropped object has no
dependents) and build the new metadata; the funnel in ``relationships.services`` then validates it
against the databases, so a missing column or foreign key comes back as ``invalid-configuration``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from engine.dependencies import drop_dependents, find_dependents
from engine.errors import Code, EngineError
from engine.metadata import DEFAULT_SOURCE, Metadata, Node, Source
from engine.validation.objects import ObjectId, source_id
from relationships.commands import (
    BACKEND_PREFIXES,
    CommandContext,
    CommandResult,
    command,
    dependency_error,
    source_kind,
)

# The kinds of objects that live on a tracked table.
TABLE_CHILD_KINDS = ("relationship", "remote_relationship", "permission")


def prefixed(name: str) -> list[str]:
    """The command types of ``name`` for every source kind (``pg_track_table``, ``sqlite_track_table``)."""
    return [f"{prefix}_{name}" for prefix in BACKEND_PREFIXES]


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
        source = _with_settings_of(existing, source)
    return _source_saved(context, source)


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
    return _source_saved(context, _with_settings_of(existing, parsed))


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


def _with_settings_of(existing: Source, parsed: Source) -> Source:
    """``existing`` (its tables kept) with the configuration and customization of ``parsed``."""
    return replace(existing, configuration=parsed.configuration, customization=parsed.customization)


def _source_saved(context: CommandContext, source: Source) -> CommandResult:
    return CommandResult(metadata=with_source(context.metadata, source), target=source_id(source.name))


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
