"""A handler's answer checked against the action's output type, then shaped to the client's selection.

Checking follows Hasura: null only where the type is nullable, a list where a list is declared, an
object where an object is declared with every non-null field present and not null (extra keys are
ignored), and built-in scalars of the right JSON kind. Custom and database scalars pass through.
Shaping copies the selected fields under their aliases, leaves a placeholder for every relationship
and adds the phantom join fields (a dotted path's value read from the nested objects; through a
list, a list of values).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)

from engine.errors import Code
from engine.graphql_errors import RequestError
from engine.plan.nodes import LiteralOut, OutputJoin, OutputObject, OutputPath, OutputSelection, OutputValue
from engine.schema.model import GatewaySchema, OutputField

ROOT = None
SCALAR_CHECKS = {
    "Int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    "Boolean": lambda v: isinstance(v, bool),
    "ID": lambda v: isinstance(v, str | int) and not isinstance(v, bool),
}


class OutputMismatch(RequestError):
    """The handler answered 2xx with a body that does not fit the output type."""

    default_code = Code.UNEXPECTED


def json_kind(value: Any) -> str:
    """The JSON kind of a decoded value, as messages name it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


class OutputChecker:
    """Checks answers against the output types of one role's schema."""

    def __init__(self, schema: GatewaySchema) -> None:
        self.schema = schema
        self._declared: dict[str, list[tuple[str, GraphQLOutputType]]] = {}

    def check(self, value: Any, output_type: GraphQLOutputType) -> None:
        """Raise OutputMismatch when ``value`` does not fit ``output_type``."""
        self._check(value, output_type, ROOT)

    def _check(self, value: Any, output_type: GraphQLOutputType, field: str | None) -> None:
        if isinstance(output_type, GraphQLNonNull):
            if value is None:
                raise OutputMismatch(_null_message(field))
            output_type = output_type.of_type
        if value is None:
            return
        if isinstance(output_type, GraphQLList):
            if not isinstance(value, list):
                raise OutputMismatch(_expecting("array", field, value))
            for item in value:
                self._check(item, output_type.of_type, field)
        elif isinstance(output_type, GraphQLObjectType):
            self._check_object(value, output_type, field)
        elif not _scalar_fits(output_type, value):
            raise OutputMismatch(_expecting(output_type.name, field, value))

    def _check_object(self, value: Any, object_type: GraphQLObjectType, field: str | None) -> None:
        if not isinstance(value, dict):
            if field is ROOT:
                raise OutputMismatch(
                    f"got {json_kind(value)} for the action webhook response, expecting {object_type.name}"
                )
            raise OutputMismatch(_expecting(object_type.name, field, value))
        for name, field_type in self._declared_fields(object_type):
            if name in value:
                self._check(value[name], field_type, name)
            elif isinstance(field_type, GraphQLNonNull):
                raise OutputMismatch(f'field "{name}" expected in webhook response, but not found')

    def _declared_fields(self, object_type: GraphQLObjectType) -> list[tuple[str, GraphQLOutputType]]:
        """The fields the handler answers (relationship fields are filled by joins)."""
        found = self._declared.get(object_type.name)
        if found is None:
            found = self._declared[object_type.name] = [
                (name, definition.type)
                for name, definition in object_type.fields.items()
                if isinstance(self.schema.role_of(object_type.name, name), OutputField)
            ]
        return found


def _scalar_fits(output_type: GraphQLOutputType, value: Any) -> bool:
    """Built-in scalars must have the right JSON kind; other scalars and enums pass through."""
    check = SCALAR_CHECKS.get(output_type.name) if isinstance(output_type, GraphQLScalarType) else None
    return check is None or check(value)


def _null_message(field: str | None) -> str:
    if field is ROOT:
        return "got null for the action webhook response"
    return f'expecting not null value for field "{field}"'


def _expecting(expected: str, field: str | None, value: Any) -> str:
    if field is ROOT:
        return f"expecting {expected} for the action webhook response, but found {json_kind(value)}"
    return f'expecting {expected} for field "{field}", but found {json_kind(value)}'


def shape(value: Any, selection: OutputSelection | None) -> Any:
    """The answer restricted to the selection, under the client's aliases; joins left as placeholders."""
    if selection is None or value is None:
        return value
    if isinstance(value, list):
        return [shape(item, selection) for item in value]
    shaped: dict[str, Any] = {}
    for item in selection:
        if isinstance(item, OutputValue):
            shaped[item.alias] = value.get(item.name)
        elif isinstance(item, OutputObject):
            shaped[item.alias] = shape(value.get(item.name), item.selection)
        elif isinstance(item, LiteralOut):
            shaped[item.alias] = item.value
        elif isinstance(item, OutputPath):
            shaped[item.alias] = read_path(value, item.path)
        else:
            assert isinstance(item, OutputJoin)
            shaped[item.alias] = None
    return shaped


def read_path(value: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in nested objects: null past a null, a list of values through a list."""
    for index, step in enumerate(path):
        if isinstance(value, list):
            return [read_path(item, path[index:]) for item in value]
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value
