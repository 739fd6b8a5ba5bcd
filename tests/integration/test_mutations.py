"""Table mutations over POST /v1/graphql on PostgreSQL: every root field, returning, upserts, one transaction.

The golden dataset (tests/integration/dataset.py). ``users`` joins an Auth0 stand-in (a real local
GraphQL server) through a remote relationship; the action ``audit`` (a real local webhook) lets a
request mix table mutations with a handler call. A plain answer costs one statement (the change in a
CTE); an answer reading relationships costs two, so they see the rows as changed.
"""

import psycopg2
import pytest

from tests.integration.dataset import load_postgres
from tests.support.servers import GraphQLServer, Reply

AUTH0_SDL = "type Profile { nickname: String }  type Query { auth0_profile(id: String!): Profile }"


def fk_array(name, table, column):
    return {
        "name": name,
        "using": {
            "foreign_key_constraint_on": {"table": {"schema": "public", "name": table}, "column": column}
        },
    }


def library_metadata(database_url, handler, auth0_url):
    return {
        "version": 3,
        "sources": [
            {
                "name": "default",
                "kind": "postgres",
                "configuration": {"connection_info": {"database_url": database_url}},
                "tables": [
                    {
                        "table": {"schema": "public", "name": "author"},
                        "array_relationships": [fk_array("articles", "article", "author_id")],
                    },
                    {
                        "table": {"schema": "public", "name": "article"},
                        "object_relationships": [
                            {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}
                        ],
                    },
                    {
                        "table": {"schema": "public", "name": "users"},
                        "remote_relationships": [
                            {
                                "name": "profile",
                                "definition": {
                                    "to_remote_schema": {
                                        "remote_schema": "auth0",
                                        "lhs_fields": ["auth0_id"],
                                        "remote_field": {"auth0_profile": {"arguments": {"id": "$auth0_id"}}},
                                    }
                                },
                            }
                        ],
                    },
                    {"table": {"schema": "public", "name": "doc"}},
                ],
            }
        ],
        "remote_schemas": [{"name": "auth0", "definition": {"url": auth0_url, "timeout_seconds": 5}}],
        "actions": [
            {
                "name": "audit",
                "definition": {"handler": handler + "/audit", "output_type": "Boolean!"},
            }
        ],
    }


@pytest.fixture
def auth0():
    profiles = {"hodor|1": {"nickname": "Hodor"}}
    resolvers = {"Query": {"auth0_profile": lambda obj, info, id: profiles.get(id)}}
    with GraphQLServer(AUTH0_SDL, resolvers) as server:
        yield server


@pytest.fixture
def library(pg_database_url, metadata_api, webhook_server, auth0):
    load_postgres(pg_database_url)
    webhook_server.route("/audit", Reply(status=400, json={"message": "audit refused"}))
    metadata_api.ok(
        "replace_metadata", library_metadata(pg_database_url, webhook_server.base_url, auth0.endpoint)
    )
    return pg_database_url


def rows(database_url, query):
    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


@pytest.mark.postgres
def test_insert_rows_in_one_statement(library, graphql_api):
    answer = graphql_api.post(
        'mutation { insert_author(objects: [{id: 10, name: "Eve"}, {id: 11, name: "Fay", email: "f@example.com"}]) '
        "{ affected_rows returning { id name email } } }"
    )

    assert answer.body == {
        "data": {
            "insert_author": {
                "affected_rows": 2,
                "returning": [
                    {"id": 10, "name": "Eve", "email": None},
                    {"id": 11, "name": "Fay", "email": "f@example.com"},
                ],
            }
        }
    }
    assert (answer.sql_statements, answer.http_calls) == (1, 0)
    assert rows(library, "SELECT id, name FROM author WHERE id >= 10 ORDER BY id") == [
        (10, "Eve"),
        (11, "Fay"),
    ]


@pytest.mark.postgres
def test_insert_one_answers_the_row_with_its_relationships(library, graphql_api):
    answer = graphql_api.post(
        'mutation { insert_article_one(object: {id: 7, title: "Figs", author_id: 4, published: true}) '
        "{ id title author { name articles(order_by: {id: asc}) { id } } } }"
    )

    # The relationships are read by a second statement, which sees the new article.
    assert answer.body == {
        "data": {
            "insert_article_one": {
                "id": 7,
                "title": "Figs",
                "author": {"name": "Dee", "articles": [{"id": 5}, {"id": 7}]},
            }
        }
    }
    assert answer.sql_statements == 2


@pytest.mark.postgres
def test_update_with_where_set_and_inc(library, graphql_api):
    answer = graphql_api.post(
        'mutation { update_article(where: {author_id: {_eq: 1}, views: {_is_null: false}}, _set: {title: "Pears"}, '
        "_inc: {views: 1}) { affected_rows returning { id title views } } }"
    )

    assert answer.body == {
        "data": {
            "update_article": {
                "affected_rows": 2,
                "returning": [
                    {"id": 1, "title": "Pears", "views": 101},
                    {"id": 2, "title": "Pears", "views": 21},
                ],
            }
        }
    }
    assert answer.sql_statements == 1


@pytest.mark.postgres
def test_update_by_pk_and_delete_by_pk(library, graphql_api):
    data = graphql_api.data(
        "mutation { u: update_author_by_pk(pk_columns: {id: 3}, _set: {is_active: true}) { id is_active } "
        "missing: update_author_by_pk(pk_columns: {id: 99}, _set: {is_active: true}) { id } "
        "d: delete_article_by_pk(id: 6) { id title } gone: delete_article_by_pk(id: 6) { id } }"
    )

    assert data == {
        "u": {"id": 3, "is_active": True},
        "missing": None,
        "d": {"id": 6, "title": "Elderberries_100%"},
        "gone": None,
    }


@pytest.mark.postgres
def test_delete_returns_the_deleted_rows_and_their_relationships(library, graphql_api):
    answer = graphql_api.post(
        "mutation { delete_article(where: {published: {_eq: false}, _not: {id: {_eq: 2}}}) "
        "{ affected_rows returning { id author { name } } } }"
    )

    assert answer.body == {
        "data": {"delete_article": {"affected_rows": 1, "returning": [{"id": 5, "author": {"name": "Dee"}}]}}
    }
    assert rows(library, "SELECT count(*) FROM article WHERE id = 5") == [(0,)]


@pytest.mark.postgres
def test_upsert_on_a_constraint(library, graphql_api):
    data = graphql_api.data(
        "mutation { a: insert_author(objects: ["
        '{id: 1, name: "Anna", email: "x"}, {id: 12, name: "Gus"}], '
        "on_conflict: {constraint: author_pkey, update_columns: [name], where: {is_active: {_eq: true}}}) "
        "{ affected_rows returning { id name email } } "
        'b: insert_author(objects: [{id: 2, name: "Bobby"}], on_conflict: {constraint: author_pkey, update_columns: [name], '
        "where: {is_active: {_eq: true}}}) { affected_rows } "
        'c: insert_author_one(object: {id: 4, name: "Dina"}, on_conflict: {constraint: author_pkey}) { id } }'
    )

    assert data == {
        "a": {
            "affected_rows": 2,
            "returning": [
                {"id": 1, "name": "Anna", "email": "ann@example.com"},
                {"id": 12, "name": "Gus", "email": None},
            ],
        },
        "b": {"affected_rows": 0},
        "c": None,
    }
    assert rows(library, "SELECT id, name FROM author WHERE id IN (2, 4) ORDER BY id") == [
        (2, "Bob"),
        (4, "Dee"),
    ]


@pytest.mark.postgres
def test_database_types_round_trip(library, graphql_api):
    data = graphql_api.data(
        "mutation ($doc: doc_insert_input!) { insert_doc_one(object: $doc) { id created_at body price tags } "
        'update_doc(where: {body: {_has_key: "kind"}}, _set: {tags: ["z"]}, _inc: {price: 1}) '
        "{ affected_rows returning { price tags } } }",
        {
            "doc": {
                "id": "44444444-4444-4444-4444-444444444444",
                "created_at": "2024-05-06T07:08:09+00:00",
                "body": {"kind": "list", "items": [1, 2]},
                "price": 2.5,
                "tags": ["x", "y"],
            }
        },
    )

    assert data["insert_doc_one"] == {
        "id": "44444444-4444-4444-4444-444444444444",
        "created_at": "2024-05-06T07:08:09+00:00",
        "body": {"kind": "list", "items": [1, 2]},
        "price": 2.5,
        "tags": ["x", "y"],
    }
    assert data["update_doc"]["affected_rows"] == 3
    assert {"price": 3.5, "tags": ["z"]} in data["update_doc"]["returning"]


@pytest.mark.postgres
def test_a_remote_relationship_in_returning_is_joined_after_commit(library, graphql_api, auth0):
    answer = graphql_api.post(
        'mutation { insert_users(objects: [{id: 5, name: "Hodor", auth0_id: "hodor|1"}, {id: 6, name: "Nobody"}]) '
        "{ returning { name profile { nickname } } } }"
    )

    assert answer.body == {
        "data": {
            "insert_users": {
                "returning": [
                    {"name": "Hodor", "profile": {"nickname": "Hodor"}},
                    {"name": "Nobody", "profile": None},
                ]
            }
        }
    }
    assert (answer.sql_statements, answer.http_calls) == (1, 1)


@pytest.mark.postgres
def test_one_transaction_for_the_request_rolled_back_on_any_error(library, graphql_api, webhook_server):
    failed_sql = graphql_api.post(
        'mutation { insert_author_one(object: {id: 20, name: "Ivy"}) { id } '
        'insert_article_one(object: {id: 1, title: "Duplicate", published: true}) { id } }'
    )
    failed_action = graphql_api.post(
        'mutation { delete_doc(where: {}) { affected_rows } update_author(where: {}, _set: {name: "x"}) '
        "{ affected_rows } audit }"
    )

    assert failed_sql.body["errors"][0]["extensions"]["code"] == "constraint-violation"
    assert failed_action.body == {
        "errors": [{"message": "audit refused", "extensions": {"path": "$", "code": "unexpected"}}]
    }
    assert len(webhook_server.calls("/audit")) == 1
    assert rows(library, "SELECT count(*) FROM author WHERE id = 20 OR name = 'x'") == [(0,)]
    assert rows(library, "SELECT count(*) FROM doc") == [(3,)]


@pytest.mark.postgres
def test_later_fields_see_earlier_changes(library, graphql_api):
    data = graphql_api.data(
        'mutation { insert_author_one(object: {id: 30, name: "Kim"}) { id } '
        'insert_article(objects: [{id: 31, title: "Kiwis", author_id: 30, published: true}]) '
        "{ returning { author { name } } } }"
    )

    assert data == {
        "insert_author_one": {"id": 30},
        "insert_article": {"returning": [{"author": {"name": "Kim"}}]},
    }
