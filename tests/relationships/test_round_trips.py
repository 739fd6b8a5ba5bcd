"""export_metadata -> replace_metadata -> export_metadata gives back exactly the same document."""

import json

import pytest

from relationships import store

ORDERS_SDL = """
type Order { id: ID! user_id: Int! }
type Profile { email: String nickname: String last_login: String }
type Query { orders: [Order!]! profile(id: String!): Profile }
"""


def rich_metadata(database_url, remote_url):
    return {
        "version": 3,
        "sources": [
            {
                "name": "default",
                "kind": "postgres",
                "tables": [
                    {
                        "table": {"schema": "public", "name": "author"},
                        "array_relationships": [
                            {
                                "name": "articles",
                                "using": {
                                    "foreign_key_constraint_on": {
                                        "table": "article",
                                        "columns": ["author_id"],
                                    }
                                },
                            }
                        ],
                        "select_permissions": [
                            {
                                "role": "user",
                                "permission": {"columns": ["id", "name"], "filter": {}, "limit": 10},
                            }
                        ],
                    },
                    {
                        "table": {"schema": "public", "name": "article"},
                        "object_relationships": [
                            {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}
                        ],
                    },
                    {
                        "table": {"schema": "public", "name": "users"},
                        "remote_relationships": [
                            {
                                "name": "auth0_profile",
                                "definition": {
                                    "to_remote_schema": {
                                        "remote_schema": "orders",
                                        "lhs_fields": ["auth0_id"],
                                        "remote_field": {"profile": {"arguments": {"id": "$auth0_id"}}},
                                    }
                                },
                            }
                        ],
                    },
                    {"table": {"schema": "public", "name": "user"}},
                ],
                "configuration": {"connection_info": {"database_url": database_url}},
            }
        ],
        "remote_schemas": [
            {
                "name": "orders",
                "definition": {"url": remote_url, "timeout_seconds": 5},
                "remote_relationships": [
                    {
                        "type_name": "Order",
                        "relationships": [
                            {
                                "name": "user",
                                "definition": {
                                    "to_source": {
                                        "relationship_type": "object",
                                        "source": "default",
                                        "table": {"schema": "public", "name": "user"},
                                        "field_mapping": {"user_id": "id"},
                                    }
                                },
                            }
                        ],
                    }
                ],
            }
        ],
        "actions": [
            {
                "name": "createUser",
                "definition": {
                    "handler": "http://127.0.0.1:9/create-user",
                    "output_type": "UserOutput",
                    "arguments": [{"name": "name", "type": "String!"}],
                    "type": "mutation",
                    "kind": "synchronous",
                },
                "permissions": [{"role": "user"}],
            }
        ],
        "custom_types": {
            "objects": [
                {
                    "name": "UserOutput",
                    "fields": [{"name": "id", "type": "Int!"}],
                    "relationships": [
                        {
                            "name": "user",
                            "type": "object",
                            "source": "default",
                            "remote_table": {"schema": "public", "name": "users"},
                            "field_mapping": {"id": "id"},
                        }
                    ],
                }
            ]
        },
        "cron_triggers": [{"name": "nightly", "webhook": "http://127.0.0.1:9/cron", "schedule": "0 0 * * *"}],
    }


@pytest.fixture
def rich(pg_schema, make_graphql_server):
    server = make_graphql_server(ORDERS_SDL)
    return rich_metadata(pg_schema, server.endpoint)


@pytest.mark.django_db
def test_export_replace_export_is_identical(metadata_api, rich):
    metadata_api.ok("replace_metadata", rich)
    first = metadata_api.export()

    assert metadata_api.ok("replace_metadata", first) == {"message": "success"}
    second = metadata_api.export()

    assert json.dumps(second) == json.dumps(first)
    assert metadata_api.ok("get_inconsistent_metadata") == {"is_consistent": True, "inconsistent_objects": []}


@pytest.mark.django_db
def test_replace_metadata_v2_reports_consistency_and_refuses_inconsistency(metadata_api, rich):
    response = metadata_api.ok(
        "replace_metadata", {"allow_inconsistent_metadata": False, "metadata": rich}, version=2
    )
    assert response == {"is_consistent": True, "inconsistent_objects": []}
    exported = metadata_api.export()
    version = store.load_state().resource_version

    broken = json.loads(json.dumps(rich))
    broken["custom_types"]["objects"][0]["relationships"][0]["field_mapping"] = {"id": "missing_column"}
    status, error = metadata_api.fails("replace_metadata", {"metadata": broken}, version=2)

    assert (status, error["code"], error["path"]) == (400, "unexpected", "$.args")
    assert error["error"] == "cannot continue due to inconsistent metadata"
    assert [item["type"] for item in error["internal"]] == ["custom_types", "action"]
    assert metadata_api.export() == exported
    assert store.load_state().resource_version == version


@pytest.mark.django_db
def test_replace_metadata_with_allow_inconsistent_keeps_and_reports(metadata_api, rich):
    broken = json.loads(json.dumps(rich))
    broken["custom_types"]["objects"][0]["relationships"][0]["field_mapping"] = {"id": "missing_column"}

    response = metadata_api.ok("replace_metadata", {"allow_inconsistent_metadata": True, "metadata": broken})

    assert response["is_consistent"] is False
    assert [item["type"] for item in response["inconsistent_objects"]] == ["custom_types", "action"]
    assert metadata_api.export()["custom_types"] == broken["custom_types"]
    assert (
        metadata_api.ok("get_inconsistent_metadata")["inconsistent_objects"]
        == response["inconsistent_objects"]
    )


@pytest.mark.django_db
def test_export_version_2_carries_the_resource_version(metadata_api, rich):
    metadata_api.ok("replace_metadata", rich)

    body = metadata_api.ok("export_metadata", {}, version=2)

    assert body["resource_version"] == store.load_state().resource_version
    assert body["metadata"] == metadata_api.export()


@pytest.mark.django_db
def test_clear_metadata_empties_the_store(metadata_api, rich):
    metadata_api.ok("replace_metadata", rich)

    metadata_api.ok("clear_metadata")

    assert metadata_api.export() == {"version": 3}


@pytest.mark.django_db
def test_stale_resource_version_is_refused(metadata_api, rich):
    current = store.load_state().resource_version

    status, error = metadata_api.fails("replace_metadata", rich, resource_version=current + 5)

    assert status == 409
    assert error == {
        "error": f"metadata resource version referenced ({current + 5}) did not match current version",
        "path": "$",
        "code": "conflict",
    }
