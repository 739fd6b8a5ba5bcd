"""Validation of remote schemas: an available introspection and a sound customization (reference §4.5).

Customized type names must stay distinct and valid; so must the customized field names of each type;
a field an interface shares with an implementing object must be renamed the same way in both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from engine.environment import Environment
from engine.errors import Code
from engine.metadata import RemoteSchema
from engine.naming import is_graphql_name, remote_field_name, remote_type_name
from engine.validation.objects import Problem, quoted, remote_schema_object
from engine.validation.state import ValidationState

CUSTOMIZATION_PATH = "$.definition.customization"


def check_remote_schemas(state: ValidationState) -> None:
    """Every remote schema needs its introspected schema and a sound customization."""
    seen = set()
    for remote_schema in state.metadata.remote_schemas:
        obj = remote_schema_object(remote_schema)
        if remote_schema.name in seen:
            state.report(obj.duplicated())
            continue
        seen.add(remote_schema.name)
        schema = state.environment.remote_schemas.get(remote_schema.name)
        if state.record(obj, remote_schema_problems(remote_schema, schema, state.environment)) and schema:
            state.remote_schemas[remote_schema.name] = schema


def remote_schema_problems(
    remote_schema: RemoteSchema, schema: GraphQLSchema | None, environment: Environment
) -> list[Problem]:
    """Why a remote schema cannot be used, if it cannot."""
    error = environment.remote_schema_errors.get(remote_schema.name)
    if error is not None:
        return [Problem(error, Code.REMOTE_SCHEMA_ERROR, "$.definition")]
    if schema is None:
        message = f"remote schema {quoted(remote_schema.name)} has not been introspected"
        return [Problem(message, Code.REMOTE_SCHEMA_ERROR, "$.definition")]
    return customization_problems(remote_schema.definition.customization, schema)


def customization_problems(customization: Mapping[str, Any] | None, schema: GraphQLSchema) -> list[Problem]:
    """Problems of a remote schema's customization, given its original schema."""
    if not customization:
        return []
    return [
        *namespace_problems(customization),
        *type_name_problems(customization, schema),
        *field_name_problems(customization, schema),
        *interface_problems(customization, schema),
    ]


def namespace_problems(customization: Mapping[str, Any]) -> list[Problem]:
    """The root field namespace must be a valid GraphQL name."""
    namespace = customization.get("root_fields_namespace")
    if namespace is None or (isinstance(namespace, str) and is_graphql_name(namespace)):
        return []
    path = f"{CUSTOMIZATION_PATH}.root_fields_namespace"
    return [Problem(f"{quoted(namespace)} is not a valid GraphQL name", Code.REMOTE_SCHEMA_ERROR, path)]


def type_name_problems(customization: Mapping[str, Any], schema: GraphQLSchema) -> list[Problem]:
    """Customized type names must be valid and distinct."""
    renamed = [remote_type_name(customization, schema, name) for name in schema.type_map]
    return renaming_problems(renamed, "Type name mappings", "types", f"{CUSTOMIZATION_PATH}.type_names")


def field_name_problems(customization: Mapping[str, Any], schema: GraphQLSchema) -> list[Problem]:
    """Customized field names of each type must be valid and distinct."""
    problems = []
    for index, entry in enumerate(customization.get("field_names") or []):
        parent = schema.type_map.get(entry.get("parent_type"))
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            renamed = [remote_field_name(customization, parent.name, name) for name in parent.fields]
            subject = f"Field name mappings for type {quoted(parent.name)}"
            path = f"{CUSTOMIZATION_PATH}.field_names[{index}]"
            problems += renaming_problems(renamed, subject, "fields", path)
    return problems


def renaming_problems(names: Iterable[str], subject: str, noun: str, path: str) -> list[Problem]:
    """Invalid or repeated names among the results of a renaming (``noun``: "types" or "fields")."""
    names = list(names)
    problems = []
    invalid = sorted({name for name in names if not is_graphql_name(name)})
    if invalid:
        message = f"{subject} produce names that are not valid GraphQL names: {_listed(invalid)}"
        problems.append(Problem(message, Code.REMOTE_SCHEMA_ERROR, path))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        message = (
            f"{subject} are not distinct; the following {noun} appear more than once: {_listed(repeated)}"
        )
        problems.append(Problem(message, Code.REMOTE_SCHEMA_ERROR, path))
    return problems


def interface_problems(customization: Mapping[str, Any], schema: GraphQLSchema) -> list[Problem]:
    """A field shared by an interface and an implementing object must be renamed alike."""
    problems = []
    for interface in schema.type_map.values():
        if not isinstance(interface, GraphQLInterfaceType):
            continue
        for implementation in schema.get_implementations(interface).objects:
            for field in interface.fields:
                in_interface = remote_field_name(customization, interface.name, field)
                if in_interface != remote_field_name(customization, implementation.name, field):
                    problems.append(
                        inconsistent_interface_mapping(field, interface.name, implementation.name)
                    )
    return problems


def inconsistent_interface_mapping(field: str, interface: str, implementation: str) -> Problem:
    """Hasura's message for an interface field renamed differently in an implementing object."""
    message = (
        "Remote schema customization inconsistency: field name mapping for field "
        f"{quoted(field)} of interface {quoted(interface)} is inconsistent with mapping for type "
        f"{quoted(implementation)}"
    )
    return Problem(message, Code.REMOTE_SCHEMA_ERROR, f"{CUSTOMIZATION_PATH}.field_names")


def _listed(names: Iterable[str]) -> str:
    return ", ".join(quoted(name) for name in names)
