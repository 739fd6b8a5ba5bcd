"""A stub server run as a child process: start it, read the port it prints, query it, stop it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bench.timing import keep_alive_connection, read_line

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


class ProcessStub:
    """A stub server in a process of its own, which prints ``port N`` once it listens."""

    name = "stub"

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    def command(self) -> list[str]:
        """The command line that starts the stub."""
        raise NotImplementedError

    def environment(self) -> dict[str, str] | None:
        """The child's environment (None: the benchmark's own)."""
        return None

    def start(self) -> None:
        """Start the stub and wait for the port it listens on."""
        # A session of its own: a Ctrl-C in the terminal reaches the benchmark, which stops the stub.
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.cwd,
            env=self.environment(),
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        line = read_line(self.process.stdout, START_TIMEOUT_S)
        if not line.startswith("port "):
            raise RuntimeError(f"{self.name} did not start: {line!r}")
        self.port = int(line.split()[1])

    def stop(self) -> None:
        """Stop the stub (terminate, then kill if it lingers)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_S)

    def get(self, path: str) -> bytes:
        """GET one of the stub's own pages (``/__stats``, ``/__last``)."""
        connection = keep_alive_connection(self.port)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"{self.name} answered {response.status} to GET {path}")
        return body
