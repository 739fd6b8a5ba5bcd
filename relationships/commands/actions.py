"""Commands for custom types, actions and action permissions (Hasura §1.11, §1.12).

Each handler builds the new metadata and names the object it targets; the funnel in
``relationships.services`` then decides whether the result is consistent enough to keep.
"""

from __future__ import annotations

from dataclasses import replace

from engine.dependencies import find_dependents
from engine.errors import Code, EngineError
from engine.metadata import Action, ActionDefinition, ActionPermission, CustomTypes, Metadata, Node
from engine.validation.objects import action_id, action_permission_id, custom_types_id
from relationships.commands import CommandContext, CommandResult, command, dependency_error


@command("set_custom_types")
def set_custom_types(context: CommandContext, args: Node) -> CommandResult:
    """Replace the whole set of custom types; omitted lists become empty."""
    custom_types = CustomTypes.parse(args)
    return CommandResult(
        metadata=replace(context.metadata, custom_types=custom_types), target=custom_types_id()
    )


@command("create_action")
def create_action(context: CommandContext, args: Node) -> CommandResult:
    """Add an action; its types must already be custom types, built-in or database scalars."""
    action = Action(
        name=args.key("name").name(),
        definition=ActionDefinition.parse(args.key("definition")),
        comment=args.optional_string("comment"),
    )
    if context.metadata.action(action.name) is not None:
        raise EngineError(
            f'action with name "{action.name}" already exists', code=Code.ALREADY_EXISTS, path=args.path
        )
    metadata = replace(context.metadata, actions=(*context.metadata.actions, action))
    return CommandResult(metadata=metadata, target=action_id(action.name))


@command("update_action")
def update_action(context: CommandContext, args: Node) -> CommandResult:
    """Replace an action's definition and comment; its permissions are kept."""
    name = args.key("name").name()
    definition = ActionDefinition.parse(args.key("definition"))
    comment = args.optional_string("comment")
    existing = existing_action(context.metadata, name, args)
    updated = replace(existing, definition=definition, comment=comment)
    return CommandResult(metadata=_with_action(context.metadata, updated), target=action_id(name))


@command("drop_action")
def drop_action(context: CommandContext, args: Node) -> CommandResult:
    """Remove an action together with its permissions, unless relationships join to it."""
    name = args.key("name").name()
    args.optional_bool("clear_data", True)
    existing_action(context.metadata, name, args)
    dependents = find_dependents(context.metadata, action_id(name))
    if dependents:
        raise dependency_error([d.description for d in dependents], args.path)
    actions = tuple(a for a in context.metadata.actions if a.name != name)
    return CommandResult(metadata=replace(context.metadata, actions=actions))


@command("create_action_permission")
def create_action_permission(context: CommandContext, args: Node) -> CommandResult:
    """Let a role see and call an action (an optional ``definition`` is accepted and ignored)."""
    action_node, role = args.key("action"), args.key("role").nonempty_string()
    comment = args.optional_string("comment")
    action = existing_action(context.metadata, action_node.name(), action_node)
    if action.permission(role) is not None:
        raise EngineError(
            f'permission for role "{role}" is already defined on "{action.name}"',
            code=Code.ALREADY_EXISTS,
            path=args.path,
        )
    updated = replace(action, permissions=(*action.permissions, ActionPermission(role, comment)))
    return CommandResult(
        metadata=_with_action(context.metadata, updated), target=action_permission_id(action.name, role)
    )


@command("drop_action_permission")
def drop_action_permission(context: CommandContext, args: Node) -> CommandResult:
    """Take a role's permission on an action away."""
    action_node, role = args.key("action"), args.key("role").nonempty_string()
    action = existing_action(context.metadata, action_node.name(), action_node)
    if action.permission(role) is None:
        raise EngineError(
            f'permission for role: "{role}" is not defined on "{action.name}"',
            code=Code.NOT_EXISTS,
            path=args.path,
        )
    updated = replace(action, permissions=tuple(p for p in action.permissions if p.role != role))
    return CommandResult(metadata=_with_action(context.metadata, updated))


def existing_action(metadata: Metadata, name: str, node: Node) -> Action:
    """The action called ``name``, or Hasura's not-exists error located at ``node``."""
    action = metadata.action(name)
    if action is None:
        raise EngineError(f'action with name "{name}" does not exist', code=Code.NOT_EXISTS, path=node.path)
    return action


def _with_action(metadata: Metadata, updated: Action) -> Metadata:
    actions = tuple(updated if a.name == updated.name else a for a in metadata.actions)
    return replace(metadata, actions=actions)
