"""The demo's metadata: every object the seed examples need, each with the command that creates it.

``missing_commands(export)`` lists, in dependency order, the metadata API commands for the demo
objects an export lacks; ``register_demo_metadata()`` runs them as one ``bulk`` through the
metadata funnel. Objects that exist are never changed, so a second run sends nothing and the
``resource_version`` stays where it was; whatever else the metadata holds is left alone.

Handler and remote schema URLs are ``{{JOINERY_DEMO_URL}}`` templates and the database URL is read
from ``JOINERY_DEMO_DATABASE_URL``, so the stored metadata does not depend on where the server runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from console.demo.database import DATABASE_URL_VARIABLE
from relationships.services import metadata_request_run

Export = dict[str, Any]

DEMO_URL_VARIABLE = "JOINERY_DEMO_URL"
DEMO_URL = "{{" + DEMO_URL_VARIABLE + "}}"
SOURCE = "default"
SOURCE_CONFIGURATION = {"connection_info": {"database_url": {"from_env": DATABASE_URL_VARIABLE}}}
TABLES = ("users", "user", "author", "article")
ORDER_REMOTE_SCHEMA = "order-remote-schema"
AUTH0_REMOTE_SCHEMA = "auth0"


@dataclass(frozen=True)
class DemoObject:
    """One demo object: a name for messages, how to find it in an export, and how to create it."""

    name: str
    exists: Callable[[Export], bool]
    command: Callable[[Export], dict[str, Any]]


def missing_commands(export: Export) -> list[dict[str, Any]]:
    """The commands creating the demo objects ``export`` lacks, in the order they must run."""
    return [item.command(export) for item in DEMO_OBJECTS if not item.exists(export)]


def missing_objects(export: Export) -> list[str]:
    """The names of the demo objects ``export`` lacks."""
    return [item.name for item in DEMO_OBJECTS if not item.exists(export)]


def source_conflict(export: Export) -> str | None:
    """Why the demo cannot use the source name ``default`` (another database has it), or None."""
    source = _source(export, SOURCE)
    if source is None or source.get("configuration") == SOURCE_CONFIGURATION:
        return None
    return f'a source named "{SOURCE}" already exists and is not the demo database'


def current_export() -> Export:
    """The stored metadata, as ``export_metadata`` returns it."""
    return metadata_request_run(body={"type": "export_metadata", "args": {}})


def register_demo_metadata(export: Export) -> list[str]:
    """Create the demo objects ``export`` lacks, all in one ``bulk``; return their names."""
    commands = missing_commands(export)
    if commands:
        metadata_request_run(body={"type": "bulk", "args": commands})
    return missing_objects(export)


# --- finding objects in an export -------------------------------------------------------------


def _source(export: Export, name: str) -> dict[str, Any] | None:
    return next((s for s in export.get("sources", []) if s["name"] == name), None)


def _table(export: Export, name: str) -> dict[str, Any] | None:
    source = _source(export, SOURCE) or {}
    return next((t for t in source.get("tables", []) if t["table"]["name"] == name), None)


def _table_relationships(export: Export, table: str) -> set[str]:
    entry = _table(export, table) or {}
    kinds = ("object_relationships", "array_relationships", "remote_relationships")
    return {r["name"] for kind in kinds for r in entry.get(kind, [])}


def _remote_schema(export: Export, name: str) -> dict[str, Any] | None:
    return next((r for r in export.get("remote_schemas", []) if r["name"] == name), None)


def _remote_schema_relationships(export: Export, name: str, type_name: str) -> set[str]:
    groups = (_remote_schema(export, name) or {}).get("remote_relationships", [])
    return {r["name"] for group in groups if group["type_name"] == type_name for r in group["relationships"]}


def _custom_objects(export: Export) -> list[dict[str, Any]]:
    return export.get("custom_types", {}).get("objects", [])


def _action(export: Export, name: str) -> dict[str, Any] | None:
    return next((a for a in export.get("actions", []) if a["name"] == name), None)


# --- the demo objects -------------------------------------------------------------------------


def _constant(type_: str, args: dict[str, Any]) -> Callable[[Export], dict[str, Any]]:
    return lambda export: {"type": type_, "args": args}


def _source_object() -> DemoObject:
    args = {"name": SOURCE, "configuration": SOURCE_CONFIGURATION}
    return DemoObject(
        f"source {SOURCE}",
        lambda export: _source(export, SOURCE) is not None,
        _constant("sqlite_add_source", args),
    )


def _table_object(name: str) -> DemoObject:
    return DemoObject(
        f"table {name}",
        lambda export: _table(export, name) is not None,
        _constant("sqlite_track_table", {"source": SOURCE, "table": name}),
    )


def _table_relationship(kind: str, table: str, name: str, definition: dict[str, Any]) -> DemoObject:
    """A relationship on a demo table; ``kind`` is object, array or remote."""
    args = {"source": SOURCE, "table": table, "name": name, **definition}
    return DemoObject(
        f"relationship {table}.{name}",
        lambda export: name in _table_relationships(export, table),
        _constant(f"sqlite_create_{kind}_relationship", args),
    )


def _remote_schema_object(name: str, path: str) -> DemoObject:
    args = {"name": name, "definition": {"url": f"{DEMO_URL}/demo/graphql/{path}"}}
    return DemoObject(
        f"remote schema {name}",
        lambda export: _remote_schema(export, name) is not None,
        _constant("add_remote_schema", args),
    )


def _remote_schema_relationship(remote_schema: str, type_name: str, name: str, to_source: Any) -> DemoObject:
    args = {
        "remote_schema": remote_schema,
        "type_name": type_name,
        "name": name,
        "definition": {"to_source": to_source},
    }
    return DemoObject(
        f"relationship {remote_schema}.{type_name}.{name}",
        lambda export: name in _remote_schema_relationships(export, remote_schema, type_name),
        _constant("create_remote_schema_remote_relationship", args),
    )


def _custom_types_object(objects: list[dict[str, Any]]) -> DemoObject:
    """The demo's output types; ``set_custom_types`` replaces them all, so the others are kept."""
    names = {o["name"] for o in objects}

    def exists(export: Export) -> bool:
        return names <= {o["name"] for o in _custom_objects(export)}

    def command(export: Export) -> dict[str, Any]:
        kept = dict(export.get("custom_types", {}))
        present = {o["name"] for o in _custom_objects(export)}
        kept["objects"] = _custom_objects(export) + [o for o in objects if o["name"] not in present]
        return {"type": "set_custom_types", "args": kept}

    return DemoObject("custom types " + ", ".join(sorted(names)), exists, command)


def _action_object(name: str, arguments: dict[str, str], output_type: str) -> DemoObject:
    definition = {
        "kind": "synchronous",
        "type": "mutation",
        "handler": f"{DEMO_URL}/demo/actions/{name}",
        "arguments": [{"name": arg, "type": type_} for arg, type_ in arguments.items()],
        "output_type": output_type,
    }
    return DemoObject(
        f"action {name}",
        lambda export: _action(export, name) is not None,
        _constant("create_action", {"name": name, "definition": definition}),
    )


def _output_type(
    name: str, fields: dict[str, str], relationship: str, table: str, mapping: dict[str, str]
) -> dict[str, Any]:
    """An action output type with one object relationship to a demo table."""
    return {
        "name": name,
        "fields": [{"name": field, "type": type_} for field, type_ in fields.items()],
        "relationships": [
            {
                "name": relationship,
                "type": "object",
                "source": SOURCE,
                "remote_table": table,
                "field_mapping": mapping,
            }
        ],
    }


DEMO_OBJECTS: tuple[DemoObject, ...] = (
    _source_object(),
    *(_table_object(name) for name in TABLES),
    # Seed 003: `author` has the array relationship `articles`.
    _table_relationship(
        "array",
        "author",
        "articles",
        {
            "using": {
                "manual_configuration": {"remote_table": "article", "column_mapping": {"id": "author_id"}}
            }
        },
    ),
    _table_relationship(
        "object",
        "article",
        "author",
        {
            "using": {
                "manual_configuration": {"remote_table": "author", "column_mapping": {"author_id": "id"}}
            }
        },
    ),
    # Seeds 002 and 004: the two remote services of this server.
    _remote_schema_object(ORDER_REMOTE_SCHEMA, "orders"),
    _remote_schema_object(AUTH0_REMOTE_SCHEMA, "auth0"),
    # Seed 002: users -> the Auth0-like profile service, on auth0_id.
    _table_relationship(
        "remote",
        "users",
        "auth0_profile",
        {
            "definition": {
                "to_remote_schema": {
                    "remote_schema": AUTH0_REMOTE_SCHEMA,
                    "lhs_fields": ["auth0_id"],
                    "remote_field": {"auth0_profile": {"arguments": {"user_id": "$auth0_id"}}},
                }
            }
        },
    ),
    # Seed 004: Order.user_id -> user.id.
    _remote_schema_relationship(
        ORDER_REMOTE_SCHEMA,
        "Order",
        "user",
        {
            "relationship_type": "object",
            "source": SOURCE,
            "table": {"schema": "public", "name": "user"},
            "field_mapping": {"user_id": "id"},
        },
    ),
    # Seeds 000-003: the actions' output types and their relationships to tables.
    _custom_types_object(
        [
            _output_type("UserOutput", {"id": "Int!"}, "user", "users", {"id": "id"}),
            _output_type(
                "UpdateAuthorOutput", {"author_id": "Int!"}, "updatedAuthor", "author", {"author_id": "id"}
            ),
            _output_type("InsertAuthorOutput", {"id": "Int!"}, "author", "author", {"id": "id"}),
        ]
    ),
    _action_object("createUser", {"name": "String!"}, "UserOutput"),
    _action_object("updateAuthor", {"id": "Int!", "name": "String!"}, "UpdateAuthorOutput"),
    _action_object("insertAuthor", {"name": "String!"}, "InsertAuthorOutput"),
)
