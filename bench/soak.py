"""Soak: Joinery in production settings under 32 closed-loop clients for five minutes; errors and memory growth.

    32 clients ──keep-alive──▶ gunicorn, 4 gthread workers ──▶ webhook stub (recent_orders)
    (2 processes)              DEBUG off, STATIC_MANIFEST=1  ──▶ remote stub (inventory: stock, shipments)
                               metadata on PostgreSQL        ──▶ PostgreSQL: customers, orders

The metadata joins all three: the action ``recent_orders`` → ``customers`` (custom type relationship),
``customers`` → ``orders`` (array relationship) with select permissions for the role ``user`` (own rows
only), ``customers`` → the remote schema's ``stock`` and the remote ``Shipment`` → ``customers``. The
clients send these queries in turn:

    action_to_table      { recent_orders(limit: 20) { id total customer { id name email } } }   (admin)
    table_as_user_<id>   { customers { id name email orders(order_by: {id: asc}) { id total } } }  (role user)
    table_to_remote      { customers(limit: 20, order_by: {id: asc}) { id name stock { qty } } }
    remote_to_table      { shipments(n: 20) { id customer_id customer { name } } }

Every answer must be HTTP 200 with exactly the bytes of the first answer, which was checked against the
expected data. The warm-up ends once gunicorn has all its workers up; their resident memory is read then,
every 30 s and at the end. The run fails (exit 1) on any error, when a worker's memory grew by 10 % or
more, or when a worker exited (gunicorn replacing it) from the start of the warm-up to the end.

    .venv/bin/python -m bench.soak [--seconds 300] [--warmup 30] [--clients 32]
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import dataset
from bench.action_join import _raise_exit, _raise_timeout
from bench.action_join import metadata_commands as action_metadata_commands
from bench.fixture import BenchDatabase
from bench.load import (
    LoadResult,
    Probe,
    ProductionServer,
    empty_database,
    load_average,
    process_cpu_s,
    run_load,
)
from bench.process_stub import ProcessStub
from bench.remote_joins import add_sku_column, expected_response
from bench.remote_joins import metadata as remote_metadata
from bench.remote_stub import RemoteStubProcess
from bench.webhook_stub import StubProcess

PROJECT = Path(__file__).resolve().parent.parent
RESULTS_CSV = PROJECT / "bench" / "results" / "soak.csv"
SOURCE = "default"
ROLE = "user"
JOINED_ROWS = 20
USERS = (77, 4242)
WORKERS = 4
THREADS = 8
CLIENT_PROCESSES = 2
RSS_SAMPLE_EVERY_S = 30.0
GROWTH_LIMIT_PCT = 10.0
HARD_LIMIT_MARGIN_S = 900
WORKERS_UP_TIMEOUT_S = 60.0


def metadata_commands() -> list[tuple[str, dict[str, Any]]]:
    """What the soak adds to the remote-joins metadata: orders, the action, relationships, permissions."""
    customers = {"schema": "public", "name": "customers"}
    orders = {"schema": "public", "name": "orders"}
    own_customer = {"id": {"_eq": "X-Hasura-User-Id"}}
    own_orders = {"customer_id": {"_eq": "X-Hasura-User-Id"}}
    return [
        ("pg_track_table", {"source": SOURCE, "table": orders}),
        (
            "pg_create_array_relationship",
            {
                "source": SOURCE,
                "table": customers,
                "name": "orders",
                "using": {"foreign_key_constraint_on": {"table": orders, "column": "customer_id"}},
            },
        ),
        (
            "pg_create_select_permission",
            {
                "source": SOURCE,
                "table": customers,
                "role": ROLE,
                "permission": {"columns": ["id", "name", "email"], "filter": own_customer},
            },
        ),
        (
            "pg_create_select_permission",
            {
                "source": SOURCE,
                "table": orders,
                "role": ROLE,
                "permission": {"columns": ["id", "total", "customer_id"], "filter": own_orders},
            },
        ),
    ]


def customer_with_orders(customer_id: int) -> dict[str, Any]:
    """The answer to the role ``user`` table query for one user."""
    first = (customer_id - 1) * dataset.ORDERS_PER_CUSTOMER + 1
    orders = [
        {"id": order_id, "total": dataset.order_total(order_id)}
        for order_id in range(first, first + dataset.ORDERS_PER_CUSTOMER)
    ]
    return {"data": {"customers": [{**dataset.customer(customer_id), "orders": orders}]}}


def probes(server: ProductionServer) -> list[Probe]:
    """The soak's requests, each checked once against its expected answer."""
    checked = [
        Probe.checked(
            server,
            "action_to_table",
            f"{{ recent_orders(limit: {JOINED_ROWS}) {{ id total customer {{ id name email }} }} }}",
            dataset.expected_response(JOINED_ROWS),
        ),
        Probe.checked(
            server,
            "table_to_remote",
            f"{{ customers(limit: {JOINED_ROWS}, order_by: {{id: asc}}) {{ id name stock {{ qty }} }} }}",
            expected_response("W3 alias", JOINED_ROWS),
        ),
        Probe.checked(
            server,
            "remote_to_table",
            f"{{ shipments(n: {JOINED_ROWS}) {{ id customer_id customer {{ name }} }} }}",
            expected_response("W4", JOINED_ROWS),
        ),
    ]
    for user in USERS:
        query = "{ customers { id name email orders(order_by: {id: asc}) { id total } } }"
        headers = {"X-Hasura-Role": ROLE, "X-Hasura-User-Id": str(user)}
        checked.append(
            Probe.checked(server, f"table_as_user_{user}", query, customer_with_orders(user), **headers)
        )
    return checked


def live_workers(server: ProductionServer) -> list[int]:
    """The pids of the master's workers, leaving out any that exited and waits to be reaped."""
    return [pid for pid in server.worker_pids() if _process_state(pid) not in (None, "Z")]


def wait_for_workers(server: ProductionServer, count: int) -> list[int]:
    """The pids of ``count`` live workers, once gunicorn has them all (a worker may still be starting)."""
    deadline = time.monotonic() + WORKERS_UP_TIMEOUT_S
    while len(pids := live_workers(server)) != count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"gunicorn has {len(pids)} of {count} workers:\n{server.log_tail()}")
        time.sleep(0.1)
    return sorted(pids)


def worker_changes(before: list[int], after: list[int]) -> list[str]:
    """What happened to the workers between two readings: each one that exited, each one that started."""
    gone = [f"worker {pid} exited" for pid in before if pid not in after]
    return gone + [f"worker {pid} started (a replacement)" for pid in after if pid not in before]


def _process_state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def _rss_kib(pid: int) -> int | None:
    """A process's VmRSS in KiB; None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return None
    values = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(values[0]) if values else None


def _cpu_s(pid: int) -> float | None:
    try:
        return process_cpu_s(pid)
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class WorkerFigures:
    """One worker over the soak: its RSS at the start and the end, and the CPU time it used."""

    rss_start_kib: int
    rss_end_kib: int
    cpu_s: float

    @property
    def growth_pct(self) -> float:
        """RSS growth from start to end, in percent."""
        return (self.rss_end_kib - self.rss_start_kib) * 100 / self.rss_start_kib


class WorkerWatch:
    """Reads the RSS of the workers live at the start, now and then on a thread, and at the end; and their CPU time.

    A worker that exits is missing from the last reading; every reading also lists the master's live
    workers, so the one gunicorn started in its place shows as well.
    """

    def __init__(self, server: ProductionServer, workers: list[int], every_s: float) -> None:
        self.server = server
        self.workers = workers
        self.every_s = every_s
        self.samples: list[tuple[float, dict[int, int]]] = []
        self.seen: set[int] = set(workers)
        self._cpu_start: dict[int, float | None] = {}
        self._cpu_end: dict[int, float | None] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = 0.0

    def start(self) -> None:
        """Take the first readings and keep sampling RSS."""
        self._started = time.monotonic()
        self._cpu_start = {pid: _cpu_s(pid) for pid in self.workers}
        self._sample()
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling and take the last readings."""
        self._stop.set()
        self._thread.join()
        self._sample()
        self._cpu_end = {pid: _cpu_s(pid) for pid in self.workers}

    def changes(self) -> list[str]:
        """Each worker that exited during the soak and each one started in its place."""
        alive_at_end = [pid for pid in self.workers if pid in self.samples[-1][1]]
        return worker_changes(self.workers, alive_at_end + sorted(self.seen - set(self.workers)))

    def figures(self) -> dict[int, WorkerFigures | None]:
        """Each worker's figures; None for a worker that exited during the soak."""
        start, end = self.samples[0][1], self.samples[-1][1]
        return {pid: self._figures(pid, start, end) for pid in self.workers}

    def _figures(self, pid: int, start: dict[int, int], end: dict[int, int]) -> WorkerFigures | None:
        cpu_start, cpu_end = self._cpu_start.get(pid), self._cpu_end.get(pid)
        if pid not in start or pid not in end or cpu_start is None or cpu_end is None:
            return None
        return WorkerFigures(start[pid], end[pid], cpu_end - cpu_start)

    def _sample(self) -> None:
        live = set(live_workers(self.server))
        self.seen |= live
        readings = {pid: _rss_kib(pid) for pid in self.workers if pid in live}
        rss = {pid: kib for pid, kib in readings.items() if kib is not None}
        self.samples.append((time.monotonic() - self._started, rss))

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self._sample()


def print_report(result: LoadResult, watch: WorkerWatch, loads: tuple[str, str]) -> None:
    """The summary: requests, errors, latency, throughput; memory and CPU per worker."""
    total = result.summary()
    print(f"load average at start: {loads[0]}; at end: {loads[1]}")
    print(
        f"{total['requests']:,.0f} requests in {result.seconds:.0f} s, {total['errors']:.0f} errors, "
        f"p50 {total['p50_ms']:.1f} ms, p99 {total['p99_ms']:.1f} ms, {total['rps']:.1f} requests/s"
    )
    print("\n| query | requests | errors | p50 ms | p99 ms | max ms | requests/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in sorted(result.latencies):
        s = result.summary([name])
        print(
            f"| {name} | {s['requests']:,.0f} | {s['errors']:.0f} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} "
            f"| {s['max_ms']:.1f} | {s['rps']:.1f} |"
        )
    print("\n| worker | RSS at start | RSS at end | growth | CPU used |")
    print("|---|---:|---:|---:|---:|")
    for number, worker in enumerate(watch.figures().values(), 1):
        if worker is None:
            print(f"| {number} | exited during the soak | | | |")
            continue
        print(
            f"| {number} | {worker.rss_start_kib / 1024:.1f} MiB | {worker.rss_end_kib / 1024:.1f} MiB "
            f"| {worker.growth_pct:+.1f} % | {worker.cpu_s / result.seconds:.2f} cores |"
        )
    print("\nRSS over time (MiB per worker): " + "; ".join(
        f"{at:.0f} s: " + ", ".join(
            f"{sample[pid] / 1024:.1f}" if pid in sample else "exited" for pid in watch.workers
        )
        for at, sample in watch.samples
    ))  # fmt: skip
    for message in result.first_errors:
        print(f"error: {message}")


def memory_columns(workers: list[WorkerFigures], seconds: float) -> dict[str, float]:
    """RSS at the start and the end and CPU in cores, summed over ``workers``; the largest growth of one."""
    if not workers:
        return {}
    return {
        "rss_start_kib": sum(worker.rss_start_kib for worker in workers),
        "rss_end_kib": sum(worker.rss_end_kib for worker in workers),
        "rss_growth_pct": round(max(worker.growth_pct for worker in workers), 2),
        "cpu_cores": round(sum(worker.cpu_s for worker in workers) / seconds, 3),
    }


def write_csv(result: LoadResult, watch: WorkerWatch, path: Path) -> None:
    """One row for all requests, one per query, one per worker (``worker:<n>:exited`` if it exited).

    The ``all`` row sums the workers' RSS and CPU, and its growth is the largest of any worker's, the
    figure the run is judged by.
    """
    columns = ["scope", "requests", "errors", "p50_ms", "p90_ms", "p99_ms", "max_ms", "rps"]
    columns += ["rss_start_kib", "rss_end_kib", "rss_growth_pct", "cpu_cores"]
    figures = list(watch.figures().values())
    ran_through = [worker for worker in figures if worker is not None]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for scope, names in [("all", None), *((f"query:{n}", [n]) for n in sorted(result.latencies))]:
            summary = {key: round(value, 3) for key, value in result.summary(names).items()}
            memory = memory_columns(ran_through, result.seconds) if names is None else {}
            writer.writerow({"scope": scope, **summary, **memory})
        for number, worker in enumerate(figures, 1):
            if worker is None:
                writer.writerow({"scope": f"worker:{number}:exited"})
            else:
                writer.writerow({"scope": f"worker:{number}", **memory_columns([worker], result.seconds)})


def stubs_cpu_s(stubs: list[ProcessStub]) -> float:
    """CPU time the stub processes have used so far, in seconds."""
    return sum(process_cpu_s(stub.process.pid) for stub in stubs if stub.process is not None)


def run(seconds: float, warmup: float, clients: int, csv_path: Path) -> int:
    """Set up, warm up, soak, report; tear everything down. The exit status."""
    with ExitStack() as cleanup:
        workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="joinery-soak-")))
        database = BenchDatabase()
        cleanup.callback(database.drop)
        print(f"loading {database.name} ...", file=sys.stderr)
        database.create_and_load()
        add_sku_column(database)
        metadata_url = cleanup.enter_context(empty_database())
        webhook = StubProcess([JOINED_ROWS], PROJECT)
        cleanup.callback(webhook.stop)
        webhook.start()
        remote = RemoteStubProcess(PROJECT)
        cleanup.callback(remote.stop)
        remote.start()
        server = ProductionServer(
            PROJECT,
            workdir / "server",
            metadata_url,
            workers=WORKERS,
            threads=THREADS,
            admin_secret=secrets.token_hex(16),
            static_root=workdir / "static",
        )
        cleanup.callback(server.stop)
        server.start()
        server.metadata("replace_metadata", remote_metadata(database.url, remote.url))
        for command, args in action_metadata_commands(database.url, webhook.action_url):
            if command in ("set_custom_types", "create_action"):
                server.metadata(command, args)
        for command, args in metadata_commands():
            server.metadata(command, args)
        requests = probes(server)
        ports = [server.port]

        started = wait_for_workers(server, WORKERS)
        print(f"warming up for {warmup:.0f} s ...", file=sys.stderr)
        warm = run_load(ports, requests, clients=clients, processes=CLIENT_PROCESSES, seconds=warmup)
        workers = wait_for_workers(server, WORKERS)
        warm_changes = worker_changes(started, workers)
        loads = [load_average()]
        watch = WorkerWatch(server, workers, RSS_SAMPLE_EVERY_S)
        stubs = [webhook, remote]
        stubs_before = stubs_cpu_s(stubs)
        watch.start()
        print(f"soaking for {seconds:.0f} s with {clients} clients ...", file=sys.stderr)
        result = run_load(ports, requests, clients=clients, processes=CLIENT_PROCESSES, seconds=seconds)
        watch.stop()
        stubs_used = stubs_cpu_s(stubs) - stubs_before
        loads.append(load_average())
        print_report(result, watch, (loads[0], loads[1]))
        ran_through = [worker for worker in watch.figures().values() if worker is not None]
        workers_used = sum(worker.cpu_s for worker in ran_through)
        ours = (workers_used + stubs_used + result.client_cpu_s) / seconds
        print(
            f"CPU in cores (of {os.cpu_count()}): machine busy {result.machine_busy_cores:.2f}; Joinery workers "
            f"{workers_used / seconds:.2f}, stubs {stubs_used / seconds:.2f}, load generator "
            f"{result.client_cpu_s / seconds:.2f}; the rest (PostgreSQL, other processes) "
            f"{result.machine_busy_cores - ours:.2f}"
        )
        print(f"warm-up: {warm.requests:,} requests, {warm.total_errors} errors")
        for message in warm.first_errors:
            print(f"warm-up error: {message}")
        changes = [f"warm-up: {change}" for change in warm_changes]
        changes += [f"soak: {change}" for change in watch.changes()]
        for change in changes:
            print(change)
        if changes:
            print(f"gunicorn's log ends:\n{server.log_tail()}")
        write_csv(result, watch, csv_path)
        growth = max((worker.growth_pct for worker in ran_through), default=0.0)
        errors = result.total_errors + warm.total_errors
        failed = errors > 0 or growth >= GROWTH_LIMIT_PCT or bool(changes)
        print(
            "FAILED"
            if failed
            else f"passed: no errors, all {WORKERS} workers ran through, memory growth below 10 %"
        )
        return 1 if failed else 0


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the soak (default 300)")
    parser.add_argument("--warmup", type=float, default=30.0, help="warm-up before memory is first read")
    parser.add_argument("--clients", type=int, default=32, help="concurrent closed-loop clients")
    parser.add_argument("--csv", type=Path, default=RESULTS_CSV, help="where to write the results")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _raise_timeout)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.alarm(int(args.seconds + args.warmup) + HARD_LIMIT_MARGIN_S)
    sys.exit(run(args.seconds, args.warmup, args.clients, args.csv))


if __name__ == "__main__":
    main()
