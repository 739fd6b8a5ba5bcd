"""A throw-away PostgreSQL database holding the benchmark tables, and the admin work done on it.

The database gets a unique name on the shared server and is dropped (with FORCE) on the way out,
whatever happened in between.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
from psycopg2 import sql

from bench import dataset

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
STATEMENT_TIMEOUT_MS = 120_000
DISCONNECT_WAIT_S = 10.0


def _connect(url: str) -> Any:
    connection = psycopg2.connect(url, connect_timeout=10)
    connection.autocommit = True
    return connection


@contextmanager
def admin_connection(url: str = ADMIN_URL) -> Iterator[Any]:
    """An autocommit connection that is closed after the block."""
    connection = _connect(url)
    try:
        yield connection
    finally:
        connection.close()


class BenchDatabase:
    """One benchmark database: created, loaded, tuned for statement capture, dropped."""

    def __init__(self, admin_url: str = ADMIN_URL) -> None:
        self.admin_url = admin_url
        self.name = f"joinery_bench_{uuid.uuid4().hex[:12]}"
        self.url = f"{admin_url.rsplit('/', 1)[0]}/{self.name}"
        self.created = False

    def create_and_load(self) -> None:
        """Create the database, load the tables with generate_series, then VACUUM ANALYZE."""
        with admin_connection(self.admin_url) as connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.created = True
        with admin_connection(self.url) as connection, connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", (STATEMENT_TIMEOUT_MS,))
            cursor.execute(dataset.SCHEMA_SQL)
            cursor.execute(
                dataset.LOAD_SQL,
                {"customers": dataset.CUSTOMERS, "per_customer": dataset.ORDERS_PER_CUSTOMER},
            )
            cursor.execute("VACUUM ANALYZE")

    def drop(self) -> None:
        """Drop the database, closing whatever is still connected to it."""
        if not self.created:
            return
        with admin_connection(self.admin_url) as connection, connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
        self.created = False

    def log_every_statement(self, enabled: bool) -> None:
        """Have new sessions of this database log every statement (or stop doing so)."""
        setting = "SET log_min_duration_statement = 0" if enabled else "RESET log_min_duration_statement"
        with admin_connection(self.admin_url) as connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("ALTER DATABASE {} ").format(sql.Identifier(self.name)) + sql.SQL(setting))

    def disconnect_sessions(self) -> None:
        """End every session of this database and wait until they are gone.

        Connection pools notice the closed connection when they next lend it and open a new one,
        which picks up the database's current settings.
        """
        query = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        remaining = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        deadline = time.monotonic() + DISCONNECT_WAIT_S
        with admin_connection(self.admin_url) as connection, connection.cursor() as cursor:
            cursor.execute(query, (self.name,))
            while time.monotonic() < deadline:
                cursor.execute(remaining, (self.name,))
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.05)
        raise TimeoutError(f"sessions of {self.name} did not end within {DISCONNECT_WAIT_S} s")

    def settings(self, names: tuple[str, ...]) -> dict[str, str]:
        """Server settings as seen by a session of this database."""
        with admin_connection(self.url) as connection, connection.cursor() as cursor:
            return {name: _setting(cursor, name) for name in names}


def _setting(cursor: Any, name: str) -> str:
    cursor.execute("SELECT current_setting(%s)", (name,))
    return cursor.fetchone()[0]
