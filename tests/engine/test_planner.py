"""The planner: selections, arguments, permissions and joins as plan nodes, before any I/O."""

import pytest

from engine.graphql_errors import RequestErrors
from engine.plan.document import checked_document
from engine.plan.nodes import (
    AllOf,
    ArrayRelOut,
    ColumnOut,
    Compare,
    Direction,
    JoinKey,
    LiteralOut,
    ObjectRelOut,
    OrderColumn,
    OrderThrough,
    OutputJoin,
    OutputValue,
    RelatedExists,
)
from engine.plan.operation import plan_operation
from engine.plan.selections import phantom_alias
from tests.engine.gateway_support import sqlite_gateway
from tests.engine.test_schema_builder import with_permissions

REFS = {
    "actions": [
        {
            "name": "refs",
            "definition": {"type": "query", "handler": "http://127.0.0.1/r", "output_type": "[Ref!]!"},
        }
    ],
    "custom_types": {
        "objects": [
            {
                "name": "Ref",
                "fields": [{"name": "author_id", "type": "Int"}, {"name": "label", "type": "String"}],
                "relationships": [
                    {
                        "name": "author",
                        "type": "object",
                        "remote_table": "author",
                        "field_mapping": {"author_id": "id"},
                    },
                    {
                        "name": "articles",
                        "type": "array",
                        "remote_table": "article",
                        "field_mapping": {"author_id": "author_id"},
                    },
                ],
            }
        ]
    },
}


def plan(schema, query, variables=None, session=None):
    document = checked_document(schema, query)
    return plan_operation(schema, document, None, variables, session or {"x-hasura-role": schema.role})


@pytest.fixture
def gateway(tmp_path):
    return sqlite_gateway(tmp_path, **REFS)


def test_a_selection_keeps_aliases_order_and_relationships(gateway):
    (root,) = plan(
        gateway.schema(), "{ a: author { n: name __typename articles(limit: 2) { title } } }"
    ).roots

    assert (root.alias, root.kind) == ("a", "rows")
    name, typename, articles = root.selection
    assert name == ColumnOut("n", "name", "text")
    assert typename == LiteralOut("__typename", "author")
    assert isinstance(articles, ArrayRelOut)
    assert articles.args.limit == 2
    assert articles.hop.mapping == (("id", "author_id"),)
    assert articles.hop.target.type_name == "article"
    assert articles.selection == (ColumnOut("title", "title", "text"),)


def test_filters_and_ordering_become_expressions(gateway):
    query = '{ article(where: {author: {name: {_eq: "Ann"}}, views: {_gt: 3}}, order_by: [{author: {name: desc}}, {id: asc}]) { id } }'
    (root,) = plan(gateway.schema(), query).roots

    where = root.args.where
    assert isinstance(where, AllOf)
    views, related = where.items  # coerced in the order the input type declares its fields
    assert isinstance(related, RelatedExists)
    assert related.where == Compare("name", "text", "_eq", "Ann")
    assert views == Compare("views", "integer", "_gt", 3)
    through, by_id = root.args.order_by
    assert isinstance(through, OrderThrough)
    assert through.key == OrderColumn("name", Direction("DESC", "FIRST"))
    assert by_id == OrderColumn("id", Direction("ASC", "LAST"))


def test_by_primary_key_is_an_object_read_with_key_comparisons(gateway):
    (root,) = plan(gateway.schema(), "query ($id: Int!) { author_by_pk(id: $id) { name } }", {"id": 4}).roots

    assert root.kind == "object"
    assert root.args.where == Compare("id", "integer", "_eq", 4)


def test_the_role_filter_and_limit_apply_with_session_values(gateway):
    metadata = with_permissions(
        gateway,
        author=[
            {
                "role": "user",
                "permission": {"columns": ["id"], "filter": {"id": {"_eq": "X-Hasura-User-Id"}}, "limit": 5},
            }
        ],
        article=[{"role": "user", "permission": {"columns": ["id"], "filter": {"published": {"_eq": True}}}}],
    )
    gateway.metadata = metadata
    schema = gateway.schema("user")

    (root,) = plan(
        schema,
        "{ author(limit: 10, where: {id: {_gt: 0}}) { id articles { id } } }",
        session={"x-hasura-role": "user", "X-Hasura-User-Id": "7"},
    ).roots

    assert root.args.limit == 5
    assert root.args.where == AllOf(
        (Compare("id", "integer", "_eq", "7"), Compare("id", "integer", "_gt", 0))
    )
    _, articles = root.selection
    assert articles.args.where == Compare("published", "boolean", "_eq", True)


def test_join_keys_reuse_the_clients_selection_under_its_alias(gateway):
    (root,) = plan(gateway.schema(), "{ refs { aid: author_id author { name } } }").roots

    selected, join = root.selection
    assert selected == OutputValue("aid", "author_id")
    assert isinstance(join, OutputJoin)
    assert join.join.keys == (JoinKey("aid", "id", "integer"),)


def test_join_keys_not_selected_are_added_as_phantom_fields(gateway):
    (root,) = plan(gateway.schema(), "{ refs { label author { name } articles { title } } }").roots

    label, author, articles, phantom = root.selection
    assert phantom == OutputValue("author_id_join_column", "author_id", phantom=True)
    assert author.join.keys == (JoinKey("author_id_join_column", "id", "integer"),)
    assert articles.join.keys == (JoinKey("author_id_join_column", "author_id", "integer"),)
    assert author.join.kind == "object"
    assert articles.join.kind == "array"


def test_phantom_aliases_are_longer_than_every_alias_in_the_selection():
    assert phantom_alias("id", ["a", "b"]) == "id_join_column"
    assert phantom_alias("id", ["a" * 20]) == "id_join_column" + "_" * 7
    assert len(phantom_alias("id", ["id_join_column"])) == len("id_join_column") + 1


def test_object_relationship_rows_within_the_targets_row_filter(gateway):
    gateway.metadata = with_permissions(
        gateway,
        author=[
            {"role": "user", "permission": {"columns": ["name"], "filter": {"is_active": {"_eq": True}}}}
        ],
        article=[{"role": "user", "permission": {"columns": ["title"], "filter": {}}}],
    )

    (root,) = plan(gateway.schema("user"), "{ article { author { name } } }").roots

    (author,) = root.selection
    assert isinstance(author, ObjectRelOut)
    assert author.hop.filter == Compare("is_active", "boolean", "_eq", True)


def test_a_request_level_problem_is_raised_with_its_path(gateway):
    with pytest.raises(RequestErrors) as raised:
        plan(gateway.schema(), "{ article(where: {title: {_like: null}}) { id } }")

    (error,) = raised.value.errors
    assert (error.message, error.path) == (
        'unexpected null value for type "String"',
        "$.selectionSet.article.args.where.title._like",
    )
