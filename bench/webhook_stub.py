"""The action webhook stub: answers ``recent_orders(limit)`` from responses encoded at start-up.

Run as its own process (``python -m bench.webhook_stub --sizes 1,100``): it prints ``port <n>``
and serves on 127.0.0.1 until stopped. HTTP/1.1 keep-alive, TCP_NODELAY on every connection, one
``sendall`` per response (status line, headers and body pre-encoded together), so the stub costs
a parse of the small request body and a write.

    POST /recent_orders            {"input": {"limit": n}, ...} -> n orders
    GET  /__stats                  {"calls": POSTs answered so far}
    GET  /__last?limit=n           the exact body of the last POST asking for n

``StubProcess`` starts and stops it from the benchmark and reads its counters.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson

from bench import dataset
from bench.process_stub import ProcessStub

ACTION_PATH = "/recent_orders"


def http_response(status: int, body: bytes) -> bytes:
    """A complete HTTP/1.1 keep-alive response carrying a JSON body."""
    head = (
        f"HTTP/1.1 {status} {http.client.responses[status]}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode("latin-1") + body


class StubState:
    """Pre-encoded answers per limit, the call counter and the last request body per limit."""

    def __init__(self, sizes: list[int]) -> None:
        self.answers = {n: http_response(200, orjson.dumps(dataset.recent_orders(n))) for n in sizes}
        self.calls = 0
        self.last_bodies: dict[int, bytes] = {}
        self.lock = threading.Lock()

    def answer(self, body: bytes) -> bytes:
        """The response to one action call (400 for a limit that was not prepared)."""
        limit = orjson.loads(body).get("input", {}).get("limit")
        answer = self.answers.get(limit)
        with self.lock:
            self.calls += 1
            self.last_bodies[limit] = body
        if answer is None:
            return http_response(400, orjson.dumps({"message": f"no answer prepared for limit {limit}"}))
        return answer


class StubHandler(BaseHTTPRequestHandler):
    """Serves the routes of the module docstring."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: StubServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if urlsplit(self.path).path != ACTION_PATH:
            self.wfile.write(http_response(404, b'{"message": "not found"}'))
            return
        self.wfile.write(self.server.state.answer(body))

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        state = self.server.state
        if parts.path == "/__stats":
            with state.lock:
                self.wfile.write(http_response(200, orjson.dumps({"calls": state.calls})))
            return
        if parts.path == "/__last":
            limit = int(parse_qs(parts.query).get("limit", ["0"])[0])
            with state.lock:
                body = state.last_bodies.get(limit)
            self.wfile.write(http_response(200, body) if body else http_response(404, b"{}"))
            return
        self.wfile.write(http_response(404, b'{"message": "not found"}'))

    def log_message(self, format: str, *args: object) -> None:
        """Silent: a log line per call would be part of every measured call."""


class StubServer(ThreadingHTTPServer):
    """A threaded server holding the stub's state."""

    daemon_threads = True

    def __init__(self, state: StubState) -> None:
        super().__init__(("127.0.0.1", 0), StubHandler)
        self.state = state


class StubProcess(ProcessStub):
    """The stub running as a child process of the benchmark."""

    name = "webhook stub"

    def __init__(self, sizes: list[int], cwd: Path) -> None:
        super().__init__(cwd)
        self.sizes = sizes

    def command(self) -> list[str]:
        """Run this module with the sizes to prepare."""
        return [sys.executable, "-m", "bench.webhook_stub", "--sizes", ",".join(map(str, self.sizes))]

    @property
    def action_url(self) -> str:
        """The handler URL to register for the action."""
        return f"http://127.0.0.1:{self.port}{ACTION_PATH}"

    def calls(self) -> int:
        """Action calls answered so far."""
        return orjson.loads(self.get("/__stats"))["calls"]

    def last_body(self, limit: int) -> bytes:
        """The exact body of the last action call asking for ``limit``."""
        return self.get(f"/__last?limit={limit}")


def main() -> None:
    """Serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", required=True, help="comma-separated limits to prepare answers for")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    server = StubServer(StubState(sizes))
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
