"""Secrets given through the environment are never shown: not by export, not on a page, not in an error.

The metadata names its secrets: a source's ``database_url`` ``from_env``, a remote schema's
``url_from_env``, a handler URL ``{{TEMPLATE}}`` and header ``value_from_env``. The server's own
secrets are the admin secret and the JWT key. Each value carries a marker that must not appear in:
``export_metadata``, the metadata directory export, any console page, the Django admin, the answers
to failing requests (admin and not), or the GraphQL schema.

By design, a staff user's API tab (GraphiQL) starts with the admin secret in its header editor, on
a page that is never cached; tests/console/test_api_page.py covers it, and nothing else shows it.
"""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from console import urls_console
from relationships.admin import admin
from tests.support.servers import GraphQLServer, Reply

pytestmark = pytest.mark.postgres

ADMIN_SECRET = "admin-secret-0b7e"
JWT_KEY = "jwt-secret-2c9d-a-shared-key-of-at-least-32-characters"
MARKERS = ("db-pass-3f8a", "header-secret-91c2", "url-secret-5d1e", "hook-secret-44ab", ADMIN_SECRET, JWT_KEY)
VARIABLES = ("SEC_DATABASE_URL", "SEC_API_KEY", "SEC_REMOTE_URL", "SEC_HANDLER_BASE")
ADMIN = {"X-Hasura-Admin-Secret": ADMIN_SECRET}
USER = {**ADMIN, "X-Hasura-Role": "user", "X-Hasura-User-Id": "1"}
REMOTE_SDL = "type Query { hello: String }"
HANDLER_PATH = "/hook-secret-44ab/echo"
PAGE_PARAMETERS = {
    "name": "echo",
    "source": "default",
    "schema": "public",
    "table": "author",
    "role": "user",
    "relationship": "missing",
    "type_name": "Query",
}


def assert_no_secret(text, where):
    found = [marker for marker in MARKERS if marker in text]
    assert not found, f"{found} in {where}: {text[:3000]}"


@pytest.fixture
def remote_server():
    with GraphQLServer(REMOTE_SDL, {"Query": {"hello": lambda obj, info: "hi"}}) as server:
        yield server


@pytest.fixture
def secret_world(metadata_api, pg_schema, webhook_server, remote_server, monkeypatch, settings):
    """Metadata that reads every kind of secret from the environment; the server then needs the admin secret."""
    monkeypatch.setenv("SEC_DATABASE_URL", pg_schema.replace("postgres@", "postgres:db-pass-3f8a@"))
    monkeypatch.setenv("SEC_API_KEY", "header-secret-91c2")
    monkeypatch.setenv("SEC_REMOTE_URL", f"{remote_server.endpoint}?token=url-secret-5d1e")
    monkeypatch.setenv("SEC_HANDLER_BASE", webhook_server.url("/hook-secret-44ab"))
    webhook_server.route(HANDLER_PATH, Reply(status=500, body=b"Internal Server Error"))
    api_key = [{"name": "X-Api-Key", "value_from_env": "SEC_API_KEY"}]
    metadata_api.ok(
        "pg_add_source",
        {
            "name": "default",
            "configuration": {"connection_info": {"database_url": {"from_env": "SEC_DATABASE_URL"}}},
        },
    )
    metadata_api.ok("pg_track_table", {"table": "author"})
    metadata_api.ok(
        "pg_create_select_permission",
        {"table": "author", "role": "user", "permission": {"columns": ["id", "name"], "filter": {}}},
    )
    metadata_api.ok(
        "add_remote_schema",
        {"name": "people", "definition": {"url_from_env": "SEC_REMOTE_URL", "headers": api_key}},
    )
    metadata_api.ok(
        "set_custom_types", {"objects": [{"name": "Echo", "fields": [{"name": "text", "type": "String"}]}]}
    )
    metadata_api.ok(
        "create_action",
        {
            "name": "echo",
            "definition": {
                "kind": "synchronous",
                "type": "query",
                "handler": "{{SEC_HANDLER_BASE}}/echo",
                "headers": api_key,
                "arguments": [{"name": "text", "type": "String"}],
                "output_type": "Echo",
            },
        },
    )
    metadata_api.ok("create_action_permission", {"action": "echo", "role": "user"})
    settings.ADMIN_SECRET = ADMIN_SECRET
    settings.JWT_SECRET = json.dumps({"type": "HS256", "key": JWT_KEY})
    return metadata_api


def test_the_world_really_reads_its_secrets(secret_world, graphql_api, webhook_server, remote_server):
    assert graphql_api.data("{ hello author { id } }", headers=ADMIN) == {"hello": "hi", "author": []}
    graphql_api.post('{ echo(text: "x") { text } }', headers=ADMIN)

    (call,) = webhook_server.calls(HANDLER_PATH)
    assert call.header("X-Api-Key") == "header-secret-91c2"
    assert remote_server.calls()[-1].header("X-Api-Key") == "header-secret-91c2"


def test_export_keeps_the_names_never_the_values(secret_world):
    for version in (1, 2):
        status, body = secret_world.post(
            {"type": "export_metadata", "version": version, "args": {}}, headers=ADMIN
        )
        assert status == 200
        text = json.dumps(body)
        assert_no_secret(text, f"export_metadata version {version}")
        assert all(variable in text for variable in VARIABLES), text


def test_the_metadata_directory_keeps_the_names_never_the_values(secret_world, tmp_path):
    call_command("metadata", "export", "--dir", str(tmp_path))

    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    text = "".join(path.read_text() for path in files)
    for path in files:
        assert_no_secret(path.read_text(), path.name)
    assert all(variable in text for variable in VARIABLES), text


def console_urls():
    """Every console URL, filled in with the names the secret world has."""
    for pattern in urls_console.urlpatterns:
        if pattern.name == "logout":
            continue
        values = {**PAGE_PARAMETERS, "name": "people"} if "remote-schema" in pattern.name else PAGE_PARAMETERS
        yield "/console/" + re.sub(
            r"<str:(\w+)>", lambda m, values=values: values[m.group(1)], str(pattern.pattern)
        )


def test_no_console_page_shows_a_secret(secret_world, django_user_model):
    staff = django_user_model.objects.create_user(username="staff", password="pw", is_staff=True)
    browser = Client()
    browser.force_login(staff)

    pages = ["/", "/console/api", *console_urls()]
    for path in pages:
        response = browser.get(path)
        assert response.status_code < 500, path
        text = response.content.decode()
        if path == "/console/api":
            text = text.replace(ADMIN_SECRET, "")  # the staff user's header editor (module docstring)
        assert_no_secret(text, path)
    assert len(pages) > 30


def test_no_django_admin_page_shows_a_secret(secret_world, admin_client):
    pages = ["/admin/"]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        pages += [reverse("admin:{}_{}_change".format(*info), args=[row.pk]) for row in model.objects.all()]
    for path in pages:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert_no_secret(response.content.decode(), path)
    assert any("/source/" in path and path.endswith("/change/") for path in pages), pages


@pytest.mark.parametrize("headers", [ADMIN, USER], ids=["admin", "user"])
def test_failing_calls_do_not_show_secrets(secret_world, graphql_api, remote_server, headers):
    failed_handler = graphql_api.post('{ echo(text: "x") { text } }', headers=headers)
    remote_server.down()
    failed_remote = graphql_api.post("{ hello }", headers=headers)

    for answer in (failed_handler, failed_remote):
        assert "errors" in answer.body, answer.body
        assert_no_secret(json.dumps(answer.body), "an error answer")


def test_metadata_errors_do_not_show_secrets(secret_world, remote_server, monkeypatch, pg_schema):
    remote_server.down()
    reload_remote = secret_world.post(
        {"type": "reload_remote_schema", "args": {"name": "people"}}, headers=ADMIN
    )
    monkeypatch.setenv("SEC_DATABASE_URL", "postgresql://postgres:db-pass-3f8a@127.0.0.1:1/nothing")
    reload_all = secret_world.post(
        {"type": "reload_metadata", "args": {"reload_sources": True}}, headers=ADMIN
    )
    inconsistent = secret_world.post({"type": "get_inconsistent_metadata", "args": {}}, headers=ADMIN)

    for status, body in (reload_remote, reload_all, inconsistent):
        assert status < 500, body
        assert_no_secret(json.dumps(body), "a metadata answer")
    assert inconsistent[1]["is_consistent"] is False


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Hasura-Admin-Secret": ADMIN_SECRET + "x"},
        {"Authorization": "Bearer not.a.token"},
        {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"},
    ],
)
def test_refusals_do_not_echo_the_server_secrets(secret_world, graphql_api, headers):
    answer = graphql_api.post("{ __typename }", headers=headers)
    status, body = secret_world.post({"type": "export_metadata", "args": {}}, headers=headers)

    assert "errors" in answer.body
    assert status in (400, 401)
    assert_no_secret(json.dumps(answer.body) + json.dumps(body), "a refusal")


def test_the_schema_does_not_show_secrets(secret_world, graphql_api):
    query = (
        "{ __schema { types { name description fields { name description args { name defaultValue } } } } }"
    )
    for headers in (ADMIN, USER):
        assert_no_secret(json.dumps(graphql_api.post(query, headers=headers).body), "introspection")
