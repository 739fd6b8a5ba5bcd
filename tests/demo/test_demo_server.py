"""The demo end to end: ``manage.py demo setup`` and a real server process from a clean state.

Every seed query runs over HTTP against the server and its joined data is checked; GraphiQL opens
with each query; a second set-up changes nothing (same metadata, same ``resource_version``, the
demo database as the queries left it). The server is always stopped.
"""

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from console.demo.queries import SEED_QUERIES
from tests.support.servers import unused_port

ROOT = Path(__file__).resolve().parents[2]
QUERIES = {query.slug: query.text for query in SEED_QUERIES}
READY_TIMEOUT_SECONDS = 30
REQUEST_TIMEOUT_SECONDS = 30
ISO_MILLISECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
# Variables that would put the server out of open development mode or restrict it.
UNSET = ("ADMIN_SECRET", "JWT_SECRET", "AUTH_HOOK", "UNAUTHORIZED_ROLE", "OUTBOUND_ALLOWED_HOSTS", "DEBUG")


@dataclass
class DemoServer:
    url: str
    env: dict
    setup_output: str

    def manage(self, *args):
        """Run ``manage.py`` with the server's environment; it must succeed."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def graphql(self, query, variables=None):
        body = {"query": query} if variables is None else {"query": query, "variables": variables}
        response = requests.post(f"{self.url}/v1/graphql", json=body, timeout=REQUEST_TIMEOUT_SECONDS)
        assert response.status_code == 200
        return response.json()

    def metadata(self, command_type, args=None, version=1):
        body = {"type": command_type, "args": args or {}, "version": version}
        response = requests.post(f"{self.url}/v1/metadata", json=body, timeout=REQUEST_TIMEOUT_SECONDS)
        assert response.status_code == 200, response.text
        return response.json()


def clean_environment(folder, port):
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env.update(
        DJANGO_SETTINGS_MODULE="console.settings",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        JOINERY_DEMO_DATABASE_URL=f"sqlite:///{folder / 'demo.sqlite3'}",
        JOINERY_DEMO_URL=f"http://127.0.0.1:{port}",
        STATIC_ROOT=str(folder / "static"),
        DEMO="1",
    )
    return env


def wait_until_ready(url, process, log_path):
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            requests.get(f"{url}/v1/graphql", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    pytest.fail(f"the server did not answer within {READY_TIMEOUT_SECONDS} s:\n{log_path.read_text()}")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    port = unused_port()
    server = DemoServer(f"http://127.0.0.1:{port}", clean_environment(folder, port), "")
    server.manage("migrate", "--noinput", "-v0")
    server.setup_output = server.manage("demo", "setup")
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=server.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(server.url, process, log_path)
        yield server
    finally:
        stop(process)


def test_the_first_setup_creates_the_demo_and_a_console_user(demo):
    assert "created." in demo.setup_output
    assert "Demo metadata registered: source default, table users" in demo.setup_output
    assert "Created the console user 'admin' with password 'admin'" in demo.setup_output
    assert demo.metadata("get_inconsistent_metadata") == {"is_consistent": True, "inconsistent_objects": []}


def test_create_user_returns_the_new_users_row(demo):
    answer = demo.graphql(QUERIES["create-user"])

    created = answer["data"]["createUser"]
    assert created["user"] == {"name": "Hodor", "auth0_id": "hodor|hodor"}
    stored = demo.graphql(
        "query ($id: Int!) { users(where: {id: {_eq: $id}}) { name auth0_id } }", {"id": created["id"]}
    )
    assert stored == {"data": {"users": [{"name": "Hodor", "auth0_id": "hodor|hodor"}]}}


def test_create_user_joins_the_users_row_to_its_auth0_profile(demo):
    answer = demo.graphql(QUERIES["create-user-auth0-profile"])

    user = answer["data"]["createUser"]["user"]
    last_login = user["auth0_profile"].pop("last_login")
    assert user == {
        "name": "Hodor",
        "auth0_id": "hodor|hodor",
        "auth0_profile": {"email": "hodor@hodor.com", "nickname": "Hodor"},
    }
    assert ISO_MILLISECONDS.match(last_login)


def test_update_author_returns_the_author_with_its_articles(demo):
    answer = demo.graphql(QUERIES["update-author"])

    assert answer == {
        "data": {
            "updateAuthor": {
                "author_id": 1,
                "updatedAuthor": {
                    "id": 1,
                    "name": "Ursula Kroeber Le Guin",
                    "articles": [
                        {"id": 1, "title": "The Ones Who Walk Away from Omelas"},
                        {"id": 2, "title": "The Left Hand of Darkness"},
                    ],
                },
            }
        }
    }


def test_update_author_takes_the_seed_variables(demo):
    answer = demo.graphql(QUERIES["update-author"], {"id": 2, "name": "Sir Terry Pratchett"})

    assert answer["data"]["updateAuthor"]["updatedAuthor"] == {
        "id": 2,
        "name": "Sir Terry Pratchett",
        "articles": [{"id": 3, "title": "Guards! Guards!"}],
    }


def test_update_author_of_an_unknown_author_is_the_handler_error(demo):
    answer = demo.graphql(QUERIES["update-author"], {"id": 999, "name": "Nobody"})

    assert answer == {
        "errors": [
            {"message": "there is no author with id 999", "extensions": {"path": "$", "code": "not-found"}}
        ]
    }


def test_insert_author_returns_the_new_author(demo):
    answer = demo.graphql(QUERIES["insert-author"])

    inserted = answer["data"]["insertAuthor"]
    assert inserted["author"] == {"id": inserted["id"], "name": "Octavia E. Butler", "articles": []}


def test_orders_join_their_user_rows(demo):
    answer = demo.graphql(QUERIES["orders-user"])

    assert answer == {
        "data": {
            "orders": [
                {
                    "id": 1,
                    "product": "Keyboard",
                    "quantity": 1,
                    "user_id": 1,
                    "user": {"id": 1, "name": "Alice"},
                },
                {
                    "id": 2,
                    "product": "Monitor",
                    "quantity": 2,
                    "user_id": 2,
                    "user": {"id": 2, "name": "Bob"},
                },
                {
                    "id": 3,
                    "product": "Mouse",
                    "quantity": 3,
                    "user_id": 1,
                    "user": {"id": 1, "name": "Alice"},
                },
            ]
        }
    }


def signed_in_session(demo):
    session = requests.Session()
    login = f"{demo.url}/admin/login/"
    session.get(login, timeout=REQUEST_TIMEOUT_SECONDS)
    form = {"username": "admin", "password": "admin", "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    answer = session.post(
        login, data=form, headers={"Referer": login}, allow_redirects=False, timeout=REQUEST_TIMEOUT_SECONDS
    )
    assert answer.status_code == 302
    assert "sessionid" in session.cookies
    return session


def graphiql_config(html):
    found = re.search(r'<script id="graphiql-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, html
    return json.loads(found.group(1))


def test_graphiql_opens_with_each_seed_query(demo):
    session = signed_in_session(demo)

    for query in SEED_QUERIES:
        page = session.get(demo.url + query.graphiql_url, timeout=REQUEST_TIMEOUT_SECONDS)
        assert page.status_code == 200
        assert graphiql_config(page.text)["query"] == query.text


def test_a_second_setup_changes_nothing(demo):
    demo.graphql(QUERIES["create-user"])
    before = demo.metadata("export_metadata", version=2)
    users = "{ users(order_by: {id: asc}) { id name } }"
    users_before = demo.graphql(users)

    output = demo.manage("demo", "setup")

    assert "kept as it was" in output
    assert "Demo metadata in place: nothing to change." in output
    assert "Created the console user" not in output
    assert demo.metadata("export_metadata", version=2) == before
    assert demo.graphql(users) == users_before
    assert "Hodor" in {user["name"] for user in users_before["data"]["users"]}


def test_with_demo_off_nothing_is_set_up_or_served(tmp_path):
    env = {**clean_environment(tmp_path, unused_port()), "DEMO": "0"}
    offline = DemoServer("", env, "")
    offline.manage("migrate", "--noinput", "-v0")

    output = offline.manage("demo", "setup")
    routes = offline.manage(
        "shell",
        "-c",
        "from django.urls import Resolver404, resolve\n"
        "for path in ('/demo/graphql/orders', '/demo/actions/createUser'):\n"
        "    try:\n"
        "        resolve(path)\n"
        "        print('served', path)\n"
        "    except Resolver404:\n"
        "        print('not served', path)\n",
    )

    assert output.strip() == "DEMO is off: the demo is not set up."
    assert not (tmp_path / "demo.sqlite3").exists()
    assert "not served /demo/graphql/orders\nnot served /demo/actions/createUser\n" in routes
