"""engine.http on the wire: the exact request bytes, and answers no well-behaved test server sends.

A scripted TCP server reads each request whole and answers with the bytes a test gives (in pieces,
then closing, if asked), so the client's reading of interim answers, bodies that run until the
server closes, broken answers and bytes after an answer is checked against real sockets.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

import pytest

from engine.headers import USER_AGENT
from engine.http import HttpError, HttpTransport, _host_header, _prepared_url


@dataclass
class Answer:
    """What the server writes for one request: the pieces (a pause between them), then maybe a close."""

    pieces: list[bytes]
    close: bool = False
    pause: float = 0.0


@dataclass
class ScriptedServer:
    """Answers requests in order from ``answers``; keeps every request's raw bytes and counts connections."""

    answers: list[Answer] = field(default_factory=list)
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            while (request := _read_request(connection)) is not None:
                self.requests.append(request)
                answer = self.answers.pop(0)
                for index, piece in enumerate(answer.pieces):
                    if index:
                        time.sleep(answer.pause)
                    connection.sendall(piece)
                if answer.close:
                    return


def _read_request(connection: socket.socket) -> bytes | None:
    """One request, head and body (by its Content-Length); None once the client has closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


@pytest.fixture
def server():
    scripted = ScriptedServer()
    yield scripted
    scripted.stop()


@pytest.fixture
def transport():
    with HttpTransport() as client:
        yield client


def ok(body: bytes, *headers: bytes) -> bytes:
    """A complete 200 answer with a Content-Length."""
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(h + b"\r\n" for h in headers)
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_the_request_head_is_the_one_http_client_writes(server, transport):
    server.answers.append(Answer([ok(b"{}")]))

    transport.post_json(server.url(), {"n": 1}, headers=[("X-Api-Key", "k")], timeout=5)

    [request] = server.requests
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "POST /hook HTTP/1.1"
    assert lines[1] == f"Host: 127.0.0.1:{server.port}"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert len(headers) == len(lines) - 1  # no header twice
    assert headers["User-Agent"] == USER_AGENT
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == "7"
    assert headers["X-Api-Key"] == "k"
    assert "gzip" in headers["Accept-Encoding"]
    assert body == b'{"n":1}'


def test_a_call_may_name_its_own_host_and_accept_encoding(server, transport):
    server.answers += [Answer([ok(b"{}")]), Answer([ok(b"{}")])]

    transport.post_json(server.url(), {}, headers=[("Host", "api.example")], timeout=5)
    transport.post_json(server.url(), {}, headers=[("Accept-Encoding", None)], timeout=5)

    first, second = (request.decode("latin-1") for request in server.requests)
    assert first.count("Host:") == 1
    assert "\r\nHost: api.example\r\n" in first
    # Without the call's Accept-Encoding, the body is asked for as it is, as http.client asks.
    assert "\r\nAccept-Encoding: identity\r\n" in second


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://example.com/a", "example.com"),
        ("http://example.com:80/a", "example.com"),
        ("https://example.com:443/a", "example.com"),
        ("http://example.com:443/a", "example.com:443"),
        ("https://example.com:8443/a", "example.com:8443"),
        ("http://[::1]:8080/a", "[::1]:8080"),
        ("http://[::1]/a", "[::1]"),
    ],
)
def test_the_host_header_leaves_out_the_scheme_default_port(url, host):
    assert _host_header(_prepared_url(url)) == host


def test_an_interim_answer_is_skipped(server, transport):
    server.answers.append(
        Answer([b"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n", ok(b'{"a":1}', b"X-Final: 2")])
    )

    response = transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert response.status == 200
    assert response.json() == {"a": 1}
    assert response.header("X-Interim") is None
    assert response.header("X-Final") == "2"


def test_a_body_without_a_length_runs_until_the_server_closes(server, transport):
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
    server.answers += [Answer([answer, b'{"a":', b"1}"], close=True, pause=0.02), Answer([ok(b"{}")])]

    response = transport.post_json(server.url(), {}, headers={}, timeout=5)
    transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert response.json() == {"a": 1}
    assert server.connections == 2  # that connection could not carry another request


def test_a_chunked_body_read_in_pieces(server, transport):
    pieces = [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"3\r\n[1,",
        b"\r\n2\r\n2]\r\n",
        b"0\r\n\r\n",
    ]
    server.answers += [Answer(pieces, pause=0.02), Answer([ok(b"{}")])]

    response = transport.post_json(server.url(), {}, headers={}, timeout=5)
    transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert response.json() == [1, 2]
    assert server.connections == 1  # kept alive after a complete chunked body


def test_header_values_lose_outer_blanks_and_keep_duplicates_in_order(server, transport):
    server.answers.append(Answer([ok(b"{}", b"X-A:   a  b  ", b"Set-Cookie: x=1", b"Set-Cookie: y=2")]))

    response = transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert response.header("x-a") == "a  b"
    assert response.header_values("Set-Cookie") == ["x=1", "y=2"]


def test_lines_ended_by_a_bare_line_feed_are_read(server, transport):
    server.answers.append(Answer([b'HTTP/1.1 200 OK\nContent-Length: 7\nX-A: 1\n\n{"a":1}']))

    response = transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert response.json() == {"a": 1}
    assert response.header("X-A") == "1"


def test_an_answer_that_is_not_http_is_a_protocol_error(server, transport):
    server.answers.append(Answer([b"SSH-2.0-OpenSSH_9.2\r\n\r\n"], close=True))

    with pytest.raises(HttpError) as caught:
        transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert caught.value.kind == "protocol"
    assert str(caught.value) == f"the answer from {server.url()} is not valid HTTP/1.1"


def test_a_server_closing_mid_body_fails_the_call(server, transport):
    server.answers.append(Answer([b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"], close=True))

    with pytest.raises(HttpError) as caught:
        transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert caught.value.kind == "connection"
    assert "closed before a complete answer" in str(caught.value)


def test_a_server_closing_without_an_answer_fails_the_call(server, transport):
    server.answers.append(Answer([], close=True))

    with pytest.raises(HttpError) as caught:
        transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert caught.value.kind == "connection"


def test_bytes_after_the_answer_keep_its_connection_from_being_reused(server, transport):
    server.answers += [Answer([ok(b"{}") + b"HTTP/1.1 200 OK\r\n"]), Answer([ok(b'{"b":2}')])]

    transport.post_json(server.url(), {}, headers={}, timeout=5)
    second = transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert second.json() == {"b": 2}
    assert server.connections == 2


def test_a_connection_the_server_will_close_is_not_reused(server, transport):
    server.answers += [Answer([ok(b"{}", b"Connection: close")]), Answer([ok(b"{}")])]

    transport.post_json(server.url(), {}, headers={}, timeout=5)
    transport.post_json(server.url(), {}, headers={}, timeout=5)

    assert server.connections == 2
