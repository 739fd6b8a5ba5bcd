"""docs/deployment.md's production path, for real: ``make serve`` twice on one PostgreSQL metadata database.

Two servers (each gunicorn with two gthread workers, as two hosts would run them) share the metadata
database, with an admin secret, the demo off and whitenoise serving hashed static files. A change made
through either server is served by both from their next request on.
"""

import os
import re
import signal
import subprocess
import time
from contextlib import closing, contextmanager

import psycopg2
import pytest
import requests

from tests.demo.test_demo_server import ROOT, UNSET
from tests.support.servers import unused_port

pytestmark = pytest.mark.postgres

ADMIN_SECRET = "docs-deployment-secret"
READY_TIMEOUT_SECONDS = 120
TIMEOUT_SECONDS = 30
STATIC_LINK = re.compile(r'href="(/static/console/console\.[0-9a-f]{12}\.css)"')


def serve_environment(tmp_path, name, database_url, port):
    env = {key: value for key, value in os.environ.items() if key not in UNSET and key != "DEMO"}
    env.update(
        DATABASE_URL=database_url,
        SHOP_DATABASE_URL=database_url,
        ADMIN_SECRET=ADMIN_SECRET,
        SECRET_KEY="docs-deployment-secret-key-of-some-length",
        STATIC_ROOT=str(tmp_path / name / "static"),
        HOST="127.0.0.1",
        PORT=str(port),
        WORKERS="2",
        THREADS="4",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@contextmanager
def make_serve(tmp_path, name, database_url):
    """``make serve`` as its own process group; stopped (the whole group) afterwards."""
    port = unused_port()
    url = f"http://127.0.0.1:{port}"
    (tmp_path / name).mkdir()
    log_path = tmp_path / name / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=serve_environment(tmp_path, name, database_url, port),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(url, process, log_path)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(url, process, log_path):
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            requests.get(f"{url}/console/login/", timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    pytest.fail(f"make serve did not answer within {READY_TIMEOUT_SECONDS} s:\n{log_path.read_text()}")


def metadata(url, command_type, args, *, secret=ADMIN_SECRET, **envelope):
    response = requests.post(
        f"{url}/v1/metadata",
        json={"type": command_type, "args": args, **envelope},
        headers={"X-Hasura-Admin-Secret": secret},
        timeout=TIMEOUT_SECONDS,
    )
    return response.status_code, response.json()


def graphql(url, query):
    response = requests.post(
        f"{url}/v1/graphql",
        json={"query": query},
        headers={"X-Hasura-Admin-Secret": ADMIN_SECRET},
        timeout=TIMEOUT_SECONDS,
    )
    assert response.status_code == 200
    return response.json()


def create_shop_table(database_url):
    with closing(psycopg2.connect(database_url)) as connection, connection, connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL);"
            "INSERT INTO customer (name) VALUES ('Arya'), ('Bran');"
        )


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, empty_pg_database):
    """Two ``make serve`` servers on one metadata database; the second starts once the first has migrated."""
    folder = tmp_path_factory.mktemp("deployment")
    with (
        make_serve(folder, "first", empty_pg_database) as first,
        make_serve(folder, "second", empty_pg_database) as second,
    ):
        create_shop_table(empty_pg_database)
        yield first, second


def test_the_metadata_api_needs_the_admin_secret(two_servers):
    first, _ = two_servers

    assert metadata(first, "export_metadata", {}, secret="wrong") == (
        401,
        {"error": "invalid x-hasura-admin-secret/x-hasura-access-key", "path": "$", "code": "access-denied"},
    )
    answer = requests.post(f"{first}/v1/metadata", json={"type": "export_metadata", "args": {}}, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["code"] == "access-denied"


def test_the_demo_is_off(two_servers):
    first, _ = two_servers

    assert (
        requests.post(
            f"{first}/demo/graphql/orders", json={"query": "{ orders { id } }"}, timeout=10
        ).status_code
        == 404
    )
    assert metadata(first, "export_metadata", {}) == (200, {"version": 3})


def test_static_files_are_hashed_compressed_and_cached_forever(two_servers):
    first, _ = two_servers
    page = requests.get(f"{first}/console/login/", timeout=10)
    stylesheet = STATIC_LINK.search(page.text)
    assert stylesheet, page.text

    answer = requests.get(first + stylesheet.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10)

    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Cache-Control"] == "max-age=315360000, public, immutable"


def test_a_change_through_one_server_is_served_by_both(two_servers):
    first, second = two_servers
    source = {
        "name": "shop",
        "configuration": {"connection_info": {"database_url": {"from_env": "SHOP_DATABASE_URL"}}},
    }
    customers = "{ customer(order_by: {id: asc}) { id name } }"

    assert metadata(first, "pg_add_source", source) == (200, {"message": "success"})
    assert metadata(first, "pg_track_table", {"source": "shop", "table": "customer"}) == (
        200,
        {"message": "success"},
    )
    expected = {"data": {"customer": [{"id": 1, "name": "Arya"}, {"id": 2, "name": "Bran"}]}}
    # Each server has two worker processes; every request must see the change, whichever worker takes it.
    assert [graphql(second, customers) for _ in range(6)] == [expected] * 6

    assert metadata(second, "pg_untrack_table", {"source": "shop", "table": "customer"}) == (
        200,
        {"message": "success"},
    )
    gone = graphql(first, customers)
    assert gone["errors"][0]["extensions"]["code"] == "validation-failed"
    assert "data" not in gone


def test_both_servers_share_one_resource_version(two_servers):
    first, second = two_servers
    _, exported = metadata(first, "export_metadata", {}, version=2)
    before = exported["resource_version"]

    assert metadata(second, "reload_metadata", {})[0] == 200
    _, after = metadata(first, "export_metadata", {}, version=2)
    stale = metadata(first, "reload_metadata", {}, resource_version=before)

    assert after["resource_version"] == before + 1
    assert stale == (
        409,
        {
            "error": f"metadata resource version referenced ({before}) did not match current version",
            "path": "$",
            "code": "conflict",
        },
    )
