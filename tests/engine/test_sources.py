"""Source connections: URL resolution, the PostgreSQL pool, SQLite files and dialects."""

import sqlite3
import threading
import time
import uuid
from urllib.parse import urlsplit

import psycopg2
import pytest
from psycopg2 import sql

from engine.sources import (
    ConnectionProvider,
    PoolSettings,
    PostgresPool,
    SourceConfigError,
    SourceConnectionError,
    SourceSpec,
    dialect_for,
    resolve_database_url,
    sqlite_database_uri,
)

pytestmark = pytest.mark.postgres


def postgres_source(url, name="default", **connection_info):
    return SourceSpec(name, "postgres", {"connection_info": {"database_url": url, **connection_info}})


def with_application_name(url, application_name):
    return f"{url}?application_name={application_name}"


def backend_pid(provider, source):
    with provider.connection(source) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def provider(tmp_path):
    provider = ConnectionProvider(tmp_path, {})
    yield provider
    provider.close_all()


@pytest.fixture
def admin(pg_database_url):
    conn = psycopg2.connect(pg_database_url)
    conn.autocommit = True
    yield conn
    conn.close()


def terminate(admin, pid):
    """Kill a backend and wait until it is gone (pg_terminate_backend only signals it)."""
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(500):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
            if cursor.fetchone() == (0,):
                return
            time.sleep(0.01)
    raise AssertionError(f"backend {pid} did not exit")


# --- resolve_database_url ------------------------------------------------------------------------


def test_a_string_database_url_is_used_as_is():
    url = "postgresql://app:secret@db.internal:5433/shop"
    assert resolve_database_url({"database_url": url}, {}) == url


def test_from_env_reads_the_variable():
    environ = {"SHOP_DB": "postgresql://app@db/shop"}
    assert (
        resolve_database_url({"database_url": {"from_env": "SHOP_DB"}}, environ) == "postgresql://app@db/shop"
    )


def test_from_env_names_the_missing_variable():
    with pytest.raises(SourceConfigError) as raised:
        resolve_database_url({"database_url": {"from_env": "SHOP_DB"}}, {"OTHER": "x"})
    assert raised.value.message == "environment variable 'SHOP_DB' not set"
    assert raised.value.code == "invalid-params"


def test_an_empty_environment_variable_counts_as_not_set():
    with pytest.raises(SourceConfigError, match="environment variable 'SHOP_DB' not set"):
        resolve_database_url({"database_url": {"from_env": "SHOP_DB"}}, {"SHOP_DB": ""})


@pytest.mark.parametrize(
    "parameters",
    [
        {
            "username": "app user",
            "password": "p@ss/word:1",
            "host": "db.internal",
            "port": 5433,
            "database": "shop",
        },
        {
            "connection_parameters": {
                "username": "app user",
                "password": "p@ss/word:1",
                "host": "db.internal",
                "port": 5433,
                "database": "shop",
            }
        },
    ],
    ids=["bare", "hasura-wrapped"],
)
def test_connection_parameters_become_an_escaped_url(parameters):
    url = resolve_database_url({"database_url": parameters}, {})
    assert url == "postgresql://app%20user:p%40ss%2Fword%3A1@db.internal:5433/shop"


def test_connection_parameters_without_password_or_port():
    parameters = {"username": "app", "host": "::1", "database": "shop"}
    assert resolve_database_url({"database_url": parameters}, {}) == "postgresql://app@[::1]/shop"


@pytest.mark.parametrize(
    ("connection_info", "message"),
    [
        ({}, "connection_info.database_url is required"),
        ({"database_url": ""}, "database_url must be a non-empty string"),
        ({"database_url": 42}, "database_url must be a non-empty string"),
        ({"database_url": ["postgresql://x"]}, "database_url must be a non-empty string"),
        ({"database_url": {"from_env": ""}}, "from_env must name an environment variable"),
        ({"database_url": {"username": "app", "host": "db"}}, "lack database"),
        ({"database_url": {"connection_parameters": "postgresql://x"}}, "parameters must be an object"),
        (
            {"database_url": {"username": "a", "host": "h", "database": "d", "sslmode": "require"}},
            "unknown database_url connection parameters: sslmode",
        ),
    ],
)
def test_malformed_database_urls_are_rejected(connection_info, message):
    with pytest.raises(SourceConfigError, match=message):
        resolve_database_url(connection_info, {})


# --- SQLite URLs ---------------------------------------------------------------------------------


def test_relative_sqlite_urls_resolve_against_the_base_directory(tmp_path):
    uri = sqlite_database_uri("sqlite:///data/app.db", tmp_path)
    assert uri == f"{(tmp_path / 'data' / 'app.db').as_uri()}?mode=rw"


def test_absolute_sqlite_urls_ignore_the_base_directory(tmp_path):
    uri = sqlite_database_uri(f"sqlite:///{tmp_path}/my%20data.db?mode=ro", "/elsewhere")
    assert uri == f"{(tmp_path / 'my data.db').as_uri()}?mode=ro"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite://host/app.db", "postgresql:///app.db"])
def test_malformed_sqlite_urls_are_rejected(tmp_path, url):
    with pytest.raises(SourceConfigError, match="sqlite:///relative/path.db"):
        sqlite_database_uri(url, tmp_path)


# --- SQLite connections --------------------------------------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "data" / "shop.db"
    path.parent.mkdir()
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE purchase (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer);
            INSERT INTO customer VALUES (1, 'Ada');
            """
        )
    conn.close()
    return path


def sqlite_source(url, name="files"):
    return SourceSpec(name, "sqlite", {"connection_info": {"database_url": url}})


def test_sqlite_source_reads_a_relative_file(provider, sqlite_file):
    with provider.connection(sqlite_source("sqlite:///data/shop.db")) as conn:
        assert conn.execute("SELECT name FROM customer").fetchall() == [("Ada",)]


def test_sqlite_source_accepts_name_kind_configuration(provider, sqlite_file):
    configuration = {"connection_info": {"database_url": f"sqlite:///{sqlite_file}"}}
    with provider.connection("files", "sqlite", configuration) as conn:
        assert conn.execute("SELECT count(*) FROM customer").fetchone() == (1,)


def test_sqlite_source_from_env(tmp_path, sqlite_file):
    provider = ConnectionProvider(tmp_path, {"FILES_DB": "sqlite:///data/shop.db"})
    with provider.connection(sqlite_source({"from_env": "FILES_DB"})) as conn:
        assert conn.execute("SELECT id FROM customer").fetchall() == [(1,)]


def test_sqlite_connections_enforce_foreign_keys(provider, sqlite_file):
    with (
        provider.connection(sqlite_source("sqlite:///data/shop.db")) as conn,
        pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"),
    ):
        conn.execute("INSERT INTO purchase VALUES (1, 99)")


def test_sqlite_connections_are_closed_after_use(provider, sqlite_file):
    with provider.connection(sqlite_source("sqlite:///data/shop.db")) as conn:
        pass
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        conn.execute("SELECT 1")


def test_a_missing_sqlite_file_is_an_error_not_a_new_database(provider, tmp_path):
    with (
        pytest.raises(SourceConnectionError, match="cannot connect to source 'files'"),
        provider.connection(sqlite_source("sqlite:///missing.db")),
    ):
        pass
    assert not (tmp_path / "missing.db").exists()


# --- PostgreSQL connections ----------------------------------------------------------------------


def test_postgres_source_by_object_and_by_parts(provider, pg_database_url):
    source = postgres_source(pg_database_url)
    with provider.connection(source) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
    with provider.connection("default", "postgres", source.configuration) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone()[0] == database == urlsplit(pg_database_url).path[1:]


def test_postgres_source_from_connection_parameters(provider, pg_database_url):
    parts = urlsplit(pg_database_url)
    parameters = {
        "username": parts.username,
        "host": parts.hostname,
        "port": parts.port,
        "database": parts.path[1:],
    }
    with provider.connection(postgres_source(parameters)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone()[0] == parts.path[1:]


def test_pooled_connections_are_reused(provider, pg_database_url):
    source = postgres_source(pg_database_url)
    assert backend_pid(provider, source) == backend_pid(provider, source)


def test_an_open_transaction_is_rolled_back_on_return(provider, pg_database_url, admin):
    table = f"pool_rollback_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE TABLE {} (n int)").format(sql.Identifier(table)))
    source = postgres_source(pg_database_url)
    with provider.connection(source) as conn, conn.cursor() as cursor:
        cursor.execute(sql.SQL("INSERT INTO {} VALUES (1)").format(sql.Identifier(table)))
    with provider.connection(source) as conn:
        assert conn.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_IDLE
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        assert cursor.fetchone() == (0,)


def test_a_failed_transaction_is_rolled_back_on_return(provider, pg_database_url):
    source = postgres_source(pg_database_url)
    with (
        pytest.raises(psycopg2.errors.DivisionByZero),
        provider.connection(source) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    with provider.connection(source) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)


def test_a_connection_closed_by_the_server_while_idle_is_replaced(provider, pg_database_url, admin):
    source = postgres_source(pg_database_url)
    first = backend_pid(provider, source)
    terminate(admin, first)
    second = backend_pid(provider, source)
    assert second != first
    assert provider.pool_for(pg_database_url, PoolSettings()).open_count == 1


def test_a_connection_broken_during_use_is_discarded(provider, pg_database_url, admin):
    source = postgres_source(pg_database_url)
    with provider.connection(source) as conn, conn.cursor() as cursor:
        broken_pid = conn.get_backend_pid()
        terminate(admin, broken_pid)
        with pytest.raises(psycopg2.OperationalError):
            cursor.execute("SELECT 1")
    assert conn.closed
    assert provider.pool_for(pg_database_url, PoolSettings()).open_count == 0
    assert backend_pid(provider, source) != broken_pid


def test_isolation_level_comes_from_the_configuration(provider, pg_database_url):
    source = postgres_source(pg_database_url, isolation_level="serializable")
    with provider.connection(source) as conn, conn.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone() == ("serializable",)
    with provider.connection(postgres_source(pg_database_url)) as conn, conn.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone() == ("read committed",)


def read_in(conn, query):
    with conn.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0], conn.info.transaction_status


@pytest.mark.parametrize("level", ["read-committed", "repeatable-read"])
def test_a_single_statement_runs_without_a_transaction(provider, pg_database_url, level):
    source = postgres_source(pg_database_url, isolation_level=level)
    with provider.statement_connection(source) as conn:
        value, status = read_in(conn, "SELECT 1")
    assert (value, status) == (1, psycopg2.extensions.TRANSACTION_STATUS_IDLE)


def test_a_serializable_single_statement_keeps_its_transaction(provider, pg_database_url):
    source = postgres_source(pg_database_url, isolation_level="serializable")
    with provider.statement_connection(source) as conn:
        level, status = read_in(conn, "SHOW transaction_isolation")
    assert (level, status) == ("serializable", psycopg2.extensions.TRANSACTION_STATUS_INTRANS)


def test_a_connection_lent_after_a_single_statement_has_its_transaction_and_level(provider, pg_database_url):
    source = postgres_source(
        pg_database_url, isolation_level="repeatable-read", pool_settings={"max_connections": 1}
    )
    with provider.statement_connection(source) as conn:
        read_in(conn, "SELECT 1")
    with provider.connection(source) as conn:
        level, status = read_in(conn, "SHOW transaction_isolation")
        assert not conn.autocommit
    assert (level, status) == ("repeatable read", psycopg2.extensions.TRANSACTION_STATUS_INTRANS)


def test_an_unknown_isolation_level_is_rejected(provider, pg_database_url):
    with (
        pytest.raises(SourceConfigError, match="isolation_level must be one of"),
        provider.connection(postgres_source(pg_database_url, isolation_level="dirty-read")),
    ):
        pass


def test_an_unreachable_database_is_a_connection_error(provider):
    source = postgres_source("postgresql://postgres@127.0.0.1:1/nowhere", name="orders")
    with (
        pytest.raises(SourceConnectionError, match="cannot connect to source 'orders'"),
        provider.connection(source),
    ):
        pass
    assert provider.pool_for("postgresql://postgres@127.0.0.1:1/nowhere", PoolSettings()).open_count == 0


def test_an_unknown_source_kind_is_rejected(provider):
    source = SourceSpec("warehouse", "bigquery", {"connection_info": {"database_url": "bq://x"}})
    with pytest.raises(SourceConfigError, match="unsupported kind 'bigquery'"), provider.connection(source):
        pass


@pytest.mark.parametrize(
    ("pool_settings", "message"),
    [
        ({"max_connections": 0}, "max_connections must be at least 1"),
        ({"max_connections": 2.5}, "max_connections must be a non-negative integer"),
        ({"idle_timeout": "soon"}, "idle_timeout must be a non-negative number"),
        ([], "pool_settings must be an object"),
    ],
)
def test_malformed_pool_settings_are_rejected(pool_settings, message):
    with pytest.raises(SourceConfigError, match=message):
        PoolSettings.from_connection_info({"pool_settings": pool_settings})


def test_pool_settings_defaults_follow_hasura():
    assert PoolSettings.from_connection_info({}) == PoolSettings(50, 180, None, 600)
    configured = {"pool_settings": {"max_connections": 4, "pool_timeout": 2, "connection_lifetime": 0}}
    assert PoolSettings.from_connection_info(configured) == PoolSettings(4, 180, 2, None)


def test_threads_share_a_bounded_pool(provider, pg_database_url):
    application_name = f"pool_{uuid.uuid4().hex[:8]}"
    url = with_application_name(pg_database_url, application_name)
    source = postgres_source(url, pool_settings={"max_connections": 4})
    server_side_counts, errors = [], []

    def work():
        try:
            for _ in range(50):
                with provider.connection(source) as conn, conn.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                        (application_name,),
                    )
                    server_side_counts.append(cursor.fetchone()[0])
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(server_side_counts) == 400
    assert 1 <= max(server_side_counts) <= 4
    assert provider.pool_for(url, PoolSettings(max_connections=4)).open_count <= 4


def test_waiting_for_a_connection_times_out(provider, pg_database_url):
    source = postgres_source(pg_database_url, pool_settings={"max_connections": 1, "pool_timeout": 0.2})
    with (
        provider.connection(source),
        pytest.raises(SourceConnectionError, match="timed out waiting for a free database connection"),
        provider.connection(source),
    ):
        pass
    with provider.connection(source) as conn:
        assert not conn.closed


def test_a_waiting_thread_gets_the_returned_connection(provider, pg_database_url):
    source = postgres_source(pg_database_url, pool_settings={"max_connections": 1})
    pids = []
    with provider.connection(source) as conn:
        waiter = threading.Thread(target=lambda: pids.append(backend_pid(provider, source)))
        waiter.start()
        waiter.join(timeout=0.3)
        assert waiter.is_alive()
        held_pid = conn.get_backend_pid()
    waiter.join(timeout=5)
    assert pids == [held_pid]


def test_close_all_closes_idle_and_returning_connections(provider, pg_database_url):
    source = postgres_source(pg_database_url)
    with provider.connection(source) as in_use:
        with provider.connection(source) as idle:
            pass
        provider.close_all()
        assert idle.closed
        assert not in_use.closed
    assert in_use.closed
    with provider.connection(source) as fresh:
        assert not fresh.closed


def test_changed_pool_settings_replace_the_pool(provider, pg_database_url):
    with provider.connection(postgres_source(pg_database_url)) as old:
        pass
    resized = postgres_source(pg_database_url, pool_settings={"max_connections": 2})
    with provider.connection(resized) as new:
        assert new is not old
    assert old.closed
    assert provider.pool_for(pg_database_url, PoolSettings(max_connections=2)).open_count == 1


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_connections_idle_too_long_are_closed_before_reuse(pg_database_url):
    clock = FakeClock()
    pool = PostgresPool(pg_database_url, PoolSettings(idle_timeout=180), clock)
    first = pool.acquire()
    pool.release(first)
    clock.now += 100
    second = pool.acquire()
    assert second is first
    pool.release(second)
    clock.now += 181
    third = pool.acquire()
    assert third is not first
    assert first.connection.closed
    assert pool.open_count == 1
    pool.release(third)
    pool.close()


def test_connections_past_their_lifetime_are_closed_on_return(pg_database_url):
    clock = FakeClock()
    pool = PostgresPool(pg_database_url, PoolSettings(connection_lifetime=600), clock)
    pooled = pool.acquire()
    clock.now += 601
    pool.release(pooled)
    assert pooled.connection.closed
    assert pool.open_count == 0


# --- dialects ------------------------------------------------------------------------------------

WEIRD = 'line "item" 50% off'


def test_postgres_dialect_quotes_and_binds(admin):
    dialect = dialect_for("postgres")
    schema = f"dialect_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        cursor.execute(
            sql.SQL("CREATE TABLE {}.{} ({} int)").format(
                sql.Identifier(schema), sql.Identifier(WEIRD), sql.Identifier(WEIRD)
            )
        )
        cursor.execute(
            sql.SQL("INSERT INTO {}.{} VALUES (7), (8)").format(sql.Identifier(schema), sql.Identifier(WEIRD))
        )
        query = sql.SQL("SELECT {column} FROM {table} WHERE {column} = {value}").format(
            column=dialect.quote_identifier(WEIRD),
            table=dialect.qualified_table(schema, WEIRD),
            value=dialect.placeholder,
        )
        text = dialect.render(query, admin)
        assert text == (
            f'SELECT "line ""item"" 50%% off" FROM "{schema}"."line ""item"" 50%% off"'
            ' WHERE "line ""item"" 50%% off" = %s'
        )
        cursor.execute(text, [8])
        assert cursor.fetchall() == [(8,)]
        count = sql.SQL("SELECT count({column}) FROM {table}").format(
            column=dialect.quote_identifier(WEIRD), table=dialect.qualified_table(schema, WEIRD)
        )
        cursor.execute(dialect.render(count, admin), [])
        assert cursor.fetchall() == [(2,)]
    assert (dialect.name, dialect.paramstyle) == ("postgres", "format")


def test_sqlite_dialect_quotes_and_binds():
    dialect = dialect_for("sqlite")
    conn = sqlite3.connect(":memory:")
    names = {"column": dialect.quote_identifier(WEIRD), "table": dialect.qualified_table("public", WEIRD)}
    conn.execute(dialect.render(sql.SQL("CREATE TABLE {table} ({column} int)").format(**names), conn))
    conn.execute(dialect.render(sql.SQL("INSERT INTO {table} VALUES (7), (8)").format(**names), conn))
    query = sql.SQL("SELECT {column} FROM {table} WHERE {column} = {value}").format(
        **names, value=dialect.placeholder
    )
    text = dialect.render(query, conn)
    assert (
        text
        == 'SELECT "line ""item"" 50% off" FROM "line ""item"" 50% off" WHERE "line ""item"" 50% off" = ?'
    )
    assert conn.execute(text, [8]).fetchall() == [(8,)]
    assert (dialect.name, dialect.paramstyle) == ("sqlite", "qmark")
    conn.close()


def test_unknown_dialects_are_rejected():
    with pytest.raises(SourceConfigError, match="unsupported source kind 'mssql'"):
        dialect_for("mssql")
