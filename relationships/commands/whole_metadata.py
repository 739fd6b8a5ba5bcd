"""Commands over the whole metadata: bulk, export, replace, reload, inconsistencies, clear."""

from __future__ import annotations

import contextlib
from typing import Any

from engine.errors import Code, EngineError
from engine.metadata import Metadata, Node
from relationships.commands import CommandContext, CommandResult, command


@command("bulk")
def bulk(context: CommandContext, args: Node) -> CommandResult:
    """Run commands in order against one working copy; the first failure aborts them all."""
    from relationships.services import command_run, parse_request

    responses = []
    outer_type, outer_version = context.command_type, context.version
    for item in args.items():
        responses.append(command_run(context, parse_request(item.value, item.path)).response)
    context.command_type, context.version = outer_type, outer_version
    return CommandResult(response=responses)


@command("export_metadata")
def export_metadata(context: CommandContext, args: Node) -> CommandResult:
    """The stored metadata in export shape (``version: 2`` adds the resource version)."""
    document = context.metadata.to_dict()
    if context.version == 2:
        from relationships import store

        return CommandResult(
            response={"resource_version": store.load_state().resource_version, "metadata": document}
        )
    return CommandResult(response=document)


@command("replace_metadata")
def replace_metadata(context: CommandContext, args: Node) -> CommandResult:
    """Replace everything; inconsistencies refuse it unless ``allow_inconsistent_metadata``."""
    wrapped = args.has("metadata") and not args.has("sources") and not args.has("version")
    allow = args.optional_bool("allow_inconsistent_metadata", False) if wrapped else False
    metadata = Metadata.parse(args.key("metadata") if wrapped else args)
    inconsistent = [i.to_dict() for i in _inconsistencies(context, metadata)]
    if inconsistent and not allow:
        raise EngineError(
            "cannot continue due to inconsistent metadata",
            code=Code.UNEXPECTED,
            path=args.path,
            internal=inconsistent,
        )
    if wrapped or context.version == 2:
        response: Any = {"is_consistent": not inconsistent, "inconsistent_objects": inconsistent}
    else:
        response = {"message": "success"}
    return CommandResult(response=response, metadata=metadata, allow_inconsistent=True)


@command("reload_metadata")
def reload_metadata(context: CommandContext, args: Node) -> CommandResult:
    """Re-read the sources' catalogs and re-introspect remote schemas; report what is inconsistent."""
    selected = args.get("reload_remote_schemas")
    wanted = _selected_names(selected, [r.name for r in context.metadata.remote_schemas])
    for remote_schema in context.metadata.remote_schemas:
        if remote_schema.name in wanted:
            with contextlib.suppress(EngineError):
                context.environments.introspect(remote_schema)
    inconsistent = [i.to_dict() for i in _inconsistencies(context, context.metadata)]
    response: dict[str, Any] = {"message": "success", "is_consistent": not inconsistent}
    if inconsistent:
        response["inconsistent_objects"] = inconsistent
    return CommandResult(
        response=response, metadata=context.metadata, allow_inconsistent=True, bump_version=True
    )


def _selected_names(node: Node | None, every: list[str]) -> set[str]:
    if node is None or node.value is True:
        return set(every)
    if node.value is False:
        return set()
    return set(node.string_list())


@command("get_inconsistent_metadata")
def get_inconsistent_metadata(context: CommandContext, args: Node) -> CommandResult:
    """Every inconsistent object with its reason."""
    inconsistent = [i.to_dict() for i in _inconsistencies(context, context.metadata)]
    return CommandResult(response={"is_consistent": not inconsistent, "inconsistent_objects": inconsistent})


@command("drop_inconsistent_metadata")
def drop_inconsistent_metadata(context: CommandContext, args: Node) -> CommandResult:
    """Remove every inconsistent object (and what depends on it) from the metadata."""
    from engine.dependencies import Dependent, drop_dependents

    inconsistent = _inconsistencies(context, context.metadata)
    dependents = [Dependent(object_id=i.object_id, description=i.name) for i in inconsistent]
    return CommandResult(metadata=drop_dependents(context.metadata, dependents), allow_inconsistent=True)


@command("clear_metadata")
def clear_metadata(context: CommandContext, args: Node) -> CommandResult:
    """Reset the metadata to empty."""
    return CommandResult(metadata=Metadata(), allow_inconsistent=True)


def _inconsistencies(context: CommandContext, metadata: Metadata) -> list[Any]:
    from relationships.services import inconsistencies_of

    return inconsistencies_of(context, metadata)
