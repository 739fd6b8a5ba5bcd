"""Fixtures for the documentation tests: the demo as a real server process, and throwaway databases."""

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager

import psycopg2
import pytest
from psycopg2 import sql

from tests.conftest import PG_ADMIN_URL
from tests.demo.test_demo_server import ROOT, DemoServer, clean_environment, stop, wait_until_ready
from tests.support.servers import unused_port


@contextmanager
def demo_server(folder, **extra_env) -> Iterator[DemoServer]:
    """``make run`` from a clean state in ``folder``: migrate, ``demo setup``, then the server on a free port."""
    port = unused_port()
    server = DemoServer(f"http://127.0.0.1:{port}", {**clean_environment(folder, port), **extra_env}, "")
    server.manage("migrate", "--noinput", "-v0")
    server.setup_output = server.manage("demo", "setup")
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=server.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(server.url, process, log_path)
        yield server
    finally:
        stop(process)


def _admin_run(statement):
    with closing(psycopg2.connect(PG_ADMIN_URL)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)


@pytest.fixture(scope="module")
def empty_pg_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database of its own, dropped afterwards.

    The documentation's commands create tables and Django's own tables; a database of their own keeps
    them away from the session database that other tests reset.
    """
    name = f"joinery_test_docs_{uuid.uuid4().hex[:12]}"
    _admin_run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        _admin_run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
