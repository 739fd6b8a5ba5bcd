"""Real local HTTP servers for tests: an action webhook server and a GraphQL server.

Both listen on 127.0.0.1 on a free port, answer on threads with HTTP/1.1 keep-alive and
TCP_NODELAY (without it every small reply waits ~40 ms for the client's delayed ACK), and record
every request they receive. Use them as context managers, or through the fixtures at the bottom,
`webhook_server` and `make_graphql_server`: a test module picks a fixture up by binding it to the
same name (`webhook_server = servers.webhook_server`), or a conftest lists this module in
`pytest_plugins`.
"""

import contextlib
import json
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import urlsplit

import pytest
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    execute,
    parse,
    validate,
)

HOST = "127.0.0.1"
NO_JSON = object()
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it; `client_port` tells connections apart."""

    method: str
    path: str
    query_string: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    client_port: int

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def header_names(self) -> list[str]:
        """Lower-cased header names in the order they arrived."""
        return [key.lower() for key, _ in self.headers]

    @property
    def json(self) -> Any:
        """The body decoded as JSON (raises ValueError if it is not JSON)."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    """What a handler answers. Give `json` (any JSON value, None included) or raw `body` bytes.

    `delay` holds the answer back that many seconds; `chunked` sends the body with chunked
    transfer encoding, so the client cannot know its size in advance, pausing `chunk_delay`
    seconds before each chunk.
    """

    status: int = 200
    json: Any = NO_JSON
    body: bytes = b""
    headers: Sequence[tuple[str, str]] = ()
    delay: float = 0.0
    chunked: bool = False
    chunk_delay: float = 0.0

    def encoded(self) -> tuple[bytes, list[tuple[str, str]]]:
        """The body bytes and the header lines to send, Content-Type added for JSON bodies."""
        headers = list(self.headers)
        if self.json is NO_JSON:
            return self.body, headers
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", "application/json"))
        return json.dumps(self.json).encode(), headers


def unused_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that can drop its open keep-alive connections when stopped."""

    daemon_threads = True

    def __init__(self, port: int, owner: "LocalHttpServer") -> None:
        self.owner = owner
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((HOST, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, a DNS lookup that can stall offline.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = HOST, self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: clients that give up (timeout tests) make replies fail to send."""

    def drop_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        request = self._recorded_request()
        reply = self.server.owner.receive(request)
        if reply.delay and self.server.stopping.wait(reply.delay):
            return
        body, headers = reply.encoded()
        self.send_response(reply.status)
        for name, value in headers:
            self.send_header(name, value)
        if reply.chunked:
            self._send_chunked(body, reply.chunk_delay)
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def _send_chunked(self, body: bytes, chunk_delay: float) -> None:
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, len(body), CHUNK_BYTES):
            if chunk_delay and self.server.stopping.wait(chunk_delay):
                return
            chunk = body[start : start + CHUNK_BYTES]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def _recorded_request(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        target = urlsplit(self.path)
        return RecordedRequest(
            method=self.command,
            path=target.path,
            query_string=target.query,
            headers=tuple(self.headers.items()),
            body=self.rfile.read(length),
            client_port=self.client_address[1],
        )

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""


class LocalHttpServer:
    """Start/stop plumbing and request recording shared by the test servers."""

    def __init__(self) -> None:
        self._port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """The port, fixed from the first start on so the server can come back on the same one."""
        return self._port

    @property
    def is_up(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self._port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> Self:
        if self._server is None:
            self._server = _Server(self._port, self)
            self._port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket and every open connection; clients then get refused."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.stopping.set()
        server.shutdown()
        server.server_close()
        server.drop_connections()
        thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def receive(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
        return self.respond(request)

    def respond(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()


Handler = Callable[[RecordedRequest], Any]


class WebhookServer(LocalHttpServer):
    """Answers each path with its registered handler; unknown paths get a 404 JSON error."""

    def __init__(self) -> None:
        super().__init__()
        self._routes: dict[str, Handler | Reply | Any] = {}

    def route(self, path: str, handler: Handler | Reply | Any) -> None:
        """Answer `path` with `handler(request)`, or always with a given Reply or JSON value.

        A handler may return a Reply, or any other value to send it as a 200 JSON body.
        """
        self._routes[path] = handler

    def calls(self, path: str | None = None) -> list[RecordedRequest]:
        """Recorded requests, optionally only those for `path`."""
        return [request for request in self.requests() if path is None or request.path == path]

    def respond(self, request: RecordedRequest) -> Reply:
        if request.path not in self._routes:
            return Reply(status=404, json={"message": f"no handler for {request.path}"})
        handler = self._routes[request.path]
        answer = handler(request) if callable(handler) else handler
        return answer if isinstance(answer, Reply) else Reply(json=answer)


@dataclass(frozen=True)
class GraphQLCall:
    """One GraphQL request received by a GraphQLServer."""

    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def is_introspection(self) -> bool:
        return "__schema" in (self.query or "")


class GraphQLServer(LocalHttpServer):
    """Serves a graphql-core schema built from SDL, introspection included, at `path`.

    `resolvers` maps type name -> field name -> graphql-core resolver `(obj, info, **args)`;
    `root_value` gives the root object for fields without a resolver (dict keys or callables).
    The request is available to resolvers as `info.context` (a GraphQLCall).
    """

    def __init__(
        self,
        sdl: str,
        resolvers: Mapping[str, Mapping[str, Callable[..., Any]]] | None = None,
        root_value: Any = None,
        path: str = "/graphql",
    ) -> None:
        super().__init__()
        self.schema = _schema_with_resolvers(sdl, resolvers or {})
        self.root_value = root_value
        self.path = path
        self._override: Reply | None = None

    @property
    def endpoint(self) -> str:
        return self.url(self.path)

    def down(self) -> None:
        """Stop listening (connections are refused) until `up()`."""
        self.stop()

    def up(self) -> None:
        """Listen again, on the same port as before."""
        self.start()

    def answer_with(self, reply: Reply | None) -> None:
        """Answer every request with `reply` instead of executing it; None restores normal answers."""
        self._override = reply

    def answer_garbage(self) -> None:
        self.answer_with(
            Reply(body=b"<html>this is not JSON</html>", headers=[("Content-Type", "text/html")])
        )

    def answer_errors(self, *messages: str) -> None:
        self.answer_with(Reply(json={"errors": [{"message": message} for message in messages]}))

    def answer_status(self, status: int = 500) -> None:
        self.answer_with(
            Reply(status=status, body=b"Internal Server Error", headers=[("Content-Type", "text/plain")])
        )

    def answer_normally(self) -> None:
        self.answer_with(None)

    def calls(self, include_introspection: bool = True) -> list[GraphQLCall]:
        """The GraphQL requests received, in order."""
        calls = [_graphql_call(request) for request in self.requests() if request.path == self.path]
        return [call for call in calls if include_introspection or not call.is_introspection]

    def respond(self, request: RecordedRequest) -> Reply:
        if self._override is not None:
            return self._override
        if request.path != self.path or request.method != "POST":
            return Reply(status=404, json={"errors": [{"message": f"no GraphQL endpoint at {request.path}"}]})
        call = _graphql_call(request)
        if call.query is None:
            return Reply(status=400, json={"errors": [{"message": "Must provide query string."}]})
        return Reply(json=self._run(call))

    def _run(self, call: GraphQLCall) -> dict[str, Any]:
        try:
            document = parse(call.query or "")
        except GraphQLError as error:
            return {"errors": [error.formatted]}
        problems = validate(self.schema, document)
        if problems:
            return {"errors": [problem.formatted for problem in problems]}
        result = execute(
            self.schema,
            document,
            root_value=self.root_value,
            context_value=call,
            variable_values=call.variables,
            operation_name=call.operation_name,
        )
        assert isinstance(result, ExecutionResult), "the test server only runs synchronous resolvers"
        return result.formatted


def _schema_with_resolvers(
    sdl: str, resolvers: Mapping[str, Mapping[str, Callable[..., Any]]]
) -> GraphQLSchema:
    schema = build_schema(sdl)
    for type_name, fields in resolvers.items():
        graphql_type = schema.get_type(type_name)
        if not isinstance(graphql_type, GraphQLObjectType):
            raise ValueError(f"no object type {type_name!r} in the schema")
        for field_name, resolver in fields.items():
            graphql_type.fields[field_name].resolve = resolver
    return schema


def _graphql_call(request: RecordedRequest) -> GraphQLCall:
    try:
        payload = request.json
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        payload = {}
    query = payload.get("query")
    return GraphQLCall(
        query=query if isinstance(query, str) else None,
        variables=payload.get("variables"),
        operation_name=payload.get("operationName"),
        headers=request.headers,
    )


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    """A running WebhookServer with no routes, stopped after the test."""
    with WebhookServer() as server:
        yield server


@pytest.fixture
def make_graphql_server() -> Iterator[Callable[..., GraphQLServer]]:
    """A factory `(sdl, resolvers=None, root_value=None, path="/graphql") -> running GraphQLServer`."""
    started: list[GraphQLServer] = []

    def make(
        sdl: str,
        resolvers: Mapping[str, Mapping[str, Callable[..., Any]]] | None = None,
        root_value: Any = None,
        path: str = "/graphql",
    ) -> GraphQLServer:
        server = GraphQLServer(sdl, resolvers, root_value, path)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
