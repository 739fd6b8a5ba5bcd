"""Validation of remote relationships defined on tables: to another source's table, a remote schema or an action.

The relationship's name shares the table's field namespace with columns and local relationships;
its join fields must be columns of the table; the target is checked by ``joins``. Relationships to
actions are checked in a later step, once the actions are known.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.errors import Code
from engine.metadata import RemoteRelationship, ToAction, ToSource
from engine.metadata.reader import child_path
from engine.validation.joins import to_action_problems, to_remote_schema_problems, to_source_problems
from engine.validation.local_relationships import field_name_conflicts
from engine.validation.objects import Problem, quoted, remote_relationship_object
from engine.validation.state import TrackedTable, ValidationState

TO_SOURCE_PATH = "$.definition.to_source"
TO_REMOTE_SCHEMA_PATH = "$.definition.to_remote_schema"
TO_ACTION_PATH = "$.definition.to_action"


def check_remote_relationships(state: ValidationState) -> None:
    """Validate every remote relationship of every healthy table, but those to actions."""
    _check(state, lambda relationship: not isinstance(relationship.target, ToAction))


def check_remote_relationships_to_actions(state: ValidationState) -> None:
    """Validate the remote relationships of healthy tables that join to actions."""
    _check(state, lambda relationship: isinstance(relationship.target, ToAction))


def _check(state: ValidationState, selected: Callable[[RemoteRelationship], bool]) -> None:
    for tracked in list(state.tables.values()):
        seen = set()
        for relationship in tracked.metadata.remote_relationships:
            obj = remote_relationship_object(tracked.source, tracked.name, relationship)
            duplicated = relationship.name in seen
            seen.add(relationship.name)
            if not selected(relationship):
                continue
            if duplicated:
                state.report(obj.duplicated())
                continue
            state.record(obj, remote_relationship_problems(state, tracked, relationship))


def remote_relationship_problems(
    state: ValidationState, tracked: TrackedTable, relationship: RemoteRelationship
) -> list[Problem]:
    """Everything wrong with one table remote relationship."""
    problems = name_conflicts(tracked, relationship.name)
    target = relationship.target
    if isinstance(target, ToSource):
        mapping_path = f"{TO_SOURCE_PATH}.field_mapping"
        paths = [child_path(mapping_path, field) for field in target.field_mapping]
        problems += join_column_problems(tracked, list(target.field_mapping), paths, Code.NOT_EXISTS)
        return problems + to_source_problems(state, target, TO_SOURCE_PATH)
    if isinstance(target, ToAction):
        paths = [f"{TO_ACTION_PATH}.lhs_fields[{index}]" for index in range(len(target.lhs_fields))]
        problems += join_column_problems(tracked, target.lhs_fields, paths, Code.NOT_EXISTS)
        return problems + to_action_problems(state, state.custom_types, target, TO_ACTION_PATH)
    base, lhs_key = ("$", "hasura_fields") if relationship.legacy else (TO_REMOTE_SCHEMA_PATH, "lhs_fields")
    paths = [f"{base}.{lhs_key}[{index}]" for index in range(len(target.lhs_fields))]
    problems += join_column_problems(tracked, target.lhs_fields, paths, Code.REMOTE_SCHEMA_ERROR)
    return problems + to_remote_schema_problems(state, target, base)


def name_conflicts(tracked: TrackedTable, name: str) -> list[Problem]:
    """A remote relationship may not take the name of a column or of a local relationship."""
    if tracked.metadata.relationship(name) is None:
        return field_name_conflicts(tracked, name)
    message = f"column/relationship {quoted(name)} of table {quoted(tracked.name)} already exists"
    return [Problem(message, Code.ALREADY_EXISTS, "$.name")]


def join_column_problems(
    tracked: TrackedTable, fields: Sequence[str], paths: Sequence[str], code: str
) -> list[Problem]:
    """Join fields must be columns of the table."""
    return [
        Problem(f"field with name {quoted(field)} not found in table {quoted(tracked.name)}", code, path)
        for field, path in zip(fields, paths, strict=True)
        if not tracked.has_column(field)
    ]
