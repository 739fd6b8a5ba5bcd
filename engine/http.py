"""The engine's one HTTP client: JSON POSTs and plain GETs over pooled keep-alive connections.

Every call has an explicit timeout (on connect, on each read and on the whole exchange), a cap on
the response size enforced while streaming, no retries and no redirects (a 3xx comes back as a
response, so callers can report it as Hasura does). An optional allowlist limits the hosts the
engine may reach. Failures surface as `HttpError` with a stable `kind` and a message that never
carries a header value or URL credentials.

Requests go out as the requests library sends them (its URL preparation, default headers, header
checks, credentials from the URL, certificate bundle), over HTTP/1.1 connections kept alive in a
pool per host that every thread shares. A webhook call is on the path of every action request: a
requests Session, urllib3's pool machinery, or even the standard library's ``http.client`` (its
header checks and its email-parser reading of response headers), spends more time preparing and
reading a call than a local handler takes to answer it. So the exchange is written out here over a
plain socket: the request head as ``http.client`` would write it, head and body in one write, the
response read as it arrives by httptools (llhttp, the parser of Node.js), gzip and deflate bodies
decoded within the size cap.
"""

import functools
import json
import math
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol
from urllib.parse import SplitResult, urlsplit

import httptools
import orjson
import requests
from requests.auth import HTTPBasicAuth
from requests.models import PreparedRequest
from requests.utils import DEFAULT_CA_BUNDLE_PATH, check_header_validity, default_headers, get_auth_from_url

from engine.headers import USER_AGENT, Header, HeaderSource, merge_headers
from engine.sockets import closed_by_peer

DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
INVALID_URL_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
# An answer that is not HTTP/1.1 as llhttp reads it (an upgrade included: never asked for).
PROTOCOL_ERRORS = (httptools.HttpParserError, httptools.HttpParserUpgrade)
# Content-Encoding values decoded, as requests decodes them, and zlib's window bits for each.
DECODED_ENCODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
# The headers every requests Session sends unless the call names them.
SESSION_HEADERS = tuple(default_headers().items())
PREPARED_URLS = 256
MAX_CAUSE_DEPTH = 8
# Every digit becomes "0" and every other byte a space, so a run of digits is a run of "0"s.
_DIGITS_AS_ZERO = bytes(ord("0") if chr(byte).isdigit() and byte < 128 else ord(" ") for byte in range(256))
LONG_DIGIT_RUN = b"0" * 19


class InvalidJsonError(ValueError):
    """A response body that does not decode as JSON."""


@dataclass(frozen=True)
class HttpResponse:
    """A complete response: status, every header line in order (duplicates kept) and the body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON; raises InvalidJsonError when it is not JSON."""
        if not _may_hold_long_numbers(self.body):
            try:
                return orjson.loads(self.body)
            except orjson.JSONDecodeError:
                pass  # maybe JSON all the same (NaN, a byte order mark, ...): the standard decoder decides
        try:
            return json.loads(self.body)
        except ValueError as error:  # JSONDecodeError, or UnicodeDecodeError on bytes that are not text
            raise InvalidJsonError(f"response body is not valid JSON: {error}") from None

    def header_values(self, name: str) -> list[str]:
        """Every value of header `name` (case-insensitive), e.g. each Set-Cookie line."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        values = self.header_values(name)
        return values[0] if values else None


def _may_hold_long_numbers(body: bytes) -> bool:
    """Whether ``body`` has a run of 19 digits: orjson reads integers beyond 64 bits as floats.

    Below that, orjson decodes exactly what the standard decoder does, several times faster.
    """
    return LONG_DIGIT_RUN in body.translate(_DIGITS_AS_ZERO)


class HttpError(Exception):
    """A request that produced no usable response.

    `kind` is one of: invalid-url, not-allowed, invalid-body, invalid-header, timeout, connection,
    protocol, too-large.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class Transport(Protocol):
    """What the engine needs from an HTTP client; tests and benchmarks may substitute their own."""

    def post_json(self, url: str, body: object, *, headers: HeaderSource, timeout: float) -> HttpResponse:
        """POST `body` encoded as JSON to `url` and return the complete response."""
        ...


class HttpTransport:
    """`Transport` over kept-alive HTTP/1.1 connections: a pool per host, shared by every thread."""

    def __init__(
        self,
        allowed_hosts: Sequence[str] | None = None,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        pool_maxsize: int = 32,
    ) -> None:
        self._allowed = None if allowed_hosts is None else frozenset(map(_host_and_port, allowed_hosts))
        self._max_response_bytes = max_response_bytes
        # Proxies and ~/.netrc are never read: no environment can reroute or decorate calls.
        self._pools = _ConnectionPools(pool_maxsize)
        self._lock = threading.Lock()
        self._calls = 0

    @property
    def call_count(self) -> int:
        """How many requests this transport has sent (or tried to send) since it was created."""
        with self._lock:
            return self._calls

    def post_json(self, url: str, body: object, *, headers: HeaderSource, timeout: float) -> HttpResponse:
        """POST `body` as compact JSON; raise HttpError when no complete response arrives."""
        _check_timeout(timeout)
        self._check_allowed(_checked_url(url))
        data = encode_json(body)
        self._count_call()
        return self._exchange("POST", url, data, merge_headers(_default_headers(), headers), timeout)

    def get(self, url: str, *, headers: HeaderSource, timeout: float) -> HttpResponse:
        """GET `url` (no body); raise HttpError when no complete response arrives."""
        _check_timeout(timeout)
        self._check_allowed(_checked_url(url))
        self._count_call()
        return self._exchange("GET", url, None, merge_headers([("User-Agent", USER_AGENT)], headers), timeout)

    def close(self) -> None:
        """Close every pooled connection; the transport opens new ones if used again."""
        self._pools.clear()

    def __enter__(self) -> "HttpTransport":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_allowed(self, parts: SplitResult) -> None:
        if self._allowed is None:
            return
        host = parts.hostname or ""
        if (host, None) not in self._allowed and (host, _effective_port(parts)) not in self._allowed:
            raise HttpError("not-allowed", f"host {host!r} is not in the list of hosts the engine may call")

    def _count_call(self) -> None:
        with self._lock:
            self._calls += 1

    def _exchange(
        self, method: str, url: str, data: bytes | None, headers: list[Header], timeout: float
    ) -> HttpResponse:
        deadline = time.monotonic() + timeout
        try:
            target = _prepared_url(url)
        except INVALID_URL_ERRORS:
            raise HttpError("invalid-url", f"invalid URL {display_url(url)}") from None
        try:
            head = _request_head(method, target, _request_headers(headers, data, target))
        except UnicodeEncodeError:  # header text goes out as Latin-1 only, as http.client sends it
            raise HttpError("invalid-header", "a request header has an invalid name or value") from None
        connection = None
        try:
            connection = self._pools.take(target, timeout)
            # Head and body leave in one write.
            connection.sendall(head if data is None else head + data)
            answer = self._read_answer(connection, url, deadline, timeout)
        except HttpError:
            _discard(connection)
            raise
        except PROTOCOL_ERRORS:
            _discard(connection)
            raise HttpError("protocol", f"the answer from {display_url(url)} is not valid HTTP/1.1") from None
        except OSError as error:
            _discard(connection)
            raise _http_error(error, url, timeout) from error
        if answer.reusable:
            self._pools.give(target, connection)
        else:
            connection.close()
        return HttpResponse(answer.status, tuple(answer.headers), answer.body)

    def _read_answer(self, connection: socket.socket, url: str, deadline: float, timeout: float) -> "_Answer":
        """The response, read until it is complete (or the server closes a body that runs until then)."""
        answer = _Answer(self._max_response_bytes)
        parser = httptools.HttpResponseParser(answer)
        # Lines ended by a bare LF are read, as http.client reads them; llhttp refuses them by default.
        parser.set_dangerous_leniencies(lenient_optional_cr_before_lf=True)
        answer.parser = parser
        while not answer.complete:
            # Each read waits at most ``timeout`` (the socket's); the deadline bounds the whole answer.
            data = connection.recv(READ_CHUNK_BYTES)
            if time.monotonic() > deadline:
                raise _timeout_error(url, timeout)
            if not data:
                if answer.ends_at_close():  # llhttp never keeps such a connection alive
                    answer.complete = True
                    break
                raise HttpError(
                    "connection",
                    f"the connection to {display_url(url)} failed: closed before a complete answer",
                )
            parser.feed_data(data)
            if answer.too_large():
                raise self._too_large(url)
            if answer.undecodable:
                raise HttpError("protocol", f"the response from {display_url(url)} could not be decoded")
        if answer.decoder is not None and not answer.decoder.eof and answer.size:
            raise HttpError("protocol", f"the response from {display_url(url)} could not be decoded")
        return answer

    def _too_large(self, url: str) -> HttpError:
        return HttpError(
            "too-large", f"the response from {display_url(url)} exceeds {self._max_response_bytes} bytes"
        )


class _Answer:
    """httptools' callbacks for one response: status, header lines in order, the body decoded and capped.

    An informational (1xx) answer is skipped, as ``http.client`` skips it. The connection may carry
    the next request only when the server keeps it alive, the body had a length, and nothing came
    after the response.
    """

    def __init__(self, max_bytes: int) -> None:
        self.parser: Any = None
        self.max_bytes = max_bytes
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []
        self.size = 0
        self.decoder: Any = None
        self.undecodable = False
        self.declared = -1
        self.keep_alive = False
        self.complete = False
        self.extra = False

    def on_message_begin(self) -> None:
        self.extra = self.complete

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1").strip(" \t")))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()
        length = self._header("content-length")
        if length is not None and length.isdigit():
            self.declared = int(length)
        self.decoder = _decoder(self._header("content-encoding"))

    def on_body(self, body: bytes) -> None:
        if self.decoder is not None and not self.undecodable:
            try:
                body = self.decoder.decompress(body, self.max_bytes - self.size + 1)
            except zlib.error:
                self.undecodable = True
                return
        self.size += len(body)
        if self.size <= self.max_bytes:
            self.chunks.append(body)

    def on_message_complete(self) -> None:
        if 100 <= self.status < 200:  # an interim answer: the final one follows
            self.headers, self.decoder, self.declared = [], None, -1
            return
        self.complete = True

    def too_large(self) -> bool:
        """Whether the body (decoded) or its declared length exceeds the cap."""
        return self.size > self.max_bytes or self.declared > self.max_bytes

    def ends_at_close(self) -> bool:
        """Whether the body has no length and runs until the server closes the connection."""
        return (
            self.status >= 200
            and self.status not in (204, 304)
            and self.declared < 0
            and "chunked" not in (self._header("transfer-encoding") or "").lower()
        )

    @property
    def reusable(self) -> bool:
        """Whether the connection may carry the next request."""
        return self.complete and self.keep_alive and not self.extra

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    def _header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name), None)


class _ConnectionPools:
    """Idle kept-alive connections per (scheme, host, port), taken and given back by any thread."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._idle: dict[tuple[str, str, int | None], list[socket.socket]] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None

    def take(self, target: "_Target", timeout: float) -> socket.socket:
        """An idle connection to ``target`` still open, or a new one; reads and connects time out after ``timeout``."""
        key = (target.scheme, target.host, target.port)
        while True:
            with self._lock:
                idle = self._idle.get(key)
                connection = idle.pop() if idle else None
            if connection is None:
                return self._connect(target, timeout)
            if not closed_by_peer(connection.fileno()):
                connection.settimeout(timeout)
                return connection
            connection.close()

    def give(self, target: "_Target", connection: socket.socket) -> None:
        """Keep ``connection`` for the next request to ``target`` (closed when the pool is full)."""
        key = (target.scheme, target.host, target.port)
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._maxsize:
                idle.append(connection)
                return
        connection.close()

    def clear(self) -> None:
        """Close every idle connection."""
        with self._lock:
            pools, self._idle = list(self._idle.values()), {}
        for idle in pools:
            for connection in idle:
                connection.close()

    def _connect(self, target: "_Target", timeout: float) -> socket.socket:
        sock = socket.create_connection((target.host, _target_port(target)), timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if target.scheme == "https":
                sock = self._tls_context().wrap_socket(sock, server_hostname=target.host)
        except BaseException:
            sock.close()
            raise
        return sock

    def _tls_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._tls is None:
                self._tls = ssl.create_default_context(cafile=DEFAULT_CA_BUNDLE_PATH)
            return self._tls


def _discard(connection: socket.socket | None) -> None:
    """A connection left mid-exchange cannot carry another request."""
    if connection is not None:
        connection.close()


def _decoder(encoding: str | None) -> Any:
    """A zlib decompressor for a gzip or deflate body; None for any other (kept as it came)."""
    bits = DECODED_ENCODINGS.get((encoding or "").strip().lower())
    return None if bits is None else zlib.decompressobj(bits)


@dataclass(frozen=True)
class _Target:
    """Where a URL sends a request, prepared as requests prepares it."""

    scheme: str
    host: str
    port: int | None
    path: str
    # Basic credentials given in the URL (user:password@host), as an Authorization value.
    authorization: str | None


@functools.lru_cache(maxsize=PREPARED_URLS)
def _prepared_url(url: str) -> _Target:
    prepared = PreparedRequest()
    prepared.prepare_url(url, None)
    assert prepared.url is not None
    parts = urlsplit(prepared.url)
    credentials = get_auth_from_url(prepared.url)
    authorization = None
    if any(credentials):
        authorization = HTTPBasicAuth(*credentials)(SimpleNamespace(headers={})).headers["Authorization"]
    return _Target(parts.scheme.lower(), parts.hostname or "", parts.port, prepared.path_url, authorization)


def _request_headers(headers: list[Header], data: bytes | None, target: _Target) -> dict[str, str]:
    """The headers a requests Session sends: its defaults, the call's, length and URL credentials."""
    merged = [(name, value) for name, value in merge_headers(SESSION_HEADERS, headers) if value is not None]
    try:
        for header in merged:
            check_header_validity(header)
    except requests.exceptions.InvalidHeader:
        # requests quotes the offending value, which may be a secret: keep neither message nor cause.
        raise HttpError("invalid-header", "a request header has an invalid name or value") from None
    sent = dict(merge_headers(merged, _length_header(data)))
    if target.authorization is not None:
        sent = dict(merge_headers(sent.items(), [("Authorization", target.authorization)]))
    return sent


def _request_head(method: str, target: _Target, headers: dict[str, str]) -> bytes:
    """The request line and header lines as ``http.client`` writes them.

    Host and Accept-Encoding first unless the call names them, then the call's headers in order.
    """
    names = {name.lower() for name in headers}
    lines = [f"{method} {target.path} HTTP/1.1"]
    if "host" not in names:
        lines.append(f"Host: {_host_header(target)}")
    if "accept-encoding" not in names:
        lines.append("Accept-Encoding: identity")
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


def _host_header(target: _Target) -> str:
    """``host``, or ``host:port`` off the scheme's default port; an IPv6 address in brackets."""
    host = f"[{target.host}]" if ":" in target.host else target.host
    port = _target_port(target)
    return host if port == DEFAULT_PORTS[target.scheme] else f"{host}:{port}"


def _target_port(target: _Target) -> int:
    return target.port or DEFAULT_PORTS[target.scheme]


def _length_header(data: bytes | None) -> list[Header]:
    return [] if data is None else [("Content-Length", str(len(data)))]


# orjson hands what it would write differently (subclasses of str and int, dataclasses, dates) to a
# default it is not given, so it raises and the standard encoder decides. (It writes a UUID or an Enum
# as its value where the standard encoder refuses them; the engine puts neither in a body.)
_ORJSON_REFUSES = (
    orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
)


def encode_json(body: object) -> bytes:
    """Compact UTF-8 JSON, refusing NaN and infinities (which JSON cannot express).

    orjson writes a body several times faster than the standard encoder, but writes NaN and
    infinities as ``null``: a body it wrote with a ``null`` in it is looked through for them, and one
    holding them, or one orjson refuses (integers past 64 bits, keys that are not strings, lone
    surrogates), goes to the standard encoder, which decides.
    """
    try:
        data = orjson.dumps(body, option=_ORJSON_REFUSES)
    except TypeError:  # orjson.JSONEncodeError
        pass
    else:
        if b"null" not in data or not _holds_non_finite_number(body):
            return data
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as error:
        raise HttpError("invalid-body", f"the request body cannot be encoded as JSON: {error}") from None


def _holds_non_finite_number(body: object) -> bool:
    """Whether NaN or an infinity is anywhere in ``body`` (decoded JSON: dicts, lists, scalars)."""
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list | tuple):
            pending.extend(value)
        elif isinstance(value, float) and not math.isfinite(value):
            return True
    return False


def display_url(url: str) -> str:
    """`url` with any user:password part masked, fit for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


def _check_timeout(timeout: float) -> None:
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")


def _default_headers() -> list[tuple[str, str]]:
    return [("Content-Type", "application/json"), ("User-Agent", USER_AGENT)]


def _checked_url(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        _effective_port(parts)
    except ValueError:
        raise HttpError("invalid-url", f"invalid URL {display_url(url)}") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise HttpError(
            "invalid-url", f"invalid URL {display_url(url)}: expecting an http or https URL with a host"
        )
    return parts


def _effective_port(parts: SplitResult) -> int | None:
    return parts.port or DEFAULT_PORTS.get(parts.scheme)


def _host_and_port(entry: str) -> tuple[str, int | None]:
    """Parse an allowlist entry: "host", "host:port", "[v6 address]" or "[v6 address]:port"."""
    parts = urlsplit("//" + entry)
    if not parts.hostname:
        raise ValueError(f"not a host name: {entry!r}")
    return parts.hostname, parts.port


def _http_error(error: Exception, url: str, timeout: float) -> HttpError:
    if isinstance(error, TimeoutError):  # socket.timeout: a connect or a read that took too long
        return _timeout_error(url, timeout)
    return HttpError("connection", f"the connection to {display_url(url)} failed: {_root_reason(error)}")


def _timeout_error(url: str, timeout: float) -> HttpError:
    return HttpError("timeout", f"no complete response from {display_url(url)} within {timeout:g} s")


def _root_reason(error: BaseException) -> str:
    """The operating system's words for the innermost failure ("Connection refused"), else its type."""
    current: BaseException = error
    for _ in range(MAX_CAUSE_DEPTH):
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        inner = _inner_error(current)
        if inner is None:
            break
        current = inner
    return type(current).__name__


def _inner_error(error: BaseException) -> BaseException | None:
    reason = getattr(error, "reason", None)
    if isinstance(reason, BaseException):
        return reason
    if error.args and isinstance(error.args[0], BaseException):
        return error.args[0]
    return error.__cause__ or error.__context__
