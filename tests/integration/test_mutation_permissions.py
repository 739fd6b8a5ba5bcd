"""Insert, update and delete permissions over POST /v1/graphql on PostgreSQL, enforced like select permissions.

The golden dataset: authors 1 Ann and 4 Dee are active, 2 Bob is not, 3 Cid has no flag; articles
1-3 by Ann (2 unpublished), 4 by Bob, 5 by Dee (unpublished), 6 by nobody. Role ``user`` (its id in
``X-Hasura-User-Id``) reads active authors' names and published or own articles; it inserts
articles as itself (preset ``author_id``) only under an active author, changes only its own
articles' titles (``published`` reset by a preset, a title never ending in ``!``) and deletes its
own unpublished articles. Role ``guest`` may only insert comments, which it cannot read.
"""

import psycopg2
import pytest

from tests.integration.dataset import load_postgres

OWN = {"author_id": {"_eq": "X-Hasura-User-Id"}}
CHECK_FAILED = {
    "errors": [
        {
            "message": "check constraint of an insert/update permission has failed",
            "extensions": {"path": "$", "code": "permission-error"},
        }
    ]
}


def permission(role, **body):
    return {"role": role, "permission": body}


def permissions_metadata(database_url):
    article_permissions = {
        "select_permissions": [
            permission(
                "user",
                columns=["id", "title", "author_id", "published"],
                filter={"_or": [{"published": {"_eq": True}}, OWN]},
            )
        ],
        "insert_permissions": [
            permission(
                "user",
                columns=["id", "title", "published"],
                check={"author": {"is_active": {"_eq": True}}},
                set={"author_id": "X-Hasura-User-Id"},
            )
        ],
        "update_permissions": [
            permission(
                "user",
                columns=["title"],
                filter=OWN,
                check={"title": {"_nlike": "%!"}},
                set={"published": False},
            )
        ],
        "delete_permissions": [permission("user", filter={"_and": [OWN, {"published": {"_eq": False}}]})],
    }
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
                        "select_permissions": [
                            permission("user", columns=["id", "name"], filter={"is_active": {"_eq": True}})
                        ],
                    },
                    {
                        "table": {"schema": "public", "name": "article"},
                        "object_relationships": [
                            {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}
                        ],
                        **article_permissions,
                    },
                    {
                        "table": {"schema": "public", "name": "comment"},
                        "insert_permissions": [
                            permission("guest", columns=["id", "article_id", "body"], check={})
                        ],
                    },
                ],
            }
        ],
    }


@pytest.fixture
def library(pg_database_url, metadata_api, settings):
    settings.ADMIN_SECRET = settings.JWT_SECRET = settings.AUTH_HOOK = settings.UNAUTHORIZED_ROLE = None
    load_postgres(pg_database_url)
    metadata_api.ok("replace_metadata", permissions_metadata(pg_database_url))
    return pg_database_url


def as_user(user_id):
    return {"x-hasura-role": "user", "x-hasura-user-id": str(user_id)}


def rows(database_url, query):
    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


@pytest.mark.postgres
def test_insert_as_the_session_user_under_the_check(library, graphql_api):
    inserted = graphql_api.post(
        'mutation { insert_article_one(object: {id: 10, title: "Mine", published: true}) '
        "{ id author_id author { name } } }",
        headers=as_user(1),
    )
    refused = graphql_api.post(
        'mutation { insert_article_one(object: {id: 11, title: "Inactive", published: true}) { id } }',
        headers=as_user(2),
    )

    assert inserted.body == {
        "data": {"insert_article_one": {"id": 10, "author_id": 1, "author": {"name": "Ann"}}}
    }
    assert refused.body == CHECK_FAILED
    assert rows(library, "SELECT id, author_id FROM article WHERE id >= 10") == [(10, 1)]


@pytest.mark.postgres
def test_columns_outside_the_permission_are_not_in_the_input(library, graphql_api):
    answer = graphql_api.post(
        'mutation { insert_article_one(object: {id: 12, title: "Theirs", author_id: 4, published: true}) { id } }',
        headers=as_user(1),
    )

    assert answer.body["errors"][0]["extensions"] == {
        "path": "$.selectionSet.insert_article_one.args.object",
        "code": "validation-failed",
    }
    assert "author_id" in answer.body["errors"][0]["message"]
    assert answer.sql_statements == 0


@pytest.mark.postgres
def test_update_touches_own_rows_only_with_presets_and_check(library, graphql_api):
    updated = graphql_api.post(
        'mutation { update_article(where: {}, _set: {title: "Edited"}) { affected_rows returning { id published } } '
        'update_article_by_pk(pk_columns: {id: 4}, _set: {title: "Bob\'s"}) { id } }',
        headers=as_user(1),
    )
    refused = graphql_api.post(
        'mutation { update_article_by_pk(pk_columns: {id: 1}, _set: {title: "Shout!"}) { id } }',
        headers=as_user(1),
    )

    assert updated.body == {
        "data": {
            "update_article": {
                "affected_rows": 3,
                "returning": [
                    {"id": 1, "published": False},
                    {"id": 2, "published": False},
                    {"id": 3, "published": False},
                ],
            },
            "update_article_by_pk": None,
        }
    }
    assert refused.body == CHECK_FAILED
    assert rows(library, "SELECT id, title FROM article WHERE id IN (1, 4) ORDER BY id") == [
        (1, "Edited"),
        (4, "Dates"),
    ]


@pytest.mark.postgres
def test_delete_within_the_filter(library, graphql_api):
    answer = graphql_api.post(
        "mutation { delete_article(where: {}) { affected_rows returning { id } } "
        "delete_article_by_pk(id: 4) { id } }",
        headers=as_user(4),
    )

    assert answer.body == {
        "data": {
            "delete_article": {"affected_rows": 1, "returning": [{"id": 5}]},
            "delete_article_by_pk": None,
        }
    }
    assert rows(library, "SELECT id FROM article ORDER BY id") == [(1,), (2,), (3,), (4,), (6,)]


@pytest.mark.postgres
def test_returning_relationships_keep_the_target_row_filter(library, graphql_api):
    answer = graphql_api.post(
        'mutation { update_article(where: {id: {_eq: 4}}, _set: {title: "Dried dates"}) '
        "{ returning { id author { name } } } }",
        headers=as_user(2),
    )

    # Bob is not active: the user role does not see him through the relationship.
    assert answer.body == {"data": {"update_article": {"returning": [{"id": 4, "author": None}]}}}


@pytest.mark.postgres
def test_an_upsert_checks_inserted_rows_with_the_insert_check_and_updated_rows_with_the_update_check(
    library, graphql_api
):
    query = (
        "mutation ($objects: [article_insert_input!]!) { insert_article(objects: $objects, "
        "on_conflict: {constraint: article_pkey, update_columns: [title]}) "
        "{ affected_rows returning { id title published } } }"
    )
    fresh = {"id": 13, "title": "Fresh!", "published": True}

    upserted = graphql_api.post(
        query, {"objects": [dict(fresh, id=1, title="Plums"), fresh]}, headers=as_user(1)
    )
    refused = graphql_api.post(query, {"objects": [dict(fresh, id=1, title="Plums!")]}, headers=as_user(1))

    # "Fresh!" was inserted: only the insert check applies to it, not the update check ("no '!'").
    assert upserted.body == {
        "data": {
            "insert_article": {
                "affected_rows": 2,
                "returning": [
                    {"id": 1, "title": "Plums", "published": False},
                    {"id": 13, "title": "Fresh!", "published": True},
                ],
            }
        }
    }
    assert refused.body == CHECK_FAILED
    assert rows(library, "SELECT title FROM article WHERE id IN (1, 13) ORDER BY id") == [
        ("Plums",),
        ("Fresh!",),
    ]


@pytest.mark.postgres
def test_insert_without_select_permission_counts_rows_only(library, graphql_api):
    headers = {"x-hasura-role": "guest"}
    inserted = graphql_api.post(
        'mutation { insert_comment(objects: [{id: 9, article_id: 1, body: "Nice"}]) { affected_rows } }',
        headers=headers,
    )
    returning = graphql_api.post(
        'mutation { insert_comment(objects: [{id: 10, article_id: 1, body: "x"}]) { returning { id } } }',
        headers=headers,
    )

    assert inserted.body == {"data": {"insert_comment": {"affected_rows": 1}}}
    assert returning.body == {
        "errors": [
            {
                "message": "field 'returning' not found in type: 'comment_mutation_response'",
                "extensions": {
                    "path": "$.selectionSet.insert_comment.selectionSet.returning",
                    "code": "validation-failed",
                },
            }
        ]
    }
