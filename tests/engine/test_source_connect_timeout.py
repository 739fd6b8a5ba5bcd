"""Source connections give up on a database host that does not answer (`connect_timeout`)."""

import socket
import threading
from urllib.parse import urlsplit

import pytest

from engine.sources import CONNECT_TIMEOUT, ConnectionProvider, SourceConnectionError, SourceSpec

pytestmark = pytest.mark.postgres


def postgres_source(url, name="default"):
    return SourceSpec(name, "postgres", {"connection_info": {"database_url": url}})


def dsn_parameters(provider, url):
    with provider.connection(postgres_source(url)) as connection:
        return connection.get_dsn_parameters()


def keyword_dsn(url, **extra):
    parts = urlsplit(url)
    keywords = {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "user": parts.username,
        "dbname": parts.path[1:],
        **extra,
    }
    return " ".join(f"{key}={value}" for key, value in keywords.items())


@pytest.fixture
def provider(tmp_path):
    provider = ConnectionProvider(tmp_path, {})
    yield provider
    provider.close_all()


def test_connections_get_the_default_connect_timeout(provider, pg_database_url):
    assert dsn_parameters(provider, pg_database_url)["connect_timeout"] == str(CONNECT_TIMEOUT)


def test_a_connect_timeout_in_the_url_is_kept(provider, pg_database_url):
    url = f"{pg_database_url}?connect_timeout=17&application_name=orders"
    parameters = dsn_parameters(provider, url)
    assert parameters["connect_timeout"] == "17"
    assert parameters["application_name"] == "orders"


def test_a_connect_timeout_in_a_keyword_connection_string_is_kept(provider, pg_database_url):
    parameters = dsn_parameters(provider, keyword_dsn(pg_database_url, connect_timeout=23))
    assert parameters["connect_timeout"] == "23"


def test_a_host_that_never_answers_is_a_connection_error(provider):
    # The kernel completes the TCP handshake for a listening socket nobody accepts on, so the
    # client's startup message is never answered: without a timeout, connecting waits forever.
    with socket.create_server(("127.0.0.1", 0), backlog=4) as silent:
        port = silent.getsockname()[1]
        source = postgres_source(f"postgresql://postgres@127.0.0.1:{port}/silent", name="orders")
        outcome = []

        def connect():
            try:
                with provider.connection(source):
                    outcome.append("connected")
            except SourceConnectionError as error:
                outcome.append(error.message)

        thread = threading.Thread(target=connect, daemon=True)
        thread.start()
        thread.join(CONNECT_TIMEOUT + 30)
        hung = thread.is_alive()
    assert not hung, "connecting to a silent host did not time out"
    [message] = outcome
    assert message.startswith("cannot connect to source 'orders'")
    assert message.endswith("timeout expired")


def test_pgconnect_timeout_in_the_environment_is_kept(provider, pg_database_url, monkeypatch):
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "31")
    assert dsn_parameters(provider, pg_database_url)["connect_timeout"] == "31"
