"""Actions in the console: create from SDL, modify, rename, delete, permissions, and errors at their fields."""

import pytest

from tests.console.pages import labels, rows, text
from tests.console.support import HANDLER, action_form, seed_action, seed_source

pytestmark = pytest.mark.django_db

SEED_ACTION = {
    "name": "createUser",
    "definition": {
        "handler": HANDLER,
        "output_type": "UserOutput",
        "arguments": [{"name": "name", "type": "String!"}],
        "type": "mutation",
        "kind": "synchronous",
    },
}


def test_create_turns_the_sdl_into_the_action_and_its_types(console, metadata_api, pg_schema):
    response = seed_action(console, metadata_api, pg_schema)

    assert response["Location"] == "/console/actions/createUser/"
    exported = metadata_api.export()
    assert exported["actions"] == [SEED_ACTION]
    assert exported["custom_types"] == {
        "objects": [
            {
                "name": "UserOutput",
                "fields": [{"name": "id", "type": "Int!"}, {"name": "name", "type": "String"}],
            }
        ]
    }


def test_the_list_and_the_definition_tab_show_the_action(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)

    listed = console.get("/console/actions/")
    page = console.get("/console/actions/createUser/")

    assert "createUser" in text(listed, "actions")
    assert (
        page.context["form"]["definition"].value()
        == "type Mutation {\n  createUser(name: String!): UserOutput\n}"
    )
    assert page.context["form"]["types"].value() == "type UserOutput {\n  id: Int!\n  name: String\n}"
    assert labels(page)["id_handler"] == "Handler"
    assert text(page, "open-in-admin") == "Open in admin"


def test_headers_kind_timeout_and_description_are_saved(console, metadata_api, monkeypatch):
    monkeypatch.setenv("ACTION_SECRET", "s3cret")
    headers = [
        {"name": "X-Secret", "value": "ACTION_SECRET", "value_from": "env"},
        {"name": "X-Plain", "value": "yes", "value_from": "value"},
    ]
    definition = 'type Mutation {\n  "Makes a user"\n  createUser(name: String!): UserOutput\n}'
    data = action_form(definition=definition, headers=headers, kind="asynchronous", timeout="12")
    data["forward_client_headers"] = "on"

    response = console.post("/console/actions/add/", data)

    assert response.status_code == 302
    (action,) = metadata_api.export()["actions"]
    assert action["comment"] == "Makes a user"
    assert action["definition"]["headers"] == [
        {"name": "X-Secret", "value_from_env": "ACTION_SECRET"},
        {"name": "X-Plain", "value": "yes"},
    ]
    assert (action["definition"]["kind"], action["definition"]["timeout"]) == ("asynchronous", 12)
    assert action["definition"]["forward_client_headers"] is True


def test_modify_keeps_the_output_type_relationships(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)
    console.post(
        "/console/actions/createUser/relationships/add/",
        {
            "relationship_type": "object",
            "relationship_name": "user",
            "reference_source": "default",
            "reference_schema": "public",
            "reference_table": "users",
            **rows("mapping", [{"from_field": "id", "to_column": "id"}]),
        },
    )

    types = "type UserOutput {\n  id: Int!\n  name: String\n  email: String\n}"
    response = console.post(
        "/console/actions/createUser/", action_form(types=types, handler="http://127.0.0.1:9/v2")
    )

    assert response.status_code == 302
    exported = metadata_api.export()
    assert exported["actions"][0]["definition"]["handler"] == "http://127.0.0.1:9/v2"
    (user_output,) = exported["custom_types"]["objects"]
    assert [f["name"] for f in user_output["fields"]] == ["id", "name", "email"]
    assert [r["name"] for r in user_output["relationships"]] == ["user"]


def test_renaming_recreates_the_action_with_its_permissions(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)
    console.post("/console/actions/createUser/permissions/", {"role": "user"})

    definition = "type Mutation {\n  addUser(name: String!): UserOutput\n}"
    response = console.post("/console/actions/createUser/", action_form(definition=definition))

    assert response["Location"] == "/console/actions/addUser/"
    (action,) = metadata_api.export()["actions"]
    assert (action["name"], action["permissions"]) == ("addUser", [{"role": "user"}])


def test_a_syntax_error_is_shown_at_the_definition(console, metadata_api):
    response = console.post("/console/actions/add/", action_form(definition="type Mutation { createUser("))

    assert response.status_code == 200
    assert "invalid GraphQL SDL: line 1" in text(response, "id_definition_errors")
    assert "actions" not in metadata_api.export()


def test_an_unknown_argument_type_is_shown_at_the_definition(console, metadata_api):
    definition = "type Mutation {\n  createUser(input: NoSuchInput!): UserOutput\n}"
    response = console.post("/console/actions/add/", action_form(definition=definition))

    assert 'the type: "NoSuchInput" is not defined' in text(response, "id_definition_errors")
    exported = metadata_api.export()
    assert "actions" not in exported
    assert "custom_types" not in exported  # the types were sent in the same request: nothing is kept


def test_an_unknown_field_type_is_shown_at_the_type_configuration(console, metadata_api):
    response = console.post("/console/actions/add/", action_form(types="type UserOutput { id: Missing }"))

    assert 'the type "Missing" for field "id"' in text(response, "id_types_errors")
    assert "custom_types" not in metadata_api.export()


def test_a_bad_timeout_and_a_bad_header_are_shown_where_they_were_entered(console, metadata_api):
    zero = console.post("/console/actions/add/", action_form(timeout="0"))
    unset = [{"name": "X-Secret", "value": "UNSET_VARIABLE_FOR_TEST", "value_from": "env"}]
    header = console.post("/console/actions/add/", action_form(headers=unset))

    assert "expected a positive integer" in text(zero, "id_timeout_errors")
    assert "environment variable 'UNSET_VARIABLE_FOR_TEST' not set" in text(header, "headers-0-errors")
    assert "actions" not in metadata_api.export()


def test_a_name_already_taken_is_refused(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)

    response = console.post("/console/actions/add/", action_form())

    assert 'action with name "createUser" already exists' in text(response, "id_definition_errors")


def test_delete_drops_the_action(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)

    response = console.post("/console/actions/createUser/delete/")

    assert response["Location"] == "/console/actions/"
    assert "actions" not in metadata_api.export()


def test_permissions_tab_adds_and_removes_roles(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)

    added = console.post("/console/actions/createUser/permissions/", {"role": "user"})
    again = console.post("/console/actions/createUser/permissions/", {"role": "user"})
    assert added.status_code == 302
    assert 'permission for role "user" is already defined' in text(again, "id_role_errors")
    assert metadata_api.export()["actions"][0]["permissions"] == [{"role": "user"}]

    console.post("/console/actions/createUser/permissions/user/delete/")
    assert "permissions" not in metadata_api.export()["actions"][0]


def test_a_database_scalar_may_be_used_once_a_source_is_connected(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema, tables=())
    types = "type UserOutput {\n  id: uuid!\n}"

    response = console.post("/console/actions/add/", action_form(types=types))

    assert response.status_code == 302
