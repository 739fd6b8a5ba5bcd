"""Validation of sources and tracked tables: a readable database, an existing table, a sound configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.catalog import TableInfo
from engine.environment import Environment
from engine.errors import Code
from engine.metadata import Source, Table
from engine.metadata.reader import child_path
from engine.naming import (
    MUTATION_ROOT_FIELDS,
    QUERY_ROOT_FIELDS,
    ROOT_FIELD_KINDS,
    column_graphql_name,
    custom_root_field_name,
    is_graphql_name,
    table_graphql_name,
    table_root_fields,
)
from engine.validation.objects import Problem, quoted, source_object, table_object
from engine.validation.state import TrackedTable, ValidationState

# Root field kinds Hasura accepts in custom_root_fields; the last two have no field here yet.
CUSTOM_ROOT_FIELD_KEYS = (*ROOT_FIELD_KINDS, "select_stream", "update_many")
COLUMN_NAME_KEYS = ("column_config", "custom_column_names")
ROOT_FIELDS_PATH = "$.configuration.custom_root_fields"


def check_sources(state: ValidationState) -> None:
    """Every source must be readable; a name may be defined once."""
    seen = set()
    for source in state.metadata.sources:
        obj = source_object(source)
        if source.name in seen:
            state.report(obj.duplicated())
            continue
        seen.add(source.name)
        if state.record(obj, source_problems(source, state.environment)):
            state.sources[source.name] = (source, state.environment.catalogs[source.name])


def source_problems(source: Source, environment: Environment) -> list[Problem]:
    """Why a source's database cannot be used, if it cannot."""
    error = environment.source_errors.get(source.name)
    if error is not None:
        return [Problem(error, Code.UNEXPECTED, "$.configuration")]
    if source.name not in environment.catalogs:
        message = f"the database of source {quoted(source.name)} has not been read"
        return [Problem(message, Code.UNEXPECTED, "$.configuration")]
    return []


def check_tables(state: ValidationState) -> None:
    """Every tracked table of a healthy source must exist and be configured soundly."""
    for source, catalog in list(state.sources.values()):
        seen = set()
        for table in source.tables:
            obj = table_object(source.name, table)
            if table.table in seen:
                state.report(obj.duplicated("$.table"))
                continue
            seen.add(table.table)
            info = catalog.table(table.table.schema, table.table.name)
            if state.record(obj, table_problems(table, info)) and info is not None:
                state.tables[(source.name, table.table)] = TrackedTable(source.name, table, info)


def table_problems(table: Table, info: TableInfo | None) -> list[Problem]:
    """Everything wrong with a tracked table, given its catalog entry."""
    if info is None:
        message = f"no such table/view exists in source: {quoted(table.table)}"
        return [Problem(message, Code.NOT_EXISTS, "$.table")]
    return [*graphql_name_problems(table), *column_name_problems(table, info), *root_field_problems(table)]


def graphql_name_problems(table: Table) -> list[Problem]:
    """The table's GraphQL name must be a valid name (else a custom name is needed)."""
    name = table_graphql_name(table)
    if is_graphql_name(name):
        return []
    message = (
        f"cannot include {quoted(table.table)} in the GraphQL schema because {quoted(name)} "
        "is not a valid GraphQL identifier; set configuration.custom_name"
    )
    return [Problem(message, Code.INVALID_PARAMS, "$.table")]


def column_name_problems(table: Table, info: TableInfo) -> list[Problem]:
    """Configured columns must exist, custom names must be valid and distinct."""
    problems = []
    for key in COLUMN_NAME_KEYS:
        for column in table.configuration.get(key) or {}:
            if info.column(column) is None:
                message = f"the column {quoted(column)} given in {key} does not exist"
                problems.append(
                    Problem(message, Code.NOT_EXISTS, child_path(f"$.configuration.{key}", column))
                )
    return problems + custom_column_name_problems(table, info)


def custom_column_name_problems(table: Table, info: TableInfo) -> list[Problem]:
    """Custom column names must be valid GraphQL names and not repeat another column's name."""
    problems = []
    taken: dict[str, str] = {}
    for column in info.columns:
        name = column_graphql_name(table, column.name)
        if name != column.name and not is_graphql_name(name):
            message = f"{quoted(name)} is not a valid GraphQL name"
            problems.append(Problem(message, Code.INVALID_PARAMS, custom_name_path(table, column.name)))
        elif name in taken:
            renamed = column.name if name != column.name else taken[name]
            message = (
                f"the columns {quoted(taken[name])} and {quoted(column.name)} "
                f"have the same GraphQL name {quoted(name)}"
            )
            problems.append(Problem(message, Code.ALREADY_EXISTS, custom_name_path(table, renamed)))
        taken.setdefault(name, column.name)
    return problems


def custom_name_path(table: Table, column: str) -> str:
    """The path of the custom name given to a column."""
    if (table.configuration.get("column_config") or {}).get(column, {}).get("custom_name"):
        return child_path(child_path("$.configuration.column_config", column), "custom_name")
    return child_path("$.configuration.custom_column_names", column)


def root_field_problems(table: Table) -> list[Problem]:
    """Custom root fields must be known kinds with valid, distinct names."""
    configured: Mapping[str, Any] = table.configuration.get("custom_root_fields") or {}
    problems = [
        problem for kind, value in configured.items() for problem in custom_root_field_problems(kind, value)
    ]
    return problems + duplicate_root_field_problems(table)


def custom_root_field_problems(kind: str, value: Any) -> list[Problem]:
    """Problems of one ``custom_root_fields`` entry."""
    path = child_path(ROOT_FIELDS_PATH, kind)
    if kind not in CUSTOM_ROOT_FIELD_KEYS:
        message = f"{quoted(kind)} is not a root field of a table; expected one of: {', '.join(CUSTOM_ROOT_FIELD_KEYS)}"
        return [Problem(message, Code.INVALID_PARAMS, path)]
    if isinstance(value, Mapping):
        value, path = value.get("name"), f"{path}.name"
    if value is None or (isinstance(value, str) and is_graphql_name(value)):
        return []
    return [Problem(f"{quoted(value)} is not a valid GraphQL name", Code.INVALID_PARAMS, path)]


def duplicate_root_field_problems(table: Table) -> list[Problem]:
    """Two root fields of one operation type must not share a name."""
    names = table_root_fields(table)
    problems = []
    for kinds in (QUERY_ROOT_FIELDS, MUTATION_ROOT_FIELDS):
        taken: dict[str, str] = {}
        for kind in kinds:
            name = names[kind]
            if name in taken:
                renamed = kind if custom_root_field_name(table, kind) else taken[name]
                message = f"the root fields {taken[name]} and {kind} are both named {quoted(name)}"
                problems.append(Problem(message, Code.ALREADY_EXISTS, child_path(ROOT_FIELDS_PATH, renamed)))
            taken.setdefault(name, kind)
    return problems
