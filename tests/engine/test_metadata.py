"""Metadata types: parsing Hasura's shapes, exact error paths, and an idempotent export form."""

import json

import pytest

from engine.errors import MetadataParseError
from engine.metadata import CustomTypes, Metadata, Node, QualifiedTable, RemoteSchema

SEED_000_CUSTOM_TYPES = {
    "scalars": [],
    "enums": [],
    "input_objects": [],
    "objects": [
        {
            "name": "UserOutput",
            "fields": [{"name": "id", "type": "Int!"}],
            "relationships": [
                {"name": "user", "type": "object", "remote_table": "users", "field_mapping": {"id": "id"}}
            ],
        }
    ],
}

RICH_METADATA = {
    "version": 3,
    "sources": [
        {
            "name": "default",
            "kind": "postgres",
            "tables": [
                {
                    "table": {"schema": "public", "name": "users"},
                    "configuration": {"custom_name": "people"},
                    "object_relationships": [
                        {"name": "profile", "using": {"foreign_key_constraint_on": ["profile_id"]}}
                    ],
                    "array_relationships": [
                        {
                            "name": "articles",
                            "using": {
                                "foreign_key_constraint_on": {"table": "article", "column": "author_id"}
                            },
                        },
                        {
                            "name": "notes",
                            "using": {
                                "manual_configuration": {
                                    "remote_table": {"schema": "app", "name": "note"},
                                    "column_mapping": {"id": "user_id"},
                                }
                            },
                            "comment": "hand-written",
                        },
                    ],
                    "remote_relationships": [
                        {
                            "name": "auth0_profile",
                            "definition": {
                                "remote_schema": "auth0",
                                "hasura_fields": ["auth0_id"],
                                "remote_field": {"user": {"arguments": {"id": "$auth0_id"}}},
                            },
                        },
                        {
                            "name": "orders",
                            "definition": {
                                "to_source": {
                                    "relationship_type": "array",
                                    "source": "store",
                                    "table": "orders",
                                    "field_mapping": {"id": "user_id"},
                                }
                            },
                        },
                    ],
                    "select_permissions": [
                        {
                            "role": "user",
                            "permission": {
                                "columns": ["id", "name"],
                                "filter": {"id": {"_eq": "X-Hasura-User-Id"}},
                            },
                        }
                    ],
                }
            ],
            "configuration": {"connection_info": {"database_url": {"from_env": "PG_URL"}}},
        }
    ],
    "remote_schemas": [
        {
            "name": "order-remote-schema",
            "definition": {"url": "https://remote-schema-endpoint.com"},
            "remote_relationships": [
                {
                    "relationships": [
                        {
                            "name": "user",
                            "definition": {
                                "to_source": {
                                    "relationship_type": "object",
                                    "source": "pg1",
                                    "table": {"schema": "public", "name": "user"},
                                    "field_mapping": {"user_id": "id"},
                                }
                            },
                        }
                    ]
                }
            ],
        }
    ],
    "actions": [
        {
            "name": "createUser",
            "definition": {
                "kind": "synchronous",
                "handler": "{{ACTION_BASE_URL}}/create-user",
                "arguments": [{"name": "name", "type": "String!"}],
                "output_type": "UserOutput",
                "headers": [{"name": "X-Secret", "value_from_env": "SECRET"}],
                "timeout": 10,
            },
            "permissions": [{"role": "user"}],
        },
        {
            "name": "me",
            "definition": {"type": "query", "handler": "http://h/me", "output_type": "UserOutput"},
        },
    ],
    "custom_types": SEED_000_CUSTOM_TYPES,
    "cron_triggers": [{"name": "nightly", "webhook": "http://h/cron", "schedule": "0 0 * * *"}],
}


def test_seed_000_custom_types_parse_with_defaults():
    custom_types = CustomTypes.parse(Node(SEED_000_CUSTOM_TYPES, "$.args"))

    relationship = custom_types.object("UserOutput").relationship("user")
    assert relationship.source == "default"
    assert relationship.remote_table == QualifiedTable("public", "users")
    assert dict(relationship.field_mapping) == {"id": "id"}


def test_seed_004_remote_schema_relationship_without_type_name_parses():
    remote_schema = RemoteSchema.parse(Node(RICH_METADATA["remote_schemas"][0]))

    (group,) = remote_schema.remote_relationships
    assert group.type_name is None
    assert group.relationships[0].target.source == "pg1"


def test_export_form_is_idempotent():
    once = Metadata.from_dict(RICH_METADATA).to_dict()
    twice = Metadata.from_dict(once).to_dict()

    assert json.dumps(once) == json.dumps(twice)


def test_export_form_normalises_names_and_keeps_legacy_remote_relationships():
    exported = Metadata.from_dict(RICH_METADATA).to_dict()
    table = exported["sources"][0]["tables"][0]

    assert table["object_relationships"][0]["using"] == {"foreign_key_constraint_on": "profile_id"}
    assert table["array_relationships"][0]["using"]["foreign_key_constraint_on"] == {
        "table": {"name": "article", "schema": "public"},
        "columns": ["author_id"],
    }
    assert table["remote_relationships"][0]["definition"] == {
        "remote_schema": "auth0",
        "hasura_fields": ["auth0_id"],
        "remote_field": {"user": {"arguments": {"id": "$auth0_id"}}},
    }
    assert exported["actions"][0]["definition"] == {
        "handler": "{{ACTION_BASE_URL}}/create-user",
        "output_type": "UserOutput",
        "headers": [{"name": "X-Secret", "value_from_env": "SECRET"}],
        "arguments": [{"name": "name", "type": "String!"}],
        "type": "mutation",
        "kind": "synchronous",
        "timeout": 10,
    }
    assert exported["actions"][1]["definition"] == {
        "handler": "http://h/me",
        "output_type": "UserOutput",
        "type": "query",
    }
    assert exported["cron_triggers"] == RICH_METADATA["cron_triggers"]


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        (
            {"actions": [{"name": "a", "definition": {"output_type": "T"}}]},
            "$.actions[0].definition",
            "handler",
        ),
        (
            {"actions": [{"name": "a", "definition": {"handler": "h", "output_type": "[T"}}]},
            "$.actions[0].definition.output_type",
            "not a valid GraphQL type",
        ),
        (
            {"actions": [{"name": "a", "definition": {"handler": "h", "output_type": "T", "type": "sub"}}]},
            "$.actions[0].definition.type",
            "expected mutation or query",
        ),
        (
            {"actions": [{"name": "bad name", "definition": {}}]},
            "$.actions[0].name",
            "not a valid GraphQL name",
        ),
        (
            {"remote_schemas": [{"name": "r", "definition": {"url": "u", "url_from_env": "U"}}]},
            "$.remote_schemas[0].definition",
            "can't be present",
        ),
        (
            {"custom_types": {"objects": [{"name": "O", "fields": []}]}},
            "$.custom_types.objects[0].fields",
            "non-empty",
        ),
        ({"sources": [{"name": "s", "kind": "mysql"}]}, "$.sources[0].kind", "unsupported source kind"),
        ({"sources": "x"}, "$.sources", "expected Array, but encountered String"),
    ],
)
def test_shape_errors_name_the_exact_path(document, path, message):
    with pytest.raises(MetadataParseError) as caught:
        Metadata.from_dict(document)

    assert caught.value.path == path
    assert message in caught.value.message
    assert caught.value.code == "parse-failed"
