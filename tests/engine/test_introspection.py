"""engine.introspection against real local GraphQL and webhook servers (Hasura §4.1, §4.6)."""

import pytest
from graphql import build_schema, get_introspection_query, introspection_from_schema, print_schema
from graphql.utilities import lexicographic_sort_schema

from engine.headers import USER_AGENT, remote_schema_request_headers
from engine.http import HttpTransport
from engine.introspection import (
    INTROSPECTION_QUERY,
    IntrospectionError,
    fetch_introspection,
    schema_from_introspection,
)
from tests.support import servers
from tests.support.servers import Reply, unused_port

webhook_server = servers.webhook_server
make_graphql_server = servers.make_graphql_server

FORUM_SDL = '''
"""A point in time, ISO 8601."""
scalar DateTime

"""Anything with an id."""
interface Node {
  id: ID!
}

enum Role {
  ADMIN
  MEMBER @deprecated(reason: "use ADMIN or nothing")
}

type User implements Node {
  id: ID!
  "The display name."
  name: String!
  role: Role
  posts(first: Int = 10, after: String): [Post!]!
  legacyName: String @deprecated(reason: "use name")
}

type Post implements Node {
  id: ID!
  title: String!
  createdAt: DateTime
}

union SearchResult = User | Post

input PostFilter {
  titleContains: String
  limit: Int = 20
  roles: [Role!] = [ADMIN]
}

type Query {
  node(id: ID!): Node
  search(text: String!, filter: PostFilter): [SearchResult!]!
  users: [User!]!
}

type Mutation {
  createPost(title: String!): Post
}

directive @cached(ttl: Int = 60) on FIELD
'''


def normalised(schema):
    return print_schema(lexicographic_sort_schema(schema))


@pytest.fixture
def transport():
    with HttpTransport() as client:
        yield client


def test_the_query_is_graphql_cores_full_introspection_query_with_descriptions():
    assert get_introspection_query(descriptions=True) == INTROSPECTION_QUERY


def test_introspecting_a_graphql_server_round_trips_its_schema(make_graphql_server, transport):
    server = make_graphql_server(FORUM_SDL)
    admin_headers = remote_schema_request_headers([("X-Api-Key", "k")], {"x-hasura-role": "admin"}, [], False)

    raw = fetch_introspection(transport, server.endpoint, admin_headers, timeout=5)
    schema = schema_from_introspection(raw)

    assert normalised(schema) == normalised(build_schema(FORUM_SDL))
    [call] = server.calls()
    assert call.query == INTROSPECTION_QUERY
    assert call.operation_name == "IntrospectionQuery"
    assert call.header("x-hasura-role") == "admin"
    assert call.header("X-Api-Key") == "k"
    assert call.header("User-Agent") == USER_AGENT
    assert transport.call_count == 1


def test_fetch_returns_the_decoded_body_unchanged(webhook_server, transport):
    body = {"data": introspection_from_schema(build_schema(FORUM_SDL)), "extensions": {"cost": 3}}
    webhook_server.route("/graphql", body)
    assert fetch_introspection(transport, webhook_server.url("/graphql"), [], 5) == body


def test_an_unreachable_server_gives_hasuras_http_exception_message(make_graphql_server, transport):
    server = make_graphql_server(FORUM_SDL)
    server.down()
    with pytest.raises(IntrospectionError) as caught:
        fetch_introspection(transport, server.endpoint, [], 5)
    assert caught.value.message == f'HTTP exception occurred while sending the request to "{server.endpoint}"'
    assert caught.value.code == "remote-schema-error"
    assert caught.value.internal == {
        "type": "http_exception",
        "kind": "connection",
        "message": f"the connection to {server.endpoint} failed: Connection refused",
    }

    server.up()
    assert "data" in fetch_introspection(transport, server.endpoint, [], 5)


def test_a_closed_port_gives_the_same_message(transport):
    url = f"http://127.0.0.1:{unused_port()}/graphql"
    with pytest.raises(
        IntrospectionError, match=f'^HTTP exception occurred while sending the request to "{url}"$'
    ):
        fetch_introspection(transport, url, [], 5)


def test_a_timeout_is_an_http_exception(webhook_server, transport):
    webhook_server.route("/graphql", Reply(json={}, delay=2))
    url = webhook_server.url("/graphql")
    with pytest.raises(IntrospectionError) as caught:
        fetch_introspection(transport, url, [], 0.2)
    assert caught.value.message == f'HTTP exception occurred while sending the request to "{url}"'
    assert caught.value.internal["kind"] == "timeout"


def test_a_non_json_answer_gives_a_decode_error(make_graphql_server, transport):
    server = make_graphql_server(FORUM_SDL)
    server.answer_garbage()
    with pytest.raises(IntrospectionError) as caught:
        fetch_introspection(transport, server.endpoint, [], 5)
    assert caught.value.message == "Error in $: Failed reading: not a valid json value"
    assert caught.value.internal == {"status": 200, "raw_body": "<html>this is not JSON</html>"}


def test_a_500_answer_is_judged_by_its_body(make_graphql_server, webhook_server, transport):
    server = make_graphql_server(FORUM_SDL)
    server.answer_status(500)
    with pytest.raises(IntrospectionError) as caught:
        fetch_introspection(transport, server.endpoint, [], 5)
    assert caught.value.message == "Error in $: Failed reading: not a valid json value"
    assert caught.value.internal["status"] == 500

    webhook_server.route(
        "/graphql", Reply(status=500, json={"data": introspection_from_schema(build_schema(FORUM_SDL))})
    )
    assert "__schema" in fetch_introspection(transport, webhook_server.url("/graphql"), [], 5)["data"]


def test_remote_errors_are_reported_with_their_messages(make_graphql_server, transport):
    server = make_graphql_server(FORUM_SDL)
    server.answer_errors("introspection is disabled", "try again later")
    with pytest.raises(IntrospectionError) as caught:
        fetch_introspection(transport, server.endpoint, [], 5)
    assert caught.value.message == (
        "the remote server answered the introspection query with errors: "
        "introspection is disabled; try again later"
    )
    assert caught.value.internal == {
        "errors": [{"message": "introspection is disabled"}, {"message": "try again later"}]
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "Error in $: parsing SchemaDocument failed, expected Object, but encountered Array"),
        ({"result": 1}, 'Error in $: key "data" not found'),
        ({"data": None}, "Error in $.data: parsing KeyMap failed, expected Object, but encountered Null"),
        ({"data": {}}, 'Error in $: key "__schema" not found'),
        (
            {"data": {"__schema": "x"}},
            "Error in $.data.__schema: parsing KeyMap failed, expected Object, but encountered String",
        ),
        ({"data": {"__schema": {}}}, 'Error in $: key "types" not found'),
        (
            {"data": {"__schema": {"types": {}}}},
            "Error in $.data.__schema.types: parsing [] failed, expected Array, but encountered Object",
        ),
        ({"errors": []}, 'Error in $: key "data" not found'),
    ],
)
def test_bodies_of_the_wrong_shape_are_described_like_hasuras_decoder(
    webhook_server, transport, body, message
):
    webhook_server.route("/graphql", Reply(json=body))
    with pytest.raises(IntrospectionError) as caught:
        fetch_introspection(transport, webhook_server.url("/graphql"), [], 5)
    assert caught.value.message == message
    assert caught.value.internal is None


# --- schema_from_introspection ----------------------------------------------------------------


def forum_introspection():
    return {"data": introspection_from_schema(build_schema(FORUM_SDL))}


@pytest.mark.parametrize(
    ("root_key", "default_name", "attribute"),
    [("mutationType", "Mutation", "mutation_type"), ("queryType", "Query", "query_type")],
)
def test_an_undeclared_root_is_taken_from_the_type_of_its_default_name(root_key, default_name, attribute):
    raw = forum_introspection()
    raw["data"]["__schema"][root_key] = None

    schema = schema_from_introspection(raw)

    assert getattr(schema, attribute).name == default_name
    assert raw["data"]["__schema"][root_key] is None, "the raw result is left untouched"


def test_a_subscription_type_named_subscription_becomes_the_root():
    raw = {
        "data": introspection_from_schema(
            build_schema("type Query { a: Int } type Subscription { tick: Int }")
        )
    }
    raw["data"]["__schema"]["subscriptionType"] = None
    assert schema_from_introspection(raw).subscription_type.name == "Subscription"


def test_a_declared_root_is_kept_even_when_a_default_named_type_exists():
    sdl = "schema { query: Root mutation: Writes } type Root { a: Int } type Writes { b: Int } type Mutation { c: Int }"
    schema = schema_from_introspection({"data": introspection_from_schema(build_schema(sdl))})
    assert (schema.query_type.name, schema.mutation_type.name) == ("Root", "Writes")


def test_no_query_root_at_all_is_an_error():
    raw = forum_introspection()
    schema_part = raw["data"]["__schema"]
    schema_part["queryType"] = None
    schema_part["types"] = [entry for entry in schema_part["types"] if entry["name"] != "Query"]
    with pytest.raises(IntrospectionError, match="^query root not found in remote schema$"):
        schema_from_introspection(raw)


def test_a_result_that_build_client_schema_rejects_is_an_introspection_error():
    raw = forum_introspection()
    user = next(entry for entry in raw["data"]["__schema"]["types"] if entry["name"] == "User")
    user["fields"][0]["type"] = {"kind": "OBJECT", "name": "Missing", "ofType": None}
    with pytest.raises(IntrospectionError, match="^the remote schema's introspection result is invalid: "):
        schema_from_introspection(raw)


def test_an_invalid_schema_is_refused_with_the_reasons():
    raw = forum_introspection()
    post = next(entry for entry in raw["data"]["__schema"]["types"] if entry["name"] == "Post")
    post["fields"] = [field for field in post["fields"] if field["name"] != "id"]
    with pytest.raises(IntrospectionError) as caught:
        schema_from_introspection(raw)
    assert caught.value.message == (
        "the remote schema is not a valid GraphQL schema: Interface field Node.id expected but Post does not provide it."
    )


def test_schema_from_introspection_checks_the_shape_too():
    with pytest.raises(IntrospectionError, match='key "data" not found'):
        schema_from_introspection({"errors": None})
