"""Metadata commands: one handler per Hasura command type, registered by name.

A handler receives a ``CommandContext`` (the working metadata copy and the live environment) and the
``args`` node, and returns a ``CommandResult``: the new metadata (or None when it only reads), the
response body, and the id of the object it targets, so the caller can tell "this object is broken"
(``invalid-configuration``) from "something else broke" (``unexpected``), as Hasura does.
Handlers never touch the database rows: ``relationships.services`` commits their result.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.errors import Code, EngineError
from engine.metadata import Metadata, Node

SUCCESS = {"message": "success"}

# Command modules register their handlers on import.
COMMAND_MODULES = (
    "sources",
    "tables",
    "table_relationships",
    "permissions",
    "actions",
    "remote_schemas",
    "remote_schema_permissions",
    "whole_metadata",
    "scaffold",
)


@dataclass
class CommandResult:
    """What a command produced."""

    response: Any = field(default_factory=lambda: dict(SUCCESS))
    metadata: Metadata | None = None
    target: tuple[str, ...] | None = None
    allow_inconsistent: bool = False
    bump_version: bool = False


Handler = Callable[["CommandContext", Node], CommandResult]
REGISTRY: dict[str, Handler] = {}
BACKEND_PREFIXES = {"pg": "postgres", "sqlite": "sqlite"}


def command(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more command types."""

    def register(handler: Handler) -> Handler:
        for name in names:
            REGISTRY[name] = handler
        return handler

    return register


def lookup(command_type: str, node: Node) -> Handler:
    """The handler for a command type, or Hasura's error for an unknown one."""
    _load_handlers()
    handler = REGISTRY.get(command_type)
    if handler is not None:
        return handler
    prefix = command_type.split("_", 1)[0]
    if "_" in command_type and prefix in BACKEND_PREFIXES:
        message = f'unknown metadata command "{command_type}" for backend {BACKEND_PREFIXES[prefix]}'
    elif "_" in command_type:
        message = f'unknown metadata command "{command_type}"; "{prefix}" was not recognized as a valid backend name'
    else:
        message = f'unknown metadata command "{command_type}"'
    raise EngineError(message, code=Code.PARSE_FAILED, path=node.path)


def source_kind(command_type: str) -> str:
    """The source kind a prefixed command works on (``pg_track_table`` → ``postgres``)."""
    return BACKEND_PREFIXES.get(command_type.split("_", 1)[0], "postgres")


def _load_handlers() -> None:
    for module in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{module}")


class CommandContext:
    """The working state of one metadata request, shared by the commands of a ``bulk``."""

    def __init__(self, metadata: Metadata, environments: Any, *, command_type: str = "") -> None:
        self.metadata = metadata
        self.environments = environments
        self.command_type = command_type
        self.version = 1
        self.changed = False

    def environment(self, metadata: Metadata | None = None) -> Any:
        """The live environment for ``metadata`` (default: the working copy)."""
        return self.environments.for_metadata(metadata or self.metadata)


def dependency_error(descriptions: list[str], path: str) -> EngineError:
    """Hasura's refusal to drop an object that others depend on."""
    listed = ", ".join(descriptions)
    return EngineError(
        f"cannot drop due to the following dependent objects: {listed}", code=Code.DEPENDENCY_ERROR, path=path
    )
