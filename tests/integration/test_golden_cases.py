"""Golden cases: metadata, a request and the exact expected response, run over HTTP against real servers.

Each file under ``cases/`` holds shared ``metadata`` (an export-shaped document), ``webhooks`` and
``remote_servers`` (real GraphQL servers described as data, see ``remote_servers``), and a list of
``cases``. Placeholders in strings: ``${webhook}`` (the local webhook server), ``${remote:<name>}``
(a remote server's endpoint), ``${database_url}`` and ``${kind}`` (the source under test) and
``${archive_url}`` (a SQLite file with the same data, a second source). A case runs on every
backend in ``backends`` (default: the file's, else postgres and sqlite) and checks the whole
response body, the SQL statements and HTTP calls it caused, what the webhooks received and what
the remote servers received (``remote_calls``). ``remote_down`` stops servers before the request;
``remote_replies`` makes servers answer with a fixed reply. A webhook reply is fixed (``json``,
``body``, ``status``), the request's ``echo``-ed key, or ``each`` value of a list argument as an object.
"""

from pathlib import Path

import pytest
import yaml

from tests.integration.dataset import load_postgres, load_sqlite
from tests.integration.remote_servers import check_remote_calls, graphql_server
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
    if "each" in spec:
        argument, key = spec["each"]["argument"], spec["each"]["field"]
        return lambda request: Reply(json=[{key: value} for value in request.json["input"][argument]])
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


@pytest.fixture
def remote_servers():
    started = {}

    def start(specs):
        for name, spec in specs.items():
            started[name] = graphql_server(spec)
        return started

    yield start
    for server in started.values():
        server.stop()


@pytest.mark.postgres
@pytest.mark.parametrize(("document", "case", "backend"), list(load_cases()))
def test_golden_case(
    document,
    case,
    backend,
    backend_url,
    metadata_api,
    graphql_api,
    webhook_server,
    remote_servers,
    monkeypatch,
    tmp_path,
):
    servers = remote_servers({**document.get("remote_servers", {}), **case.get("remote_servers", {})})
    names = {
        "webhook": webhook_server.base_url,
        "refused": f"http://127.0.0.1:{unused_port()}",
        "database_url": backend_url(backend),
        "kind": backend,
        "archive_url": load_sqlite(tmp_path / "archive.db"),
        **{f"remote:{name}": server.endpoint for name, server in servers.items()},
    }
    for name, value in substitute({**document.get("env", {}), **case.get("env", {})}, names).items():
        monkeypatch.setenv(name, value)
    for path, spec in {**document.get("webhooks", {}), **case.get("webhooks", {})}.items():
        webhook_server.route(path, reply_for(spec))
    metadata = substitute(case.get("metadata", document.get("metadata")), names)
    metadata_api.ok("replace_metadata", {"metadata": metadata, "allow_inconsistent_metadata": True})
    for name in case.get("remote_down", []):
        servers[name].down()
    for name, spec in case.get("remote_replies", {}).items():
        servers[name].answer_with(reply_for(spec))

    request = substitute(case["request"], names)
    answer = graphql_api.post(
        request.get("query"),
        request.get("variables"),
        headers=request_headers(document, request),
        operation_name=request.get("operationName"),
        raw=request.get("raw"),
    )

    expected = substitute(case.get(f"response_{backend}", case["response"]), names)
    assert answer.status == 200
    assert answer.body == expected
    counts = case.get("counts")
    if counts is not None:
        assert {"sql": answer.sql_statements, "http": answer.http_calls} == counts
    if "cookies" in case:
        assert answer.cookies == case["cookies"]
    check_webhook_calls(webhook_server, substitute(case.get("webhook_calls", {}), names))
    for name, calls in substitute(case.get("remote_calls", {}), names).items():
        check_remote_calls(servers[name], calls)
