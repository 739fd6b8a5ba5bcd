"""What every answer to a generated input must satisfy, and the client that posts and checks them.

- never a 5xx, and no exception escaped to a log (a handled crash is a crash too);
- the body is JSON in the endpoint's documented shape: ``{"error", "path", "code"}`` for failures of
  ``/v1/metadata`` and ``/v2/query``; ``{"data"}`` / ``{"errors": [{"message", "extensions"}]}`` (or
  a list of them for a batch) on ``/v1/graphql``;
- nothing a non-admin caller sees carries ``extensions.internal``, a stack trace, a source file path
  or a Python exception class name (unless the caller sent that text itself, as errors echo input).
"""

import json
import logging
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

GRAPHQL_PATH = "/v1/graphql"
ERROR_KEYS = {"error", "path", "code"}
CODE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
LEAK_MARKERS = (
    re.compile(r"Traceback"),
    re.compile(r'File "'),
    re.compile(r"/work/|/tmp/|/usr/lib|site-packages|\.venv"),
    re.compile(r"\w\.py\b"),
    re.compile(r"\b[A-Z][A-Za-z0-9]+(?:Error|Exception)\b|\b(?:psycopg2?|sqlite3|django)\b"),
)
# Errors a remote server sends pass through verbatim; graphql-core formats them with these keys.
REMOTE_ERROR_KEYS = {"locations", "path"}


@dataclass
class InputCount:
    """How many generated inputs the fuzz tests have posted in this run."""

    total: int = 0


posted_inputs = InputCount()


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, content type and body bytes."""

    status: int
    content_type: str
    content: bytes

    @property
    def json(self):
        return json.loads(self.content)


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def no_logged_crash():
    """Fail when anything logs an error with an exception, or Django logs a server error."""
    handler = _ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    crashes = [r for r in handler.records if r.exc_info or r.name.startswith("django.request")]
    assert not crashes, "\n".join(logging.Formatter().format(record) for record in crashes)


def check_answer(path: str, answer: Answer, *, request: bytes, admin: bool) -> None:
    """Every property of the module docstring for one answer."""
    assert answer.status < 500, (answer.status, answer.content[:2000])
    assert answer.content_type.startswith("application/json"), (answer.content_type, answer.content[:500])
    body = answer.json
    if path == GRAPHQL_PATH:
        check_graphql_body(body, answer.status)
    else:
        check_metadata_body(body, answer.status)
    if not admin:
        check_no_leak(answer.content.decode(), request.decode("utf-8", "replace"))
        assert not any("internal" in error.get("extensions", {}) for error in errors_of(body)), body
    else:
        assert "Traceback" not in answer.content.decode(), answer.content


def check_metadata_body(body, status: int) -> None:
    """A failure of /v1/metadata or /v2/query is exactly Hasura's error object."""
    if status == 200:
        return
    assert isinstance(body, dict), body
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"internal"}, body
    assert isinstance(body["error"], str), body
    assert isinstance(body["path"], str), body
    assert body["path"].startswith("$"), body
    assert isinstance(body["code"], str), body
    assert CODE.match(body["code"]), body


def check_graphql_body(body, status: int) -> None:
    """/v1/graphql answers 200 (405 for a method other than POST) with data or errors, per request."""
    assert status in (200, 405, 413), status
    for item in body if isinstance(body, list) else [body]:
        check_graphql_response(item)


def check_graphql_response(item) -> None:
    assert isinstance(item, dict), item
    assert set(item) in ({"data"}, {"errors"}, {"data", "errors"}), item
    if "errors" not in item:
        assert isinstance(item["data"], dict), item
        return
    errors = item["errors"]
    assert isinstance(errors, list), item
    assert errors, item
    for error in errors:
        assert isinstance(error, dict), error
        assert isinstance(error.get("message"), str), error
        if "extensions" in error:
            assert isinstance(error["extensions"], dict), error
        else:
            assert REMOTE_ERROR_KEYS & set(error), error


def errors_of(body) -> list[dict]:
    """The error objects of any endpoint's answer (a metadata error is one)."""
    if isinstance(body, list):
        return [error for item in body for error in errors_of(item)]
    if isinstance(body, dict) and "error" in body:
        return [{"extensions": body}]
    return body.get("errors", []) if isinstance(body, dict) else []


def check_no_leak(text: str, request: str) -> None:
    """No marker of an internal detail, unless the caller sent that text itself (errors echo input)."""
    for marker in LEAK_MARKERS:
        for found in marker.finditer(text):
            assert found.group(0) in request, f"{found.group(0)!r} in {text[:2000]}"


class FuzzClient:
    """Posts generated inputs through a Django test client (or real HTTP) and checks each answer."""

    def __init__(self, client, headers: dict[str, str] | None = None, *, admin: bool = True) -> None:
        self.client = client
        self.headers = headers or {}
        self.admin = admin

    def post(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        method: str = "post",
    ) -> Answer:
        """Send one generated input; return its answer after checking every property."""
        posted_inputs.total += 1
        extra = {
            f"HTTP_{k.upper().replace('-', '_')}": v for k, v in {**self.headers, **(headers or {})}.items()
        }
        with no_logged_crash():
            response = self.client.generic(
                method.upper(), path, data=body, content_type=content_type, **extra
            )
        answer = Answer(response.status_code, response.get("Content-Type", ""), response.content)
        check_answer(path, answer, request=body, admin=self.admin)
        return answer

    def post_json(self, path: str, value, **kwargs) -> Answer:
        return self.post(path, encode(value), **kwargs)


def encode(value) -> bytes:
    """JSON bytes as a client would send them: text as UTF-8 or as ``\\u`` escapes (half the values
    each, so a lone surrogate arrives both as invalid UTF-8 and as a valid escape); NaN and Infinity
    stay as Python writes them, which is not JSON."""
    text = repr(value).encode("utf-8", "surrogatepass")
    return json.dumps(value, ensure_ascii=zlib.crc32(text) % 2 == 0).encode("utf-8", "surrogatepass")
