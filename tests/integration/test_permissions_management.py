"""A select permission created through each way of managing metadata restricts the next query at once.

The metadata API, the metadata directory (``manage.py metadata apply``) and the Django admin each
add the same permission on ``author`` for role ``user``: active authors only, ``id`` and ``name``.
"""

import io
import json

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from relationships import models
from tests.integration.dataset import load_postgres

PERMISSION = {"columns": ["id", "name"], "filter": {"is_active": {"_eq": True}}}
USER = {"x-hasura-role": "user"}
QUERY = "{ author(order_by: {id: asc}) { id name } }"
ACTIVE = {"author": [{"id": 1, "name": "Ann"}, {"id": 4, "name": "Dee"}]}
DATABASES_YAML = """\
- name: default
  kind: postgres
  configuration:
    connection_info:
      database_url:
        from_env: PERMISSIONS_TEST_DATABASE_URL
  tables: "!include default/tables/tables.yaml"
"""


def source(database_url, **author):
    return {
        "name": "default",
        "kind": "postgres",
        "configuration": {"connection_info": {"database_url": database_url}},
        "tables": [{"table": {"schema": "public", "name": "author"}, **author}],
    }


@pytest.fixture
def no_permissions(pg_database_url, metadata_api, settings):
    """The dataset with ``author`` tracked and no permission on it."""
    settings.ADMIN_SECRET = settings.JWT_SECRET = settings.AUTH_HOOK = settings.UNAUTHORIZED_ROLE = None
    load_postgres(pg_database_url)
    metadata_api.ok("replace_metadata", {"version": 3, "sources": [source(pg_database_url)]})
    return pg_database_url


def assert_role_cannot_read_authors(graphql_api):
    (error,) = graphql_api.post(QUERY, headers=USER).body["errors"]
    assert error["message"] == "field 'author' not found in type: 'query_root'"


def assert_permission_restricts(graphql_api):
    assert graphql_api.data(QUERY, headers=USER) == ACTIVE
    (error,) = graphql_api.post("{ author { email } }", headers=USER).body["errors"]
    assert error["message"] == "field 'email' not found in type: 'author'"
    assert len(graphql_api.data(QUERY)["author"]) == 4


@pytest.mark.postgres
def test_through_the_metadata_api(no_permissions, metadata_api, graphql_api):
    assert_role_cannot_read_authors(graphql_api)

    metadata_api.ok(
        "pg_create_select_permission",
        {
            "source": "default",
            "table": {"schema": "public", "name": "author"},
            "role": "user",
            "permission": PERMISSION,
        },
    )

    assert_permission_restricts(graphql_api)


@pytest.mark.postgres
def test_through_the_metadata_directory(no_permissions, graphql_api, tmp_path, monkeypatch):
    assert_role_cannot_read_authors(graphql_api)
    monkeypatch.setenv("PERMISSIONS_TEST_DATABASE_URL", no_permissions)
    tables = tmp_path / "databases" / "default" / "tables"
    tables.mkdir(parents=True)
    (tmp_path / "version.yaml").write_text("version: 3\n")
    (tmp_path / "databases" / "databases.yaml").write_text(DATABASES_YAML)
    (tables / "tables.yaml").write_text('- "!include public_author.yaml"\n')
    author = {
        "table": {"schema": "public", "name": "author"},
        "select_permissions": [{"role": "user", "permission": PERMISSION}],
    }
    (tables / "public_author.yaml").write_text(yaml.safe_dump(author))

    call_command("metadata", "apply", "--dir", str(tmp_path), stdout=io.StringIO())

    assert_permission_restricts(graphql_api)


@pytest.mark.postgres
def test_through_the_django_admin(no_permissions, graphql_api, admin_client):
    assert_role_cannot_read_authors(graphql_api)
    table = models.TrackedTable.objects.get(name="author")

    response = admin_client.post(
        reverse("admin:relationships_tablepermission_add"),
        {
            "table": table.pk,
            "kind": "select",
            "role": "user",
            "permission": json.dumps(PERMISSION),
            "comment": "",
        },
    )

    assert response.status_code == 302, response.content.decode()
    assert_permission_restricts(graphql_api)
