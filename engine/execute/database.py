"""Runs compiled statements on data sources, counting them and turning database errors into GraphQL errors.

PostgreSQL errors map to Hasura's codes by SQLSTATE class: data exceptions (22) to
``data-exception``, integrity violations (23) to ``constraint-violation``, insufficient privilege
to ``permission-error``; anything else is ``unexpected``. The statement and the database's own
words go to ``internal``, which only admins see.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import Any, Protocol

import psycopg2

from engine.execute.dialects import dialect_of, regexp
from engine.execute.fragments import Sql
from engine.execute.stats import ExecutionStats
from engine.graphql_errors import RequestError
from engine.sources import SQLITE, SourceError, SourceLike

DATABASE_ERROR = "database query error"
SQLSTATE_CODES = {"22": "data-exception", "23": "constraint-violation"}
PERMISSION_DENIED = "42501"


class Connections(Protocol):
    """Lends a DB-API connection for a source (``engine.sources.ConnectionProvider``)."""

    def connection(self, source: SourceLike) -> AbstractContextManager[Any]:
        """A connection to ``source`` for the duration of the block."""
        ...

    def statement_connection(self, source: SourceLike) -> AbstractContextManager[Any]:
        """A connection to ``source`` for one read-only statement, its own transaction."""
        ...


class Database:
    """Fetches the rows of compiled statements."""

    def __init__(self, connections: Connections, stats: ExecutionStats) -> None:
        self.connections = connections
        self.stats = stats

    def fetch(self, source: SourceLike, statement: Sql) -> list[tuple[Any, ...]]:
        """Every row the statement returns."""
        dialect = dialect_of(source.kind)
        try:
            with self.connections.statement_connection(source) as connection:
                text = dialect.render(statement, connection)
                self.stats.count_sql()
                return _rows(connection, source.kind, text, statement.params)
        except psycopg2.Error as error:
            raise postgres_error(error, statement) from error
        except sqlite3.Error as error:
            raise sqlite_error(error) from error
        except SourceError as error:
            raise RequestError(
                DATABASE_ERROR, code="unexpected", internal={"error": error.message}
            ) from error


def _rows(connection: Any, kind: str, text: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    if kind == SQLITE:
        connection.create_function("regexp", 2, regexp, deterministic=True)
        return connection.execute(text, params).fetchall()
    with connection.cursor() as cursor:
        try:
            cursor.execute(text, params)
        except ValueError as error:
            raise refused_value(error) from error
        return cursor.fetchall()


def refused_value(error: ValueError) -> RequestError:
    """A value psycopg2 will not send (text with a NUL character, which PostgreSQL cannot store)."""
    return RequestError(str(error), code="data-exception")


def postgres_error(error: psycopg2.Error, statement: Sql) -> RequestError:
    """A PostgreSQL error as Hasura reports it."""
    state = error.pgcode or ""
    diagnostics = getattr(error, "diag", None)
    primary = getattr(diagnostics, "message_primary", None) or str(error).strip().splitlines()[0]
    internal = {
        "error": {
            "message": primary,
            "status_code": state,
            "hint": getattr(diagnostics, "message_hint", None),
            "description": getattr(diagnostics, "message_detail", None),
        },
        "arguments": list(statement.params),
    }
    if state == PERMISSION_DENIED:
        return RequestError(primary, code="permission-error", internal=internal)
    code = SQLSTATE_CODES.get(state[:2])
    if code is None:
        return RequestError(DATABASE_ERROR, code="unexpected", internal=internal)
    return RequestError(primary, code=code, internal=internal)


def sqlite_error(error: sqlite3.Error) -> RequestError:
    """A SQLite error: integrity violations are the client's concern, the rest is internal."""
    if isinstance(error, sqlite3.IntegrityError):
        return RequestError(str(error), code="constraint-violation")
    return RequestError(DATABASE_ERROR, code="unexpected", internal={"error": {"message": str(error)}})
