"""The HTTP part of the floor: a null WSGI app on the same gunicorn set-up as Joinery (performance.md §4.1).

``T_http`` is what receiving a request and sending its response costs in the server stack itself,
with no work in between: the app reads the request body and answers with a pre-encoded body of
the response's exact bytes. It runs under ``bench/gunicorn_conf.py`` (one gthread worker), like
the benchmarked Joinery, and is driven by the same keep-alive client with the same request body
and headers. ``T_encode`` is ``orjson.dumps`` of the decoded response: the least any gateway spends
turning its answer into bytes.

    PUT  /__response    the body every later POST answers with
    POST <any path>     that body (the request body is read first, as a server must)
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import orjson

from bench.joinery_server import GUNICORN_CONF, free_port, wait_until_answering
from bench.procstat import stop_process_group
from bench.timing import keep_alive_connection, post, timed

STOP_TIMEOUT_S = 10.0
WARMUP_REQUESTS = 20

# The body POSTs answer with; one list cell, so a PUT replaces it atomically for every thread.
_answer = [b"{}"]


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    """Answer every POST with the stored body; ``PUT /__response`` stores a new one."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    if environ["REQUEST_METHOD"] == "PUT" and environ["PATH_INFO"] == "/__response":
        _answer[0] = body
        answer = b"{}"
    else:
        answer = _answer[0]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
    return [answer]


class NullServer:
    """gunicorn serving ``application`` with Joinery's benchmark settings; started and stopped by the benchmark."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start gunicorn and wait until it answers."""
        command = [
            sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF),
            "--bind", f"127.0.0.1:{self.port}", "bench.http_floor:application",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=self.project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until_answering(self.process, lambda: self._put(b"{}"), "the null HTTP server", lambda: "")

    def stop(self) -> None:
        """Stop gunicorn (its whole process group)."""
        if self.process is not None:
            stop_process_group(self.process, STOP_TIMEOUT_S)

    def samples(self, request: bytes, headers: dict[str, str], response: bytes, count: int) -> list[float]:
        """Milliseconds of ``count`` POSTs of ``request`` answered with ``response``, after a warm-up."""
        self._put(response)
        connection = keep_alive_connection(self.port)
        try:

            def exchange() -> bytes:
                return post(connection, "/v1/graphql", request, headers)

            if exchange() != response:
                raise RuntimeError("the null HTTP server answered with another body")
            timed(exchange, WARMUP_REQUESTS)
            return timed(exchange, count)
        finally:
            connection.close()

    def _put(self, body: bytes) -> None:
        connection = keep_alive_connection(self.port)
        try:
            connection.request("PUT", "/__response", body)
            connection.getresponse().read()
        finally:
            connection.close()


def encode_samples(response: bytes, count: int) -> list[float]:
    """Milliseconds of ``count`` ``orjson.dumps`` of the decoded response."""
    value = orjson.loads(response)
    timed(lambda: orjson.dumps(value), WARMUP_REQUESTS)
    return timed(lambda: orjson.dumps(value), count)
