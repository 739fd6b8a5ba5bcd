"""JSON values written as GraphQL literals into the documents sent to remote schemas.

The values come from join keys and from callers (variables, session variables), so nothing is written
raw: text becomes an enum value only when it is a GraphQL name, and an object key that is not a name
has no literal at all.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    BooleanValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
)

from engine.errors import Code
from engine.graphql_errors import RequestError
from engine.naming import is_graphql_name


def untyped_ast(value: Any) -> ValueNode:
    """A JSON value as the GraphQL literal of its own kind."""
    if value is None:
        return NullValueNode()
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, float):
        return FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return StringValueNode(value=value)
    if isinstance(value, list):
        return ListValueNode(values=tuple(untyped_ast(item) for item in value))
    return ObjectValueNode(
        fields=tuple(
            ObjectFieldNode(name=literal_field_name(key), value=untyped_ast(item))
            for key, item in value.items()
        )
    )


def is_enum_literal(text: str) -> bool:
    """Whether ``text`` can be written as an enum literal; other text goes as a string the remote refuses."""
    return is_graphql_name(text) and text not in ("true", "false", "null")


def literal_field_name(key: str) -> NameNode:
    """An input object field name; a key that is not a GraphQL name has no literal and is never written raw."""
    if not is_graphql_name(key):
        raise RequestError(
            "a value for the remote schema has an object key that is not a GraphQL name", code=Code.UNEXPECTED
        )
    return NameNode(value=key)
