"""Commands for table permissions: insert, select, update and delete, one of each per role and table."""

from __future__ import annotations

import re
from dataclasses import replace

from engine.errors import Code, EngineError
from engine.metadata import Node, Permission, Table
from engine.metadata.database import PERMISSION_KINDS
from engine.validation.objects import permission_id
from relationships.auth import ADMIN_ROLE
from relationships.commands import CommandContext, CommandResult, command
from relationships.commands.sources import prefixed
from relationships.commands.tables import table_changed, tracked_table, with_table

_PERMISSION_COMMAND = re.compile(r"_(?:create|drop)_(insert|select|update|delete)_permission$")


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
    return table_changed(
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
    return table_changed(
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
