"""Roles through the remote join directions over POST /v1/graphql: a join is never a way around a permission.

The golden dataset (tests/integration/dataset.py) on PostgreSQL, tracked twice: as ``default`` and as
``other`` (the same database under a second source name, so table -> table joins cross sources). A real
local GraphQL server ``accounts`` serves ``Account {id user_id nickname}``; a real webhook serves the
actions ``whoami`` (permitted to ``user``) and ``profileOf`` (admin only).

Role ``user`` reads the author whose id is its ``X-Hasura-User-Id`` (id, name), published articles of
``other`` (id, title; one row per selection), and ``users`` (id, name: not ``auth0_id``).
"""

import pytest

from tests.integration.dataset import load_postgres
from tests.support.servers import GraphQLServer, Reply

USER = {"x-hasura-role": "user", "x-hasura-user-id": "1"}
ACCOUNTS_SDL = """
type Account { id: ID!  user_id: Int  nickname: String }
type Query { account(id: ID!): Account  accounts: [Account!]! }
"""
ACCOUNTS = [
    {"id": "arya|1", "user_id": 1, "nickname": "Arya"},
    {"id": "hodor|hodor", "user_id": 4, "nickname": "Hodor"},
    {"id": "bob|2", "user_id": 2, "nickname": "Bob"},
]


def permission(role, **granted):
    return {"role": role, "permission": granted}


def source(name, database_url, tables):
    return {
        "name": name,
        "kind": "postgres",
        "configuration": {"connection_info": {"database_url": database_url}},
        "tables": tables,
    }


def to_accounts(name, lhs_field):
    return {
        "name": name,
        "definition": {
            "to_remote_schema": {
                "remote_schema": "accounts",
                "lhs_fields": [lhs_field],
                "remote_field": {"account": {"arguments": {"id": f"${lhs_field}"}}},
            }
        },
    }


def to_profile(lhs_field):
    return {
        "name": "profile",
        "definition": {
            "to_action": {
                "action": "profileOf",
                "lhs_fields": [lhs_field],
                "arguments": {"id": f"${lhs_field}"},
            }
        },
    }


def world_metadata(database_url, accounts_url, handler):
    author = {
        "table": {"schema": "public", "name": "author"},
        "remote_relationships": [
            {
                "name": "other_articles",
                "definition": {
                    "to_source": {
                        "source": "other",
                        "table": {"schema": "public", "name": "article"},
                        "relationship_type": "array",
                        "field_mapping": {"id": "author_id"},
                    }
                },
            }
        ],
        "select_permissions": [
            permission("user", columns=["id", "name"], filter={"id": {"_eq": "X-Hasura-User-Id"}})
        ],
    }
    users = {
        "table": {"schema": "public", "name": "users"},
        "remote_relationships": [to_accounts("account", "auth0_id"), to_profile("auth0_id")],
        "select_permissions": [permission("user", columns=["id", "name"], filter={})],
    }
    comment = {
        "table": {"schema": "public", "name": "comment"},
        "remote_relationships": [to_accounts("account", "body")],
    }
    other_article = {
        "table": {"schema": "public", "name": "article"},
        "select_permissions": [
            permission("user", columns=["id", "title"], filter={"published": {"_eq": True}}, limit=1)
        ],
    }
    return {
        "version": 3,
        "sources": [
            source("default", database_url, [author, users, comment]),
            {
                **source("other", database_url, [other_article]),
                "customization": {"root_fields": {"prefix": "other_"}, "type_names": {"prefix": "other_"}},
            },
        ],
        "remote_schemas": [
            {
                "name": "accounts",
                "definition": {"url": accounts_url},
                "remote_relationships": [
                    {
                        "type_name": "Account",
                        "relationships": [
                            {
                                "name": "author",
                                "definition": {
                                    "to_source": {
                                        "source": "default",
                                        "table": {"schema": "public", "name": "author"},
                                        "relationship_type": "object",
                                        "field_mapping": {"user_id": "id"},
                                    }
                                },
                            }
                        ],
                    }
                ],
            }
        ],
        "actions": [
            {
                "name": "whoami",
                "definition": {"type": "query", "handler": handler + "/whoami", "output_type": "Who"},
                "permissions": [{"role": "user"}],
            },
            {
                "name": "profileOf",
                "definition": {
                    "type": "query",
                    "handler": handler + "/profile",
                    "arguments": [{"name": "id", "type": "String!"}],
                    "output_type": "Profile",
                },
            },
        ],
        "custom_types": {
            "objects": [
                {
                    "name": "Who",
                    "fields": [{"name": "auth0_id", "type": "String!"}],
                    "relationships": [to_accounts("account", "auth0_id"), to_profile("auth0_id")],
                },
                {"name": "Profile", "fields": [{"name": "bio", "type": "String"}]},
            ]
        },
    }


@pytest.fixture
def accounts():
    resolvers = {
        "Query": {
            "account": lambda obj, info, id: next((a for a in ACCOUNTS if a["id"] == id), None),
            "accounts": lambda obj, info: ACCOUNTS,
        }
    }
    with GraphQLServer(ACCOUNTS_SDL, resolvers) as server:
        yield server


@pytest.fixture
def world(pg_database_url, metadata_api, webhook_server, accounts, settings):
    """The dataset, its metadata, the remote server and the handlers, in open mode (trusted role headers)."""
    settings.ADMIN_SECRET = settings.JWT_SECRET = settings.AUTH_HOOK = settings.UNAUTHORIZED_ROLE = None
    load_postgres(pg_database_url)
    webhook_server.route("/whoami", Reply(json={"auth0_id": "arya|1"}))
    webhook_server.route("/profile", lambda request: Reply(json={"bio": request.json["input"]["id"]}))
    metadata_api.ok(
        "replace_metadata", world_metadata(pg_database_url, accounts.endpoint, webhook_server.base_url)
    )
    return accounts


def missing(graphql_api, query, field, type_name, path):
    body = graphql_api.post(query, headers=USER).body
    assert body == {
        "errors": [
            {
                "message": f"field '{field}' not found in type: '{type_name}'",
                "extensions": {"path": path, "code": "validation-failed"},
            }
        ]
    }


# --- remote schema -> table ---------------------------------------------------------------------


@pytest.mark.postgres
def test_remote_schema_to_table_applies_the_target_filter_with_the_callers_session(world, graphql_api):
    query = "{ accounts { id author { id name } } }"

    as_one = graphql_api.data(query, headers=USER)
    as_four = graphql_api.data(query, headers={**USER, "x-hasura-user-id": "4"})
    as_admin = graphql_api.data(query)

    assert as_one == {
        "accounts": [
            {"id": "arya|1", "author": {"id": 1, "name": "Ann"}},
            {"id": "hodor|hodor", "author": None},
            {"id": "bob|2", "author": None},
        ]
    }
    assert as_four["accounts"][1] == {"id": "hodor|hodor", "author": {"id": 4, "name": "Dee"}}
    assert [a["author"]["name"] for a in as_admin["accounts"]] == ["Ann", "Dee", "Bob"]
    missing(
        graphql_api,
        "{ accounts { author { email } } }",
        "email",
        "author",
        "$.selectionSet.accounts.selectionSet.author.selectionSet.email",
    )


# --- table -> table of another source -----------------------------------------------------------


@pytest.mark.postgres
def test_to_source_applies_the_target_filter_columns_and_limit(world, graphql_api):
    query = "{ author_by_pk(id: 1) { other_articles(order_by: {id: desc}) { id title } } }"

    as_user = graphql_api.data(query, headers=USER)
    as_admin = graphql_api.data(query)

    assert as_user == {"author_by_pk": {"other_articles": [{"id": 3, "title": "Cherries"}]}}
    assert as_admin == {
        "author_by_pk": {
            "other_articles": [
                {"id": 3, "title": "Cherries"},
                {"id": 2, "title": "Bananas"},
                {"id": 1, "title": "Apples"},
            ]
        }
    }
    missing(
        graphql_api,
        "{ author { other_articles { views } } }",
        "views",
        "other_article",
        "$.selectionSet.author.selectionSet.other_articles.selectionSet.views",
    )


# --- table -> remote schema ---------------------------------------------------------------------


@pytest.mark.postgres
def test_table_to_remote_schema_fetches_a_join_column_the_role_cannot_read(world, graphql_api):
    query = "{ users(order_by: {id: asc}) { name account { nickname } } }"

    assert graphql_api.data(query, headers=USER) == {
        "users": [
            {"name": "Arya", "account": {"nickname": "Arya"}},
            {"name": "Bran", "account": None},
            {"name": "Hodor", "account": {"nickname": "Hodor"}},
        ]
    }
    missing(
        graphql_api,
        "{ users { auth0_id } }",
        "auth0_id",
        "users",
        "$.selectionSet.users.selectionSet.auth0_id",
    )


# --- joins to an action the role may not call ----------------------------------------------------


@pytest.mark.postgres
def test_table_to_action_and_action_to_action_need_the_target_actions_permission(world, graphql_api):
    missing(
        graphql_api,
        "{ users { profile { bio } } }",
        "profile",
        "users",
        "$.selectionSet.users.selectionSet.profile",
    )
    missing(
        graphql_api,
        "{ whoami { profile { bio } } }",
        "profile",
        "Who",
        "$.selectionSet.whoami.selectionSet.profile",
    )
    assert graphql_api.data("{ whoami { profile { bio } } }") == {"whoami": {"profile": {"bio": "arya|1"}}}
    assert graphql_api.data("{ users(where: {id: {_eq: 1}}) { profile { bio } } }") == {
        "users": [{"profile": {"bio": "arya|1"}}]
    }


@pytest.mark.postgres
def test_action_to_remote_schema_then_table_keeps_the_table_permission(world, graphql_api):
    query = "{ whoami { auth0_id account { nickname author { name } } } }"

    assert graphql_api.data(query, headers={**USER, "x-hasura-user-id": "2"}) == {
        "whoami": {"auth0_id": "arya|1", "account": {"nickname": "Arya", "author": None}}
    }
    assert graphql_api.data(query) == {
        "whoami": {"auth0_id": "arya|1", "account": {"nickname": "Arya", "author": {"name": "Ann"}}}
    }


# --- introspection --------------------------------------------------------------------------------

INTROSPECTION = """{
  __schema { queryType { fields { name } } }
  users: __type(name: "users") { fields { name } }
  author: __type(name: "author") { fields { name } }
  who: __type(name: "Who") { fields { name } }
  account: __type(name: "Account") { fields { name } }
  other_article: __type(name: "other_article") { fields { name } }
  comment: __type(name: "comment") { fields { name } }
  profile: __type(name: "Profile") { name }
}"""


def names(entries):
    return {entry["name"] for entry in entries}


@pytest.mark.postgres
def test_introspection_as_the_role_shows_none_of_the_joins_it_may_not_use(world, graphql_api):
    seen = graphql_api.data(INTROSPECTION, headers=USER)

    assert names(seen["__schema"]["queryType"]["fields"]) == {
        "author",
        "author_by_pk",
        "users",
        "users_by_pk",
        "other_article",
        "other_article_by_pk",
        "whoami",
        "account",
        "accounts",
    }
    assert names(seen["users"]["fields"]) == {"id", "name", "account"}
    assert names(seen["author"]["fields"]) == {"id", "name", "other_articles"}
    assert names(seen["who"]["fields"]) == {"auth0_id", "account"}
    assert names(seen["account"]["fields"]) == {"id", "user_id", "nickname", "author"}
    assert names(seen["other_article"]["fields"]) == {"id", "title"}
    assert seen["comment"] is None
    assert seen["profile"] is None
