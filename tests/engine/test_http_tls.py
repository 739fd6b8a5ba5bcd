"""engine.http over TLS: a local HTTPS server with a certificate made for the test.

The transport checks certificates against the requests library's bundle, which does not hold the
test's certificate: a call fails as a connection error until the transport is given a context that
trusts it, and then goes through, kept alive, with the host name checked against the certificate.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from engine.http import HttpError, HttpTransport
from tests.support.certificates import self_signed_pem


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ``localhost`` (not for its address), and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(self_signed_pem(key, "localhost", dns_names=["localhost"]))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _TlsServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.seen.append((self.headers["Host"], self.client_address[1], body))
        answer = json.dumps({"echo": json.loads(body)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cert: Path, key: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.seen: list[tuple[str, int, bytes]] = []


@pytest.fixture
def tls_server(tmp_path) -> Iterator[tuple[_TlsServer, Path]]:
    cert, key = _certificate(tmp_path)
    server = _TlsServer(cert, key)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, cert
    server.shutdown()
    server.server_close()


def test_a_certificate_outside_the_bundle_is_refused(tls_server):
    server, _ = tls_server
    with HttpTransport() as transport, pytest.raises(HttpError) as caught:
        transport.post_json(f"https://localhost:{server.server_address[1]}/hook", {}, headers={}, timeout=5)

    assert caught.value.kind == "connection"
    assert "certificate" in str(caught.value).lower()


def test_a_trusted_server_answers_over_one_kept_alive_connection(tls_server):
    server, cert = tls_server
    port = server.server_address[1]
    with HttpTransport() as transport:
        transport._pools._tls = ssl.create_default_context(cafile=str(cert))
        first = transport.post_json(f"https://localhost:{port}/hook", {"n": 1}, headers={}, timeout=5)
        second = transport.post_json(f"https://localhost:{port}/hook", {"n": 2}, headers={}, timeout=5)

    assert first.json() == {"echo": {"n": 1}}
    assert second.json() == {"echo": {"n": 2}}
    assert [host for host, _, _ in server.seen] == [f"localhost:{port}"] * 2
    assert len({client_port for _, client_port, _ in server.seen}) == 1


def test_the_host_name_is_checked_against_the_certificate(tls_server):
    server, cert = tls_server
    with HttpTransport() as transport:
        transport._pools._tls = ssl.create_default_context(cafile=str(cert))
        # The same server, reached by its address, which the certificate does not name.
        url = f"https://127.0.0.1:{server.server_address[1]}/hook"
        with pytest.raises(HttpError) as caught:
            transport.post_json(url, {}, headers={}, timeout=5)

    assert caught.value.kind == "connection"
    assert "IP address mismatch" in str(caught.value)
