"""Catalog reading: exact table facts from real PostgreSQL schemas and SQLite files."""

import sqlite3

import psycopg2
import pytest
from psycopg2 import extensions

from engine.catalog import (
    SQLITE_SCALAR_TYPES,
    ColumnInfo,
    ForeignKeyInfo,
    SourceCatalog,
    TableInfo,
    read_catalog,
    sqlite_type_name,
)
from engine.sources import ConnectionProvider, SourceConfigError, SourceSpec

SHOP, BILLING = "catalog_shop", "catalog_billing"
LINE_ITEM = 'line "item"'

POSTGRES_SCHEMA_SQL = '''
DROP SCHEMA IF EXISTS catalog_shop, catalog_billing CASCADE;
CREATE SCHEMA catalog_shop;
CREATE SCHEMA catalog_billing;

CREATE TABLE catalog_shop.customer (
    id serial PRIMARY KEY,
    external_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    "display name" text,
    dropped_later int,
    profile jsonb,
    tags text[],
    scores int4[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE catalog_shop.customer DROP COLUMN dropped_later;

CREATE TABLE catalog_shop."order" (
    region varchar(8) NOT NULL,
    number bigint GENERATED ALWAYS AS IDENTITY,
    customer_id integer NOT NULL REFERENCES catalog_shop.customer (id),
    total numeric(10, 2),
    paid boolean DEFAULT false,
    PRIMARY KEY (region, number)
);

CREATE TABLE catalog_shop."line ""item""" (
    order_number bigint,
    order_region varchar(8),
    position smallint,
    PRIMARY KEY (order_region, order_number, position),
    CONSTRAINT line_order FOREIGN KEY (order_region, order_number)
        REFERENCES catalog_shop."order" (region, number)
);

CREATE TABLE catalog_billing.invoice (
    id bigserial PRIMARY KEY,
    customer_id integer NOT NULL,
    order_region varchar(8),
    order_number bigint,
    amount float8 NOT NULL,
    rate real,
    CONSTRAINT invoice_customer FOREIGN KEY (customer_id) REFERENCES catalog_shop.customer (id),
    CONSTRAINT invoice_order FOREIGN KEY (order_number, order_region)
        REFERENCES catalog_shop."order" (number, region),
    CONSTRAINT invoice_order_once UNIQUE (order_number, order_region),
    CONSTRAINT invoice_amount_once UNIQUE (customer_id, amount)
);

CREATE VIEW catalog_billing.customer_totals AS
    SELECT c.id AS customer_id, sum(i.amount) AS total
    FROM catalog_shop.customer c LEFT JOIN catalog_billing.invoice i ON i.customer_id = c.id
    GROUP BY c.id;

CREATE TABLE catalog_billing.nothing ();
'''


def column(name, data_type, nullable=True, default=False, identity=False):
    return ColumnInfo(name, data_type, nullable, default, identity)


EXPECTED_POSTGRES = {
    (SHOP, "customer"): TableInfo(
        schema=SHOP,
        name="customer",
        columns=(
            column("id", "integer", nullable=False, default=True, identity=True),
            column("external_id", "uuid", nullable=False, default=True),
            column("display name", "text"),
            column("profile", "jsonb"),
            column("tags", "_text"),
            column("scores", "_int4", nullable=False, default=True),
            column("created_at", "timestamptz", nullable=False, default=True),
        ),
        primary_key=("id",),
        unique_constraints=(("external_id",),),
        foreign_keys=(),
        is_view=False,
    ),
    (SHOP, "order"): TableInfo(
        schema=SHOP,
        name="order",
        columns=(
            column("region", "varchar", nullable=False),
            column("number", "bigint", nullable=False, default=True, identity=True),
            column("customer_id", "integer", nullable=False),
            column("total", "numeric"),
            column("paid", "boolean", default=True),
        ),
        primary_key=("region", "number"),
        unique_constraints=(),
        foreign_keys=(ForeignKeyInfo("order_customer_id_fkey", ("customer_id",), SHOP, "customer", ("id",)),),
        is_view=False,
    ),
    (SHOP, LINE_ITEM): TableInfo(
        schema=SHOP,
        name=LINE_ITEM,
        columns=(
            column("order_number", "bigint", nullable=False),
            column("order_region", "varchar", nullable=False),
            column("position", "smallint", nullable=False),
        ),
        primary_key=("order_region", "order_number", "position"),
        unique_constraints=(),
        foreign_keys=(
            ForeignKeyInfo(
                "line_order", ("order_region", "order_number"), SHOP, "order", ("region", "number")
            ),
        ),
        is_view=False,
    ),
    (BILLING, "invoice"): TableInfo(
        schema=BILLING,
        name="invoice",
        columns=(
            column("id", "bigint", nullable=False, default=True, identity=True),
            column("customer_id", "integer", nullable=False),
            column("order_region", "varchar"),
            column("order_number", "bigint"),
            column("amount", "float8", nullable=False),
            column("rate", "real"),
        ),
        primary_key=("id",),
        unique_constraints=(("customer_id", "amount"), ("order_number", "order_region")),
        foreign_keys=(
            ForeignKeyInfo("invoice_customer", ("customer_id",), SHOP, "customer", ("id",)),
            ForeignKeyInfo(
                "invoice_order", ("order_number", "order_region"), SHOP, "order", ("number", "region")
            ),
        ),
        is_view=False,
    ),
    (BILLING, "customer_totals"): TableInfo(
        schema=BILLING,
        name="customer_totals",
        columns=(column("customer_id", "integer"), column("total", "float8")),
        primary_key=(),
        unique_constraints=(),
        foreign_keys=(),
        is_view=True,
    ),
    (BILLING, "nothing"): TableInfo(
        schema=BILLING,
        name="nothing",
        columns=(),
        primary_key=(),
        unique_constraints=(),
        foreign_keys=(),
        is_view=False,
    ),
}


class CountingCursor(extensions.cursor):
    executed = 0

    def execute(self, query, vars=None):
        CountingCursor.executed += 1
        return super().execute(query, vars)


@pytest.fixture(scope="module")
def postgres_catalog(pg_database_url):
    conn = psycopg2.connect(pg_database_url)
    with conn.cursor() as cursor:
        cursor.execute(POSTGRES_SCHEMA_SQL)
    conn.commit()
    conn.cursor_factory = CountingCursor
    CountingCursor.executed = 0
    catalog = read_catalog(conn, "postgres", "default")
    statements = CountingCursor.executed
    conn.close()
    return catalog, statements


def own_tables(catalog):
    return {key: table for key, table in catalog.tables.items() if key[0] in (SHOP, BILLING)}


@pytest.mark.postgres
def test_postgres_catalog_is_exact(postgres_catalog):
    catalog, _ = postgres_catalog
    assert own_tables(catalog) == EXPECTED_POSTGRES
    assert (catalog.source_name, catalog.kind) == ("default", "postgres")


@pytest.mark.postgres
def test_postgres_catalog_reads_the_whole_source_in_three_statements(postgres_catalog):
    catalog, statements = postgres_catalog
    assert len(own_tables(catalog)) == 6
    assert statements == 3


@pytest.mark.postgres
def test_postgres_catalog_leaves_out_system_schemas(postgres_catalog):
    catalog, _ = postgres_catalog
    schemas = {schema for schema, _ in catalog.tables}
    assert not schemas & {"pg_catalog", "information_schema", "pg_toast"}
    assert catalog.table("pg_catalog", "pg_class") is None


@pytest.mark.postgres
def test_postgres_scalar_types_use_hasura_names(postgres_catalog):
    catalog, _ = postgres_catalog
    used = {col.data_type for table in own_tables(catalog).values() for col in table.columns}
    assert used <= catalog.scalar_types
    assert {"integer", "bigint", "smallint", "boolean", "real", "float8", "text", "uuid", "jsonb"} <= (
        catalog.scalar_types
    )
    assert not {"int4", "int8", "bool", "_pg_class", "pg_class"} & catalog.scalar_types


@pytest.mark.postgres
def test_postgres_catalog_through_a_pooled_connection(tmp_path, pg_database_url, postgres_catalog):
    provider = ConnectionProvider(tmp_path, {"SHOP_DB": pg_database_url})
    source = SourceSpec("shop", "postgres", {"connection_info": {"database_url": {"from_env": "SHOP_DB"}}})
    with provider.connection(source) as conn:
        catalog = read_catalog(conn, source.kind, source.name)
    provider.close_all()
    assert catalog.source_name == "shop"
    assert own_tables(catalog) == EXPECTED_POSTGRES


# --- SQLite --------------------------------------------------------------------------------------

SQLITE_SCHEMA_SQL = '''
CREATE TABLE customer (
    id INTEGER PRIMARY KEY,
    "display name" TEXT,
    email VARCHAR(100) NOT NULL UNIQUE,
    active BOOLEAN DEFAULT 1,
    balance NUMERIC(10, 2),
    photo BLOB,
    score REAL,
    note
);
CREATE INDEX customer_score ON customer (score);
CREATE TABLE "order" (
    region TEXT NOT NULL,
    number INTEGER NOT NULL,
    customer_id INTEGER REFERENCES customer,
    placed_at DATETIME,
    PRIMARY KEY (region, number)
);
CREATE TABLE "line ""item""" (
    order_number INTEGER,
    order_region TEXT,
    position INT,
    PRIMARY KEY (order_region, order_number, position),
    FOREIGN KEY (order_region, order_number) REFERENCES "ORDER" (region, number)
) WITHOUT ROWID;
CREATE TABLE tag (id INTEGER PRIMARY KEY DESC, name TEXT, UNIQUE (name, id));
CREATE UNIQUE INDEX tag_name ON tag (name);
CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT);
CREATE VIEW customer_names AS SELECT id, "display name" FROM customer;
'''

EXPECTED_SQLITE = {
    ("public", "customer"): TableInfo(
        schema="public",
        name="customer",
        columns=(
            column("id", "integer", nullable=False, default=True, identity=True),
            column("display name", "text"),
            column("email", "text", nullable=False),
            column("active", "boolean", default=True),
            column("balance", "numeric"),
            column("photo", "bytea"),
            column("score", "float8"),
            column("note", "text"),
        ),
        primary_key=("id",),
        unique_constraints=(("email",),),
        foreign_keys=(),
        is_view=False,
    ),
    ("public", "order"): TableInfo(
        schema="public",
        name="order",
        columns=(
            column("region", "text", nullable=False),
            column("number", "integer", nullable=False),
            column("customer_id", "integer"),
            column("placed_at", "timestamp"),
        ),
        primary_key=("region", "number"),
        unique_constraints=(),
        foreign_keys=(
            ForeignKeyInfo("order_customer_id_fkey", ("customer_id",), "public", "customer", ("id",)),
        ),
        is_view=False,
    ),
    ("public", LINE_ITEM): TableInfo(
        schema="public",
        name=LINE_ITEM,
        columns=(
            column("order_number", "integer", nullable=False),
            column("order_region", "text", nullable=False),
            column("position", "integer", nullable=False),
        ),
        primary_key=("order_region", "order_number", "position"),
        unique_constraints=(),
        foreign_keys=(
            ForeignKeyInfo(
                'line "item"_order_region_order_number_fkey',
                ("order_region", "order_number"),
                "public",
                "order",
                ("region", "number"),
            ),
        ),
        is_view=False,
    ),
    ("public", "tag"): TableInfo(
        schema="public",
        name="tag",
        columns=(column("id", "integer"), column("name", "text")),
        primary_key=("id",),
        unique_constraints=(("name", "id"),),
        foreign_keys=(),
        is_view=False,
    ),
    ("public", "log"): TableInfo(
        schema="public",
        name="log",
        columns=(
            column("id", "integer", nullable=False, default=True, identity=True),
            column("message", "text"),
        ),
        primary_key=("id",),
        unique_constraints=(),
        foreign_keys=(),
        is_view=False,
    ),
    ("public", "customer_names"): TableInfo(
        schema="public",
        name="customer_names",
        columns=(column("id", "integer"), column("display name", "text")),
        primary_key=(),
        unique_constraints=(),
        foreign_keys=(),
        is_view=True,
    ),
}


@pytest.fixture
def sqlite_source(tmp_path):
    conn = sqlite3.connect(tmp_path / "shop.db")
    conn.executescript(SQLITE_SCHEMA_SQL)
    conn.close()
    return SourceSpec("files", "sqlite", {"connection_info": {"database_url": "sqlite:///shop.db"}})


def test_sqlite_catalog_is_exact(tmp_path, sqlite_source):
    with ConnectionProvider(tmp_path, {}).connection(sqlite_source) as conn:
        catalog = read_catalog(conn, "sqlite", "files")
    assert dict(catalog.tables) == EXPECTED_SQLITE
    assert (catalog.source_name, catalog.kind, catalog.scalar_types) == (
        "files",
        "sqlite",
        SQLITE_SCALAR_TYPES,
    )


def test_sqlite_column_types_are_scalar_types(tmp_path, sqlite_source):
    with ConnectionProvider(tmp_path, {}).connection(sqlite_source) as conn:
        catalog = read_catalog(conn, "sqlite", "files")
    used = {col.data_type for table in catalog.tables.values() for col in table.columns}
    assert used <= catalog.scalar_types


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("INTEGER", "integer"),
        ("int", "integer"),
        ("UNSIGNED BIG INT", "integer"),
        ("BIGINT", "bigint"),
        ("TEXT", "text"),
        ("VARCHAR(100)", "text"),
        ("NCHAR(5)", "text"),
        ("CLOB", "text"),
        ("", "text"),
        ("REAL", "float8"),
        ("DOUBLE PRECISION", "float8"),
        ("FLOAT", "float8"),
        ("boolean", "boolean"),
        ("NUMERIC", "numeric"),
        ("DECIMAL(10, 2)", "numeric"),
        ("BLOB", "bytea"),
        ("DATE", "date"),
        ("DATETIME", "timestamp"),
        ("JSON", "json"),
        ("UUID", "uuid"),
    ],
)
def test_sqlite_declared_types_map_to_postgres_names(declared, expected):
    assert sqlite_type_name(declared) == expected


# --- lookups -------------------------------------------------------------------------------------


def test_lookups_find_tables_and_columns():
    table = EXPECTED_SQLITE[("public", "customer")]
    catalog = SourceCatalog("files", "sqlite", dict(EXPECTED_SQLITE), SQLITE_SCALAR_TYPES)
    assert catalog.table("public", "customer") is table
    assert catalog.table("main", "customer") is None
    assert table.column("email") == column("email", "text", nullable=False)
    assert table.column("missing") is None


def test_unknown_kinds_have_no_catalog():
    with pytest.raises(SourceConfigError, match="unsupported source kind 'mssql'"):
        read_catalog(sqlite3.connect(":memory:"), "mssql", "x")
