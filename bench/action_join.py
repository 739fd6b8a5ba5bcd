"""Benchmark: an action's answer joined to a table, against the floor measured in the same run.

    client ──POST /v1/graphql──▶ Joinery (gunicorn, 1 worker) ──POST──▶ webhook stub: N orders
                                          └──one SQL──▶ PostgreSQL: the N customers, as JSON

For N in 1, 100, 1,000 and 10,000 joined rows it times ``recent_orders(limit: N) { id total
customer { id name email } }`` at concurrency 1 over one keep-alive connection, then the floor
of the same cell (performance.md §4.1): the exact webhook body Joinery sent, replayed to the stub
(decoded with orjson), plus the exact SQL Joinery ran, replayed with psycopg2 on a warm
connection (together: the calls floor), plus the request and its response through a null app on
the same gunicorn set-up, plus ``orjson.dumps`` of the response (``bench.http_floor``). The
"paced floor" replays the two calls one after the other, each pair after a pause as long
as Joinery's overhead over them, so the stub and PostgreSQL idle between calls as long as they do
behind Joinery (an idle process takes longer to wake on a virtual machine; the floor never lets
them idle).

Each cell runs ``ROUNDS`` times (Joinery, then its floor, each round); the table gives the median of
the rounds (the ratio and overhead taken within each round) and the spread of Joinery's p50 over
them, flagged above 10 % (``bench.repetitions``); the CSV keeps one row per round.

The SQL is captured from the PostgreSQL log (``log_min_duration_statement = 0`` on the benchmark
database for a few capture requests per N, then reset and Joinery's pool reconnected before
anything is timed). The same capture counts the statements and round trips each request causes;
the stub counts webhook calls over the timed requests. Everything runs on 127.0.0.1; the database,
the stub and the server are removed or stopped on the way out, also after a failure.

    .venv/bin/python -m bench.action_join [--sizes 1,100] [--rounds 3] [--profile 1000]
"""

from __future__ import annotations

import argparse
import csv
import pstats
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg2

from bench import dataset
from bench.fixture import BenchDatabase
from bench.http_floor import NullServer, encode_samples
from bench.joinery_server import JoineryServer
from bench.pg_log import EXPECTED_PREFIX, LoggedStatement, StatementLog, debian_log_path
from bench.repetitions import rounds_caption, spread_mark, summarise_rounds
from bench.timing import keep_alive_connection, percentile, post, timed
from bench.webhook_stub import ACTION_PATH, StubProcess
from engine.http import HttpTransport

PROJECT = Path(__file__).resolve().parent.parent
RESULTS_CSV = PROJECT / "bench" / "results" / "action_join.csv"
SIZES = (1, 100, 1_000, 10_000)
ROUNDS = 3
QUERY = "{ recent_orders(limit: %d) { id total customer { id name email } } }"
CAPTURE_REQUESTS = 3
WARMUP_REQUESTS = 20
WARMUP_BUDGET_S = 3.0
MAX_REQUESTS = 300
MIN_REQUESTS = 200
MIN_REQUESTS_LARGE = 50
LARGE = 10_000
CELL_BUDGET_S = 15.0
PROFILED_REQUESTS = 30
HARD_LIMIT_S = 900
SOURCE = "default"
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Capture:
    """What the capture requests of one N sent to PostgreSQL, per request."""

    statements: tuple[str, ...]
    round_trips: float

    @classmethod
    def of(cls, logged: list[LoggedStatement], requests: int) -> Capture:
        """Split the statements of ``requests`` identical requests; they must all have sent the same SQL."""
        data = [statement.text for statement in logged if not statement.is_transaction_control]
        if not data or len(data) % requests:
            raise RuntimeError(f"{len(data)} data statements logged for {requests} requests")
        per_request = tuple(data[: len(data) // requests])
        if tuple(data) != per_request * requests:
            raise RuntimeError("the capture requests sent different SQL")
        return cls(per_request, len(logged) / requests)


@dataclass(frozen=True)
class CellResult:
    """One round of a cell: Joinery, the floor parts and the work per request."""

    n: int
    repetition: int
    requests: int
    joinery_p50_ms: float
    joinery_p90_ms: float
    joinery_p99_ms: float
    joinery_max_ms: float
    joinery_cpu_ms_per_request: float
    webhook_p50_ms: float
    webhook_p99_ms: float
    sql_p50_ms: float
    sql_p99_ms: float
    calls_floor_p50_ms: float
    http_p50_ms: float
    encode_p50_ms: float
    floor_p50_ms: float
    ratio: float
    overhead_ms: float
    sql_statements_per_request: float
    pg_round_trips_per_request: float
    webhook_calls_per_request: float
    webhook_via_engine_client_p50_ms: float
    sql_in_transaction_p50_ms: float
    paced_floor_p50_ms: float
    response_bytes: int
    webhook_response_bytes: int
    sql_text_bytes: int
    worker_peak_rss_kib: int


def metadata_commands(database_url: str, handler_url: str) -> list[tuple[str, dict[str, Any]]]:
    """The metadata of the benchmark, as metadata API commands."""
    relationship = {
        "name": "customer",
        "type": "object",
        "source": SOURCE,
        "remote_table": {"schema": "public", "name": "customers"},
        "field_mapping": {"customer_id": "id"},
    }
    order_out = {
        "name": "OrderOut",
        "fields": [
            {"name": "id", "type": "Int!"},
            {"name": "customer_id", "type": "Int!"},
            {"name": "total", "type": "Float!"},
        ],
        "relationships": [relationship],
    }
    action = {
        "name": "recent_orders",
        "definition": {
            "kind": "synchronous",
            "type": "query",
            "arguments": [{"name": "limit", "type": "Int!"}],
            "output_type": "[OrderOut!]!",
            "handler": handler_url,
            "timeout": 60,
        },
    }
    source = {"name": SOURCE, "configuration": {"connection_info": {"database_url": database_url}}}
    tables = [
        ("pg_track_table", {"source": SOURCE, "table": {"schema": "public", "name": name}})
        for name in ("customers", "orders")
    ]
    return [
        ("pg_add_source", source),
        *tables,
        ("set_custom_types", {"objects": [order_out]}),
        ("create_action", action),
    ]


class ActionJoinBench:
    """Runs the cells against a started server, stub and database."""

    def __init__(
        self,
        server: JoineryServer,
        stub: StubProcess,
        database: BenchDatabase,
        log: StatementLog,
        null_server: NullServer,
    ) -> None:
        self.server = server
        self.null_server = null_server
        self.stub = stub
        self.database = database
        self.log = log

    def request_body(self, n: int) -> bytes:
        """The GraphQL request of cell ``n``."""
        return orjson.dumps({"query": QUERY % n})

    def capture(self, n: int) -> Capture:
        """Send the capture requests of ``n`` (statement logging on) and read what they ran.

        One request goes first, uncounted: the first request after a metadata change also reads
        the database catalog to build the schema, which is not per-request work.
        """
        check_response(n, self.server.graphql(self.request_body(n)))
        offset = self.log.end()
        for _ in range(CAPTURE_REQUESTS):
            check_response(n, self.server.graphql(self.request_body(n)))
        return Capture.of(self.log.statements_since(offset, self.database.name), CAPTURE_REQUESTS)

    def run_cell(self, n: int, capture: Capture, sql_connection: Any, rounds: int) -> list[CellResult]:
        """The rounds of cell ``n``."""
        return [self.run_round(n, capture, sql_connection, repetition) for repetition in range(rounds)]

    def run_round(self, n: int, capture: Capture, sql_connection: Any, repetition: int) -> CellResult:
        """Time Joinery for ``n`` rows, then the floor of the same cell."""
        connection = keep_alive_connection(self.server.port)
        body = self.request_body(n)
        headers = self.server.headers

        def joinery() -> bytes:
            return post(connection, "/v1/graphql", body, headers)

        check_response(n, joinery())
        count = request_count(n, warm_up(joinery))
        calls_before = self.stub.calls()
        worker_before = self.server.worker_cpu_seconds()
        samples = timed(joinery, count)
        worker_cpu_s = self.server.worker_cpu_seconds() - worker_before
        calls = self.stub.calls() - calls_before
        response = joinery()
        check_response(n, response)
        connection.close()
        webhook, via_engine, webhook_bytes = self.webhook_floor(n, count)
        sql_alone = replay_sql(capture.statements, sql_connection, count)
        sql_in_transaction = self.sql_in_transaction(capture.statements, count)
        http = self.null_server.samples(body, headers, response, count)
        encode = encode_samples(response, count)
        calls_floor = percentile(webhook, 0.5) + percentile(sql_alone, 0.5)
        floor = calls_floor + percentile(http, 0.5) + percentile(encode, 0.5)
        p50 = percentile(samples, 0.5)
        paced = self.paced_floor(n, capture.statements, sql_connection, count, pause_ms=p50 - calls_floor)
        return CellResult(
            n=n,
            repetition=repetition,
            requests=count,
            joinery_p50_ms=p50,
            joinery_p90_ms=percentile(samples, 0.9),
            joinery_p99_ms=percentile(samples, 0.99),
            joinery_max_ms=max(samples),
            joinery_cpu_ms_per_request=worker_cpu_s * 1000 / count,
            webhook_p50_ms=percentile(webhook, 0.5),
            webhook_p99_ms=percentile(webhook, 0.99),
            sql_p50_ms=percentile(sql_alone, 0.5),
            sql_p99_ms=percentile(sql_alone, 0.99),
            calls_floor_p50_ms=calls_floor,
            http_p50_ms=percentile(http, 0.5),
            encode_p50_ms=percentile(encode, 0.5),
            floor_p50_ms=floor,
            ratio=p50 / floor,
            overhead_ms=p50 - floor,
            sql_statements_per_request=len(capture.statements),
            pg_round_trips_per_request=capture.round_trips,
            webhook_calls_per_request=calls / count,
            webhook_via_engine_client_p50_ms=percentile(via_engine, 0.5),
            sql_in_transaction_p50_ms=percentile(sql_in_transaction, 0.5),
            paced_floor_p50_ms=percentile(paced, 0.5),
            response_bytes=len(response),
            webhook_response_bytes=webhook_bytes,
            sql_text_bytes=sum(len(text.encode()) for text in capture.statements),
            worker_peak_rss_kib=self.server.worker_peak_rss_kib(),
        )

    def webhook_floor(self, n: int, count: int) -> tuple[list[float], list[float], int]:
        """The exact body Joinery sent, replayed raw (orjson) and through the engine's HTTP client."""
        body = self.stub.last_body(n)
        connection = keep_alive_connection(self.stub.port)

        def raw() -> Any:
            return orjson.loads(post(connection, ACTION_PATH, body, JSON))

        answer_bytes = len(post(connection, ACTION_PATH, body, JSON))
        warm_up(raw)
        raw_samples = timed(raw, count)
        connection.close()
        payload = orjson.loads(body)
        with HttpTransport() as transport:

            def via_engine() -> Any:
                return transport.post_json(self.stub.action_url, payload, headers=[], timeout=60).json()

            warm_up(via_engine)
            engine_samples = timed(via_engine, count)
        return raw_samples, engine_samples, answer_bytes

    def paced_floor(
        self, n: int, statements: tuple[str, ...], sql_connection: Any, count: int, pause_ms: float
    ) -> list[float]:
        """The floor's calls in a request's order (webhook, then SQL), each pair after ``pause_ms``.

        The floor times each call back to back, with its server never idle. Inside a request the
        stub and PostgreSQL have been idle for about the gateway's own share of the last request, and
        on a virtual machine waking an idle process takes measurably longer. Pausing as long as that
        share gives what the same calls cost when they come at Joinery's pace.
        """
        body = self.stub.last_body(n)
        connection = keep_alive_connection(self.stub.port)

        def calls() -> None:
            orjson.loads(post(connection, ACTION_PATH, body, JSON))
            run_statements(sql_connection, statements)

        warm_up(calls)
        samples = []
        for _ in range(count):
            time.sleep(max(pause_ms, 0.0) / 1000)
            samples.extend(timed(calls, 1))
        connection.close()
        return samples

    def sql_in_transaction(self, statements: tuple[str, ...], count: int) -> list[float]:
        """The captured statements wrapped as a pooled psycopg2 connection runs them: BEGIN … ROLLBACK."""
        connection = psycopg2.connect(self.database.url)
        try:

            def run() -> None:
                run_statements(connection, statements)
                connection.rollback()

            warm_up(run)
            return timed(run, count)
        finally:
            connection.close()

    def profile(self, n: int) -> None:
        """Send profiled requests for ``n`` (the worker writes the profile when it stops)."""
        connection = keep_alive_connection(self.server.port)
        headers = {**self.server.headers, "X-Bench-Profile": "1"}
        for _ in range(PROFILED_REQUESTS):
            post(connection, "/v1/graphql", self.request_body(n), headers)
        connection.close()


def check_response(n: int, body: bytes) -> None:
    """Fail unless the response is exactly the expected one: N orders, each with its customer."""
    answer = orjson.loads(body)
    if answer != dataset.expected_response(n):
        raise RuntimeError(f"wrong response for N={n}: {body[:500]!r}")


def warm_up(call: Callable[[], object]) -> float:
    """Run ``call`` up to WARMUP_REQUESTS times (at least 3, within WARMUP_BUDGET_S); its median in ms."""
    samples: list[float] = []
    deadline = time.monotonic() + WARMUP_BUDGET_S
    while len(samples) < WARMUP_REQUESTS and (len(samples) < 3 or time.monotonic() < deadline):
        samples.extend(timed(call, 1))
    return percentile(samples, 0.5)


def replay_sql(statements: tuple[str, ...], connection: Any, count: int) -> list[float]:
    """The captured statements alone, on a warm autocommit connection (one round trip each)."""
    warm_up(lambda: run_statements(connection, statements))
    return timed(lambda: run_statements(connection, statements), count)


def run_statements(connection: Any, statements: tuple[str, ...]) -> None:
    """Run the captured statements one after the other on ``connection``, reading every row."""
    with connection.cursor() as cursor:
        for text in statements:
            cursor.execute(text)
            cursor.fetchall()


def request_count(n: int, warm_p50_ms: float) -> int:
    """As many requests as fit the cell's time budget, between the minimum and MAX_REQUESTS."""
    minimum = MIN_REQUESTS_LARGE if n >= LARGE else MIN_REQUESTS
    fitting = int(CELL_BUDGET_S * 1000 / max(warm_p50_ms, 0.001))
    return max(minimum, min(MAX_REQUESTS, fitting))


def statement_log(database: BenchDatabase, path: Path | None) -> StatementLog:
    """The server log (Debian's location unless ``path`` is given), after checking it can be parsed."""
    settings = database.settings(("data_directory", "log_line_prefix"))
    if settings["log_line_prefix"] != EXPECTED_PREFIX:
        raise RuntimeError(
            f"the statement capture expects log_line_prefix {EXPECTED_PREFIX!r}, found {settings}"
        )
    log = StatementLog(path or debian_log_path(settings["data_directory"]))
    log.end()
    return log


def print_table(cells: list[list[CellResult]], settings: dict[str, str]) -> None:
    """The summary table (milliseconds unless stated): per cell, the median of its rounds."""
    print(rounds_caption(max(len(results) for results in cells), "N"))
    header = (
        "| N | requests | Joinery p50 | spread | Joinery p99 | Joinery CPU/req | webhook p50 | SQL p50 "
        "| HTTP p50 | encode p50 | floor p50 "
        "| ratio p50/floor | overhead | paced floor p50 | SQL stmts/req | webhook calls/req "
        "| worker peak RSS |"
    )
    print(header)
    print("|" + "---:|" * header.count(" | ") + "---:|")
    # The largest of the rounds' maxima and peaks, the median of the rest.
    summaries = [summarise_rounds(results, ("joinery_max_ms", "worker_peak_rss_kib")) for results in cells]
    for r, p50_spread in summaries:
        print(
            f"| {r.n:,} | {r.requests:g} | {r.joinery_p50_ms:.2f} | {p50_spread:.0%}{spread_mark(p50_spread)} | {r.joinery_p99_ms:.2f} "
            f"| {r.joinery_cpu_ms_per_request:.2f} | {r.webhook_p50_ms:.2f} | {r.sql_p50_ms:.2f} | {r.http_p50_ms:.2f} "
            f"| {r.encode_p50_ms:.2f} | {r.floor_p50_ms:.2f} | {r.ratio:.1f}x "
            f"| {r.overhead_ms:.2f} | {r.paced_floor_p50_ms:.2f} | {r.sql_statements_per_request:g} | {r.webhook_calls_per_request:g} "
            f"| {r.worker_peak_rss_kib / 1024:.0f} MiB |"
        )
    print()
    print("round trips to PostgreSQL per request (BEGIN + statements + ROLLBACK): "
          + ", ".join(f"N={r.n:,}: {r.pg_round_trips_per_request:g}" for r, _ in summaries))  # fmt: skip
    print(f"PostgreSQL: {settings['server_version']}, jit={settings['jit']}, ssl={settings['ssl']}")


def write_csv(results: list[CellResult], path: Path) -> None:
    """One row per round of each cell with every measured figure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(asdict(results[0])))
        writer.writeheader()
        for result in results:
            writer.writerow(
                {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(result).items()}
            )


def print_profile(path: Path, n: int) -> None:
    """Where the profiled requests spent their time."""
    print(f"\ncProfile of {PROFILED_REQUESTS} requests with N={n:,} (gunicorn worker, request thread):")
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(60)


def run(sizes: list[int], rounds: int, profile: int | None, csv_path: Path, pg_log: Path | None) -> None:
    """Set everything up, run the cells, report, and tear everything down."""
    with ExitStack() as cleanup:
        workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="joinery-bench-")))
        database = BenchDatabase()
        cleanup.callback(database.drop)
        print(f"loading {database.name} ...", file=sys.stderr)
        database.create_and_load()
        log = statement_log(database, pg_log)
        stub = StubProcess(sizes, PROJECT)
        cleanup.callback(stub.stop)
        stub.start()
        profile_out = workdir / "profile.pstats" if profile is not None else None
        server = JoineryServer(PROJECT, workdir, profile_out)
        cleanup.callback(server.stop)
        server.start()
        null_server = NullServer(PROJECT)
        cleanup.callback(null_server.stop)
        null_server.start()
        for command, args in metadata_commands(database.url, stub.action_url):
            server.metadata(command, args)
        bench = ActionJoinBench(server, stub, database, log, null_server)

        database.log_every_statement(True)
        database.disconnect_sessions()
        captures = {n: bench.capture(n) for n in sizes}
        database.log_every_statement(False)
        database.disconnect_sessions()

        sql_connection = psycopg2.connect(database.url)
        sql_connection.autocommit = True
        cleanup.callback(sql_connection.close)
        cells = []
        for n in sizes:
            print(f"N={n:,} ...", file=sys.stderr)
            cells.append(bench.run_cell(n, captures[n], sql_connection, rounds))
        settings = database.settings(("server_version", "jit", "ssl"))
        print_table(cells, settings)
        write_csv([result for results in cells for result in results], csv_path)
        if profile is not None and profile_out is not None:
            bench.profile(profile)
            server.stop()
            print_profile(profile_out, profile)


def _raise_timeout(signum: int, frame: Any) -> None:
    raise TimeoutError(f"benchmark exceeded {HARD_LIMIT_S} s")


def _raise_exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated N values")
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help="rounds of each cell (the median is reported)"
    )
    parser.add_argument("--profile", type=int, help="after the run, cProfile requests of this N")
    parser.add_argument("--csv", type=Path, default=RESULTS_CSV, help="where to write the results")
    parser.add_argument("--pg-log", type=Path, help="the PostgreSQL server log (default: Debian's location)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.profile is not None and args.profile not in sizes:
        parser.error("--profile must be one of --sizes")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    signal.signal(signal.SIGALRM, _raise_timeout)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.alarm(HARD_LIMIT_S)
    run(sizes, args.rounds, args.profile, args.csv, args.pg_log)


if __name__ == "__main__":
    main()
