"""Roles over POST /v1/graphql: what a role may read holds through every join, and admin reads everything.

The golden dataset (tests/integration/dataset.py) on PostgreSQL: authors 1 Ann and 4 Dee are active,
2 Bob is not, 3 Cid has no flag; articles 1-3 by Ann (2 unpublished), 4 by Bob, 5 by Dee
(unpublished), 6 by nobody. Role ``user`` reads active authors' id and name, and the articles that
are published or its own (``X-Hasura-User-Id``), without ``views``/``published``; it cannot read
comments. Role ``guest`` reads article ids, at most one row per selection, without aggregates. The
action ``authorsByIds`` answers ``[{author_id}]`` for the ids it is given; its output type joins
``author`` (object) and ``articles`` (array) by ``author_id``.
"""

import pytest

from tests.integration.dataset import load_postgres
from tests.support.servers import Reply

USER = {"x-hasura-role": "user", "x-hasura-user-id": "2"}
GUEST = {"x-hasura-role": "guest"}


def fk_array(name, table, column):
    return {
        "name": name,
        "using": {
            "foreign_key_constraint_on": {"table": {"schema": "public", "name": table}, "column": column}
        },
    }


def select_permission(role, **permission):
    return {"role": role, "permission": permission}


def library_metadata(database_url, handler):
    active_authors = select_permission("user", columns=["id", "name"], filter={"is_active": {"_eq": True}})
    readable_articles = {"_or": [{"published": {"_eq": True}}, {"author_id": {"_eq": "X-Hasura-User-Id"}}]}
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
                        "select_permissions": [active_authors],
                    },
                    {
                        "table": {"schema": "public", "name": "article"},
                        "object_relationships": [
                            {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}
                        ],
                        "array_relationships": [fk_array("comments", "comment", "article_id")],
                        "select_permissions": [
                            select_permission(
                                "user",
                                columns=["id", "title", "author_id"],
                                filter=readable_articles,
                                allow_aggregations=True,
                            ),
                            select_permission("guest", columns=["id"], filter={}, limit=1),
                        ],
                    },
                    {"table": {"schema": "public", "name": "comment"}},
                ],
            }
        ],
        "actions": [
            {
                "name": "authorsByIds",
                "definition": {
                    "type": "query",
                    "handler": handler + "/authors",
                    "arguments": [{"name": "ids", "type": "[Int!]!"}],
                    "output_type": "[AuthorRef!]!",
                },
                "permissions": [{"role": "user"}, {"role": "guest"}],
            },
            {
                "name": "siteStats",
                "definition": {"type": "query", "handler": handler + "/stats", "output_type": "Stats"},
            },
        ],
        "custom_types": {
            "objects": [
                {
                    "name": "AuthorRef",
                    "fields": [{"name": "author_id", "type": "Int!"}],
                    "relationships": [
                        {
                            "name": "author",
                            "type": "object",
                            "remote_table": {"schema": "public", "name": "author"},
                            "field_mapping": {"author_id": "id"},
                        },
                        {
                            "name": "articles",
                            "type": "array",
                            "remote_table": {"schema": "public", "name": "article"},
                            "field_mapping": {"author_id": "author_id"},
                        },
                    ],
                },
                {"name": "Stats", "fields": [{"name": "total", "type": "Int"}]},
            ]
        },
    }


@pytest.fixture
def library(pg_database_url, metadata_api, webhook_server, settings):
    """The dataset, its metadata and the action handlers, in open mode (trusted role headers)."""
    settings.ADMIN_SECRET = settings.JWT_SECRET = settings.AUTH_HOOK = settings.UNAUTHORIZED_ROLE = None
    load_postgres(pg_database_url)
    webhook_server.route(
        "/authors", lambda request: Reply(json=[{"author_id": i} for i in request.json["input"]["ids"]])
    )
    webhook_server.route("/stats", {"total": 6})
    metadata_api.ok("replace_metadata", library_metadata(pg_database_url, webhook_server.base_url))
    return webhook_server


def both(graphql_api, query, headers=USER):
    """The answers to one query as the restricted role and as admin."""
    return graphql_api.data(query, headers=headers), graphql_api.data(query)


def validation_error(path, message):
    return {"errors": [{"message": message, "extensions": {"path": path, "code": "validation-failed"}}]}


# --- root table ---------------------------------------------------------------------------------


@pytest.mark.postgres
def test_root_table_rows_and_columns(library, graphql_api):
    as_user, as_admin = both(graphql_api, "{ author(order_by: {id: asc}) { id name } }")

    assert as_user == {"author": [{"id": 1, "name": "Ann"}, {"id": 4, "name": "Dee"}]}
    assert as_admin == {
        "author": [
            {"id": 1, "name": "Ann"},
            {"id": 2, "name": "Bob"},
            {"id": 3, "name": "Cid"},
            {"id": 4, "name": "Dee"},
        ]
    }
    assert graphql_api.post("{ author { email } }", headers=USER).body == validation_error(
        "$.selectionSet.author.selectionSet.email", "field 'email' not found in type: 'author'"
    )
    assert graphql_api.data("{ author_by_pk(id: 2) { email } }") == {"author_by_pk": {"email": None}}
    assert graphql_api.data("{ author_by_pk(id: 2) { name } }", headers=USER) == {"author_by_pk": None}


# --- local object relationship -------------------------------------------------------------------


@pytest.mark.postgres
def test_local_object_relationship(library, graphql_api):
    as_user, as_admin = both(graphql_api, "{ article(order_by: {id: asc}) { id author { name } } }")

    assert as_user == {
        "article": [
            {"id": 1, "author": {"name": "Ann"}},
            {"id": 3, "author": {"name": "Ann"}},
            {"id": 4, "author": None},
            {"id": 6, "author": None},
        ]
    }
    assert as_admin == {
        "article": [
            {"id": 1, "author": {"name": "Ann"}},
            {"id": 2, "author": {"name": "Ann"}},
            {"id": 3, "author": {"name": "Ann"}},
            {"id": 4, "author": {"name": "Bob"}},
            {"id": 5, "author": {"name": "Dee"}},
            {"id": 6, "author": None},
        ]
    }
    assert graphql_api.post("{ article { author { email } } }", headers=USER).body == validation_error(
        "$.selectionSet.article.selectionSet.author.selectionSet.email",
        "field 'email' not found in type: 'author'",
    )


# --- local array relationship and its aggregate --------------------------------------------------

ARRAY_QUERY = (
    "{ author(order_by: {id: asc}) { name articles(order_by: {id: asc}) { id } "
    "articles_aggregate { aggregate { count max { id } } } } }"
)


@pytest.mark.postgres
def test_local_array_relationship_and_aggregate(library, graphql_api):
    as_user, as_admin = both(graphql_api, ARRAY_QUERY)

    assert as_user == {
        "author": [
            {
                "name": "Ann",
                "articles": [{"id": 1}, {"id": 3}],
                "articles_aggregate": {"aggregate": {"count": 2, "max": {"id": 3}}},
            },
            {
                "name": "Dee",
                "articles": [],
                "articles_aggregate": {"aggregate": {"count": 0, "max": {"id": None}}},
            },
        ]
    }
    assert as_admin == {
        "author": [
            {
                "name": "Ann",
                "articles": [{"id": 1}, {"id": 2}, {"id": 3}],
                "articles_aggregate": {"aggregate": {"count": 3, "max": {"id": 3}}},
            },
            {
                "name": "Bob",
                "articles": [{"id": 4}],
                "articles_aggregate": {"aggregate": {"count": 1, "max": {"id": 4}}},
            },
            {
                "name": "Cid",
                "articles": [],
                "articles_aggregate": {"aggregate": {"count": 0, "max": {"id": None}}},
            },
            {
                "name": "Dee",
                "articles": [{"id": 5}],
                "articles_aggregate": {"aggregate": {"count": 1, "max": {"id": 5}}},
            },
        ]
    }
    assert graphql_api.post("{ article { comments { body } } }", headers=USER).body == validation_error(
        "$.selectionSet.article.selectionSet.comments", "field 'comments' not found in type: 'article'"
    )


@pytest.mark.postgres
def test_the_permission_limit_applies_per_parent_row(library, graphql_api):
    query = "{ authorsByIds(ids: [1, 4]) { articles(order_by: {id: desc}) { id } } }"

    assert graphql_api.data(query, headers=GUEST) == {
        "authorsByIds": [{"articles": [{"id": 3}]}, {"articles": [{"id": 5}]}]
    }
    assert graphql_api.data(query) == {
        "authorsByIds": [{"articles": [{"id": 3}, {"id": 2}, {"id": 1}]}, {"articles": [{"id": 5}]}]
    }


# --- action -> table ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_action_to_table_object_relationship(library, graphql_api):
    query = "{ authorsByIds(ids: [1, 2]) { author_id author { id name } } }"

    answer = graphql_api.post(query, headers=USER)
    as_admin = graphql_api.data(query)

    assert answer.body == {
        "data": {
            "authorsByIds": [
                {"author_id": 1, "author": {"id": 1, "name": "Ann"}},
                {"author_id": 2, "author": None},
            ]
        }
    }
    assert (answer.sql_statements, answer.http_calls) == (1, 1)
    assert as_admin == {
        "authorsByIds": [
            {"author_id": 1, "author": {"id": 1, "name": "Ann"}},
            {"author_id": 2, "author": {"id": 2, "name": "Bob"}},
        ]
    }
    assert graphql_api.post(
        "{ authorsByIds(ids: [2]) { author { email } } }", headers=USER
    ).body == validation_error(
        "$.selectionSet.authorsByIds.selectionSet.author.selectionSet.email",
        "field 'email' not found in type: 'author'",
    )


ACTION_ARRAY_QUERY = (
    "{ authorsByIds(ids: [1, 4]) { author_id articles(order_by: {id: asc}) { id title } "
    "articles_aggregate { aggregate { count } } } }"
)


@pytest.mark.postgres
def test_action_to_table_array_relationship_and_aggregate(library, graphql_api):
    as_user, as_admin = both(graphql_api, ACTION_ARRAY_QUERY)

    assert as_user == {
        "authorsByIds": [
            {
                "author_id": 1,
                "articles": [{"id": 1, "title": "Apples"}, {"id": 3, "title": "Cherries"}],
                "articles_aggregate": {"aggregate": {"count": 2}},
            },
            {"author_id": 4, "articles": [], "articles_aggregate": {"aggregate": {"count": 0}}},
        ]
    }
    assert as_admin == {
        "authorsByIds": [
            {
                "author_id": 1,
                "articles": [
                    {"id": 1, "title": "Apples"},
                    {"id": 2, "title": "Bananas"},
                    {"id": 3, "title": "Cherries"},
                ],
                "articles_aggregate": {"aggregate": {"count": 3}},
            },
            {
                "author_id": 4,
                "articles": [{"id": 5, "title": "apricots"}],
                "articles_aggregate": {"aggregate": {"count": 1}},
            },
        ]
    }


@pytest.mark.postgres
def test_the_join_filter_uses_the_callers_session(library, graphql_api):
    query = "{ authorsByIds(ids: [1]) { articles(order_by: {id: asc}) { id } } }"

    as_ann = graphql_api.data(query, headers={**USER, "x-hasura-user-id": "1"})
    as_bob = graphql_api.data(query, headers=USER)

    assert as_ann == {"authorsByIds": [{"articles": [{"id": 1}, {"id": 2}, {"id": 3}]}]}
    assert as_bob == {"authorsByIds": [{"articles": [{"id": 1}, {"id": 3}]}]}


@pytest.mark.postgres
def test_hidden_columns_and_aggregates_stay_hidden_through_an_action_join(library, graphql_api):
    views = graphql_api.post("{ authorsByIds(ids: [1]) { articles { views } } }", headers=USER)
    aggregate = graphql_api.post(
        "{ authorsByIds(ids: [1]) { articles_aggregate { aggregate { count } } } }", headers=GUEST
    )
    filter_on_hidden = graphql_api.post(
        "{ authorsByIds(ids: [1]) { articles(where: {published: {_eq: false}}) { id } } }", headers=USER
    )

    assert views.body == validation_error(
        "$.selectionSet.authorsByIds.selectionSet.articles.selectionSet.views",
        "field 'views' not found in type: 'article'",
    )
    assert aggregate.body == validation_error(
        "$.selectionSet.authorsByIds.selectionSet.articles_aggregate",
        "field 'articles_aggregate' not found in type: 'AuthorRef'",
    )
    assert filter_on_hidden.body == validation_error(
        "$.selectionSet.authorsByIds.selectionSet.articles.args.where",
        "Field 'published' is not defined by type 'article_bool_exp'.",
    )


# --- actions per role and session variables -----------------------------------------------------


@pytest.mark.postgres
def test_an_action_without_a_permission_is_absent_for_the_role(library, graphql_api):
    assert graphql_api.post("{ siteStats { total } }", headers=USER).body == validation_error(
        "$.selectionSet.siteStats", "field 'siteStats' not found in type: 'query_root'"
    )
    assert graphql_api.data("{ siteStats { total } }") == {"siteStats": {"total": 6}}


@pytest.mark.postgres
def test_session_variables_reach_the_handler_lower_cased(library, graphql_api):
    graphql_api.data(
        "{ authorsByIds(ids: [1]) { author_id } }",
        headers={"X-Hasura-Role": "user", "X-Hasura-User-Id": "2", "X-Hasura-Org": "Acme"},
    )

    [call] = library.calls("/authors")
    assert call.json["session_variables"] == {
        "x-hasura-role": "user",
        "x-hasura-user-id": "2",
        "x-hasura-org": "Acme",
    }


# --- one schema per role --------------------------------------------------------------------------

INTROSPECTION = """{
  __schema { queryType { fields { name } } mutationType { name } types { name } }
  author: __type(name: "author") { fields { name } }
  article: __type(name: "article") { fields { name } }
  author_ref: __type(name: "AuthorRef") { fields { name } }
  article_aggregate_fields: __type(name: "article_aggregate_fields") { fields { name } }
  article_max_fields: __type(name: "article_max_fields") { fields { name } }
  article_sum_fields: __type(name: "article_sum_fields") { fields { name } }
  author_bool_exp: __type(name: "author_bool_exp") { inputFields { name } }
  article_bool_exp: __type(name: "article_bool_exp") { inputFields { name } }
  author_order_by: __type(name: "author_order_by") { inputFields { name } }
  article_order_by: __type(name: "article_order_by") { inputFields { name } }
  article_select_column: __type(name: "article_select_column") { enumValues { name } }
}"""


def names(entries):
    return {entry["name"] for entry in entries}


@pytest.mark.postgres
def test_introspection_shows_exactly_what_the_role_may_use(library, graphql_api):
    seen = graphql_api.data(INTROSPECTION, headers=USER)

    assert names(seen["__schema"]["queryType"]["fields"]) == {
        "author",
        "author_by_pk",
        "article",
        "article_by_pk",
        "article_aggregate",
        "authorsByIds",
    }
    assert seen["__schema"]["mutationType"] is None
    assert names(seen["author"]["fields"]) == {"id", "name", "articles", "articles_aggregate"}
    assert names(seen["article"]["fields"]) == {"id", "title", "author_id", "author"}
    assert names(seen["author_ref"]["fields"]) == {"author_id", "author", "articles", "articles_aggregate"}
    statistics = {"avg", "stddev", "stddev_pop", "stddev_samp", "var_pop", "var_samp", "variance"}
    assert names(seen["article_aggregate_fields"]["fields"]) == {"count", "max", "min", "sum"} | statistics
    assert names(seen["article_max_fields"]["fields"]) == {"id", "title", "author_id"}
    assert names(seen["article_sum_fields"]["fields"]) == {"id", "author_id"}
    assert names(seen["author_bool_exp"]["inputFields"]) == {"_and", "_or", "_not", "id", "name", "articles"}
    assert names(seen["article_bool_exp"]["inputFields"]) == {
        "_and",
        "_or",
        "_not",
        "id",
        "title",
        "author_id",
        "author",
    }
    assert names(seen["author_order_by"]["inputFields"]) == {"id", "name", "articles_aggregate"}
    assert names(seen["article_order_by"]["inputFields"]) == {"id", "title", "author_id", "author"}
    assert names(seen["article_select_column"]["enumValues"]) == {"id", "title", "author_id"}
    types = names(seen["__schema"]["types"])
    assert not {t for t in types if t.startswith(("comment", "author_aggregate", "author_max", "author_sum"))}
    assert "Stats" not in types


@pytest.mark.postgres
def test_introspection_as_a_role_without_aggregates_or_relationships(library, graphql_api):
    seen = graphql_api.data(INTROSPECTION, headers=GUEST)

    assert names(seen["__schema"]["queryType"]["fields"]) == {"article", "article_by_pk", "authorsByIds"}
    assert seen["author"] is None
    assert names(seen["article"]["fields"]) == {"id"}
    assert names(seen["author_ref"]["fields"]) == {"author_id", "articles"}
    assert seen["article_aggregate_fields"] is None
    assert names(seen["article_bool_exp"]["inputFields"]) == {"_and", "_or", "_not", "id"}


@pytest.mark.postgres
def test_admin_introspection_shows_everything(library, graphql_api):
    seen = graphql_api.data(INTROSPECTION)

    assert {"author_aggregate", "comment", "comment_by_pk", "siteStats"} <= names(
        seen["__schema"]["queryType"]["fields"]
    )
    assert {"email", "rating", "is_active"} <= names(seen["author"]["fields"])
    assert {"views", "published", "comments", "comments_aggregate"} <= names(seen["article"]["fields"])
