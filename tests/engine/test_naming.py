"""Hasura's default GraphQL names for tables, and source and remote schema customization."""

import pytest
from graphql import build_schema

from engine.metadata import Node, Table
from engine.naming import (
    column_graphql_name,
    is_graphql_name,
    remote_field_name,
    remote_type_name,
    source_namespace,
    source_root_field_name,
    table_graphql_name,
    table_root_fields,
)


def table(definition):
    return Table.parse(Node(definition))


def test_public_table_uses_its_name_for_every_root_field():
    assert table_graphql_name(table({"table": "author"})) == "author"
    assert table_root_fields(table({"table": "author"})) == {
        "select": "author",
        "select_by_pk": "author_by_pk",
        "select_aggregate": "author_aggregate",
        "insert": "insert_author",
        "insert_one": "insert_author_one",
        "update": "update_author",
        "update_by_pk": "update_author_by_pk",
        "delete": "delete_author",
        "delete_by_pk": "delete_author_by_pk",
    }


def test_tables_outside_public_are_prefixed_with_their_schema():
    orders = table({"table": {"schema": "sales", "name": "orders"}})

    assert table_graphql_name(orders) == "sales_orders"
    assert table_root_fields(orders)["insert_one"] == "insert_sales_orders_one"


def test_custom_name_replaces_schema_and_name():
    orders = table(
        {"table": {"schema": "sales", "name": "orders"}, "configuration": {"custom_name": "purchases"}}
    )

    assert table_graphql_name(orders) == "purchases"
    assert table_root_fields(orders)["delete_by_pk"] == "delete_purchases_by_pk"


def test_custom_root_fields_override_single_names_in_both_forms():
    author = table(
        {
            "table": "author",
            "configuration": {
                "custom_name": "writer",
                "custom_root_fields": {
                    "select": "Authors",
                    "select_by_pk": {"name": "Author"},
                    "insert": None,
                },
            },
        }
    )

    fields = table_root_fields(author)
    assert (fields["select"], fields["select_by_pk"], fields["insert"], fields["update"]) == (
        "Authors",
        "Author",
        "insert_writer",
        "update_writer",
    )


def test_column_names_honour_column_config_then_legacy_custom_column_names():
    author = table(
        {
            "table": "author",
            "configuration": {
                "column_config": {
                    "id": {"custom_name": "authorId", "comment": "PK"},
                    "bio": {"comment": "x"},
                },
                "custom_column_names": {"name": "fullName"},
            },
        }
    )

    assert [column_graphql_name(author, c) for c in ("id", "name", "bio", "age")] == [
        "authorId",
        "fullName",
        "bio",
        "age",
    ]


def test_source_customization_prefixes_root_fields_and_may_namespace_them():
    customization = {"root_fields": {"namespace": "app", "prefix": "p_", "suffix": "_s"}}

    assert source_root_field_name(customization, "author") == "p_author_s"
    assert source_root_field_name(None, "author") == "author"
    assert source_namespace(customization) == "app"
    assert source_namespace({"type_names": {"prefix": "P_"}}) is None


def test_remote_type_names_keep_roots_introspection_types_and_builtins_unless_mapped():
    schema = build_schema("type User { id: ID! } type Query { user: User }")
    customization = {
        "type_names": {"prefix": "Forum_", "suffix": "_T", "mapping": {"ID": "Key", "Query": "ForumQuery"}}
    }

    assert [
        remote_type_name(customization, schema, name) for name in ("User", "String", "ID", "Query", "__Type")
    ] == [
        "Forum_User_T",
        "String",
        "Key",
        "ForumQuery",
        "__Type",
    ]


def test_remote_field_names_follow_the_entry_of_their_original_parent_type():
    customization = {"field_names": [{"parent_type": "Message", "prefix": "m_", "mapping": {"body": "text"}}]}

    assert remote_field_name(customization, "Message", "body") == "text"
    assert remote_field_name(customization, "Message", "id") == "m_id"
    assert remote_field_name(customization, "Message", "__typename") == "__typename"
    assert remote_field_name(customization, "User", "id") == "id"


@pytest.mark.parametrize("text", ["name\n", "\nname", "na me", "", "1name", "name-x"])
def test_text_that_is_not_exactly_a_graphql_name_is_refused(text):
    assert not is_graphql_name(text)
