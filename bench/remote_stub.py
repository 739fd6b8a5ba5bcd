"""The remote GraphQL schema stub: stock per SKU (one key or a list) and shipments, on graphql-core.

Run as its own process (``python -m bench.remote_stub``): it prints ``port <n>`` and serves on
127.0.0.1 until stopped. HTTP/1.1 keep-alive, TCP_NODELAY, one ``sendall`` per response. Every
request is parsed, validated and executed afresh, as a plain graphql-core server does; the CPU
time of that handling (``time.process_time``) is summed so the benchmark can compare alias mode
with list mode on the remote side.

    POST /graphql     stock(sku: ID!): Stock, stocks(skus: [ID!]!): [Stock], shipments(n: Int!)
    GET  /__stats     {"requests": n, "cpu_s": seconds spent handling them}
    GET  /__last      the exact body of the last POST

``RemoteStubProcess`` starts and stops it from the benchmark and reads its counters;
``NodeRemoteStubProcess`` does the same for the graphql-yoga twin of this stub.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
from graphql import build_schema, graphql_sync

from bench import dataset
from bench.process_stub import ProcessStub
from bench.webhook_stub import http_response

GRAPHQL_PATH = "/graphql"
NODE_STUB = Path(__file__).resolve().parent / "peers" / "node" / "remote_stub.mjs"
SDL = """
type Stock { sku: ID!  qty: Int!  warehouse: String! }
type Shipment { id: ID!  customer_id: Int! }
type Query {
  stock(sku: ID!): Stock
  stocks(skus: [ID!]!): [Stock]
  shipments(n: Int!): [Shipment!]!
}
"""
SKU_PREFIX = "SKU-"


def sku_of(customer_id: int) -> str:
    """The SKU a customer row carries (the table's generated ``sku`` column)."""
    return f"{SKU_PREFIX}{customer_id}"


def stock_qty(customer_id: int) -> int:
    """The stock quantity of a customer's SKU."""
    return customer_id * 31 % 1_000


def shipment_customer(index: int) -> int:
    """The customer of the index-th shipment: distinct customers spread over the table."""
    return dataset.customer_id(index)


class RemoteData:
    """The stub's data, in memory, and the root resolvers over it."""

    def __init__(self) -> None:
        self.stock_by_sku = {
            sku_of(i): {"sku": sku_of(i), "qty": stock_qty(i), "warehouse": f"W{i % 10}"}
            for i in range(1, dataset.CUSTOMERS + 1)
        }

    def root(self) -> dict[str, Any]:
        """The root value whose callables graphql-core's default resolver calls."""
        return {
            "stock": lambda info, sku: self.stock_by_sku.get(sku),
            "stocks": lambda info, skus: [self.stock_by_sku.get(sku) for sku in skus],
            "shipments": lambda info, n: [
                {"id": index + 1, "customer_id": shipment_customer(index)} for index in range(n)
            ],
        }


class RemoteState:
    """The schema, the counters and the last body."""

    def __init__(self) -> None:
        self.schema = build_schema(SDL)
        self.root = RemoteData().root()
        self.requests = 0
        self.cpu_s = 0.0
        self.last_body = b""
        self.lock = threading.Lock()

    def answer(self, body: bytes) -> bytes:
        """Parse, validate and execute one request; count it and its CPU time."""
        start = time.process_time()
        request = orjson.loads(body)
        result = graphql_sync(
            self.schema,
            request["query"],
            root_value=self.root,
            variable_values=request.get("variables"),
            operation_name=request.get("operationName"),
        )
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        response = http_response(200, orjson.dumps(answer))
        spent = time.process_time() - start
        with self.lock:
            self.requests += 1
            self.cpu_s += spent
            self.last_body = body
        return response


class RemoteHandler(BaseHTTPRequestHandler):
    """Serves the routes of the module docstring."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: RemoteServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != GRAPHQL_PATH:
            self.wfile.write(http_response(404, b'{"message": "not found"}'))
            return
        self.wfile.write(self.server.state.answer(body))

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            if self.path == "/__stats":
                body = orjson.dumps({"requests": state.requests, "cpu_s": state.cpu_s})
            elif self.path == "/__last":
                body = state.last_body
            else:
                self.wfile.write(http_response(404, b'{"message": "not found"}'))
                return
        self.wfile.write(http_response(200, body))

    def log_message(self, format: str, *args: object) -> None:
        """Silent: a log line per call would be part of every measured call."""


class RemoteServer(ThreadingHTTPServer):
    """A threaded server holding the stub's state."""

    daemon_threads = True

    def __init__(self, state: RemoteState) -> None:
        super().__init__(("127.0.0.1", 0), RemoteHandler)
        self.state = state


class RemoteStubProcess(ProcessStub):
    """The remote stub running as a child process of the benchmark."""

    name = "remote stub"

    def command(self) -> list[str]:
        """Run this module."""
        return [sys.executable, "-m", "bench.remote_stub"]

    @property
    def url(self) -> str:
        """The remote schema's URL."""
        return f"http://127.0.0.1:{self.port}{GRAPHQL_PATH}"

    def stats(self) -> tuple[int, float]:
        """Requests answered and CPU seconds spent handling them, so far."""
        answer = orjson.loads(self.get("/__stats"))
        return answer["requests"], answer["cpu_s"]

    def last_body(self) -> bytes:
        """The exact body of the last POST."""
        return self.get("/__last")


class NodeRemoteStubProcess(RemoteStubProcess):
    """The same schema and data on graphql-yoga (bench/peers/node/remote_stub.mjs), parse/validate cache off.

    Like this stub, it counts the CPU time spent handling each request (decode, parse, validate,
    execute, encode), not the HTTP server's own share.
    """

    name = "remote stub (node)"

    def command(self) -> list[str]:
        """Run remote_stub.mjs with node (it finds node_modules next to itself)."""
        return ["node", str(NODE_STUB)]

    def environment(self) -> dict[str, str]:
        """Production mode."""
        return {**os.environ, "NODE_ENV": "production"}


def main() -> None:
    """Serve until terminated."""
    server = RemoteServer(RemoteState())
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
