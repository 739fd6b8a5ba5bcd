"""Commands for remote schemas and the relationships on their types (Hasura §1.13, §1.14).

A remote schema is introspected when it is added, when its URL changes and when it is reloaded;
the fresh answer is stored with the metadata. Unlike Hasura, updating a remote schema keeps the
relationships defined on its types: if the new schema breaks one, the update is refused.
"""

from __future__ import annotations

from dataclasses import replace

from engine.dependencies import find_dependents
from engine.errors import Code, EngineError
from engine.metadata import (
    Metadata,
    Node,
    RemoteSchema,
    RemoteSchemaDefinition,
    RemoteSchemaRelationship,
    TypeRelationships,
)
from engine.validation.objects import ObjectId, remote_schema_id, remote_schema_relationship_id
from relationships.commands import CommandContext, CommandResult, command, dependency_error

ObjectIds = set[ObjectId]


@command("add_remote_schema")
def add_remote_schema(context: CommandContext, args: Node) -> CommandResult:
    """Add a remote schema, introspecting it now; an unreachable server refuses the command."""
    remote_schema = RemoteSchema(
        name=args.key("name").nonempty_string(),
        definition=RemoteSchemaDefinition.parse(args.key("definition")),
        comment=args.optional_string("comment"),
    )
    if context.metadata.remote_schema(remote_schema.name) is not None:
        raise EngineError(
            f'remote schema with name "{remote_schema.name}" already exists',
            code=Code.ALREADY_EXISTS,
            path=args.path,
        )
    _introspect(context, remote_schema, args)
    metadata = replace(context.metadata, remote_schemas=(*context.metadata.remote_schemas, remote_schema))
    return CommandResult(metadata=metadata, target=remote_schema_id(remote_schema.name))


@command("update_remote_schema")
def update_remote_schema(context: CommandContext, args: Node) -> CommandResult:
    """Replace a remote schema's definition and comment; re-introspect only when its URL changed."""
    name = args.key("name").nonempty_string()
    definition = RemoteSchemaDefinition.parse(args.key("definition"))
    comment = args.optional_string("comment")
    existing = existing_remote_schema(context.metadata, name, args, "doesn't exist")
    updated = replace(existing, definition=definition, comment=comment)
    result = CommandResult(
        metadata=with_remote_schema(context.metadata, updated), target=remote_schema_id(name)
    )
    if _url_changed(existing.definition, definition):
        _introspect(context, updated, args)
    return result


@command("remove_remote_schema")
def remove_remote_schema(context: CommandContext, args: Node) -> CommandResult:
    """Remove a remote schema with its permissions and relationships, unless something else uses it."""
    name = args.key("name").nonempty_string()
    if context.metadata.remote_schema(name) is None:
        raise EngineError("no such remote schema", code=Code.NOT_EXISTS, path=args.path)
    _refuse_if_used_elsewhere(context.metadata, name, args)
    remote_schemas = tuple(r for r in context.metadata.remote_schemas if r.name != name)
    return CommandResult(metadata=replace(context.metadata, remote_schemas=remote_schemas))


@command("reload_remote_schema")
def reload_remote_schema(context: CommandContext, args: Node) -> CommandResult:
    """Introspect a remote schema again and keep the answer, unless it breaks something."""
    name = args.key("name").nonempty_string()
    remote_schema = existing_remote_schema(context.metadata, name, args, "does not exist")
    result = CommandResult(metadata=context.metadata, target=remote_schema_id(name))
    _introspect(context, remote_schema, args)
    return result


@command("introspect_remote_schema")
def introspect_remote_schema(context: CommandContext, args: Node) -> CommandResult:
    """The stored raw introspection answer of a remote schema."""
    name = args.key("name").nonempty_string()
    remote_schema = context.metadata.remote_schema(name)
    if remote_schema is None:
        raise EngineError(f'remote schema: "{name}" not found', code=Code.NOT_EXISTS, path=args.path)
    try:
        return CommandResult(response=context.environments.introspection(remote_schema))
    except EngineError as error:
        raise error.at(args.path)


@command("create_remote_schema_remote_relationship")
def create_remote_schema_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Add a relationship from a remote schema's object type to a table or a remote schema field."""
    remote_schema, type_name, relationship = _parse_relationship_args(context.metadata, args)
    if _relationship_of(remote_schema, type_name, relationship.name) is not None:
        raise EngineError(
            f'relationship with name "{relationship.name}" already exists on type "{type_name}"'
            f' of remote schema "{remote_schema.name}"',
            code=Code.ALREADY_EXISTS,
            path=args.path,
        )
    return _relationship_saved(context, remote_schema, type_name, relationship)


@command("update_remote_schema_remote_relationship")
def update_remote_schema_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Replace the definition of a relationship on a remote schema type."""
    remote_schema, type_name, relationship = _parse_relationship_args(context.metadata, args)
    _existing_relationship(remote_schema, type_name, relationship.name, args)
    return _relationship_saved(context, remote_schema, type_name, relationship)


@command("delete_remote_schema_remote_relationship")
def delete_remote_schema_relationship(context: CommandContext, args: Node) -> CommandResult:
    """Remove a relationship from a remote schema type."""
    remote_schema = _parent_remote_schema(context.metadata, args)
    type_name, name = _type_name(args), args.key("name").name()
    _existing_relationship(remote_schema, type_name, name, args)
    updated = _without_relationship(remote_schema, type_name, name)
    return CommandResult(metadata=with_remote_schema(context.metadata, updated))


def existing_remote_schema(metadata: Metadata, name: str, args: Node, missing: str) -> RemoteSchema:
    """The remote schema called ``name``, or not-exists ``remote schema with name "x" <missing>``."""
    remote_schema = metadata.remote_schema(name)
    if remote_schema is None:
        raise EngineError(f'remote schema with name "{name}" {missing}', code=Code.NOT_EXISTS, path=args.path)
    return remote_schema


def _introspect(context: CommandContext, remote_schema: RemoteSchema, args: Node) -> None:
    try:
        context.environments.introspect(remote_schema)
    except EngineError as error:
        raise error.at(args.path)


def _url_changed(old: RemoteSchemaDefinition, new: RemoteSchemaDefinition) -> bool:
    return (old.url, old.url_from_env) != (new.url, new.url_from_env)


def _refuse_if_used_elsewhere(metadata: Metadata, name: str, args: Node) -> None:
    """Relationships elsewhere that join to the remote schema block its removal (its own go with it)."""
    dependents = find_dependents(metadata, remote_schema_id(name))
    if dependents:
        raise dependency_error([d.description for d in dependents], args.path)


def _parse_relationship_args(
    metadata: Metadata, args: Node
) -> tuple[RemoteSchema, str, RemoteSchemaRelationship]:
    """``{remote_schema, type_name (or type), name, definition}`` of a relationship command."""
    type_name = _type_name(args)
    relationship = RemoteSchemaRelationship.parse(args)
    return _parent_remote_schema(metadata, args), type_name, relationship


def _type_name(args: Node) -> str:
    """``type_name``; ``type`` is accepted too, as Hasura's API reference page spells it."""
    if not args.has("type_name") and args.has("type"):
        return args.key("type").name()
    return args.key("type_name").name()


def _parent_remote_schema(metadata: Metadata, args: Node) -> RemoteSchema:
    node = args.key("remote_schema")
    name = node.nonempty_string()
    remote_schema = metadata.remote_schema(name)
    if remote_schema is None:
        raise EngineError(
            f'remote schema with name "{name}" does not exist', code=Code.NOT_EXISTS, path=node.path
        )
    return remote_schema


def _relationship_of(
    remote_schema: RemoteSchema, type_name: str, name: str
) -> RemoteSchemaRelationship | None:
    return next((r for r in remote_schema.relationships_of(type_name) if r.name == name), None)


def _existing_relationship(remote_schema: RemoteSchema, type_name: str, name: str, args: Node) -> None:
    if _relationship_of(remote_schema, type_name, name) is None:
        raise EngineError(
            f'no relationship defined on remote schema "{remote_schema.name}" with name "{name}"',
            code=Code.NOT_EXISTS,
            path=args.path,
        )


def _with_relationship(
    remote_schema: RemoteSchema, type_name: str, relationship: RemoteSchemaRelationship
) -> RemoteSchema:
    """Add ``relationship`` to the type's group, or replace the one of the same name in place."""
    groups = list(remote_schema.remote_relationships)
    index = next((i for i, g in enumerate(groups) if g.type_name == type_name), None)
    if index is None:
        groups.append(TypeRelationships(type_name, (relationship,)))
    else:
        kept = groups[index].relationships
        if any(r.name == relationship.name for r in kept):
            relationships = tuple(relationship if r.name == relationship.name else r for r in kept)
        else:
            relationships = (*kept, relationship)
        groups[index] = replace(groups[index], relationships=relationships)
    return replace(remote_schema, remote_relationships=tuple(groups))


def _relationship_saved(
    context: CommandContext,
    remote_schema: RemoteSchema,
    type_name: str,
    relationship: RemoteSchemaRelationship,
) -> CommandResult:
    updated = _with_relationship(remote_schema, type_name, relationship)
    return CommandResult(
        metadata=with_remote_schema(context.metadata, updated),
        target=remote_schema_relationship_id(remote_schema.name, type_name, relationship.name),
    )


def _without_relationship(remote_schema: RemoteSchema, type_name: str, name: str) -> RemoteSchema:
    groups = []
    for group in remote_schema.remote_relationships:
        if group.type_name == type_name:
            group = replace(group, relationships=tuple(r for r in group.relationships if r.name != name))
        if group.relationships:
            groups.append(group)
    return replace(remote_schema, remote_relationships=tuple(groups))


def with_remote_schema(metadata: Metadata, updated: RemoteSchema) -> Metadata:
    remote_schemas = tuple(updated if r.name == updated.name else r for r in metadata.remote_schemas)
    return replace(metadata, remote_schemas=remote_schemas)
