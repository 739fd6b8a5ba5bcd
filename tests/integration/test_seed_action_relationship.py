"""Seed 000: an action whose output type has an object relationship to the ``users`` table.

`mutation { createUser(name: "Hodor") { id user { name auth0_id } } }` calls a real webhook that
inserts the user, then reads the new row through the relationship: on PostgreSQL and on SQLite.
"""

import sqlite3

import psycopg2
import pytest

from tests.relationships.conftest import pg_source_args
from tests.relationships.database_support import sqlite_database
from tests.support.servers import Reply

SET_CUSTOM_TYPES = {
    "scalars": [],
    "enums": [],
    "input_objects": [],
    "objects": [
        {
            "name": "UserOutput",
            "fields": [{"name": "id", "type": "Int!"}],
            "relationships": [
                {"name": "user", "type": "object", "remote_table": "users", "field_mapping": {"id": "id"}}
            ],
        }
    ],
}
MUTATION = 'mutation { createUser(name: "Hodor") { id user { name auth0_id } } }'


def create_user_action(handler):
    return {
        "name": "createUser",
        "definition": {
            "kind": "synchronous",
            "handler": handler,
            "arguments": [{"name": "name", "type": "String!"}],
            "output_type": "UserOutput",
        },
    }


def inserting_handler(insert):
    def handle(request):
        name = request.json["input"]["name"]
        return {"id": insert(name, f"{name.lower()}|{name.lower()}")}

    return handle


def postgres_insert(database_url):
    def insert(name, auth0_id):
        with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
            cur.execute("INSERT INTO users (name, auth0_id) VALUES (%s, %s) RETURNING id", (name, auth0_id))
            return cur.fetchone()[0]

    return insert


def sqlite_insert(path):
    def insert(name, auth0_id):
        with sqlite3.connect(path) as conn:
            return conn.execute(
                "INSERT INTO users (name, auth0_id) VALUES (?, ?)", (name, auth0_id)
            ).lastrowid

    return insert


def setup_metadata(metadata_api, add_source, source_args, webhook_url):
    metadata_api.ok(add_source, source_args)
    metadata_api.ok(add_source.replace("add_source", "track_table"), {"source": "default", "table": "users"})
    metadata_api.ok("set_custom_types", SET_CUSTOM_TYPES)
    metadata_api.ok("create_action", create_user_action(webhook_url))


@pytest.mark.postgres
def test_create_user_returns_the_new_row_on_postgres(metadata_api, graphql_api, pg_schema, webhook_server):
    webhook_server.route("/create-user", inserting_handler(postgres_insert(pg_schema)))
    setup_metadata(
        metadata_api,
        "pg_add_source",
        pg_source_args("default", pg_schema),
        webhook_server.url("/create-user"),
    )

    answer = graphql_api.post(MUTATION)

    assert answer.body == {
        "data": {"createUser": {"id": 1, "user": {"name": "Hodor", "auth0_id": "hodor|hodor"}}}
    }
    assert (answer.sql_statements, answer.http_calls) == (1, 1)
    (call,) = webhook_server.calls("/create-user")
    assert call.json == {
        "action": {"name": "createUser"},
        "input": {"name": "Hodor"},
        "session_variables": {"x-hasura-role": "admin"},
        "request_query": MUTATION,
    }


def test_create_user_returns_the_new_row_on_sqlite(metadata_api, graphql_api, webhook_server, tmp_path):
    url = sqlite_database(tmp_path)
    webhook_server.route("/create-user", inserting_handler(sqlite_insert(tmp_path / "seed.db")))
    source = {"name": "default", "configuration": {"connection_info": {"database_url": url}}}
    setup_metadata(metadata_api, "sqlite_add_source", source, webhook_server.url("/create-user"))

    answer = graphql_api.post(MUTATION)

    assert answer.body == {
        "data": {"createUser": {"id": 1, "user": {"name": "Hodor", "auth0_id": "hodor|hodor"}}}
    }
    assert (answer.sql_statements, answer.http_calls) == (1, 1)


def test_a_failing_handler_leaves_no_data(metadata_api, graphql_api, webhook_server, tmp_path):
    url = sqlite_database(tmp_path)
    webhook_server.route(
        "/create-user", Reply(status=400, json={"message": "name taken", "code": "name-taken"})
    )
    source = {"name": "default", "configuration": {"connection_info": {"database_url": url}}}
    setup_metadata(metadata_api, "sqlite_add_source", source, webhook_server.url("/create-user"))

    answer = graphql_api.post(MUTATION)

    assert answer.body == {
        "errors": [{"message": "name taken", "extensions": {"path": "$", "code": "name-taken"}}]
    }
    assert (answer.sql_statements, answer.http_calls) == (0, 1)
