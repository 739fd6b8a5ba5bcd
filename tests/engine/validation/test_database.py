"""Sources and tracked tables: readable databases, existing tables, table configuration."""

from engine.metadata import QualifiedTable
from engine.validation import source_id, table_id, validate_metadata
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

AUTHORS = ("table", "default", "public", "authors")


def test_consistent_tables_validate_clean():
    tables = [{"table": "authors"}, {"table": {"schema": "public", "name": "articles"}}]

    assert (
        validate_metadata(metadata(sources=[source("default", *tables)]), environment(blog_catalog())) == []
    )


def test_unreachable_source_is_inconsistent_and_hides_its_tables():
    md = metadata(sources=[source("default", {"table": "missing"})])
    env = environment(source_errors={"default": "connection to 127.0.0.1:1 refused"})

    assert summary(validate_metadata(md, env)) == [
        (
            ("source", "default"),
            "source",
            "source default",
            "Inconsistent object: connection to 127.0.0.1:1 refused",
            "unexpected",
            "$.configuration",
        )
    ]


def test_source_without_a_catalog_is_inconsistent():
    found = validate_metadata(metadata(sources=[source("store")]), environment())

    assert summary(found) == [
        (
            source_id("store"),
            "source",
            "source store",
            'Inconsistent object: the database of source "store" has not been read',
            "unexpected",
            "$.configuration",
        )
    ]


def test_second_definition_of_a_source_is_reported():
    md = metadata(sources=[source("default"), source("default")])

    assert summary(validate_metadata(md, environment(blog_catalog()))) == [
        (
            source_id("default"),
            "source",
            "source default",
            "Inconsistent object: multiple definitions for source default",
            "already-exists",
            "$.name",
        )
    ]


def test_missing_table_is_inconsistent_and_hides_its_children():
    table = {
        "table": {"schema": "sales", "name": "orders"},
        "object_relationships": [{"name": "owner", "using": {"foreign_key_constraint_on": "nope"}}],
        "select_permissions": [{"role": "user", "permission": {"columns": ["nope"], "filter": {}}}],
    }
    found = validate_metadata(metadata(sources=[source("default", table)]), environment(blog_catalog()))

    assert summary(found) == [
        (
            table_id("default", QualifiedTable("sales", "orders")),
            "table",
            "table sales.orders in source default",
            'Inconsistent object: no such table/view exists in source: "sales.orders"',
            "not-exists",
            "$.table",
        )
    ]
    assert found[0].definition == {"source": "default", "table": {"name": "orders", "schema": "sales"}}
    assert found[0].to_dict() == {
        "definition": {"source": "default", "table": {"name": "orders", "schema": "sales"}},
        "name": "table sales.orders in source default",
        "reason": 'Inconsistent object: no such table/view exists in source: "sales.orders"',
        "type": "table",
    }


def test_table_tracked_twice_is_reported_once():
    md = metadata(sources=[source("default", {"table": "authors"}, {"table": "authors"})])

    assert summary(validate_metadata(md, environment(blog_catalog()))) == [
        (
            AUTHORS,
            "table",
            "table authors in source default",
            "Inconsistent object: multiple definitions for table authors in source default",
            "already-exists",
            "$.table",
        )
    ]


def test_column_config_must_name_existing_columns():
    table = {
        "table": "authors",
        "configuration": {
            "column_config": {"nickname": {"custom_name": "nick"}},
            "custom_column_names": {"age": "years"},
        },
    }
    found = validate_metadata(metadata(sources=[source("default", table)]), environment(blog_catalog()))

    assert summary(found) == [
        (
            AUTHORS,
            "table",
            "table authors in source default",
            'Inconsistent object: the column "nickname" given in column_config does not exist',
            "not-exists",
            "$.configuration.column_config.nickname",
        ),
        (
            AUTHORS,
            "table",
            "table authors in source default",
            'Inconsistent object: the column "age" given in custom_column_names does not exist',
            "not-exists",
            "$.configuration.custom_column_names.age",
        ),
    ]


def test_custom_column_name_may_not_repeat_another_column():
    table = {"table": "authors", "configuration": {"column_config": {"name": {"custom_name": "id"}}}}
    found = validate_metadata(metadata(sources=[source("default", table)]), environment(blog_catalog()))

    assert summary(found) == [
        (
            AUTHORS,
            "table",
            "table authors in source default",
            'Inconsistent object: the columns "id" and "name" have the same GraphQL name "id"',
            "already-exists",
            "$.configuration.column_config.name.custom_name",
        )
    ]


def test_custom_root_fields_must_be_known_and_valid_names():
    table = {
        "table": "authors",
        "configuration": {
            "custom_root_fields": {"select": {"name": "all-authors"}, "select_everything": "everything"}
        },
    }
    found = validate_metadata(metadata(sources=[source("default", table)]), environment(blog_catalog()))

    assert summary(found) == [
        (
            AUTHORS,
            "table",
            "table authors in source default",
            'Inconsistent object: "all-authors" is not a valid GraphQL name',
            "invalid-params",
            "$.configuration.custom_root_fields.select.name",
        ),
        (
            AUTHORS,
            "table",
            "table authors in source default",
            'Inconsistent object: "select_everything" is not a root field of a table; expected one of: '
            "select, select_by_pk, select_aggregate, insert, insert_one, update, update_by_pk, delete, "
            "delete_by_pk, select_stream, update_many",
            "invalid-params",
            "$.configuration.custom_root_fields.select_everything",
        ),
    ]


def test_custom_root_fields_of_one_operation_type_must_differ():
    table = {"table": "authors", "configuration": {"custom_root_fields": {"select_by_pk": "authors"}}}
    found = validate_metadata(metadata(sources=[source("default", table)]), environment(blog_catalog()))

    assert summary(found) == [
        (
            AUTHORS,
            "table",
            "table authors in source default",
            'Inconsistent object: the root fields select and select_by_pk are both named "authors"',
            "already-exists",
            "$.configuration.custom_root_fields.select_by_pk",
        )
    ]


def test_a_query_and_a_mutation_root_field_may_share_a_name():
    table = {"table": "authors", "configuration": {"custom_root_fields": {"insert": "authors"}}}

    assert validate_metadata(metadata(sources=[source("default", table)]), environment(blog_catalog())) == []


def test_table_name_that_is_no_graphql_name_needs_a_custom_name():
    db = catalog("default", table_info("order-items", column("id")))
    bad = metadata(sources=[source("default", {"table": "order-items"})])
    named = metadata(
        sources=[source("default", {"table": "order-items", "configuration": {"custom_name": "items"}})]
    )

    assert summary(validate_metadata(bad, environment(db))) == [
        (
            ("table", "default", "public", "order-items"),
            "table",
            "table order-items in source default",
            'Inconsistent object: cannot include "order-items" in the GraphQL schema because "order-items" '
            "is not a valid GraphQL identifier; set configuration.custom_name",
            "invalid-params",
            "$.table",
        )
    ]
    assert validate_metadata(named, environment(db)) == []
