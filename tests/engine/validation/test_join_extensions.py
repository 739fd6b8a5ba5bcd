"""Validation of Joinery's join shapes: ``to_action``, list mode (``batch``), custom types' joins, nested keys."""

import pytest

from engine.dependencies import drop_dependents, find_dependents
from engine.metadata import QualifiedTable
from engine.validation import (
    action_id,
    custom_type_relationship_id,
    remote_relationship_id,
    remote_schema_id,
    remote_schema_relationship_id,
    validate_metadata,
)
from tests.engine.validation.builders import (
    ORDERS_SDL,
    blog_catalog,
    environment,
    metadata,
    schema,
    source,
)

ACCOUNTS_SDL = """
type User { id: ID!  name: String  friends(first: Int): [User!]! }
type Query { account(id: ID!): User  accounts(ids: [ID!]!, active: Boolean): [User!]!  one(ids: ID): User }
"""
OUTPUT_TYPES = {
    "input_objects": [{"name": "Filter", "fields": [{"name": "min", "type": "Int"}]}],
    "objects": [
        {
            "name": "Profile",
            "fields": [{"name": "user_id", "type": "String!"}, {"name": "bio", "type": "String"}],
        },
        {"name": "Author", "fields": [{"name": "id", "type": "Int!"}, {"name": "tags", "type": "[String!]"}]},
        {
            "name": "Post",
            "fields": [
                {"name": "id", "type": "Int!"},
                {"name": "author", "type": "Author"},
                {"name": "author_ids", "type": "[Int!]!"},
                {"name": "auth0_id", "type": "String"},
            ],
        },
    ],
}
ACTIONS = [
    {
        "name": "profile",
        "definition": {
            "type": "query",
            "handler": "http://h/profile",
            "output_type": "Profile",
            "arguments": [{"name": "id", "type": "String!"}, {"name": "filter", "type": "Filter"}],
        },
    },
    {
        "name": "profiles",
        "definition": {
            "type": "query",
            "handler": "http://h/profiles",
            "output_type": "[Profile!]!",
            "arguments": [{"name": "ids", "type": "[String!]!"}, {"name": "id", "type": "String"}],
        },
    },
    {
        "name": "posts",
        "definition": {"type": "query", "handler": "http://h/posts", "output_type": "[Post!]!"},
    },
    {
        "name": "touch",
        "definition": {
            "handler": "http://h/touch",
            "output_type": "Profile",
            "arguments": [{"name": "id", "type": "String"}],
        },
    },
]


def to_action(action="profile", lhs_fields=("auth0_id",), arguments=None, batch=None):
    definition = {
        "action": action,
        "lhs_fields": list(lhs_fields),
        "arguments": {"id": "$auth0_id"} if arguments is None else arguments,
    }
    if batch is not None:
        definition["batch"] = batch
    return {"to_action": definition}


def to_accounts(remote_field, lhs_fields=("auth0_id",), batch=None):
    definition = {"remote_schema": "accounts", "lhs_fields": list(lhs_fields), "remote_field": remote_field}
    if batch is not None:
        definition["batch"] = batch
    return {"to_remote_schema": definition}


def validate(table_relationships=(), order_relationships=(), post_relationships=(), accounts=True):
    custom_types = {**OUTPUT_TYPES, "objects": [dict(o) for o in OUTPUT_TYPES["objects"]]}
    custom_types["objects"][2]["relationships"] = list(post_relationships)
    md = metadata(
        sources=[
            source(
                "default",
                {"table": "users", "remote_relationships": list(table_relationships)},
                {"table": "authors"},
            )
        ],
        remote_schemas=[
            {"name": "accounts", "definition": {"url": "http://accounts"}},
            {
                "name": "orders",
                "definition": {"url": "http://orders"},
                "remote_relationships": [{"type_name": "Order", "relationships": list(order_relationships)}],
            },
        ],
        actions=ACTIONS,
        custom_types=custom_types,
    )
    schemas = {"orders": schema(ORDERS_SDL)}
    if accounts:
        schemas["accounts"] = schema(ACCOUNTS_SDL)
    errors = {} if accounts else {"accounts": "HTTP exception occurred while sending the request"}
    return validate_metadata(
        md, environment(blog_catalog(), remote_schemas=schemas, remote_schema_errors=errors)
    )


def found_of(found, kind=None):
    return [(i.object_id, i.reason, i.code, i.path) for i in found if kind is None or i.type == kind]


def test_sound_joins_to_actions_from_tables_remote_types_and_custom_types_validate_clean():
    found = validate(
        table_relationships=[
            {"name": "profile", "definition": to_action()},
            {
                "name": "profiles",
                "definition": to_action(
                    "profiles",
                    arguments={"ids": "$auth0_id"},
                    batch={"list_argument": "ids", "key_field": "user_id"},
                ),
            },
        ],
        order_relationships=[
            {
                "name": "buyer",
                "definition": to_action(lhs_fields=["id"], arguments={"id": "$id", "filter": {"min": 1}}),
            }
        ],
        post_relationships=[
            {
                "name": "writer",
                "definition": to_action(lhs_fields=["author.id"], arguments={"id": "$author.id"}),
            },
            {"name": "account", "definition": to_accounts({"account": {"arguments": {"id": "$auth0_id"}}})},
            {
                "name": "accounts",
                "definition": to_accounts(
                    {"accounts": {"arguments": {"ids": "$author_ids", "active": True}}},
                    lhs_fields=["author_ids"],
                    batch={"list_argument": "ids", "key_field": "id", "relationship_type": "array"},
                ),
            },
        ],
    )

    assert found == []


def test_a_table_join_to_a_missing_action_or_argument_is_reported_at_its_path():
    found = validate(
        table_relationships=[
            {"name": "gone", "definition": to_action("nope")},
            {"name": "bad_arg", "definition": to_action(arguments={"who": "$auth0_id"})},
            {"name": "bad_var", "definition": to_action(arguments={"id": "$name"})},
            {"name": "bad_col", "definition": to_action(lhs_fields=["nope"], arguments={})},
        ]
    )

    prefix = 'Inconsistent object: in table "users": in remote relationship '
    table = QualifiedTable("public", "users")
    assert found_of(found) == [
        (
            remote_relationship_id("default", table, "gone"),
            prefix + '"gone": action with name "nope" not found',
            "not-found",
            "$.definition.to_action.action",
        ),
        (
            remote_relationship_id("default", table, "bad_arg"),
            prefix + '"bad_arg": argument with name "who" not found in action "profile"',
            "not-found",
            "$.definition.to_action.arguments.who",
        ),
        (
            remote_relationship_id("default", table, "bad_var"),
            prefix + '"bad_var": variable "name" is not found',
            "invalid-params",
            "$.definition.to_action.arguments.id",
        ),
        (
            remote_relationship_id("default", table, "bad_col"),
            prefix + '"bad_col": field with name "nope" not found in table "users"',
            "not-exists",
            "$.definition.to_action.lhs_fields[0]",
        ),
    ]


@pytest.mark.parametrize(
    ("arguments", "batch", "reason", "path"),
    [
        (
            {"id": "$auth0_id"},
            {"list_argument": "id", "key_field": "user_id"},
            'argument "id" does not take a list',
            "$.definition.to_action.batch.list_argument",
        ),
        (
            {"ids": ["$auth0_id"]},
            {"list_argument": "ids", "key_field": "user_id"},
            'in list mode, the argument "ids" must be set to the one join field (for example "$id"), '
            "and no other argument may use a join field",
            "$.definition.to_action.batch.list_argument",
        ),
        (
            {"ids": "$auth0_id"},
            {"list_argument": "ids", "key_field": "nope"},
            '"nope" is not a scalar field of "Profile"',
            "$.definition.to_action.batch.key_field",
        ),
    ],
)
def test_list_mode_of_an_action_join_needs_a_list_argument_and_a_key(arguments, batch, reason, path):
    found = validate(
        table_relationships=[
            {"name": "rel", "definition": to_action("profiles", arguments=arguments, batch=batch)}
        ]
    )

    assert [(i.reason.split('"rel": ', 1)[1], i.path) for i in found] == [(reason, path)]


def test_list_mode_needs_an_action_returning_a_list():
    found = validate(
        table_relationships=[
            {
                "name": "rel",
                "definition": to_action(
                    "profile",
                    arguments={"id": "$auth0_id"},
                    batch={"list_argument": "id", "key_field": "user_id"},
                ),
            }
        ]
    )

    assert [i.reason.split('"rel": ', 1)[1] for i in found] == [
        'argument "id" does not take a list',
        'in list mode the action "profile" must return a list of objects',
    ]


@pytest.mark.parametrize(
    ("remote_field", "batch", "reason", "path"),
    [
        (
            {"accounts": {"arguments": {"ids": "$auth0_id"}}},
            {"list_argument": "ids", "key_field": "nickname"},
            '"nickname" is not an argument-less scalar field of "User"',
            "$.definition.to_remote_schema.batch.key_field",
        ),
        (
            {"accounts": {"arguments": {"ids": "$auth0_id"}}},
            {"list_argument": "ids", "key_field": "friends"},
            '"friends" is not an argument-less scalar field of "User"',
            "$.definition.to_remote_schema.batch.key_field",
        ),
        (
            {"one": {"arguments": {"ids": "$auth0_id"}}},
            {"list_argument": "ids", "key_field": "id"},
            'argument "ids" does not take a list',
            "$.definition.to_remote_schema.batch.list_argument",
        ),
        (
            {"account": {"arguments": {"id": "$auth0_id"}}},
            {"list_argument": "ids", "key_field": "id"},
            'argument "ids" not found',
            "$.definition.to_remote_schema.batch.list_argument",
        ),
    ],
)
def test_list_mode_of_a_remote_join_is_checked_against_the_remote_schema(remote_field, batch, reason, path):
    found = validate(
        table_relationships=[{"name": "rel", "definition": to_accounts(remote_field, batch=batch)}]
    )

    assert [(i.reason.split('"rel": ', 1)[1], i.path) for i in found][0] == (reason, path)


def test_a_list_mode_remote_field_must_return_a_list_of_objects():
    found = validate(
        table_relationships=[
            {
                "name": "rel",
                "definition": to_accounts(
                    {"account": {"arguments": {"id": "$auth0_id"}}},
                    batch={"list_argument": "id", "key_field": "id"},
                ),
            }
        ]
    )

    assert [i.reason.split('"rel": ', 1)[1] for i in found] == [
        'argument "id" does not take a list',
        "in list mode the remote field must return a list of objects",
    ]


def test_a_remote_type_join_to_an_action_is_checked_after_the_actions():
    found = validate(order_relationships=[{"name": "buyer", "definition": to_action(lhs_fields=["nope"])}])

    assert found_of(found) == [
        (
            remote_schema_relationship_id("orders", "Order", "buyer"),
            'Inconsistent object: in remote schema "orders": in remote relationship "buyer": '
            'field with name "nope" not found in type "Order"',
            "remote-schema-error",
            "$.definition.to_action.lhs_fields[0]",
        ),
        (
            remote_schema_relationship_id("orders", "Order", "buyer"),
            'Inconsistent object: in remote schema "orders": in remote relationship "buyer": '
            'variable "auth0_id" is not found',
            "invalid-params",
            "$.definition.to_action.arguments.id",
        ),
    ]


def test_a_custom_type_join_to_a_remote_schema_that_is_down_is_its_own_inconsistency():
    found = validate(
        post_relationships=[
            {"name": "account", "definition": to_accounts({"account": {"arguments": {"id": "$auth0_id"}}})},
            {
                "name": "writer",
                "definition": to_action(lhs_fields=["author.id"], arguments={"id": "$author.id"}),
            },
        ],
        accounts=False,
    )

    assert found_of(found, "custom_type_relationship") == [
        (
            custom_type_relationship_id("Post", "account"),
            'Inconsistent object: in custom type "Post": in relationship "account": '
            'remote schema with name "accounts" not found',
            "remote-schema-error",
            "$.objects[2].relationships[0].definition.to_remote_schema.remote_schema",
        )
    ]
    assert [i.type for i in found] == ["remote_schema", "custom_type_relationship"]
    assert found[1].definition == {
        "type_name": "Post",
        "name": "account",
        "definition": to_accounts({"account": {"arguments": {"id": "$auth0_id"}}}),
    }


@pytest.mark.parametrize(
    ("lhs_field", "reason", "code"),
    [
        ("author.name", 'the field "author.name" does not exist in object type "Post"', "not-found"),
        ("author", 'the field "author" of object type "Post" is an object, not a key', "invalid-params"),
    ],
)
def test_custom_type_join_fields_are_paths_to_scalar_fields(lhs_field, reason, code):
    found = validate(
        post_relationships=[
            {
                "name": "writer",
                "definition": to_action(lhs_fields=[lhs_field], arguments={"id": f"${lhs_field}"}),
            }
        ]
    )

    assert [(i.reason.split('"writer": ', 1)[1], i.code, i.path) for i in found] == [
        (reason, code, "$.objects[2].relationships[0].definition.to_action.lhs_fields[0]")
    ]


def table_relationship(name, kind, mapping, table="authors"):
    return {"name": name, "type": kind, "remote_table": table, "field_mapping": mapping}


def test_hasura_form_takes_nested_paths_and_a_list_key_for_an_array_relationship():
    found = validate(
        post_relationships=[
            table_relationship("writer", "object", {"author.id": "id"}),
            table_relationship("writers", "array", {"author_ids": "id"}),
        ]
    )

    assert found == []


@pytest.mark.parametrize(
    ("relationship", "reason"),
    [
        (
            table_relationship("writers", "object", {"author_ids": "id"}),
            'the type of the field "author_ids" for relationship "writers" in object type "Post" is a list type',
        ),
        (
            table_relationship("writers", "array", {"author_ids": "id", "id": "name"}),
            'the type of the field "author_ids" for relationship "writers" in object type "Post" is a list '
            "type; a list of keys needs a field mapping of one field",
        ),
        (
            table_relationship("writer", "object", {"author.nope": "id"}),
            'the field "author.nope" for relationship "writer" in object type "Post" does not exist',
        ),
    ],
)
def test_hasura_form_rejects_list_keys_it_cannot_join_on(relationship, reason):
    found = validate(post_relationships=[relationship])

    assert [i.reason for i in found if i.type == "custom_types"] == [
        f"Inconsistent object: validation for the given custom types failed because {reason}"
    ]


def test_joins_to_an_action_and_a_remote_schema_are_its_dependents_and_drop_with_it():
    md = metadata(
        sources=[
            source(
                "default",
                {"table": "users", "remote_relationships": [{"name": "p", "definition": to_action()}]},
            )
        ],
        remote_schemas=[
            {"name": "accounts", "definition": {"url": "http://accounts"}},
            {
                "name": "orders",
                "definition": {"url": "http://orders"},
                "remote_relationships": [
                    {"type_name": "Order", "relationships": [{"name": "buyer", "definition": to_action()}]}
                ],
            },
        ],
        actions=ACTIONS,
        custom_types={
            **OUTPUT_TYPES,
            "objects": [
                *OUTPUT_TYPES["objects"][:2],
                {
                    **OUTPUT_TYPES["objects"][2],
                    "relationships": [
                        {"name": "writer", "definition": to_action()},
                        {
                            "name": "account",
                            "definition": to_accounts({"account": {"arguments": {"id": "$auth0_id"}}}),
                        },
                    ],
                },
            ],
        },
    )

    on_action = find_dependents(md, action_id("profile"))
    on_remote = find_dependents(md, remote_schema_id("accounts"))

    assert [d.description for d in on_action] == [
        "remote relationship p in table users",
        "remote relationship buyer on type Order in remote schema orders",
        "relationship writer of custom type Post",
    ]
    assert [d.description for d in on_remote] == ["relationship account of custom type Post"]
    pruned = drop_dependents(md, on_action + on_remote)
    assert pruned.sources[0].tables[0].remote_relationships == ()
    assert pruned.remote_schemas[1].remote_relationships == ()
    assert pruned.custom_types.objects[2].remote_relationships == ()


def test_a_join_to_a_mutation_action_is_refused():
    found = validate(table_relationships=[{"name": "rel", "definition": to_action("touch")}])

    assert [(i.reason.split('"rel": ', 1)[1], i.code, i.path) for i in found] == [
        (
            'the action "touch" is a mutation; relationships join to query actions only',
            "not-supported",
            "$.definition.to_action.action",
        )
    ]
