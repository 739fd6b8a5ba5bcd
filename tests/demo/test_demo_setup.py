"""The demo set-up in process: the database, the metadata next to other metadata, the first user, the links."""

import json
import re
import sqlite3
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.template.loader import render_to_string
from django.test import override_settings

from console.demo import metadata as demo_metadata
from console.demo.database import FIRST_ROWS, ensure_demo_database
from console.demo.queries import SEED_QUERIES
from console.demo.setup import demo_setup, ensure_first_user
from relationships import store

DEMO_OBJECT_NAMES = [item.name for item in demo_metadata.DEMO_OBJECTS]


@pytest.fixture
def demo_database(tmp_path, monkeypatch):
    path = tmp_path / "demo.sqlite3"
    monkeypatch.setenv("JOINERY_DEMO_DATABASE_URL", f"sqlite:///{path}")
    return path


def post_json(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_the_demo_database_is_created_and_filled_once(demo_database):
    assert ensure_demo_database() is True
    with sqlite3.connect(demo_database) as connection:
        connection.execute("INSERT INTO author (name) VALUES ('Added later')")

    assert ensure_demo_database() is False

    with sqlite3.connect(demo_database) as connection:
        authors = connection.execute("SELECT id, name FROM author ORDER BY id").fetchall()
        orders = connection.execute("SELECT count(*) FROM order_service_order").fetchone()[0]
    assert authors == [*FIRST_ROWS["author"][1], (3, "Added later")]
    assert orders == len(FIRST_ROWS["order_service_order"][1])


def test_setup_registers_every_demo_object_consistently_then_nothing(demo_database, metadata_api):
    first = demo_setup()

    assert first.database_created is True
    assert first.registered == DEMO_OBJECT_NAMES
    assert metadata_api.ok("get_inconsistent_metadata") == {"is_consistent": True, "inconsistent_objects": []}
    version = store.load_state().resource_version
    exported = metadata_api.export()

    second = demo_setup()

    assert (second.database_created, second.registered) == (False, [])
    assert store.load_state().resource_version == version
    assert metadata_api.export() == exported


def test_the_stored_metadata_keeps_the_url_templates(demo_database, metadata_api):
    demo_setup()
    exported = metadata_api.export()

    assert exported["sources"][0]["configuration"] == {
        "connection_info": {"database_url": {"from_env": "JOINERY_DEMO_DATABASE_URL"}}
    }
    assert {r["name"]: r["definition"]["url"] for r in exported["remote_schemas"]} == {
        "order-remote-schema": "{{JOINERY_DEMO_URL}}/demo/graphql/orders",
        "auth0": "{{JOINERY_DEMO_URL}}/demo/graphql/auth0",
    }
    assert {a["name"]: a["definition"]["handler"] for a in exported["actions"]} == {
        "createUser": "{{JOINERY_DEMO_URL}}/demo/actions/createUser",
        "updateAuthor": "{{JOINERY_DEMO_URL}}/demo/actions/updateAuthor",
        "insertAuthor": "{{JOINERY_DEMO_URL}}/demo/actions/insertAuthor",
    }


def test_setup_leaves_other_metadata_alone(demo_database, metadata_api):
    other_type = {"name": "OtherOutput", "fields": [{"name": "ok", "type": "Boolean!"}]}
    metadata_api.ok("set_custom_types", {"objects": [other_type]})
    metadata_api.ok(
        "create_action",
        {
            "name": "other",
            "definition": {
                "handler": "http://127.0.0.1:9/other",
                "output_type": "OtherOutput",
                "arguments": [],
            },
        },
    )

    demo_setup()

    exported = metadata_api.export()
    assert [o["name"] for o in exported["custom_types"]["objects"]] == [
        "OtherOutput",
        "UserOutput",
        "UpdateAuthorOutput",
        "InsertAuthorOutput",
    ]
    assert {a["name"] for a in exported["actions"]} == {"other", "createUser", "updateAuthor", "insertAuthor"}


def test_a_removed_demo_object_comes_back_alone(demo_database, metadata_api):
    demo_setup()
    metadata_api.ok("drop_action", {"name": "insertAuthor"})
    metadata_api.ok(
        "sqlite_drop_relationship", {"source": "default", "table": "author", "relationship": "articles"}
    )

    again = demo_setup()

    assert again.registered == ["relationship author.articles", "action insertAuthor"]
    assert metadata_api.ok("get_inconsistent_metadata")["is_consistent"] is True


def test_a_default_source_of_another_database_skips_the_demo_metadata(demo_database, metadata_api, tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    metadata_api.ok(
        "sqlite_add_source",
        {"name": "default", "configuration": {"connection_info": {"database_url": f"sqlite:///{other}"}}},
    )
    before = metadata_api.export()

    outcome = demo_setup()

    assert outcome.skipped_because == 'a source named "default" already exists and is not the demo database'
    assert outcome.registered == []
    assert metadata_api.export() == before


@pytest.mark.django_db
def test_the_first_user_is_created_only_in_open_mode_without_users():
    with override_settings(ADMIN_SECRET="secret"):
        assert ensure_first_user() is None
    assert not get_user_model().objects.exists()

    assert ensure_first_user() == ("admin", "admin")
    assert authenticate(username="admin", password="admin").is_superuser
    assert ensure_first_user() is None
    assert get_user_model().objects.count() == 1


def test_the_include_links_each_seed_query_to_graphiql():
    html = render_to_string("console/demo_queries.html")

    links = {
        slug: unescape(href) for href, slug in re.findall(r'<a href="([^"]+)" id="demo-query-([^"]+)"', html)
    }
    assert list(links) == [query.slug for query in SEED_QUERIES]
    for query in SEED_QUERIES:
        parts = urlsplit(links[query.slug])
        assert (parts.path, parse_qs(parts.query)) == ("/console/api", {"query": [query.text]})
        assert query.title in html


def test_the_include_is_empty_without_the_demo():
    with override_settings(DEMO=False):
        assert render_to_string("console/demo_queries.html").strip() == ""


@pytest.mark.django_db
def test_create_user_handler_refuses_a_name_without_letters(demo_database, client):
    ensure_demo_database()

    answer = post_json(client, "/demo/actions/createUser", {"input": {"name": "!!!"}})

    assert answer.status_code == 400
    assert answer.json() == {"message": "a name needs at least one letter or digit", "code": "invalid-input"}
    with sqlite3.connect(demo_database) as connection:
        assert connection.execute("SELECT count(*) FROM users").fetchone()[0] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message", "code"),
    [
        (b"not json", "the request body must be JSON", "invalid-json"),
        (b"[]", 'the request body must carry an "input" object', "invalid-input"),
        (b'{"input": {"id": "1", "name": "x"}}', 'argument "id" must be an integer', "invalid-input"),
        (b'{"input": {"id": true, "name": "x"}}', 'argument "id" must be an integer', "invalid-input"),
    ],
)
def test_handlers_answer_malformed_calls_with_400(demo_database, client, body, message, code):
    ensure_demo_database()

    answer = client.post("/demo/actions/updateAuthor", data=body, content_type="application/json")

    assert (answer.status_code, answer.json()) == (400, {"message": message, "code": code})


@pytest.mark.django_db
def test_create_user_signs_up_again_with_a_fresh_last_login(demo_database, client):
    ensure_demo_database()

    first = post_json(client, "/demo/actions/createUser", {"input": {"name": "Arya"}})

    assert first.json() == {"id": 2}
    with sqlite3.connect(demo_database) as connection:
        profiles = connection.execute(
            "SELECT user_id, email, nickname, last_login FROM auth0_service_profile"
        )
        ((user_id, email, nickname, last_login),) = profiles.fetchall()
    assert (user_id, email, nickname) == ("arya|arya", "arya@arya.com", "Arya")
    assert last_login > FIRST_ROWS["auth0_service_profile"][1][0][3]


@pytest.mark.django_db
def test_the_remote_services_answer_graphql(demo_database, client):
    ensure_demo_database()

    orders = post_json(
        client,
        "/demo/graphql/orders",
        {"query": "query ($id: Int!) { order(id: $id) { product } }", "variables": {"id": 2}},
    )
    profile = post_json(
        client, "/demo/graphql/auth0", {"query": '{ p: auth0_profile(user_id: "arya|arya") { email } }'}
    )
    missing = post_json(
        client, "/demo/graphql/auth0", {"query": '{ auth0_profile(user_id: "x|x") { email } }'}
    )

    assert orders.json() == {"data": {"order": {"product": "Monitor"}}}
    assert profile.json() == {"data": {"p": {"email": "arya@arya.com"}}}
    assert missing.json() == {"data": {"auth0_profile": None}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"variables": {}}, 'the request body must be an object with a "query" string'),
        ({"query": "{ orders { id } }", "variables": []}, '"variables" must be an object'),
        ({"query": "{ orders { id } }", "operationName": 1}, '"operationName" must be a string'),
    ],
)
def test_the_remote_services_refuse_malformed_requests(demo_database, client, body, message):
    ensure_demo_database()

    answer = post_json(client, "/demo/graphql/orders", body)

    assert (answer.status_code, answer.json()) == (400, {"errors": [{"message": message}]})
