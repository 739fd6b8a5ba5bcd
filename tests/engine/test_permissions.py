"""Select permissions hold through every local join: row filters, columns, limits and aggregates of a role.

Runs on the golden dataset in SQLite (see tests/integration/dataset.py): authors 1 Ann, 2 Bob, 3 Cid,
4 Dee; articles 1-3 by Ann (2 unpublished), 4 by Bob, 5 by Dee (unpublished), 6 by nobody.
"""

import orjson
import pytest

from engine.graphql_errors import RequestError
from engine.metadata import Metadata
from engine.plan.array_literal import parse_array_literal
from tests.engine.gateway_support import sqlite_gateway

EVERYTHING = {"columns": "*", "filter": {}}


@pytest.fixture
def gateway(tmp_path):
    return sqlite_gateway(tmp_path)


def permit(gateway, **permissions):
    """Give role ``user`` these select permissions (per table name); tables not named stay unreadable."""
    document = gateway.metadata.to_dict()
    for entry in document["sources"][0]["tables"]:
        permission = permissions.get(entry["table"]["name"])
        if permission is not None:
            entry["select_permissions"] = [{"role": "user", "permission": permission}]
    gateway.metadata = Metadata.from_dict(document)
    return gateway


def as_user(gateway, query, **session):
    variables = {
        "x-hasura-role": "user",
        **{f"x-hasura-{k.replace('_', '-')}": v for k, v in session.items()},
    }
    return orjson.loads(gateway.run(query, role="user", session=variables).encode())


def data(gateway, query, **session):
    answer = as_user(gateway, query, **session)
    assert "errors" not in answer, answer
    return answer["data"]


def admin_data(gateway, query):
    answer = orjson.loads(gateway.run(query).encode())
    assert "errors" not in answer, answer
    return answer["data"]


PUBLISHED = {"columns": ["id", "title"], "filter": {"published": {"_eq": True}}}


# --- local relationships ------------------------------------------------------------------------


def test_an_array_relationship_returns_only_the_target_rows_the_role_may_read(gateway):
    permit(gateway, author={"columns": ["id", "name"], "filter": {}}, article=PUBLISHED)
    query = "{ author_by_pk(id: 1) { articles(order_by: {id: asc}) { id title } } }"

    assert data(gateway, query) == {
        "author_by_pk": {"articles": [{"id": 1, "title": "Apples"}, {"id": 3, "title": "Cherries"}]}
    }
    assert admin_data(gateway, query)["author_by_pk"]["articles"] == [
        {"id": 1, "title": "Apples"},
        {"id": 2, "title": "Bananas"},
        {"id": 3, "title": "Cherries"},
    ]


def test_an_object_relationship_to_a_row_outside_the_filter_is_null(gateway):
    permit(
        gateway,
        author={"columns": ["id", "name"], "filter": {"is_active": {"_eq": True}}},
        article={"columns": ["id", "title"], "filter": {}},
    )
    query = "{ article(where: {id: {_in: [1, 4]}}, order_by: {id: asc}) { id author { name } } }"

    assert data(gateway, query) == {
        "article": [{"id": 1, "author": {"name": "Ann"}}, {"id": 4, "author": None}]
    }
    assert admin_data(gateway, query) == {
        "article": [{"id": 1, "author": {"name": "Ann"}}, {"id": 4, "author": {"name": "Bob"}}]
    }


def test_the_target_limit_applies_per_parent_row(gateway):
    permit(
        gateway,
        author={"columns": ["id"], "filter": {}},
        article={"columns": ["id"], "filter": {}, "limit": 1},
    )

    assert data(gateway, "{ author(order_by: {id: asc}) { id articles(order_by: {id: asc}) { id } } }") == {
        "author": [
            {"id": 1, "articles": [{"id": 1}]},
            {"id": 2, "articles": [{"id": 4}]},
            {"id": 3, "articles": []},
            {"id": 4, "articles": [{"id": 5}]},
        ]
    }


def test_a_relationship_aggregate_counts_only_readable_rows(gateway):
    permit(
        gateway,
        author={"columns": ["id"], "filter": {}},
        article={**PUBLISHED, "allow_aggregations": True},
    )
    query = "{ author_by_pk(id: 1) { articles_aggregate(order_by: {id: asc}) { aggregate { count } nodes { title } } } }"

    assert data(gateway, query) == {
        "author_by_pk": {
            "articles_aggregate": {
                "aggregate": {"count": 2},
                "nodes": [{"title": "Apples"}, {"title": "Cherries"}],
            }
        }
    }
    assert admin_data(gateway, query)["author_by_pk"]["articles_aggregate"]["aggregate"] == {"count": 3}


def test_a_relationship_aggregate_needs_allow_aggregations_on_the_target(gateway):
    permit(gateway, author={"columns": ["id"], "filter": {}}, article=PUBLISHED)

    answer = as_user(gateway, "{ author { articles_aggregate { aggregate { count } } } }")

    assert answer == {
        "errors": [
            {
                "message": "field 'articles_aggregate' not found in type: 'author'",
                "extensions": {
                    "path": "$.selectionSet.author.selectionSet.articles_aggregate",
                    "code": "validation-failed",
                },
            }
        ]
    }


def test_a_client_filter_through_a_relationship_cannot_match_hidden_rows(gateway):
    permit(gateway, author={"columns": ["id", "name"], "filter": {}}, article=PUBLISHED)

    # "Bananas" exists, but it is unpublished: filtering authors by it must not reveal whose it is.
    query = '{ author(where: {articles: {title: {_eq: "Bananas"}}}) { name } }'

    assert data(gateway, query) == {"author": []}
    assert admin_data(gateway, query) == {"author": [{"name": "Ann"}]}


def test_ordering_by_a_relationship_aggregate_counts_only_readable_rows(gateway):
    permit(
        gateway,
        author={"columns": ["id", "name"], "filter": {"id": {"_in": [1, 4]}}},
        article={"columns": ["id"], "filter": {"published": {"_eq": False}}, "allow_aggregations": True},
    )
    # Ann has 3 articles (1 unpublished), Dee 1 (unpublished): counting hidden rows would put Ann first.
    query = "{ author(order_by: [{articles_aggregate: {count: desc}}, {id: desc}]) { name } }"

    assert data(gateway, query) == {"author": [{"name": "Dee"}, {"name": "Ann"}]}


def test_ordering_through_an_object_relationship_ignores_hidden_rows(gateway):
    permit(
        gateway,
        author={"columns": ["name"], "filter": {"id": {"_eq": 4}}},
        article={"columns": ["id"], "filter": {"id": {"_in": [1, 5]}}},
    )
    # Ann's name would sort first; her row is hidden, so article 1 sorts by NULL (last).
    query = "{ article(order_by: {author: {name: asc}}) { id } }"

    assert data(gateway, query) == {"article": [{"id": 5}, {"id": 1}]}


# --- row filters --------------------------------------------------------------------------------


def test_a_row_filter_may_follow_a_relationship_to_a_table_the_role_cannot_read(gateway):
    permit(gateway, article={"columns": ["id"], "filter": {"author": {"is_active": {"_eq": True}}}})

    assert data(gateway, "{ article(order_by: {id: asc}) { id } }") == {
        "article": [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 5}]
    }
    assert (
        "author"
        not in as_user(gateway, '{ __type(name: "article") { fields { name } } }')["data"]["__type"]["fields"]
    )


def test_a_row_filter_through_a_relationship_is_not_narrowed_by_the_targets_own_filter(gateway):
    permit(
        gateway,
        author={"columns": ["id"], "filter": {"id": {"_eq": 4}}},
        article={"columns": ["id"], "filter": {"author": {"is_active": {"_eq": True}}}},
    )

    assert data(gateway, "{ article(order_by: {id: asc}) { id } }") == {
        "article": [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 5}]
    }


def test_exists_looks_into_another_table_with_the_session(gateway):
    active = {"id": {"_eq": "X-Hasura-User-Id"}, "is_active": {"_eq": True}}
    exists = {"_exists": {"_table": {"schema": "public", "name": "author"}, "_where": active}}
    permit(
        gateway, article={"columns": ["id"], "filter": {"_and": [{"author_id": "X-Hasura-User-Id"}, exists]}}
    )
    query = "{ article(order_by: {id: asc}) { id } }"

    assert data(gateway, query, user_id="1") == {"article": [{"id": 1}, {"id": 2}, {"id": 3}]}
    # Bob wrote article 4, but he is not active.
    assert data(gateway, query, user_id="2") == {"article": []}


def test_a_bare_value_in_a_row_filter_means_eq(gateway):
    permit(gateway, author={"columns": ["name"], "filter": {"id": "X-Hasura-User-Id"}})

    assert data(gateway, "{ author { name } }", user_id="2") == {"author": [{"name": "Bob"}]}


def test_in_with_a_session_variable_holding_an_array_literal(gateway):
    permit(gateway, author={"columns": ["id", "name"], "filter": {"id": {"_in": "X-Hasura-Author-Ids"}}})

    assert data(gateway, "{ author(order_by: {id: asc}) { name } }", author_ids="{1, 3}") == {
        "author": [{"name": "Ann"}, {"name": "Cid"}]
    }


def test_a_session_variable_that_is_not_an_array_literal_is_refused(gateway):
    permit(gateway, author={"columns": ["name"], "filter": {"id": {"_in": "X-Hasura-Author-Ids"}}})

    (error,) = as_user(gateway, "{ author { name } }", author_ids="1,3")["errors"]

    assert error["extensions"]["code"] == "parse-failed"


def test_column_comparison_within_the_row(gateway):
    permit(gateway, article={"columns": ["id"], "filter": {"id": {"_ceq": "author_id"}}})

    assert data(gateway, "{ article { id } }") == {"article": [{"id": 1}]}


def test_column_comparison_with_the_filtered_row_from_across_a_relationship(gateway):
    permit(gateway, author={"columns": ["name"], "filter": {"articles": {"id": {"_ceq": ["$", "id"]}}}})

    # Only Ann (1) wrote the article with her own id; "$" must not mean the article row itself.
    assert data(gateway, "{ author { name } }") == {"author": [{"name": "Ann"}]}


def test_column_comparison_operators(gateway):
    permit(
        gateway,
        article={
            "columns": ["id"],
            "filter": {"_and": [{"views": {"_cgt": "id"}}, {"author_id": {"_cne": ["id"]}}]},
        },
    )

    assert data(gateway, "{ article(order_by: {id: asc}) { id } }") == {
        "article": [{"id": 2}, {"id": 4}, {"id": 5}]
    }


def test_a_missing_session_variable_fails_the_request(gateway):
    permit(gateway, author={"columns": ["name"], "filter": {"id": {"_eq": "X-Hasura-User-Id"}}})

    assert as_user(gateway, "{ author { name } }") == {
        "errors": [
            {
                "message": 'missing session variable: "x-hasura-user-id"',
                "extensions": {"path": "$", "code": "not-found"},
            }
        ]
    }


# --- array literals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "elements"),
    [
        ("{}", []),
        ("{1,2}", ["1", "2"]),
        (" { 1 , 2 } ", ["1", "2"]),
        ('{a,"b c","q\\"x","",NULL,"null"}', ["a", "b c", 'q"x', "", None, "null"]),
    ],
)
def test_array_literals(text, elements):
    assert parse_array_literal(text) == elements


@pytest.mark.parametrize("text", ["1,2", "[1,2]", "{1,,2}", '{"a}', "{{1},{2}}", '{"a"b}'])
def test_texts_that_are_not_array_literals(text):
    with pytest.raises(RequestError):
        parse_array_literal(text)
