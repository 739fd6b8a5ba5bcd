"""Measurement helpers: keep-alive loopback connections, timed loops and percentiles."""

from __future__ import annotations

import http.client
import math
import selectors
import socket
import time
from collections.abc import Callable
from typing import IO

HTTP_TIMEOUT_S = 60.0


def keep_alive_connection(port: int) -> http.client.HTTPConnection:
    """A connected HTTP/1.1 client to 127.0.0.1:port with Nagle's algorithm off."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT_S)
    connection.connect()
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def post(connection: http.client.HTTPConnection, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """POST on a kept-alive connection; the response body (any non-200 status is an error)."""
    connection.request("POST", path, body, headers)
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"POST {path} answered {response.status}: {data[:500]!r}")
    return data


def timed(call: Callable[[], object], count: int) -> list[float]:
    """Milliseconds taken by each of ``count`` consecutive calls."""
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in 0..1) of the samples."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def read_line(stream: IO[str], timeout: float) -> str:
    """The next line of a child's pipe, or an error when none arrives in time."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise TimeoutError(f"no output within {timeout} s")
    return stream.readline().strip()
