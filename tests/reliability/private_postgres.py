"""A PostgreSQL 15 cluster of the test's own, which it may stop and start at will.

The machine's cluster at 127.0.0.1:5432 is shared with other test runs and must keep running, so a
test that takes its database away makes a private one: ``initdb`` into a temporary folder owned by
``postgres`` (``initdb`` refuses root), trust authentication, ``fsync`` off, listening on a free port
of 127.0.0.1 with its Unix socket in that folder. ``private_cluster()`` removes it afterwards.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg2

from tests.support.servers import unused_port

BIN = Path("/usr/lib/postgresql/15/bin")
INITDB = BIN / "initdb"
PG_CTL = BIN / "pg_ctl"
OWNER = "postgres"
COMMAND_TIMEOUT_S = 60.0
READY_POLL_S = 0.01


def initdb_missing_reason() -> str | None:
    """Why no private cluster can be made here, or None when it can."""
    if not INITDB.is_file():
        return f"{INITDB} is not installed"
    return None


class PrivateCluster:
    """One PostgreSQL cluster in a temporary folder, started and stopped with ``pg_ctl``."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="joinery-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = unused_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, OWNER, OWNER)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    @property
    def user(self) -> str:
        """The superuser initdb made: ``postgres``."""
        return OWNER

    def init(self) -> None:
        self._as_owner(str(INITDB), "-D", str(self.data), "--auth=trust", "-U", OWNER, "--no-sync")
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.folder}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "100",
        }
        lines = "".join(f"{name} = {value}\n" for name, value in settings.items())
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(lines)

    def start(self, *, wait: bool = True) -> None:
        """Start the server; with ``wait``, return once it accepts connections."""
        self._pg_ctl("start", "-w" if wait else "-W", "-l", str(self.log))

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: roll back open transactions, close every connection)."""
        self._pg_ctl("stop", "-w", "-m", mode)

    def accepts_connections(self) -> bool:
        try:
            with closing(psycopg2.connect(self.url(), connect_timeout=1)):
                return True
        except psycopg2.OperationalError:
            return False

    def wait_until_accepting(self, timeout_s: float = COMMAND_TIMEOUT_S) -> float:
        """Poll until a connection succeeds; the monotonic time it first did."""
        deadline = time.monotonic() + timeout_s
        while not self.accepts_connections():
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL did not accept connections:\n{self.log_tail()}")
            time.sleep(READY_POLL_S)
        return time.monotonic()

    def execute(self, statement: str, database: str = "postgres") -> None:
        with closing(psycopg2.connect(self.url(database), connect_timeout=5)) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)

    def remove(self) -> None:
        """Stop the server at once if it runs, and delete its folder."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _pg_ctl(self, *args: str) -> None:
        self._as_owner(str(PG_CTL), "-D", str(self.data), *args)

    def _as_owner(self, *command: str) -> None:
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", OWNER, "--"]
        done = subprocess.run(
            [*prefix, *command],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
            cwd=self.folder,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}\n{self.log_tail()}")


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A started private cluster, removed on the way out whatever happened."""
    cluster = PrivateCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()
