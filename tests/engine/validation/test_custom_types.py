"""Custom types: one object validated as a whole, every problem collected with its own path."""

import pytest

from engine.validation import Problem, validate_metadata
from tests.engine.validation.builders import (
    blog_catalog,
    catalog,
    column,
    environment,
    metadata,
    source,
    summary,
    table_info,
)

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
FAILED = "Inconsistent object: validation for the given custom types failed because "


def validate(custom_types, *sources):
    sources = sources or (source("default", {"table": "users"}, {"table": "authors"}),)
    md = metadata(sources=list(sources), custom_types=custom_types)
    return validate_metadata(
        md, environment(blog_catalog(), catalog("store", table_info("orders", column("id"))))
    )


def test_seed_000_custom_types_validate_clean_against_public_users():
    users = table_info("users", column("id"), column("name", "text"), column("auth0_id", "text"))
    md = metadata(sources=[source("default", {"table": "users"})], custom_types=SEED_000_CUSTOM_TYPES)

    assert validate_metadata(md, environment(catalog("default", users))) == []


def test_database_scalars_nested_objects_and_recursive_inputs_are_allowed():
    custom_types = {
        "input_objects": [
            {
                "name": "Filter",
                "fields": [{"name": "since", "type": "timestamptz"}, {"name": "not", "type": "Filter"}],
            }
        ],
        "objects": [
            {
                "name": "Profile",
                "fields": [{"name": "data", "type": "jsonb"}, {"name": "owner", "type": "Profile"}],
            },
            {
                "name": "Result",
                "fields": [{"name": "id", "type": "uuid!"}, {"name": "profile", "type": "[Profile!]"}],
            },
        ],
    }

    assert validate(custom_types) == []


@pytest.mark.parametrize(
    ("custom_types", "reason", "path"),
    [
        (
            {"scalars": [{"name": "Date"}], "enums": [{"name": "Date", "values": [{"value": "A"}]}]},
            'duplicate type names: "Date"',
            "$.enums[0].name",
        ),
        (
            {"enums": [{"name": "Color", "values": [{"value": "RED"}, {"value": "BLUE"}, {"value": "RED"}]}]},
            'the enum type "Color" has duplicate values: "RED"',
            "$.enums[0].values[2].value",
        ),
        (
            {
                "input_objects": [
                    {"name": "In", "fields": [{"name": "a", "type": "Int"}, {"name": "a", "type": "String"}]}
                ]
            },
            'the input object "In" has duplicate fields: "a"',
            "$.input_objects[0].fields[1].name",
        ),
        (
            {"input_objects": [{"name": "In", "fields": [{"name": "when", "type": "Date!"}]}]},
            'the type "Date" for field "when" in  input object type "In" does not exist',
            "$.input_objects[0].fields[0].type",
        ),
        (
            {
                "objects": [
                    {
                        "name": "Out",
                        "fields": [{"name": "id", "type": "Int"}],
                        "relationships": [
                            {
                                "name": "id",
                                "type": "object",
                                "remote_table": "users",
                                "field_mapping": {"id": "id"},
                            }
                        ],
                    }
                ]
            },
            'the object "Out" has duplicate fields: "id"',
            "$.objects[0].relationships[0].name",
        ),
        (
            {
                "objects": [
                    {"name": "Out", "fields": [{"name": "id", "type": "Int", "arguments": {"x": "Int"}}]}
                ]
            },
            'the object "Out" can\'t have arguments',
            "$.objects[0].fields[0].arguments",
        ),
        (
            {"objects": [{"name": "Out", "fields": [{"name": "at", "type": "[Moment]"}]}]},
            'the type "Moment" for field "at" in  object type "Out" does not exist',
            "$.objects[0].fields[0].type",
        ),
        (
            {
                "objects": [
                    {
                        "name": "Out",
                        "fields": [{"name": "id", "type": "Int"}],
                        "relationships": [
                            {
                                "name": "user",
                                "type": "object",
                                "remote_table": "users",
                                "field_mapping": {"id": "id"},
                            },
                            {
                                "name": "order",
                                "type": "object",
                                "source": "store",
                                "remote_table": "orders",
                                "field_mapping": {"id": "id"},
                            },
                        ],
                    }
                ]
            },
            'the object "Out" has relationships refers to tables in multiple sources',
            "$.objects[0].relationships",
        ),
    ],
)
def test_type_rules(custom_types, reason, path):
    found = validate(custom_types)

    assert summary(found) == [
        (
            ("custom_types",),
            "custom_types",
            "custom_types custom_types",
            FAILED + reason,
            "invalid-configuration",
            path,
        )
    ]


def out_with_relationship(**relationship):
    fields = [{"name": "id", "type": "Int"}, {"name": "ids", "type": "[Int!]!"}]
    body = {
        "name": "user",
        "type": "object",
        "remote_table": "users",
        "field_mapping": {"id": "id"},
        **relationship,
    }
    return {"objects": [{"name": "Out", "fields": fields, "relationships": [body]}]}


@pytest.mark.parametrize(
    ("relationship", "reason", "path"),
    [
        (
            {"source": "pg9"},
            'the remote table "users" for relationship "user" of object type "Out" does not exist',
            "$.objects[0].relationships[0].source",
        ),
        (
            {"remote_table": {"schema": "auth", "name": "accounts"}},
            'the remote table "auth.accounts" for relationship "user" of object type "Out" does not exist',
            "$.objects[0].relationships[0].remote_table",
        ),
        (
            {"field_mapping": {"user_id": "id"}},
            'the field "user_id" for relationship "user" in object type "Out" does not exist',
            "$.objects[0].relationships[0].field_mapping.user_id",
        ),
        (
            {"field_mapping": {"ids": "id"}},
            'the type of the field "ids" for relationship "user" in object type "Out" is a list type',
            "$.objects[0].relationships[0].field_mapping.ids",
        ),
        (
            {"field_mapping": {"id": "uid"}},
            'the column "uid" of remote table "users" for relationship "user" of object type "Out" does not exist',
            "$.objects[0].relationships[0].field_mapping.id",
        ),
    ],
)
def test_relationship_rules(relationship, reason, path):
    found = validate(out_with_relationship(**relationship))

    assert [(i.reason, i.code, i.path) for i in found] == [(FAILED + reason, "invalid-configuration", path)]


def test_relationship_to_a_table_of_an_unreachable_source_is_reported_on_the_custom_types():
    md = metadata(
        sources=[source("default", {"table": "users"})],
        custom_types=SEED_000_CUSTOM_TYPES,
    )
    found = validate_metadata(md, environment(source_errors={"default": "down"}))

    assert [(i.type, i.path) for i in found] == [
        ("source", "$.configuration"),
        ("custom_types", "$.objects[0].relationships[0].source"),
    ]


def test_several_problems_make_one_record_listing_each_with_its_path():
    custom_types = {
        "scalars": [{"name": "Out"}],
        "objects": [
            {
                "name": "Out",
                "fields": [{"name": "id", "type": "Int"}],
                "relationships": [
                    {
                        "name": "user",
                        "type": "object",
                        "remote_table": "users",
                        "field_mapping": {"id": "id", "uid": "x"},
                    }
                ],
            }
        ],
    }
    (found,) = validate(custom_types)

    assert found.reason == (
        "Inconsistent object: validation for the given custom types failed for the following reasons:\n"
        '  • duplicate type names: "Out"\n'
        '  • the field "uid" for relationship "user" in object type "Out" does not exist\n'
        '  • the column "x" of remote table "users" for relationship "user" of object type "Out" does not exist'
    )
    assert found.code == "invalid-configuration"
    assert found.path == "$.objects[0].name"
    assert found.problems == (
        Problem('duplicate type names: "Out"', "invalid-configuration", "$.objects[0].name"),
        Problem(
            'the field "uid" for relationship "user" in object type "Out" does not exist',
            "invalid-configuration",
            "$.objects[0].relationships[0].field_mapping.uid",
        ),
        Problem(
            'the column "x" of remote table "users" for relationship "user" of object type "Out" does not exist',
            "invalid-configuration",
            "$.objects[0].relationships[0].field_mapping.uid",
        ),
    )
    assert found.to_dict() == {
        "definition": {
            "objects": [
                {
                    "name": "Out",
                    "fields": [{"name": "id", "type": "Int"}],
                    "relationships": [
                        {
                            "name": "user",
                            "type": "object",
                            "source": "default",
                            "remote_table": {"name": "users", "schema": "public"},
                            "field_mapping": {"id": "id", "uid": "x"},
                        }
                    ],
                }
            ],
            "scalars": [{"name": "Out"}],
        },
        "name": "custom_types custom_types",
        "reason": found.reason,
        "type": "custom_types",
    }
