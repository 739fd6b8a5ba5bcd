"""engine.http against a real local webhook server."""

import gzip
import json
import socket
import threading
import time
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.headers import USER_AGENT
from engine.http import HttpError, HttpResponse, HttpTransport, InvalidJsonError, encode_json
from tests.support import servers
from tests.support.servers import Reply, unused_port

webhook_server = servers.webhook_server


@pytest.fixture
def transport():
    with HttpTransport() as client:
        yield client


def test_post_json_sends_compact_utf8_json_with_default_headers(webhook_server, transport):
    webhook_server.route("/hook", {"ok": True})
    response = transport.post_json(
        webhook_server.url("/hook"),
        {"name": "Zoë", "n": [1, 2.5, None]},
        headers={"X-Api-Key": "k"},
        timeout=5,
    )

    assert response.status == 200
    assert response.json() == {"ok": True}
    [call] = webhook_server.calls("/hook")
    assert call.method == "POST"
    assert call.body == '{"name":"Zoë","n":[1,2.5,null]}'.encode()
    assert call.header("Content-Type") == "application/json"
    assert call.header("User-Agent") == USER_AGENT
    assert call.header("x-api-key") == "k"


def test_caller_headers_replace_defaults_case_insensitively(webhook_server, transport):
    webhook_server.route("/hook", {})
    transport.post_json(
        webhook_server.url("/hook"),
        {},
        headers=[("user-agent", "custom/1"), ("X-A", "1"), ("x-a", "2")],
        timeout=5,
    )
    [call] = webhook_server.calls()
    assert call.header("User-Agent") == "custom/1"
    assert call.header_names.count("user-agent") == 1
    assert call.header("X-A") == "2"


def test_response_keeps_every_header_line_and_status(webhook_server, transport):
    webhook_server.route(
        "/hook",
        Reply(status=422, json={"message": "bad"}, headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]),
    )
    response = transport.post_json(webhook_server.url("/hook"), {}, headers={}, timeout=5)

    assert response.status == 422
    assert response.header_values("set-cookie") == ["a=1", "b=2"]
    assert response.header("CONTENT-TYPE") == "application/json"
    assert response.header("x-missing") is None
    assert ("Set-Cookie", "a=1") in response.headers
    assert response.body == b'{"message": "bad"}'


def test_server_errors_come_back_as_responses(webhook_server, transport):
    webhook_server.route("/hook", Reply(status=500, body=b"boom"))
    response = transport.post_json(webhook_server.url("/hook"), {}, headers={}, timeout=5)
    assert (response.status, response.body) == (500, b"boom")


def test_invalid_json_body_raises_a_clear_error():
    with pytest.raises(InvalidJsonError, match="response body is not valid JSON: Expecting value"):
        HttpResponse(200, (), b"<html>").json()
    with pytest.raises(InvalidJsonError, match="response body is not valid JSON"):
        HttpResponse(200, (), b"\xff\xfe\xfa").json()


def test_timeout_gives_up_on_a_slow_handler(webhook_server, transport):
    webhook_server.route("/slow", Reply(json={}, delay=2))
    started = time.monotonic()
    with pytest.raises(HttpError) as caught:
        transport.post_json(
            webhook_server.url("/slow"), {}, headers={"Authorization": "Bearer s3cret"}, timeout=0.2
        )
    elapsed = time.monotonic() - started

    assert caught.value.kind == "timeout"
    assert str(caught.value) == f"no complete response from {webhook_server.url('/slow')} within 0.2 s"
    assert "s3cret" not in str(caught.value)
    assert 0.2 <= elapsed < 1.0


def test_timeout_bounds_the_whole_exchange_not_only_each_read(webhook_server, transport):
    # Each chunk arrives well within the timeout, the whole body does not.
    webhook_server.route("/drip", Reply(body=b"x" * (20 * 64 * 1024), chunked=True, chunk_delay=0.06))
    started = time.monotonic()
    with pytest.raises(HttpError) as caught:
        transport.post_json(webhook_server.url("/drip"), {}, headers={}, timeout=0.25)
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 0.9  # all 20 chunks would take 1.2 s


def test_refused_connection(transport):
    url = f"http://127.0.0.1:{unused_port()}/hook"
    with pytest.raises(HttpError) as caught:
        transport.post_json(url, {}, headers={}, timeout=2)
    assert caught.value.kind == "connection"
    assert str(caught.value) == f"the connection to {url} failed: Connection refused"


def test_url_credentials_never_appear_in_messages(transport):
    with pytest.raises(HttpError) as caught:
        transport.post_json(f"http://admin:pa55word@127.0.0.1:{unused_port()}/", {}, headers={}, timeout=2)
    assert "pa55word" not in str(caught.value)
    assert "***@127.0.0.1" in str(caught.value)


def test_redirects_are_returned_not_followed(webhook_server, transport):
    webhook_server.route("/old", Reply(status=302, headers=[("Location", webhook_server.url("/new"))]))
    webhook_server.route("/new", {"followed": True})

    response = transport.post_json(webhook_server.url("/old"), {}, headers={}, timeout=5)

    assert response.status == 302
    assert response.header("Location") == webhook_server.url("/new")
    assert webhook_server.calls("/new") == []


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_response_size_cap(webhook_server, chunked):
    webhook_server.route("/exact", Reply(body=b"x" * 1000, chunked=chunked))
    webhook_server.route("/over", Reply(body=b"x" * 1001, chunked=chunked))
    with HttpTransport(max_response_bytes=1000) as capped:
        assert capped.post_json(webhook_server.url("/exact"), {}, headers={}, timeout=5).body == b"x" * 1000
        with pytest.raises(HttpError) as caught:
            capped.post_json(webhook_server.url("/over"), {}, headers={}, timeout=5)
    assert caught.value.kind == "too-large"
    assert str(caught.value) == f"the response from {webhook_server.url('/over')} exceeds 1000 bytes"


def test_allowlist_blocks_other_hosts_before_any_request(webhook_server):
    webhook_server.route("/hook", {})
    with HttpTransport(allowed_hosts=["api.example.com"]) as restricted:
        with pytest.raises(HttpError) as caught:
            restricted.post_json(webhook_server.url("/hook"), {}, headers={}, timeout=5)
        assert restricted.call_count == 0
    assert caught.value.kind == "not-allowed"
    assert str(caught.value) == "host '127.0.0.1' is not in the list of hosts the engine may call"
    assert webhook_server.calls() == []


def test_allowlist_entries_may_name_a_port(webhook_server):
    webhook_server.route("/hook", {})
    url = webhook_server.url("/hook")
    with HttpTransport(allowed_hosts=["127.0.0.1"]) as any_port:
        assert any_port.post_json(url, {}, headers={}, timeout=5).status == 200
    with HttpTransport(allowed_hosts=[f"127.0.0.1:{webhook_server.port}"]) as this_port:
        assert this_port.post_json(url, {}, headers={}, timeout=5).status == 200
    with (
        HttpTransport(allowed_hosts=[f"127.0.0.1:{unused_port()}"]) as other_port,
        pytest.raises(HttpError, match="not in the list"),
    ):
        other_port.post_json(url, {}, headers={}, timeout=5)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "not a url", "http:///path", "http://127.0.0.1:99999/"])
def test_invalid_urls(transport, url):
    with pytest.raises(HttpError) as caught:
        transport.post_json(url, {}, headers={}, timeout=1)
    assert caught.value.kind == "invalid-url"
    assert transport.call_count == 0


def test_invalid_header_value_is_refused_without_echoing_it(webhook_server, transport):
    webhook_server.route("/hook", {})
    with pytest.raises(HttpError) as caught:
        transport.post_json(webhook_server.url("/hook"), {}, headers={"X-Key": "top\nsecret"}, timeout=5)
    assert caught.value.kind == "invalid-header"
    assert "secret" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


@pytest.mark.parametrize("body", [float("nan"), {"when": object()}])
def test_bodies_json_cannot_express_are_refused(transport, body):
    with pytest.raises(HttpError) as caught:
        transport.post_json("http://127.0.0.1:1/", body, headers={}, timeout=1)
    assert caught.value.kind == "invalid-body"


def test_timeout_must_be_positive(transport):
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        transport.post_json("http://127.0.0.1:1/", {}, headers={}, timeout=0)


def test_one_thread_reuses_one_keep_alive_connection(webhook_server, transport):
    webhook_server.route("/hook", {})
    for _ in range(20):
        transport.post_json(webhook_server.url("/hook"), {}, headers={}, timeout=5)
    assert len({call.client_port for call in webhook_server.calls()}) == 1


def test_call_count_is_exact_across_threads(webhook_server, transport):
    webhook_server.route("/hook", lambda request: {"n": request.json["n"]})
    results = []

    def work(thread_index):
        for i in range(10):
            n = thread_index * 10 + i
            results.append(
                transport.post_json(webhook_server.url("/hook"), {"n": n}, headers={}, timeout=5).json()
            )

    threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert transport.call_count == 80
    assert sorted(result["n"] for result in results) == list(range(80))
    assert len(webhook_server.calls()) == 80
    assert len({call.client_port for call in webhook_server.calls()}) <= 8


def test_failed_calls_are_counted(transport):
    with pytest.raises(HttpError):
        transport.post_json(f"http://127.0.0.1:{unused_port()}/", {}, headers={}, timeout=1)
    assert transport.call_count == 1


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", lambda data: gzip.compress(data)),
        ("deflate", lambda data: zlib.compress(data)),
    ],
)
def test_compressed_bodies_are_decoded(webhook_server, transport, encoding, compress):
    webhook_server.route(
        "/packed", Reply(body=compress(b'{"ok": true}'), headers=[("Content-Encoding", encoding)])
    )

    response = transport.post_json(webhook_server.url("/packed"), {}, headers={}, timeout=5)

    assert response.json() == {"ok": True}
    assert webhook_server.calls("/packed")[0].header("Accept-Encoding") == "gzip, deflate"


def test_the_size_cap_applies_to_the_decoded_body(webhook_server):
    webhook_server.route(
        "/bomb", Reply(body=gzip.compress(b"x" * 100_000), headers=[("Content-Encoding", "gzip")])
    )
    with HttpTransport(max_response_bytes=1000) as capped, pytest.raises(HttpError) as caught:
        capped.post_json(webhook_server.url("/bomb"), {}, headers={}, timeout=5)
    assert caught.value.kind == "too-large"


def test_a_body_that_does_not_decode_is_a_protocol_error(webhook_server, transport):
    webhook_server.route("/broken", Reply(body=b"not gzip at all", headers=[("Content-Encoding", "gzip")]))
    with pytest.raises(HttpError) as caught:
        transport.post_json(webhook_server.url("/broken"), {}, headers={}, timeout=5)
    assert caught.value.kind == "protocol"
    assert str(caught.value) == f"the response from {webhook_server.url('/broken')} could not be decoded"


def test_a_kept_alive_connection_the_server_closed_is_replaced(webhook_server, transport):
    webhook_server.route("/hook", {"n": 1})
    transport.post_json(webhook_server.url("/hook"), {}, headers={}, timeout=5)
    webhook_server._server.drop_connections()  # as a server closing idle keep-alive connections
    time.sleep(0.05)

    response = transport.post_json(webhook_server.url("/hook"), {}, headers={}, timeout=5)

    assert response.json() == {"n": 1}
    assert len({call.client_port for call in webhook_server.calls("/hook")}) == 2


def test_a_request_leaves_in_one_write(webhook_server, transport, monkeypatch):
    writes: list[bytes] = []
    sendall = socket.socket.sendall

    def recorded_sendall(sock, data, *flags):
        if sock.getpeername()[1] == webhook_server.port:  # the client's side only
            writes.append(bytes(data))
        return sendall(sock, data, *flags)

    monkeypatch.setattr(socket.socket, "sendall", recorded_sendall)
    webhook_server.route("/hook", {"ok": True})

    response = transport.post_json(webhook_server.url("/hook"), {"n": 1}, headers={}, timeout=5)

    assert response.json() == {"ok": True}
    [write] = writes
    assert write.startswith(b"POST /hook HTTP/1.1\r\n")
    assert write.endswith(b"\r\n\r\n" + b'{"n":1}')


@pytest.mark.parametrize(
    "body",
    [
        {"a": None, "b": float("nan")},
        [None, float("inf")],
        {"keys": [1, None, -float("inf")]},
        {"a": "\ud800"},
    ],
)
def test_a_refused_value_beside_a_null_or_anywhere_is_refused(body):
    with pytest.raises(HttpError) as caught:
        encode_json(body)
    assert caught.value.kind == "invalid-body"


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_BODIES = st.recursive(
    _JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(_BODIES)
def test_a_body_is_written_as_the_standard_encoder_reads_it_or_refused_as_it_refuses(body):
    try:
        expected = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except ValueError:  # NaN or infinity, or a lone surrogate on the way to UTF-8
        with pytest.raises(HttpError):
            encode_json(body)
        return
    assert json.loads(encode_json(body)) == json.loads(expected)
