"""Read-only commands for building actions: derive one from a served mutation, scaffold its handler.

``derive_action`` answers the definition and the new custom types of an action calling a root field
(or a given operation); the caller then runs ``set_custom_types`` and ``create_action`` as for any
action: a derived action is just an action. ``get_action_scaffold`` answers a runnable Python handler
or the TypeScript types of an action; with ``derive_from`` (a root field or an operation) the handler
calls that mutation through ``/v1/graphql``. Both read the schema admin sees of the working metadata.
"""

from __future__ import annotations

from engine.dependencies import Dependent, drop_dependents
from engine.derive import (
    OPERATIONS,
    DeriveError,
    action_name_for,
    default_operation,
    delegation_for,
    derive_action,
)
from engine.metadata import Node
from engine.scaffold import DEFAULT_GRAPHQL_URL, LANGUAGES, scaffold
from engine.schema import ADMIN_ROLE, GatewaySchema, build_gateway_schema
from engine.validation import validate_metadata
from relationships.commands import CommandContext, CommandResult, command
from relationships.commands.actions import existing_action


@command("derive_action")
def derive_action_command(context: CommandContext, args: Node) -> CommandResult:
    """``{field | operation, name?, type?}`` -> ``{name, definition, custom_types, operation}``."""
    which = args.exactly_one_of("field", "operation")
    name = args.optional_string("name")
    if name is not None:
        args.key("name").name()
    schema = admin_schema(context)
    source = args.key(which)
    try:
        if which == "field":
            field = source.name()
            document = default_operation(schema, field, name or action_name_for(field), _operation_type(args))
        else:
            document = source.nonempty_string()
        derived = derive_action(schema, context.metadata.custom_types, document, name)
    except DeriveError as error:
        error.path = source.path
        raise
    definition = derived.definition("")
    del definition["handler"]
    return CommandResult(
        response={
            "name": derived.name,
            "definition": definition,
            "custom_types": derived.custom_types,
            "operation": derived.document,
        }
    )


@command("get_action_scaffold")
def get_action_scaffold(context: CommandContext, args: Node) -> CommandResult:
    """``{name, language, derive_from?, graphql_url?}`` -> ``{language, files: [{name, content}]}``."""
    name_node = args.key("name")
    action = existing_action(context.metadata, name_node.name(), name_node)
    language_node = args.key("language")
    language = language_node.string()
    if language not in LANGUAGES:
        raise language_node.fail(f'expected one of: {", ".join(LANGUAGES)}, but found "{language}"')
    derive_from = args.optional_string("derive_from")
    delegation = None
    if derive_from:
        try:
            delegation = delegation_for(
                admin_schema(context), derive_from, action.name, action.definition.type
            )
        except DeriveError as error:
            error.path = args.key("derive_from").path
            raise
    file = scaffold(
        action,
        context.metadata.custom_types,
        language,
        delegation,
        args.optional_string("graphql_url") or DEFAULT_GRAPHQL_URL,
    )
    return CommandResult(
        response={"language": language, "files": [{"name": file.name, "content": file.content}]}
    )


def admin_schema(context: CommandContext) -> GatewaySchema:
    """The schema admin sees: the working metadata's consistent part over the live environment."""
    environment = context.environment()
    dropped = [
        Dependent(item.object_id, item.reason) for item in validate_metadata(context.metadata, environment)
    ]
    return build_gateway_schema(drop_dependents(context.metadata, dropped), environment, ADMIN_ROLE)


def _operation_type(args: Node) -> str:
    node = args.get("type")
    if node is None:
        return "mutation"
    value = node.string()
    if value not in OPERATIONS:
        raise node.fail(f'expected one of: {", ".join(OPERATIONS)}, but found "{value}"')
    return value
