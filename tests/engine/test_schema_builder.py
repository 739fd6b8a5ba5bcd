"""The schema a role sees: types and root fields generated from metadata and the database catalog."""

import dataclasses
from pathlib import Path

from graphql import GraphQLNonNull, print_schema

from engine.metadata import Metadata
from engine.schema import build_gateway_schema
from engine.schema.model import ActionRootField, ColumnField, JoinField, RelationshipField, TableRootField
from tests.engine.gateway_support import dataset_metadata, sqlite_gateway, table

SNAPSHOT = Path(__file__).parent / "snapshots" / "schema_small.graphql"
SMALL_EXTRA = {
    "actions": [
        {
            "name": "createUser",
            "definition": {
                "handler": "http://127.0.0.1/create",
                "output_type": "UserOutput!",
                "arguments": [{"name": "name", "type": "String!"}, {"name": "kind", "type": "Kind"}],
            },
            "comment": "create a user",
        }
    ],
    "custom_types": {
        "enums": [{"name": "Kind", "values": [{"value": "PERSON"}, {"value": "ROBOT"}]}],
        "objects": [
            {
                "name": "UserOutput",
                "fields": [{"name": "id", "type": "Int!"}],
                "relationships": [
                    {
                        "name": "comments",
                        "type": "array",
                        "remote_table": "comment",
                        "field_mapping": {"id": "article_id"},
                    }
                ],
            }
        ],
    },
}


def small_gateway(directory):
    gateway = sqlite_gateway(directory, **SMALL_EXTRA)
    source = gateway.metadata.sources[0]
    only_comment = dataclasses.replace(
        source, tables=tuple(t for t in source.tables if t.table.name == "comment")
    )
    gateway.metadata = dataclasses.replace(gateway.metadata, sources=(only_comment,))
    return gateway


def with_permissions(gateway, **permissions):
    """The gateway's metadata with select permissions added per table name."""
    document = gateway.metadata.to_dict()
    for entry in document["sources"][0]["tables"]:
        if entry["table"]["name"] in permissions:
            entry["select_permissions"] = permissions[entry["table"]["name"]]
    return Metadata.from_dict(document)


def test_the_printed_schema_of_a_small_metadata_is_stable(tmp_path):
    printed = print_schema(small_gateway(tmp_path).schema().graphql) + "\n"

    assert printed == SNAPSHOT.read_text()


def test_field_roles_say_what_each_field_reads(tmp_path):
    schema = sqlite_gateway(tmp_path, **SMALL_EXTRA).schema()

    assert schema.role_of("query_root", "author") == TableRootField("select", "author")
    assert schema.role_of("query_root", "author_by_pk") == TableRootField("select_by_pk", "author")
    assert schema.role_of("query_root", "author_aggregate") == TableRootField("select_aggregate", "author")
    assert isinstance(schema.role_of("mutation_root", "createUser"), ActionRootField)
    column = schema.role_of("author", "email")
    assert isinstance(column, ColumnField)
    assert column.column.data_type == "text"
    assert column.column.nullable
    articles = schema.role_of("author", "articles_aggregate")
    assert isinstance(articles, RelationshipField)
    assert articles.aggregate
    assert articles.relationship.mapping == (("id", "author_id"),)
    join = schema.role_of("UserOutput", "comments")
    assert isinstance(join, JoinField)
    assert join.mapping == (("id", "article_id"),)
    assert join.target == "comment"


def test_an_object_relationship_over_a_required_foreign_key_is_non_null(tmp_path):
    gateway = sqlite_gateway(tmp_path)
    document = gateway.metadata.to_dict()
    document["sources"][0]["tables"][2]["object_relationships"] = [
        {"name": "article", "using": {"foreign_key_constraint_on": "article_id"}}
    ]
    schema = build_gateway_schema(Metadata.from_dict(document), gateway.environment)

    assert isinstance(schema.graphql.get_type("comment").fields["article"].type, GraphQLNonNull)
    assert not isinstance(schema.graphql.get_type("article").fields["author"].type, GraphQLNonNull)


def test_a_role_sees_its_permitted_columns_relationships_and_actions(tmp_path):
    gateway = sqlite_gateway(tmp_path, **SMALL_EXTRA)
    metadata = with_permissions(
        gateway,
        author=[{"role": "user", "permission": {"columns": ["id", "name"], "filter": {}}}],
        comment=[{"role": "user", "permission": {"columns": "*", "filter": {}, "allow_aggregations": True}}],
    )

    schema = build_gateway_schema(metadata, gateway.environment, "user").graphql

    assert list(schema.get_type("author").fields) == ["id", "name"]
    assert "author_by_pk" in schema.query_type.fields
    assert "author_aggregate" not in schema.query_type.fields
    assert "comment_aggregate" in schema.query_type.fields
    assert schema.get_type("article") is None
    assert schema.mutation_type is None


def test_a_role_with_an_action_permission_sees_the_action(tmp_path):
    extra = dict(SMALL_EXTRA)
    extra["actions"] = [{**SMALL_EXTRA["actions"][0], "permissions": [{"role": "user"}]}]
    gateway = sqlite_gateway(tmp_path, **extra)

    schema = build_gateway_schema(gateway.metadata, gateway.environment, "user").graphql

    assert list(schema.query_type.fields) == ["no_queries_available"]
    assert list(schema.mutation_type.fields) == ["createUser"]
    assert "comments" not in schema.get_type("UserOutput").fields


def test_sqlite_tables_offer_the_aggregates_sqlite_has(tmp_path):
    schema = sqlite_gateway(tmp_path).schema().graphql

    assert list(schema.get_type("article_aggregate_fields").fields) == ["avg", "count", "max", "min", "sum"]
    assert list(schema.get_type("article_sum_fields").fields) == ["id", "author_id", "views"]
    assert list(schema.get_type("article_max_fields").fields) == ["id", "title", "author_id", "views"]


def test_postgres_tables_offer_the_statistical_aggregates_too(tmp_path):
    gateway = sqlite_gateway(tmp_path)
    document = dataset_metadata("postgresql://unused", kind="postgres")
    catalog = dataclasses.replace(gateway.environment.catalogs["default"], kind="postgres")
    environment = dataclasses.replace(gateway.environment, catalogs={"default": catalog})

    schema = build_gateway_schema(Metadata.from_dict(document), environment).graphql

    assert list(schema.get_type("author_aggregate_fields").fields) == [
        "avg",
        "count",
        "max",
        "min",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "sum",
        "var_pop",
        "var_samp",
        "variance",
    ]


def test_custom_names_rename_types_fields_and_root_fields(tmp_path):
    gateway = sqlite_gateway(tmp_path)
    document = gateway.metadata.to_dict()
    document["sources"][0]["tables"] = [
        table(
            "author",
            configuration={
                "custom_name": "writer",
                "custom_root_fields": {"select_by_pk": "writerById"},
                "column_config": {"name": {"custom_name": "fullName"}},
            },
        )
    ]

    schema = build_gateway_schema(Metadata.from_dict(document), gateway.environment).graphql

    assert list(schema.query_type.fields) == ["writer", "writer_aggregate", "writerById"]
    assert "fullName" in schema.get_type("writer").fields
    assert "fullName" in schema.get_type("writer_bool_exp").fields
