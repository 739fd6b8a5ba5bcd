"""The bridge between the metadata rows and ``engine.metadata.Metadata``.

``load_metadata`` reads every row into one immutable snapshot. ``save_metadata`` makes the rows
match a snapshot: rows are matched by natural key (names), so unchanged objects keep their primary
keys, changed ones are updated in place, missing ones are created and the rest deleted. Only
``relationships.services`` calls ``save_metadata``, inside its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models as dj_models
from django.utils import timezone

from engine.metadata import Metadata
from relationships import models

Key = tuple[Any, ...]


def load_state(*, lock: bool = False) -> models.MetadataState:
    """The metadata state row (created on first use), optionally locked for update."""
    queryset = models.MetadataState.objects.all()
    if lock:
        queryset = queryset.select_for_update()
    state = queryset.order_by("id").first()
    if state is None:
        state = models.MetadataState.objects.create()
    return state


def load_metadata_dict() -> dict[str, Any]:
    """Every metadata row as one export-shaped dict."""
    state = load_state()
    document: dict[str, Any] = {
        "version": 3,
        "sources": [_source_dict(s) for s in _sources()],
        "remote_schemas": [_remote_schema_dict(r) for r in _remote_schemas()],
        "actions": [_action_dict(a) for a in models.Action.objects.prefetch_related("permissions")],
        "custom_types": _custom_types_dict(),
    }
    document.update(state.extras or {})
    return document


def load_metadata() -> Metadata:
    """The stored metadata as an immutable snapshot."""
    return Metadata.from_dict(load_metadata_dict())


@dataclass(frozen=True)
class IntrospectionFailure:
    """The last attempt to introspect a remote schema failed; ``message`` says why."""

    message: str


def load_introspections() -> dict[str, Any]:
    """The last introspection outcome of each remote schema: the answer, or an ``IntrospectionFailure``."""
    outcomes: dict[str, Any] = {}
    rows = models.RemoteSchema.objects.values_list("name", "introspection", "introspection_error")
    for name, answer, error in rows:
        if error is not None:
            outcomes[name] = IntrospectionFailure(error)
        elif answer is not None:
            outcomes[name] = answer
    return outcomes


def save_metadata(metadata: Metadata, *, introspections: Mapping[str, Any] | None = None) -> None:
    """Make the rows match ``metadata``; store fresh introspection outcomes where given."""
    document = metadata.to_dict()
    state = load_state()
    extras = {k: v for k, v in document.items() if k not in _DOCUMENT_KEYS}
    if state.extras != extras:
        state.extras = extras
        state.save(update_fields=["extras", "updated_at"])
    _save_sources(document.get("sources", []))
    _save_actions(document.get("actions", []))
    _save_custom_types(document.get("custom_types", {}))
    _save_remote_schemas(document.get("remote_schemas", []), introspections or {})


_DOCUMENT_KEYS = {"version", "sources", "remote_schemas", "actions", "custom_types"}


# Reading -----------------------------------------------------------------------------------------


def _sources() -> Iterable[models.Source]:
    return models.Source.objects.prefetch_related(
        dj_models.Prefetch(
            "tables",
            queryset=models.TrackedTable.objects.prefetch_related(
                "relationships", "remote_relationships", "permissions"
            ),
        )
    )


def _source_dict(source: models.Source) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": source.name,
        "kind": source.kind,
        "tables": [_table_dict(t) for t in source.tables.all()],
        "configuration": source.configuration,
    }
    if source.customization:
        out["customization"] = source.customization
    out.update(source.extras or {})
    return out


def _table_dict(table: models.TrackedTable) -> dict[str, Any]:
    out: dict[str, Any] = {"table": {"schema": table.schema, "name": table.name}}
    if table.configuration:
        out["configuration"] = table.configuration
    if table.is_enum:
        out["is_enum"] = True
    for kind in ("object", "array"):
        relationships = [r for r in table.relationships.all() if r.kind == kind]
        out[f"{kind}_relationships"] = [
            _with_comment({"name": r.name, "using": r.using}, r.comment) for r in relationships
        ]
    out["remote_relationships"] = [
        {"name": r.name, "definition": r.definition} for r in table.remote_relationships.all()
    ]
    for kind in ("insert", "select", "update", "delete"):
        permissions = [p for p in table.permissions.all() if p.kind == kind]
        out[f"{kind}_permissions"] = [
            _with_comment({"role": p.role, "permission": p.permission}, p.comment) for p in permissions
        ]
    out.update(table.extras or {})
    return out


def _action_dict(action: models.Action) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "handler": action.handler,
        "output_type": action.output_type,
        "type": action.action_type,
        "kind": action.kind,
        "arguments": action.arguments,
        "headers": action.headers,
        "forward_client_headers": action.forward_client_headers,
        "timeout": action.timeout,
        **(action.transforms or {}),
    }
    out: dict[str, Any] = {"name": action.name, "definition": definition}
    if action.comment is not None:
        out["comment"] = action.comment
    out["permissions"] = [_with_comment({"role": p.role}, p.comment) for p in action.permissions.all()]
    return out


def _custom_types_dict() -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {"scalars": [], "enums": [], "input_objects": [], "objects": []}
    for custom_type in models.CustomType.objects.prefetch_related("relationships"):
        entry = _with_description({"name": custom_type.name}, custom_type.description)
        if custom_type.kind == "enum":
            entry["values"] = custom_type.fields
        elif custom_type.kind != "scalar":
            entry["fields"] = custom_type.fields
        if custom_type.kind == "object":
            entry["relationships"] = [_type_relationship_dict(r) for r in custom_type.relationships.all()]
        groups[_GROUP_OF_KIND[custom_type.kind]].append(entry)
    return groups


_GROUP_OF_KIND = {"scalar": "scalars", "enum": "enums", "input_object": "input_objects", "object": "objects"}


def _type_relationship_dict(relationship: models.CustomTypeRelationship) -> dict[str, Any]:
    if relationship.definition is not None:
        return {"name": relationship.name, "definition": relationship.definition}
    return {
        "name": relationship.name,
        "type": relationship.kind,
        "source": relationship.source,
        "remote_table": {"schema": relationship.remote_schema_name, "name": relationship.remote_table_name},
        "field_mapping": relationship.field_mapping,
    }


def _remote_schemas() -> Iterable[models.RemoteSchema]:
    return models.RemoteSchema.objects.prefetch_related("permissions", "relationships")


def _remote_schema_dict(remote_schema: models.RemoteSchema) -> dict[str, Any]:
    out: dict[str, Any] = {"name": remote_schema.name, "definition": remote_schema.definition}
    if remote_schema.comment is not None:
        out["comment"] = remote_schema.comment
    out["permissions"] = [
        _with_comment({"role": p.role, "definition": p.definition}, p.comment)
        for p in remote_schema.permissions.all()
    ]
    groups: dict[str, list[dict[str, Any]]] = {}
    for relationship in remote_schema.relationships.all():
        groups.setdefault(relationship.type_name, []).append(
            {"name": relationship.name, "definition": relationship.definition}
        )
    out["remote_relationships"] = [_type_group(type_name, rels) for type_name, rels in groups.items()]
    return out


def _type_group(type_name: str, relationships: list[dict[str, Any]]) -> dict[str, Any]:
    group: dict[str, Any] = {"type_name": type_name} if type_name else {}
    group["relationships"] = relationships
    return group


def _with_comment(entry: dict[str, Any], comment: str | None) -> dict[str, Any]:
    if comment is not None:
        entry["comment"] = comment
    return entry


def _with_description(entry: dict[str, Any], description: str | None) -> dict[str, Any]:
    if description is not None:
        entry["description"] = description
    return entry


# Writing -----------------------------------------------------------------------------------------


def _sync(
    model: type[dj_models.Model],
    queryset: dj_models.QuerySet,
    key_fields: tuple[str, ...],
    rows: list[dict[str, Any]],
    **parent: Any,
) -> dict[Key, Any]:
    """Match existing rows to ``rows`` by key: update changed fields, create missing rows, delete the rest."""
    existing = {tuple(getattr(row, f) for f in key_fields): row for row in queryset}
    kept: dict[Key, Any] = {}
    for position, values in enumerate(rows):
        values = {**values, "position": position}
        key = tuple(values[f] for f in key_fields)
        row = existing.pop(key, None)
        if row is None:
            row = model.objects.create(**parent, **values)
        else:
            changed = [field for field, value in values.items() if getattr(row, field) != value]
            for field in changed:
                setattr(row, field, values[field])
            if changed:
                row.save(update_fields=changed)
        kept[key] = row
    for row in existing.values():
        row.delete()
    return kept


def _save_sources(sources: list[dict[str, Any]]) -> None:
    rows = [
        {
            "name": s["name"],
            "kind": s["kind"],
            "configuration": s["configuration"],
            "customization": s.get("customization"),
            "extras": {k: v for k, v in s.items() if k not in _SOURCE_KEYS},
        }
        for s in sources
    ]
    saved = _sync(models.Source, models.Source.objects.all(), ("name",), rows)
    for source in sources:
        _save_tables(saved[(source["name"],)], source.get("tables", []))


_SOURCE_KEYS = {"name", "kind", "tables", "configuration", "customization"}
_TABLE_KEYS = {"table", "configuration", "is_enum", "object_relationships", "array_relationships"} | {
    "remote_relationships",
    "insert_permissions",
    "select_permissions",
    "update_permissions",
    "delete_permissions",
}


def _save_tables(source: models.Source, tables: list[dict[str, Any]]) -> None:
    rows = [
        {
            "schema": t["table"]["schema"],
            "name": t["table"]["name"],
            "configuration": t.get("configuration", {}),
            "is_enum": t.get("is_enum", False),
            "extras": {k: v for k, v in t.items() if k not in _TABLE_KEYS},
        }
        for t in tables
    ]
    saved = _sync(models.TrackedTable, source.tables.all(), ("schema", "name"), rows, source=source)
    for table in tables:
        _save_table_children(saved[(table["table"]["schema"], table["table"]["name"])], table)


def _save_table_children(table: models.TrackedTable, document: dict[str, Any]) -> None:
    relationships = [
        {"name": r["name"], "kind": kind, "using": r["using"], "comment": r.get("comment")}
        for kind in ("object", "array")
        for r in document.get(f"{kind}_relationships", [])
    ]
    _sync(models.TableRelationship, table.relationships.all(), ("name",), relationships, table=table)
    remote = [
        {"name": r["name"], "definition": r["definition"]} for r in document.get("remote_relationships", [])
    ]
    _sync(models.TableRemoteRelationship, table.remote_relationships.all(), ("name",), remote, table=table)
    permissions = [
        {"kind": kind, "role": p["role"], "permission": p["permission"], "comment": p.get("comment")}
        for kind in ("insert", "select", "update", "delete")
        for p in document.get(f"{kind}_permissions", [])
    ]
    _sync(models.TablePermission, table.permissions.all(), ("kind", "role"), permissions, table=table)


def _save_actions(actions: list[dict[str, Any]]) -> None:
    rows = [_action_row(a) for a in actions]
    saved = _sync(models.Action, models.Action.objects.all(), ("name",), rows)
    for action in actions:
        permissions = [
            {"role": p["role"], "comment": p.get("comment")} for p in action.get("permissions", [])
        ]
        row = saved[(action["name"],)]
        _sync(models.ActionPermission, row.permissions.all(), ("role",), permissions, action=row)


def _action_row(action: dict[str, Any]) -> dict[str, Any]:
    definition = action["definition"]
    return {
        "name": action["name"],
        "action_type": definition["type"],
        "kind": definition.get("kind", "synchronous"),
        "arguments": definition.get("arguments", []),
        "output_type": definition["output_type"],
        "handler": definition["handler"],
        "headers": definition.get("headers", []),
        "forward_client_headers": definition.get("forward_client_headers", False),
        "timeout": definition.get("timeout", 30),
        "transforms": {
            k: definition[k] for k in ("request_transform", "response_transform") if k in definition
        },
        "comment": action.get("comment"),
    }


def _save_custom_types(custom_types: dict[str, Any]) -> None:
    rows = []
    for group, kind in (
        ("scalars", "scalar"),
        ("enums", "enum"),
        ("input_objects", "input_object"),
        ("objects", "object"),
    ):
        for entry in custom_types.get(group, []):
            fields = entry.get("values") if kind == "enum" else entry.get("fields", [])
            rows.append(
                {
                    "kind": kind,
                    "name": entry["name"],
                    "description": entry.get("description"),
                    "fields": fields or [],
                }
            )
    saved = _sync(models.CustomType, models.CustomType.objects.all(), ("name",), rows)
    for entry in custom_types.get("objects", []):
        row = saved[(entry["name"],)]
        relationships = [_type_relationship_row(r) for r in entry.get("relationships", [])]
        _sync(
            models.CustomTypeRelationship, row.relationships.all(), ("name",), relationships, custom_type=row
        )


def _type_relationship_row(relationship: dict[str, Any]) -> dict[str, Any]:
    if "definition" in relationship:
        return {
            "name": relationship["name"],
            "remote_table_name": "",
            "field_mapping": {},
            "definition": relationship["definition"],
        }
    return {
        "name": relationship["name"],
        "kind": relationship["type"],
        "source": relationship["source"],
        "remote_schema_name": relationship["remote_table"]["schema"],
        "remote_table_name": relationship["remote_table"]["name"],
        "field_mapping": relationship["field_mapping"],
        "definition": None,
    }


def _save_remote_schemas(remote_schemas: list[dict[str, Any]], introspections: Mapping[str, Any]) -> None:
    rows = [
        {"name": r["name"], "definition": r["definition"], "comment": r.get("comment")}
        for r in remote_schemas
    ]
    saved = _sync(models.RemoteSchema, models.RemoteSchema.objects.all(), ("name",), rows)
    for remote_schema in remote_schemas:
        row = saved[(remote_schema["name"],)]
        _save_remote_schema_children(row, remote_schema)
        if remote_schema["name"] in introspections:
            _save_introspection(row, introspections[remote_schema["name"]])


def _save_introspection(row: models.RemoteSchema, outcome: Any) -> None:
    if isinstance(outcome, IntrospectionFailure):
        row.introspection_error = outcome.message
    else:
        row.introspection, row.introspection_error = outcome, None
    row.introspected_at = timezone.now()
    row.save(update_fields=["introspection", "introspection_error", "introspected_at"])


def _save_remote_schema_children(row: models.RemoteSchema, document: dict[str, Any]) -> None:
    permissions = [
        {"role": p["role"], "definition": p["definition"], "comment": p.get("comment")}
        for p in document.get("permissions", [])
    ]
    _sync(models.RemoteSchemaPermission, row.permissions.all(), ("role",), permissions, remote_schema=row)
    relationships = [
        {"type_name": group.get("type_name") or "", "name": r["name"], "definition": r["definition"]}
        for group in document.get("remote_relationships", [])
        for r in group["relationships"]
    ]
    _sync(
        models.RemoteSchemaRelationship,
        row.relationships.all(),
        ("type_name", "name"),
        relationships,
        remote_schema=row,
    )
