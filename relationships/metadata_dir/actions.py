"""Actions and custom types, split over two files as the CLI splits them.

actions.graphql holds what GraphQL can say (see `actions_sdl`); actions.yaml holds the rest: each
action's handler, headers, permissions and comment, and the custom types' relationships and
descriptions. Reading merges actions.yaml onto the SDL; writing splits the metadata back in two.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from relationships.metadata_dir.actions_sdl import (
    CUSTOM_TYPE_KINDS,
    SDL_ACTION_KEYS,
    SDL_TYPE_KEYS,
    TypesByKind,
    read_actions_sdl,
    render_actions_sdl,
)
from relationships.metadata_dir.errors import MetadataDirError
from relationships.metadata_dir.shapes import ACTION, ACTIONS_YAML_ACTION, CUSTOM_TYPE, arrange
from relationships.metadata_dir.yaml_io import YamlFiles, dump_yaml, expect_list, expect_mapping

ACTIONS_YAML_TYPE_KINDS = ("enums", "input_objects", "objects", "scalars")  # the CLI's actions.yaml order


# --- Reading ---------------------------------------------------------------------------------------


def read_actions(files: YamlFiles) -> dict[str, Any]:
    """`actions` and `custom_types` as export_metadata has them: the SDL, with actions.yaml merged on."""
    sdl_actions, sdl_types = read_actions_sdl(files.root / "actions.graphql")
    extras = _read_actions_yaml(files)
    return {
        "actions": _merge_actions(
            sdl_actions, expect_list(extras.get("actions") or [], "actions.yaml", "actions")
        ),
        "custom_types": _merge_custom_types(sdl_types, extras.get("custom_types") or {}),
    }


def _read_actions_yaml(files: YamlFiles) -> dict[str, Any]:
    path = files.root / "actions.yaml"
    try:
        extras = files.load(path, {})
    except MetadataDirError as error:
        raise MetadataDirError(error.message, error.file, _with_hint(error.detail, _list_form_hint(path)))
    if not isinstance(extras, dict):
        hint = _list_form_hint(path)
        raise MetadataDirError(
            "actions.yaml must be a mapping with the keys actions and custom_types", "actions.yaml", hint
        )
    return extras


def _list_form_hint(path: Path) -> str | None:
    """A hint when actions.yaml starts with "- custom_types" / "- actions", as some docs render it."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    first = next((line for line in lines if line and not line.startswith("#")), "")
    match = re.match(r"^-\s*(actions|custom_types)\s*$", first)
    return f"write '{match.group(1)}:' (a mapping key), not '- {match.group(1)}'" if match else None


def _with_hint(detail: str | None, hint: str | None) -> str | None:
    return "; ".join(part for part in (detail, hint) if part) or None


def _named_entries(entries: list[Any], what: str) -> list[dict[str, Any]]:
    names: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise MetadataDirError(f"each entry of {what} needs a name", "actions.yaml")
        if entry["name"] in names:
            raise MetadataDirError(f"{entry['name']} is listed more than once in {what}", "actions.yaml")
        names.add(entry["name"])
    return entries


def _merge_actions(sdl_actions: dict[str, dict[str, Any]], entries: list[Any]) -> list[dict[str, Any]]:
    """actions.yaml order first (its runtime keys copied on), then actions only declared in the SDL."""
    merged = []
    for entry in _named_entries(entries, "actions"):
        action = sdl_actions.get(entry["name"])
        if action is None:
            raise MetadataDirError(
                f"action {entry['name']} is not present in actions.graphql", "actions.yaml"
            )
        merged.append(_with_runtime_config(action, entry))
    listed = {entry["name"] for entry in entries}
    merged += [action for name, action in sdl_actions.items() if name not in listed]
    return [arrange(action, ACTION) for action in merged]


def _with_runtime_config(action: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    runtime = expect_mapping(entry.get("definition") or {}, "actions.yaml", f"definition of {entry['name']}")
    definition = {**action["definition"], **{k: v for k, v in runtime.items() if k not in SDL_ACTION_KEYS}}
    extras = {key: value for key, value in entry.items() if key not in ("name", "definition")}
    return {"name": action["name"], "definition": definition, **extras}


def _merge_custom_types(sdl_types: TypesByKind, yaml_types: Any) -> dict[str, list[dict[str, Any]]]:
    yaml_types = expect_mapping(yaml_types, "actions.yaml", "custom_types")
    unknown = sorted(set(yaml_types) - set(CUSTOM_TYPE_KINDS))
    if unknown:
        raise MetadataDirError(f"unknown custom_types keys: {', '.join(unknown)}", "actions.yaml")
    merged = {}
    for kind in CUSTOM_TYPE_KINDS:
        entries = expect_list(yaml_types.get(kind) or [], "actions.yaml", f"custom_types.{kind}")
        merged[kind] = _merge_type_kind(kind, sdl_types[kind], entries)
    return {kind: entries for kind, entries in merged.items() if entries}


def _merge_type_kind(
    kind: str, sdl_entries: dict[str, dict[str, Any]], entries: list[Any]
) -> list[dict[str, Any]]:
    """Type descriptions and relationships from actions.yaml copied onto the SDL-declared types."""
    merged = []
    for entry in _named_entries(entries, f"custom_types.{kind}"):
        declared = sdl_entries.get(entry["name"])
        if declared is None:
            raise MetadataDirError(
                f"custom type {entry['name']} is not present in actions.graphql",
                "actions.yaml",
                f"custom_types.{kind}",
            )
        merged.append({**declared, **{k: v for k, v in entry.items() if k not in SDL_TYPE_KEYS}})
    listed = {entry["name"] for entry in entries}
    merged += [declared for name, declared in sdl_entries.items() if name not in listed]
    return [arrange(entry, CUSTOM_TYPE) for entry in merged]


# --- Writing ---------------------------------------------------------------------------------------


def render_actions_files(actions: list[dict[str, Any]], custom_types: dict[str, Any]) -> dict[str, str]:
    """actions.graphql and actions.yaml, by file name."""
    return {
        "actions.graphql": render_actions_sdl(actions, custom_types),
        "actions.yaml": dump_yaml(_actions_yaml(actions, custom_types)),
    }


def _actions_yaml(actions: list[dict[str, Any]], custom_types: dict[str, Any]) -> dict[str, Any]:
    """actions.yaml: action runtime keys, custom types reduced to name (+ description, relationships)."""
    return {
        "actions": [arrange(_runtime_part(action), ACTIONS_YAML_ACTION) for action in actions],
        "custom_types": {
            kind: [
                arrange({k: v for k, v in entry.items() if k not in SDL_TYPE_KEYS}, CUSTOM_TYPE)
                for entry in custom_types.get(kind) or []
            ]
            for kind in ACTIONS_YAML_TYPE_KINDS
        },
    }


def _runtime_part(action: dict[str, Any]) -> dict[str, Any]:
    definition = action.get("definition") or {}
    return {
        **action,
        "definition": {key: value for key, value in definition.items() if key not in SDL_ACTION_KEYS},
    }
