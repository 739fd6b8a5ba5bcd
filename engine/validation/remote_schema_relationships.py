"""Validation of relationships defined on remote schema types (to a table, a remote schema field or an action).

A group of relationships names its object type (``type_name``); when it does not, the type is inferred
as the one object type having every join field the group uses. Join fields must be argument-less
fields of that type with a scalar or enum type (a list of them too, when the value only fills an
argument of a remote field or an action); the target is checked by ``joins``. Relationships to
actions are checked in a later step, once the actions are known.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from graphql import (
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    get_nullable_type,
    is_leaf_type,
)

from engine.errors import Code
from engine.metadata import RemoteSchemaRelationship, ToAction, ToSource, TypeRelationships, lhs_fields_of
from engine.metadata.reader import child_path
from engine.validation.joins import to_action_problems, to_remote_schema_problems, to_source_problems
from engine.validation.objects import Problem, quoted, remote_schema_relationship_object
from engine.validation.state import ValidationState

TO_SOURCE_PATH = "$.definition.to_source"
TO_REMOTE_SCHEMA_PATH = "$.definition.to_remote_schema"
TO_ACTION_PATH = "$.definition.to_action"


class RemoteTypeInferenceError(ValueError):
    """No single object type can be inferred for a group of remote schema relationships."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def join_fields(group: TypeRelationships) -> list[str]:
    """The join fields a group of relationships uses, in order of first use."""
    fields: list[str] = []
    for relationship in group.relationships:
        fields += [field for field in lhs_fields_of(relationship.target) if field not in fields]
    return fields


def infer_remote_relationship_type(schema: GraphQLSchema, group: TypeRelationships) -> str:
    """The one object type of ``schema`` that has every join field of ``group``.

    Raises ``RemoteTypeInferenceError`` when no type or several types qualify.
    """
    fields = join_fields(group)
    candidates = [
        name
        for name, graphql_type in schema.type_map.items()
        if isinstance(graphql_type, GraphQLObjectType)
        and not name.startswith("__")
        and all(field in graphql_type.fields for field in fields)
    ]
    if len(candidates) == 1:
        return candidates[0]
    listed = ", ".join(quoted(field) for field in fields)
    if not candidates:
        message = f"no object type of the remote schema has all the join fields {listed}; set type_name"
        raise RemoteTypeInferenceError(message, Code.NOT_FOUND)
    names = ", ".join(quoted(name) for name in candidates)
    message = f"the object types {names} all have the join fields {listed}; set type_name to choose one"
    raise RemoteTypeInferenceError(message, Code.INVALID_PARAMS)


def check_remote_schema_relationships(state: ValidationState) -> None:
    """Validate the relationships of every healthy remote schema, but those to actions."""
    _check(state, lambda relationship: not isinstance(relationship.target, ToAction))


def check_remote_schema_relationships_to_actions(state: ValidationState) -> None:
    """Validate the relationships of healthy remote schemas that join to actions."""
    _check(state, lambda relationship: isinstance(relationship.target, ToAction))


def _check(state: ValidationState, selected: Callable[[RemoteSchemaRelationship], bool]) -> None:
    done = set()
    for remote_schema in state.metadata.remote_schemas:
        schema = state.remote_schemas.get(remote_schema.name)
        if schema is None or remote_schema.name in done:
            continue
        done.add(remote_schema.name)
        seen: set[tuple[str | None, str]] = set()
        for group in remote_schema.remote_relationships:
            type_name, type_problems = resolve_group_type(schema, group)
            shown_type = type_name or group.type_name
            for relationship in group.relationships:
                obj = remote_schema_relationship_object(
                    remote_schema.name, group.type_name, relationship, shown_type
                )
                duplicated = (shown_type, relationship.name) in seen
                seen.add((shown_type, relationship.name))
                if not selected(relationship):
                    continue
                if duplicated:
                    state.report(obj.duplicated())
                    continue
                parent = schema.type_map[type_name] if type_name else None
                problems = (
                    type_problems if parent is None else relationship_problems(state, parent, relationship)
                )
                state.record(obj, problems)


def resolve_group_type(schema: GraphQLSchema, group: TypeRelationships) -> tuple[str | None, list[Problem]]:
    """The object type a group of relationships is defined on, or why there is none."""
    if group.type_name is None:
        try:
            return infer_remote_relationship_type(schema, group), []
        except RemoteTypeInferenceError as error:
            message = f"cannot infer the type of the relationship: {error.message}"
            return None, [Problem(message, error.code, "$.type_name")]
    found = schema.type_map.get(group.type_name)
    if found is None:
        message = f"no such type defined in remote schema: {quoted(group.type_name)}"
        return None, [Problem(message, Code.NOT_FOUND, "$.type_name")]
    if not isinstance(found, GraphQLObjectType):
        message = "remote relationships on a remote schema can only be defined on object types"
        return None, [Problem(message, Code.NOT_SUPPORTED, "$.type_name")]
    return group.type_name, []


def relationship_problems(
    state: ValidationState, parent: GraphQLObjectType, relationship: RemoteSchemaRelationship
) -> list[Problem]:
    """Everything wrong with one relationship on a remote object type."""
    problems = []
    if relationship.name in parent.fields:
        message = f"field {quoted(relationship.name)} already exists in type {quoted(parent.name)}"
        problems.append(Problem(message, Code.ALREADY_EXISTS, "$.name"))
    target = relationship.target
    if isinstance(target, ToSource):
        paths = [child_path(f"{TO_SOURCE_PATH}.field_mapping", field) for field in target.field_mapping]
        problems += join_field_problems(parent, list(target.field_mapping), paths)
        return problems + to_source_problems(state, target, TO_SOURCE_PATH)
    base = TO_ACTION_PATH if isinstance(target, ToAction) else TO_REMOTE_SCHEMA_PATH
    paths = [f"{base}.lhs_fields[{index}]" for index in range(len(target.lhs_fields))]
    problems += join_field_problems(parent, target.lhs_fields, paths, lists=True)
    if isinstance(target, ToAction):
        return problems + to_action_problems(state, state.custom_types, target, base)
    return problems + to_remote_schema_problems(state, target, base)


def join_field_problems(
    parent: GraphQLObjectType, fields: Sequence[str], paths: Sequence[str], lists: bool = False
) -> list[Problem]:
    """Join fields must be argument-less scalar or enum fields of the type (or lists of them, with ``lists``)."""
    problems = []
    for field, path in zip(fields, paths, strict=True):
        definition = parent.fields.get(field)
        where = f"{quoted(field)} of type {quoted(parent.name)}"
        if definition is None:
            message = f"field with name {quoted(field)} not found in type {quoted(parent.name)}"
        elif definition.args:
            message = f"field {where} takes arguments, so it cannot be a join field"
        elif not is_scalar_or_enum(_list_element(definition.type) if lists else definition.type):
            message = f"field {where} is not of a scalar or enum type, so it cannot be a join field"
        else:
            continue
        problems.append(Problem(message, Code.REMOTE_SCHEMA_ERROR, path))
    return problems


def _list_element(graphql_type: GraphQLOutputType) -> GraphQLOutputType:
    nullable = get_nullable_type(graphql_type)  # type: ignore[arg-type]
    return nullable.of_type if isinstance(nullable, GraphQLList) else graphql_type


def is_scalar_or_enum(graphql_type: GraphQLOutputType) -> bool:
    """True for a (possibly non-null) scalar or enum type; lists are not join keys."""
    return is_leaf_type(get_nullable_type(graphql_type))  # type: ignore[arg-type]
