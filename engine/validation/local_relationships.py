"""Validation of object and array relationships between tables of one source.

A ``foreign_key_constraint_on`` relationship needs the constraint in the database: on this table's
columns, or (``{"table", "columns"}``) on the other table's columns pointing back here. A
``manual_configuration`` needs a tracked remote table and existing columns on both sides.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.catalog import ForeignKeyInfo, TableInfo
from engine.errors import Code
from engine.metadata import ForeignKeyUsing, LocalRelationship, ManualUsing, QualifiedTable
from engine.metadata.reader import child_path
from engine.validation.objects import Problem, quoted, relationship_object
from engine.validation.problems import missing_column, untracked_table
from engine.validation.state import TrackedTable, ValidationState

FOREIGN_KEY_PATH = "$.using.foreign_key_constraint_on"
MANUAL_PATH = "$.using.manual_configuration"

Resolution = tuple[QualifiedTable | None, list[Problem]]


def check_local_relationships(state: ValidationState) -> None:
    """Validate every relationship of every healthy table, recording the healthy ones' targets."""
    for tracked in list(state.tables.values()):
        seen = set()
        for relationship in tracked.metadata.relationships:
            obj = relationship_object(tracked.source, tracked.name, relationship)
            if relationship.name in seen:
                state.report(obj.duplicated())
                continue
            seen.add(relationship.name)
            target, problems = resolve_relationship(state, tracked, relationship)
            problems = field_name_conflicts(tracked, relationship.name) + problems
            if state.record(obj, problems) and target is not None:
                state.relationships[(tracked.source, tracked.name, relationship.name)] = target


def field_name_conflicts(tracked: TrackedTable, name: str) -> list[Problem]:
    """A relationship (local or remote) may not take the name of a column."""
    if name not in tracked.field_names():
        return []
    message = f"column/relationship {quoted(name)} of table {quoted(tracked.name)} already exists"
    return [Problem(message, Code.ALREADY_EXISTS, "$.name")]


def resolve_relationship(
    state: ValidationState, tracked: TrackedTable, relationship: LocalRelationship
) -> Resolution:
    """The target table of a relationship and the problems found on the way."""
    using = relationship.using
    if isinstance(using, ManualUsing):
        return resolve_manual(state, tracked, using)
    if using.table is not None:
        return resolve_foreign_key_elsewhere(state, tracked, using)
    if relationship.kind == "array":
        message = 'an array relationship must name the table holding the foreign key: {"table", "columns"}'
        return None, [Problem(message, Code.NOT_SUPPORTED, FOREIGN_KEY_PATH)]
    return resolve_own_foreign_key(state, tracked, using.columns)


def resolve_manual(state: ValidationState, tracked: TrackedTable, using: ManualUsing) -> Resolution:
    """A manual configuration: a tracked remote table and columns that exist on both sides."""
    remote = state.table(tracked.source, using.remote_table)
    problems = (
        [] if remote is not None else [untracked_table(using.remote_table, f"{MANUAL_PATH}.remote_table")]
    )
    for column, remote_column in using.column_mapping.items():
        path = child_path(f"{MANUAL_PATH}.column_mapping", column)
        if not tracked.has_column(column):
            problems.append(missing_column(column, tracked.name, path))
        if remote is not None and not remote.has_column(remote_column):
            problems.append(missing_column(remote_column, remote.name, path))
    return using.remote_table, problems


def resolve_own_foreign_key(
    state: ValidationState, tracked: TrackedTable, columns: Sequence[str]
) -> Resolution:
    """A foreign key on this table's columns; its referenced table must be tracked."""
    missing = [
        missing_column(column, tracked.name, path)
        for column, path in zip(columns, column_paths(FOREIGN_KEY_PATH, columns), strict=True)
        if not tracked.has_column(column)
    ]
    if missing:
        return None, missing
    foreign_key, problems = single_foreign_key(tracked.info, columns, None)
    if foreign_key is None:
        return None, problems
    target = QualifiedTable(foreign_key.ref_schema, foreign_key.ref_table)
    if state.table(tracked.source, target) is None:
        return target, [untracked_table(target, FOREIGN_KEY_PATH)]
    return target, []


def resolve_foreign_key_elsewhere(
    state: ValidationState, tracked: TrackedTable, using: ForeignKeyUsing
) -> Resolution:
    """A foreign key on another tracked table's columns that references this table."""
    assert using.table is not None
    other = state.table(tracked.source, using.table)
    if other is None:
        return using.table, [untracked_table(using.table, f"{FOREIGN_KEY_PATH}.table")]
    missing = [
        missing_column(column, other.name, f"{FOREIGN_KEY_PATH}.columns[{index}]")
        for index, column in enumerate(using.columns)
        if not other.has_column(column)
    ]
    if missing:
        return using.table, missing
    _, problems = single_foreign_key(other.info, using.columns, tracked.name)
    return using.table, problems


def single_foreign_key(
    info: TableInfo, columns: Sequence[str], references: QualifiedTable | None
) -> tuple[ForeignKeyInfo | None, list[Problem]]:
    """The one foreign key on exactly these columns (referencing ``references`` when given)."""
    found = foreign_keys_on(info, columns, references)
    if len(found) == 1:
        return found[0], []
    listed = ", ".join(quoted(column) for column in columns)
    target = "" if references is None else f" referencing table {quoted(references)}"
    table = quoted(QualifiedTable(info.schema, info.name))
    amount = (
        "no foreign key constraint exists" if not found else "more than one foreign key constraint exists"
    )
    message = f"{amount} on the columns {listed} of table {table}{target}"
    return None, [Problem(message, Code.CONSTRAINT_ERROR, FOREIGN_KEY_PATH)]


def foreign_keys_on(
    info: TableInfo, columns: Sequence[str], references: QualifiedTable | None = None
) -> list[ForeignKeyInfo]:
    """The foreign keys of a table over exactly ``columns`` (in any order)."""
    return [
        foreign_key
        for foreign_key in info.foreign_keys
        if set(foreign_key.columns) == set(columns)
        and (
            references is None
            or (foreign_key.ref_schema, foreign_key.ref_table) == (references.schema, references.name)
        )
    ]


def column_paths(base: str, columns: Sequence[str]) -> list[str]:
    """Paths of the columns of ``foreign_key_constraint_on`` as exported (a lone column is a string)."""
    if len(columns) == 1:
        return [base]
    return [f"{base}[{index}]" for index in range(len(columns))]
