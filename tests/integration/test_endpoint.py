"""The endpoint itself: admin-only details, schema refresh after metadata changes, methods."""

import pytest

from engine.metadata import Metadata
from relationships import selectors, store
from tests.support.servers import Reply

RESULT_TYPES = {"objects": [{"name": "Result", "fields": [{"name": "ok", "type": "Boolean!"}]}]}


def action(name, handler, **definition):
    return {
        "name": name,
        "definition": {"type": "query", "handler": handler, "output_type": "Result", **definition},
    }


def metadata_with(*actions):
    return {
        "version": 3,
        "actions": list(actions),
        "custom_types": RESULT_TYPES,
    }


@pytest.fixture
def failing(metadata_api, webhook_server):
    webhook_server.route("/boom", Reply(status=500, body=b"boom", headers=[("Content-Type", "text/plain")]))
    definition = action(
        "boom", webhook_server.url("/boom"), headers=[{"name": "X-Secret", "value_from_env": "BOOM_SECRET"}]
    )
    definition["permissions"] = [{"role": "user"}]
    return definition


def test_admins_see_the_request_and_response_of_a_failed_call(
    failing, metadata_api, graphql_api, webhook_server, monkeypatch
):
    monkeypatch.setenv("BOOM_SECRET", "hunter2")
    metadata_api.ok("replace_metadata", metadata_with(failing))

    (error,) = graphql_api.post("{ boom { ok } }").body["errors"]

    internal = error["extensions"]["internal"]
    assert error["message"] == "expecting 2xx or 4xx status code, but found 500"
    assert internal["error"] == "expecting 2xx or 4xx status code, but found 500"
    assert internal["request"]["url"] == webhook_server.url("/boom")
    assert internal["request"]["body"]["action"] == {"name": "boom"}
    assert {"name": "X-Secret", "value": "<redacted>"} in internal["request"]["headers"]
    assert "hunter2" not in str(internal)
    assert internal["response"]["status"] == 500
    assert internal["response"]["body"] == "boom"
    assert {"name": "Content-Type", "value": "text/plain"} in internal["response"]["headers"]


def test_other_roles_get_no_internal_details(failing, metadata_api, graphql_api, monkeypatch):
    monkeypatch.setenv("BOOM_SECRET", "hunter2")
    metadata_api.ok("replace_metadata", metadata_with(failing))

    answer = graphql_api.post("{ boom { ok } }", headers={"x-hasura-role": "user"})

    assert answer.body == {
        "errors": [
            {
                "message": "expecting 2xx or 4xx status code, but found 500",
                "extensions": {"path": "$", "code": "unexpected"},
            }
        ]
    }


def test_a_metadata_change_is_served_on_the_next_request(metadata_api, graphql_api, webhook_server):
    webhook_server.route("/one", {"ok": True})
    metadata_api.ok("replace_metadata", metadata_with(action("one", webhook_server.url("/one"))))
    assert graphql_api.data("{ one { ok } }") == {"one": {"ok": True}}

    metadata_api.ok("create_action", action("two", webhook_server.url("/one")))

    assert graphql_api.data("{ one { ok } two { ok } }") == {"one": {"ok": True}, "two": {"ok": True}}


def test_a_change_written_by_another_process_is_picked_up(metadata_api, graphql_api, webhook_server):
    webhook_server.route("/one", {"ok": True})
    metadata_api.ok("replace_metadata", metadata_with(action("one", webhook_server.url("/one"))))
    before = selectors.gateway_state()
    assert graphql_api.data("{ one { ok } }") == {"one": {"ok": True}}
    assert selectors.gateway_state() is before

    # What another server process commits: new rows and a new resource_version, nothing in this process.
    store.save_metadata(Metadata.from_dict(metadata_with(action("renamed", webhook_server.url("/one")))))
    state = store.load_state()
    state.resource_version += 1
    state.save(update_fields=["resource_version", "updated_at"])

    assert graphql_api.data("{ renamed { ok } }") == {"renamed": {"ok": True}}
    assert selectors.gateway_state() is not before


def test_inconsistent_objects_are_left_out(metadata_api, graphql_api, webhook_server):
    webhook_server.route("/one", {"ok": True})
    broken = action("broken", webhook_server.url("/one"), output_type="Missing")
    metadata_api.ok(
        "replace_metadata",
        {
            "metadata": metadata_with(action("one", webhook_server.url("/one")), broken),
            "allow_inconsistent_metadata": True,
        },
    )

    assert graphql_api.data("{ one { ok } }") == {"one": {"ok": True}}
    assert graphql_api.post("{ broken { ok } }").body["errors"][0]["message"] == (
        "field 'broken' not found in type: 'query_root'"
    )


def test_only_post_is_served(client, db):
    response = client.get("/v1/graphql")

    assert response.status_code == 405
    assert response.json() == {
        "errors": [
            {
                "message": "only POST is supported on /v1/graphql",
                "extensions": {"path": "$", "code": "not-supported"},
            }
        ]
    }


def test_a_wrong_admin_secret_is_refused_with_status_200(graphql_api, settings):
    settings.ADMIN_SECRET = "s3cret"

    answer = graphql_api.post("{ __typename }", headers={"x-hasura-admin-secret": "nope"})

    assert answer.status == 200
    assert answer.body == {
        "errors": [
            {
                "message": "invalid x-hasura-admin-secret/x-hasura-access-key",
                "extensions": {"path": "$", "code": "access-denied"},
            }
        ]
    }
