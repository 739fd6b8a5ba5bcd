"""The local test servers themselves, driven with the standard library's http.client."""

import http.client
import json
import socket
import time
from contextlib import closing

import pytest

from tests.support import servers
from tests.support.servers import GraphQLServer, Reply, WebhookServer, unused_port

webhook_server = servers.webhook_server
make_graphql_server = servers.make_graphql_server


def post(port, path, payload, headers=None, connection=None):
    """POST JSON with http.client; return (status, header pairs, body bytes)."""
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    result = response.status, response.getheaders(), response.read()
    if connection is None:
        conn.close()
    return result


def header_values(pairs, name):
    return [value for key, value in pairs if key.lower() == name.lower()]


# --- WebhookServer ----------------------------------------------------------------------------


def test_webhook_handler_sees_the_request_and_shapes_the_reply(webhook_server):
    def handler(request):
        return Reply(
            status=201,
            json={"echo": request.json, "token": request.header("x-token")},
            headers=[("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/"), ("X-Extra", "yes")],
        )

    webhook_server.route("/hook", handler)
    status, headers, body = post(webhook_server.port, "/hook?debug=1", {"n": 1}, {"X-Token": "t0"})

    assert status == 201
    assert json.loads(body) == {"echo": {"n": 1}, "token": "t0"}
    assert header_values(headers, "Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert header_values(headers, "Content-Type") == ["application/json"]
    assert header_values(headers, "X-Extra") == ["yes"]
    [call] = webhook_server.calls("/hook")
    assert (call.method, call.path, call.query_string) == ("POST", "/hook", "debug=1")
    assert call.json == {"n": 1}
    assert call.header("X-TOKEN") == "t0"


def test_webhook_static_replies_raw_bodies_and_unknown_paths(webhook_server):
    webhook_server.route("/value", {"fixed": True})
    webhook_server.route("/null", Reply(json=None))
    webhook_server.route(
        "/raw", Reply(status=502, body=b"not json", headers=[("Content-Type", "text/plain")])
    )

    assert post(webhook_server.port, "/value", {})[2] == b'{"fixed": true}'
    assert post(webhook_server.port, "/null", {})[2] == b"null"
    status, headers, body = post(webhook_server.port, "/raw", {})
    assert (status, body, header_values(headers, "Content-Type")) == (502, b"not json", ["text/plain"])
    status, _, body = post(webhook_server.port, "/missing", {})
    assert (status, json.loads(body)) == (404, {"message": "no handler for /missing"})


def test_webhook_calls_filter_by_path_and_reset_forgets_them(webhook_server):
    webhook_server.route("/a", {})
    webhook_server.route("/b", {})
    for path in ("/a", "/b", "/a"):
        post(webhook_server.port, path, {"path": path})

    assert [call.json["path"] for call in webhook_server.calls()] == ["/a", "/b", "/a"]
    assert len(webhook_server.calls("/a")) == 2
    webhook_server.reset()
    assert webhook_server.calls() == []


def test_webhook_delay_holds_the_reply_back(webhook_server):
    webhook_server.route("/slow", Reply(json={}, delay=0.3))
    started = time.monotonic()
    status, _, _ = post(webhook_server.port, "/slow", {})
    assert status == 200
    assert time.monotonic() - started >= 0.3


def test_webhook_chunked_reply_has_no_content_length(webhook_server):
    payload = bytes(range(256)) * 1000
    webhook_server.route("/big", Reply(body=payload, chunked=True))
    status, headers, body = post(webhook_server.port, "/big", {})
    assert status == 200
    assert header_values(headers, "Transfer-Encoding") == ["chunked"]
    assert header_values(headers, "Content-Length") == []
    assert body == payload


def test_keep_alive_connection_serves_many_small_requests_quickly(webhook_server):
    # Without TCP_NODELAY each reply would stall ~40 ms on delayed ACKs: 50 requests > 2 s.
    webhook_server.route("/ping", {"pong": True})
    with closing(http.client.HTTPConnection("127.0.0.1", webhook_server.port, timeout=5)) as connection:
        started = time.monotonic()
        for _ in range(50):
            assert post(webhook_server.port, "/ping", {}, connection=connection)[0] == 200
        elapsed = time.monotonic() - started

    assert elapsed < 1.0
    assert len({call.client_port for call in webhook_server.calls()}) == 1


def test_stopped_server_refuses_connections():
    server = WebhookServer().start()
    port = server.port
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_unused_port_refuses_connections():
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", unused_port()), timeout=1)


# --- GraphQLServer ----------------------------------------------------------------------------

SDL = """
type Query {
  user(id: Int!): User
  greeting: String
  whoAmI: String
}
type User { id: Int! name: String! }
"""
USERS = {1: {"id": 1, "name": "Ada"}, 2: {"id": 2, "name": "Grace"}}


def resolve_user(_root, _info, id):
    return USERS.get(id)


def resolve_who_am_i(_root, info):
    return info.context.header("x-hasura-user-id")


@pytest.fixture
def users_server(make_graphql_server):
    return make_graphql_server(
        SDL,
        resolvers={"Query": {"user": resolve_user, "whoAmI": resolve_who_am_i}},
        root_value={"greeting": "hello"},
    )


def graphql(server, query, variables=None, operation_name=None, headers=None):
    payload = {"query": query, "variables": variables, "operationName": operation_name}
    status, _, body = post(server.port, server.path, payload, headers)
    return status, json.loads(body)


def test_graphql_server_executes_with_resolvers_root_value_and_variables(users_server):
    status, body = graphql(
        users_server,
        "query Two($id: Int!) { a: user(id: 1) { name } b: user(id: $id) { id name } greeting }",
        {"id": 2},
        "Two",
    )
    assert status == 200
    assert body == {"data": {"a": {"name": "Ada"}, "b": {"id": 2, "name": "Grace"}, "greeting": "hello"}}


def test_graphql_server_gives_resolvers_the_request_headers(users_server):
    assert graphql(users_server, "{ whoAmI }", headers={"X-Hasura-User-Id": "42"})[1] == {
        "data": {"whoAmI": "42"}
    }


def test_graphql_server_reports_invalid_documents_without_data(users_server):
    _, body = graphql(users_server, "{ nope }")
    assert body == {
        "errors": [
            {"message": "Cannot query field 'nope' on type 'Query'.", "locations": [{"line": 1, "column": 3}]}
        ]
    }
    _, body = graphql(users_server, "{ user(id: 1) {")
    assert list(body) == ["errors"]
    assert body["errors"][0]["message"].startswith("Syntax Error")


def test_graphql_server_answers_introspection(users_server):
    _, body = graphql(
        users_server, '{ __schema { queryType { name } } __type(name: "User") { fields { name } } }'
    )
    assert body == {
        "data": {
            "__schema": {"queryType": {"name": "Query"}},
            "__type": {"fields": [{"name": "id"}, {"name": "name"}]},
        }
    }


def test_graphql_server_records_each_request(users_server):
    graphql(users_server, "{ __schema { queryType { name } } }")
    graphql(users_server, "query Q($id: Int!) { user(id: $id) { id } }", {"id": 1}, "Q", {"X-Trace": "t1"})

    first, second = users_server.calls()
    assert first.is_introspection
    assert not second.is_introspection
    assert (second.query, second.variables, second.operation_name) == (
        "query Q($id: Int!) { user(id: $id) { id } }",
        {"id": 1},
        "Q",
    )
    assert second.header("x-trace") == "t1"
    assert users_server.calls(include_introspection=False) == [second]
    users_server.reset()
    assert users_server.calls() == []


def test_graphql_server_goes_down_and_comes_back_on_the_same_port(users_server):
    port = users_server.port
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=5)) as connection:
        assert post(port, "/graphql", {"query": "{ greeting }"}, connection=connection)[0] == 200
        users_server.down()
        # The open keep-alive connection is closed as well, not only the listening socket.
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            post(port, "/graphql", {"query": "{ greeting }"}, connection=connection)

    assert not users_server.is_up
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)

    users_server.up()
    assert users_server.port == port
    assert graphql(users_server, "{ greeting }") == (200, {"data": {"greeting": "hello"}})


def test_graphql_server_can_misbehave_on_request(users_server):
    users_server.answer_garbage()
    status, headers, body = post(users_server.port, "/graphql", {"query": "{ greeting }"})
    assert (status, body) == (200, b"<html>this is not JSON</html>")

    users_server.answer_errors("first", "second")
    assert graphql(users_server, "{ greeting }") == (
        200,
        {"errors": [{"message": "first"}, {"message": "second"}]},
    )

    users_server.answer_status(500)
    assert post(users_server.port, "/graphql", {"query": "{ greeting }"})[::2] == (
        500,
        b"Internal Server Error",
    )

    users_server.answer_normally()
    assert graphql(users_server, "{ greeting }") == (200, {"data": {"greeting": "hello"}})
    assert len(users_server.calls()) == 4


def test_graphql_server_rejects_requests_without_a_query(users_server):
    assert graphql(users_server, None) == (400, {"errors": [{"message": "Must provide query string."}]})


def test_graphql_server_refuses_resolvers_for_unknown_types():
    with pytest.raises(ValueError, match="no object type 'Nope'"):
        GraphQLServer(SDL, resolvers={"Nope": {"x": resolve_user}})
