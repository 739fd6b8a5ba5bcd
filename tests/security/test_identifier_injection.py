"""Table and column names with quotes, semicolons and backslashes, and values that look like SQL.

They are tracked through the metadata API and queried, filtered, ordered and inserted through
/v1/graphql, on PostgreSQL and on SQLite. Names stay quoted identifiers and values stay parameters:
every query works or fails with a clean error, and the ``canary`` table, which a successful
injection would drop or empty, keeps its row.
"""

import sqlite3

import psycopg2
import pytest

from tests.relationships.conftest import run_sql

TABLE = 'we"ird;ta\\ble'
COLUMNS = {"id": 'i"d', "name": 'na;me" --', "note": "back\\slash'"}
ATTACKS = (
    "x'; DROP TABLE canary; --",
    'x"); DROP TABLE canary; --',
    "\\'; DELETE FROM canary; --",
    "' OR '1'='1",
    "1); DROP TABLE canary",
)
STORED_NAME = 'it\'s "quoted"; DROP TABLE canary; -- \\'


def quoted(identifier):
    return '"' + identifier.replace('"', '""') + '"'


def weird_table_sql(serial):
    return f"""
        CREATE TABLE canary (id integer PRIMARY KEY);
        INSERT INTO canary VALUES (1);
        CREATE TABLE {quoted(TABLE)} (
            {quoted(COLUMNS["id"])} {serial} PRIMARY KEY, {quoted(COLUMNS["name"])} text, {quoted(COLUMNS["note"])} text
        );
    """


@pytest.fixture
def postgres_source(pg_database_url):
    run_sql(
        pg_database_url,
        "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;" + weird_table_sql("serial"),
    )
    with psycopg2.connect(pg_database_url) as connection, connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quoted(TABLE)} ({quoted(COLUMNS['name'])}) VALUES (%s)", (STORED_NAME,))

    def canary():
        with psycopg2.connect(pg_database_url) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM canary")
            return cursor.fetchone()[0]

    return "pg", pg_database_url, canary


@pytest.fixture
def sqlite_source(tmp_path):
    path = tmp_path / "weird.db"
    connection = sqlite3.connect(path)
    connection.executescript(weird_table_sql("INTEGER"))
    connection.execute(f"INSERT INTO {quoted(TABLE)} ({quoted(COLUMNS['name'])}) VALUES (?)", (STORED_NAME,))
    connection.commit()
    connection.close()

    def canary():
        with sqlite3.connect(path) as reader:
            return reader.execute("SELECT count(*) FROM canary").fetchone()[0]

    return "sqlite", f"sqlite:///{path}", canary


@pytest.fixture(params=["postgres_source", "sqlite_source"])
def source(request, metadata_api):
    """A source with the weird table tracked under GraphQL names; yields its canary check."""
    prefix, url, canary = request.getfixturevalue(request.param)
    metadata_api.ok(
        f"{prefix}_add_source",
        {"name": "default", "configuration": {"connection_info": {"database_url": url}}},
    )
    metadata_api.ok(
        f"{prefix}_track_table",
        {
            "table": {"schema": "public", "name": TABLE} if prefix == "pg" else TABLE,
            "configuration": {
                "custom_name": "weird",
                "column_config": {column: {"custom_name": name} for name, column in COLUMNS.items()},
            },
        },
    )
    yield prefix
    assert canary() == 1


@pytest.mark.postgres
def test_names_with_quotes_are_tracked_and_read(source, graphql_api):
    data = graphql_api.data("{ weird(order_by: {name: asc}) { id name note } }")

    assert data == {"weird": [{"id": 1, "name": STORED_NAME, "note": None}]}


@pytest.mark.postgres
@pytest.mark.parametrize("attack", ATTACKS)
def test_values_that_look_like_sql_are_only_values(source, graphql_api, attack):
    where = graphql_api.data(
        "query ($v: String!) { weird(where: {_or: [{name: {_eq: $v}}, {note: {_like: $v}}, {name: {_in: [$v]}}]}) { id } }",
        {"v": attack},
    )
    inserted = graphql_api.data(
        "mutation ($v: String!) { insert_weird_one(object: {name: $v, note: $v}) { name note } }",
        {"v": attack},
    )
    read_back = graphql_api.data(
        "query ($v: String!) { weird(where: {name: {_eq: $v}}) { note } }", {"v": attack}
    )

    assert where == {"weird": []}
    assert inserted == {"insert_weird_one": {"name": attack, "note": attack}}
    assert read_back == {"weird": [{"note": attack}]}


@pytest.mark.postgres
def test_a_permission_filter_with_sql_in_its_value_stays_a_value(source, metadata_api, graphql_api):
    metadata_api.ok(
        f"{source}_create_select_permission",
        {
            "table": {"schema": "public", "name": TABLE} if source == "pg" else TABLE,
            "role": "user",
            "permission": {
                "columns": list(COLUMNS.values()),
                "filter": {COLUMNS["name"]: {"_eq": ATTACKS[0]}},
            },
        },
    )

    answer = graphql_api.data("{ weird { id name } }", headers={"X-Hasura-Role": "user"})

    assert answer == {"weird": []}


@pytest.mark.postgres
@pytest.mark.parametrize("user_id", ["1; DROP TABLE canary", "1' OR '1'='1", "1)); DELETE FROM canary; --"])
def test_session_variables_with_sql_stay_values(source, metadata_api, graphql_api, user_id):
    metadata_api.ok(
        f"{source}_create_select_permission",
        {
            "table": {"schema": "public", "name": TABLE} if source == "pg" else TABLE,
            "role": "user",
            "permission": {
                "columns": list(COLUMNS.values()),
                "filter": {COLUMNS["id"]: {"_eq": "X-Hasura-User-Id"}},
            },
        },
    )

    answer = graphql_api.post(
        "{ weird { id } }", headers={"X-Hasura-Role": "user", "X-Hasura-User-Id": user_id}
    )

    assert answer.status == 200
    assert answer.body.get("data") in (None, {"weird": []}), answer.body
    for error in answer.body.get("errors", []):
        assert set(error) == {"message", "extensions"}, error
        assert "internal" not in error["extensions"], error


@pytest.mark.postgres
@pytest.mark.parametrize(
    "name",
    ['canary"; DROP TABLE canary; --', "canary; DROP TABLE canary", "canary') ; DELETE FROM canary --"],
)
def test_names_that_carry_sql_only_name_objects_that_do_not_exist(source, metadata_api, name):
    status, body = metadata_api.fails(
        f"{source}_track_table", {"table": {"schema": "public", "name": name} if source == "pg" else name}
    )

    assert status == 400
    assert set(body) >= {"error", "path", "code"}
    assert body["code"] in ("not-exists", "invalid-params", "invalid-configuration"), body
