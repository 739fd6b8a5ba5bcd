"""Closed-loop load on Joinery as production runs it: gunicorn servers sharing a PostgreSQL metadata database.

    ProductionServer   gunicorn (gthread) with W workers, DEBUG off, STATIC_MANIFEST=1 after
                       collectstatic, the metadata in a PostgreSQL database shared by every server
    empty_database     a throw-away PostgreSQL database (the metadata's)
    Probe              one GraphQL request and the exact answer it must get, checked once up front
    run_load           C clients in P processes (Python threads alone cannot keep many clients busy),
                       each a keep-alive connection to one of the servers sending the probes in turn,
                       the next one as soon as the last is answered, for a fixed time

Every answer is checked: HTTP 200 and the same bytes as the checked answer. An answer that differs is an
error, and the first few errors are kept with the ``errors`` of the body when it has some.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from psycopg2 import sql

from bench.fixture import ADMIN_URL, admin_connection
from bench.joinery_server import START_TIMEOUT_S, JoineryServer
from bench.timing import keep_alive_connection, percentile

KEPT_ERRORS = 5
START_DELAY_S = 2.0
RESULT_TIMEOUT_S = 120.0
COLLECTSTATIC_TIMEOUT_S = 180.0


@contextmanager
def empty_database(prefix: str = "joinery_bench_meta") -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped (with FORCE) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin_connection() as connection, connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin_connection() as connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class ProductionServer(JoineryServer):
    """A gunicorn master with ``workers`` gthread workers on a PostgreSQL metadata database."""

    def __init__(
        self,
        project: Path,
        workdir: Path,
        metadata_url: str,
        *,
        workers: int,
        threads: int,
        admin_secret: str,
        static_root: Path,
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        super().__init__(project, workdir)
        self.workers = workers
        self.admin_secret = admin_secret
        self.static_root = static_root
        self.env.update(
            DATABASE_URL=metadata_url,
            ADMIN_SECRET=admin_secret,
            DEMO="0",
            STATIC_MANIFEST="1",
            STATIC_ROOT=str(static_root),
            # Overrides the worker count and threads of bench/gunicorn_conf.py.
            GUNICORN_CMD_ARGS=f"--workers {workers} --threads {threads}",
        )

    def start(self) -> None:
        """Collect the static files (once per folder), migrate, start gunicorn, wait for every worker."""
        if not (self.static_root / "staticfiles.json").exists():
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=self.project,
                env=self.env,
                check=True,
                timeout=COLLECTSTATIC_TIMEOUT_S,
            )
        super().start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while len(self.worker_pids()) < self.workers:
            if time.monotonic() > deadline:
                raise TimeoutError(f"gunicorn did not start {self.workers} workers:\n{self.log_tail()}")
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        """The pids of the master's worker processes."""
        assert self.process is not None
        master = self.process.pid
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]

    def worker_cpu_s(self) -> dict[int, float]:
        """CPU time (user + system) each worker has used so far, in seconds."""
        return {pid: process_cpu_s(pid) for pid in self.worker_pids()}

    def worker_rss_kib(self) -> dict[int, int]:
        """Resident set size (VmRSS) of each worker, in KiB."""
        return {pid: _status_kib(pid, "VmRSS") for pid in self.worker_pids()}


def process_cpu_s(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime, fields 14 and 15 of proc_pid_stat(5), in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} not found for pid {pid}")


@dataclass(frozen=True)
class Probe:
    """A GraphQL request and the exact bytes of its correct answer."""

    name: str
    body: bytes
    headers: dict[str, str]
    expected: bytes

    @classmethod
    def checked(cls, server: JoineryServer, name: str, query: str, expected: Any, **headers: str) -> Probe:
        """Send the request once; its answer must equal ``expected`` (decoded). Keep its bytes."""
        body = orjson.dumps({"query": query})
        all_headers = {**server.headers, **headers}
        connection = keep_alive_connection(server.port)
        try:
            connection.request("POST", "/v1/graphql", body, all_headers)
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        if response.status != 200 or orjson.loads(answer) != expected:
            raise RuntimeError(f"{name}: unexpected answer {response.status}: {answer[:500]!r}")
        return cls(name, body, all_headers, answer)


@dataclass
class LoadResult:
    """Latencies (ms) of the answered requests per probe, errors per probe, the first few errors.

    ``client_cpu_s`` is the CPU time the load generator itself used: on a small machine it competes
    with the servers for the same cores. ``machine_busy_cores`` is how busy the whole machine was
    meanwhile (all processes, ours and others').
    """

    seconds: float
    client_cpu_s: float = 0.0
    machine_busy_cores: float = 0.0
    latencies: dict[str, array] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)

    def merge(self, other: dict[str, Any]) -> None:
        """Add one client process's results."""
        self.client_cpu_s += other["cpu_s"]
        for name, raw in other["latencies"].items():
            self.latencies.setdefault(name, array("d")).frombytes(raw)
        for name, count in other["errors"].items():
            self.errors[name] = self.errors.get(name, 0) + count
        self.first_errors.extend(other["first_errors"][: KEPT_ERRORS - len(self.first_errors)])

    def all_latencies(self) -> list[float]:
        """Every probe's latencies together."""
        return [sample for samples in self.latencies.values() for sample in samples]

    @property
    def requests(self) -> int:
        """Requests sent (answered correctly or not)."""
        return len(self.all_latencies()) + self.total_errors

    @property
    def total_errors(self) -> int:
        """Errors over all probes."""
        return sum(self.errors.values())

    def summary(self, names: list[str] | None = None) -> dict[str, float]:
        """Requests, errors, p50/p90/p99/max (ms) and requests per second, for some probes or all."""
        chosen = names if names is not None else list(self.latencies)
        samples = [s for name in chosen for s in self.latencies.get(name, ())]
        errors = sum(self.errors.get(name, 0) for name in chosen)
        return {
            "requests": len(samples) + errors,
            "errors": errors,
            "p50_ms": percentile(samples, 0.5) if samples else 0.0,
            "p90_ms": percentile(samples, 0.9) if samples else 0.0,
            "p99_ms": percentile(samples, 0.99) if samples else 0.0,
            "max_ms": max(samples) if samples else 0.0,
            "rps": (len(samples) + errors) / self.seconds,
        }


def run_load(
    ports: list[int], probes: list[Probe], *, clients: int, processes: int, seconds: float
) -> LoadResult:
    """``clients`` closed-loop keep-alive clients in ``processes`` processes for ``seconds``.

    Client ``i`` talks to ``ports[i % len(ports)]`` and starts with probe ``i % len(probes)``, so the
    clients spread over the servers and the mix is even from the start.
    """
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[dict[str, Any]] = context.Queue()
    start_at = time.monotonic() + START_DELAY_S
    groups = [list(range(clients))[index::processes] for index in range(processes)]
    workers = [
        context.Process(target=_client_process, args=(group, ports, probes, start_at, seconds, results))
        for group in groups
        if group
    ]
    for worker in workers:
        worker.start()
    result = LoadResult(seconds)
    time.sleep(max(0.0, start_at - time.monotonic()))
    busy_before, started = machine_busy_s(), time.monotonic()
    try:
        for _ in workers:
            result.merge(results.get(timeout=START_DELAY_S + seconds + RESULT_TIMEOUT_S))
        result.machine_busy_cores = (machine_busy_s() - busy_before) / (time.monotonic() - started)
    except queue.Empty:
        raise TimeoutError("a load process did not report") from None
    finally:
        for worker in workers:
            worker.join(RESULT_TIMEOUT_S)
            if worker.is_alive():
                worker.kill()
    return result


def _client_process(
    client_ids: list[int],
    ports: list[int],
    probes: list[Probe],
    start_at: float,
    seconds: float,
    results: multiprocessing.Queue[dict[str, Any]],
) -> None:
    """Run some of the clients on threads; report their latencies and errors."""
    latencies = {probe.name: array("d") for probe in probes}
    errors = {probe.name: 0 for probe in probes}
    first_errors: list[str] = []
    lock = threading.Lock()

    def client(client_id: int) -> None:
        own = {probe.name: array("d") for probe in probes}
        own_errors: list[tuple[str, str]] = []
        port = ports[client_id % len(ports)]
        connection: http.client.HTTPConnection | None = keep_alive_connection(port)
        index = client_id % len(probes)
        time.sleep(max(0.0, start_at - time.monotonic()))
        stop_at = start_at + seconds
        while time.monotonic() < stop_at:
            probe = probes[index]
            index = (index + 1) % len(probes)
            started = time.perf_counter()
            try:
                connection = connection or keep_alive_connection(port)
                connection.request("POST", "/v1/graphql", probe.body, probe.headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                own_errors.append((probe.name, f"{type(error).__name__}: {error}"))
                if connection is not None:
                    connection.close()
                connection = None
                continue
            elapsed_ms = (time.perf_counter() - started) * 1000
            if response.status == 200 and answer == probe.expected:
                own[probe.name].append(elapsed_ms)
            else:
                own_errors.append((probe.name, _describe(response.status, answer)))
        if connection is not None:
            connection.close()
        with lock:
            for name, samples in own.items():
                latencies[name].extend(samples)
            for name, message in own_errors:
                errors[name] += 1
                if len(first_errors) < KEPT_ERRORS:
                    first_errors.append(f"{name}: {message}")

    cpu_start = time.process_time()
    threads = [threading.Thread(target=client, args=(client_id,)) for client_id in client_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(
        {
            "latencies": {name: samples.tobytes() for name, samples in latencies.items()},
            "errors": errors,
            "first_errors": first_errors,
            "cpu_s": time.process_time() - cpu_start,
        }
    )


def _describe(status: int, answer: bytes) -> str:
    """Why an answer is wrong: its status, its GraphQL errors, or that its data differs."""
    try:
        errors = orjson.loads(answer).get("errors")
    except (orjson.JSONDecodeError, AttributeError):
        errors = None
    if errors:
        return f"HTTP {status}, errors: {orjson.dumps(errors)[:300].decode()}"
    return f"HTTP {status}, a different answer: {answer[:300]!r}"


def machine_busy_s() -> float:
    """CPU time all cores together have spent busy since boot (neither idle nor waiting for I/O), in seconds."""
    user, nice, system, idle, iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages of the machine."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
