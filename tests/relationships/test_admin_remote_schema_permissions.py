"""Remote schema permissions in the Django admin, on the remote schema's own page (the permissions inline).

Every save goes through the metadata funnel: an SDL that does not parse, or is not a subset of the remote
schema, is refused with the reasons on the page and nothing is saved.
"""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.utils.html import escape

from relationships import models
from tests.relationships.test_admin import admin_url, form_post_data, resource_version
from tests.support.servers import GraphQLServer

PEOPLE_SDL = """
type User { id: ID! name: String! email: String }
type Query { user(id: ID!): User users: [User!]! hello: String }
"""
USER_VIEW = 'type User { id: ID! name: String! }\ntype Query { user(id: ID! @preset(value: "x-hasura-user-id")): User }\n'


@pytest.fixture
def people(metadata_api, settings):
    """The people remote schema with a permission for ``user``, added through the metadata API."""
    settings.REMOTE_SCHEMA_PERMISSIONS = True
    with GraphQLServer(PEOPLE_SDL) as server:
        metadata_api.ok("add_remote_schema", {"name": "people", "definition": {"url": server.endpoint}})
        metadata_api.ok(
            "add_remote_schema_permissions",
            {
                "remote_schema": "people",
                "role": "user",
                "definition": {"schema": USER_VIEW},
                "comment": "own",
            },
        )
        yield models.RemoteSchema.objects.get(name="people")


def page_data(admin_client, remote_schema):
    return form_post_data(admin_client.get(admin_url(models.RemoteSchema, "change", remote_schema.pk)))


def with_new_permission(data, role, schema):
    index = int(data["permissions-TOTAL_FORMS"])
    return {
        **data,
        "permissions-TOTAL_FORMS": str(index + 1),
        f"permissions-{index}-role": role,
        f"permissions-{index}-definition": json.dumps({"schema": schema}),
        f"permissions-{index}-comment": "",
    }


@pytest.mark.django_db
def test_the_remote_schema_page_shows_its_permissions(people, admin_client):
    response = admin_client.get(admin_url(models.RemoteSchema, "change", people.pk))

    [inline] = [
        i
        for i in response.context["inline_admin_formsets"]
        if i.formset.model is models.RemoteSchemaPermission
    ]
    [form] = inline.formset.forms
    page = response.content.decode()
    assert (form["role"].value(), json.loads(form["definition"].value())) == ("user", {"schema": USER_VIEW})
    assert 'value="user"' in page
    assert escape(json.dumps({"schema": USER_VIEW})) in page


@pytest.mark.django_db
def test_a_valid_edit_on_the_remote_schema_page_is_saved_through_the_funnel(
    people, admin_client, metadata_api
):
    data = page_data(admin_client, people)
    data["permissions-0-definition"] = json.dumps({"schema": "type Query { hello: String }"})
    data = with_new_permission(data, "guest", "type Query { users: [User!]! } type User { id: ID! }")
    [before] = metadata_api.export()["remote_schemas"]
    version = resource_version()

    response = admin_client.post(admin_url(models.RemoteSchema, "change", people.pk), data)

    assert response.status_code == 302
    [after] = metadata_api.export()["remote_schemas"]
    assert after == {
        **before,
        "permissions": [
            {"role": "user", "definition": {"schema": "type Query { hello: String }"}, "comment": "own"},
            {
                "role": "guest",
                "definition": {"schema": "type Query { users: [User!]! } type User { id: ID! }"},
            },
        ],
    }
    assert resource_version() == version + 1


INVALID = {
    "sdl that does not parse": ("user", "type Query { hello: String", "the schema is not valid GraphQL SDL"),
    "sdl that is not a subset": (
        "user",
        "type Query { goodbye: String }",
        'field "goodbye" does not exist in the object "Query" of the upstream remote schema',
    ),
    "the admin role": ("admin", "type Query { hello: String }", "cannot define permission for admin role"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", INVALID, ids=str)
def test_an_invalid_permission_is_refused_on_the_remote_schema_page_and_nothing_saved(
    people, admin_client, metadata_api, case
):
    role, schema, reason = INVALID[case]
    data = page_data(admin_client, people)
    data["comment"] = "changed in the same form"
    data["permissions-0-role"] = role
    data["permissions-0-definition"] = json.dumps({"schema": schema})
    before = metadata_api.export()
    version, log_entries = resource_version(), LogEntry.objects.count()

    response = admin_client.post(admin_url(models.RemoteSchema, "change", people.pk), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert escape(reason) in page
    assert "errorlist nonfield" in page
    assert "successfully" not in page
    assert metadata_api.export() == before
    assert (resource_version(), LogEntry.objects.count()) == (version, log_entries)


@pytest.mark.django_db
def test_an_invalid_new_permission_is_refused_and_the_valid_one_kept(people, admin_client, metadata_api):
    data = with_new_permission(page_data(admin_client, people), "guest", "type Query { goodbye: String }")
    before = metadata_api.export()

    response = admin_client.post(admin_url(models.RemoteSchema, "change", people.pk), data)

    assert response.status_code == 200
    assert escape('remote schema permission for role "guest"') in response.content.decode()
    assert metadata_api.export() == before
    assert list(people.permissions.values_list("role", flat=True)) == ["user"]
