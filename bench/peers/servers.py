"""The benchmarked GraphQL servers as processes: Joinery and its peers, started and stopped alike.

Every server answers POST /v1/graphql on 127.0.0.1 with one worker process. The benchmark reads
each server's process tree from /proc for CPU time and its worker(s) for peak memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.joinery_server import JoineryServer, free_port
from bench.process_stub import ProcessStub
from bench.procstat import process_tree, stop_process_group
from bench.timing import keep_alive_connection

PROJECT = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"
GRAPHQL_PATH = "/v1/graphql"
JSON = {"Content-Type": "application/json"}
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
THREADS = 4  # as bench/gunicorn_conf.py gives Joinery
KEEPALIVE_S = 60


class Gateway:
    """A server under test."""

    name = "gateway"
    port = 0
    headers: dict[str, str] = JSON

    def start(self) -> None:
        """Start the server and wait until it answers."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server and every process it started."""
        raise NotImplementedError

    def root_pid(self) -> int:
        """The process the benchmark started."""
        raise NotImplementedError

    def worker_pids(self) -> list[int]:
        """The processes that serve requests."""
        return [self.root_pid()]

    def pids(self) -> list[int]:
        """Every process of the server (master and workers)."""
        return process_tree(self.root_pid())


class JoineryGateway(Gateway):
    """Joinery under gunicorn (``bench.joinery_server``)."""

    name = "Joinery"

    def __init__(self, server: JoineryServer) -> None:
        self.server = server
        self.port = server.port
        self.headers = server.headers

    def start(self) -> None:
        """Start gunicorn (the metadata database keeps what was loaded before a restart)."""
        self.server.start()

    def stop(self) -> None:
        """Stop gunicorn."""
        self.server.stop()
        self.server.process = None

    def root_pid(self) -> int:
        """The gunicorn master."""
        assert self.server.process is not None
        return self.server.process.pid

    def worker_pids(self) -> list[int]:
        """The gunicorn worker."""
        return [self.server.worker_pid()]


class GunicornPeer(Gateway):
    """A Python peer under gunicorn with one worker."""

    def __init__(
        self, name: str, app: str, worker: list[str], environment: dict[str, str], log: Path
    ) -> None:
        self.name = name
        self.app = app
        self.worker = worker
        self.environment = {**os.environ, **environment}
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start gunicorn and wait until ``{ __typename }`` is answered."""
        command = [
            sys.executable, "-m", "gunicorn", "--workers", "1", *self.worker,
            "--bind", f"127.0.0.1:{self.port}", "--keep-alive", str(KEEPALIVE_S), "--timeout", "300",
            "--log-level", "warning", "--no-control-socket", self.app,
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_answering(self, lambda: self.process is not None and self.process.poll() is None, self.log)

    def stop(self) -> None:
        """Stop gunicorn gracefully, then its whole process group."""
        if self.process is None:
            return
        stop_process_group(self.process, STOP_TIMEOUT_S)
        self.process = None

    def root_pid(self) -> int:
        """The gunicorn master."""
        assert self.process is not None
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """The gunicorn worker(s)."""
        return process_tree(self.root_pid())[1:]


class NodePeer(Gateway, ProcessStub):
    """A Node gateway from bench/peers/node, in production mode."""

    def __init__(self, name: str, script: str, environment: dict[str, str]) -> None:
        ProcessStub.__init__(self, NODE_DIR)
        self.name = name
        self.script = script
        self.extra_environment = environment

    def command(self) -> list[str]:
        """Run the script with node."""
        return ["node", self.script]

    def environment(self) -> dict[str, str]:
        """The benchmark's environment, the peer's settings and NODE_ENV=production."""
        return {**os.environ, **self.extra_environment, "NODE_ENV": "production"}

    def start(self) -> None:
        """Start node and wait for its port."""
        ProcessStub.start(self)

    def stop(self) -> None:
        """Stop node."""
        ProcessStub.stop(self)
        self.process = None

    def root_pid(self) -> int:
        """The node process."""
        assert self.process is not None
        return self.process.pid


def wait_until_answering(gateway: Gateway, alive: Callable[[], bool], log: Path) -> None:
    """Poll ``{ __typename }`` until the server answers it; fail early if the process exited."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"{gateway.name} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            connection = keep_alive_connection(gateway.port)
        except OSError:
            time.sleep(0.1)
            continue
        try:
            connection.request("POST", GRAPHQL_PATH, b'{"query": "{ __typename }"}', gateway.headers)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise TimeoutError(f"{gateway.name} did not answer within {START_TIMEOUT_S} s")


def peer_environment(database_url: str, webhook_url: str, remote_url: str) -> dict[str, str]:
    """Where every peer finds the database, the action webhook and the remote schema."""
    return {
        "BENCH_DATABASE_URL": database_url,
        "BENCH_WEBHOOK_URL": webhook_url,
        "BENCH_REMOTE_URL": remote_url,
    }


def node_modules_installed() -> bool:
    """Whether ``npm ci`` has installed the Node peers' packages."""
    return (NODE_DIR / "node_modules" / ".package-lock.json").exists()


def peers(environment: dict[str, str], workdir: Path) -> list[Gateway]:
    """The peers, in the order they are measured."""
    return [
        GunicornPeer(
            "strawberry",
            "bench.peers.strawberry_app:app",
            ["--worker-class", "uvicorn_worker.UvicornWorker"],
            environment,
            workdir / "strawberry.log",
        ),
        GunicornPeer(
            "graphene",
            "bench.peers.graphene_app:application",
            ["--worker-class", "gthread", "--threads", str(THREADS)],
            environment,
            workdir / "graphene.log",
        ),
        NodePeer("stitching", "stitching_gateway.mjs", environment),
    ]
