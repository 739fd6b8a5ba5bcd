"""Validation of custom object types' relationships to remote schema fields and to actions (Joinery's).

Each such relationship is its own metadata object: a broken one (its remote schema down, its action
gone) leaves the schema alone, while the custom types and their other relationships stay. Its
``lhs_fields`` must be fields of the object, dotted paths reaching into nested objects; the target
is checked by ``joins``. Paths in the problems are rooted at the custom types document, as
``set_custom_types`` receives it.
"""

from __future__ import annotations

from engine.errors import Code
from engine.metadata import CustomObject, ToAction, TypeRemoteRelationship, base_type_name
from engine.validation.joins import to_action_problems, to_remote_schema_problems
from engine.validation.objects import Problem, custom_type_relationship_object, quoted
from engine.validation.state import ValidationState


def check_custom_type_joins(state: ValidationState) -> None:
    """Validate every relationship of the healthy custom object types to remote schemas and actions."""
    for index, obj in enumerate(state.custom_types.objects):
        for position, relationship in enumerate(obj.remote_relationships, start=len(obj.relationships)):
            base = f"$.objects[{index}].relationships[{position}]"
            problems = relationship_problems(state, obj, relationship, base)
            state.record(custom_type_relationship_object(obj.name, relationship), problems)


def relationship_problems(
    state: ValidationState, obj: CustomObject, relationship: TypeRemoteRelationship, base: str
) -> list[Problem]:
    """Everything wrong with one relationship of a custom object type."""
    target = relationship.target
    key = "to_action" if isinstance(target, ToAction) else "to_remote_schema"
    where = f"{base}.definition.{key}"
    problems = [
        problem
        for index, field in enumerate(target.lhs_fields)
        for problem in lhs_field_problems(state, obj, field, f"{where}.lhs_fields[{index}]")
    ]
    if isinstance(target, ToAction):
        return problems + to_action_problems(state, state.custom_types, target, where)
    return problems + to_remote_schema_problems(state, target, where)


def lhs_field_problems(state: ValidationState, obj: CustomObject, field: str, path: str) -> list[Problem]:
    """A join field is a field of the object (or a dotted path to one) whose type is not an object."""
    fields = state.custom_types.field_path(obj, field)
    if fields is None:
        message = f"the field {quoted(field)} does not exist in object type {quoted(obj.name)}"
        return [Problem(message, Code.NOT_FOUND, path)]
    if state.custom_types.object(base_type_name(fields[-1].type)) is not None:
        message = f"the field {quoted(field)} of object type {quoted(obj.name)} is an object, not a key"
        return [Problem(message, Code.INVALID_PARAMS, path)]
    return []
