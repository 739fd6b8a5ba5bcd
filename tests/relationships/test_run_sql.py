"""``run_sql`` through POST /v2/query: results, errors, read-only runs and the metadata consistency guard."""

import pytest

from tests.relationships.conftest import pg_source_args
from tests.relationships.database_support import snapshot, source_args, sqlite_database

pytestmark = pytest.mark.django_db

AUTHOR_RELATIONSHIP = {
    "table": "article",
    "name": "author",
    "using": {"foreign_key_constraint_on": "author_id"},
}


@pytest.fixture
def pg(metadata_api, pg_schema):
    """A ``default`` PostgreSQL source with author and article tracked and joined."""
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    metadata_api.ok("pg_track_table", {"table": "author"})
    metadata_api.ok("pg_track_table", {"table": "article"})
    metadata_api.ok("pg_create_object_relationship", AUTHOR_RELATIONSHIP)
    return metadata_api


@pytest.fixture
def lite(metadata_api, tmp_path):
    """A ``lite`` SQLite source with author and article tracked and joined."""
    metadata_api.ok("sqlite_add_source", source_args("lite", sqlite_database(tmp_path)))
    metadata_api.ok("sqlite_track_table", {"source": "lite", "table": "author"})
    metadata_api.ok("sqlite_track_table", {"source": "lite", "table": "article"})
    metadata_api.ok("sqlite_create_object_relationship", {**AUTHOR_RELATIONSHIP, "source": "lite"})
    return metadata_api


def query(metadata_api, sql, query_type="run_sql", **args):
    """Post one run_sql; return (status, body)."""
    return metadata_api.post({"type": query_type, "args": {"sql": sql, **args}}, path="/v2/query")


def rows(metadata_api, sql, **args):
    """The result of a query that must succeed."""
    status, body = query(metadata_api, sql, **args)
    assert status == 200, body
    return body


def table_names(metadata_api, source="default"):
    """The tracked tables of a source, by name."""
    source_entry = next(s for s in metadata_api.export()["sources"] if s["name"] == source)
    return [t["table"]["name"] for t in source_entry["tables"]]


def refused(metadata_api, sql, expected, **args):
    """The query fails with exactly ``expected``; the metadata and its version are unchanged."""
    before = snapshot(metadata_api)
    assert query(metadata_api, sql, **args) == (400, expected)
    assert snapshot(metadata_api) == before


# PostgreSQL --------------------------------------------------------------------------------------


def test_select_answers_tuples_in_postgres_text_form(pg):
    sql = (
        "SELECT 1 AS one, 'x'::text AS x, NULL::int AS nothing, true AS yes, ARRAY[1, 2] AS list, "
        "1.50::numeric AS price, '2024-01-02'::date AS day, '{\"a\": 1}'::jsonb AS doc"
    )

    assert rows(pg, sql) == {
        "result_type": "TuplesOk",
        "result": [
            ["one", "x", "nothing", "yes", "list", "price", "day", "doc"],
            ["1", "x", None, "t", "{1,2}", "1.50", "2024-01-02", '{"a": 1}'],
        ],
    }


def test_statements_without_rows_answer_command_ok(pg):
    assert rows(pg, "CREATE TABLE tag (id serial PRIMARY KEY, label text)") == {
        "result_type": "CommandOk",
        "result": None,
    }
    assert rows(pg, "SELECT count(*) FROM tag")["result"] == [["count"], ["0"]]


def test_several_statements_answer_with_the_last_result(pg):
    sql = "INSERT INTO author (name) VALUES ('Ann'), ('Bo'); SELECT name FROM author ORDER BY id"

    assert rows(pg, sql, query_type="pg_run_sql") == {
        "result_type": "TuplesOk",
        "result": [["name"], ["Ann"], ["Bo"]],
    }


def test_sql_error_answers_postgres_error_and_rolls_back(pg):
    sql = "CREATE TABLE tag (id int); SELECT * FROM nope"

    refused(
        pg,
        sql,
        {
            "error": 'relation "nope" does not exist',
            "path": "$",
            "code": "postgres-error",
            "internal": {
                "statement": sql,
                "prepared": False,
                "arguments": [],
                "error": {
                    "exec_status": "FatalError",
                    "message": 'relation "nope" does not exist',
                    "status_code": "42P01",
                    "hint": None,
                    "description": None,
                },
            },
        },
    )
    assert rows(pg, "SELECT to_regclass('public.tag') IS NULL AS gone")["result"] == [["gone"], ["t"]]


def test_dropping_a_tracked_table_is_refused_and_rolled_back(pg):
    refused(
        pg,
        "DROP TABLE article",
        {
            "error": "cannot continue due to new inconsistent metadata",
            "path": "$",
            "code": "unexpected",
            "internal": [
                {
                    "definition": {"source": "default", "table": {"name": "article", "schema": "public"}},
                    "name": "table article in source default",
                    "reason": 'Inconsistent object: no such table/view exists in source: "article"',
                    "type": "table",
                }
            ],
        },
    )
    assert rows(pg, "SELECT count(*) FROM article")["result"] == [["count"], ["0"]]


def test_dropping_a_tracked_table_with_cascade_drops_it_from_the_metadata(pg):
    before = snapshot(pg)["resource_version"]

    rows(pg, "DROP TABLE author CASCADE", cascade=True)

    assert table_names(pg) == ["article"]
    assert "object_relationships" not in pg.export()["sources"][0]["tables"][0]
    assert snapshot(pg)["resource_version"] == before + 1
    assert pg.ok("get_inconsistent_metadata") == {"is_consistent": True, "inconsistent_objects": []}


def test_consistency_check_can_be_skipped(pg):
    rows(pg, "DROP TABLE article", check_metadata_consistency=False)

    assert table_names(pg) == ["author", "article"]
    assert pg.ok("get_inconsistent_metadata")["is_consistent"] is False


def test_schema_changes_bump_the_resource_version(pg):
    before = snapshot(pg)["resource_version"]

    rows(pg, "ALTER TABLE author ADD COLUMN bio text")

    assert snapshot(pg)["resource_version"] == before + 1


def test_read_only_reads_without_bumping_the_version(pg):
    before = snapshot(pg)

    assert rows(pg, "SELECT 2 AS two", read_only=True)["result"] == [["two"], ["2"]]

    assert snapshot(pg) == before


def test_read_only_refuses_writes(pg):
    sql = "CREATE TABLE tag (id int)"
    message = "cannot execute CREATE TABLE in a read-only transaction"

    refused(
        pg,
        sql,
        {
            "error": message,
            "path": "$",
            "code": "postgres-error",
            "internal": {
                "statement": sql,
                "prepared": False,
                "arguments": [],
                "error": {
                    "exec_status": "FatalError",
                    "message": message,
                    "status_code": "25006",
                    "hint": None,
                    "description": None,
                },
            },
        },
        read_only=True,
    )


def test_unknown_source_is_refused(pg):
    refused(
        pg,
        "SELECT 1",
        {"error": 'source with name "nope" does not exist', "path": "$.args.source", "code": "not-exists"},
        source="nope",
    )


def test_bulk_runs_queries_in_order(pg):
    body = {
        "type": "bulk",
        "args": [
            {"type": "run_sql", "args": {"sql": "INSERT INTO author (name) VALUES ('Ann')"}},
            {"type": "run_sql", "args": {"sql": "SELECT name FROM author"}},
        ],
    }

    assert pg.post(body, path="/v2/query") == (
        200,
        [
            {"result_type": "CommandOk", "result": None},
            {"result_type": "TuplesOk", "result": [["name"], ["Ann"]]},
        ],
    )


def test_bulk_checks_each_query_against_what_the_earlier_ones_left(pg):
    body = {
        "type": "bulk",
        "args": [
            {"type": "run_sql", "args": {"sql": "CREATE TABLE tag (id int)"}},
            {"type": "run_sql", "args": {"sql": "DROP TABLE article", "check_metadata_consistency": False}},
            {"type": "run_sql", "args": {"sql": "DROP TABLE tag"}},
        ],
    }

    assert pg.post(body, path="/v2/query") == (200, [{"result_type": "CommandOk", "result": None}] * 3)


def test_bulk_error_names_the_failing_query(pg):
    body = {
        "type": "bulk",
        "args": [
            {"type": "run_sql", "args": {"sql": "SELECT 1"}},
            {"type": "run_sql", "args": {"sql": "SELECT 1", "source": "nope"}},
        ],
    }

    assert pg.post(body, path="/v2/query") == (
        400,
        {
            "error": 'source with name "nope" does not exist',
            "path": "$.args[1].args.source",
            "code": "not-exists",
        },
    )


def test_unknown_query_type_is_refused(pg):
    assert query(pg, "SELECT 1", query_type="count") == (
        400,
        {"error": 'unknown query type "count"', "path": "$", "code": "parse-failed"},
    )


def test_pg_run_sql_on_a_sqlite_source_is_refused(lite):
    assert query(lite, "SELECT 1", query_type="pg_run_sql", source="lite") == (
        400,
        {
            "error": 'source with name "lite" has backend type "sqlite" which does not match '
            'the type of this query ("postgres")',
            "path": "$.args.source",
            "code": "not-supported",
        },
    )


# SQLite ------------------------------------------------------------------------------------------


def test_sqlite_statements_and_results(lite):
    sql = (
        "INSERT INTO author (name) VALUES ('Ann; the first'); INSERT INTO author (name) VALUES ('Bo');"
        "SELECT id, name, NULL AS missing, 1.5 AS half, x'ff00' AS raw FROM author ORDER BY id;"
    )

    assert rows(lite, sql, query_type="sqlite_run_sql", source="lite") == {
        "result_type": "TuplesOk",
        "result": [
            ["id", "name", "missing", "half", "raw"],
            ["1", "Ann; the first", None, "1.5", "\\xff00"],
            ["2", "Bo", None, "1.5", "\\xff00"],
        ],
    }


def test_sqlite_ddl_answers_command_ok_and_commits(lite):
    assert rows(lite, "CREATE TABLE tag (id INTEGER PRIMARY KEY)", source="lite") == {
        "result_type": "CommandOk",
        "result": None,
    }
    assert rows(lite, "SELECT name FROM sqlite_master WHERE name = 'tag'", source="lite")["result"] == [
        ["name"],
        ["tag"],
    ]


def test_sqlite_error_rolls_back_the_whole_query(lite):
    sql = "CREATE TABLE tag (id INTEGER); SELECT * FROM nope"

    refused(
        lite,
        sql,
        {
            "error": "no such table: nope",
            "path": "$",
            "code": "postgres-error",
            "internal": {
                "statement": sql,
                "prepared": False,
                "arguments": [],
                "error": {
                    "exec_status": "FatalError",
                    "message": "no such table: nope",
                    "status_code": "SQLITE_ERROR",
                    "hint": None,
                    "description": None,
                },
            },
        },
        source="lite",
    )
    assert rows(lite, "SELECT count(*) AS n FROM sqlite_master WHERE name = 'tag'", source="lite")[
        "result"
    ] == [
        ["n"],
        ["0"],
    ]


def test_sqlite_dropping_a_tracked_table_is_refused(lite):
    before = snapshot(lite)

    status, body = query(lite, "DROP TABLE article", source="lite")

    assert (status, body["code"], body["error"], body["path"]) == (
        400,
        "unexpected",
        "cannot continue due to new inconsistent metadata",
        "$",
    )
    assert [i["name"] for i in body["internal"]] == ["table article in source lite"]
    assert snapshot(lite) == before
    assert rows(lite, "SELECT count(*) AS n FROM article", source="lite")["result"] == [["n"], ["0"]]


def test_sqlite_dropping_a_tracked_table_with_cascade(lite):
    rows(lite, "DROP TABLE article", source="lite", cascade=True)

    assert table_names(lite, "lite") == ["author"]


def test_sqlite_read_only_refuses_writes(lite):
    status, body = query(lite, "INSERT INTO author (name) VALUES ('Ann')", source="lite", read_only=True)

    assert (status, body["code"], body["error"]) == (
        400,
        "postgres-error",
        "attempt to write a readonly database",
    )
    assert rows(lite, "SELECT count(*) AS n FROM author", source="lite")["result"] == [["n"], ["0"]]
