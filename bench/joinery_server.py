"""Joinery as a real server process for benchmarks: gunicorn serving ``console.wsgi:application``.

A temporary folder holds the metadata database (SQLite, migrated with ``manage.py migrate``) and
the server's log. Metadata is loaded through ``POST /v1/metadata`` like any client would, with
an admin secret set so requests take the same authentication path as in production.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench.procstat import cpu_seconds, peak_rss_kib, stop_process_group
from bench.timing import keep_alive_connection

GUNICORN_CONF = Path(__file__).with_name("gunicorn_conf.py")
MIGRATE_TIMEOUT_S = 180.0
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(
    process: subprocess.Popen[bytes], probe: Callable[[], object], name: str, log_tail: Callable[[], str]
) -> None:
    """Return once ``probe`` gets through to the started ``process``; fail if it exits or stays silent."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log_tail()}")
        try:
            probe()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{name} did not answer within {START_TIMEOUT_S} s:\n{log_tail()}")


class JoineryServer:
    """One gunicorn master with one worker, started and stopped by the benchmark."""

    def __init__(self, project: Path, workdir: Path, profile_out: Path | None = None) -> None:
        self.project = project
        self.workdir = workdir
        self.port = free_port()
        self.admin_secret = secrets.token_hex(16)
        self.log_path = workdir / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "console.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'metadata.sqlite3'}",
            "ADMIN_SECRET": self.admin_secret,
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
        if profile_out is not None:
            self.env["BENCH_PROFILE_OUT"] = str(profile_out)

    @property
    def headers(self) -> dict[str, str]:
        """Headers of an admin request."""
        return {"Content-Type": "application/json", "X-Hasura-Admin-Secret": self.admin_secret}

    def start(self) -> None:
        """Migrate the metadata database, start gunicorn and wait until it answers."""
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=self.project,
            env=self.env,
            check=True,
            timeout=MIGRATE_TIMEOUT_S,
        )
        command = [
            sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF),
            "--bind", f"127.0.0.1:{self.port}", "console.wsgi:application",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.project,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        wait_until_answering(
            self.process, lambda: self.graphql(b'{"query": "{ __typename }"}'), "gunicorn", self.log_tail
        )

    def graphql(self, body: bytes) -> bytes:
        """One ``/v1/graphql`` request on a fresh connection."""
        return self._post("/v1/graphql", body)

    def metadata(self, command: str, args: dict[str, Any]) -> Any:
        """Run one metadata command; raise with the server's answer when it fails."""
        return orjson.loads(self._post("/v1/metadata", orjson.dumps({"type": command, "args": args})))

    def _post(self, path: str, body: bytes) -> bytes:
        connection = keep_alive_connection(self.port)
        try:
            connection.request("POST", path, body, self.headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"POST {path} answered {response.status}: {data[:1000]!r}")
        return data

    def worker_pid(self) -> int:
        """The pid of the (single) worker process."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        if len(children) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {children}")
        return int(children[0])

    def worker_cpu_seconds(self) -> float:
        """User + system CPU seconds the worker has used so far."""
        return cpu_seconds([self.worker_pid()])

    def worker_peak_rss_kib(self) -> int:
        """Peak resident set size of the worker so far (VmHWM), in KiB."""
        return peak_rss_kib(self.worker_pid())

    def stop(self) -> None:
        """Stop gunicorn gracefully (workers run their exit hooks), killing its group if it lingers."""
        if self.process is not None:
            stop_process_group(self.process, STOP_TIMEOUT_S)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for error messages."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
