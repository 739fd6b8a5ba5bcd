"""The demo SQLite database: its tables, its first rows, and connections for the demo's services.

The file is created and filled once (``PRAGMA user_version`` records it); from then on it belongs to
whoever plays with the demo and is never reset. Besides the four tables the metadata tracks, it holds
the data of the two remote services (``order_service_order``, ``auth0_service_profile``), which the
gateway only ever reaches over GraphQL.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings

from engine.sources import sqlite_database_uri

DATABASE_URL_VARIABLE = "JOINERY_DEMO_DATABASE_URL"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 10

SCHEMA = (
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, auth0_id TEXT NOT NULL)",
    'CREATE TABLE "user" (id INTEGER PRIMARY KEY, name TEXT NOT NULL)',
    "CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    "CREATE TABLE article (id INTEGER PRIMARY KEY, title TEXT NOT NULL,"
    " author_id INTEGER NOT NULL REFERENCES author (id))",
    "CREATE TABLE order_service_order (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,"
    " product TEXT NOT NULL, quantity INTEGER NOT NULL)",
    "CREATE TABLE auth0_service_profile (user_id TEXT PRIMARY KEY, email TEXT NOT NULL,"
    " nickname TEXT NOT NULL, last_login TEXT NOT NULL)",
)

FIRST_ROWS: dict[str, tuple[tuple[str, ...], tuple[tuple[object, ...], ...]]] = {
    "users": (("id", "name", "auth0_id"), ((1, "Arya", "arya|arya"),)),
    "user": (("id", "name"), ((1, "Alice"), (2, "Bob"))),
    "author": (("id", "name"), ((1, "Ursula K. Le Guin"), (2, "Terry Pratchett"))),
    "article": (
        ("id", "title", "author_id"),
        (
            (1, "The Ones Who Walk Away from Omelas", 1),
            (2, "The Left Hand of Darkness", 1),
            (3, "Guards! Guards!", 2),
        ),
    ),
    "order_service_order": (
        ("id", "user_id", "product", "quantity"),
        ((1, 1, "Keyboard", 1), (2, 2, "Monitor", 2), (3, 1, "Mouse", 3)),
    ),
    "auth0_service_profile": (
        ("user_id", "email", "nickname", "last_login"),
        (("arya|arya", "arya@arya.com", "Arya", "2016-05-22T01:35:48.863Z"),),
    ),
}


def demo_database_url() -> str:
    """The demo database's URL (``sqlite:///relative.db`` against the project folder, or absolute)."""
    return os.environ[DATABASE_URL_VARIABLE]


def demo_database_path() -> Path:
    """The file the demo database lives in."""
    return Path(urlsplit(_uri()).path)


@contextmanager
def demo_connection(*, create: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to the demo database (rows as ``sqlite3.Row``), closed afterwards.

    Use ``with connection:`` inside for a transaction. Only ``create=True`` may create the file.
    """
    connection = sqlite3.connect(_uri("rwc" if create else None), uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        yield connection
    finally:
        connection.close()


def ensure_demo_database() -> bool:
    """Create and fill the demo database unless that was done before; True when it was done now."""
    with demo_connection(create=True) as connection:
        if connection.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return False
        connection.isolation_level = None
        connection.execute("BEGIN IMMEDIATE")
        try:
            _create_and_fill(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return True


def _create_and_fill(connection: sqlite3.Connection) -> None:
    for statement in SCHEMA:
        connection.execute(statement)
    for table, (columns, rows) in FIRST_ROWS.items():
        connection.executemany(_insert_statement(table, columns), rows)
    # PRAGMA takes no parameters; the value is this module's integer constant.
    connection.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")


def _insert_statement(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(_quoted(column) for column in columns)
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {_quoted(table)} ({names}) VALUES ({marks})"  # noqa: S608 - identifiers quoted


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _uri(mode: str | None = None) -> str:
    """The ``file:`` URI of the demo database, with ``mode`` replaced when given."""
    uri = sqlite_database_uri(demo_database_url(), settings.BASE_DIR)
    if mode is None:
        return uri
    parts = urlsplit(uri)
    options = [(key, value) for key, value in parse_qsl(parts.query) if key != "mode"]
    return urlunsplit(parts._replace(query=urlencode([*options, ("mode", mode)])))
