"""Table mutations end to end on a SQLite source: every root field, returning, upserts and the transaction.

The golden dataset (tests/integration/dataset.py): authors 1 Ann, 2 Bob, 3 Cid, 4 Dee; articles 1-3
by Ann, 4 by Bob, 5 by Dee, 6 by nobody; comments on articles 1, 1, 4, 2. On SQLite the change is
one statement (per run of rows giving the same columns) and the answer, when it shows rows, one more.
"""

import dataclasses

import orjson
import pytest

from tests.engine.gateway_support import sqlite_gateway


@pytest.fixture
def gateway(tmp_path):
    return sqlite_gateway(tmp_path)


def answer(response):
    return orjson.loads(response.encode())


def data(gateway, query, variables=None):
    body = answer(gateway.run(query, variables))
    assert "errors" not in body, body
    return body["data"]


def test_insert_rows_returns_them_with_relationships(gateway):
    response = gateway.run(
        "mutation { insert_article(objects: ["
        '{id: 10, title: "Figs", author_id: 2, published: true}, {id: 11, title: "Grapes", published: false}'
        "]) { affected_rows returning { id title author { name } } } }"
    )

    assert answer(response) == {
        "data": {
            "insert_article": {
                "affected_rows": 2,
                "returning": [
                    {"id": 10, "title": "Figs", "author": {"name": "Bob"}},
                    {"id": 11, "title": "Grapes", "author": None},
                ],
            }
        }
    }
    # One INSERT per run of rows giving the same columns, then one statement shaping the answer.
    assert response.counts.sql_statements == 3
    assert data(gateway, "{ article_aggregate { aggregate { count } } }") == {
        "article_aggregate": {"aggregate": {"count": 8}}
    }


def test_insert_one_takes_defaults_and_answers_the_row(gateway):
    assert data(
        gateway,
        'mutation { insert_author_one(object: {name: "Eve", is_active: true}) { id name is_active email __typename } }',
    ) == {
        "insert_author_one": {
            "id": 5,
            "name": "Eve",
            "is_active": True,
            "email": None,
            "__typename": "author",
        }
    }


def test_counting_only_needs_no_answer_statement(gateway):
    response = gateway.run(
        'mutation { insert_comment(objects: [{id: 9, article_id: 3, body: "Red"}]) { affected_rows __typename } }'
    )

    assert answer(response) == {
        "data": {"insert_comment": {"affected_rows": 1, "__typename": "comment_mutation_response"}}
    }
    assert response.counts.sql_statements == 1


def test_update_sets_and_increments_the_rows_where_selects(gateway):
    response = gateway.run(
        "mutation { update_article(where: {author_id: {_eq: 1}, views: {_is_null: false}}, "
        '_set: {title: "Pears"}, _inc: {views: 5}) { affected_rows returning { id title views } } }'
    )

    assert answer(response) == {
        "data": {
            "update_article": {
                "affected_rows": 2,
                "returning": [
                    {"id": 1, "title": "Pears", "views": 105},
                    {"id": 2, "title": "Pears", "views": 25},
                ],
            }
        }
    }
    assert response.counts.sql_statements == 2


def test_update_by_pk_answers_the_row_or_null(gateway):
    assert data(
        gateway,
        'mutation { a: update_author_by_pk(pk_columns: {id: 2}, _set: {email: "bob@example.com"}) { id email } '
        'b: update_author_by_pk(pk_columns: {id: 99}, _set: {email: "x"}) { id } }',
    ) == {"a": {"id": 2, "email": "bob@example.com"}, "b": None}


def test_an_update_changing_nothing_runs_no_statement(gateway):
    response = gateway.run(
        "mutation { update_author(where: {}) { affected_rows returning { id } } "
        "update_author_by_pk(pk_columns: {id: 1}) { id } }"
    )

    assert answer(response) == {
        "data": {"update_author": {"affected_rows": 0, "returning": []}, "update_author_by_pk": None}
    }
    assert response.counts.sql_statements == 0


def test_a_column_in_two_update_operators_is_refused(gateway):
    response = gateway.run(
        "mutation { update_article(where: {}, _set: {views: 1}, _inc: {views: 1}) { affected_rows } }"
    )

    assert answer(response) == {
        "errors": [
            {
                "message": 'Column found in multiple operators: "views".',
                "extensions": {"path": "$.selectionSet.update_article.args", "code": "validation-failed"},
            }
        ]
    }


def test_returning_relationships_see_the_rows_as_changed(gateway):
    assert data(
        gateway,
        'mutation { update_author_by_pk(pk_columns: {id: 4}, _set: {name: "Dana"}) '
        "{ name articles { title author { name } } } }",
    ) == {
        "update_author_by_pk": {
            "name": "Dana",
            "articles": [{"title": "apricots", "author": {"name": "Dana"}}],
        }
    }


def test_delete_answers_the_deleted_rows_and_their_relationships(gateway):
    response = gateway.run(
        "mutation { delete_article(where: {id: {_in: [5, 6]}}) "
        "{ affected_rows returning { title author { name } } } delete_comment_by_pk(id: 3) { id body } }"
    )

    assert answer(response) == {
        "data": {
            "delete_article": {
                "affected_rows": 2,
                "returning": [
                    {"title": "apricots", "author": {"name": "Dee"}},
                    {"title": "Elderberries_100%", "author": None},
                ],
            },
            "delete_comment_by_pk": {"id": 3, "body": "Sticky"},
        }
    }
    assert data(gateway, "{ article(where: {id: {_gt: 4}}) { id } comment { id } }") == {
        "article": [],
        "comment": [{"id": 1}, {"id": 2}, {"id": 4}],
    }


def test_upsert_updates_the_chosen_columns_or_does_nothing(gateway):
    assert data(
        gateway,
        "mutation { u: insert_author(objects: ["
        '{id: 1, name: "Anna", email: "new@example.com"}, {id: 7, name: "Gus"}], '
        "on_conflict: {constraint: author_pkey, update_columns: [name]}) { affected_rows returning { id name email } } "
        'n: insert_author(objects: [{id: 2, name: "Bobby"}], on_conflict: {constraint: author_pkey}) { affected_rows } '
        'w: insert_author(objects: [{id: 3, name: "Cy"}], on_conflict: {constraint: author_pkey, '
        "update_columns: [name], where: {is_active: {_eq: true}}}) { affected_rows } }",
    ) == {
        "u": {
            "affected_rows": 2,
            "returning": [
                {"id": 1, "name": "Anna", "email": "ann@example.com"},
                {"id": 7, "name": "Gus", "email": None},
            ],
        },
        "n": {"affected_rows": 0},
        "w": {"affected_rows": 0},
    }
    assert data(gateway, "{ author(where: {id: {_in: [2, 3]}}) { name } }") == {
        "author": [{"name": "Bob"}, {"name": "Cid"}]
    }


def test_later_root_fields_see_earlier_changes(gateway):
    assert data(
        gateway,
        'mutation { insert_author_one(object: {id: 8, name: "Hal"}) { id } '
        'update_author(where: {name: {_eq: "Hal"}}, _set: {rating: 2.5}) { returning { id rating } } }',
    ) == {"insert_author_one": {"id": 8}, "update_author": {"returning": [{"id": 8, "rating": 2.5}]}}


def test_a_failing_root_field_rolls_back_the_whole_request(gateway):
    response = gateway.run(
        'mutation { insert_author_one(object: {id: 9, name: "Ivy"}) { id } '
        'update_author(where: {}, _set: {name: "x"}) { affected_rows } '
        'insert_article_one(object: {id: 1, title: "Duplicate", published: true}) { id } }'
    )

    assert answer(response) == {
        "errors": [
            {
                "message": "UNIQUE constraint failed: article.id",
                "extensions": {"path": "$", "code": "constraint-violation"},
            }
        ]
    }
    assert data(gateway, "{ author(where: {id: {_in: [1, 9]}}) { id name } }") == {
        "author": [{"id": 1, "name": "Ann"}]
    }


def test_variables_and_json_free_types_round_trip(gateway):
    assert data(
        gateway,
        "mutation ($rows: [author_insert_input!]!) { insert_author(objects: $rows) "
        "{ returning { id is_active rating } } }",
        {"rows": [{"id": 20, "name": "Jo", "is_active": False, "rating": 1.25}]},
    ) == {"insert_author": {"returning": [{"id": 20, "is_active": False, "rating": 1.25}]}}


def test_a_source_namespace_holds_its_mutations(tmp_path):
    gateway = sqlite_gateway(tmp_path)
    source = gateway.metadata.sources[0]
    customization = {"root_fields": {"namespace": "library", "prefix": "lib_"}}
    gateway.metadata = dataclasses.replace(
        gateway.metadata, sources=(dataclasses.replace(source, customization=customization),)
    )

    assert data(
        gateway,
        'mutation { library { lib_insert_author_one(object: {id: 30, name: "Kai"}) { name } __typename } }',
    ) == {"library": {"lib_insert_author_one": {"name": "Kai"}, "__typename": "library_mutation_frontend"}}
    assert data(gateway, "{ library { lib_author_by_pk(id: 30) { name } } }") == {
        "library": {"lib_author_by_pk": {"name": "Kai"}}
    }
