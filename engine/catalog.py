"""Table facts of a data source: columns, keys and constraints, read from the database catalog.

`read_catalog` reads a whole source in one go (three catalog queries for PostgreSQL whatever
the number of tables; in-process pragmas for SQLite) into frozen dataclasses. Column types
carry PostgreSQL type names as Hasura spells them ("integer", "bigint", "boolean", otherwise
`pg_type.typname`: "uuid", "timestamptz", "_int4" for arrays), which is what Hasura names
GraphQL scalars after; SQLite declared types are mapped to the nearest such name.
SQLite's single schema is exposed as "public".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from engine.sources import POSTGRES, SQLITE, SQLITE_SCHEMA, SourceConfigError

TableKey = tuple[str, str]


@dataclass(frozen=True)
class ColumnInfo:
    """One column; `data_type` is a PostgreSQL type name such as "integer", "uuid" or "_int4"."""

    name: str
    data_type: str
    is_nullable: bool
    has_default: bool
    is_identity_or_serial: bool


@dataclass(frozen=True)
class ForeignKeyInfo:
    """A foreign key; `columns[i]` references `ref_columns[i]`, in the constraint's key order."""

    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableInfo:
    """A table or view.

    Columns are in ordinal order and every key lists its columns in the constraint's key
    order. Constraints are sorted by name (SQLite's unnamed unique constraints by columns).
    """

    schema: str
    name: str
    columns: tuple[ColumnInfo, ...]
    primary_key: tuple[str, ...]
    unique_constraints: tuple[tuple[str, ...], ...]
    foreign_keys: tuple[ForeignKeyInfo, ...]
    is_view: bool

    def column(self, name: str) -> ColumnInfo | None:
        return next((column for column in self.columns if column.name == name), None)


@dataclass(frozen=True)
class SourceCatalog:
    """Every table and view of one source, keyed by (schema, name), and its scalar type names."""

    source_name: str
    kind: str
    tables: Mapping[TableKey, TableInfo]
    scalar_types: frozenset[str]

    def table(self, schema: str, name: str) -> TableInfo | None:
        return self.tables.get((schema, name))


def read_catalog(conn: Any, kind: str, source_name: str) -> SourceCatalog:
    """Read the catalog of a whole source through an open DB-API connection of that kind."""
    if kind == POSTGRES:
        tables, scalar_types = _read_postgres(conn)
    elif kind == SQLITE:
        tables, scalar_types = _read_sqlite(conn)
    else:
        raise SourceConfigError(f"unsupported source kind '{kind}'")
    by_key = {(table.schema, table.name): table for table in tables}
    return SourceCatalog(source_name, kind, MappingProxyType(by_key), frozenset(scalar_types))


# --- PostgreSQL ------------------------------------------------------------------------------

# Filters `n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'` skip pg_catalog,
# information_schema, pg_toast and temporary schemas: users cannot create schemas named pg_*.
_COLUMNS_SQL = """
SELECT n.nspname::text, c.relname::text, c.relkind IN ('v', 'm'),
       a.attname::text, t.typname::text, NOT a.attnotnull, a.atthasdef OR a.attidentity <> '',
       a.attidentity <> '' OR EXISTS (
           SELECT 1 FROM pg_catalog.pg_depend d
           JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
           WHERE d.classid = 'pg_catalog.pg_class'::regclass
             AND d.refclassid = 'pg_catalog.pg_class'::regclass
             AND d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.deptype IN ('a', 'i'))
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
ORDER BY n.nspname, c.relname, a.attnum
"""

# Key columns are listed in the constraint's key order (conkey/confkey), not column order.
_CONSTRAINTS_SQL = """
SELECT n.nspname::text, c.relname::text, con.contype::text, con.conname::text,
       ARRAY(SELECT a.attname::text
             FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.position),
       rn.nspname::text, rc.relname::text,
       ARRAY(SELECT a.attname::text
             FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.position)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f')
  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
ORDER BY n.nspname, c.relname, con.conname
"""

# Base, domain, enum and range types; arrays of table row types are left out.
_SCALAR_TYPES_SQL = """
SELECT t.typname::text
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
WHERE n.nspname IN ('pg_catalog', 'public') AND t.typtype IN ('b', 'd', 'e', 'r', 'm')
  AND (e.oid IS NULL OR e.typtype <> 'c')
"""


# pg_type names that Hasura spells with their SQL standard name.
_HASURA_TYPE_NAMES = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "bool": "boolean",
}


def hasura_type_name(typname: str) -> str:
    """The name Hasura gives a PostgreSQL type: "int4" is "integer", "_int4" stays "_int4"."""
    return _HASURA_TYPE_NAMES.get(typname, typname)


@dataclass
class _TableFacts:
    """Facts gathered for one table before it is frozen into a TableInfo."""

    schema: str
    name: str
    is_view: bool
    columns: list[ColumnInfo]
    primary_key: tuple[str, ...] = ()
    unique_constraints: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKeyInfo, ...] = ()

    def freeze(self) -> TableInfo:
        return TableInfo(
            self.schema,
            self.name,
            tuple(self.columns),
            self.primary_key,
            self.unique_constraints,
            self.foreign_keys,
            self.is_view,
        )


def _read_postgres(conn: Any) -> tuple[list[TableInfo], Iterable[str]]:
    with conn.cursor() as cursor:
        cursor.execute(_COLUMNS_SQL)
        facts = _postgres_tables(cursor.fetchall())
        cursor.execute(_CONSTRAINTS_SQL)
        _add_postgres_constraints(facts, cursor.fetchall())
        cursor.execute(_SCALAR_TYPES_SQL)
        scalar_types = [hasura_type_name(name) for (name,) in cursor.fetchall()]
    return [table.freeze() for table in facts.values()], scalar_types


def _postgres_tables(rows: Iterable[tuple[Any, ...]]) -> dict[TableKey, _TableFacts]:
    facts: dict[TableKey, _TableFacts] = {}
    for schema, table, is_view, column, data_type, nullable, has_default, generated in rows:
        table_facts = facts.setdefault((schema, table), _TableFacts(schema, table, is_view, []))
        if column is not None:
            column_info = ColumnInfo(column, hasura_type_name(data_type), nullable, has_default, generated)
            table_facts.columns.append(column_info)
    return facts


def _add_postgres_constraints(facts: dict[TableKey, _TableFacts], rows: Iterable[tuple[Any, ...]]) -> None:
    for schema, table, kind, name, columns, ref_schema, ref_table, ref_columns in rows:
        table_facts = facts[(schema, table)]
        if kind == "p":
            table_facts.primary_key = tuple(columns)
        elif kind == "u":
            table_facts.unique_constraints += (tuple(columns),)
        else:
            foreign_key = ForeignKeyInfo(name, tuple(columns), ref_schema, ref_table, tuple(ref_columns))
            table_facts.foreign_keys += (foreign_key,)


# --- SQLite ----------------------------------------------------------------------------------

# Declared types whose SQLite affinity would hide a more telling PostgreSQL name.
_SQLITE_NAMED_TYPES = {
    "BOOLEAN": "boolean",
    "BOOL": "boolean",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "DATE": "date",
    "DATETIME": "timestamp",
    "TIMESTAMP": "timestamp",
    "JSON": "json",
    "UUID": "uuid",
}
# SQLite's own affinity rules (https://www.sqlite.org/datatype3.html §3.1), in their order.
_SQLITE_AFFINITIES = (
    ("INT", "integer"),
    ("CHAR", "text"),
    ("CLOB", "text"),
    ("TEXT", "text"),
    ("BLOB", "bytea"),
    ("REAL", "float8"),
    ("FLOA", "float8"),
    ("DOUB", "float8"),
)
SQLITE_SCALAR_TYPES = frozenset(
    [*_SQLITE_NAMED_TYPES.values(), *(name for _, name in _SQLITE_AFFINITIES), "numeric"]
)

_SQLITE_TABLES_SQL = """
SELECT name, type = 'view' FROM sqlite_master
WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY name
"""


def sqlite_type_name(declared: str) -> str:
    """The PostgreSQL type name nearest to a SQLite declared column type ("" reads as text)."""
    base = re.sub(r"\(.*", "", declared).strip().upper()
    if base in _SQLITE_NAMED_TYPES:
        return _SQLITE_NAMED_TYPES[base]
    if not base:
        return "text"
    return next((name for marker, name in _SQLITE_AFFINITIES if marker in base), "numeric")


def _read_sqlite(conn: Any) -> tuple[list[TableInfo], Iterable[str]]:
    listed = conn.execute(_SQLITE_TABLES_SQL).fetchall()
    names_by_folded = {name.casefold(): name for name, _ in listed}
    tables = [_sqlite_table(conn, name, bool(is_view), names_by_folded) for name, is_view in listed]
    return tables, SQLITE_SCALAR_TYPES


def _sqlite_table(conn: Any, name: str, is_view: bool, names_by_folded: Mapping[str, str]) -> TableInfo:
    columns = conn.execute(
        'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid', (name,)
    ).fetchall()
    indexes = conn.execute("SELECT name, origin FROM pragma_index_list(?)", (name,)).fetchall()
    primary_key = tuple(row[0] for row in sorted(columns, key=lambda row: row[4]) if row[4])
    rowid_alias = _rowid_alias(columns, indexes)
    return TableInfo(
        schema=SQLITE_SCHEMA,
        name=name,
        columns=tuple(_sqlite_column(row, rowid_alias) for row in columns),
        primary_key=primary_key,
        unique_constraints=_sqlite_unique_constraints(conn, indexes),
        foreign_keys=_sqlite_foreign_keys(conn, name, names_by_folded),
        is_view=is_view,
    )


def _rowid_alias(columns: list[tuple[Any, ...]], indexes: list[tuple[Any, ...]]) -> str | None:
    """The column that aliases the rowid: a lone INTEGER primary key without its own index."""
    key_columns = [row for row in columns if row[4]]
    has_key_index = any(origin == "pk" for _, origin in indexes)
    if len(key_columns) != 1 or has_key_index or key_columns[0][1].strip().upper() != "INTEGER":
        return None
    return key_columns[0][0]


def _sqlite_column(row: tuple[Any, ...], rowid_alias: str | None) -> ColumnInfo:
    name, declared, not_null, default, _ = row
    is_rowid = name == rowid_alias
    return ColumnInfo(
        name=name,
        data_type=sqlite_type_name(declared),
        is_nullable=not (not_null or is_rowid),
        has_default=default is not None or is_rowid,
        is_identity_or_serial=is_rowid,
    )


def _sqlite_unique_constraints(conn: Any, indexes: list[tuple[Any, ...]]) -> tuple[tuple[str, ...], ...]:
    """Columns of UNIQUE constraints written in the table definition (not CREATE INDEX)."""
    return tuple(sorted(_index_columns(conn, index) for index, origin in indexes if origin == "u"))


def _index_columns(conn: Any, index: str) -> tuple[str, ...]:
    rows = conn.execute("SELECT name FROM pragma_index_info(?) ORDER BY seqno", (index,))
    return tuple(name for (name,) in rows)


def _sqlite_foreign_keys(
    conn: Any, table: str, names_by_folded: Mapping[str, str]
) -> tuple[ForeignKeyInfo, ...]:
    rows = conn.execute(
        'SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq', (table,)
    ).fetchall()
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    foreign_keys = [_sqlite_foreign_key(conn, table, group, names_by_folded) for group in grouped.values()]
    return tuple(sorted(foreign_keys, key=lambda foreign_key: foreign_key.name))


def _sqlite_foreign_key(
    conn: Any, table: str, rows: list[tuple[Any, ...]], names_by_folded: Mapping[str, str]
) -> ForeignKeyInfo:
    written_target = rows[0][1]
    ref_table = names_by_folded.get(written_target.casefold(), written_target)
    columns = tuple(row[2] for row in rows)
    ref_columns = tuple(row[3] for row in rows)
    if None in ref_columns:
        # `REFERENCES parent` without columns means the parent's primary key.
        ref_columns = _sqlite_primary_key(conn, ref_table)
    # SQLite keeps no constraint names; use PostgreSQL's default naming.
    name = f"{table}_{'_'.join(columns)}_fkey"
    return ForeignKeyInfo(name, columns, SQLITE_SCHEMA, ref_table, ref_columns)


def _sqlite_primary_key(conn: Any, table: str) -> tuple[str, ...]:
    rows = conn.execute("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (table,))
    return tuple(name for (name,) in rows)
