"""The engine's one HTTP client: JSON POSTs and plain GETs over pooled keep-alive sessions.

Every call has an explicit timeout (on connect, on each read and on the whole exchange), a cap on
the response size enforced while streaming, no retries and no redirects (a 3xx comes back as a
response, so callers can report it as Hasura does). An optional allowlist limits the hosts the
engine may reach. Failures surface as `HttpError` with a stable `kind` and a message that never
carries a header value or URL credentials.
"""

import json
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import SplitResult, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError

from engine.headers import USER_AGENT, HeaderSource, merge_headers

DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
INVALID_URL_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
MAX_CAUSE_DEPTH = 8


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
    """`Transport` over requests: one pooled Session per thread, shared by every call of that thread."""

    def __init__(
        self,
        allowed_hosts: Sequence[str] | None = None,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        pool_connections: int = 16,
        pool_maxsize: int = 32,
        trust_env: bool = False,
    ) -> None:
        self._allowed = None if allowed_hosts is None else frozenset(map(_host_and_port, allowed_hosts))
        self._max_response_bytes = max_response_bytes
        self._pool_connections = pool_connections
        self._pool_maxsize = pool_maxsize
        self._trust_env = trust_env
        self._local = threading.local()
        # Weak, so the session of a finished thread is collected with that thread's locals.
        self._sessions: weakref.WeakSet[requests.Session] = weakref.WeakSet()
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
        return self._exchange("POST", url, data, dict(merge_headers(_default_headers(), headers)), timeout)

    def get(self, url: str, *, headers: HeaderSource, timeout: float) -> HttpResponse:
        """GET `url` (no body); raise HttpError when no complete response arrives."""
        _check_timeout(timeout)
        self._check_allowed(_checked_url(url))
        self._count_call()
        return self._exchange(
            "GET", url, None, dict(merge_headers([("User-Agent", USER_AGENT)], headers)), timeout
        )

    def close(self) -> None:
        """Close every pooled connection; the transport opens new ones if used again."""
        with self._lock:
            sessions = list(self._sessions)
        for session in sessions:
            session.close()

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

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._new_session()
            self._local.session = session
            with self._lock:
                self._sessions.add(session)
        return session

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        # Without the environment, no proxy variable or ~/.netrc entry can reroute or decorate calls.
        session.trust_env = self._trust_env
        adapter = HTTPAdapter(
            pool_connections=self._pool_connections, pool_maxsize=self._pool_maxsize, max_retries=0
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def _exchange(
        self, method: str, url: str, data: bytes | None, headers: dict[str, str], timeout: float
    ) -> HttpResponse:
        deadline = time.monotonic() + timeout
        try:
            with self._session().request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=(timeout, timeout),
                allow_redirects=False,
                stream=True,
            ) as response:
                body = self._read_body(response, url, deadline, timeout)
                return HttpResponse(response.status_code, tuple(response.raw.headers.items()), body)
        except requests.exceptions.InvalidHeader:
            # requests quotes the offending value, which may be a secret: keep neither message nor cause.
            raise HttpError("invalid-header", "a request header has an invalid name or value") from None
        except requests.RequestException as error:
            raise _http_error(error, url, timeout) from error

    def _read_body(self, response: requests.Response, url: str, deadline: float, timeout: float) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_response_bytes:
            raise self._too_large(url)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(READ_CHUNK_BYTES):
            size += len(chunk)
            if size > self._max_response_bytes:
                raise self._too_large(url)
            if time.monotonic() > deadline:
                raise _timeout_error(url, timeout)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, url: str) -> HttpError:
        return HttpError(
            "too-large", f"the response from {display_url(url)} exceeds {self._max_response_bytes} bytes"
        )


def encode_json(body: object) -> bytes:
    """Compact UTF-8 JSON, refusing NaN and infinities (which JSON cannot express)."""
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as error:
        raise HttpError("invalid-body", f"the request body cannot be encoded as JSON: {error}") from None


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


def _http_error(error: requests.RequestException, url: str, timeout: float) -> HttpError:
    shown = display_url(url)
    if isinstance(error, requests.Timeout) or _wraps(error, ReadTimeoutError):
        return _timeout_error(url, timeout)
    if isinstance(error, INVALID_URL_ERRORS):
        return HttpError("invalid-url", f"invalid URL {shown}")
    if isinstance(error, requests.exceptions.ContentDecodingError):
        return HttpError("protocol", f"the response from {shown} could not be decoded")
    return HttpError("connection", f"the connection to {shown} failed: {_root_reason(error)}")


def _timeout_error(url: str, timeout: float) -> HttpError:
    return HttpError("timeout", f"no complete response from {display_url(url)} within {timeout:g} s")


def _wraps(error: BaseException, cause_type: type[BaseException]) -> bool:
    return bool(error.args) and isinstance(error.args[0], cause_type)


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
