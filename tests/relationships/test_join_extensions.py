"""Joinery's relationship shapes through the metadata API, the store and the metadata directory."""

import pytest

from relationships.metadata_dir import read_metadata_dir, write_metadata_dir
from tests.relationships.conftest import pg_source_args

ACCOUNTS_SDL = """
type Account { id: ID!  email: String }
type Query { account(id: ID!): Account  accounts(ids: [ID!]!): [Account!]! }
"""
CUSTOM_TYPES = {
    "objects": [
        {
            "name": "UserOutput",
            "fields": [{"name": "id", "type": "Int!"}, {"name": "auth0_id", "type": "String"}],
            "relationships": [
                {"name": "user", "type": "object", "remote_table": "users", "field_mapping": {"id": "id"}},
                {
                    "name": "account",
                    "definition": {
                        "to_remote_schema": {
                            "remote_schema": "accounts",
                            "lhs_fields": ["auth0_id"],
                            "remote_field": {"accounts": {"arguments": {"ids": "$auth0_id"}}},
                            "batch": {"list_argument": "ids", "key_field": "id"},
                        }
                    },
                },
                {
                    "name": "again",
                    "definition": {
                        "to_action": {"action": "getUser", "lhs_fields": ["id"], "arguments": {"id": "$id"}}
                    },
                },
            ],
        }
    ]
}
GET_USER = {
    "name": "getUser",
    "definition": {
        "type": "query",
        "handler": "http://127.0.0.1:1/user",
        "output_type": "UserOutput",
        "arguments": [{"name": "id", "type": "Int!"}],
    },
}


@pytest.fixture
def accounts(metadata_api, pg_schema, make_graphql_server):
    server = make_graphql_server(ACCOUNTS_SDL)
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    metadata_api.ok("pg_track_table", {"table": "users"})
    metadata_api.ok("add_remote_schema", {"name": "accounts", "definition": {"url": server.endpoint}})
    return server


def with_actions_first(metadata_api):
    """The output type, then the action, then the relationships that join to the action."""
    metadata_api.ok("set_custom_types", {"objects": [CUSTOM_TYPES["objects"][0] | {"relationships": []}]})
    metadata_api.ok("create_action", GET_USER)
    metadata_api.ok("set_custom_types", CUSTOM_TYPES)


@pytest.mark.postgres
def test_custom_type_joins_are_stored_and_exported_as_applied(metadata_api, accounts):
    with_actions_first(metadata_api)

    exported = metadata_api.export()

    relationships = exported["custom_types"]["objects"][0]["relationships"]
    assert relationships[0] == {
        "name": "user",
        "type": "object",
        "source": "default",
        "remote_table": {"name": "users", "schema": "public"},
        "field_mapping": {"id": "id"},
    }
    assert relationships[1:] == CUSTOM_TYPES["objects"][0]["relationships"][1:]
    assert metadata_api.ok("get_inconsistent_metadata")["inconsistent_objects"] == []


@pytest.mark.postgres
def test_a_broken_custom_type_join_refuses_set_custom_types_at_its_path(metadata_api, accounts):
    broken = {
        "objects": [
            {
                **CUSTOM_TYPES["objects"][0],
                "relationships": [
                    {
                        "name": "account",
                        "definition": {
                            "to_remote_schema": {
                                "remote_schema": "accounts",
                                "lhs_fields": ["auth0_id"],
                                "remote_field": {"nope": {"arguments": {}}},
                            }
                        },
                    }
                ],
            }
        ]
    }

    status, body = metadata_api.fails("set_custom_types", broken)

    assert status == 400
    assert body["code"] == "remote-schema-error"
    assert body["path"] == "$.args.objects[0].relationships[0].definition.to_remote_schema.remote_field.nope"
    assert body["error"] == (
        'Inconsistent object: in custom type "UserOutput": in relationship "account": '
        'remote field with name "nope" and type "Query" not found'
    )


@pytest.mark.postgres
def test_table_and_remote_type_joins_to_actions_through_their_commands(metadata_api, accounts):
    metadata_api.ok("set_custom_types", {"objects": [CUSTOM_TYPES["objects"][0] | {"relationships": []}]})
    metadata_api.ok("create_action", GET_USER)
    to_action = {"to_action": {"action": "getUser", "lhs_fields": ["id"], "arguments": {"id": "$id"}}}

    metadata_api.ok(
        "pg_create_remote_relationship", {"table": "users", "name": "me", "definition": to_action}
    )
    metadata_api.ok(
        "create_remote_schema_remote_relationship",
        {
            "remote_schema": "accounts",
            "type_name": "Account",
            "name": "owner",
            "definition": {
                "to_action": {"action": "getUser", "lhs_fields": ["id"], "arguments": {"id": "$id"}}
            },
        },
    )

    exported = metadata_api.export()
    assert exported["sources"][0]["tables"][0]["remote_relationships"] == [
        {"name": "me", "definition": to_action}
    ]
    assert exported["remote_schemas"][0]["remote_relationships"] == [
        {"type_name": "Account", "relationships": [{"name": "owner", "definition": to_action}]}
    ]
    status, body = metadata_api.fails("drop_action", {"name": "getUser"})
    assert (status, body["code"]) == (400, "dependency-error")
    assert "remote relationship me in table users" in body["error"]


@pytest.mark.postgres
def test_the_new_shapes_survive_the_metadata_directory(metadata_api, accounts, tmp_path):
    with_actions_first(metadata_api)
    exported = metadata_api.export()

    write_metadata_dir(exported, tmp_path)

    assert read_metadata_dir(tmp_path) == exported
    assert "to_remote_schema:" in (tmp_path / "actions.yaml").read_text()
