"""A handler's answer checked against the action's output type, then shaped to the client's selection.

Checking follows Hasura: null only where the type is nullable, a list where a list is declared, an
object where an object is declared with every non-null field present and not null (extra keys are
ignored), and built-in scalars of the right JSON kind. Custom and database scalars pass through.
Shaping copies the selected fields under their aliases, leaves a placeholder for every relationship
and adds the phantom join fields (a dotted path's value read from the nested objects; through a
list, a list of values).

Both run once per object of an answer that may hold thousands, so each output type is first
compiled into a predicate that only says whether an answer fits (an object type's written out as
Python source, one test per field; kept per type, which belongs to one schema); only an answer that
does not fit is walked again to find the first mismatch and word it. A selection is likewise turned
into one shaping function per list of objects.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)

from engine.errors import Code
from engine.execute.generated import define
from engine.graphql_errors import RequestError
from engine.plan.nodes import LiteralOut, OutputObject, OutputPath, OutputSelection, OutputValue
from engine.schema.model import GatewaySchema, OutputField

ROOT = None
# The JSON kinds (as decoded Python types) each built-in scalar accepts; the checks below agree.
SCALAR_KINDS: dict[str, frozenset[type]] = {
    "Int": frozenset({int}),
    "Float": frozenset({int, float}),
    "String": frozenset({str}),
    "Boolean": frozenset({bool}),
    "ID": frozenset({str, int}),
}
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
        if not _fits(output_type, self.schema)(value):
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
            found = self._declared[object_type.name] = _declared_fields(self.schema, object_type)
        return found


Fits = Callable[[Any], bool]


class _Missing:
    """The type of what ``dict.get`` returns for an absent field in compiled checks."""


_MISSING = _Missing()
_compiled: weakref.WeakKeyDictionary[GraphQLOutputType, Fits] = weakref.WeakKeyDictionary()
_compiled_lock = threading.Lock()


def _fits(output_type: GraphQLOutputType, schema: GatewaySchema) -> Fits:
    """The compiled predicate of ``output_type`` (a type object belongs to one schema)."""
    with _compiled_lock:
        found = _compiled.get(output_type)
    if found is None:
        found = _FitsCompiler(schema).compile(output_type)
        with _compiled_lock:
            _compiled[output_type] = found
    return found


class _FitsCompiler:
    """Builds predicates equivalent to ``OutputChecker._check`` succeeding (stricter only on non-JSON types)."""

    def __init__(self, schema: GatewaySchema) -> None:
        self.schema = schema
        self._objects: dict[str, Fits] = {}
        # The field checks of each object type whose predicate is complete (not still being built).
        self._object_fields: dict[str, list[tuple[str, str, Any, bool]]] = {}

    def compile(self, output_type: GraphQLOutputType) -> Fits:
        if isinstance(output_type, GraphQLNonNull):
            # Every predicate below but the pass-through one already refuses None.
            inner = self._nullable(output_type.of_type)
            return inner if inner is not _anything else _not_null
        fits = self._nullable(output_type)
        if fits is _anything:
            return fits
        return lambda value: value is None or fits(value)

    def _nullable(self, output_type: GraphQLOutputType) -> Fits:
        if isinstance(output_type, GraphQLList):
            item_type = output_type.of_type
            item_fits = self.compile(item_type)
            item_object = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
            # A type still being compiled (it holds a list of itself) has no fields to write out yet.
            if isinstance(item_object, GraphQLObjectType) and item_object.name in self._object_fields:
                fields = self._object_fields[item_object.name]
                return _list_predicate(fields, items_nullable=item_type is item_object)
            return lambda value: type(value) is list and all(map(item_fits, value))
        if isinstance(output_type, GraphQLObjectType):
            return self._object(output_type)
        kinds = _scalar_kinds(output_type)
        if kinds is None:
            return _anything
        return lambda value: type(value) in kinds

    def _object(self, object_type: GraphQLObjectType) -> Fits:
        found = self._objects.get(object_type.name)
        if found is not None:
            return found
        # Registered before its fields are compiled: a type may contain itself.
        compiled: list[Fits] = []
        self._objects[object_type.name] = lambda value: compiled[0](value)
        fields = self._fields(object_type)
        fits = _object_predicate(fields)
        compiled.append(fits)
        self._objects[object_type.name] = fits
        self._object_fields[object_type.name] = fields
        return fits

    def _fields(self, object_type: GraphQLObjectType) -> list[tuple[str, str, Any, bool]]:
        """Each answered field as (name, check kind, kinds or predicate, non-null)."""
        fields = []
        for name, field_type in _declared_fields(self.schema, object_type):
            non_null = isinstance(field_type, GraphQLNonNull)
            named = field_type.of_type if non_null else field_type
            if isinstance(named, GraphQLList | GraphQLObjectType):
                fields.append((name, "nested", self.compile(field_type), non_null))
                continue
            kinds = _scalar_kinds(named)
            if kinds is not None:
                fields.append(
                    (name, "kinds", kinds if non_null else kinds | {type(None), _Missing}, non_null)
                )
            elif non_null:
                fields.append((name, "present", None, non_null))
        return fields


def _object_predicate(fields: list[tuple[str, str, Any, bool]]) -> Fits:
    """The predicate of one object type, written out as Python source: one test per field, no loop.

    Field names are written as string literals; kinds and nested predicates come by the namespace.
    """
    namespace: dict[str, Any] = {"_dict": dict, "_missing": _MISSING}
    lines = [
        "def fits(value):",
        "    if type(value) is not _dict:",
        "        return False",
        "    get = value.get",
        *_field_tests(fields, namespace, "    "),
        "    return True",
    ]
    return define(lines, namespace, "fits")


def _list_predicate(fields: list[tuple[str, str, Any, bool]], items_nullable: bool) -> Fits:
    """The predicate of a list of one object type: the object's tests written inside one loop.

    A thousand items then cost no call each.
    """
    namespace: dict[str, Any] = {"_list": list, "_dict": dict, "_missing": _MISSING}
    lines = [
        "def fits(values):",
        "    if type(values) is not _list:",
        "        return False",
        "    for value in values:",
        "        if type(value) is not _dict:",
        *(["            if value is None:", "                continue"] if items_nullable else []),
        "            return False",
        "        get = value.get",
        *_field_tests(fields, namespace, "        "),
        "    return True",
    ]
    return define(lines, namespace, "fits")


def _field_tests(
    fields: list[tuple[str, str, Any, bool]], namespace: dict[str, Any], indent: str
) -> list[str]:
    """Lines that return False unless each field of the object read by ``get`` fits."""
    lines = []
    for index, (name, check, detail, non_null) in enumerate(fields):
        if check == "kinds" and len(detail) == 1:  # one kind: compared by identity, no set lookup
            (namespace[f"kind_{index}"],) = detail
            lines += [f"if type(get({name!r}, _missing)) is not kind_{index}:", "    return False"]
        elif check == "kinds":
            namespace[f"kinds_{index}"] = detail
            lines += [f"if type(get({name!r}, _missing)) not in kinds_{index}:", "    return False"]
        elif check == "present":
            lines += [f"if get({name!r}) is None:", "    return False"]
        else:
            namespace[f"fits_{index}"] = detail
            lines.append(f"field = get({name!r}, _missing)")
            if non_null:
                lines += [f"if field is _missing or not fits_{index}(field):", "    return False"]
            else:
                lines += [f"if field is not _missing and not fits_{index}(field):", "    return False"]
    return [indent + line for line in lines]


def _anything(value: Any) -> bool:
    return True


def _not_null(value: Any) -> bool:
    return value is not None


def _scalar_kinds(output_type: GraphQLOutputType) -> frozenset[type] | None:
    """The accepted kinds of a built-in scalar; None for types that pass through (custom scalars, enums)."""
    return SCALAR_KINDS.get(output_type.name) if isinstance(output_type, GraphQLScalarType) else None


def _declared_fields(
    schema: GatewaySchema, object_type: GraphQLObjectType
) -> list[tuple[str, GraphQLOutputType]]:
    """The fields the handler answers (relationship fields are filled by joins)."""
    return [
        (name, definition.type)
        for name, definition in object_type.fields.items()
        if isinstance(schema.role_of(object_type.name, name), OutputField)
    ]


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
    return _shaper(selection)(value)


def _shaper(selection: OutputSelection) -> Callable[[Any], Any]:
    """A function shaping an object, null or (nested) list of them to ``selection``."""
    shape_object = object_shaper(selection)

    def shape_value(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return [shape_object(item) if type(item) is dict else shape_value(item) for item in value]
        return shape_object(value)

    return shape_value


def object_shaper(selection: OutputSelection) -> Callable[[Any], dict[str, Any]]:
    """A function shaping one object to ``selection``.

    Each object starts as a copy of a template holding every response key in order (constants and
    join placeholders filled in), then gets its fields; the selection is read once, not per object.
    """
    template = {item.alias: item.value if isinstance(item, LiteralOut) else None for item in selection}
    fields = tuple((item.alias, item.name) for item in selection if isinstance(item, OutputValue))
    computed: list[tuple[str, Callable[[Any], Any]]] = []
    for item in selection:
        if isinstance(item, OutputObject):
            computed.append((item.alias, _nested_shaper(item.name, item.selection)))
        elif isinstance(item, OutputPath):
            computed.append((item.alias, lambda value, path=item.path: read_path(value, path)))

    def shape_object(value: Any) -> dict[str, Any]:
        shaped = template.copy()
        if fields:
            get = value.get
            for alias, name in fields:
                shaped[alias] = get(name)
        for alias, build in computed:
            shaped[alias] = build(value)
        return shaped

    return shape_object


def _nested_shaper(name: str, selection: OutputSelection) -> Callable[[Any], Any]:
    shape_field = _shaper(selection)
    return lambda value: shape_field(value.get(name))


def read_path(value: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in nested objects: null past a null, a list of values through a list."""
    for index, step in enumerate(path):
        if isinstance(value, list):
            return [read_path(item, path[index:]) for item in value]
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value
