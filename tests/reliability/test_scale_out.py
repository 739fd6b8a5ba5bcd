"""Three Joinery servers on one PostgreSQL metadata database: a change made anywhere is served everywhere.

Three gunicorn servers (two workers each) share the metadata database, as three hosts would. A
metadata change (track a table, create an action, add a select permission) is made through each
server in turn, and one with ``manage.py metadata apply`` against the database. Every server is
polled on new connections, so any of its workers may answer, until the change shows; it must show on
all of them within a second of the write's answer, and keep showing on every request after that.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from relationships.metadata_dir import write_metadata_dir
from tests.reliability.cluster import (
    JoineryProcess,
    execute,
    fresh_database,
    joinery_processes,
    manage,
    migrate,
)

pytestmark = pytest.mark.postgres

PROCESSES = 3
WORKERS = 2
THREADS = 4
SOURCE = "shop"
READER = "reader"
ITEM_TABLES = [f"item_{index}" for index in range(PROCESSES)]
APPLIED_TABLE = "applied_item"
# The change must be served by every process within this long after the write was answered.
PROPAGATION_LIMIT_S = 1.0
POLL_INTERVAL_S = 0.02
POLL_GIVE_UP_S = 10.0
# After the change shows, further requests (new connections, so any worker) must all serve it.
CONFIRMING_REQUESTS = 6


@dataclass(frozen=True)
class Change:
    """A metadata change and the GraphQL probe that tells whether a process serves it."""

    description: str
    make: Callable[[JoineryProcess], None]
    served_by: Callable[[JoineryProcess], bool]


def admin_ok(process: JoineryProcess, command: str, args: dict) -> None:
    answer = process.metadata(command, args)
    assert answer.status_code == 200, answer.text


def serves_table(table: str, role: str | None = None) -> Callable[[JoineryProcess], bool]:
    def probe(process: JoineryProcess) -> bool:
        answer = process.graphql(f"{{ {table} {{ id }} }}", role=role)
        if "errors" in answer:
            assert answer["errors"][0]["extensions"]["code"] == "validation-failed", answer
            return False
        assert answer == {"data": {table: [{"id": 1}]}}
        return True

    return probe


def serves_query_field(name: str) -> Callable[[JoineryProcess], bool]:
    def probe(process: JoineryProcess) -> bool:
        answer = process.graphql("{ __schema { queryType { fields { name } } } }")
        return name in {field["name"] for field in answer["data"]["__schema"]["queryType"]["fields"]}

    return probe


def action(name: str) -> dict:
    return {
        "name": name,
        "definition": {
            "kind": "synchronous",
            "type": "query",
            "arguments": [],
            "output_type": "String",
            "handler": "http://127.0.0.1:9/never-called",
        },
    }


def changes_through_one_process(index: int) -> list[Change]:
    """Track a table, create an action, then let ``reader`` select the table."""
    table = ITEM_TABLES[index]
    select = {"columns": ["id"], "filter": {}}
    return [
        Change(
            f"pg_track_table {table}",
            lambda process: admin_ok(process, "pg_track_table", {"source": SOURCE, "table": table}),
            serves_table(table),
        ),
        Change(
            f"create_action action_{index}",
            lambda process: admin_ok(process, "create_action", action(f"action_{index}")),
            serves_query_field(f"action_{index}"),
        ),
        Change(
            f"pg_create_select_permission {READER} on {table}",
            lambda process: admin_ok(
                process,
                "pg_create_select_permission",
                {"source": SOURCE, "table": table, "role": READER, "permission": select},
            ),
            serves_table(table, role=READER),
        ),
    ]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale-out")
    with (
        fresh_database("joinery_test_scale_meta") as metadata_url,
        fresh_database("joinery_test_scale_shop") as shop_url,
    ):
        for table in [*ITEM_TABLES, APPLIED_TABLE]:
            execute(
                shop_url, f'CREATE TABLE "{table}" (id int PRIMARY KEY); INSERT INTO "{table}" VALUES (1);'
            )
        migrate(metadata_url)
        with joinery_processes(
            metadata_url, folder, count=PROCESSES, workers=WORKERS, threads=THREADS
        ) as processes:
            source = {"name": SOURCE, "configuration": {"connection_info": {"database_url": shop_url}}}
            admin_ok(processes[0], "pg_add_source", source)
            yield metadata_url, processes


def seconds_until_served(processes: list[JoineryProcess], changes: list[Change], since: float) -> dict:
    """Seconds from ``since`` until each process serves each change, keyed by (change, process index).

    Every (change, process) pair is polled on a thread of its own, all starting at once, so one
    change's wait never counts against another's.
    """
    pairs = [(change, index) for change in changes for index in range(len(processes))]
    elapsed: dict[tuple[str, int], float] = {}
    failures: list[BaseException] = []

    def poll(change: Change, index: int) -> None:
        try:
            while time.monotonic() - since < POLL_GIVE_UP_S:
                if change.served_by(processes[index]):
                    elapsed[change.description, index] = time.monotonic() - since
                    return
                time.sleep(POLL_INTERVAL_S)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=poll, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    missing = [key for key in ((change.description, index) for change, index in pairs) if key not in elapsed]
    assert not missing, f"not served within {POLL_GIVE_UP_S} s: {missing}"
    return elapsed


def assert_served_everywhere_within_the_limit(processes, changes: list[Change], since: float) -> None:
    elapsed = seconds_until_served(processes, changes, since)
    late = {key: seconds for key, seconds in elapsed.items() if seconds > PROPAGATION_LIMIT_S}
    assert not late, f"served after more than {PROPAGATION_LIMIT_S} s: {late}"
    for change in changes:
        for process in processes:
            assert all(change.served_by(process) for _ in range(CONFIRMING_REQUESTS)), change.description


@pytest.mark.parametrize("through", range(PROCESSES))
def test_a_change_through_any_process_is_served_by_all_within_a_second(cluster, through):
    _, processes = cluster
    for change in changes_through_one_process(through):
        assert not any(change.served_by(process) for process in processes), change.description
        change.make(processes[through])
        assert_served_everywhere_within_the_limit(processes, [change], time.monotonic())


def test_a_change_applied_with_manage_py_is_served_by_all_within_a_second(cluster, tmp_path):
    metadata_url, processes = cluster
    exported = processes[0].metadata("export_metadata", {})
    assert exported.status_code == 200, exported.text
    desired = exported.json()
    desired.setdefault("actions", []).append(action("applied_action"))
    [shop] = desired["sources"]
    shop["tables"].append({"table": {"schema": "public", "name": APPLIED_TABLE}})
    write_metadata_dir(desired, tmp_path / "metadata")
    changes = [
        Change("applied_action", lambda process: None, serves_query_field("applied_action")),
        Change(APPLIED_TABLE, lambda process: None, serves_table(APPLIED_TABLE)),
    ]
    for change in changes:
        assert not any(change.served_by(process) for process in processes), change.description

    output = manage(metadata_url, "metadata", "apply", "--dir", str(tmp_path / "metadata"))
    applied = time.monotonic()

    assert "Applied 2 change(s)." in output, output
    assert_served_everywhere_within_the_limit(processes, changes, applied)
