"""Validation of table permissions: columns, presets, limits, and the filter and check expressions.

Expressions are walked through relationships into their target tables and through ``_exists`` into
other tables; values are not type-checked, so session variables (``X-Hasura-*``) are accepted
wherever a value is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import Code, MetadataParseError
from engine.metadata import Node, Permission, QualifiedTable
from engine.metadata.reader import child_path
from engine.validation.boolexp import EXISTS, Condition, ShapeError, conditions, is_session_variable
from engine.validation.objects import Problem, permission_object, quoted
from engine.validation.problems import missing_column, untracked_table
from engine.validation.state import TrackedTable, ValidationState

ADMIN_ROLE = "admin"
EXPRESSION_KEYS = ("filter", "check")
COLUMN_COMPARISON_OPERATORS = ("_ceq", "_cne", "_cgt", "_clt", "_cgte", "_clte")
LIST_OPERATORS = ("_in", "_nin")
ROOT_TABLE_MARKER = "$"


def check_permissions(state: ValidationState) -> None:
    """Validate every permission of every healthy table (one per kind and role)."""
    for tracked in list(state.tables.values()):
        seen = set()
        for permission in tracked.metadata.permissions:
            obj = permission_object(tracked.source, tracked.name, permission)
            if (permission.kind, permission.role) in seen:
                state.report(obj.duplicated("$.role"))
                continue
            seen.add((permission.kind, permission.role))
            state.record(obj, permission_problems(state, tracked, permission))


def permission_problems(
    state: ValidationState, tracked: TrackedTable, permission: Permission
) -> list[Problem]:
    """Everything wrong with one permission."""
    if permission.role == ADMIN_ROLE:
        return [Problem("cannot define permission for admin role", Code.CONSTRAINT_ERROR, "$.role")]
    body = permission.permission
    problems = column_list_problems(tracked, body.get("columns"))
    problems += preset_problems(tracked, body.get("set"))
    problems += limit_problems(body)
    for key in EXPRESSION_KEYS:
        if body.get(key) is not None:
            problems += expression_problems(state, tracked, body[key], f"$.permission.{key}", tracked)
    return problems


def column_list_problems(tracked: TrackedTable, columns: Any) -> list[Problem]:
    """Every listed column must exist (``"*"`` means all)."""
    if not isinstance(columns, list):
        return []
    return [
        missing_column(column, tracked.name, f"$.permission.columns[{index}]")
        for index, column in enumerate(columns)
        if not tracked.has_column(column)
    ]


def preset_problems(tracked: TrackedTable, preset: Any) -> list[Problem]:
    """Column presets (``set``) must name existing columns."""
    if not isinstance(preset, Mapping):
        return []
    return [
        missing_column(column, tracked.name, child_path("$.permission.set", column))
        for column in preset
        if not tracked.has_column(column)
    ]


def limit_problems(body: Mapping[str, Any]) -> list[Problem]:
    """A row limit must be a non-negative integer."""
    limit = body.get("limit")
    if limit is None or (isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0):
        return []
    return [Problem("limit must be a non-negative integer", Code.INVALID_PARAMS, "$.permission.limit")]


def expression_problems(
    state: ValidationState, table: TrackedTable, expression: Any, path: str, root: TrackedTable
) -> list[Problem]:
    """Problems of a boolean expression evaluated on ``table`` (``root`` is the permission's table)."""
    problems: list[Problem] = []
    for item in conditions(expression, path):
        if isinstance(item, ShapeError):
            problems.append(Problem(item.message, Code.PARSE_FAILED, item.path))
        else:
            problems += condition_problems(state, table, item, root)
    return problems


def condition_problems(
    state: ValidationState, table: TrackedTable, condition: Condition, root: TrackedTable
) -> list[Problem]:
    """Problems of one field condition."""
    if condition.field == EXISTS:
        return exists_problems(state, table, condition, root)
    if table.has_column(condition.field):
        return operator_problems(table, condition, root)
    target = state.relationships.get((table.source, table.name, condition.field))
    if target is not None:
        return expression_problems(
            state, state.tables[(table.source, target)], condition.value, condition.path, root
        )
    if condition.field in computed_field_names(table):
        return []
    return [unknown_field(table, condition)]


def unknown_field(table: TrackedTable, condition: Condition) -> Problem:
    """A condition on a field the table does not have (or whose relationship is inconsistent)."""
    if table.metadata.relationship(condition.field) is not None:
        message = f"the relationship {quoted(condition.field)} of table {quoted(table.name)} is inconsistent"
    else:
        message = (
            f"no column or relationship named {quoted(condition.field)} exists in table {quoted(table.name)}"
        )
    return Problem(message, Code.NOT_EXISTS, condition.path)


def computed_field_names(table: TrackedTable) -> set[str]:
    """Names of the table's computed fields (kept as given; their functions are not checked)."""
    return {
        item.get("name")
        for item in table.metadata.extras.get("computed_fields") or []
        if isinstance(item, Mapping)
    }


def exists_problems(
    state: ValidationState, table: TrackedTable, condition: Condition, root: TrackedTable
) -> list[Problem]:
    """``{"_exists": {"_table": T, "_where": E}}``: T tracked in the same source, E valid on T."""
    value = condition.value
    if not isinstance(value, Mapping) or "_table" not in value or "_where" not in value:
        return [Problem('expected an object with "_table" and "_where"', Code.PARSE_FAILED, condition.path)]
    table_path = f"{condition.path}._table"
    try:
        name = QualifiedTable.parse(Node(value["_table"], table_path))
    except MetadataParseError as error:
        return [Problem(error.message, Code.PARSE_FAILED, error.path)]
    target = state.table(table.source, name)
    if target is None:
        return [untracked_table(name, table_path)]
    return expression_problems(state, target, value["_where"], f"{condition.path}._where", root)


def operator_problems(table: TrackedTable, condition: Condition, root: TrackedTable) -> list[Problem]:
    """Operators of a column condition; a non-object value is shorthand for ``_eq``."""
    if not isinstance(condition.value, Mapping):
        return []
    problems = []
    for operator, operand in condition.value.items():
        path = child_path(condition.path, operator)
        if not operator.startswith("_"):
            problems.append(Problem(f"{quoted(operator)} is not an operator", Code.PARSE_FAILED, path))
        elif operator in COLUMN_COMPARISON_OPERATORS:
            problems += compared_column_problems(table, operand, path, root)
        elif operator in LIST_OPERATORS and not (isinstance(operand, list) or is_session_variable(operand)):
            message = f"expected an array or a session variable for {operator}"
            problems.append(Problem(message, Code.PARSE_FAILED, path))
        elif operator == "_is_null" and not isinstance(operand, bool):
            problems.append(Problem("expected a boolean for _is_null", Code.PARSE_FAILED, path))
    return problems


def compared_column_problems(
    table: TrackedTable, operand: Any, path: str, root: TrackedTable
) -> list[Problem]:
    """A column comparison names a column of this table, or ``["$", column]`` of the root table."""
    owner, column = table, operand
    if isinstance(operand, list) and len(operand) == 2 and operand[0] == ROOT_TABLE_MARKER:
        owner, column = root, operand[1]
    elif isinstance(operand, list) and len(operand) == 1:
        column = operand[0]
    if not isinstance(column, str):
        message = 'expected a column name or ["$", column name] for a column comparison'
        return [Problem(message, Code.PARSE_FAILED, path)]
    return [] if owner.has_column(column) else [missing_column(column, owner.name, path)]
