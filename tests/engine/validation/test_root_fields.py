"""Root field collisions across tables, actions and remote schemas."""

from engine.metadata import QualifiedTable
from engine.validation import action_id, remote_schema_id, table_id, validate_metadata
from tests.engine.validation.builders import (
    blog_catalog,
    catalog,
    column,
    environment,
    metadata,
    schema,
    source,
    summary,
    table_info,
)

FORUM_SDL = "type Post { id: ID! } type Query { authors: [Post!]!  posts: [Post!]! } type Mutation { delete_authors: Int }"
ACTION = {"name": "authors", "definition": {"handler": "http://h", "output_type": "Int", "type": "query"}}


def validate(*tables, actions=(), remote_schemas=(), source_extra=None, db=None):
    md = metadata(
        sources=[source("default", *tables, **(source_extra or {}))],
        actions=list(actions),
        remote_schemas=list(remote_schemas),
    )
    env = environment(db or blog_catalog(), remote_schemas={"forum": schema(FORUM_SDL)})
    return validate_metadata(md, env)


def forum(customization=None):
    definition = {"url": "http://forum"}
    if customization:
        definition["customization"] = customization
    return {"name": "forum", "definition": definition}


def test_later_table_with_a_taken_root_field_is_inconsistent():
    found = validate({"table": "authors"}, {"table": "users", "configuration": {"custom_name": "authors"}})

    assert summary(found) == [
        (
            table_id("default", QualifiedTable("public", "users")),
            "table",
            "table users in source default",
            f'Inconsistent object: the {operation} root field "{name}" is already used by table "authors" in source "default"',
            "already-exists",
            "$.configuration.custom_name",
        )
        for operation, name in [
            ("query", "authors"),
            ("query", "authors_by_pk"),
            ("query", "authors_aggregate"),
            ("mutation", "insert_authors"),
            ("mutation", "insert_authors_one"),
            ("mutation", "update_authors"),
            ("mutation", "update_authors_by_pk"),
            ("mutation", "delete_authors"),
            ("mutation", "delete_authors_by_pk"),
        ]
    ]


def test_action_named_like_a_table_root_field_is_inconsistent():
    found = validate({"table": "authors"}, actions=[ACTION])

    assert summary(found) == [
        (
            action_id("authors"),
            "action",
            "action authors",
            'Inconsistent object: the query root field "authors" is already used by table "authors" in source "default"',
            "already-exists",
            "$.name",
        )
    ]


def test_query_action_may_share_a_name_with_a_mutation_root_field():
    action = {**ACTION, "name": "insert_authors"}

    assert validate({"table": "authors"}, actions=[action]) == []


def test_remote_schema_root_field_collision_is_a_remote_schema_conflict():
    found = validate({"table": "authors"}, remote_schemas=[forum()])

    assert summary(found) == [
        (
            remote_schema_id("forum"),
            "remote_schema",
            "remote_schema forum",
            f'Inconsistent object: the {operation} root field "{name}" is already used by table "authors" in source "default"',
            "remote-schema-conflicts",
            "$.definition",
        )
        for operation, name in [("query", "authors"), ("mutation", "delete_authors")]
    ]


def test_remote_schema_customization_avoids_collisions():
    renamed = forum(
        {
            "field_names": [
                {"parent_type": "Query", "prefix": "forum_"},
                {"parent_type": "Mutation", "prefix": "forum_"},
            ]
        }
    )

    assert validate({"table": "authors"}, remote_schemas=[forum({"root_fields_namespace": "forum"})]) == []
    assert validate({"table": "authors"}, remote_schemas=[renamed]) == []


def test_namespace_collision_is_reported_on_the_remote_schema():
    found = validate({"table": "authors"}, remote_schemas=[forum({"root_fields_namespace": "authors"})])

    assert [(i.reason, i.path) for i in found] == [
        (
            'Inconsistent object: the query root field "authors" is already used by table "authors" in source "default"',
            "$.definition.customization.root_fields_namespace",
        )
    ]


def test_source_customization_prefixes_and_namespaces_table_root_fields():
    prefixed = {"customization": {"root_fields": {"prefix": "blog_"}}}
    namespaced = {"customization": {"root_fields": {"namespace": "blog"}}}
    action = {**ACTION, "name": "blog"}

    assert validate({"table": "authors"}, actions=[ACTION], source_extra=prefixed) == []
    assert validate({"table": "authors"}, remote_schemas=[forum()], source_extra=prefixed) == []
    assert [
        (i.type, i.reason) for i in validate({"table": "authors"}, actions=[action], source_extra=namespaced)
    ] == [
        (
            "action",
            'Inconsistent object: the query root field "blog" is already used by the namespace of source "default"',
        )
    ]


def test_by_pk_fields_need_a_primary_key_and_views_have_no_mutations():
    db = catalog(
        "default",
        table_info("authors", column("id"), primary_key=()),
        table_info("posts", column("id"), is_view=True),
    )
    actions = [
        {**ACTION, "name": "authors_by_pk"},
        {"name": "insert_posts", "definition": {"handler": "http://h", "output_type": "Int"}},
    ]

    assert validate({"table": "authors"}, {"table": "posts"}, actions=actions, db=db) == []
