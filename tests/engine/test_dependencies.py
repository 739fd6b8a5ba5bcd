"""Finding what depends on an object about to be dropped, and dropping it (cascade)."""

from engine.dependencies import Dependent, drop_dependents, find_dependents
from engine.metadata import Metadata, QualifiedTable
from engine.validation import (
    action_id,
    action_permission_id,
    custom_types_id,
    relationship_id,
    remote_schema_id,
    source_id,
    table_id,
)
from tests.engine.validation.builders import blog_catalog, environment, source

AUTHORS = QualifiedTable("public", "authors")
ARTICLES = QualifiedTable("public", "articles")


def to_source(source_name, table, mapping):
    return {
        "to_source": {
            "relationship_type": "object",
            "source": source_name,
            "table": table,
            "field_mapping": mapping,
        }
    }


def to_auth0():
    return {
        "to_remote_schema": {
            "remote_schema": "auth0",
            "lhs_fields": ["auth0_id"],
            "remote_field": {"user": {"arguments": {"id": "$auth0_id"}}},
        }
    }


METADATA = Metadata.from_dict(
    {
        "sources": [
            source(
                "default",
                {
                    "table": "authors",
                    "array_relationships": [
                        {
                            "name": "articles",
                            "using": {
                                "foreign_key_constraint_on": {"table": "articles", "columns": ["author_id"]}
                            },
                        }
                    ],
                    "select_permissions": [
                        {
                            "role": "user",
                            "permission": {"columns": "*", "filter": {"articles": {"id": {"_gt": 0}}}},
                        }
                    ],
                },
                {
                    "table": "articles",
                    "object_relationships": [
                        {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}},
                        {
                            "name": "writer",
                            "using": {
                                "manual_configuration": {
                                    "remote_table": "authors",
                                    "column_mapping": {"author_id": "id"},
                                }
                            },
                        },
                    ],
                    "select_permissions": [
                        {
                            "role": "user",
                            "permission": {"columns": "*", "filter": {"writer": {"id": "X-Hasura-User-Id"}}},
                        },
                        {
                            "role": "guest",
                            "permission": {"columns": "*", "filter": {"author": {"id": "X-Hasura-User-Id"}}},
                        },
                    ],
                },
                {
                    "table": "reviews",
                    "object_relationships": [
                        {
                            "name": "article",
                            "using": {
                                "manual_configuration": {
                                    "remote_table": "articles",
                                    "column_mapping": {"article_id": "id"},
                                }
                            },
                        }
                    ],
                    "update_permissions": [
                        {
                            "role": "user",
                            "permission": {
                                "columns": "*",
                                "filter": {"_not": {"article": {"writer": {"id": {"_eq": 1}}}}},
                            },
                        }
                    ],
                },
                {
                    "table": "users",
                    "remote_relationships": [
                        {"name": "orders", "definition": to_source("store", "orders", {"id": "user_id"})},
                        {"name": "profile", "definition": to_auth0()},
                    ],
                    "select_permissions": [
                        {
                            "role": "user",
                            "permission": {
                                "columns": "*",
                                "filter": {"_exists": {"_table": "authors", "_where": {"id": {"_eq": 1}}}},
                            },
                        }
                    ],
                },
            ),
            source(
                "store",
                {
                    "table": "orders",
                    "remote_relationships": [
                        {
                            "name": "author",
                            "definition": to_source("default", "authors", {"author_id": "id"}),
                        },
                        {"name": "self", "definition": to_source("store", "orders", {"id": "id"})},
                    ],
                },
            ),
        ],
        "remote_schemas": [
            {
                "name": "auth0",
                "definition": {"url": "http://auth0"},
                "remote_relationships": [
                    {"type_name": "User", "relationships": [{"name": "me", "definition": to_auth0()}]}
                ],
            },
            {
                "name": "orders",
                "definition": {"url": "http://orders"},
                "remote_relationships": [
                    {
                        "type_name": "Order",
                        "relationships": [
                            {
                                "name": "buyer",
                                "definition": to_source("default", "authors", {"user_id": "id"}),
                            },
                            {"name": "profile", "definition": to_auth0()},
                        ],
                    },
                    {
                        "relationships": [
                            {
                                "name": "seller",
                                "definition": to_source("default", "users", {"seller_id": "id"}),
                            }
                        ]
                    },
                ],
            },
        ],
        "actions": [
            {
                "name": "createUser",
                "definition": {"handler": "http://h", "output_type": "UserOutput"},
                "permissions": [{"role": "user"}],
            }
        ],
        "custom_types": {
            "objects": [
                {
                    "name": "UserOutput",
                    "fields": [{"name": "id", "type": "Int"}],
                    "relationships": [
                        {
                            "name": "user",
                            "type": "object",
                            "remote_table": "users",
                            "field_mapping": {"id": "id"},
                        },
                        {
                            "name": "author",
                            "type": "object",
                            "remote_table": "authors",
                            "field_mapping": {"id": "id"},
                        },
                    ],
                }
            ]
        },
    }
)


def described(dependents):
    return [dependent.description for dependent in dependents]


UNTRACK_AUTHORS = [
    "relationship writer in table articles",
    "select permission for role user in table articles",
    "update permission for role user in table reviews",
    "select permission for role user in table users",
    "remote relationship author in table orders in source store",
    "relationship author of custom type UserOutput",
    "remote relationship buyer on type Order in remote schema orders",
]


def test_untracking_a_table_finds_everything_that_joins_or_filters_through_it():
    assert described(find_dependents(METADATA, table_id("default", AUTHORS))) == UNTRACK_AUTHORS


def test_with_catalogs_foreign_key_relationships_are_followed_too():
    dependents = find_dependents(METADATA, table_id("default", AUTHORS), environment(blog_catalog()))

    assert described(dependents) == [
        "relationship author in table articles",
        "relationship writer in table articles",
        "select permission for role user in table articles",
        "select permission for role guest in table articles",
        "update permission for role user in table reviews",
        *UNTRACK_AUTHORS[3:],
    ]
    assert dependents[0] == Dependent(
        relationship_id("default", ARTICLES, "author"), "relationship author in table articles"
    )


def test_dropping_a_source_finds_the_references_from_outside_it():
    assert described(find_dependents(METADATA, source_id("default"))) == [
        "remote relationship author in table orders in source store",
        "relationship user of custom type UserOutput",
        "relationship author of custom type UserOutput",
        "remote relationship buyer on type Order in remote schema orders",
        "remote relationship seller in remote schema orders",
    ]


def test_dropping_a_relationship_finds_the_permissions_that_traverse_it():
    assert described(find_dependents(METADATA, relationship_id("default", ARTICLES, "writer"))) == [
        "select permission for role user in table articles",
        "update permission for role user in table reviews",
    ]


def test_removing_a_remote_schema_finds_relationships_joining_to_it_from_elsewhere():
    assert described(find_dependents(METADATA, remote_schema_id("auth0"))) == [
        "remote relationship profile in table users",
        "remote relationship profile on type Order in remote schema orders",
    ]


def test_nothing_depends_on_an_action():
    assert find_dependents(METADATA, action_id("createUser")) == []


def test_drop_dependents_removes_exactly_the_dependents():
    dependents = find_dependents(METADATA, table_id("default", AUTHORS))
    after = drop_dependents(METADATA, dependents).to_dict()
    before = METADATA.to_dict()
    default_tables = {t["table"]["name"]: t for t in after["sources"][0]["tables"]}

    assert [r["name"] for r in default_tables["articles"]["object_relationships"]] == ["author"]
    assert [p["role"] for p in default_tables["articles"]["select_permissions"]] == ["guest"]
    assert "update_permissions" not in default_tables["reviews"]
    assert "select_permissions" not in default_tables["users"]
    assert default_tables["authors"] == before["sources"][0]["tables"][0]
    assert [r["name"] for r in after["sources"][1]["tables"][0]["remote_relationships"]] == ["self"]
    assert [r["name"] for r in after["custom_types"]["objects"][0]["relationships"]] == ["user"]
    assert after["remote_schemas"][1]["remote_relationships"] == [
        {
            "type_name": "Order",
            "relationships": [before["remote_schemas"][1]["remote_relationships"][0]["relationships"][1]],
        },
        before["remote_schemas"][1]["remote_relationships"][1],
    ]
    assert find_dependents(drop_dependents(METADATA, dependents), table_id("default", AUTHORS)) == []


def test_emptied_remote_schema_relationship_groups_are_removed():
    dependents = find_dependents(METADATA, table_id("default", QualifiedTable("public", "users")))
    after = drop_dependents(METADATA, dependents).to_dict()

    assert described(dependents) == [
        "relationship user of custom type UserOutput",
        "remote relationship seller in remote schema orders",
    ]
    assert [group.get("type_name") for group in after["remote_schemas"][1]["remote_relationships"]] == [
        "Order"
    ]


def test_drop_dependents_also_drops_whole_objects_with_their_children():
    doomed = [
        Dependent(table_id("default", QualifiedTable("public", "reviews")), "table reviews"),
        Dependent(source_id("store"), "source store"),
        Dependent(remote_schema_id("auth0"), "remote schema auth0"),
        Dependent(action_permission_id("createUser", "user"), "permission"),
        Dependent(custom_types_id(), "custom types"),
    ]
    after = drop_dependents(METADATA, doomed)

    assert [t.table.name for t in after.sources[0].tables] == ["authors", "articles", "users"]
    assert [s.name for s in after.sources] == ["default"]
    assert [r.name for r in after.remote_schemas] == ["orders"]
    assert after.actions[0].permissions == ()
    assert after.custom_types.is_empty()
    assert drop_dependents(METADATA, [Dependent(action_id("createUser"), "action")]).actions == ()
