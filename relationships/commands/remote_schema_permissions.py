"""Commands for remote schema permissions: a role's view of a remote schema as an SDL subset (Hasura §4.4).

``add_remote_schema_permissions`` is refused while ``REMOTE_SCHEMA_PERMISSIONS`` is off, as Hasura
refuses it without its server flag; a metadata document or the Django admin may still carry
permissions, which are then validated but not enforced. Dropping works either way.
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from graphql import GraphQLSchema

from engine.errors import Code, EngineError
from engine.metadata import Node, RemoteSchema, RemoteSchemaPermission
from engine.validation import remote_schema_permission_id
from engine.validation.remote_schema_permissions import (
    ADMIN_ROLE,
    CONSTRAINT_VIOLATION,
    RoleSchemaError,
    remote_schema_view,
)
from relationships.commands import CommandContext, CommandResult, command
from relationships.commands.remote_schemas import with_remote_schema


@command("add_remote_schema_permissions")
def add_remote_schema_permissions(context: CommandContext, args: Node) -> CommandResult:
    """Give a role its view of a remote schema: SDL checked as a subset of the remote's schema."""
    if not settings.REMOTE_SCHEMA_PERMISSIONS:
        raise EngineError(
            "remote schema permissions can only be added when remote schema permissions are enabled "
            "in the graphql-engine",
            code=CONSTRAINT_VIOLATION,
            path=args.path,
        )
    remote_schema = _named_remote_schema(context, args)
    upstream = context.environments.remote_schema(remote_schema)
    if not isinstance(upstream, GraphQLSchema):
        raise _missing_remote_schema(remote_schema.name, args)
    permission = RemoteSchemaPermission.parse(args)
    if remote_schema.permission(permission.role) is not None:
        raise EngineError(
            f"{_permission_text(permission.role, remote_schema.name)} already exists",
            code=Code.ALREADY_EXISTS,
            path=args.key("role").path,
        )
    _check_view(permission, upstream, args)
    updated = replace(remote_schema, permissions=(*remote_schema.permissions, permission))
    return CommandResult(
        metadata=with_remote_schema(context.metadata, updated),
        target=remote_schema_permission_id(remote_schema.name, permission.role),
    )


@command("drop_remote_schema_permissions")
def drop_remote_schema_permissions(context: CommandContext, args: Node) -> CommandResult:
    """Take a role's view of a remote schema away: it then sees nothing of it (when enforced)."""
    remote_schema = _named_remote_schema(context, args)
    role_node = args.key("role")
    role = role_node.nonempty_string()
    if remote_schema.permission(role) is None:
        raise EngineError(
            f"{_permission_text(role, remote_schema.name)} doesn't exist",
            code=Code.NOT_EXISTS,
            path=role_node.path,
        )
    updated = replace(
        remote_schema, permissions=tuple(p for p in remote_schema.permissions if p.role != role)
    )
    return CommandResult(metadata=with_remote_schema(context.metadata, updated))


def _named_remote_schema(context: CommandContext, args: Node) -> RemoteSchema:
    node = args.key("remote_schema")
    remote_schema = context.metadata.remote_schema(node.nonempty_string())
    if remote_schema is None:
        raise _missing_remote_schema(node.value, node)
    return remote_schema


def _missing_remote_schema(name: str, node: Node) -> EngineError:
    return EngineError(f'remote schema "{name}" doesn\'t exist', code=Code.NOT_EXISTS, path=node.path)


def _permission_text(role: str, remote_schema: str) -> str:
    """Hasura's words for a role's permission on a remote schema."""
    return f'permissions for role: "{role}" for remote schema:"{remote_schema}"'


def _check_view(permission: RemoteSchemaPermission, upstream: GraphQLSchema, args: Node) -> None:
    """Refuse the admin role and SDL that is not a usable subset of the remote schema."""
    if permission.role == ADMIN_ROLE:
        raise EngineError(
            "cannot define permission for admin role", code=CONSTRAINT_VIOLATION, path=args.key("role").path
        )
    try:
        remote_schema_view(permission.schema, upstream)
    except RoleSchemaError as error:
        path = args.key("definition").key("schema").path
        raise EngineError(error.message, code=Code.VALIDATION_FAILED, path=path) from None
