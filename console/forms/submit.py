"""Runs console writes through ``relationships.services`` and shows a refusal next to the field it concerns.

A form describes its write as ``Command``s: the Hasura command body plus, for each JSON path inside
``args`` that the form filled in, the ``Target`` (form and field) that path came from. Several commands
run as one ``bulk``, so they succeed or fail together. When the funnel refuses, the error's ``path``
(``$.args.objects[0].relationships[1].field_mapping.id``) is matched against those paths, the longest
match wins, and the message with its reasons lands on that field; nothing has been saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from engine.errors import EngineError
from relationships import services


@dataclass(frozen=True)
class Target:
    """Where a problem is shown: a field of a form, or the form as a whole (``field`` None)."""

    form: forms.BaseForm
    field: str | None = None


@dataclass
class Command:
    """One metadata (or query) command and where each part of its ``args`` came from.

    ``targets`` maps paths relative to ``args`` (``"$.definition.handler"``) to targets; ``"$"`` is
    the command as a whole. ``codes`` sends an error of a given code that only locates the whole
    command (an unreachable remote schema, a name already taken) to a better field.
    """

    type: str
    args: Any
    targets: dict[str, Target] = field(default_factory=dict)
    codes: dict[str, Target] = field(default_factory=dict)
    version: int | None = None

    def body(self) -> dict[str, Any]:
        """The request body of this command alone."""
        body: dict[str, Any] = {"type": self.type, "args": self.args}
        if self.version is not None:
            body["version"] = self.version
        return body


def run_metadata(commands: Sequence[Command], fallback: Target) -> Any | None:
    """Run the commands (one, or a ``bulk``); on refusal place the error and return None."""
    body, located = _request(commands)
    try:
        return services.metadata_request_run(body=body)
    except EngineError as error:
        place_error(error, located, fallback)
        return None


def attempt(body: dict[str, Any], *, query: bool = False) -> tuple[Any, list[str]]:
    """Run one request that no form stands behind (a button): ``(response, [])`` or ``(None, reasons)``."""
    run = services.query_request_run if query else services.metadata_request_run
    try:
        return run(body=body), []
    except EngineError as error:
        return None, error_lines(error)


def run_query(command: Command, fallback: Target) -> Any | None:
    """Run one ``/v2/query`` command (``run_sql``); on refusal place the error and return None."""
    try:
        return services.query_request_run(body=command.body())
    except EngineError as error:
        place_error(error, _located(command, "$.args"), fallback)
        return None


@dataclass(frozen=True)
class Located:
    """The targets of a whole request, by absolute path, and those chosen by code at command roots."""

    targets: Mapping[str, Target]
    codes: Mapping[str, Mapping[str, Target]]


def _request(commands: Sequence[Command]) -> tuple[dict[str, Any], Located]:
    if len(commands) == 1:
        return commands[0].body(), _located(commands[0], "$.args")
    parts = [_located(command, f"$.args[{index}].args") for index, command in enumerate(commands)]
    targets = {path: target for part in parts for path, target in part.targets.items()}
    codes = {root: by_code for part in parts for root, by_code in part.codes.items()}
    return {"type": "bulk", "args": [command.body() for command in commands]}, Located(targets, codes)


def _located(command: Command, root: str) -> Located:
    targets = {root + path[1:]: target for path, target in command.targets.items()}
    return Located(targets, {root: command.codes})


def place_error(error: EngineError, located: Located, fallback: Target) -> None:
    """Add the error's message and reasons to the target nearest to its path."""
    by_code = located.codes.get(error.path, {}).get(error.code)
    path = _nearest_path(error.path, located.targets)
    target = by_code or (located.targets[path] if path is not None else fallback)
    target.form.add_error(target.field, ValidationError(error_lines(error)))


def _nearest_path(error_path: str, targets: Mapping[str, Target]) -> str | None:
    matches = [path for path in targets if _within(error_path, path)]
    return max(matches, key=len) if matches else None


def _within(error_path: str, path: str) -> bool:
    return error_path == path or error_path.startswith((path + ".", path + "["))


def error_lines(error: EngineError) -> list[str]:
    """The error's message, then every reason its ``internal`` records add to it."""
    lines = [error.message]
    records = error.internal if isinstance(error.internal, list) else []
    for record in records:
        reason = record.get("reason") if isinstance(record, dict) else None
        if isinstance(reason, str) and reason not in error.message and reason not in lines:
            lines.append(reason)
    return lines
