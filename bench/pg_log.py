"""Reads the statements one database received from the PostgreSQL server log.

With ``log_min_duration_statement = 0`` set on the benchmark database, every statement its
sessions run is logged as ``<prefix> LOG:  duration: <ms> ms  statement: <text>``. psycopg2
merges parameters into the statement text on the client, so the logged text is byte for byte
what Joinery sent, parameters included. Clients that bind parameters on the server (psycopg 3,
node-postgres) are logged as ``execute <name>: <text>`` with the parameters on a DETAIL line;
those count as statements too (their parse and bind steps do not). Entries of other databases (the server is shared) are
skipped by the ``user@database`` part of the line prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

EXPECTED_PREFIX = "%m [%p] %q%u@%d "
ENTRY_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] ")
STATEMENT = re.compile(r"^(\S*)@(\S*) LOG:  duration: ([\d.]+) ms  (?:statement|execute [^:]*): ")
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SET ", "SHOW ")


@dataclass(frozen=True)
class LoggedStatement:
    """One statement a session ran."""

    pid: int
    duration_ms: float
    text: str

    @property
    def is_transaction_control(self) -> bool:
        """BEGIN/ROLLBACK and session settings, as opposed to a statement that reads data."""
        return self.text.lstrip().upper().startswith(TRANSACTION_CONTROL)


def debian_log_path(data_directory: str) -> Path:
    """Where Debian's pg_ctlcluster sends the server's stderr: /var/log/postgresql/postgresql-<v>-<cluster>.log."""
    version, cluster = Path(data_directory).parts[-2:]
    return Path("/var/log/postgresql") / f"postgresql-{version}-{cluster}.log"


class StatementLog:
    """The server log file, read from a remembered offset."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def end(self) -> int:
        """The current end of the log: pass it to ``statements_since`` later."""
        return self.path.stat().st_size

    def statements_since(self, offset: int, database: str) -> list[LoggedStatement]:
        """Statements of ``database`` logged after ``offset``, in log order."""
        with self.path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode("utf-8", "replace")
        found = filter(None, map(_statement, _entries(text)))
        return [statement for name, statement in found if name == database]


def _entries(text: str) -> list[tuple[int, str]]:
    """(pid, message) per log entry; continuation lines belong to the entry above them."""
    entries: list[tuple[int, list[str]]] = []
    for line in text.split("\n"):
        start = ENTRY_START.match(line)
        if start:
            entries.append((int(start.group(1)), [line[start.end() :]]))
        elif entries:
            entries[-1][1].append(line)
    return [(pid, "\n".join(lines).rstrip("\n")) for pid, lines in entries]


def _statement(entry: tuple[int, str]) -> tuple[str, LoggedStatement] | None:
    pid, message = entry
    found = STATEMENT.match(message)
    if found is None:
        return None
    return found.group(2), LoggedStatement(pid, float(found.group(3)), message[found.end() :])
