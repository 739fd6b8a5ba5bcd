"""Data in the console: sources, track/untrack, table relationships, select permissions and the SQL page."""

import pytest

from tests.console.pages import labels, options, rows, text
from tests.console.support import seed_source
from tests.relationships.conftest import run_sql
from tests.relationships.database_support import sqlite_database

pytestmark = pytest.mark.django_db

TABLE_URL = "/console/data/sources/default/tables/public/article/"


def source_form(name="default", kind="postgres", url="", env=""):
    return {
        "name": name,
        "kind": kind,
        "connect_with": "env" if env else "url",
        "database_url": url,
        "url_from_env": env,
    }


def test_connect_postgres_by_url(console, metadata_api, pg_schema):
    response = console.post("/console/data/", source_form(url=pg_schema))

    assert response["Location"] == "/console/data/sources/default/"
    (source,) = metadata_api.export()["sources"]
    assert (source["kind"], source["configuration"]) == (
        "postgres",
        {"connection_info": {"database_url": pg_schema}},
    )


def test_connect_postgres_by_environment_variable(console, metadata_api, pg_schema, monkeypatch):
    monkeypatch.setenv("CONSOLE_TEST_DATABASE_URL", pg_schema)

    console.post("/console/data/", source_form(env="CONSOLE_TEST_DATABASE_URL"))

    (source,) = metadata_api.export()["sources"]
    assert source["configuration"]["connection_info"]["database_url"] == {
        "from_env": "CONSOLE_TEST_DATABASE_URL"
    }


def test_connect_sqlite_and_list_its_tables(console, metadata_api, tmp_path):
    url = sqlite_database(tmp_path)

    console.post("/console/data/", source_form(name="lite", kind="sqlite", url=url))
    page = console.get("/console/data/sources/lite/")

    assert metadata_api.export()["sources"][0]["kind"] == "sqlite"
    assert "author" in text(page, "tables")
    assert "users" in text(page, "tables")


def test_an_unset_variable_is_reported_at_the_variable_field(console, metadata_api):
    response = console.post("/console/data/", source_form(env="CONSOLE_TEST_UNSET_VARIABLE"))

    assert "CONSOLE_TEST_UNSET_VARIABLE" in text(response, "id_url_from_env_errors")
    assert "sources" not in metadata_api.export()


def test_a_taken_name_is_reported_at_the_name(console, metadata_api, pg_schema):
    console.post("/console/data/", source_form(url=pg_schema))

    response = console.post("/console/data/", source_form(url=pg_schema))

    assert 'source with name "default" already exists' in text(response, "id_name_errors")


def test_track_and_untrack(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema, tables=())

    console.post("/console/data/sources/default/track/", {"schema": "public", "table": "users"})
    page = console.get("/console/data/sources/default/")
    assert [t["table"]["name"] for t in metadata_api.export()["sources"][0]["tables"]] == ["users"]
    assert "Untrack" in text(page, "table-public-users")
    assert "Track" in text(page, "table-public-author")

    console.post("/console/data/sources/default/untrack/", {"schema": "public", "table": "users"})
    assert metadata_api.export()["sources"][0]["tables"] == []


def test_untrack_refuses_while_something_depends_on_the_table_unless_cascade(
    console, metadata_api, pg_schema
):
    seed_source(metadata_api, pg_schema, tables=("author", "article"))
    metadata_api.ok(
        "pg_create_object_relationship",
        {"table": "article", "name": "author", "using": {"foreign_key_constraint_on": "author_id"}},
    )

    refused = console.post(
        "/console/data/sources/default/untrack/", {"schema": "public", "table": "author"}, follow=True
    )
    assert "cannot drop due to the following dependent objects" in text(refused, "messages")
    assert len(metadata_api.export()["sources"][0]["tables"]) == 2

    console.post(
        "/console/data/sources/default/untrack/", {"schema": "public", "table": "author", "cascade": "on"}
    )
    (article,) = metadata_api.export()["sources"][0]["tables"]
    assert "object_relationships" not in article


def test_table_relationship_in_the_same_source_is_a_manual_local_relationship(
    console, metadata_api, pg_schema
):
    seed_source(metadata_api, pg_schema, tables=("author", "article"))
    page = console.get(TABLE_URL + "relationships/add/")
    assert labels(page)["id_mapping-0-from_field"] == "From"
    assert options(page, "id_mapping-0-from_field") == ["", "id", "title", "author_id", "tags"]

    response = console.post(
        TABLE_URL + "relationships/add/",
        {
            "relationship_type": "object",
            "relationship_name": "writer",
            "reference_source": "default",
            "reference_schema": "public",
            "reference_table": "author",
            **rows("mapping", [{"from_field": "author_id", "to_column": "id"}]),
        },
    )

    assert response.status_code == 302
    article = metadata_api.export()["sources"][0]["tables"][1]
    assert article["object_relationships"] == [
        {
            "name": "writer",
            "using": {
                "manual_configuration": {
                    "remote_table": {"name": "author", "schema": "public"},
                    "column_mapping": {"author_id": "id"},
                }
            },
        }
    ]
    assert "writer" in text(console.get(TABLE_URL), "relationship-writer")


def test_table_relationship_to_another_source_is_a_remote_relationship(
    console, metadata_api, pg_schema, tmp_path
):
    seed_source(metadata_api, pg_schema, tables=("article",))
    console.post("/console/data/", source_form(name="lite", kind="sqlite", url=sqlite_database(tmp_path)))
    console.post("/console/data/sources/lite/track/", {"schema": "public", "table": "author"})

    response = console.post(
        TABLE_URL + "relationships/add/",
        {
            "relationship_type": "object",
            "relationship_name": "writer",
            "reference_source": "lite",
            "reference_schema": "public",
            "reference_table": "author",
            **rows("mapping", [{"from_field": "author_id", "to_column": "id"}]),
        },
    )

    assert response.status_code == 302, text(response, "relationship-form")
    (article,) = metadata_api.export()["sources"][0]["tables"]
    assert article["remote_relationships"][0]["definition"]["to_source"] == {
        "relationship_type": "object",
        "source": "lite",
        "table": {"name": "author", "schema": "public"},
        "field_mapping": {"author_id": "id"},
    }

    console.post(TABLE_URL + "relationships/writer/delete/")
    assert "remote_relationships" not in metadata_api.export()["sources"][0]["tables"][0]


def test_table_relationship_with_a_missing_column_is_shown_at_its_pair(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema, tables=("author", "article"))
    before = metadata_api.export()

    response = console.post(
        TABLE_URL + "relationships/add/",
        {
            "relationship_type": "object",
            "relationship_name": "writer",
            "reference_source": "default",
            "reference_schema": "public",
            "reference_table": "author",
            **rows("mapping", [{"from_field": "author_id", "to_column": "nope"}]),
        },
    )

    assert "nope" in text(response, "mapping-0-errors")
    assert metadata_api.export() == before


def test_table_to_remote_schema_relationship(console, metadata_api, pg_schema, make_graphql_server):
    server = make_graphql_server("type Profile { email: String } type Query { profile(id: Int!): Profile }")
    seed_source(metadata_api, pg_schema, tables=("users",))
    metadata_api.ok("add_remote_schema", {"name": "auth0", "definition": {"url": server.endpoint}})
    url = "/console/data/sources/default/tables/public/users/remote-schema-relationships/add/"

    response = console.post(
        url,
        {
            "name": "auth0_profile",
            "target_remote_schema": "auth0",
            "remote_field": "profile",
            **rows("arguments", [{"argument": "id", "value": "$id"}]),
        },
    )

    assert response.status_code == 302
    (users,) = metadata_api.export()["sources"][0]["tables"]
    assert users["remote_relationships"] == [
        {
            "name": "auth0_profile",
            "definition": {
                "to_remote_schema": {
                    "remote_schema": "auth0",
                    "lhs_fields": ["id"],
                    "remote_field": {"profile": {"arguments": {"id": "$id"}}},
                }
            },
        }
    ]


def test_select_permission_create_edit_and_delete(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema, tables=("article",))
    url = TABLE_URL + "permissions/"
    page = console.get(url)
    assert options(page, "id_columns") is None  # checkboxes, not a select
    assert (labels(page)["id_columns_0"], labels(page)["id_columns_1"]) == ("All columns", "id")

    created = console.post(
        url, {"role": "user", "columns": ["id", "title"], "filter": '{"id": {"_gt": 0}}', "limit": "10"}
    )
    assert created.status_code == 302
    (article,) = metadata_api.export()["sources"][0]["tables"]
    assert article["select_permissions"] == [
        {
            "role": "user",
            "permission": {"columns": ["id", "title"], "filter": {"id": {"_gt": 0}}, "limit": 10},
        }
    ]

    edit = console.get(url, {"role": "user"})
    assert edit.context["form"]["limit"].value() == 10
    console.post(
        url + "?role=user", {"role": "user", "columns": ["id"], "filter": "{}", "allow_aggregations": "on"}
    )
    (article,) = metadata_api.export()["sources"][0]["tables"]
    assert article["select_permissions"][0]["permission"] == {
        "columns": ["id"],
        "filter": {},
        "allow_aggregations": True,
    }

    console.post(url + "?role=user", {"role": "user", "columns": ["*", "id"], "filter": "{}"})
    assert (
        metadata_api.export()["sources"][0]["tables"][0]["select_permissions"][0]["permission"]["columns"]
        == "*"
    )
    assert console.get(url, {"role": "user"}).context["form"]["columns"].value() == ["*"]

    console.post(url + "user/delete/")
    assert "select_permissions" not in metadata_api.export()["sources"][0]["tables"][0]


def test_select_permission_errors_are_shown_at_their_fields(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema, tables=("article",))
    url = TABLE_URL + "permissions/"

    bad_json = console.post(url, {"role": "user", "columns": ["id"], "filter": "{not json"})
    bad_column = console.post(url, {"role": "user", "columns": ["id", "nope"], "filter": "{}"})

    assert "The row filter is not JSON" in text(bad_json, "id_filter_errors")
    assert "nope" in text(bad_column, "id_columns_errors")
    assert "select_permissions" not in metadata_api.export()["sources"][0]["tables"][0]


def test_sql_page_runs_run_sql_and_shows_rows(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema, tables=())
    run_sql(pg_schema, "INSERT INTO author (name) VALUES ('Ann'), ('Bo')")

    response = console.post(
        "/console/data/sql/",
        {
            "source": "default",
            "sql": "SELECT id, name FROM author ORDER BY id",
            "check_metadata_consistency": "on",
        },
    )

    assert text(response, "sql-result") == "Result id name 1 Ann 2 Bo"


def test_sql_page_shows_a_database_error_at_the_sql_and_changes_are_seen_by_the_catalog(
    console, metadata_api, pg_schema
):
    seed_source(metadata_api, pg_schema, tables=())

    failed = console.post("/console/data/sql/", {"source": "default", "sql": "SELECT * FROM no_such_table"})
    created = console.post(
        "/console/data/sql/", {"source": "default", "sql": "CREATE TABLE console_made (id int)"}
    )

    assert "no_such_table" in text(failed, "id_sql_errors")
    assert text(created, "sql-result") == "Result Command OK."
    tables = console.get("/console/choices/tables", {"source": "default", "schema": "public"}).json()[
        "choices"
    ]
    assert {"value": "console_made", "label": "console_made"} in tables
