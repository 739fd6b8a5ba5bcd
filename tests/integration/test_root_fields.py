"""Root fields: independent query fields run concurrently, mutation fields one after the other."""

import time

import pytest

from tests.support.servers import Reply

DELAY = 0.4


def two_actions(webhook_server, action_type):
    kind = {"type": "query"} if action_type == "query" else {"kind": "synchronous"}
    actions = [
        {
            "name": name,
            "definition": {**kind, "handler": webhook_server.url(f"/{name}"), "output_type": "Result"},
        }
        for name in ("first", "second")
    ]
    custom_types = {"objects": [{"name": "Result", "fields": [{"name": "at", "type": "Float!"}]}]}
    return {"version": 3, "actions": actions, "custom_types": custom_types}


def slow_handler(started):
    def handle(request):
        started.append((request.path, time.monotonic()))
        return Reply(json={"at": time.monotonic()}, delay=DELAY)

    return handle


@pytest.mark.django_db
def test_query_root_fields_run_concurrently(metadata_api, graphql_api, webhook_server):
    started = []
    for path in ("/first", "/second"):
        webhook_server.route(path, slow_handler(started))
    metadata_api.ok("replace_metadata", two_actions(webhook_server, "query"))
    graphql_api.data("{ __typename }")  # builds the schema outside the timed request

    begin = time.monotonic()
    answer = graphql_api.post("{ first { at } second { at } }")
    elapsed = time.monotonic() - begin

    assert list(answer.body["data"]) == ["first", "second"]
    assert answer.http_calls == 2
    assert elapsed < 2 * DELAY
    assert abs(started[0][1] - started[1][1]) < DELAY


@pytest.mark.django_db
def test_mutation_root_fields_run_in_document_order(metadata_api, graphql_api, webhook_server):
    started = []
    for path in ("/first", "/second"):
        webhook_server.route(path, slow_handler(started))
    metadata_api.ok("replace_metadata", two_actions(webhook_server, "mutation"))

    answer = graphql_api.post("mutation { second { at } first { at } }")

    assert list(answer.body["data"]) == ["second", "first"]
    assert [path for path, _ in started] == ["/second", "/first"]
    assert started[1][1] - started[0][1] >= DELAY


@pytest.mark.django_db
def test_a_failing_root_field_fails_the_whole_request(metadata_api, graphql_api, webhook_server):
    webhook_server.route("/first", {"at": 1.0})
    webhook_server.route("/second", Reply(status=400, json={"message": "second failed"}))
    metadata_api.ok("replace_metadata", two_actions(webhook_server, "query"))

    answer = graphql_api.post("{ first { at } second { at } }")

    assert answer.body == {
        "errors": [{"message": "second failed", "extensions": {"path": "$", "code": "unexpected"}}]
    }
