"""A JSON reader that remembers where it is, so every shape error names its exact path.

Paths use Hasura's JSONPath-like notation: ``$.args.definition.handler``, ``$.args[2].args``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from engine.errors import MetadataParseError

GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*\Z")
_PLAIN_KEY = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


def json_type_name(value: Any) -> str:
    """Name a JSON value's type the way the error messages do."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    return "Object"


def child_path(path: str, key: str | int) -> str:
    """Extend a path by an object key or an array index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{escaped}"]'


class Node:
    """A JSON value together with the path that led to it."""

    __slots__ = ("path", "value")

    def __init__(self, value: Any, path: str = "$") -> None:
        self.value = value
        self.path = path

    def fail(self, message: str) -> MetadataParseError:
        """Build a parse error located at this node."""
        return MetadataParseError(message, path=self.path)

    def _expect(self, kind: str, ok: bool) -> None:
        if not ok:
            raise self.fail(f"expected {kind}, but encountered {json_type_name(self.value)}")

    def object(self) -> dict[str, Any]:
        """The value as an object."""
        self._expect("Object", isinstance(self.value, dict))
        return self.value

    def is_null(self) -> bool:
        """True when the value is JSON null."""
        return self.value is None

    def key(self, name: str) -> Node:
        """A required key of this object."""
        obj = self.object()
        if name not in obj:
            raise self.fail(f"the key '{name}' was not present")
        return Node(obj[name], child_path(self.path, name))

    def get(self, name: str) -> Node | None:
        """An optional key of this object; None when absent or null."""
        obj = self.object()
        if obj.get(name) is None:
            return None
        return Node(obj[name], child_path(self.path, name))

    def has(self, name: str) -> bool:
        """True when this object carries a non-null value under ``name``."""
        return self.object().get(name) is not None

    def string(self) -> str:
        """The value as a string."""
        self._expect("String", isinstance(self.value, str))
        return self.value

    def nonempty_string(self) -> str:
        """The value as a non-empty string."""
        value = self.string()
        if not value:
            raise self.fail("expected a non-empty string")
        return value

    def name(self) -> str:
        """The value as a valid GraphQL name."""
        value = self.string()
        if not GRAPHQL_NAME.match(value):
            raise self.fail(f'"{value}" is not a valid GraphQL name')
        return value

    def boolean(self) -> bool:
        """The value as a boolean."""
        self._expect("Boolean", isinstance(self.value, bool))
        return self.value

    def integer(self) -> int:
        """The value as an integer."""
        ok = isinstance(self.value, int) and not isinstance(self.value, bool)
        if not ok and isinstance(self.value, float) and self.value.is_integer():
            return int(self.value)
        self._expect("Integer", ok)
        return self.value

    def number(self) -> float:
        """The value as a number."""
        self._expect("Number", isinstance(self.value, int | float) and not isinstance(self.value, bool))
        return self.value

    def items(self) -> list[Node]:
        """The elements of an array."""
        self._expect("Array", isinstance(self.value, list))
        return [Node(item, child_path(self.path, i)) for i, item in enumerate(self.value)]

    def entries(self) -> Iterator[tuple[str, Node]]:
        """The key/value pairs of an object."""
        for key, value in self.object().items():
            yield key, Node(value, child_path(self.path, key))

    def string_map(self) -> dict[str, str]:
        """An object whose values are all strings (a field or column mapping)."""
        return {key: node.string() for key, node in self.entries()}

    def string_list(self) -> tuple[str, ...]:
        """An array of strings."""
        return tuple(node.string() for node in self.items())

    def optional_string(self, name: str) -> str | None:
        """An optional string key of this object."""
        node = self.get(name)
        return None if node is None else node.string()

    def optional_bool(self, name: str, default: bool) -> bool:
        """An optional boolean key of this object."""
        node = self.get(name)
        return default if node is None else node.boolean()

    def optional_object(self, name: str) -> dict[str, Any] | None:
        """An optional object key of this object."""
        node = self.get(name)
        return None if node is None else node.object()

    def exactly_one_of(self, *names: str) -> str:
        """The single key among ``names`` that this object carries."""
        present = [name for name in names if self.has(name)]
        if len(present) != 1:
            listed = ", ".join(names)
            raise self.fail(f"expected exactly one of: {listed}")
        return present[0]
