"""GraphQL names of metadata objects: tracked tables, their columns and root fields, and customization.

Tables follow Hasura's default naming (``hasura-default``): the table part is the custom name, else
the table name, prefixed ``<schema>_`` outside ``public``; ``custom_root_fields`` rename single root
fields. Source customization adds a prefix/suffix (and may nest every root field under a namespace);
remote schema customization renames types and fields (reference §4.5, §6.4), of the types the
gateway copies from a remote schema: those its root fields reach.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)

from engine.metadata import DEFAULT_SCHEMA, Table
from engine.metadata.reader import GRAPHQL_NAME

QUERY_ROOT_FIELDS = ("select", "select_by_pk", "select_aggregate")
MUTATION_ROOT_FIELDS = ("insert", "insert_one", "update", "update_by_pk", "delete", "delete_by_pk")
ROOT_FIELD_KINDS = QUERY_ROOT_FIELDS + MUTATION_ROOT_FIELDS
BY_PK_ROOT_FIELDS = ("select_by_pk", "update_by_pk", "delete_by_pk")

_DEFAULT_ROOT_FIELD_PATTERNS = {
    "select": "{}",
    "select_by_pk": "{}_by_pk",
    "select_aggregate": "{}_aggregate",
    "insert": "insert_{}",
    "insert_one": "insert_{}_one",
    "update": "update_{}",
    "update_by_pk": "update_{}_by_pk",
    "delete": "delete_{}",
    "delete_by_pk": "delete_{}_by_pk",
}

BUILTIN_SCALARS = ("Int", "Float", "String", "Boolean", "ID")
REMOTE_OPERATIONS = ("query", "mutation")


def is_graphql_name(text: str) -> bool:
    """True when ``text`` is a valid GraphQL name (``[_A-Za-z][_0-9A-Za-z]*``)."""
    return bool(GRAPHQL_NAME.match(text))


def table_graphql_name(table: Table) -> str:
    """The GraphQL name of a tracked table: its custom name, else ``[<schema>_]<name>``."""
    if table.custom_name:
        return table.custom_name
    qualified = table.table
    return qualified.name if qualified.schema == DEFAULT_SCHEMA else f"{qualified.schema}_{qualified.name}"


def custom_root_field_name(table: Table, kind: str) -> str | None:
    """The name ``custom_root_fields`` gives root field ``kind``, if any.

    A value is a name, null, or ``{"name": ..., "comment": ...}`` (Hasura's newer form).
    """
    value = (table.configuration.get("custom_root_fields") or {}).get(kind)
    if isinstance(value, Mapping):
        value = value.get("name")
    return value if isinstance(value, str) and value else None


def table_root_fields(table: Table) -> dict[str, str]:
    """Every root field name of a tracked table, keyed by root field kind (``"select"``, ...)."""
    base = table_graphql_name(table)
    return {
        kind: custom_root_field_name(table, kind) or pattern.format(base)
        for kind, pattern in _DEFAULT_ROOT_FIELD_PATTERNS.items()
    }


def column_graphql_name(table: Table, column: str) -> str:
    """The GraphQL field name of a column: its ``column_config`` custom name, else the column name."""
    configured = (table.configuration.get("column_config") or {}).get(column) or {}
    if configured.get("custom_name"):
        return str(configured["custom_name"])
    legacy = (table.configuration.get("custom_column_names") or {}).get(column)
    return str(legacy) if legacy else column


def source_namespace(customization: Mapping[str, Any] | None) -> str | None:
    """The root field a source nests all its root fields under, if customized."""
    return ((customization or {}).get("root_fields") or {}).get("namespace") or None


def source_root_field_name(customization: Mapping[str, Any] | None, name: str) -> str:
    """A table root field name with the source's root field prefix and suffix applied."""
    root_fields = (customization or {}).get("root_fields") or {}
    return f"{root_fields.get('prefix') or ''}{name}{root_fields.get('suffix') or ''}"


def remote_root_type_names(schema: GraphQLSchema) -> set[str]:
    """The names of a remote schema's operation root types."""
    roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
    return {root.name for root in roots if root is not None}


def remote_type_name(customization: Mapping[str, Any] | None, schema: GraphQLSchema, type_name: str) -> str:
    """The customized name of a remote type.

    ``mapping`` wins; prefix and suffix skip root types, ``__`` types and the built-in scalars.
    """
    type_names = (customization or {}).get("type_names") or {}
    mapping = type_names.get("mapping") or {}
    if type_name in mapping:
        return str(mapping[type_name])
    if (
        type_name.startswith("__")
        or type_name in BUILTIN_SCALARS
        or type_name in remote_root_type_names(schema)
    ):
        return type_name
    return f"{type_names.get('prefix') or ''}{type_name}{type_names.get('suffix') or ''}"


def remote_field_customization(
    customization: Mapping[str, Any] | None, parent_type: str
) -> Mapping[str, Any]:
    """The ``field_names`` entry for a remote type (by original name), or an empty one."""
    entries = (customization or {}).get("field_names") or []
    return next((entry for entry in entries if entry.get("parent_type") == parent_type), {})


def remote_field_name(customization: Mapping[str, Any] | None, parent_type: str, field_name: str) -> str:
    """The customized name of a field of a remote type (both given by their original names)."""
    if field_name.startswith("__"):
        return field_name
    entry = remote_field_customization(customization, parent_type)
    mapping = entry.get("mapping") or {}
    if field_name in mapping:
        return str(mapping[field_name])
    return f"{entry.get('prefix') or ''}{field_name}{entry.get('suffix') or ''}"


def remote_namespace(customization: Mapping[str, Any] | None) -> str | None:
    """The root field a remote schema nests its root fields under, if customized."""
    return (customization or {}).get("root_fields_namespace") or None


def remote_root(schema: GraphQLSchema, operation: str) -> GraphQLObjectType | None:
    """A remote schema's root type of ``operation`` (query or mutation)."""
    return schema.query_type if operation == "query" else schema.mutation_type


def copied_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    """The remote's named types a client can reach from its root fields, in a stable order."""
    found: dict[str, GraphQLNamedType] = {}
    pending: list[GraphQLNamedType] = []
    for operation in REMOTE_OPERATIONS:
        root = remote_root(schema, operation)
        if root is not None:
            pending.extend(_referenced(schema, root))
    while pending:
        named = pending.pop(0)
        if named.name in found or named.name.startswith("__"):
            continue
        found[named.name] = named
        pending.extend(_referenced(schema, named))
    return list(found.values())


def _referenced(schema: GraphQLSchema, named: GraphQLNamedType) -> Iterator[GraphQLNamedType]:
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for field in named.fields.values():
            yield get_named_type(field.type)
            yield from (get_named_type(argument.type) for argument in field.args.values())
        yield from named.interfaces
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        yield from schema.get_possible_types(named)
    if isinstance(named, GraphQLInputObjectType):
        yield from (get_named_type(field.type) for field in named.fields.values())


def remote_type_names(customization: Mapping[str, Any] | None, schema: GraphQLSchema) -> dict[str, str]:
    """Original name -> gateway name of every type the gateway copies from a remote schema.

    The root types are copied too when a namespace field holds them.
    """
    names = {
        named.name: remote_type_name(customization, schema, named.name) for named in copied_types(schema)
    }
    if remote_namespace(customization):
        for operation in REMOTE_OPERATIONS:
            root = remote_root(schema, operation)
            if root is not None:
                names[root.name] = remote_type_name(customization, schema, root.name)
    return names
