"""Validation of actions and their permissions (reference §1.12).

Argument types must be input types the custom types declare (or built-in / database scalars); the
output type must be a custom object or a scalar. Handler templates and header values taken from the
environment must resolve. Actions see no custom types when the custom types are inconsistent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from engine.errors import Code
from engine.metadata import Action, ActionDefinition, CustomObject, CustomTypes, HeaderConf, base_type_name
from engine.naming import BUILTIN_SCALARS
from engine.validation.objects import Problem, action_object, action_permission_object, quoted
from engine.validation.permissions import ADMIN_ROLE
from engine.validation.problems import unset_variable
from engine.validation.state import ValidationState

HANDLER_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
OUTPUT_TYPE_PATH = "$.definition.output_type"


def check_actions(state: ValidationState) -> None:
    """Validate every action, then the permissions of each healthy one."""
    seen = set()
    for action in state.metadata.actions:
        obj = action_object(action)
        if action.name in seen:
            state.report(obj.duplicated())
            continue
        seen.add(action.name)
        if state.record(obj, action_problems(state, action)):
            state.actions[action.name] = action
            check_action_permissions(state, action)


def action_problems(state: ValidationState, action: Action) -> list[Problem]:
    """Everything wrong with one action."""
    definition = action.definition
    scalars = {
        *BUILTIN_SCALARS,
        *(scalar.name for scalar in state.custom_types.scalars),
        *state.database_scalars(),
    }
    return [
        *argument_type_problems(state.custom_types, scalars, definition),
        *output_type_problems(state.custom_types, scalars, definition),
        *environment_problems(state, definition),
    ]


def argument_type_problems(
    custom_types: CustomTypes, scalars: set[str], definition: ActionDefinition
) -> list[Problem]:
    """Argument base types must be scalars, enums or input objects."""
    allowed = (
        scalars | {enum.name for enum in custom_types.enums} | {i.name for i in custom_types.input_objects}
    )
    problems = []
    for index, argument in enumerate(definition.arguments):
        type_name = base_type_name(argument.type)
        if type_name not in allowed:
            message = f"the type: {quoted(type_name)} is not defined in custom types or it is not a scalar/enum/input_object"
            problems.append(Problem(message, Code.INVALID_PARAMS, f"$.definition.arguments[{index}].type"))
    return problems


def output_type_problems(
    custom_types: CustomTypes, scalars: set[str], definition: ActionDefinition
) -> list[Problem]:
    """The output base type must be a custom object or a scalar; its relationships must be usable."""
    type_name = base_type_name(definition.output_type)
    output = custom_types.object(type_name)
    if output is not None:
        if definition.type == "mutation" and definition.kind == "asynchronous":
            return async_relationship_problems(custom_types, output)
        return relationships_join_on_top_level_scalars(custom_types, output)
    if type_name in scalars:
        return []
    message = f"the type: {quoted(type_name)} is not an object or scalar type defined in custom types"
    return [Problem(message, Code.NOT_EXISTS, OUTPUT_TYPE_PATH)]


def relationships_join_on_top_level_scalars(custom_types: CustomTypes, output: CustomObject) -> list[Problem]:
    """Rule: relationships of output objects join on top-level scalar or enum fields only.

    Hasura's restriction for synchronous actions ([I: #8015] asks to lift it); it covers the output
    object and every object nested in it, since each of them is a join's left-hand side.
    """
    offending = [
        relationship.name
        for obj in reachable_objects(custom_types, output)
        for relationship in obj.relationships
        if any(is_object_field(custom_types, obj, field) for field in relationship.field_mapping)
    ]
    if not offending:
        return []
    listed = ", ".join(quoted(name) for name in offending)
    message = f"Relationships cannot be defined with nested object fields: {listed}"
    return [Problem(message, Code.CONSTRAINT_ERROR, OUTPUT_TYPE_PATH)]


def async_relationship_problems(custom_types: CustomTypes, output: CustomObject) -> list[Problem]:
    """An asynchronous action's output cannot have both relationships and object fields."""
    object_fields = [
        field.name for field in output.fields if is_object_field(custom_types, output, field.name)
    ]
    if not output.relationships or not object_fields:
        return []
    listed = ", ".join(quoted(name) for name in object_fields)
    message = f"Async action relations cannot be used with object fields: {listed}"
    return [Problem(message, Code.CONSTRAINT_ERROR, OUTPUT_TYPE_PATH)]


def is_object_field(custom_types: CustomTypes, obj: CustomObject, field_name: str) -> bool:
    """True when the field's base type is a custom object type."""
    field = obj.field(field_name)
    return field is not None and custom_types.object(base_type_name(field.type)) is not None


def reachable_objects(custom_types: CustomTypes, output: CustomObject) -> list[CustomObject]:
    """The output object and every custom object reachable through its fields, each once."""
    found = [output]
    for obj in found:
        for field in obj.fields:
            nested = custom_types.object(base_type_name(field.type))
            if nested is not None and nested not in found:
                found.append(nested)
    return found


def environment_problems(state: ValidationState, definition: ActionDefinition) -> list[Problem]:
    """Handler templates and header values from the environment must resolve."""
    environ = state.environment.environ
    problems = [
        problem
        for name in HANDLER_TEMPLATE.findall(definition.handler)
        for problem in unset_variable(name, environ, "$.definition.handler")
    ]
    return problems + header_problems(definition.headers, environ, "$.definition.headers")


def header_problems(headers: Sequence[HeaderConf], environ: Mapping[str, str], base: str) -> list[Problem]:
    """Headers whose ``value_from_env`` names an unset variable."""
    return [
        problem
        for index, header in enumerate(headers)
        if header.value_from_env is not None
        for problem in unset_variable(header.value_from_env, environ, f"{base}[{index}].value_from_env")
    ]


def check_action_permissions(state: ValidationState, action: Action) -> None:
    """One permission per role; the admin role needs none."""
    seen = set()
    for permission in action.permissions:
        obj = action_permission_object(action.name, permission)
        if permission.role in seen:
            state.report(obj.duplicated("$.role"))
            continue
        seen.add(permission.role)
        if permission.role == ADMIN_ROLE:
            state.record(
                obj, [Problem("cannot define permission for admin role", Code.CONSTRAINT_ERROR, "$.role")]
            )
