"""Table models for one role: tracked tables joined with their catalog facts and the role's select permission.

Admin reads every column and row. Any other role sees a table only through its select permission:
the permitted columns, the row filter, the row limit and whether aggregates are allowed. A
relationship is kept only when the role can see its target table, and is resolved to column pairs
from the foreign keys in the catalog or from its manual column mapping.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from engine.catalog import SourceCatalog, TableInfo
from engine.environment import Environment
from engine.metadata import (
    ForeignKeyUsing,
    LocalRelationship,
    ManualUsing,
    Metadata,
    QualifiedTable,
    Source,
    Table,
)
from engine.naming import column_graphql_name, table_graphql_name
from engine.schema.model import ColumnModel, RelationshipModel, TableAccess, TableModel
from engine.schema.naming import source_type_name
from engine.sources import SourceSpec

ADMIN_ROLE = "admin"

TableKey = tuple[str, QualifiedTable]
Pairs = tuple[tuple[str, str], ...]


def table_models(metadata: Metadata, environment: Environment, role: str) -> dict[TableKey, TableModel]:
    """Every table ``role`` can read, keyed by (source name, table), relationships resolved."""
    bare = {
        (source.name, table.table): model
        for source, table, info in _tracked_tables(metadata, environment)
        if (model := _bare_model(source, table, info, role)) is not None
    }
    return {key: _with_relationships(model, metadata, environment, bare) for key, model in bare.items()}


def _tracked_tables(
    metadata: Metadata, environment: Environment
) -> Iterator[tuple[Source, Table, TableInfo]]:
    for source in metadata.sources:
        catalog = environment.catalogs.get(source.name)
        if catalog is None:
            continue
        for table in source.tables:
            info = catalog.table(table.table.schema, table.table.name)
            if info is not None:
                yield source, table, info


def _bare_model(source: Source, table: Table, info: TableInfo, role: str) -> TableModel | None:
    access, permitted = table_access(table, role)
    if access is None:
        return None
    columns = tuple(
        ColumnModel(
            column.name, column_graphql_name(table, column.name), column.data_type, column.is_nullable
        )
        for column in info.columns
        if permitted is None or column.name in permitted
    )
    readable = {column.name for column in columns}
    primary_key = info.primary_key if info.primary_key and set(info.primary_key) <= readable else ()
    return TableModel(
        type_name=source_type_name(source.customization, table_graphql_name(table)),
        source=SourceSpec(source.name, source.kind, source.configuration),
        table=table.table,
        columns=columns,
        relationships=(),
        primary_key=primary_key,
        access=access,
        column_types={column.name: column.data_type for column in info.columns},
    )


def table_access(table: Table, role: str) -> tuple[TableAccess | None, frozenset[str] | None]:
    """The role's access to a table and its permitted columns (None: all), or (None, None) for no access."""
    if role == ADMIN_ROLE:
        return TableAccess(), None
    permission = table.permission("select", role)
    if permission is None:
        return None, None
    columns = permission.columns
    access = TableAccess(permission.filter, permission.limit, permission.allow_aggregations)
    return access, None if columns == "*" else frozenset(columns)


def _with_relationships(
    model: TableModel, metadata: Metadata, environment: Environment, models: Mapping[TableKey, TableModel]
) -> TableModel:
    source = model.source.name
    table = metadata.table(source, model.table)
    catalog = environment.catalogs[source]
    assert table is not None
    relationships = []
    for relationship in table.relationships:
        resolved = resolve_relationship(relationship, model.table, catalog)
        target = None if resolved is None else models.get((source, resolved[0]))
        if resolved is not None and target is not None:
            nullable = _is_nullable(relationship, catalog, model.table, target)
            relationships.append(
                RelationshipModel(
                    relationship.name, relationship.kind, target.type_name, resolved[1], nullable
                )
            )
    return dataclasses.replace(model, relationships=tuple(relationships))


def resolve_relationship(
    relationship: LocalRelationship, table: QualifiedTable, catalog: SourceCatalog
) -> tuple[QualifiedTable, Pairs] | None:
    """The target table and (column here, column there) pairs of a relationship, or None if unresolvable."""
    using = relationship.using
    if isinstance(using, ManualUsing):
        return using.remote_table, tuple(using.column_mapping.items())
    if using.table is None:
        return _own_foreign_key(catalog, table, using)
    return _foreign_key_elsewhere(catalog, table, using)


def _own_foreign_key(
    catalog: SourceCatalog, table: QualifiedTable, using: ForeignKeyUsing
) -> tuple[QualifiedTable, Pairs] | None:
    info = catalog.table(table.schema, table.name)
    keys = [] if info is None else [fk for fk in info.foreign_keys if set(fk.columns) == set(using.columns)]
    if len(keys) != 1:
        return None
    key = keys[0]
    return QualifiedTable(key.ref_schema, key.ref_table), tuple(
        zip(key.columns, key.ref_columns, strict=True)
    )


def _foreign_key_elsewhere(
    catalog: SourceCatalog, table: QualifiedTable, using: ForeignKeyUsing
) -> tuple[QualifiedTable, Pairs] | None:
    assert using.table is not None
    other = catalog.table(using.table.schema, using.table.name)
    keys = (
        []
        if other is None
        else [
            fk
            for fk in other.foreign_keys
            if set(fk.columns) == set(using.columns)
            and (fk.ref_schema, fk.ref_table) == (table.schema, table.name)
        ]
    )
    if len(keys) != 1:
        return None
    key = keys[0]
    return using.table, tuple(zip(key.ref_columns, key.columns, strict=True))


def _is_nullable(
    relationship: LocalRelationship, catalog: SourceCatalog, table: QualifiedTable, target: TableModel
) -> bool:
    """An object relationship over this table's non-null foreign key always finds its row (unless filtered)."""
    using = relationship.using
    if relationship.kind != "object" or not isinstance(using, ForeignKeyUsing) or using.table is not None:
        return True
    info = catalog.table(table.schema, table.name)
    columns = [] if info is None else [info.column(name) for name in using.columns]
    all_required = bool(columns) and all(column is not None and not column.is_nullable for column in columns)
    return not all_required or bool(target.access.filter)
