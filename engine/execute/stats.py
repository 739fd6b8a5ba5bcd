"""Counts of the work one request caused: SQL statements run, outbound HTTP calls, remote schema requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    """A snapshot of the counters."""

    sql_statements: int = 0
    http_calls: int = 0
    remote_requests: int = 0


class ExecutionStats:
    """Thread-safe counters shared by the root fields of one request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sql = 0
        self._http = 0
        self._remote = 0

    def count_sql(self) -> None:
        """One SQL statement was sent."""
        with self._lock:
            self._sql += 1

    def count_http(self) -> None:
        """One HTTP request was sent."""
        with self._lock:
            self._http += 1

    def count_remote(self) -> None:
        """One request was sent to a remote schema (also an HTTP call)."""
        with self._lock:
            self._remote += 1
            self._http += 1

    def snapshot(self) -> Counts:
        """The counts so far."""
        with self._lock:
            return Counts(self._sql, self._http, self._remote)
