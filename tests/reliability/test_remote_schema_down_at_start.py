"""Remote schemas that are down when a real gunicorn server starts.

``profiles`` was already down when the metadata was applied (``manage.py metadata apply
--allow-inconsistent``), so no introspection of it is known: the server starts, serves the rest of
the schema, leaves out ``profile`` and the ``customer.profile`` relationship, and reports why. Once the
server is back, ``reload_remote_schema`` restores them.

``accounts`` was introspected when the metadata was applied and is down when the server starts. Its
introspection is stored with the metadata, so its fields are served; calls to it fail with
``remote-schema-error`` until it is back, and then succeed within a second without any reload.
"""

import time

import pytest

from tests.reliability.recovery import RECOVERY_LIMIT_S, hasura_error, seconds_until, worker_pids
from tests.reliability.world import (
    ACTION_DATA,
    ACTION_QUERY,
    PROFILE_DATA,
    PROFILE_JOIN_DATA,
    PROFILE_JOIN_QUERY,
    PROFILE_QUERY,
    REMOTE_DATA,
    REMOTE_QUERY,
    TABLE_DATA,
    TABLE_QUERY,
    running_world,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def world(tmp_path_factory, migrated_template):
    with running_world(
        tmp_path_factory.mktemp("down-at-start"),
        migrated_template,
        down_when_applied=["profiles"],
        down_when_started=["profiles", "accounts"],
    ) as world:
        yield world


def inconsistent_objects(world) -> list[dict]:
    return world.metadata("get_inconsistent_metadata", {})["inconsistent_objects"]


def test_a_remote_never_reached_is_left_out_until_reloaded(world, record_property):
    url = world.profiles.endpoint
    [profiles] = [item for item in inconsistent_objects(world) if item["type"] == "remote_schema"]
    assert profiles["name"] == "remote_schema profiles", profiles
    assert f'HTTP exception occurred while sending the request to "{url}"' in profiles["reason"], profiles

    missing = hasura_error(world.graphql(PROFILE_QUERY))
    assert missing == {
        "message": "field 'profile' not found in type: 'query_root'",
        "extensions": {"path": "$.selectionSet.profile", "code": "validation-failed"},
    }
    assert hasura_error(world.graphql(PROFILE_JOIN_QUERY))["extensions"]["code"] == "validation-failed"
    world.assert_served((TABLE_QUERY, TABLE_DATA), (ACTION_QUERY, ACTION_DATA))

    world.profiles.up()
    assert world.metadata("reload_remote_schema", {"name": "profiles"}) == {"message": "success"}
    reloaded = time.monotonic()

    elapsed = seconds_until(lambda: world.serves(PROFILE_JOIN_QUERY, PROFILE_JOIN_DATA), reloaded)
    record_property("recovery_s", round(elapsed, 3))
    assert elapsed <= RECOVERY_LIMIT_S, f"served only {elapsed:.3f} s after the reload"
    assert world.serves(PROFILE_QUERY, PROFILE_DATA)
    assert not [item for item in inconsistent_objects(world) if "profiles" in item["name"]]
    assert worker_pids(world.server) == world.initial_workers


def test_a_remote_known_but_down_is_served_and_recovers_without_reload(world, record_property):
    url = world.accounts.endpoint
    error = hasura_error(world.graphql(REMOTE_QUERY))
    assert error["message"] == f'HTTP exception occurred while sending the request to "{url}"', error
    assert error["extensions"]["code"] == "remote-schema-error", error
    assert "Connection refused" in error["extensions"]["internal"]["message"], error
    assert not [item for item in inconsistent_objects(world) if "accounts" in item["name"]]
    world.assert_served((TABLE_QUERY, TABLE_DATA), (ACTION_QUERY, ACTION_DATA))

    world.accounts.up()
    back = time.monotonic()

    elapsed = seconds_until(lambda: world.serves(REMOTE_QUERY, REMOTE_DATA), back)
    record_property("recovery_s", round(elapsed, 3))
    assert elapsed <= RECOVERY_LIMIT_S, f"served only {elapsed:.3f} s after the remote came back"
    assert worker_pids(world.server) == world.initial_workers
