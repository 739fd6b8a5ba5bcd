"""Joinery's relationship shapes beside Hasura's: ``to_action``, ``batch`` and custom types' joins."""

import pytest

from engine.errors import MetadataParseError
from engine.metadata import (
    ListBatch,
    Metadata,
    ToAction,
    ToRemoteSchema,
    TypeRelationship,
)

TO_ACTION = {
    "to_action": {
        "action": "profiles",
        "lhs_fields": ["auth0_id"],
        "arguments": {"ids": "$auth0_id", "verbose": True},
        "batch": {"list_argument": "ids", "key_field": "user_id"},
    }
}
TO_REMOTE_SCHEMA_LIST = {
    "to_remote_schema": {
        "remote_schema": "accounts",
        "lhs_fields": ["user_id"],
        "remote_field": {"users": {"arguments": {"ids": "$user_id"}}},
        "batch": {"list_argument": "ids", "key_field": "id", "relationship_type": "array"},
    }
}
DOCUMENT = {
    "version": 3,
    "sources": [
        {
            "name": "default",
            "kind": "postgres",
            "tables": [
                {
                    "table": {"name": "users", "schema": "public"},
                    "remote_relationships": [
                        {"name": "profile", "definition": TO_ACTION},
                        {"name": "accounts", "definition": TO_REMOTE_SCHEMA_LIST},
                    ],
                }
            ],
            "configuration": {"connection_info": {"database_url": "postgresql://db/app"}},
        }
    ],
    "remote_schemas": [
        {
            "name": "orders",
            "definition": {"url": "http://orders"},
            "remote_relationships": [
                {"type_name": "Order", "relationships": [{"name": "invoice", "definition": TO_ACTION}]}
            ],
        }
    ],
    "actions": [{"name": "createUser", "definition": {"handler": "http://h", "output_type": "UserOutput"}}],
    "custom_types": {
        "objects": [
            {
                "name": "UserOutput",
                "fields": [{"name": "id", "type": "Int!"}, {"name": "ids", "type": "[Int!]!"}],
                "relationships": [
                    {"name": "auth0_profile", "definition": TO_REMOTE_SCHEMA_LIST},
                    {
                        "name": "user",
                        "type": "object",
                        "source": "default",
                        "remote_table": {"name": "users", "schema": "public"},
                        "field_mapping": {"id": "id"},
                    },
                    {"name": "profile", "definition": TO_ACTION},
                ],
            }
        ]
    },
}


def test_to_action_parses_into_its_parts():
    metadata = Metadata.from_dict(DOCUMENT)
    relationship = metadata.sources[0].tables[0].remote_relationships[0]

    assert relationship.target == ToAction(
        action="profiles",
        lhs_fields=("auth0_id",),
        arguments={"ids": "$auth0_id", "verbose": True},
        batch=ListBatch("ids", "user_id", "object"),
    )


def test_batch_on_a_remote_schema_target_parses():
    metadata = Metadata.from_dict(DOCUMENT)
    target = metadata.sources[0].tables[0].remote_relationships[1].target

    assert isinstance(target, ToRemoteSchema)
    assert target.batch == ListBatch("ids", "id", "array")


def test_custom_types_keep_hasura_relationships_apart_from_joinery_ones():
    obj = Metadata.from_dict(DOCUMENT).custom_types.objects[0]

    assert [type(r) for r in obj.relationships] == [TypeRelationship]
    assert [(r.name, type(r.target)) for r in obj.remote_relationships] == [
        ("auth0_profile", ToRemoteSchema),
        ("profile", ToAction),
    ]
    assert obj.relationship("user") is not None
    assert obj.remote_relationship("profile") is not None


def test_export_lists_hasura_relationships_first_and_is_idempotent():
    exported = Metadata.from_dict(DOCUMENT).to_dict()

    names = [r["name"] for r in exported["custom_types"]["objects"][0]["relationships"]]
    assert names == ["user", "auth0_profile", "profile"]
    assert Metadata.from_dict(exported).to_dict() == exported
    rendered = exported["sources"][0]["tables"][0]["remote_relationships"]
    assert (
        rendered[1]["definition"]["to_remote_schema"]["batch"]
        == TO_REMOTE_SCHEMA_LIST["to_remote_schema"]["batch"]
    )
    assert rendered[0]["definition"] == TO_ACTION


def test_default_batch_relationship_type_is_omitted_on_export():
    assert ListBatch("ids", "id").to_dict() == {"list_argument": "ids", "key_field": "id"}


@pytest.mark.parametrize(
    ("relationship", "path", "message"),
    [
        (
            {
                "name": "p",
                "definition": {
                    "to_source": {"relationship_type": "object", "table": "t", "field_mapping": {}}
                },
            },
            "$.custom_types.objects[0].relationships[0].definition",
            "expected exactly one of: to_remote_schema, to_action",
        ),
        (
            {"name": "p", "definition": {"to_action": {"lhs_fields": ["id"]}}},
            "$.custom_types.objects[0].relationships[0].definition.to_action",
            "the key 'action' was not present",
        ),
        (
            {
                "name": "p",
                "definition": {
                    "to_action": {
                        "action": "a",
                        "lhs_fields": ["id"],
                        "batch": {"list_argument": "ids", "key_field": "id", "relationship_type": "many"},
                    }
                },
            },
            "$.custom_types.objects[0].relationships[0].definition.to_action.batch.relationship_type",
            'expected "object" or "array", but found "many"',
        ),
    ],
)
def test_shape_errors_of_the_new_forms_name_their_path(relationship, path, message):
    document = {
        "version": 3,
        "custom_types": {
            "objects": [
                {"name": "O", "fields": [{"name": "id", "type": "Int"}], "relationships": [relationship]}
            ]
        },
    }

    with pytest.raises(MetadataParseError) as raised:
        Metadata.from_dict(document)

    assert (raised.value.path, raised.value.message) == (path, message)
