"""A remote schema fails during a query, through a real gunicorn server: gone, cut off, hung.

The remote server goes down while a join to it waits for its answer, closes the connection after the
headers of its answer, or holds its answer past ``timeout_seconds``. The request gets
``remote-schema-error`` (``HTTP exception occurred while sending the request to "<url>"``), the rest
of the schema is served meanwhile, and the remote schema stays consistent: once the server answers
again, the next query succeeds within a second without any reload, and no worker died.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.reliability.recovery import (
    RECOVERY_LIMIT_S,
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
    PROFILE_DATA,
    PROFILE_QUERY,
    REMOTE_DATA,
    REMOTE_QUERY,
    TABLE_DATA,
    TABLE_QUERY,
    running_world,
)
from tests.support.servers import Reply

pytestmark = pytest.mark.postgres

EVERYTHING_ELSE = ((TABLE_QUERY, TABLE_DATA), (ACTION_QUERY, ACTION_DATA), (PROFILE_QUERY, PROFILE_DATA))
HOLD_S = 30
# The remote writes its status line and headers at once; this leaves it time to, before it is cut off.
HEADERS_SENT_S = 0.2


@pytest.fixture(scope="module")
def world(tmp_path_factory, migrated_template):
    with running_world(tmp_path_factory.mktemp("remote-faults"), migrated_template) as world:
        yield world


@pytest.fixture
def accounts(world):
    """The accounts server, up and answering normally again after the test."""
    yield world.accounts
    world.accounts.answer_normally()
    world.accounts.up()


def remote_calls(server) -> int:
    return len(server.calls(include_introspection=False))


def assert_connection_error(world, answer, kind: str) -> None:
    error = hasura_error(answer)
    url = world.accounts.endpoint
    assert error["message"] == f'HTTP exception occurred while sending the request to "{url}"', error
    assert error["extensions"]["code"] == "remote-schema-error", error
    assert error["extensions"]["internal"]["kind"] == kind, error


def assert_still_consistent(world) -> None:
    """Only the call failed: the remote schema itself is not reported inconsistent."""
    assert world.metadata("get_inconsistent_metadata", {}) == {
        "is_consistent": True,
        "inconsistent_objects": [],
    }


def assert_recovers_without_reload(world, record_property, since: float) -> None:
    elapsed = seconds_until(lambda: world.serves(JOIN_QUERY, JOIN_DATA), since)
    record_property("recovery_s", round(elapsed, 3))
    assert elapsed <= RECOVERY_LIMIT_S, f"the join answered again only {elapsed:.3f} s after the remote"
    assert world.serves(REMOTE_QUERY, REMOTE_DATA)
    assert worker_pids(world.server) == world.initial_workers


def cut_off_during(world, accounts, query: str, reply: Reply, *, after: float = 0.0):
    """Send ``query``; once the remote holds the call with ``reply``, take the remote down. The answer."""
    accounts.answer_with(reply)
    calls_before = remote_calls(accounts)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(world.graphql, query)
        wait_until(lambda: remote_calls(accounts) > calls_before, "the call to the remote")
        time.sleep(after)
        accounts.down()
        return pending.result()


def test_a_remote_going_down_while_a_join_waits_for_it(world, accounts, record_property):
    answer = cut_off_during(world, accounts, JOIN_QUERY, Reply(json={"data": {}}, delay=HOLD_S))

    assert_connection_error(world, answer, "connection")
    assert_connection_error(world, world.graphql(REMOTE_QUERY), "connection")
    world.assert_served(*EVERYTHING_ELSE)
    assert_still_consistent(world)

    accounts.answer_normally()
    accounts.up()
    assert_recovers_without_reload(world, record_property, time.monotonic())


def test_a_remote_closing_the_connection_mid_answer(world, accounts, record_property):
    reply = Reply(json={"data": {}}, chunked=True, chunk_delay=HOLD_S)
    answer = cut_off_during(world, accounts, JOIN_QUERY, reply, after=HEADERS_SENT_S)

    assert_connection_error(world, answer, "connection")
    world.assert_served(*EVERYTHING_ELSE)
    assert_still_consistent(world)

    accounts.answer_normally()
    accounts.up()
    assert_recovers_without_reload(world, record_property, time.monotonic())


def test_a_remote_hanging_past_its_timeout(world, accounts, record_property):
    accounts.answer_with(Reply(json={"data": {}}, delay=HOLD_S))
    calls_before = remote_calls(accounts)

    with ThreadPoolExecutor(1) as pool:
        hung = pool.submit(world.graphql, REMOTE_QUERY)
        wait_until(lambda: remote_calls(accounts) > calls_before, "the call to the remote")
        world.assert_served(*EVERYTHING_ELSE)
        assert not hung.done(), "the query should still be waiting for the remote"
        answer = hung.result()

    assert_connection_error(world, answer, "timeout")
    internal = hasura_error(answer)["extensions"]["internal"]
    assert f"within {CALL_TIMEOUT_S} s" in internal["message"], internal
    assert_still_consistent(world)

    accounts.answer_normally()
    assert_recovers_without_reload(world, record_property, time.monotonic())
