"""What changes, object by object, when one export_metadata object replaces another.

Each line names one object: "+ <object>" added, "- <object>" removed, "~ <object>: <what> changed"
modified. Objects are paired by identity (name, qualified table, type name and kind), in the desired
order first, then the removed ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from relationships.metadata_dir.actions_sdl import CUSTOM_TYPE_KINDS
from relationships.metadata_dir.layout import TOP_LEVEL_ORDER
from relationships.metadata_dir.shapes import (
    ACTION,
    CUSTOM_TYPE,
    FUNCTION,
    REMOTE_SCHEMA,
    SOURCE,
    TABLE,
    Shape,
    qualified_name,
)

# Top-level lists whose entries are named, for per-entry lines: export key -> (label, identifying key).
_NAMED_PASSTHROUGH = {
    "query_collections": ("query collection", "name"),
    "allowlist": ("allowlist entry", "collection"),
    "cron_triggers": ("cron trigger", "name"),
    "rest_endpoints": ("rest endpoint", "name"),
    "inherited_roles": ("inherited role", "role_name"),
}
_TYPE_KIND_LABELS = {
    "input_objects": "input object",
    "objects": "object",
    "scalars": "scalar",
    "enums": "enum",
}


def metadata_dir_diff(current: dict[str, Any], desired: dict[str, Any]) -> list[str]:
    """Readable lines, object by object, for what changes when `current` is replaced by `desired`.

    "+ <object>" is added, "- <object>" removed, "~ <object>: <what> changed" modified.
    """
    return [
        *_diff_sources(current.get("sources") or [], desired.get("sources") or []),
        *_diff_remote_schemas(current.get("remote_schemas") or [], desired.get("remote_schemas") or []),
        *_diff_actions(current.get("actions") or [], desired.get("actions") or []),
        *_diff_custom_types(current.get("custom_types") or {}, desired.get("custom_types") or {}),
        *_diff_other_keys(current, desired),
    ]


def _pair_up(
    current: Iterable[Any], desired: Iterable[Any], identity: Callable[[Any], Any]
) -> list[tuple[Any, Any, Any]]:
    """(identity, current item or None, desired item or None): desired order, then removed items."""
    current_by_id = {identity(item): item for item in current}
    desired_by_id = {identity(item): item for item in desired}
    ids = list(desired_by_id) + [key for key in current_by_id if key not in desired_by_id]
    return [(key, current_by_id.get(key), desired_by_id.get(key)) for key in ids]


def _changed_keys(
    current: dict[str, Any], desired: dict[str, Any], order: Iterable[str], skip: Iterable[str] = ()
) -> list[str]:
    order = tuple(order)
    keys = [key for key in order if key in current or key in desired]
    keys += [key for key in {**current, **desired} if key not in order]
    return [key for key in keys if key not in skip and current.get(key) != desired.get(key)]


def _diff_entries(
    label: str,
    current: dict[str, Any] | None,
    desired: dict[str, Any] | None,
    order: Iterable[str],
    skip: Iterable[str] = (),
) -> list[str]:
    if current is None or desired is None:
        return [_entry_line(label, current, desired)]
    return [f"~ {label}: {key} changed" for key in _changed_keys(current, desired, order, skip)]


def _diff_sources(current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> list[str]:
    lines = []
    for name, before, after in _pair_up(current, desired, lambda source: source.get("name")):
        lines += _diff_entries(f"source {name}", before, after, SOURCE.keys, skip=("tables", "functions"))
        for key, shape in (("table", TABLE), ("function", FUNCTION)):
            lines += _diff_source_objects(
                key, shape, name, (before or {}).get(f"{key}s") or [], (after or {}).get(f"{key}s") or []
            )
    return lines


def _diff_source_objects(
    key: str, shape: Shape, source: str, current: list[Any], desired: list[Any]
) -> list[str]:
    lines = []
    for (schema, name), before, after in _pair_up(
        current, desired, lambda item: qualified_name(item.get(key))
    ):
        lines += _diff_entries(
            f"{key} {schema}.{name} in source {source}", before, after, shape.keys, skip=(key,)
        )
    return lines


def _diff_remote_schemas(current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> list[str]:
    lines = []
    for name, before, after in _pair_up(current, desired, lambda schema: schema.get("name")):
        label = f"remote schema {name}"
        lines += _diff_entries(label, before, after, REMOTE_SCHEMA.keys, skip=("remote_relationships",))
        if before is not None and after is not None:
            lines += _diff_remote_schema_relationships(label, before, after)
    return lines


def _remote_schema_relationships(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (".".join(part for part in (group.get("type_name"), relationship.get("name")) if part), relationship)
        for group in schema.get("remote_relationships") or []
        for relationship in group.get("relationships") or []
    ]


def _diff_remote_schema_relationships(
    label: str, current: dict[str, Any], desired: dict[str, Any]
) -> list[str]:
    pairs = _pair_up(
        _remote_schema_relationships(current), _remote_schema_relationships(desired), lambda item: item[0]
    )
    return _diff_named_parts(label, "remote relationship", pairs)


def _diff_named_parts(label: str, part: str, pairs: list[tuple[Any, Any, Any]]) -> list[str]:
    lines = []
    for name, before, after in pairs:
        if before is None:
            lines.append(f"~ {label}: + {part} {name}")
        elif after is None:
            lines.append(f"~ {label}: - {part} {name}")
        elif before != after:
            lines.append(f"~ {label}: {part} {name} changed")
    return lines


def _diff_actions(current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> list[str]:
    lines = []
    for name, before, after in _pair_up(current, desired, lambda action: action.get("name")):
        label = f"action {name}"
        if before is None or after is None:
            lines += _diff_entries(label, before, after, ())
            continue
        definition_keys = ACTION.fields["definition"].keys
        lines += [
            f"~ {label}: {key} changed"
            for key in _changed_keys(
                before.get("definition") or {}, after.get("definition") or {}, definition_keys
            )
        ]
        lines += _diff_entries(label, before, after, ACTION.keys, skip=("name", "definition"))
    return lines


def _custom_types_by_name(custom_types: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (entry.get("name"), kind, entry)
        for kind in CUSTOM_TYPE_KINDS
        for entry in custom_types.get(kind) or []
    ]


def _diff_custom_types(current: dict[str, Any], desired: dict[str, Any]) -> list[str]:
    lines = []
    pairs = _pair_up(
        _custom_types_by_name(current), _custom_types_by_name(desired), lambda item: (item[0], item[1])
    )
    for (name, kind), before, after in pairs:
        lines += _diff_custom_type(name, kind, before and before[2], after and after[2])
    return lines


def _diff_custom_type(
    name: str, kind: str, current: dict[str, Any] | None, desired: dict[str, Any] | None
) -> list[str]:
    if current is None or desired is None:
        return _diff_entries(f"custom type {name} ({_TYPE_KIND_LABELS[kind]})", current, desired, ())
    label = f"custom type {name}"
    lines = _diff_entries(label, current, desired, CUSTOM_TYPE.keys, skip=("relationships",))
    pairs = _pair_up(
        current.get("relationships") or [], desired.get("relationships") or [], lambda rel: rel.get("name")
    )
    return lines + _diff_named_parts(label, "relationship", pairs)


def _diff_other_keys(current: dict[str, Any], desired: dict[str, Any]) -> list[str]:
    handled = ("sources", "remote_schemas", "actions", "custom_types")
    return [
        line
        for key in _changed_keys(current, desired, TOP_LEVEL_ORDER, skip=handled)
        for line in _diff_top_level_value(key, current.get(key), desired.get(key))
    ]


def _diff_top_level_value(key: str, current: Any, desired: Any) -> list[str]:
    label, id_key = _NAMED_PASSTHROUGH.get(key, (key, None))
    items = [*(current or []), *(desired or [])] if id_key else []
    if items and all(isinstance(item, dict) and id_key in item for item in items):
        pairs = _pair_up(current or [], desired or [], lambda item: item[id_key])
        return [
            _entry_line(f"{label} {name}", before, after) for name, before, after in pairs if before != after
        ]
    return [_entry_line(key, current or None, desired or None)]


def _entry_line(label: str, current: Any, desired: Any) -> str:
    if current is None:
        return f"+ {label}"
    if desired is None:
        return f"- {label}"
    return f"~ {label} changed"
