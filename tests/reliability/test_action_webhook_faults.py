"""An action's webhook fails, through a real gunicorn server: refused, hung, 5xx, garbage.

While the webhook fails, the action's requests get the error docs/webhooks.md documents (HTTP 200,
``{"errors": [...]}``, code ``unexpected``, details in ``internal`` for admins), and everything else
(tables, remote schemas, joins) is served at the same time. Once the webhook is back, the action
answers again within a second, and no worker died.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.reliability.recovery import (
    RECOVERY_LIMIT_S,
    concurrently,
    hasura_error,
    seconds_until,
    wait_until,
    worker_pids,
)
from tests.reliability.world import (
    ACTION_DATA,
    ACTION_QUERY,
    CALL_TIMEOUT_S,
    JOIN_DATA,
    JOIN_QUERY,
    REMOTE_DATA,
    REMOTE_QUERY,
    TABLE_DATA,
    TABLE_QUERY,
    greet,
    running_world,
)
from tests.support.servers import Reply

pytestmark = pytest.mark.postgres

EVERYTHING_ELSE = ((TABLE_QUERY, TABLE_DATA), (REMOTE_QUERY, REMOTE_DATA), (JOIN_QUERY, JOIN_DATA))
HANG_S = 30


@pytest.fixture(scope="module")
def world(tmp_path_factory, migrated_template):
    with running_world(tmp_path_factory.mktemp("action-faults"), migrated_template) as world:
        yield world


@pytest.fixture
def webhook(world):
    """The webhook server, answering /greet normally again after the test."""
    yield world.webhook
    world.webhook.start()
    world.webhook.route("/greet", greet)


def the_action_fails_while_the_rest_is_served(world, message: str) -> dict:
    """Send the action together with everything else; the action's error (the rest must succeed)."""
    answers = concurrently(
        lambda: world.graphql(ACTION_QUERY), *[lambda q=q: world.graphql(q) for q, _ in EVERYTHING_ELSE]
    )
    for (query, data), answer in zip(EVERYTHING_ELSE, answers[1:], strict=True):
        assert answer.data == data, (query, answer.text[:2000])
    error = hasura_error(answers[0])
    assert error["message"] == message, error
    assert error["extensions"]["code"] == "unexpected", error
    return error


def assert_recovers(world, record_property, since: float) -> None:
    elapsed = seconds_until(lambda: world.serves(ACTION_QUERY, ACTION_DATA), since)
    record_property("recovery_s", round(elapsed, 3))
    assert elapsed <= RECOVERY_LIMIT_S, f"the action answered again only {elapsed:.3f} s after the webhook"
    assert worker_pids(world.server) == world.initial_workers


def test_a_webhook_refusing_connections(world, webhook, record_property):
    webhook.stop()

    error = the_action_fails_while_the_rest_is_served(world, "http exception when calling webhook")
    assert "Connection refused" in error["extensions"]["internal"]["error"], error

    webhook.start()
    assert_recovers(world, record_property, time.monotonic())


def test_a_webhook_hanging_past_the_action_timeout(world, webhook, record_property):
    webhook.route("/greet", Reply(json={"message": "too late", "length": 0}, delay=HANG_S))
    calls_before = len(webhook.calls("/greet"))

    with ThreadPoolExecutor(1) as pool:
        hung = pool.submit(world.graphql, ACTION_QUERY)
        wait_until(lambda: len(webhook.calls("/greet")) > calls_before, "the webhook call")
        world.assert_served(*EVERYTHING_ELSE)
        assert not hung.done(), "the action should still be waiting for its webhook"
        error = hasura_error(hung.result())

    assert error["message"] == "http exception when calling webhook", error
    assert error["extensions"]["code"] == "unexpected", error
    assert f"within {CALL_TIMEOUT_S} s" in error["extensions"]["internal"]["error"], error

    webhook.route("/greet", greet)
    assert_recovers(world, record_property, time.monotonic())


def test_a_webhook_answering_5xx(world, webhook, record_property):
    webhook.route(
        "/greet",
        Reply(status=503, body=b"<html>Service Unavailable</html>", headers=[("Content-Type", "text/html")]),
    )

    error = the_action_fails_while_the_rest_is_served(
        world, "expecting 2xx or 4xx status code, but found 503"
    )
    assert error["extensions"]["internal"]["response"]["status"] == 503, error

    webhook.route("/greet", greet)
    assert_recovers(world, record_property, time.monotonic())


GARBAGE = {
    "not JSON": (
        Reply(body=b"<html>hello</html>", headers=[("Content-Type", "text/html")]),
        "not a valid json response from webhook",
    ),
    "truncated JSON": (
        Reply(body=b'{"message": "hello Ar', headers=[("Content-Type", "application/json")]),
        "not a valid json response from webhook",
    ),
    "a number for a String": (
        Reply(json={"message": 5, "length": 4}),
        'expecting String for field "message", but found number',
    ),
    "a list for an object": (
        Reply(json=[{"message": "hello Arya", "length": 4}]),
        "got array for the action webhook response, expecting Greeting",
    ),
}


@pytest.mark.parametrize("garbage", GARBAGE)
def test_a_webhook_answering_garbage(world, webhook, record_property, garbage):
    reply, message = GARBAGE[garbage]
    webhook.route("/greet", reply)

    error = the_action_fails_while_the_rest_is_served(world, message)
    assert error["extensions"]["internal"]["response"]["status"] == 200, error

    webhook.route("/greet", greet)
    assert_recovers(world, record_property, time.monotonic())
