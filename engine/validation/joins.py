"""Checks of a join's right-hand side, shared by relationships on tables, remote schema and custom types.

``to_source``: the source is healthy, the table is tracked there, the mapped columns exist (and do
not reference an enum table). ``to_remote_schema``: the remote schema is healthy and ``remote_field``
is a path of fields from its query root, intermediate ones returning object types, with arguments
that exist and whose ``$variables`` are all join fields (reference §1.10). ``to_action``: the action
is healthy, the arguments exist and their variables are join fields. A ``batch`` (list mode) needs
a list argument fed by the one join field, and a result that is a list of objects carrying the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)

from engine.errors import Code
from engine.metadata import (
    CustomTypes,
    ListBatch,
    QualifiedTable,
    ToAction,
    ToRemoteSchema,
    ToSource,
    base_type_name,
)
from engine.metadata import is_list_type as is_list_type_text
from engine.metadata.reader import child_path
from engine.validation.objects import Problem, quoted
from engine.validation.problems import missing_column
from engine.validation.state import TrackedTable, ValidationState

ENUM_TARGET_MESSAGE = "relationships to enum fields are not supported yet"


def to_source_problems(state: ValidationState, target: ToSource, base: str) -> list[Problem]:
    """Problems of a ``to_source`` target whose definition sits at ``base``."""
    if target.source not in state.sources:
        return [Problem(f"source not found: {quoted(target.source)}", Code.NOT_FOUND, f"{base}.source")]
    table = state.table(target.source, target.table)
    if table is None:
        return [Problem(f"table with name {quoted(target.table)} not found", Code.NOT_FOUND, f"{base}.table")]
    problems = []
    for field, column in target.field_mapping.items():
        path = child_path(f"{base}.field_mapping", field)
        if not table.has_column(column):
            problems.append(missing_column(column, table.name, path))
        elif references_enum_table(state, table, column):
            problems.append(Problem(ENUM_TARGET_MESSAGE, Code.NOT_SUPPORTED, path))
    return problems


def references_enum_table(state: ValidationState, table: TrackedTable, column: str) -> bool:
    """True when the column is a foreign key to a table tracked as an enum."""
    for foreign_key in table.info.foreign_keys:
        referenced = state.table(table.source, QualifiedTable(foreign_key.ref_schema, foreign_key.ref_table))
        if column in foreign_key.columns and referenced is not None and referenced.metadata.is_enum:
            return True
    return False


def to_remote_schema_problems(state: ValidationState, target: ToRemoteSchema, base: str) -> list[Problem]:
    """Problems of a ``to_remote_schema`` target whose keys sit at ``base``."""
    schema = state.remote_schemas.get(target.remote_schema)
    if schema is None:
        message = f"remote schema with name {quoted(target.remote_schema)} not found"
        return [Problem(message, Code.REMOTE_SCHEMA_ERROR, f"{base}.remote_schema")]
    problems = remote_field_problems(schema, target, f"{base}.remote_field")
    if problems or target.batch is None:
        return problems
    return remote_batch_problems(schema, target, target.batch, f"{base}.batch")


def remote_leaf_field(schema: GraphQLSchema, target: ToRemoteSchema) -> GraphQLField | None:
    """The field at the end of ``remote_field``, when the whole path exists."""
    parent: GraphQLType | None = schema.query_type
    field = None
    for name, _ in target.field_path():
        if not isinstance(parent, GraphQLObjectType) or name not in parent.fields:
            return None
        field = parent.fields[name]
        parent = get_named_type(field.type)
    return field


def remote_batch_problems(
    schema: GraphQLSchema, target: ToRemoteSchema, batch: ListBatch, path: str
) -> list[Problem]:
    """List mode: a list argument of the leaf field fed by the join field, a list of keyed objects back."""
    leaf = remote_leaf_field(schema, target)
    assert leaf is not None
    arguments = target.field_path()[-1][1]
    argument = leaf.args.get(batch.list_argument)
    problems = batch_argument_problems(
        batch,
        None if argument is None else is_list_type(get_nullable_type(argument.type)),  # type: ignore[arg-type]
        arguments,
        target.lhs_fields,
        path,
    )
    element = get_named_type(leaf.type)
    returns_list = is_list_type(get_nullable_type(leaf.type))  # type: ignore[arg-type]
    if not returns_list or not isinstance(element, GraphQLObjectType | GraphQLInterfaceType):
        message = "in list mode the remote field must return a list of objects"
        return [*problems, Problem(message, Code.REMOTE_SCHEMA_ERROR, path)]
    key = element.fields.get(batch.key_field)
    if key is None or key.args or not is_leaf_type(get_nullable_type(key.type)):  # type: ignore[arg-type]
        message = f"{quoted(batch.key_field)} is not an argument-less scalar field of {quoted(element.name)}"
        problems.append(Problem(message, Code.REMOTE_SCHEMA_ERROR, f"{path}.key_field"))
    return problems


def batch_argument_problems(
    batch: ListBatch,
    argument_is_list: bool | None,
    arguments: Mapping[str, Any],
    lhs_fields: Sequence[str],
    path: str,
) -> list[Problem]:
    """The list argument exists, takes a list, and is the one argument fed by the one join field."""
    where = f"{path}.list_argument"
    if argument_is_list is None:
        return [Problem(f"argument {quoted(batch.list_argument)} not found", Code.NOT_FOUND, where)]
    if not argument_is_list:
        return [
            Problem(
                f"argument {quoted(batch.list_argument)} does not take a list", Code.INVALID_PARAMS, where
            )
        ]
    template = arguments.get(batch.list_argument)
    expected = [f"${field}" for field in lhs_fields]
    if len(expected) != 1 or template != expected[0]:
        message = (
            f"in list mode, the argument {quoted(batch.list_argument)} must be set to the one join field "
            f'(for example "$id"), and no other argument may use a join field'
        )
        return [Problem(message, Code.INVALID_PARAMS, where)]
    others = [name for name, value in arguments.items() if name != batch.list_argument]
    if any(True for name in others for _ in variables(arguments[name], path)):
        message = "in list mode, no argument but the list argument may use a join field"
        return [Problem(message, Code.INVALID_PARAMS, where)]
    return []


def to_action_problems(
    state: ValidationState, custom_types: CustomTypes, target: ToAction, base: str
) -> list[Problem]:
    """Problems of a ``to_action`` target whose keys sit at ``base``."""
    action = state.actions.get(target.action)
    if action is None:
        message = f"action with name {quoted(target.action)} not found"
        return [Problem(message, Code.NOT_FOUND, f"{base}.action")]
    if action.definition.type != "query":
        message = (
            f"the action {quoted(target.action)} is a mutation; relationships join to query actions only"
        )
        return [Problem(message, Code.NOT_SUPPORTED, f"{base}.action")]
    declared = {argument.name: argument for argument in action.definition.arguments}
    problems = []
    for name, value in target.arguments.items():
        value_path = child_path(f"{base}.arguments", name)
        if name not in declared:
            message = f"argument with name {quoted(name)} not found in action {quoted(action.name)}"
            problems.append(Problem(message, Code.NOT_FOUND, value_path))
            continue
        problems += [
            Problem(f"variable {quoted(variable)} is not found", Code.INVALID_PARAMS, variable_path)
            for variable, variable_path in variables(value, value_path)
            if variable not in target.lhs_fields
        ]
    if problems or target.batch is None:
        return problems
    argument = declared.get(target.batch.list_argument)
    is_list = None if argument is None else is_list_type_text(argument.type)
    problems = batch_argument_problems(
        target.batch, is_list, target.arguments, target.lhs_fields, f"{base}.batch"
    )
    output = custom_types.object(base_type_name(action.definition.output_type))
    if output is None or not is_list_type_text(action.definition.output_type):
        message = f"in list mode the action {quoted(action.name)} must return a list of objects"
        return [*problems, Problem(message, Code.INVALID_PARAMS, f"{base}.batch")]
    key = output.field(target.batch.key_field)
    if key is None or custom_types.object(base_type_name(key.type)) is not None:
        message = f"{quoted(target.batch.key_field)} is not a scalar field of {quoted(output.name)}"
        problems.append(Problem(message, Code.INVALID_PARAMS, f"{base}.batch.key_field"))
    return problems


def remote_field_problems(schema: GraphQLSchema, target: ToRemoteSchema, path: str) -> list[Problem]:
    """Walk ``remote_field`` from the query root, checking each field and its arguments."""
    parent = schema.query_type
    if parent is None:
        return [Problem("the remote schema has no query type", Code.REMOTE_SCHEMA_ERROR, path)]
    segments = target.field_path()
    problems: list[Problem] = []
    for index, (name, arguments) in enumerate(segments):
        path = child_path(path, name)
        field = parent.fields.get(name)
        if field is None:
            message = f"remote field with name {quoted(name)} and type {quoted(parent.name)} not found"
            return [*problems, Problem(message, Code.REMOTE_SCHEMA_ERROR, path)]
        problems += argument_problems(field, arguments, target.lhs_fields, f"{path}.arguments")
        if index + 1 == len(segments):
            break
        returned = get_named_type(field.type)
        if not isinstance(returned, GraphQLObjectType):
            return [*problems, not_an_object(name, returned.name, segments[index + 1][0], f"{path}.field")]
        parent, path = returned, f"{path}.field"
    return problems


def not_an_object(name: str, returned: str, nested: str, path: str) -> Problem:
    """A field with a nested selection that does not return an object type."""
    message = (
        f"remote field {quoted(name)} returns {quoted(returned)}, which is not an object type, "
        f"so it cannot have the nested field {quoted(nested)}"
    )
    return Problem(message, Code.REMOTE_SCHEMA_ERROR, path)


def argument_problems(
    field: GraphQLField, arguments: Mapping[str, Any], lhs_fields: Sequence[str], path: str
) -> list[Problem]:
    """Arguments must exist on the remote field; their variables must be join fields."""
    problems = []
    for name, value in arguments.items():
        value_path = child_path(path, name)
        if name not in field.args:
            message = f"argument with name {quoted(name)} not found in remote schema"
            problems.append(Problem(message, Code.REMOTE_SCHEMA_ERROR, value_path))
        else:
            problems += argument_value_problems(value, lhs_fields, value_path)
    return problems


def argument_value_problems(value: Any, lhs_fields: Sequence[str], path: str) -> list[Problem]:
    """Unknown variables and multi-element lists inside an argument value."""
    problems = [
        Problem(f"variable {quoted(variable)} is not found", Code.REMOTE_SCHEMA_ERROR, variable_path)
        for variable, variable_path in variables(value, path)
        if variable not in lhs_fields
    ]
    problems += [
        Problem("multiple elements in list value is not supported", Code.REMOTE_SCHEMA_ERROR, list_path)
        for list_path in long_lists(value, path)
    ]
    return problems


def variables(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every ``$variable`` in an argument value, with its path."""
    if isinstance(value, str) and value.startswith("$"):
        yield value[1:], path
    for child, child_value_path in children(value, path):
        yield from variables(child, child_value_path)


def long_lists(value: Any, path: str) -> Iterator[str]:
    """Paths of list values with more than one element (the stripped schema cannot express them)."""
    if isinstance(value, list) and len(value) > 1:
        yield path
    for child, child_value_path in children(value, path):
        yield from long_lists(child, child_value_path)


def children(value: Any, path: str) -> Iterator[tuple[Any, str]]:
    """The members of an object or list value, with their paths."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield child, child_path(path, key)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield child, f"{path}[{index}]"
