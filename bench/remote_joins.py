"""Benchmark: table → remote schema (alias and list mode) and remote schema → table, against the floor.

    W3  client ──▶ Joinery ──one SQL──▶ PostgreSQL: N customers (id, name, sku)
                           └──one POST──▶ remote stub: N stocks (N aliased ``stock`` or one ``stocks``)
    W4  client ──▶ Joinery ──one POST──▶ remote stub: N shipments
                           └──one SQL──▶ PostgreSQL: their N customers

For N in 1, 100 and 1,000 it times, at concurrency 1 over one keep-alive connection,
``customers(limit: N, order_by: {id: asc}) { id name stock { qty } }`` (alias mode; ``stock_list``
in list mode) and ``shipments(n: N) { id customer_id customer { name } }``. The floor of each cell
is measured in the same run: the exact SQL Joinery ran (captured from the PostgreSQL log as in
``bench.action_join``) replayed with psycopg2, plus the exact remote body Joinery sent replayed
with a raw keep-alive client, plus the request and its response through a null app on the same
gunicorn set-up and ``orjson.dumps`` of the response (``bench.http_floor``). The remote stub reports its CPU time per request: the graphql-core
stub by default, or its graphql-yoga twin with ``--remote-stub node`` (``make bench-node-deps`` first).

Each cell runs ``--rounds`` times (3 by default; Joinery, then its floor, each round); the table gives
the median of the rounds and the spread of Joinery's p50 over them, as ``bench.action_join`` does;
the CSV keeps one row per round.

With ``--profile N`` the requests of one more round of that N (``--profile-workload``, W3 list by
default) run under cProfile in the gunicorn worker, as in ``bench.action_join``.

    .venv/bin/python -m bench.remote_joins [--sizes 1,100] [--rounds 3] [--remote-stub node] [--profile 1000]
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg2

from bench.action_join import (
    CAPTURE_REQUESTS,
    PROFILED_REQUESTS,
    ROUNDS,
    SOURCE,
    Capture,
    _raise_exit,
    _raise_timeout,
    print_profile,
    replay_sql,
    statement_log,
    warm_up,
    write_csv,
)
from bench.fixture import BenchDatabase, admin_connection
from bench.http_floor import NullServer, encode_samples
from bench.joinery_server import JoineryServer
from bench.pg_log import StatementLog
from bench.remote_stub import (
    GRAPHQL_PATH,
    SKU_PREFIX,
    NodeRemoteStubProcess,
    RemoteStubProcess,
    shipment_customer,
    stock_qty,
)
from bench.repetitions import rounds_caption, spread_mark, summarise_rounds
from bench.timing import keep_alive_connection, percentile, post, timed

PROJECT = Path(__file__).resolve().parent.parent
RESULTS_CSV = PROJECT / "bench" / "results" / "remote_joins.csv"
RESULTS_CSV_NODE_STUB = PROJECT / "bench" / "results" / "remote_joins_node_stub.csv"
REMOTE_STUBS = {"python": RemoteStubProcess, "node": NodeRemoteStubProcess}
SIZES = (1, 100, 1_000)
REMOTE_SCHEMA = "inventory"
CUSTOMERS_QUERY = "{ customers(limit: %d, order_by: {id: asc}) { id name %s { qty } } }"
SHIPMENTS_QUERY = "{ shipments(n: %d) { id customer_id customer { name } } }"
MODES = {"W3 alias": "stock", "W3 list": "stock_list", "W4": ""}
MIN_REQUESTS = 100
MIN_REQUESTS_SLOW = 20
MAX_REQUESTS = 300
CELL_BUDGET_S = 10.0
HARD_LIMIT_S = 900
ADD_SKU_SQL = "ALTER TABLE customers ADD COLUMN sku text GENERATED ALWAYS AS (%s || id::text) STORED"
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class CellResult:
    """One round of a cell: Joinery, the floor parts and the work per request."""

    workload: str
    n: int
    repetition: int
    requests: int
    joinery_p50_ms: float
    joinery_p99_ms: float
    joinery_cpu_ms_per_request: float
    remote_p50_ms: float
    sql_p50_ms: float
    http_p50_ms: float
    encode_p50_ms: float
    floor_p50_ms: float
    ratio: float
    overhead_ms: float
    sql_statements_per_request: float
    remote_requests_per_request: float
    remote_cpu_ms_per_request: float
    remote_body_bytes: int
    response_bytes: int


def metadata(database_url: str, remote_url: str) -> dict[str, Any]:
    """The whole metadata of the benchmark, for ``replace_metadata``."""

    def to_stock(remote_field: dict[str, Any], batch: dict[str, str] | None = None) -> dict[str, Any]:
        definition: dict[str, Any] = {
            "remote_schema": REMOTE_SCHEMA,
            "lhs_fields": ["sku"],
            "remote_field": remote_field,
        }
        if batch:
            definition["batch"] = batch
        return {"to_remote_schema": definition}

    customer = {
        "relationship_type": "object",
        "source": SOURCE,
        "table": {"schema": "public", "name": "customers"},
        "field_mapping": {"customer_id": "id"},
    }
    customers = {
        "table": {"schema": "public", "name": "customers"},
        "remote_relationships": [
            {"name": "stock", "definition": to_stock({"stock": {"arguments": {"sku": "$sku"}}})},
            {
                "name": "stock_list",
                "definition": to_stock(
                    {"stocks": {"arguments": {"skus": "$sku"}}}, {"list_argument": "skus", "key_field": "sku"}
                ),
            },
        ],
    }
    return {
        "version": 3,
        "sources": [
            {
                "name": SOURCE,
                "kind": "postgres",
                "configuration": {"connection_info": {"database_url": database_url}},
                "tables": [customers],
            }
        ],
        "remote_schemas": [
            {
                "name": REMOTE_SCHEMA,
                "definition": {"url": remote_url, "timeout_seconds": 120},
                "remote_relationships": [
                    {
                        "type_name": "Shipment",
                        "relationships": [{"name": "customer", "definition": {"to_source": customer}}],
                    }
                ],
            }
        ],
    }


def query(workload: str, n: int) -> str:
    """The GraphQL query of a cell."""
    if workload == "W4":
        return SHIPMENTS_QUERY % n
    return CUSTOMERS_QUERY % (n, MODES[workload])


def expected_response(workload: str, n: int) -> dict[str, Any]:
    """The complete response a cell must get."""
    if workload == "W4":
        shipments = []
        for index in range(n):
            customer = shipment_customer(index)
            shipments.append(
                {"id": str(index + 1), "customer_id": customer, "customer": {"name": f"Customer {customer}"}}
            )
        return {"data": {"shipments": shipments}}
    field = MODES[workload]
    rows = [{"id": i, "name": f"Customer {i}", field: {"qty": stock_qty(i)}} for i in range(1, n + 1)]
    return {"data": {"customers": rows}}


def check_response(workload: str, n: int, body: bytes) -> None:
    """Fail unless the response is exactly the expected one."""
    if orjson.loads(body) != expected_response(workload, n):
        raise RuntimeError(f"wrong response for {workload} N={n}: {body[:500]!r}")


class RemoteJoinBench:
    """Runs the cells against a started server, stub and database."""

    def __init__(
        self,
        server: JoineryServer,
        stub: RemoteStubProcess,
        database: BenchDatabase,
        log: StatementLog,
        null_server: NullServer,
    ) -> None:
        self.server = server
        self.null_server = null_server
        self.stub = stub
        self.database = database
        self.log = log

    def capture(self, workload: str, n: int) -> Capture:
        """Send the capture requests of a cell (statement logging on) and read the SQL they ran."""
        body = orjson.dumps({"query": query(workload, n)})
        check_response(workload, n, self.server.graphql(body))
        offset = self.log.end()
        for _ in range(CAPTURE_REQUESTS):
            check_response(workload, n, self.server.graphql(body))
        return Capture.of(self.log.statements_since(offset, self.database.name), CAPTURE_REQUESTS)

    def run_cell(
        self, workload: str, n: int, capture: Capture, sql_connection: Any, rounds: int
    ) -> list[CellResult]:
        """The rounds of one cell."""
        return [
            self.run_round(workload, n, capture, sql_connection, repetition) for repetition in range(rounds)
        ]

    def run_round(
        self, workload: str, n: int, capture: Capture, sql_connection: Any, repetition: int
    ) -> CellResult:
        """Time Joinery for one cell, then the floor of the same cell."""
        connection = keep_alive_connection(self.server.port)
        body = orjson.dumps({"query": query(workload, n)})
        headers = self.server.headers

        def joinery() -> bytes:
            return post(connection, "/v1/graphql", body, headers)

        response = joinery()
        check_response(workload, n, response)
        count = request_count(warm_up(joinery))
        requests_before, cpu_before = self.stub.stats()
        worker_before = self.server.worker_cpu_seconds()
        samples = timed(joinery, count)
        worker_after = self.server.worker_cpu_seconds()
        requests_after, cpu_after = self.stub.stats()
        connection.close()
        remote_body = self.stub.last_body()
        remote = self.remote_floor(remote_body, count)
        sql = replay_sql(capture.statements, sql_connection, count)
        http = self.null_server.samples(body, headers, response, count)
        encode = encode_samples(response, count)
        floor = sum(percentile(part, 0.5) for part in (remote, sql, http, encode))
        p50 = percentile(samples, 0.5)
        return CellResult(
            workload=workload,
            n=n,
            repetition=repetition,
            requests=count,
            joinery_p50_ms=p50,
            joinery_p99_ms=percentile(samples, 0.99),
            joinery_cpu_ms_per_request=(worker_after - worker_before) * 1000 / count,
            remote_p50_ms=percentile(remote, 0.5),
            sql_p50_ms=percentile(sql, 0.5),
            http_p50_ms=percentile(http, 0.5),
            encode_p50_ms=percentile(encode, 0.5),
            floor_p50_ms=floor,
            ratio=p50 / floor,
            overhead_ms=p50 - floor,
            sql_statements_per_request=len(capture.statements),
            remote_requests_per_request=(requests_after - requests_before) / count,
            remote_cpu_ms_per_request=(cpu_after - cpu_before) * 1000 / count,
            remote_body_bytes=len(remote_body),
            response_bytes=len(response),
        )

    def remote_floor(self, body: bytes, count: int) -> list[float]:
        """The exact remote body Joinery sent, replayed on a raw keep-alive connection (orjson)."""
        connection = keep_alive_connection(self.stub.port)

        def raw() -> Any:
            return orjson.loads(post(connection, GRAPHQL_PATH, body, JSON))

        try:
            warm_up(raw)
            return timed(raw, count)
        finally:
            connection.close()

    def profile(self, workload: str, n: int) -> None:
        """Send profiled requests of one cell (the worker writes the profile when it stops)."""
        connection = keep_alive_connection(self.server.port)
        body = orjson.dumps({"query": query(workload, n)})
        headers = {**self.server.headers, "X-Bench-Profile": "1"}
        for _ in range(PROFILED_REQUESTS):
            post(connection, "/v1/graphql", body, headers)
        connection.close()


def request_count(warm_p50_ms: float) -> int:
    """As many requests as fit the cell's budget: at least 100 (20 for cells slower than 100 ms)."""
    minimum = MIN_REQUESTS_SLOW if warm_p50_ms > 100 else MIN_REQUESTS
    fitting = int(CELL_BUDGET_S * 1000 / max(warm_p50_ms, 0.001))
    return max(minimum, min(MAX_REQUESTS, fitting))


def add_sku_column(database: BenchDatabase) -> None:
    """Give every customer a SKU (``SKU-<id>``), the join key to the remote schema's stock."""
    with admin_connection(database.url) as connection, connection.cursor() as cursor:
        cursor.execute(ADD_SKU_SQL, (SKU_PREFIX,))
        cursor.execute("VACUUM ANALYZE customers")


def print_table(cells: list[list[CellResult]], settings: dict[str, str]) -> None:
    """Per cell, the median of its rounds (milliseconds unless stated); the remote CPU ratio of the two modes."""
    print(rounds_caption(max(len(results) for results in cells), "cell"))
    header = (
        "| workload | N | requests | Joinery p50 | spread | Joinery p99 | Joinery CPU/req | remote p50 | SQL p50 "
        "| HTTP p50 | encode p50 | floor p50 "
        "| ratio p50/floor | overhead | SQL stmts/req | remote reqs/req | remote CPU/req | remote body |"
    )
    print(header)
    print("|---|" + "---:|" * (header.count(" | ") - 1) + "---:|")
    summaries = [summarise_rounds(results) for results in cells]
    for r, p50_spread in summaries:
        print(
            f"| {r.workload} | {r.n:,} | {r.requests:g} | {r.joinery_p50_ms:.2f} | {p50_spread:.0%}{spread_mark(p50_spread)} "
            f"| {r.joinery_p99_ms:.2f} | {r.joinery_cpu_ms_per_request:.2f} | {r.remote_p50_ms:.2f} | {r.sql_p50_ms:.2f} "
            f"| {r.http_p50_ms:.2f} | {r.encode_p50_ms:.2f} | {r.floor_p50_ms:.2f} | {r.ratio:.1f}x "
            f"| {r.overhead_ms:.2f} | {r.sql_statements_per_request:g} | {r.remote_requests_per_request:g} "
            f"| {r.remote_cpu_ms_per_request:.2f} | {r.remote_body_bytes:,.0f} B |"
        )
    print()
    by_cell = {(r.workload, r.n): r for r, _ in summaries}
    for n in sorted({r.n for r, _ in summaries}):
        alias, listed = by_cell.get(("W3 alias", n)), by_cell.get(("W3 list", n))
        if alias and listed and listed.remote_cpu_ms_per_request > 0:
            ratio = alias.remote_cpu_ms_per_request / listed.remote_cpu_ms_per_request
            print(f"remote stub CPU per join, alias / list mode, N={n:,}: {ratio:.1f}x")
    print(f"PostgreSQL: {settings['server_version']}, jit={settings['jit']}, ssl={settings['ssl']}")


def run(
    sizes: list[int],
    csv_path: Path,
    pg_log: Path | None,
    remote_stub: str = "python",
    profile: tuple[str, int] | None = None,
    rounds: int = ROUNDS,
) -> None:
    """Set everything up, run the cells, report, profile the cell ``profile`` names, tear down."""
    cells = [(workload, n) for workload in MODES for n in sizes]
    with ExitStack() as cleanup:
        workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="joinery-bench-")))
        database = BenchDatabase()
        cleanup.callback(database.drop)
        print(f"loading {database.name} ...", file=sys.stderr)
        database.create_and_load()
        add_sku_column(database)
        log = statement_log(database, pg_log)
        stub = REMOTE_STUBS[remote_stub](PROJECT)
        cleanup.callback(stub.stop)
        stub.start()
        profile_out = workdir / "profile.pstats" if profile is not None else None
        server = JoineryServer(PROJECT, workdir, profile_out)
        cleanup.callback(server.stop)
        server.start()
        null_server = NullServer(PROJECT)
        cleanup.callback(null_server.stop)
        null_server.start()
        server.metadata("replace_metadata", metadata(database.url, stub.url))
        bench = RemoteJoinBench(server, stub, database, log, null_server)

        database.log_every_statement(True)
        database.disconnect_sessions()
        captures = {cell: bench.capture(*cell) for cell in cells}
        database.log_every_statement(False)
        database.disconnect_sessions()

        sql_connection = psycopg2.connect(database.url)
        sql_connection.autocommit = True
        cleanup.callback(sql_connection.close)
        results = []
        for workload, n in cells:
            print(f"{workload} N={n:,} ...", file=sys.stderr)
            results.append(bench.run_cell(workload, n, captures[workload, n], sql_connection, rounds))
        print_table(results, database.settings(("server_version", "jit", "ssl")))
        write_csv([result for rounds_of_cell in results for result in rounds_of_cell], csv_path)  # type: ignore[arg-type]
        if profile is not None and profile_out is not None:
            print(f"profiling {profile[0]} ...", file=sys.stderr)
            bench.profile(*profile)
            server.stop()
            print_profile(profile_out, profile[1])


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated N values")
    parser.add_argument("--csv", type=Path, help="where to write the results (default: bench/results/)")
    parser.add_argument("--pg-log", type=Path, help="the PostgreSQL server log (default: Debian's location)")
    parser.add_argument(
        "--remote-stub", choices=sorted(REMOTE_STUBS), default="python", help="remote stub flavour"
    )
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help="rounds of each cell (the median is reported)"
    )
    parser.add_argument("--profile", type=int, help="after the run, cProfile requests of this N")
    parser.add_argument(
        "--profile-workload", choices=sorted(MODES), default="W3 list", help="the workload --profile runs"
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.profile is not None and args.profile not in sizes:
        parser.error("--profile must be one of --sizes")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    profile = None if args.profile is None else (args.profile_workload, args.profile)
    csv_path = args.csv or (RESULTS_CSV_NODE_STUB if args.remote_stub == "node" else RESULTS_CSV)
    signal.signal(signal.SIGALRM, _raise_timeout)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.alarm(HARD_LIMIT_S)
    run(sizes, csv_path, args.pg_log, args.remote_stub, profile, args.rounds)


if __name__ == "__main__":
    main()
