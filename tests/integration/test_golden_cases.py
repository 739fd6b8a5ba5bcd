"""Golden cases: metadata, a request and the exact expected response, run over HTTP against real servers.

Each file under ``cases/`` holds shared ``metadata`` (an export-shaped document) and ``webhooks``,
and a list of ``cases``. Placeholders in strings: ``${webhook}`` (the local webhook server),
``${database_url}`` and ``${kind}`` (the source under test). A case runs on every backend in
``backends`` (default: the file's, else postgres and sqlite) and checks the whole response body,
the SQL statements and HTTP calls it caused, and what the webhooks received.
"""

from pathlib import Path

import pytest
import yaml

from tests.integration.dataset import load_postgres, load_sqlite
from tests.support.servers import NO_JSON, Reply, unused_port

CASES = Path(__file__).parent / "cases"
DEFAULT_BACKENDS = ("postgres", "sqlite")


def load_cases():
    for path in sorted(CASES.glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        for case in document["cases"]:
            for backend in case.get("backends", document.get("backends", DEFAULT_BACKENDS)):
                yield pytest.param(document, case, backend, id=f"{path.stem}/{case['name']}/{backend}")


def substitute(value, names):
    if isinstance(value, str):
        for name, replacement in names.items():
            value = value.replace("${" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [substitute(item, names) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, names) for key, item in value.items()}
    return value


def reply_for(spec):
    if "echo" in spec:
        return lambda request: Reply(json=request.json[spec["echo"]], headers=spec.get("headers", []))
    body = spec.get("body")
    return Reply(
        status=spec.get("status", 200),
        json=spec.get("json", NO_JSON),
        body=body.encode() if body is not None else b"",
        headers=[tuple(header) for header in spec.get("headers", [])],
        delay=spec.get("delay", 0.0),
    )


def request_headers(document, request):
    """The file's headers, then the request's; a null value removes a header."""
    merged = {**document.get("headers", {}), **request.get("headers", {})}
    return {name: value for name, value in merged.items() if value is not None}


def check_webhook_calls(server, expected):
    for path, calls in expected.items():
        received = server.calls(path)
        assert len(received) == len(calls), [call.json for call in received]
        for call, wanted in zip(received, calls, strict=True):
            if "body" in wanted:
                assert call.json == wanted["body"]
            for name, value in wanted.get("headers", {}).items():
                assert call.header(name) == value, (name, call.headers)
            for name in wanted.get("absent_headers", []):
                assert call.header(name) is None, (name, call.headers)


@pytest.fixture
def backend_url(request, pg_database_url, tmp_path):
    def prepare(backend):
        if backend == "postgres":
            load_postgres(pg_database_url)
            return pg_database_url
        return load_sqlite(tmp_path / "golden.db")

    return prepare


@pytest.mark.postgres
@pytest.mark.parametrize(("document", "case", "backend"), list(load_cases()))
def test_golden_case(
    document, case, backend, backend_url, metadata_api, graphql_api, webhook_server, monkeypatch
):
    names = {
        "webhook": webhook_server.base_url,
        "refused": f"http://127.0.0.1:{unused_port()}",
        "database_url": backend_url(backend),
        "kind": backend,
    }
    for name, value in substitute({**document.get("env", {}), **case.get("env", {})}, names).items():
        monkeypatch.setenv(name, value)
    for path, spec in {**document.get("webhooks", {}), **case.get("webhooks", {})}.items():
        webhook_server.route(path, reply_for(spec))
    metadata = substitute(case.get("metadata", document.get("metadata")), names)
    metadata_api.ok("replace_metadata", {"metadata": metadata, "allow_inconsistent_metadata": True})

    request = substitute(case["request"], names)
    answer = graphql_api.post(
        request.get("query"),
        request.get("variables"),
        headers=request_headers(document, request),
        operation_name=request.get("operationName"),
        raw=request.get("raw"),
    )

    expected = case.get(f"response_{backend}", case["response"])
    assert answer.status == 200
    assert answer.body == expected
    counts = case.get("counts")
    if counts is not None:
        assert {"sql": answer.sql_statements, "http": answer.http_calls} == counts
    if "cookies" in case:
        assert answer.cookies == case["cookies"]
    check_webhook_calls(webhook_server, substitute(case.get("webhook_calls", {}), names))
