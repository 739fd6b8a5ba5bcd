"""The whole pass: every problem collected at once, in a deterministic order, with stable ids."""

from engine.metadata import QualifiedTable
from engine.validation import (
    action_id,
    action_permission_id,
    custom_types_id,
    permission_id,
    relationship_id,
    remote_relationship_id,
    remote_schema_id,
    remote_schema_relationship_id,
    source_id,
    table_id,
    validate_metadata,
)
from tests.engine.validation.builders import (
    AUTH0_SDL,
    ORDERS_SDL,
    blog_catalog,
    environment,
    metadata,
    schema,
    source,
)

BROKEN = {
    "sources": [
        source(
            "default",
            {"table": "missing"},
            {
                "table": "articles",
                "object_relationships": [{"name": "author", "using": {"foreign_key_constraint_on": "title"}}],
                "remote_relationships": [
                    {
                        "name": "profile",
                        "definition": {
                            "to_remote_schema": {
                                "remote_schema": "auth0",
                                "lhs_fields": ["id"],
                                "remote_field": {"auth0_profile": {"arguments": {"uid": "$id"}}},
                            }
                        },
                    }
                ],
                "select_permissions": [{"role": "user", "permission": {"columns": ["body"], "filter": {}}}],
            },
        ),
        source("store"),
    ],
    "remote_schemas": [
        {"name": "auth0", "definition": {"url": "http://auth0"}},
        {
            "name": "orders",
            "definition": {"url": "http://orders"},
            "remote_relationships": [
                {
                    "type_name": "Order",
                    "relationships": [
                        {
                            "name": "buyer",
                            "definition": {
                                "to_source": {
                                    "relationship_type": "object",
                                    "source": "default",
                                    "table": "users",
                                    "field_mapping": {"user_id": "id"},
                                }
                            },
                        }
                    ],
                }
            ],
        },
    ],
    "actions": [
        {
            "name": "createUser",
            "definition": {"handler": "{{BASE}}/create", "output_type": "UserOutput"},
            "permissions": [{"role": "admin"}],
        }
    ],
    "custom_types": {"objects": [{"name": "Out", "fields": [{"name": "id", "type": "Int"}]}]},
}


def run():
    env = environment(
        blog_catalog(),
        source_errors={"store": "could not connect"},
        remote_schemas={"auth0": schema(AUTH0_SDL), "orders": schema(ORDERS_SDL)},
    )
    return validate_metadata(metadata(**BROKEN), env)


def test_every_problem_is_collected_in_one_pass_in_dependency_order():
    assert [(i.object_id, i.type, i.path) for i in run()] == [
        (source_id("store"), "source", "$.configuration"),
        (table_id("default", QualifiedTable("public", "missing")), "table", "$.table"),
        (
            relationship_id("default", QualifiedTable("public", "articles"), "author"),
            "object_relation",
            "$.using.foreign_key_constraint_on",
        ),
        (
            remote_relationship_id("default", QualifiedTable("public", "articles"), "profile"),
            "remote_relationship",
            "$.definition.to_remote_schema.remote_field.auth0_profile.arguments.uid",
        ),
        (
            permission_id("default", QualifiedTable("public", "articles"), "select", "user"),
            "select_permission",
            "$.permission.columns[0]",
        ),
        (
            remote_schema_relationship_id("orders", "Order", "buyer"),
            "remote_schema_remote_relationship",
            "$.definition.to_source.table",
        ),
        (action_id("createUser"), "action", "$.definition.output_type"),
        (action_id("createUser"), "action", "$.definition.handler"),
    ]


def test_the_same_metadata_gives_the_same_answer():
    assert run() == run()


def test_records_render_as_hasura_inconsistent_objects():
    records = [inconsistency.to_dict() for inconsistency in run()]

    assert records[0] == {
        "definition": {
            "name": "store",
            "kind": "postgres",
            "configuration": {"connection_info": {"database_url": "postgresql://db/store"}},
        },
        "name": "source store",
        "reason": "Inconsistent object: could not connect",
        "type": "source",
    }
    assert [sorted(record) for record in records] == [["definition", "name", "reason", "type"]] * len(records)


def test_object_ids_are_stable_tuples():
    table = QualifiedTable("app", "notes")

    assert source_id("default") == ("source", "default")
    assert table_id("default", table) == ("table", "default", "app", "notes")
    assert relationship_id("default", table, "owner") == ("relationship", "default", "app", "notes", "owner")
    assert remote_relationship_id("s", table, "r") == ("remote_relationship", "s", "app", "notes", "r")
    assert permission_id("s", table, "select", "user") == (
        "permission",
        "s",
        "app",
        "notes",
        "select",
        "user",
    )
    assert action_id("createUser") == ("action", "createUser")
    assert action_permission_id("createUser", "user") == ("action_permission", "createUser", "user")
    assert custom_types_id() == ("custom_types",)
    assert remote_schema_id("auth0") == ("remote_schema", "auth0")
    assert remote_schema_relationship_id("orders", "Order", "buyer") == (
        "remote_schema_relationship",
        "orders",
        "Order",
        "buyer",
    )
    assert remote_schema_relationship_id("orders", None, "buyer") == (
        "remote_schema_relationship",
        "orders",
        "",
        "buyer",
    )
