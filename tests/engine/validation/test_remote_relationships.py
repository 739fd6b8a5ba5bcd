"""Remote relationships on tables: to another source's table or to a remote schema field."""

import pytest

from engine.metadata import QualifiedTable
from engine.validation import remote_relationship_id, validate_metadata
from tests.engine.validation.builders import (
    AUTH0_SDL,
    blog_catalog,
    catalog,
    column,
    environment,
    foreign_key,
    metadata,
    schema,
    source,
    summary,
    table_info,
)

USERS = QualifiedTable("public", "users")
FORUM_SDL = """
type Query { forum: Forum  count: Int }
type Forum { messages(user_id: Int, where: MessageFilter): [Message!]! }
input MessageFilter { author: Int  tags: [String] }
type Message { id: ID!  body: String }
"""
STORE = catalog(
    "store",
    table_info(
        "orders",
        column("id"),
        column("user_id"),
        column("status"),
        foreign_keys=(foreign_key("orders_status_fkey", ("status",), "statuses", ("value",)),),
    ),
    table_info("statuses", column("value", "text"), primary_key=("value",)),
)
PREFIX = 'Inconsistent object: in table "users": in remote relationship "rel": '


def to_source(**changes):
    definition = {
        "relationship_type": "array",
        "source": "store",
        "table": "orders",
        "field_mapping": {"id": "user_id"},
    }
    return {"to_source": {**definition, **changes}}


def to_remote_schema(remote_field, lhs_fields=("auth0_id",), remote_schema="auth0"):
    return {
        "to_remote_schema": {
            "remote_schema": remote_schema,
            "lhs_fields": list(lhs_fields),
            "remote_field": remote_field,
        }
    }


def validate(*relationships, users_extra=None, **environment_extra):
    users = {"table": "users", "remote_relationships": list(relationships), **(users_extra or {})}
    md = metadata(
        sources=[
            source("default", users),
            source("store", {"table": "orders"}, {"table": "statuses", "is_enum": True}),
        ],
        remote_schemas=[
            {"name": "auth0", "definition": {"url": "http://auth0"}},
            {"name": "forum", "definition": {"url": "http://forum"}},
        ],
    )
    remote_schemas = {"auth0": schema(AUTH0_SDL), "forum": schema(FORUM_SDL)}
    env = environment(blog_catalog(), STORE, **{"remote_schemas": remote_schemas, **environment_extra})
    return validate_metadata(md, env)


def reasons(found):
    return [(i.reason, i.code, i.path) for i in found]


def test_sound_remote_relationships_validate_clean():
    found = validate(
        {"name": "orders", "definition": to_source()},
        {
            "name": "profile",
            "definition": to_remote_schema({"auth0_profile": {"arguments": {"id": "$auth0_id"}}}),
        },
        {
            "name": "legacy_profile",
            "definition": {
                "remote_schema": "auth0",
                "hasura_fields": ["auth0_id"],
                "remote_field": {"auth0_profile": {"arguments": {"id": "$auth0_id"}}},
            },
        },
        {
            "name": "messages",
            "definition": to_remote_schema(
                {
                    "forum": {
                        "field": {"messages": {"arguments": {"where": {"author": "$id", "tags": ["x"]}}}}
                    }
                },
                lhs_fields=["id"],
                remote_schema="forum",
            ),
        },
    )

    assert found == []


def test_unknown_target_source_is_not_found():
    found = validate({"name": "rel", "definition": to_source(source="warehouse")})

    assert summary(found) == [
        (
            remote_relationship_id("default", USERS, "rel"),
            "remote_relationship",
            "remote_relationship rel in table users in source default",
            PREFIX + 'source not found: "warehouse"',
            "not-found",
            "$.definition.to_source.source",
        )
    ]
    assert found[0].definition == {
        "source": "default",
        "table": {"name": "users", "schema": "public"},
        "name": "rel",
        "definition": {
            "to_source": {
                "relationship_type": "array",
                "source": "warehouse",
                "table": {"name": "orders", "schema": "public"},
                "field_mapping": {"id": "user_id"},
            }
        },
    }


@pytest.mark.parametrize(
    ("changes", "detail", "code", "path"),
    [
        (
            {"table": "carts"},
            'table with name "carts" not found',
            "not-found",
            "$.definition.to_source.table",
        ),
        (
            {"field_mapping": {"uid": "user_id"}},
            'field with name "uid" not found in table "users"',
            "not-exists",
            "$.definition.to_source.field_mapping.uid",
        ),
        (
            {"field_mapping": {"id": "customer_id"}},
            'column "customer_id" does not exist in table "orders"',
            "not-exists",
            "$.definition.to_source.field_mapping.id",
        ),
        (
            {"field_mapping": {"name": "status"}},
            "relationships to enum fields are not supported yet",
            "not-supported",
            "$.definition.to_source.field_mapping.name",
        ),
    ],
)
def test_to_source_mapping_and_target(changes, detail, code, path):
    assert reasons(validate({"name": "rel", "definition": to_source(**changes)})) == [
        (PREFIX + detail, code, path)
    ]


def test_target_remote_schema_must_exist_and_be_consistent():
    found = validate(
        {"name": "rel", "definition": to_remote_schema({"me": {}}, remote_schema="okta")},
        remote_schema_errors={"auth0": "HTTP exception occurred while sending the request to http://auth0"},
    )
    relationship = validate(
        {"name": "rel", "definition": to_remote_schema({"me": {}})}, remote_schema_errors={"auth0": "down"}
    )

    assert reasons(found)[1:] == [
        (
            PREFIX + 'remote schema with name "okta" not found',
            "remote-schema-error",
            "$.definition.to_remote_schema.remote_schema",
        )
    ]
    assert reasons(relationship)[1:] == [
        (
            PREFIX + 'remote schema with name "auth0" not found',
            "remote-schema-error",
            "$.definition.to_remote_schema.remote_schema",
        )
    ]


@pytest.mark.parametrize(
    ("remote_field", "lhs_fields", "detail", "path"),
    [
        (
            {"profile": {}},
            ["id"],
            'remote field with name "profile" and type "Query" not found',
            "$.definition.to_remote_schema.remote_field.profile",
        ),
        (
            {"forum": {"field": {"posts": {}}}},
            ["id"],
            'remote field with name "posts" and type "Forum" not found',
            "$.definition.to_remote_schema.remote_field.forum.field.posts",
        ),
        (
            {"forum": {"field": {"messages": {"arguments": {"author_id": "$id"}}}}},
            ["id"],
            'argument with name "author_id" not found in remote schema',
            "$.definition.to_remote_schema.remote_field.forum.field.messages.arguments.author_id",
        ),
        (
            {"forum": {"field": {"messages": {"arguments": {"where": {"author": "$name"}}}}}},
            ["id"],
            'variable "name" is not found',
            "$.definition.to_remote_schema.remote_field.forum.field.messages.arguments.where.author",
        ),
        (
            {"count": {"field": {"value": {}}}},
            ["id"],
            'remote field "count" returns "Int", which is not an object type, so it cannot have the nested field "value"',
            "$.definition.to_remote_schema.remote_field.count.field",
        ),
        (
            {"forum": {"field": {"messages": {"arguments": {"where": {"tags": ["a", "b"]}}}}}},
            ["id"],
            "multiple elements in list value is not supported",
            "$.definition.to_remote_schema.remote_field.forum.field.messages.arguments.where.tags",
        ),
        (
            {"forum": {"field": {"messages": {"arguments": {"user_id": "$id"}}}}},
            ["uid"],
            'field with name "uid" not found in table "users"',
            "$.definition.to_remote_schema.lhs_fields[0]",
        ),
    ],
)
def test_remote_field_path_arguments_and_variables(remote_field, lhs_fields, detail, path):
    definition = to_remote_schema(remote_field, lhs_fields=lhs_fields, remote_schema="forum")
    found = validate({"name": "rel", "definition": definition})

    assert reasons(found)[:1] == [(PREFIX + detail, "remote-schema-error", path)]


def test_legacy_form_paths_follow_its_flat_keys():
    legacy = {
        "remote_schema": "auth0",
        "hasura_fields": ["sub"],
        "remote_field": {"auth0_profile": {"arguments": {"id": "$sub"}}},
    }
    found = validate({"name": "rel", "definition": legacy})

    assert reasons(found) == [
        (
            PREFIX + 'field with name "sub" not found in table "users"',
            "remote-schema-error",
            "$.hasura_fields[0]",
        )
    ]
    assert found[0].definition == {
        "source": "default",
        "table": {"name": "users", "schema": "public"},
        "name": "rel",
        **legacy,
    }


def test_name_is_shared_with_columns_and_local_relationships():
    local = {
        "name": "orders",
        "using": {"manual_configuration": {"remote_table": "users", "column_mapping": {"id": "id"}}},
    }
    found = validate(
        {"name": "orders", "definition": to_source()},
        {"name": "name", "definition": to_source()},
        {"name": "name", "definition": to_source()},
        users_extra={"array_relationships": [local]},
    )

    assert [(i.name, i.reason, i.path) for i in found] == [
        (
            "remote_relationship orders in table users in source default",
            'Inconsistent object: in table "users": in remote relationship "orders": '
            'column/relationship "orders" of table "users" already exists',
            "$.name",
        ),
        (
            "remote_relationship name in table users in source default",
            'Inconsistent object: in table "users": in remote relationship "name": '
            'column/relationship "name" of table "users" already exists',
            "$.name",
        ),
        (
            "remote_relationship name in table users in source default",
            "Inconsistent object: multiple definitions for remote_relationship name in table users in source default",
            "$.name",
        ),
    ]
