"""PostgreSQL restarts under load, behind two real gunicorn servers with two workers each.

A private PostgreSQL 15 cluster (never the machine's shared one) holds the ``shop`` source of both
servers, and the metadata database of the second; the first keeps its metadata on the machine's
cluster. Client threads keep querying both while the cluster stops (``pg_ctl stop -m fast``: every
connection is closed), stays down for a moment, and starts again. Meanwhile the first server's
metadata moves on (``reload_metadata``), so its workers build their schemas without the source.

During the outage, table queries get an error in Hasura's shape (HTTP 200, JSON, no HTML page, no
stack trace), and the action, which needs no database, is still served (by the second server's
workers that have read the metadata before). Within a second of the cluster accepting connections
again table queries succeed, and all requests do from then on: pooled connections that died with the
old server are replaced, schemas built without the source are built again. No worker died, and the
metadata is what it was.
"""

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests

from tests.reliability.cluster import JoineryProcess, execute, joinery_processes, migrate
from tests.reliability.private_postgres import initdb_missing_reason, private_cluster
from tests.reliability.recovery import (
    RECOVERY_LIMIT_S,
    Answer,
    hasura_error,
    post_graphql,
    wait_for_workers,
    worker_pids,
)
from tests.reliability.world import (
    ACTION_DATA,
    ACTION_QUERY,
    CUSTOMER_TABLE,
    TABLE_DATA,
    TABLE_QUERY,
    copied_database,
    greet,
    world_metadata,
)
from tests.support.servers import WebhookServer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        initdb_missing_reason() is not None, reason=f"no private cluster: {initdb_missing_reason()}"
    ),
]

WORKERS = 2
THREADS = 4
CLIENTS = 8
# Answers each client must have had before the restart, so that the servers hold pooled connections.
WARM_UP_ANSWERS = 10
OUTAGE_S = 0.6
# How long the load goes on after the cluster is back: past the recovery limit, to see it hold.
AFTER_S = RECOVERY_LIMIT_S + 0.5
REQUEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Sample:
    """One request of the load: where it went, what it asked, when it was sent and answered, the answer."""

    url: str
    query: str
    sent: float
    answered: float
    answer: Answer


class Load:
    """Client threads sending every query to every server in turn, on a new connection each, until stopped."""

    def __init__(self, urls: list[str], queries: list[str], clients: int) -> None:
        self.requests = list(itertools.product(urls, queries))
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(index,)) for index in range(clients)]

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def answered(self) -> int:
        with self._lock:
            return len(self.samples)

    def _run(self, index: int) -> None:
        for url, query in itertools.islice(itertools.cycle(self.requests), index, None):
            if self._stop.is_set():
                return
            sent = time.monotonic()
            answer = self._post(url, query)
            with self._lock:
                self.samples.append(Sample(url, query, sent, time.monotonic(), answer))

    def _post(self, url: str, query: str) -> Answer:
        try:
            return post_graphql(url, query, timeout=REQUEST_TIMEOUT_S)
        except requests.RequestException as error:
            return Answer(0, "", f"no answer: {error!r}", None)


@dataclass(frozen=True)
class Outage:
    """When the cluster was down (stopped), restarted, and accepting connections again (monotonic times)."""

    down: float
    restarted: float
    accepting: float


@dataclass
class Deployment:
    """A Joinery server, with its workers and its metadata as they were before the restart."""

    metadata_at: str
    server: JoineryProcess
    workers: set[int]
    metadata: dict


@pytest.fixture(scope="module")
def cluster():
    with private_cluster() as cluster:
        yield cluster


@pytest.fixture
def webhook():
    with WebhookServer() as server:
        server.route("/greet", greet)
        yield server


def new_database(cluster, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    cluster.execute(f"CREATE DATABASE {name}")
    return cluster.url(name)


def shop_database(cluster) -> str:
    url = new_database(cluster, "shop")
    execute(url, CUSTOMER_TABLE)
    return url


@contextmanager
def deployed(metadata_at: str, metadata_url: str, folder, metadata: dict) -> Iterator[Deployment]:
    with joinery_processes(metadata_url, folder, count=1, workers=WORKERS, threads=THREADS) as [server]:
        workers = wait_for_workers(server, WORKERS)
        replaced = server.metadata("replace_metadata", metadata)
        assert replaced.status_code == 200, replaced.text
        yield Deployment(metadata_at, server, workers, export(server))


def export(server: JoineryProcess) -> dict:
    answer = server.metadata("export_metadata", {})
    assert answer.status_code == 200, answer.text
    return answer.json()


def restart(cluster, during_outage: Callable[[], None]) -> Outage:
    """Stop the cluster, hold the outage, start it again."""
    cluster.stop("fast")
    down = time.monotonic()
    during_outage()
    time.sleep(max(0.0, down + OUTAGE_S - time.monotonic()))
    restarted = time.monotonic()
    cluster.start(wait=False)
    return Outage(down, restarted, cluster.wait_until_accepting())


def move_metadata_on(deployment: Deployment) -> None:
    """Move ``resource_version`` while the source is down: every worker builds its schema without it."""
    answer = deployment.server.metadata("reload_metadata", {"reload_remote_schemas": False})
    assert answer.status_code == 200, answer.text
    assert answer.json()["is_consistent"] is False, answer.text


def assert_clear(sample: Sample, data: dict) -> None:
    """A success with the right data, or one error in Hasura's shape."""
    if sample.answer.data is None:
        hasura_error(sample.answer)
    else:
        assert sample.answer.data == data, sample


def seconds_to_recover(samples: list[Sample], outage: Outage) -> float:
    """Check one server's table queries through the outage; the seconds until they succeeded again."""
    tables = [sample for sample in samples if sample.query == TABLE_QUERY]
    assert all(sample.answer.data is None for sample in during(tables, outage))
    recovered = [s.answered for s in tables if s.answered >= outage.accepting and s.answer.data is not None]
    assert recovered, "no query succeeded after the restart"
    return min(recovered) - outage.accepting


def during(samples: list[Sample], outage: Outage) -> list[Sample]:
    """The samples sent once the cluster was down and answered before it was started again."""
    inside = [s for s in samples if outage.down <= s.sent and s.answered <= outage.restarted]
    assert inside, "no query was answered during the outage"
    return inside


def assert_actions_served(deployment: Deployment, samples: list[Sample], outage: Outage) -> None:
    """The action needs no database: while the metadata is elsewhere, every call is served.

    With the metadata on the restarted cluster, a worker serves the metadata it read last; one that
    has read none (a worker that happened to get no request yet) can only answer with an error.
    """
    actions = [sample for sample in samples if sample.query == ACTION_QUERY]
    if deployment.metadata_at == "elsewhere":
        assert all(sample.answer.data == ACTION_DATA for sample in actions)
    else:
        assert any(sample.answer.data == ACTION_DATA for sample in during(actions, outage))


def assert_recovered(deployment: Deployment, samples: list[Sample], outage: Outage, record_property) -> None:
    mine = [sample for sample in samples if sample.url == deployment.server.url]
    recovery = seconds_to_recover(mine, outage)
    record_property(f"recovery_s (metadata {deployment.metadata_at})", round(recovery, 3))
    assert recovery <= RECOVERY_LIMIT_S, (deployment.metadata_at, recovery)
    late = [s for s in mine if s.sent >= outage.accepting + RECOVERY_LIMIT_S and s.answer.data is None]
    assert not late, (deployment.metadata_at, late[:3])
    assert_actions_served(deployment, mine, outage)
    assert worker_pids(deployment.server) == deployment.workers, deployment.metadata_at
    assert export(deployment.server) == deployment.metadata, deployment.metadata_at


def test_postgres_restarting_under_load(cluster, webhook, migrated_template, tmp_path, record_property):
    metadata = world_metadata(shop_database(cluster), webhook, {})
    on_cluster_url = new_database(cluster, "metadata")
    migrate(on_cluster_url)
    with (
        copied_database(migrated_template) as elsewhere_url,
        deployed("elsewhere", elsewhere_url, tmp_path, metadata) as elsewhere,
        deployed("on the restarted cluster", on_cluster_url, tmp_path, metadata) as on_cluster,
    ):
        deployments = [elsewhere, on_cluster]
        with Load([d.server.url for d in deployments], [TABLE_QUERY, ACTION_QUERY], CLIENTS) as load:
            while load.answered() < WARM_UP_ANSWERS * CLIENTS:
                time.sleep(0.02)
            outage = restart(cluster, lambda: move_metadata_on(elsewhere))
            time.sleep(AFTER_S)

        expected = {TABLE_QUERY: TABLE_DATA, ACTION_QUERY: ACTION_DATA}
        for sample in load.samples:
            assert_clear(sample, expected[sample.query])
        for deployment in deployments:
            assert_recovered(deployment, load.samples, outage, record_property)
