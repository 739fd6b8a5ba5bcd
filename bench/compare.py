"""Benchmark: Joinery against peer gateways, on the same fixture, stubs and cells, with each cell's floor.

    client ──▶ server under test (1 worker) ──▶ webhook stub, remote stub (graphql-yoga), PostgreSQL

Servers (``bench.peers.servers``): Joinery (gunicorn gthread); strawberry with DataLoaders (gunicorn +
uvicorn worker); graphene-django batching by hand (gunicorn gthread); graphql-tools stitching with
batch delegation (node, graphql-yoga). One runs at a time, against the same database, webhook stub
and remote stub. For each server:

1. capture (once, before the server is first timed): the server starts with statement logging on
   the benchmark database; per cell, one request whose response, canonicalised, must equal the
   expected one (otherwise the cell is reported invalid for that server and not timed), then three
   requests whose statements are read from the PostgreSQL log (statements and round trips per
   request);
2. timing: the server restarts without statement logging; per cell, c = 1 over one keep-alive
   ``http.client`` connection (p50/p90/p99), then c = 8 (and 32) with wrk (requests/s); the last
   answer is checked again. Around each run: CPU time of the server's processes, of the PostgreSQL
   backends and of the stubs (/proc), webhook and remote calls (the stubs' counters); peak RSS of
   the worker at the end.

Right after Joinery's c = 1 run of a cell, the floor of that cell is measured: the exact webhook
body, SQL and remote body Joinery sent, replayed with raw clients on warm connections, plus
Joinery's request and response through a null app on the same gunicorn set-up and
``orjson.dumps`` of the response (``bench.http_floor``).

The whole sequence of servers runs the profile's number of times, in alternating order (Joinery,
strawberry, graphene, stitching, then the reverse, …), as performance.md §5.3 asks: the report
gives the median of the repetitions and flags cells whose repetitions differ by more than 10 %
(``bench.compare_report``).

    .venv/bin/python -m bench.compare [--profile quick|full] [--servers Joinery,strawberry,graphene,stitching]
        [--cells 'W1:100,W4:1000'] [--repetitions 3]
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
import psycopg2

from bench import action_join, dataset, loadgen, remote_joins
from bench.compare_report import Floor, FloorKey, Run, report
from bench.fixture import BenchDatabase, admin_connection
from bench.http_floor import NullServer, encode_samples
from bench.joinery_server import JoineryServer
from bench.peers.servers import (
    GRAPHQL_PATH,
    Gateway,
    JoineryGateway,
    node_modules_installed,
    peer_environment,
    peers,
)
from bench.pg_log import StatementLog
from bench.procstat import cpu_seconds, cpu_seconds_between, cpu_seconds_by_pid, peak_rss_kib
from bench.remote_stub import GRAPHQL_PATH as REMOTE_PATH
from bench.remote_stub import NodeRemoteStubProcess, RemoteStubProcess, stock_qty
from bench.timing import keep_alive_connection, percentile, post, timed
from bench.webhook_stub import ACTION_PATH, StubProcess

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results"
CAPTURE_REQUESTS = action_join.CAPTURE_REQUESTS
W2_QUERY = (
    "{ recent_orders(limit: %d) { id customer { name orders(limit: 5, order_by: {id: asc}) { id total } } } }"
)
W2_ORDERS = 5
W5_QUERY = "{ recent_orders(limit: %d) { id customer { name stock_list { qty warehouse_info { name } } } } }"
WAREHOUSES = 10  # the remote stub's Stock.warehouse is W0 … W9
WAREHOUSES_SQL = """
CREATE TABLE warehouses (code text PRIMARY KEY, name text NOT NULL);
INSERT INTO warehouses SELECT 'W' || i, 'Warehouse ' || i FROM generate_series(0, %s - 1) AS i;
ANALYZE warehouses;
"""
JSON = {"Content-Type": "application/json"}
POOL_SIZE = 4
LOAD_ROUNDS = 3  # a wrk run lasts at least this many c = 1 latencies per connection …
MAX_LOAD_S = 15.0  # … up to this long


@dataclass(frozen=True)
class Workload:
    """One request shape of performance.md §5.2 and where its joins go."""

    name: str
    query: Callable[[int], str]
    expected: Callable[[int], dict[str, Any]]
    uses_webhook: bool
    uses_remote: bool
    expected_sql: int  # statements per request at one statement per database join level, as Hasura


def w2_expected(n: int) -> dict[str, Any]:
    """The response of W2: each order's customer with its first five orders."""

    def orders(customer: int) -> list[dict[str, Any]]:
        first = (customer - 1) * dataset.ORDERS_PER_CUSTOMER + 1
        return [{"id": i, "total": dataset.order_total(i)} for i in range(first, first + W2_ORDERS)]

    rows = [
        {
            "id": row["id"],
            "customer": {"name": f"Customer {row['customer_id']}", "orders": orders(row["customer_id"])},
        }
        for row in dataset.recent_orders(n)
    ]
    return {"data": {"recent_orders": rows}}


def w5_expected(n: int) -> dict[str, Any]:
    """The response of W5: each order's customer, its stock (remote) and the stock's warehouse (table)."""

    def customer(customer_id: int) -> dict[str, Any]:
        warehouse = {"name": f"Warehouse {customer_id % WAREHOUSES}"}
        stock = {"qty": stock_qty(customer_id), "warehouse_info": warehouse}
        return {"name": f"Customer {customer_id}", "stock_list": stock}

    rows = [{"id": row["id"], "customer": customer(row["customer_id"])} for row in dataset.recent_orders(n)]
    return {"data": {"recent_orders": rows}}


def _remote_workload(name: str) -> Workload:
    return Workload(
        name,
        lambda n: remote_joins.query(name, n),
        lambda n: remote_joins.expected_response(name, n),
        uses_webhook=False,
        uses_remote=True,
        expected_sql=1,
    )


WORKLOADS = {
    "W1": Workload(
        "W1",
        lambda n: action_join.QUERY % n,
        dataset.expected_response,
        uses_webhook=True,
        uses_remote=False,
        expected_sql=1,
    ),
    "W2": Workload(
        "W2", lambda n: W2_QUERY % n, w2_expected, uses_webhook=True, uses_remote=False, expected_sql=1
    ),
    "W3 alias": _remote_workload("W3 alias"),
    "W3 list": _remote_workload("W3 list"),
    "W4": _remote_workload("W4"),
    "W5": Workload(
        "W5", lambda n: W5_QUERY % n, w5_expected, uses_webhook=True, uses_remote=True, expected_sql=2
    ),
}


@dataclass(frozen=True)
class Profile:
    """Which cells run, at which concurrencies, for how long."""

    cells: tuple[tuple[str, int], ...]
    concurrencies: tuple[int, ...]
    max_concurrent_n: int  # larger N run at c = 1 only
    warmup_s: float
    measure_s: float  # c = 1: at least this long (and MIN_REQUESTS); c > 1: the wrk run
    min_requests: int
    max_requests: int
    floor_requests: int
    repetitions: int  # of the whole sequence of servers, in alternating order
    hard_limit_s: int  # the benchmark stops itself (cleaning up) after this long

    def concurrency_of(self, n: int) -> tuple[int, ...]:
        """The concurrencies a cell of size ``n`` runs at."""
        return tuple(c for c in self.concurrencies if c == 1 or n <= self.max_concurrent_n)


def _cells(spec: dict[str, tuple[int, ...]]) -> tuple[tuple[str, int], ...]:
    return tuple((workload, n) for workload, sizes in spec.items() for n in sizes)


PROFILES = {
    "quick": Profile(
        cells=_cells(
            {"W1": (100, 1_000), "W3 alias": (100, 1_000), "W3 list": (100, 1_000), "W4": (100, 1_000)}
        ),
        concurrencies=(1, 8),
        max_concurrent_n=1_000,
        warmup_s=0.5,
        measure_s=2.0,
        min_requests=10,
        max_requests=300,
        floor_requests=30,
        repetitions=3,
        hard_limit_s=1_200,
    ),
    "full": Profile(
        cells=_cells(
            {
                "W1": (1, 100, 1_000, 10_000),
                "W2": (1, 100, 1_000),
                "W3 alias": (1, 100, 1_000),
                "W3 list": (1, 100, 1_000, 10_000),
                "W4": (1, 100, 1_000, 10_000),
                "W5": (1, 100, 1_000),
            }
        ),
        concurrencies=(1, 8, 32),
        max_concurrent_n=1_000,
        warmup_s=3.0,
        measure_s=10.0,
        min_requests=30,
        max_requests=2_000,
        floor_requests=200,
        repetitions=3,
        hard_limit_s=5 * 3_600,
    ),
}


def canonical(body: bytes | dict[str, Any]) -> bytes:
    """A response with sorted keys and one spelling per number, for comparison."""
    value = orjson.loads(body) if isinstance(body, bytes) else body
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


@dataclass
class CellCapture:
    """What one server's capture requests for a cell showed."""

    valid: bool
    note: str = ""
    statements: float = 0.0
    round_trips: float = 0.0
    joinery: action_join.Capture | None = None
    webhook_body: bytes = b""
    remote_body: bytes = b""
    request: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    response: bytes = b""


@dataclass
class Counters:
    """CPU seconds (per database backend for PostgreSQL) and stub call counts at one moment."""

    gateway_cpu: float
    postgres_cpu: dict[int, float]
    webhook_cpu: float
    remote_cpu: float
    webhook_calls: int
    remote_calls: int
    wall: float = field(default_factory=time.monotonic)


class Bench:
    """Runs every server through the cells against a started database and stubs."""

    def __init__(
        self,
        profile: Profile,
        database: BenchDatabase,
        log: StatementLog,
        webhook: StubProcess,
        remote: RemoteStubProcess,
        workdir: Path,
    ) -> None:
        self.profile = profile
        self.database = database
        self.log = log
        self.webhook = webhook
        self.remote = remote
        self.workdir = workdir
        self.admin = psycopg2.connect(database.admin_url)
        self.admin.autocommit = True
        self.floor_sql = psycopg2.connect(database.url)
        self.floor_sql.autocommit = True
        self.null_server = NullServer(PROJECT)
        self.floors: dict[FloorKey, Floor] = {}

    def close(self) -> None:
        """Stop the null server, close the connections."""
        self.null_server.stop()
        self.floor_sql.close()
        self.admin.close()

    # --- capture ---------------------------------------------------------------------------------

    def capture(self, gateway: Gateway) -> dict[tuple[str, int], CellCapture]:
        """Start ``gateway`` with statement logging, check and capture every cell, stop it."""
        self.database.log_every_statement(True)
        gateway.start()
        try:
            return {cell: self.capture_cell(gateway, *cell) for cell in self.profile.cells}
        finally:
            gateway.stop()
            self.database.log_every_statement(False)

    def capture_cell(self, gateway: Gateway, name: str, n: int) -> CellCapture:
        """Check one response, then read the statements of CAPTURE_REQUESTS more."""
        workload = WORKLOADS[name]
        body = orjson.dumps({"query": workload.query(n)})
        connection = keep_alive_connection(gateway.port)
        try:
            response = self.send(connection, body, gateway)
            problem = self.problem(workload, n, response)
            if problem:
                return CellCapture(valid=False, note=problem)
            offset = self.log.end()
            for _ in range(CAPTURE_REQUESTS):
                self.send(connection, body, gateway)
        finally:
            connection.close()
        logged = self.log.statements_since(offset, self.database.name)
        data = [statement for statement in logged if not statement.is_transaction_control]
        capture = CellCapture(
            valid=True, statements=len(data) / CAPTURE_REQUESTS, round_trips=len(logged) / CAPTURE_REQUESTS
        )
        if isinstance(gateway, JoineryGateway):
            capture.joinery = action_join.Capture.of(logged, CAPTURE_REQUESTS)
            capture.webhook_body = self.webhook.last_body(n) if workload.uses_webhook else b""
            capture.remote_body = self.remote.last_body() if workload.uses_remote else b""
            capture.request, capture.headers, capture.response = body, gateway.headers, response
        return capture

    @staticmethod
    def send(connection: Any, body: bytes, gateway: Gateway) -> bytes:
        """One request; the body of any answer (a non-200 answer is returned, not raised)."""
        connection.request("POST", GRAPHQL_PATH, body, gateway.headers)
        return connection.getresponse().read()

    @staticmethod
    def problem(workload: Workload, n: int, response: bytes) -> str:
        """Why a response is not the expected one ("" when it is)."""
        try:
            if canonical(response) == canonical(workload.expected(n)):
                return ""
        except orjson.JSONDecodeError:
            pass
        return f"unexpected response: {response[:300]!r}"

    # --- timing ----------------------------------------------------------------------------------

    def time_server(
        self, gateway: Gateway, captures: dict[tuple[str, int], CellCapture], repetition: int
    ) -> list[Run]:
        """Start ``gateway`` (no statement logging) and run every cell at every concurrency.

        For Joinery, each cell's floor is measured right after its c = 1 run.
        """
        runs = []
        gateway.start()
        try:
            for (name, n), capture in captures.items():
                workload = WORKLOADS[name]
                body = orjson.dumps({"query": workload.query(n)})
                sequential_p50_ms = 0.0
                for concurrency in self.profile.concurrency_of(n):
                    print(f"{gateway.name}: {name} N={n:,} c={concurrency} ...", file=sys.stderr)
                    run = Run(gateway.name, name, n, concurrency, capture.valid, capture.note, repetition)
                    run.expected_sql = workload.expected_sql
                    run.expected_webhook, run.expected_remote = (
                        int(workload.uses_webhook),
                        int(workload.uses_remote),
                    )
                    run.sql_statements, run.pg_round_trips = capture.statements, capture.round_trips
                    if run.valid and concurrency == 1:
                        self.time_sequential(gateway, workload, n, body, run)
                        sequential_p50_ms = run.p50_ms
                        if isinstance(gateway, JoineryGateway) and capture.joinery is not None:
                            self.floors[((name, n), repetition)] = self.floor(capture)
                    elif run.valid:
                        self.time_concurrent(gateway, body, concurrency, sequential_p50_ms, run)
                    runs.append(run)
            peak = max(peak_rss_kib(pid) for pid in gateway.worker_pids())
        finally:
            gateway.stop()
        for run in runs:
            run.worker_peak_rss_kib = peak
        return runs

    def time_sequential(self, gateway: Gateway, workload: Workload, n: int, body: bytes, run: Run) -> None:
        """One connection: warm up, then time requests one after the other; check the last answer again."""
        connection = keep_alive_connection(gateway.port)

        def call() -> bytes:
            return post(connection, GRAPHQL_PATH, body, gateway.headers)

        try:
            deadline = time.monotonic() + self.profile.warmup_s
            while time.monotonic() < deadline:
                call()
            harness_cpu = time.process_time()
            before = self.counters(gateway)
            samples: list[float] = []
            deadline = time.monotonic() + self.profile.measure_s
            while len(samples) < self.profile.max_requests and (
                len(samples) < self.profile.min_requests or time.monotonic() < deadline
            ):
                samples.extend(timed(call, 1))
            after = self.counters(gateway)
            harness_cpu = time.process_time() - harness_cpu
            response = call()
        finally:
            connection.close()
        problem = self.problem(workload, n, response)
        if problem:
            run.valid, run.note = False, f"after timing: {problem}"
            return
        run.requests = len(samples)
        run.p50_ms, run.p90_ms = percentile(samples, 0.5), percentile(samples, 0.9)
        run.p99_ms, run.max_ms = percentile(samples, 0.99), max(samples)
        run.response_bytes = len(response)
        self.per_request(run, before, after, harness_cpu)

    def time_concurrent(
        self, gateway: Gateway, body: bytes, concurrency: int, sequential_p50_ms: float, run: Run
    ) -> None:
        """Several connections: a wrk run, long enough for each connection to complete a few requests."""
        url = f"http://127.0.0.1:{gateway.port}{GRAPHQL_PATH}"
        rounds_s = LOAD_ROUNDS * concurrency * sequential_p50_ms / 1000
        seconds = min(MAX_LOAD_S, max(self.profile.measure_s, rounds_s))
        before = self.counters(gateway)
        load = loadgen.run(url, body, gateway.headers, concurrency, seconds, self.workdir)
        after = self.counters(gateway)
        run.requests, run.errors = load.requests, load.errors
        run.p50_ms, run.p90_ms, run.p99_ms, run.max_ms = load.p50_ms, load.p90_ms, load.p99_ms, load.max_ms
        if load.errors:
            run.note = f"{load.errors} failed requests"
        self.per_request(run, before, after, load.cpu_s)
        run.requests_per_s = load.requests_per_s  # over wrk's own run time, without the counter readings

    def per_request(self, run: Run, before: Counters, after: Counters, loadgen_cpu_s: float) -> None:
        """The work per request between two counter readings."""
        count = max(run.requests, 1)
        wall = after.wall - before.wall
        run.requests_per_s = run.requests / wall
        run.gateway_cpu_ms = (after.gateway_cpu - before.gateway_cpu) * 1000 / count
        run.postgres_cpu_ms = cpu_seconds_between(before.postgres_cpu, after.postgres_cpu) * 1000 / count
        run.webhook_stub_cpu_ms = (after.webhook_cpu - before.webhook_cpu) * 1000 / count
        run.remote_stub_cpu_ms = (after.remote_cpu - before.remote_cpu) * 1000 / count
        run.webhook_calls = (after.webhook_calls - before.webhook_calls) / count
        run.remote_calls = (after.remote_calls - before.remote_calls) / count
        run.loadgen_cpu_share = loadgen_cpu_s / wall

    def counters(self, gateway: Gateway) -> Counters:
        """CPU seconds of the server, the database backends and the stubs; the stubs' call counts."""
        assert self.webhook.process is not None
        assert self.remote.process is not None
        return Counters(
            gateway_cpu=cpu_seconds(gateway.pids()),
            postgres_cpu=cpu_seconds_by_pid(self.backend_pids()),
            webhook_cpu=cpu_seconds([self.webhook.process.pid]),
            remote_cpu=cpu_seconds([self.remote.process.pid]),
            webhook_calls=self.webhook.calls(),
            remote_calls=self.remote.stats()[0],
        )

    def backend_pids(self) -> list[int]:
        """The PostgreSQL sessions of the benchmark database (the server's pool)."""
        with self.admin.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
                (self.database.name,),
            )
            return [row[0] for row in cursor.fetchall()]

    # --- floor -----------------------------------------------------------------------------------

    def floor(self, capture: CellCapture) -> Floor:
        """The floor of a cell Joinery answered: its exact calls replayed with raw clients, HTTP in/out, encoding."""
        count = self.profile.floor_requests
        assert capture.joinery is not None
        if self.null_server.process is None:
            self.null_server.start()
        statements = capture.joinery.statements
        sql = percentile(action_join.replay_sql(statements, self.floor_sql, count), 0.5)
        webhook = self.raw_replay(self.webhook.port, ACTION_PATH, capture.webhook_body, count)
        remote = self.raw_replay(self.remote.port, REMOTE_PATH, capture.remote_body, count)
        http = self.null_server.samples(capture.request, capture.headers, capture.response, count)
        encode = encode_samples(capture.response, count)
        return Floor(
            webhook_p50_ms=webhook,
            sql_p50_ms=sql,
            remote_p50_ms=remote,
            http_p50_ms=percentile(http, 0.5),
            encode_p50_ms=percentile(encode, 0.5),
        )

    @staticmethod
    def raw_replay(port: int, path: str, body: bytes, count: int) -> float:
        """p50 of the exact body POSTed on a raw keep-alive connection, decoded with orjson (0 if none)."""
        if not body:
            return 0.0
        connection = keep_alive_connection(port)
        try:

            def call() -> Any:
                return orjson.loads(post(connection, path, body, JSON))

            action_join.warm_up(call)
            return percentile(timed(call, count), 0.5)
        finally:
            connection.close()


def joinery_metadata(database_url: str, webhook_url: str, remote_url: str) -> dict[str, Any]:
    """The metadata of every workload: bench.remote_joins', the action, ``orders``, ``warehouses``, a pool of 4."""
    metadata = remote_joins.metadata(database_url, remote_url)
    commands = dict(action_join.metadata_commands(database_url, webhook_url))
    source = metadata["sources"][0]
    source["configuration"]["connection_info"]["pool_settings"] = {"max_connections": POOL_SIZE}
    customers = source["tables"][0]
    customers["array_relationships"] = [
        {
            "name": "orders",
            "using": {
                "foreign_key_constraint_on": {
                    "table": {"schema": "public", "name": "orders"},
                    "column": "customer_id",
                }
            },
        }
    ]
    source["tables"] += [{"table": {"schema": "public", "name": name}} for name in ("orders", "warehouses")]
    warehouse = {
        "relationship_type": "object",
        "source": action_join.SOURCE,
        "table": {"schema": "public", "name": "warehouses"},
        "field_mapping": {"warehouse": "code"},
    }
    metadata["remote_schemas"][0]["remote_relationships"].append(
        {
            "type_name": "Stock",
            "relationships": [{"name": "warehouse_info", "definition": {"to_source": warehouse}}],
        }
    )
    metadata["custom_types"] = commands["set_custom_types"]
    metadata["actions"] = [commands["create_action"]]
    return metadata


def load_fixture(cleanup: ExitStack) -> BenchDatabase:
    """A new benchmark database loaded for every workload; ``cleanup`` drops it."""
    database = BenchDatabase()
    cleanup.callback(database.drop)
    print(f"loading {database.name} ...", file=sys.stderr)
    database.create_and_load()
    remote_joins.add_sku_column(database)
    with admin_connection(database.url) as connection, connection.cursor() as cursor:
        cursor.execute(WAREHOUSES_SQL, (WAREHOUSES,))
    return database


def webhook_sizes(cells: Iterable[tuple[str, int]]) -> list[int]:
    """The N of every cell that calls the webhook (the webhook stub prepares an answer for each)."""
    return sorted({n for name, n in cells if WORKLOADS[name].uses_webhook}) or [1]


def run(
    profile: Profile, servers: list[str], remote_flavour: str, results: Path, pg_log: Path | None
) -> None:
    """Set everything up, run every server, report, and tear everything down."""
    started = time.monotonic()
    with ExitStack() as cleanup:
        workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="joinery-compare-")))
        database = load_fixture(cleanup)
        log = action_join.statement_log(database, pg_log)
        webhook = StubProcess(webhook_sizes(profile.cells), PROJECT)
        cleanup.callback(webhook.stop)
        webhook.start()
        remote = (NodeRemoteStubProcess if remote_flavour == "node" else RemoteStubProcess)(PROJECT)
        cleanup.callback(remote.stop)
        remote.start()
        bench = Bench(profile, database, log, webhook, remote, workdir)
        cleanup.callback(bench.close)

        joinery = JoineryServer(PROJECT, workdir)
        cleanup.callback(joinery.stop)
        joinery.start()
        joinery.metadata("replace_metadata", joinery_metadata(database.url, webhook.action_url, remote.url))
        joinery.stop()
        environment = peer_environment(database.url, webhook.action_url, remote.url)
        gateways = [JoineryGateway(joinery), *peers(environment, workdir)]
        for gateway in gateways:
            cleanup.callback(gateway.stop)

        runs: list[Run] = []
        captures: dict[str, dict[tuple[str, int], CellCapture]] = {}
        selected = [gateway for gateway in gateways if gateway.name in servers]
        for repetition in range(profile.repetitions):
            for gateway in selected if repetition % 2 == 0 else selected[::-1]:
                if gateway.name not in captures:
                    print(f"{gateway.name}: capture ...", file=sys.stderr)
                    captures[gateway.name] = bench.capture(gateway)
                print(
                    f"{gateway.name}: repetition {repetition + 1} of {profile.repetitions}", file=sys.stderr
                )
                runs.extend(bench.time_server(gateway, captures[gateway.name], repetition))
        settings = database.settings(("server_version", "jit", "ssl"))
        environment_note = (
            f"{len(profile.cells)} cells; remote stub: {remote_flavour}; PostgreSQL {settings['server_version']}, "
            f"jit={settings['jit']}; load average before/after: {_load()}; wall time {time.monotonic() - started:.0f} s"
        )
        environment_note += f"; {profile.repetitions} repetitions"
        report(runs, bench.floors, [g.name for g in selected], results, environment_note)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _raise_exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _raise_timeout(signum: int, frame: Any) -> None:
    raise TimeoutError("the benchmark exceeded its profile's time limit")


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument(
        "--servers",
        default="Joinery,strawberry,graphene,stitching",
        help="comma-separated servers to measure",
    )
    parser.add_argument("--cells", help="instead of the profile's cells, e.g. 'W1:100,W3 list:1000'")
    parser.add_argument("--repetitions", type=int, help="instead of the profile's number of repetitions")
    parser.add_argument(
        "--remote-stub", choices=("node", "python"), default="node", help="remote stub flavour"
    )
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="folder for compare.csv and compare.png"
    )
    parser.add_argument("--pg-log", type=Path, help="the PostgreSQL server log (default: Debian's location)")
    args = parser.parse_args()
    if not loadgen.available():
        parser.error("wrk is missing: run `bash .ci/ensure-wrk` (or `make bench`)")
    if not node_modules_installed():
        parser.error(
            "the Node peers are not installed: run `make bench-node-deps` (npm ci in bench/peers/node)"
        )
    profile = PROFILES[args.profile]
    if args.cells:
        cells = tuple((name, int(n)) for name, n in (cell.rsplit(":", 1) for cell in args.cells.split(",")))
        if unknown := {name for name, _ in cells} - set(WORKLOADS):
            parser.error(f"unknown workloads {sorted(unknown)}; known: {sorted(WORKLOADS)}")
        profile = replace(profile, cells=cells)
    if args.repetitions is not None:
        if args.repetitions < 1:
            parser.error("--repetitions must be at least 1")
        profile = replace(profile, repetitions=args.repetitions)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGALRM, _raise_timeout)
    signal.alarm(profile.hard_limit_s)
    run(profile, args.servers.split(","), args.remote_stub, args.results, args.pg_log)


if __name__ == "__main__":
    main()
