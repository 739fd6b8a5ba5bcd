"""GraphQL scalars for database column types, named as Hasura names them, and what each type supports.

A column's PostgreSQL type name (``integer``, ``text``, ``uuid``, ``_int4`` ...) maps to a GraphQL
scalar: ``integer`` is ``Int``, ``boolean`` ``Boolean``, ``real`` ``Float``, ``text``/``varchar``
``String``; every other type keeps its own name (``bigint``, ``numeric``, ``timestamptz``, ``jsonb``).
Scalars that are not GraphQL built-ins pass values through unchanged: the database checks them.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLScalarType,
    GraphQLString,
    ValueNode,
    value_from_ast_untyped,
)

BUILTIN_SCALARS: dict[str, GraphQLScalarType] = {
    "Int": GraphQLInt,
    "Float": GraphQLFloat,
    "String": GraphQLString,
    "Boolean": GraphQLBoolean,
    "ID": GraphQLID,
}

_SCALAR_OF_TYPE = {
    "integer": "Int",
    "boolean": "Boolean",
    "real": "Float",
    "text": "String",
    "varchar": "String",
}

NUMERIC_TYPES = frozenset({"integer", "smallint", "bigint", "real", "float8", "numeric"})
TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "citext", "name", "char"})
TEMPORAL_TYPES = frozenset({"date", "time", "timetz", "timestamp", "timestamptz", "interval"})
JSON_TYPES = frozenset({"json", "jsonb"})


def scalar_name(data_type: str) -> str:
    """The GraphQL scalar a column of this database type is exposed as."""
    return _SCALAR_OF_TYPE.get(data_type, data_type)


def is_numeric(data_type: str) -> bool:
    """Columns that ``sum``, ``avg`` and the statistical aggregates apply to."""
    return data_type in NUMERIC_TYPES


def is_comparable(data_type: str) -> bool:
    """Columns that ``max`` and ``min`` apply to."""
    return data_type in NUMERIC_TYPES or data_type in TEXT_TYPES or data_type in TEMPORAL_TYPES


def is_text(data_type: str) -> bool:
    """Columns that the pattern operators (``_like``, ``_regex`` ...) apply to."""
    return data_type in TEXT_TYPES


def passthrough_scalar(name: str, description: str | None = None) -> GraphQLScalarType:
    """A scalar that accepts any JSON value or literal and returns it unchanged."""
    return GraphQLScalarType(
        name,
        description=description,
        serialize=_identity,
        parse_value=_identity,
        parse_literal=_literal_value,
    )


def _identity(value: Any) -> Any:
    return value


def _literal_value(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
    return value_from_ast_untyped(node, variables)
