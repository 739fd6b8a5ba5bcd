"""Concurrent metadata writers on a PostgreSQL metadata database, through a real gunicorn server.

Fifty writers, each on a connection of its own, read ``resource_version`` and then all add an
action of their own with it at once. Exactly one write per version goes through; the others get
Hasura's 409 ``conflict``, read again and retry. At the end every writer's action is stored and
served, and ``resource_version`` moved once per accepted write. Concurrent ``bulk`` requests, some
failing half-way, keep all of their changes or none.
"""

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import requests

from tests.reliability.cluster import fresh_database, joinery_processes, migrate

pytestmark = pytest.mark.postgres

WRITERS = 50
BULKS = 16
ACTIONS_PER_BULK = 3
WORKERS = 3
THREADS = 8
RETRY_DEADLINE_S = 60.0
# A writer that lost the race waits a little before reading again, as a client backing off would.
RETRY_JITTER_S = 0.02


def action_definition(name: str) -> dict:
    return {
        "name": name,
        "definition": {
            "kind": "synchronous",
            "type": "query",
            "arguments": [],
            "output_type": "String",
            # Never called: the tests only change and read metadata.
            "handler": "http://127.0.0.1:9/never-called",
        },
    }


def conflict_body(sent_version: int) -> dict:
    """The documented answer to a stale ``resource_version``."""
    return {
        "error": f"metadata resource version referenced ({sent_version}) did not match current version",
        "path": "$",
        "code": "conflict",
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with fresh_database("joinery_test_concurrency") as database_url:
        migrate(database_url)
        folder = tmp_path_factory.mktemp("concurrency")
        with joinery_processes(database_url, folder, count=1, workers=WORKERS, threads=THREADS) as [process]:
            yield process


def resource_version(server, session=None) -> int:
    answer = server.metadata("export_metadata", {}, session=session, version=2)
    assert answer.status_code == 200, answer.text
    return answer.json()["resource_version"]


def stored_actions(server) -> set[str]:
    answer = server.metadata("export_metadata", {})
    assert answer.status_code == 200, answer.text
    return {action["name"] for action in answer.json().get("actions", [])}


def query_root_fields(server) -> set[str]:
    answer = server.graphql("{ __schema { queryType { fields { name } } } }")
    return {field["name"] for field in answer["data"]["__schema"]["queryType"]["fields"]}


def run_together(count: int, work: Callable[[int, threading.Barrier], None]) -> None:
    """Run ``work(i, barrier)`` on ``count`` threads; re-raise the first failure."""
    barrier = threading.Barrier(count, timeout=RETRY_DEADLINE_S)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            work(index, barrier)
        except BaseException as error:
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RETRY_DEADLINE_S * 2)
    assert not [thread for thread in threads if thread.is_alive()], "a thread did not finish"
    if failures:
        raise failures[0]


@dataclass
class WriterLog:
    """What one writer saw: the version its accepted write carried, and its conflicts."""

    accepted_with: int | None = None
    conflicts: list[tuple[int, int, dict]] = field(default_factory=list)


def test_concurrent_writers_lose_no_update_and_each_version_is_taken_once(server):
    initial = resource_version(server)
    logs = [WriterLog() for _ in range(WRITERS)]

    def writer(index: int, barrier: threading.Barrier) -> None:
        log = logs[index]
        with requests.Session() as session:
            version = resource_version(server, session)
            # Everybody has read the same version before anybody writes: all but one must conflict.
            barrier.wait()
            deadline = time.monotonic() + RETRY_DEADLINE_S
            while time.monotonic() < deadline:
                answer = server.metadata(
                    "create_action",
                    action_definition(f"writer_{index}"),
                    session=session,
                    resource_version=version,
                )
                if answer.status_code == 200:
                    assert answer.json() == {"message": "success"}
                    log.accepted_with = version
                    return
                log.conflicts.append((version, answer.status_code, answer.json()))
                time.sleep(random.uniform(0, RETRY_JITTER_S))
                version = resource_version(server, session)
            pytest.fail(f"writer {index} was not accepted within {RETRY_DEADLINE_S} s")

    run_together(WRITERS, writer)

    names = {f"writer_{index}" for index in range(WRITERS)}
    assert names <= stored_actions(server)
    assert names <= query_root_fields(server)
    # Each accepted write carried a different version: the writes were applied one after another.
    assert sorted(log.accepted_with for log in logs) == list(range(initial, initial + WRITERS))
    assert resource_version(server) == initial + WRITERS
    conflicts = [conflict for log in logs for conflict in log.conflicts]
    assert len(conflicts) >= WRITERS - 1
    assert [(status, body) for _, status, body in conflicts] == [
        (409, conflict_body(sent)) for sent, _, _ in conflicts
    ]


def test_concurrent_bulks_are_all_or_nothing(server):
    initial = resource_version(server)
    answers: dict[int, requests.Response] = {}

    def failing(index: int) -> bool:
        return index % 2 == 1

    def bulk(index: int, barrier: threading.Barrier) -> None:
        commands = [
            {"type": "create_action", "args": action_definition(f"bulk_{index}_{part}")}
            for part in range(ACTIONS_PER_BULK)
        ]
        if failing(index):
            # Fails after the bulk's own actions were added to its working copy; more follow it.
            missing = {"type": "drop_action", "args": {"name": f"no_such_action_{index}"}}
            commands.insert(ACTIONS_PER_BULK - 1, missing)
        with requests.Session() as session:
            barrier.wait()
            answers[index] = server.metadata("bulk", commands, session=session)

    run_together(BULKS, bulk)

    stored = stored_actions(server)
    fields = query_root_fields(server)
    for index, answer in sorted(answers.items()):
        names = {f"bulk_{index}_{part}" for part in range(ACTIONS_PER_BULK)}
        if failing(index):
            assert answer.status_code == 400, answer.text
            assert answer.json()["code"] == "not-exists"
            assert answer.json()["path"].startswith(f"$.args[{ACTIONS_PER_BULK - 1}]")
            assert not names & stored
            assert not names & fields
        else:
            assert answer.status_code == 200, answer.text
            assert answer.json() == [{"message": "success"}] * ACTIONS_PER_BULK
            assert names <= stored
            assert names <= fields
    succeeded = sum(1 for index in answers if not failing(index))
    assert resource_version(server) == initial + succeeded
