"""The metadata API payloads of Hasura's documentation pages, sent verbatim, come back from export."""

import pytest

from tests.relationships.conftest import pg_source_args
from tests.support.servers import GraphQLServer

# Seed 000 (actions -> database relationship), the set_custom_types body exactly as the page has it.
SEED_000_SET_CUSTOM_TYPES = {
    "type": "set_custom_types",
    "args": {
        "scalars": [],
        "enums": [],
        "input_objects": [],
        "objects": [
            {
                "name": "UserOutput",
                "fields": [{"name": "id", "type": "Int!"}],
                "relationships": [
                    {
                        "name": "user",
                        "type": "object",
                        "remote_table": "users",
                        "field_mapping": {"id": "id"},
                    }
                ],
            }
        ],
    },
}

# Seed 004 (remote schema -> database relationship), the create body exactly as the page has it.
SEED_004_CREATE_RELATIONSHIP = {
    "type": "create_remote_schema_remote_relationship",
    "args": {
        "name": "user",
        "remote_schema": "order-remote-schema",
        "type_name": "Order",
        "definition": {
            "to_source": {
                "relationship_type": "object",
                "source": "pg1",
                "table": {"name": "user", "schema": "public"},
                "field_mapping": {"user_id": "id"},
            }
        },
    },
}

ORDER_SDL = """
type Order { id: ID! user_id: Int! }
type Query { orders: [Order!]! }
"""


@pytest.fixture
def order_server():
    with GraphQLServer(ORDER_SDL) as server:
        yield server


@pytest.mark.django_db
def test_seed_000_custom_types_then_the_action_using_them(metadata_api, pg_schema):
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    metadata_api.ok("pg_track_table", {"source": "default", "table": "users"})

    status, body = metadata_api.post(SEED_000_SET_CUSTOM_TYPES)
    assert (status, body) == (200, {"message": "success"})
    assert metadata_api.export()["custom_types"] == {
        "objects": [
            {
                "name": "UserOutput",
                "fields": [{"name": "id", "type": "Int!"}],
                "relationships": [
                    {
                        "name": "user",
                        "type": "object",
                        "source": "default",
                        "remote_table": {"name": "users", "schema": "public"},
                        "field_mapping": {"id": "id"},
                    }
                ],
            }
        ]
    }

    metadata_api.ok(
        "create_action",
        {
            "name": "createUser",
            "definition": {
                "kind": "synchronous",
                "arguments": [{"name": "name", "type": "String!"}],
                "output_type": "UserOutput",
                "handler": "http://127.0.0.1:9/create-user",
            },
        },
    )
    assert metadata_api.export()["actions"] == [
        {
            "name": "createUser",
            "definition": {
                "handler": "http://127.0.0.1:9/create-user",
                "output_type": "UserOutput",
                "arguments": [{"name": "name", "type": "String!"}],
                "type": "mutation",
                "kind": "synchronous",
            },
        }
    ]


@pytest.mark.django_db
def test_seed_004_remote_schema_to_database_relationship(metadata_api, pg_schema, order_server):
    metadata_api.ok("pg_add_source", pg_source_args("pg1", pg_schema))
    metadata_api.ok("pg_track_table", {"source": "pg1", "table": {"schema": "public", "name": "user"}})
    metadata_api.ok(
        "add_remote_schema", {"name": "order-remote-schema", "definition": {"url": order_server.endpoint}}
    )

    status, body = metadata_api.post(SEED_004_CREATE_RELATIONSHIP)
    assert (status, body) == (200, {"message": "success"})
    assert metadata_api.export()["remote_schemas"] == [
        {
            "name": "order-remote-schema",
            "definition": {"url": order_server.endpoint},
            "remote_relationships": [
                {
                    "type_name": "Order",
                    "relationships": [
                        {
                            "name": "user",
                            "definition": {
                                "to_source": {
                                    "relationship_type": "object",
                                    "source": "pg1",
                                    "table": {"name": "user", "schema": "public"},
                                    "field_mapping": {"user_id": "id"},
                                }
                            },
                        }
                    ],
                }
            ],
        }
    ]
