"""OUTBOUND_ALLOWED_HOSTS through the product: handlers and remote schemas off the list are never called.

The transport's own rules (host, host:port) are tested in tests/engine/test_http.py. Here the
setting as the test settings give it (``127.0.0.1`` and ``localhost``) guards the metadata API and
/v1/graphql: an action handler or remote schema on ``127.0.0.2`` (a loopback address, so a
mistake would reach a real socket rather than fail on DNS) is refused with a clear error, while the
same servers reached through listed names work.
"""

import pytest
from django.conf import settings

from tests.support.servers import GraphQLServer

ACTION_TYPES = {"objects": [{"name": "Echo", "fields": [{"name": "text", "type": "String"}]}]}
REMOTE_SDL = "type Query { hello: String }"
UNLISTED = "127.0.0.2"


def echo_action(handler):
    return {
        "name": "echo",
        "definition": {
            "kind": "synchronous",
            "type": "query",
            "handler": handler,
            "arguments": [{"name": "text", "type": "String"}],
            "output_type": "Echo",
        },
    }


@pytest.fixture
def remote_server():
    with GraphQLServer(REMOTE_SDL, {"Query": {"hello": lambda obj, info: "hi"}}) as server:
        yield server


def test_the_test_settings_list_only_this_machine():
    assert settings.OUTBOUND_ALLOWED_HOSTS == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_handler_on_a_listed_host_is_called(metadata_api, graphql_api, webhook_server, host):
    webhook_server.route("/echo", lambda request: {"text": request.json["input"]["text"]})
    metadata_api.ok("set_custom_types", ACTION_TYPES)
    metadata_api.ok("create_action", echo_action(f"http://{host}:{webhook_server.port}/echo"))

    assert graphql_api.data('{ echo(text: "ok") { text } }') == {"echo": {"text": "ok"}}
    assert len(webhook_server.calls("/echo")) == 1


def test_a_handler_on_another_host_is_refused_before_any_call(metadata_api, graphql_api, webhook_server):
    webhook_server.route("/echo", {"text": "reached"})
    metadata_api.ok("set_custom_types", ACTION_TYPES)
    metadata_api.ok("create_action", echo_action(f"http://{UNLISTED}:{webhook_server.port}/echo"))

    answer = graphql_api.post('{ echo(text: "x") { text } }')

    assert answer.status == 200
    assert "data" not in answer.body
    (error,) = answer.body["errors"]
    assert error["message"] == "http exception when calling webhook", error
    assert f"host '{UNLISTED}' is not in the list of hosts" in str(error["extensions"]["internal"]), error
    assert webhook_server.calls() == []


def test_a_remote_schema_on_another_host_is_refused(metadata_api, remote_server):
    status, body = metadata_api.fails(
        "add_remote_schema",
        {"name": "elsewhere", "definition": {"url": f"http://{UNLISTED}:{remote_server.port}/graphql"}},
    )

    assert status == 400
    assert body["code"] == "remote-schema-error", body
    assert body["error"].startswith("HTTP exception occurred while sending the request"), body
    assert f"host '{UNLISTED}' is not in the list of hosts" in str(body["internal"]), body
    assert remote_server.calls() == []
    assert metadata_api.export().get("remote_schemas") is None


def test_a_remote_schema_on_a_listed_host_is_added_and_queried(metadata_api, graphql_api, remote_server):
    metadata_api.ok(
        "add_remote_schema",
        {"name": "local", "definition": {"url": f"http://localhost:{remote_server.port}/graphql"}},
    )

    assert graphql_api.data("{ hello }") == {"hello": "hi"}
