"""Data-source connections: resolve a source's database URL and lend out DB-API connections.

A source is Hasura's `{"name", "kind", "configuration": {"connection_info": {...}}}`. Kind
"postgres" connections come from a bounded, thread-safe pool per database URL; kind "sqlite"
opens a fresh in-process connection per use. `Dialect` tells SQL compilers how each kind
quotes identifiers, qualifies tables and spells parameters.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, overload
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import psycopg2
from psycopg2 import extensions, sql

from engine.sockets import closed_by_peer

POSTGRES = "postgres"
SQLITE = "sqlite"
SQLITE_SCHEMA = "public"

_ISOLATION_LEVELS = {
    "read-committed": extensions.ISOLATION_LEVEL_READ_COMMITTED,
    "repeatable-read": extensions.ISOLATION_LEVEL_REPEATABLE_READ,
    "serializable": extensions.ISOLATION_LEVEL_SERIALIZABLE,
}
_CONNECTION_PARAMETERS = ("username", "password", "database", "host", "port")
CONNECT_TIMEOUT = 5
"""Seconds libpq waits for a database host to answer, unless `connect_timeout` is set otherwise."""


class SourceError(Exception):
    """A data source cannot be used; `code` is the stable error code."""

    code = "unexpected"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SourceConfigError(SourceError):
    """The source configuration is malformed or refers to a missing environment variable."""

    code = "invalid-params"


class SourceConnectionError(SourceError):
    """The database of a source could not be reached (or no pooled connection became free)."""


class SourceLike(Protocol):
    """Anything that names a source: metadata dataclasses and `SourceSpec` alike."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def configuration(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class SourceSpec:
    """A plain source description, for callers that hold the three parts separately."""

    name: str
    kind: str
    configuration: Mapping[str, Any]


# --- database URLs ---------------------------------------------------------------------------


def resolve_database_url(connection_info: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """The URL of `connection_info.database_url`: a string, `{"from_env"}` or connection parameters."""
    if not isinstance(connection_info, Mapping) or "database_url" not in connection_info:
        raise SourceConfigError("connection_info.database_url is required")
    value = connection_info["database_url"]
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Mapping) and "from_env" in value:
        return _url_from_env(value["from_env"], environ)
    if isinstance(value, Mapping):
        # Hasura wraps the parameters in "connection_parameters"; the bare object is accepted too.
        return _url_from_parameters(value.get("connection_parameters", value))
    raise SourceConfigError(
        'database_url must be a non-empty string, {"from_env": ...} or connection parameters'
    )


def _url_from_env(variable: Any, environ: Mapping[str, str]) -> str:
    if not isinstance(variable, str) or not variable:
        raise SourceConfigError("database_url.from_env must name an environment variable")
    url = environ.get(variable)
    if not url:
        raise SourceConfigError(f"environment variable '{variable}' not set")
    return url


def _url_from_parameters(parameters: Any) -> str:
    if not isinstance(parameters, Mapping):
        raise SourceConfigError("database_url connection parameters must be an object")
    missing = [key for key in ("username", "database", "host") if not parameters.get(key)]
    if missing:
        raise SourceConfigError(f"database_url connection parameters lack {', '.join(missing)}")
    unknown = sorted(set(parameters) - set(_CONNECTION_PARAMETERS))
    if unknown:
        raise SourceConfigError(f"unknown database_url connection parameters: {', '.join(unknown)}")
    return _postgres_url(parameters)


def _postgres_url(parameters: Mapping[str, Any]) -> str:
    user = quote(str(parameters["username"]), safe="")
    password = parameters.get("password")
    credentials = f"{user}:{quote(str(password), safe='')}" if password else user
    host = str(parameters["host"])
    host = f"[{host}]" if ":" in host else host
    port = parameters.get("port")
    address = f"{host}:{port}" if port else host
    return f"postgresql://{credentials}@{address}/{quote(str(parameters['database']), safe='')}"


def sqlite_database_uri(url: str, base_dir: Path) -> str:
    """The `file:` URI sqlite3 opens for `sqlite:///relative.db` or `sqlite:////absolute.db`.

    Relative paths resolve against `base_dir`. The file must exist (mode=rw) unless the URL
    itself chooses a mode, so a mistyped path is an error rather than a new empty database.
    """
    parts = urlsplit(url)
    if parts.scheme != SQLITE or parts.netloc or len(parts.path) < 2:
        raise SourceConfigError(
            "a sqlite database_url looks like sqlite:///relative/path.db or sqlite:////absolute/path.db"
        )
    path = Path(base_dir).resolve() / unquote(parts.path[1:])
    options = parse_qsl(parts.query)
    if not any(key == "mode" for key, _ in options):
        options.append(("mode", "rw"))
    return f"{path.as_uri()}?{urlencode(options)}"


# --- pool settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolSettings:
    """Hasura's `pool_settings`, with its defaults; times are in seconds."""

    max_connections: int = 50
    idle_timeout: float = 180
    pool_timeout: float | None = None
    connection_lifetime: float | None = 600

    @classmethod
    def from_connection_info(cls, connection_info: Mapping[str, Any]) -> PoolSettings:
        raw = connection_info.get("pool_settings")
        raw = {} if raw is None else raw
        if not isinstance(raw, Mapping):
            raise SourceConfigError("pool_settings must be an object")
        settings = cls(
            max_connections=_setting(raw, "max_connections", cls.max_connections, integer=True),
            idle_timeout=_setting(raw, "idle_timeout", cls.idle_timeout),
            pool_timeout=_setting(raw, "pool_timeout", cls.pool_timeout),
            # Hasura: a lifetime of 0 means connections are never recycled for age.
            connection_lifetime=_setting(raw, "connection_lifetime", cls.connection_lifetime) or None,
        )
        if settings.max_connections < 1:
            raise SourceConfigError("pool_settings.max_connections must be at least 1")
        return settings


def _setting(raw: Mapping[str, Any], key: str, default: Any, integer: bool = False) -> Any:
    value = raw.get(key)
    if value is None:
        return default
    accepted = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, accepted) or value < 0:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise SourceConfigError(f"pool_settings.{key} must be {kind}")
    return value


def isolation_level(connection_info: Mapping[str, Any]) -> int:
    """The psycopg2 isolation level named by `isolation_level` (default read-committed)."""
    name = connection_info.get("isolation_level") or "read-committed"
    if name not in _ISOLATION_LEVELS:
        choices = ", ".join(_ISOLATION_LEVELS)
        raise SourceConfigError(f"isolation_level must be one of {choices}, not {name!r}")
    return _ISOLATION_LEVELS[name]


# --- the PostgreSQL pool ---------------------------------------------------------------------


@dataclass
class PooledConnection:
    """A pooled psycopg2 connection with the times the pool ages it by."""

    connection: Any
    opened_at: float
    idle_since: float = 0.0


class PostgresPool:
    """At most `max_connections` open connections to one database, shared by threads.

    Threads beyond the limit wait (up to `pool_timeout`, forever by default). Opening a
    connection gives up after `CONNECT_TIMEOUT` seconds. Idle connections are reused
    newest-first; stale, over-age or server-closed ones are dropped when they come up for reuse.
    """

    def __init__(self, dsn: str, settings: PoolSettings, clock: Callable[[], float] = time.monotonic):
        self.dsn = dsn
        self.settings = settings
        self._clock = clock
        self._available = threading.Condition()
        self._idle: list[PooledConnection] = []
        self._open_count = 0
        self._closed = False

    @property
    def open_count(self) -> int:
        """Connections currently open (lent out or idle)."""
        with self._available:
            return self._open_count

    def acquire(self) -> PooledConnection:
        deadline = None if self.settings.pool_timeout is None else self._clock() + self.settings.pool_timeout
        while True:
            pooled = self._take_idle_or_reserve(deadline)
            if pooled is None:
                return self._open()
            if self._reusable(pooled):
                return pooled
            self._discard(pooled)

    def release(self, pooled: PooledConnection) -> None:
        if self._closed or not _reset_for_reuse(pooled.connection) or self._too_old(pooled):
            self._discard(pooled)
            return
        pooled.idle_since = self._clock()
        with self._available:
            self._idle.append(pooled)
            self._available.notify()

    def close(self) -> None:
        """Close idle connections now and lent-out ones when they come back."""
        with self._available:
            self._closed = True
            idle, self._idle = self._idle, []
        for pooled in idle:
            self._discard(pooled)

    def _take_idle_or_reserve(self, deadline: float | None) -> PooledConnection | None:
        """An idle connection, or None after reserving room to open a new one."""
        with self._available:
            while not self._idle and self._open_count >= self.settings.max_connections:
                remaining = None if deadline is None else deadline - self._clock()
                if remaining is not None and remaining <= 0:
                    raise SourceConnectionError("timed out waiting for a free database connection")
                self._available.wait(remaining)
            if self._idle:
                return self._idle.pop()
            self._open_count += 1
            return None

    def _open(self) -> PooledConnection:
        try:
            connection = psycopg2.connect(self.dsn, **_connect_options(self.dsn))
        except BaseException:
            self._forget_one()
            raise
        return PooledConnection(connection, opened_at=self._clock())

    def _reusable(self, pooled: PooledConnection) -> bool:
        idle_for = self._clock() - pooled.idle_since
        fresh = idle_for <= self.settings.idle_timeout and not self._too_old(pooled)
        return fresh and not pooled.connection.closed and not closed_by_peer(pooled.connection.fileno())

    def _too_old(self, pooled: PooledConnection) -> bool:
        lifetime = self.settings.connection_lifetime
        return lifetime is not None and self._clock() - pooled.opened_at > lifetime

    def _discard(self, pooled: PooledConnection) -> None:
        try:
            pooled.connection.close()
        finally:
            self._forget_one()

    def _forget_one(self) -> None:
        with self._available:
            self._open_count -= 1
            self._available.notify()


def _connect_options(dsn: str) -> dict[str, int]:
    """A `connect_timeout` when neither the URL nor libpq's PGCONNECT_TIMEOUT sets one.

    A host that never answers must not hang a request.
    """
    if "connect_timeout" in extensions.parse_dsn(dsn) or os.environ.get("PGCONNECT_TIMEOUT"):
        return {}
    return {"connect_timeout": CONNECT_TIMEOUT}


def _reset_for_reuse(connection: Any) -> bool:
    """Roll back a transaction left open; False when the connection cannot be reused."""
    if connection.closed:
        return False
    status = connection.info.transaction_status
    if status in (extensions.TRANSACTION_STATUS_INTRANS, extensions.TRANSACTION_STATUS_INERROR):
        try:
            connection.rollback()
        except psycopg2.Error:
            return False
    elif status != extensions.TRANSACTION_STATUS_IDLE:
        return False
    if connection.autocommit:
        connection.autocommit = False
    return True


# --- the provider ----------------------------------------------------------------------------


class ConnectionProvider:
    """Lends DB-API connections for sources; safe to share across threads.

    `with provider.connection(source) as conn:` where `source` has `.name`, `.kind` and
    `.configuration`. PostgreSQL connections go back to their pool afterwards (rolled back if
    left in a transaction); SQLite connections are closed (uncommitted changes are lost).
    """

    def __init__(self, base_dir: Path, environ: Mapping[str, str]) -> None:
        self.base_dir = Path(base_dir)
        self.environ = environ
        self._pools: dict[str, PostgresPool] = {}
        self._lock = threading.Lock()

    @overload
    def connection(self, source: SourceLike) -> Any: ...

    @overload
    def connection(self, source: str, kind: str, configuration: Mapping[str, Any]) -> Any: ...

    @contextmanager
    def connection(
        self,
        source: SourceLike | str,
        kind: str | None = None,
        configuration: Mapping[str, Any] | None = None,
    ) -> Iterator[Any]:
        with self._lend(_as_spec(source, kind, configuration), single_statement=False) as connection:
            yield connection

    @contextmanager
    def statement_connection(self, source: SourceLike) -> Iterator[Any]:
        """A connection for one read-only statement, which is its own transaction.

        PostgreSQL runs it without BEGIN and ROLLBACK around it (two round trips fewer), as Hasura
        runs a query's single statement: one statement reads one snapshot whether the level is
        read-committed or repeatable-read. A serializable source keeps its transaction, whose
        predicate locks take part in the serializability of concurrent writers.
        """
        with self._lend(source, single_statement=True) as connection:
            yield connection

    @contextmanager
    def _lend(self, spec: SourceLike, single_statement: bool) -> Iterator[Any]:
        connection_info = _connection_info(spec)
        url = resolve_database_url(connection_info, self.environ)
        if spec.kind == POSTGRES:
            with self._postgres_connection(spec.name, url, connection_info, single_statement) as connection:
                yield connection
        elif spec.kind == SQLITE:
            with self._sqlite_connection(spec.name, url) as connection:
                yield connection
        else:
            raise SourceConfigError(f"source '{spec.name}' has unsupported kind '{spec.kind}'")

    def close_all(self) -> None:
        """Close every pool; connections in use are closed when they are returned."""
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()

    def pool_for(self, url: str, settings: PoolSettings) -> PostgresPool:
        """The pool for `url`; a pool with different settings is retired and replaced."""
        with self._lock:
            pool = self._pools.get(url)
            if pool is not None and pool.settings == settings:
                return pool
            replacement = self._pools[url] = PostgresPool(url, settings)
        if pool is not None:
            pool.close()
        return replacement

    @contextmanager
    def _postgres_connection(
        self, name: str, url: str, connection_info: Mapping[str, Any], single_statement: bool
    ) -> Iterator[Any]:
        level = isolation_level(connection_info)
        pool = self.pool_for(url, PoolSettings.from_connection_info(connection_info))
        pooled = _connect(name, pool.acquire)
        try:
            if single_statement and level != extensions.ISOLATION_LEVEL_SERIALIZABLE:
                # The session's own default level, set while no transaction can start, costs no
                # query now (a chosen level would be a SET) nor when autocommit is turned off again.
                pooled.connection.set_session(isolation_level="DEFAULT")
                pooled.connection.autocommit = True
            else:
                pooled.connection.set_session(isolation_level=level)
            yield pooled.connection
        finally:
            pool.release(pooled)

    @contextmanager
    def _sqlite_connection(self, name: str, url: str) -> Iterator[sqlite3.Connection]:
        uri = sqlite_database_uri(url, self.base_dir)
        connection = _connect(name, lambda: sqlite3.connect(uri, uri=True))
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            yield connection
        finally:
            connection.close()


def _as_spec(
    source: SourceLike | str, kind: str | None, configuration: Mapping[str, Any] | None
) -> SourceLike:
    if isinstance(source, str):
        if kind is None or configuration is None:
            raise TypeError("connection(name, kind, configuration) needs all three arguments")
        return SourceSpec(source, kind, configuration)
    return source


def _connection_info(source: SourceLike) -> Mapping[str, Any]:
    configuration = source.configuration
    connection_info = configuration.get("connection_info") if isinstance(configuration, Mapping) else None
    if not isinstance(connection_info, Mapping):
        raise SourceConfigError(f"source '{source.name}' has no configuration.connection_info")
    return connection_info


def _connect(name: str, connect: Callable[[], Any]) -> Any:
    try:
        return connect()
    except (psycopg2.OperationalError, sqlite3.OperationalError) as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SourceConnectionError(f"cannot connect to source '{name}': {detail}") from error


# --- dialects --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """How SQL for one kind of source is spelled, as `psycopg2.sql` objects.

    Callers build `psycopg2.sql.Composable` fragments for every dialect (composition needs
    no connection) and turn them into text with `render(query, connection)` just before
    executing (the engine's statement compiler, `engine.execute.dialects`, writes the same
    spelling as plain strings). Always execute that text with a parameter sequence, even an
    empty one: PostgreSQL text escapes a `%` inside identifiers as `%%`, which psycopg2 only
    undoes when parameters are given.
    """

    name: str
    paramstyle: str
    placeholder: sql.Composable
    quote_identifier: Callable[[str], sql.Composable]
    qualified_table: Callable[[str, str], sql.Composable]
    render: Callable[[sql.Composable, Any], str]


class _PostgresIdentifier(sql.Identifier):
    """`sql.Identifier` made safe for `%` in names, which psycopg2 would read as a placeholder."""

    def as_string(self, context: Any) -> str:
        return super().as_string(context).replace("%", "%%")


def _sqlite_identifier(name: str) -> sql.Composable:
    return sql.SQL('"{}"'.format(name.replace('"', '""')))


POSTGRES_DIALECT = Dialect(
    name=POSTGRES,
    paramstyle="format",
    placeholder=sql.Placeholder(),
    quote_identifier=_PostgresIdentifier,
    qualified_table=_PostgresIdentifier,
    render=lambda query, connection: query.as_string(connection),
)

SQLITE_DIALECT = Dialect(
    name=SQLITE,
    paramstyle="qmark",
    placeholder=sql.SQL("?"),
    quote_identifier=_sqlite_identifier,
    # A SQLite file has one schema, exposed to metadata as "public".
    qualified_table=lambda schema, name: _sqlite_identifier(name),
    render=lambda query, connection: query.as_string(None),
)

_DIALECTS = {POSTGRES: POSTGRES_DIALECT, SQLITE: SQLITE_DIALECT}


def dialect_for(kind: str) -> Dialect:
    """The dialect of a source kind ("postgres" or "sqlite")."""
    if kind not in _DIALECTS:
        raise SourceConfigError(f"unsupported source kind '{kind}'")
    return _DIALECTS[kind]
