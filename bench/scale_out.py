"""Scale-out: throughput of the action → table join at 1, 2 and 4 gunicorn workers, and 3 processes × 1 worker.

    16 clients ──keep-alive──▶ Joinery: 1 process × 1, 2 or 4 workers, or 3 processes × 1 worker
    (2 processes,              (gthread, 8 threads each, production settings, one PostgreSQL
     closed loop)               metadata database)  ──▶ webhook stub: 100 orders
                                                    └─▶ PostgreSQL: their 100 customers

Every configuration serves ``{ recent_orders(limit: 100) { id total customer { id name email } } }``
to 16 closed-loop clients, after a warm-up, for a fixed time. With 3 processes there is no balancer:
client ``i`` talks to process ``i mod 3``. Every answer must be HTTP 200 with the checked bytes, and
every worker must live through the run (gunicorn replacing one is an error). Throughput is answered
requests per second; the speed-up is relative to one worker.

    .venv/bin/python -m bench.scale_out [--seconds 20] [--warmup 5]
"""

from __future__ import annotations

import argparse
import csv
import secrets
import signal
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import dataset
from bench.action_join import QUERY, _raise_exit, _raise_timeout, metadata_commands
from bench.fixture import BenchDatabase
from bench.load import Probe, ProductionServer, empty_database, load_average, run_load
from bench.soak import live_workers, wait_for_workers, worker_changes
from bench.webhook_stub import StubProcess

PROJECT = Path(__file__).resolve().parent.parent
RESULTS_CSV = PROJECT / "bench" / "results" / "scale_out.csv"
JOINED_ROWS = 100
CLIENTS = 16
CLIENT_PROCESSES = 2
THREADS = 8
# (processes, workers per process)
CONFIGURATIONS = ((1, 1), (1, 2), (1, 4), (3, 1))
HARD_LIMIT_MARGIN_S = 600


@dataclass(frozen=True)
class ScaleResult:
    """One configuration's throughput and latency."""

    processes: int
    workers_per_process: int
    workers: int
    requests: int
    errors: int
    rps: float
    speedup: float
    p50_ms: float
    p99_ms: float
    server_cpu_cores: float
    client_cpu_cores: float
    machine_busy_cores: float
    load_average: str


class ScaleOutBench:
    """Starts each configuration's servers on the shared metadata database and measures it."""

    def __init__(self, workdir: Path, metadata_url: str, seconds: float, warmup: float) -> None:
        self.workdir = workdir
        self.metadata_url = metadata_url
        self.seconds = seconds
        self.warmup = warmup
        self.admin_secret = secrets.token_hex(16)
        self.started = 0

    def servers(self, processes: int, workers: int, cleanup: ExitStack) -> list[ProductionServer]:
        """Start ``processes`` servers of ``workers`` workers each; stopped by ``cleanup``."""
        servers = []
        for _ in range(processes):
            self.started += 1
            server = ProductionServer(
                PROJECT,
                self.workdir / f"server-{self.started}",
                self.metadata_url,
                workers=workers,
                threads=THREADS,
                admin_secret=self.admin_secret,
                static_root=self.workdir / "static",
            )
            cleanup.callback(server.stop)
            server.start()
            servers.append(server)
        return servers

    def measure(self, processes: int, workers: int, query: str) -> tuple[ScaleResult, str]:
        """Throughput of one configuration (the speed-up is filled in by the caller); its first errors."""
        with ExitStack() as cleanup:
            servers = self.servers(processes, workers, cleanup)
            pids = [wait_for_workers(server, workers) for server in servers]
            expected = dataset.expected_response(JOINED_ROWS)
            # Every server must answer correctly, and byte for byte alike: the clients check one answer.
            probes = [Probe.checked(server, "action_to_table", query, expected) for server in servers]
            if len({probe.expected for probe in probes}) != 1:
                raise RuntimeError("the servers answered differently")
            ports = [server.port for server in servers]
            load = {"clients": CLIENTS, "processes": CLIENT_PROCESSES}
            run_load(ports, probes[:1], seconds=self.warmup, **load)
            cpu_before = sum(sum(server.worker_cpu_s().values()) for server in servers)
            result = run_load(ports, probes[:1], seconds=self.seconds, **load)
            server_cpu_s = sum(sum(server.worker_cpu_s().values()) for server in servers) - cpu_before
            changes = [
                change
                for server, started in zip(servers, pids, strict=True)
                for change in worker_changes(started, sorted(live_workers(server)))
            ]
            summary = result.summary()
            scale = ScaleResult(
                processes=processes,
                workers_per_process=workers,
                workers=processes * workers,
                requests=int(summary["requests"]),
                errors=int(summary["errors"]),
                rps=summary["rps"],
                speedup=0.0,
                p50_ms=summary["p50_ms"],
                p99_ms=summary["p99_ms"],
                server_cpu_cores=server_cpu_s / self.seconds,
                client_cpu_cores=result.client_cpu_s / self.seconds,
                machine_busy_cores=result.machine_busy_cores,
                load_average=load_average(),
            )
            return scale, "; ".join([*result.first_errors, *changes])


def print_table(results: list[ScaleResult]) -> None:
    """The summary table."""
    print(
        "| processes × workers | requests | errors | requests/s | speed-up | p50 ms | p99 ms "
        "| workers' CPU | clients' CPU | machine busy | load average |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(
            f"| {r.processes} × {r.workers_per_process} | {r.requests:,} | {r.errors} | {r.rps:.1f} "
            f"| {r.speedup:.2f}x | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.server_cpu_cores:.2f} cores "
            f"| {r.client_cpu_cores:.2f} cores | {r.machine_busy_cores:.2f} cores | {r.load_average} |"
        )


def write_csv(results: list[ScaleResult], path: Path) -> None:
    """One row per configuration."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(asdict(results[0])))
        writer.writeheader()
        for result in results:
            writer.writerow(
                {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(result).items()}
            )


def run(seconds: float, warmup: float, csv_path: Path) -> int:
    """Set up once, measure every configuration, report; tear everything down. The exit status."""
    with ExitStack() as cleanup:
        workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="joinery-scale-")))
        database = BenchDatabase()
        cleanup.callback(database.drop)
        print(f"loading {database.name} ...", file=sys.stderr)
        database.create_and_load()
        metadata_url = cleanup.enter_context(empty_database())
        stub = StubProcess([JOINED_ROWS], PROJECT)
        cleanup.callback(stub.stop)
        stub.start()
        bench = ScaleOutBench(workdir, metadata_url, seconds, warmup)
        with ExitStack() as first:
            [server] = bench.servers(1, 1, first)
            for command, args in metadata_commands(database.url, stub.action_url):
                server.metadata(command, args)
        results: list[ScaleResult] = []
        failures = []
        for processes, workers in CONFIGURATIONS:
            print(f"{processes} process(es) × {workers} worker(s) ...", file=sys.stderr)
            result, errors = bench.measure(processes, workers, QUERY % JOINED_ROWS)
            results.append(result)
            if errors:
                failures.append(f"{processes} × {workers}: {errors}")
        baseline = results[0].rps
        results = [ScaleResult(**{**asdict(r), "speedup": r.rps / baseline}) for r in results]
        print_table(results)
        write_csv(results, csv_path)
        for failure in failures:
            print(f"errors: {failure}")
        return 1 if failures else 0


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per configuration")
    parser.add_argument("--warmup", type=float, default=5.0, help="warm-up per configuration")
    parser.add_argument("--csv", type=Path, default=RESULTS_CSV, help="where to write the results")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _raise_timeout)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.alarm(int((args.seconds + args.warmup) * len(CONFIGURATIONS)) + HARD_LIMIT_MARGIN_S)
    sys.exit(run(args.seconds, args.warmup, args.csv))


if __name__ == "__main__":
    main()
