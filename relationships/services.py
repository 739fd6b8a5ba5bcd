"""The one funnel every metadata write goes through.

    request -> lock the state row -> check resource_version -> run the command on a working copy
            -> validate before and after -> refuse (roll back) or save rows + bump resource_version

A command whose own target ends up inconsistent fails with ``invalid-configuration``; a command that
makes any other object newly inconsistent fails with ``unexpected`` ("cannot continue due to new
inconsistent metadata"), as Hasura does. Nothing is saved unless the whole request succeeds, so a
``bulk`` whose fifth command fails leaves the metadata as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from engine.errors import Code, EngineError
from engine.metadata import Metadata, Node
from engine.validation import Inconsistency, custom_types_id, validate_metadata
from relationships import store
from relationships.commands import CommandContext, CommandResult, lookup
from relationships.environment import EnvironmentCache


@dataclass(frozen=True)
class MetadataRequest:
    """The envelope of a metadata API call."""

    type: str
    args: Node
    version: int
    resource_version: int | None


def parse_request(body: Any, path: str = "$") -> MetadataRequest:
    """Parse ``{"type", "args", "version"?, "resource_version"?}``."""
    node = Node(body, path)
    node.object()
    version = node.get("version")
    resource_version = node.get("resource_version")
    args = node.get("args")
    return MetadataRequest(
        type=node.key("type").nonempty_string(),
        args=args if args is not None else Node({}, f"{path}.args"),
        version=1 if version is None else version.integer(),
        resource_version=None if resource_version is None else resource_version.integer(),
    )


def metadata_request_run(*, body: Any) -> Any:
    """Run one metadata API request and return its response body; raise ``EngineError`` on failure."""
    request = parse_request(body)
    with transaction.atomic():
        state = store.load_state(lock=True)
        _check_resource_version(request, state.resource_version)
        context = CommandContext(store.load_metadata(), EnvironmentCache(store.load_introspections()))
        result = command_run(context, request)
        if context.changed:
            _commit(context, state)
        return result.response


def command_run(context: CommandContext, request: MetadataRequest) -> CommandResult:
    """Run one command against the working copy, checking what it changes."""
    handler = lookup(request.type, request.args)
    context.command_type = request.type
    context.version = request.version
    known_before = dict(context.environments.fresh_introspections)
    result = handler(context, request.args)
    if result.metadata is not None:
        if not result.allow_inconsistent:
            _refuse_new_inconsistencies(context, result, request.args.path, known_before)
        context.metadata = result.metadata
        context.changed = True
    context.changed = context.changed or result.bump_version
    return result


def _check_resource_version(request: MetadataRequest, current: int) -> None:
    if request.resource_version is not None and request.resource_version != current:
        raise EngineError(
            f"metadata resource version referenced ({request.resource_version}) did not match current version",
            code=Code.CONFLICT,
            status=409,
        )


def inconsistencies_of(context: CommandContext, metadata: Metadata) -> list[Inconsistency]:
    """Every inconsistency of ``metadata`` against the live environment."""
    return validate_metadata(metadata, context.environment(metadata))


def _refuse_new_inconsistencies(
    context: CommandContext, result: CommandResult, args_path: str, known_before: dict[str, Any] | None = None
) -> None:
    """Refuse a change that broke its target or any other object.

    "Before" is judged with the introspection answers known before the command ran, so a command that
    re-introspects a remote schema is held responsible for what the new answer breaks.
    """
    assert result.metadata is not None
    before_environment = context.environments.for_metadata(context.metadata, fresh=known_before)
    before = {i.object_id for i in validate_metadata(context.metadata, before_environment)}
    after = inconsistencies_of(context, result.metadata)
    targeted = [i for i in after if result.target is not None and _within(i.object_id, result.target)]
    if targeted:
        raise _invalid_configuration(targeted, args_path)
    new = [i for i in after if i.object_id not in before]
    if new:
        raise EngineError(
            "cannot continue due to new inconsistent metadata",
            code=Code.UNEXPECTED,
            path=args_path,
            internal=[i.to_dict() for i in new],
        )


def _within(object_id: tuple[str, ...], target: tuple[str, ...]) -> bool:
    """True when ``object_id`` is the target itself (or, for custom types, any part of them)."""
    return object_id == target or (target == custom_types_id() and object_id[0] == "custom_type_relationship")


def _invalid_configuration(inconsistencies: list[Inconsistency], args_path: str) -> EngineError:
    first = inconsistencies[0]
    reasons = "; ".join(i.reason for i in inconsistencies)
    return EngineError(
        reasons,
        code=first.code if first.code != Code.UNEXPECTED else Code.INVALID_CONFIGURATION,
        path=args_path + first.path[1:],
        internal=[i.to_dict() for i in inconsistencies],
    )


def _commit(context: CommandContext, state: Any) -> None:
    store.save_metadata(context.metadata, introspections=context.environments.fresh_introspections)
    state.resource_version += 1
    state.save(update_fields=["resource_version", "updated_at"])


@contextmanager
def metadata_rows_edit() -> Iterator[None]:
    """Wrap a direct edit of metadata rows (the Django admin) in the same funnel.

    The rows are edited inside the block; afterwards the whole metadata is read back and validated.
    If the edit left the metadata unreadable or made any object newly inconsistent, everything is
    rolled back and ``EngineError`` says why; otherwise ``resource_version`` is bumped.
    """
    with transaction.atomic():
        state = store.load_state(lock=True)
        environments = EnvironmentCache(store.load_introspections())
        before = store.load_metadata()
        yield
        after = store.load_metadata()
        context = CommandContext(before, environments)
        _refuse_new_inconsistencies(context, CommandResult(metadata=after), "$")
        context.metadata = after
        _commit(context, state)


def query_request_run(*, body: Any) -> Any:
    """Run one ``/v2/query`` request (``run_sql`` or a ``bulk`` of them)."""
    from relationships.sql_runner import run_query

    request = parse_request(body)
    with transaction.atomic():
        state = store.load_state(lock=True)
        context = CommandContext(store.load_metadata(), EnvironmentCache(store.load_introspections()))
        response, schema_changed = run_query(context, request)
        if schema_changed:
            state.resource_version += 1
            state.save(update_fields=["resource_version", "updated_at"])
        return response
