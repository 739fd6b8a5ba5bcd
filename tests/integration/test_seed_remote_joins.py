"""Seeds 002 and 004 over HTTP, set up through the metadata API as the docs do it, with real servers.

002: an action's output joins the ``users`` table, whose remote relationship joins an Auth0 stand-in:
``createUser { user { auth0_profile { ... } } }`` (action -> table -> remote schema).
004: a remote schema's ``Order`` type joins the ``user`` table of the source ``pg1``.
Also: a remote schema that is down at reload is inconsistent, leaves the schema while everything
else keeps serving, and comes back with ``reload_remote_schema``.
"""

import psycopg2
import pytest

from tests.integration.remote_servers import normalised
from tests.integration.test_seed_action_relationship import (
    SET_CUSTOM_TYPES,
    create_user_action,
    inserting_handler,
    postgres_insert,
)
from tests.relationships.conftest import pg_source_args
from tests.support.servers import GraphQLServer

AUTH0_SDL = """
type Auth0Profile { email: String  nickname: String  last_login: String }
type Query { auth0_profile(id: String!): Auth0Profile }
"""
AUTH0_PROFILES = {
    "hodor|hodor": {"email": "hodor@hodor.com", "nickname": "Hodor", "last_login": "2016-05-22T01:35:48.863Z"}
}
SEED_002_MUTATION = 'mutation { createUser(name: "Hodor") { id user { name auth0_id auth0_profile { email nickname last_login } } } }'
ORDERS_SDL = """
type Order { id: ID!  user_id: Int! }
type Query { orders: [Order!]! }
"""
ORDERS = [{"id": "o1", "user_id": 1}, {"id": "o2", "user_id": 2}, {"id": "o3", "user_id": 1}]
SEED_004_RELATIONSHIP = {
    "name": "user",
    "remote_schema": "order-remote-schema",
    "type_name": "Order",
    "definition": {
        "to_source": {
            "relationship_type": "object",
            "source": "pg1",
            "table": {"name": "user", "schema": "public"},
            "field_mapping": {"user_id": "id"},
        }
    },
}


@pytest.fixture
def auth0():
    resolvers = {"Query": {"auth0_profile": lambda obj, info, id: AUTH0_PROFILES.get(id)}}
    with GraphQLServer(AUTH0_SDL, resolvers) as server:
        yield server


@pytest.fixture
def orders_server():
    with GraphQLServer(ORDERS_SDL, {"Query": {"orders": lambda obj, info: ORDERS}}) as server:
        yield server


@pytest.mark.postgres
def test_seed_002_action_to_table_to_auth0(metadata_api, graphql_api, pg_schema, webhook_server, auth0):
    webhook_server.route("/create-user", inserting_handler(postgres_insert(pg_schema)))
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    metadata_api.ok("pg_track_table", {"table": "users"})
    metadata_api.ok("set_custom_types", SET_CUSTOM_TYPES)
    metadata_api.ok("create_action", create_user_action(webhook_server.url("/create-user")))
    metadata_api.ok("add_remote_schema", {"name": "auth0", "definition": {"url": auth0.endpoint}})
    metadata_api.ok(
        "pg_create_remote_relationship",
        {
            "name": "auth0_profile",
            "table": "users",
            "definition": {
                "to_remote_schema": {
                    "remote_schema": "auth0",
                    "lhs_fields": ["auth0_id"],
                    "remote_field": {"auth0_profile": {"arguments": {"id": "$auth0_id"}}},
                }
            },
        },
    )

    answer = graphql_api.post(SEED_002_MUTATION)

    assert answer.body == {
        "data": {
            "createUser": {
                "id": 1,
                "user": {
                    "name": "Hodor",
                    "auth0_id": "hodor|hodor",
                    "auth0_profile": {
                        "email": "hodor@hodor.com",
                        "nickname": "Hodor",
                        "last_login": "2016-05-22T01:35:48.863Z",
                    },
                },
            }
        }
    }
    assert (answer.http_calls, answer.sql_statements) == (2, 1)
    (call,) = auth0.calls(include_introspection=False)
    assert normalised(call.query) == normalised(
        '{ f0: auth0_profile(id: "hodor|hodor") { email nickname last_login } }'
    )


@pytest.mark.postgres
def test_seed_004_remote_schema_to_a_table_of_pg1(metadata_api, graphql_api, pg_schema, orders_server):
    with psycopg2.connect(pg_schema) as connection, connection.cursor() as cursor:
        cursor.execute("""INSERT INTO "user" (name) VALUES ('Ann'), ('Bob')""")
    metadata_api.ok(
        "add_remote_schema", {"name": "order-remote-schema", "definition": {"url": orders_server.endpoint}}
    )
    metadata_api.ok("pg_add_source", pg_source_args("pg1", pg_schema))
    metadata_api.ok("pg_track_table", {"source": "pg1", "table": {"schema": "public", "name": "user"}})
    metadata_api.ok("create_remote_schema_remote_relationship", SEED_004_RELATIONSHIP)

    answer = graphql_api.post("{ orders { id user { id name } } }")

    assert answer.body == {
        "data": {
            "orders": [
                {"id": "o1", "user": {"id": 1, "name": "Ann"}},
                {"id": "o2", "user": {"id": 2, "name": "Bob"}},
                {"id": "o3", "user": {"id": 1, "name": "Ann"}},
            ]
        }
    }
    assert (answer.http_calls, answer.sql_statements) == (1, 1)
    (call,) = orders_server.calls(include_introspection=False)
    assert normalised(call.query) == normalised(
        "{ orders { id user: __typename user_id_join_column: user_id } }"
    )


@pytest.mark.postgres
def test_a_remote_schema_down_at_reload_leaves_the_schema_and_comes_back(
    metadata_api, graphql_api, pg_schema, orders_server
):
    metadata_api.ok("pg_add_source", pg_source_args("pg1", pg_schema))
    metadata_api.ok("pg_track_table", {"source": "pg1", "table": {"schema": "public", "name": "user"}})
    metadata_api.ok(
        "add_remote_schema", {"name": "order-remote-schema", "definition": {"url": orders_server.endpoint}}
    )
    metadata_api.ok("create_remote_schema_remote_relationship", SEED_004_RELATIONSHIP)
    orders_server.down()

    metadata_api.ok("reload_metadata", {"reload_remote_schemas": True})

    inconsistent = metadata_api.ok("get_inconsistent_metadata")
    assert inconsistent["is_consistent"] is False
    kinds = [(item["type"], item["name"]) for item in inconsistent["inconsistent_objects"]]
    assert ("remote_schema", "remote_schema order-remote-schema") in kinds
    reason = next(i["reason"] for i in inconsistent["inconsistent_objects"] if i["type"] == "remote_schema")
    assert "HTTP exception occurred while sending the request to" in reason
    gone = graphql_api.post("{ orders { id } }")
    assert gone.body["errors"][0]["extensions"]["code"] == "validation-failed"
    assert graphql_api.data("{ user { name } }") == {"user": []}

    orders_server.up()
    metadata_api.ok("reload_remote_schema", {"name": "order-remote-schema"})

    assert metadata_api.ok("get_inconsistent_metadata")["inconsistent_objects"] == []
    assert graphql_api.data("{ orders { id } }") == {"orders": [{"id": "o1"}, {"id": "o2"}, {"id": "o3"}]}
