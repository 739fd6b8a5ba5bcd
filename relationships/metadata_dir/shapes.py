"""The shapes of metadata objects: their keys in Hasura's export order, and the shapes found under them.

`arrange` puts an object's known keys in that order (unknown keys follow in their own order), so that
what is written reads like Hasura's export and what is read compares equal to it.
`qualified_name` gives the (schema, name) that identifies a table or function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Shape:
    """Key order of one kind of object, and the shapes of values (or list items) under some keys."""

    keys: tuple[str, ...] = ()
    fields: Mapping[str, Shape] = field(default_factory=dict)


def arrange(value: Any, shape: Shape) -> Any:
    """A copy of `value` with known keys in `shape` order first, unknown keys after in their own order."""
    if isinstance(value, list):
        return [arrange(item, shape) for item in value]
    if not isinstance(value, dict):
        return value
    keys = [key for key in shape.keys if key in value] + [key for key in value if key not in shape.keys]
    return {
        key: arrange(value[key], shape.fields[key]) if key in shape.fields else value[key] for key in keys
    }


def _permission(*body_keys: str) -> Shape:
    return Shape(("role", "permission", "comment"), {"permission": Shape(body_keys)})


_QUALIFIED = Shape(("schema", "name"))
_HEADER = Shape(("name", "value", "value_from_env"))
_RELATIONSHIP = Shape(
    ("name", "using", "comment"),
    {
        "using": Shape(
            ("foreign_key_constraint_on", "manual_configuration"),
            {
                "foreign_key_constraint_on": Shape(("table", "columns", "column"), {"table": _QUALIFIED}),
                "manual_configuration": Shape(
                    ("remote_table", "column_mapping", "insertion_order"), {"remote_table": _QUALIFIED}
                ),
            },
        )
    },
)
_BATCH = Shape(("list_argument", "key_field", "relationship_type"))
_TO_REMOTE_SCHEMA = Shape(("remote_schema", "lhs_fields", "remote_field", "batch"), {"batch": _BATCH})
_TO_ACTION = Shape(("action", "lhs_fields", "arguments", "batch"), {"batch": _BATCH})
_REMOTE_RELATIONSHIP = Shape(
    ("name", "definition"),
    {
        "definition": Shape(
            ("to_source", "to_remote_schema", "to_action", "remote_schema", "hasura_fields", "remote_field"),
            {
                "to_source": Shape(
                    ("relationship_type", "source", "table", "field_mapping"), {"table": _QUALIFIED}
                ),
                "to_remote_schema": _TO_REMOTE_SCHEMA,
                "to_action": _TO_ACTION,
            },
        )
    },
)
TABLE = Shape(
    (
        "table",
        "is_enum",
        "configuration",
        "object_relationships",
        "array_relationships",
        "computed_fields",
        "remote_relationships",
        "insert_permissions",
        "select_permissions",
        "update_permissions",
        "delete_permissions",
        "event_triggers",
        "apollo_federation_config",
    ),
    {
        "table": _QUALIFIED,
        "object_relationships": _RELATIONSHIP,
        "array_relationships": _RELATIONSHIP,
        "computed_fields": Shape(("name", "definition", "comment")),
        "remote_relationships": _REMOTE_RELATIONSHIP,
        "insert_permissions": _permission("check", "set", "columns", "backend_only"),
        "select_permissions": _permission(
            "columns",
            "computed_fields",
            "filter",
            "limit",
            "allow_aggregations",
            "query_root_fields",
            "subscription_root_fields",
        ),
        "update_permissions": _permission("columns", "filter", "check", "set", "backend_only"),
        "delete_permissions": _permission("filter", "backend_only"),
    },
)
FUNCTION = Shape(("function", "configuration", "permissions", "comment"), {"function": _QUALIFIED})
SOURCE = Shape(
    ("name", "kind", "tables", "functions", "configuration", "query_tags", "customization", "health_check"),
    {"tables": TABLE, "functions": FUNCTION},
)
REMOTE_SCHEMA = Shape(
    ("name", "definition", "comment", "permissions", "remote_relationships"),
    {
        "definition": Shape(
            ("url", "url_from_env", "timeout_seconds", "customization", "headers", "forward_client_headers"),
            {"headers": _HEADER},
        ),
        "permissions": Shape(("role", "definition", "comment")),
        "remote_relationships": Shape(
            ("type_name", "relationships"), {"relationships": _REMOTE_RELATIONSHIP}
        ),
    },
)
_ACTION_PERMISSION = Shape(("role", "comment"))
ACTION = Shape(
    ("name", "definition", "comment", "permissions"),
    {
        "definition": Shape(
            (
                "handler",
                "output_type",
                "forward_client_headers",
                "headers",
                "arguments",
                "request_transform",
                "response_transform",
                "type",
                "kind",
                "timeout",
            ),
            {"headers": _HEADER, "arguments": Shape(("name", "type", "description"))},
        ),
        "permissions": _ACTION_PERMISSION,
    },
)
ACTIONS_YAML_ACTION = Shape(
    ("name", "definition", "permissions", "comment"),
    {
        "definition": Shape(
            (
                "kind",
                "handler",
                "forward_client_headers",
                "headers",
                "timeout",
                "request_transform",
                "response_transform",
            ),
            {"headers": _HEADER},
        ),
        "permissions": _ACTION_PERMISSION,
    },
)
_TYPE_RELATIONSHIP = Shape(
    ("name", "type", "source", "remote_table", "field_mapping", "definition"),
    {
        "remote_table": _QUALIFIED,
        "definition": Shape(
            ("to_remote_schema", "to_action"),
            {"to_remote_schema": _TO_REMOTE_SCHEMA, "to_action": _TO_ACTION},
        ),
    },
)
_TYPE_FIELD = Shape(("name", "type", "arguments", "description"))
CUSTOM_TYPE = Shape(
    ("name", "fields", "values", "description", "relationships"),
    {
        "fields": _TYPE_FIELD,
        "values": Shape(("value", "description", "is_deprecated")),
        "relationships": _TYPE_RELATIONSHIP,
    },
)


def qualified_name(value: Any) -> tuple[str, str]:
    """(schema, name) of a table or function given as a string or as {schema, name}."""
    if isinstance(value, dict):
        return str(value.get("schema", "public")), str(value.get("name"))
    return "public", str(value)
