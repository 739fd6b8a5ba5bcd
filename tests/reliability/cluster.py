"""Joinery as production runs it, for the reliability tests: gunicorn processes on a PostgreSQL metadata database.

``fresh_database`` makes a throw-away PostgreSQL database; ``migrate`` prepares it once;
``JoineryProcess`` is one gunicorn master (gthread workers, admin secret, DEBUG and the demo off)
serving ``console.wsgi:application`` with ``DATABASE_URL`` pointing at that database. Several
processes may share one database, as several hosts would. Everything is stopped and dropped on
the way out.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg2
import pytest
import requests
from psycopg2 import sql

from tests.conftest import PG_ADMIN_URL
from tests.support.servers import unused_port

ROOT = Path(__file__).resolve().parents[2]
ADMIN_SECRET = "reliability-admin-secret"
# Settings of the test process that would change how the servers authenticate or what they may call.
INHERITED_SETTINGS_DROPPED = (
    "ADMIN_SECRET",
    "JWT_SECRET",
    "AUTH_HOOK",
    "UNAUTHORIZED_ROLE",
    "DEBUG",
    "DEMO",
    "DJANGO_SETTINGS_MODULE",
    "STATIC_MANIFEST",
)
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
REQUEST_TIMEOUT_S = 30.0
MANAGE_TIMEOUT_S = 120.0


def _admin_execute(statement: sql.Composable) -> None:
    with closing(psycopg2.connect(PG_ADMIN_URL, connect_timeout=10)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped (with FORCE) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _admin_execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        _admin_execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def execute(database_url: str, statement: str) -> None:
    """Run SQL on a database (autocommit)."""
    with closing(psycopg2.connect(database_url, connect_timeout=10)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)


def server_environment(database_url: str) -> dict[str, str]:
    """The environment of a production server on ``database_url``."""
    env = {key: value for key, value in os.environ.items() if key not in INHERITED_SETTINGS_DROPPED}
    env.update(
        DJANGO_SETTINGS_MODULE="console.settings",
        DATABASE_URL=database_url,
        ADMIN_SECRET=ADMIN_SECRET,
        SECRET_KEY="reliability-secret-key-of-some-length",
        DEBUG="0",
        DEMO="0",
        LOG_LEVEL="WARNING",
        OUTBOUND_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    return env


def manage(database_url: str, *args: str) -> str:
    """Run ``manage.py`` against ``database_url``; it must succeed. Its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_environment(database_url),
        capture_output=True,
        text=True,
        timeout=MANAGE_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def migrate(database_url: str) -> None:
    """Create Django's and the metadata's tables (once per database, before any server starts)."""
    manage(database_url, "migrate", "--noinput", "-v0")


class JoineryProcess:
    """One gunicorn master with gthread workers, in a process group of its own."""

    def __init__(self, database_url: str, folder: Path, *, workers: int, threads: int) -> None:
        self.port = unused_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.log_path = folder / f"gunicorn-{self.port}.log"
        self.workers = workers
        self.threads = threads
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start gunicorn; ``wait_until_ready`` waits for it."""
        command = [
            sys.executable, "-m", "gunicorn", "console.wsgi:application",
            "--worker-class", "gthread", "--workers", str(self.workers), "--threads", str(self.threads),
            "--no-control-socket", "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=server_environment(self.database_url),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_ready(self) -> None:
        """Wait until a GraphQL request is answered."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.graphql("{ __typename }")
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        pytest.fail(f"gunicorn did not answer within {READY_TIMEOUT_S} s:\n{self.log_tail()}")

    def signal_stop(self) -> None:
        """Ask the master and its workers to stop; ``wait_stopped`` waits for them."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def wait_stopped(self) -> None:
        """Wait for the stop asked for, killing the process group if it lingers."""
        if self.process is None:
            return
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT_S)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def metadata(
        self, command: str, args: Any, *, session: requests.Session | None = None, **envelope: Any
    ) -> requests.Response:
        """POST one metadata request as admin (on ``session``'s connection when given)."""
        post = session.post if session is not None else requests.post
        return post(
            f"{self.url}/v1/metadata",
            json={"type": command, "args": args, **envelope},
            headers={"X-Hasura-Admin-Secret": ADMIN_SECRET},
            timeout=REQUEST_TIMEOUT_S,
        )

    def graphql(self, query: str, role: str | None = None) -> dict[str, Any]:
        """POST one GraphQL query on a new connection, as admin or as ``role``; the decoded answer."""
        headers = {"X-Hasura-Admin-Secret": ADMIN_SECRET}
        if role is not None:
            headers["X-Hasura-Role"] = role
        response = requests.post(
            f"{self.url}/v1/graphql", json={"query": query}, headers=headers, timeout=REQUEST_TIMEOUT_S
        )
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def joinery_processes(
    database_url: str, folder: Path, *, count: int, workers: int, threads: int
) -> Iterator[list[JoineryProcess]]:
    """``count`` gunicorn servers on one migrated metadata database, started together, stopped afterwards."""
    processes = [JoineryProcess(database_url, folder, workers=workers, threads=threads) for _ in range(count)]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_until_ready()
        yield processes
    finally:
        for process in processes:
            process.signal_stop()
        for process in processes:
            process.wait_stopped()
