"""``execute`` end to end on a SQLite source: answers, counts, introspection and request errors."""

import orjson
import pytest

from engine.execute import Caller, GraphQLRequest, execute
from engine.execute.request_body import decode_body, parse_body
from engine.graphql_errors import RequestError
from tests.engine.gateway_support import sqlite_gateway


@pytest.fixture
def gateway(tmp_path):
    return sqlite_gateway(tmp_path)


def body(response):
    return orjson.loads(response.encode())


def test_every_root_field_is_one_statement(gateway):
    response = gateway.run(
        "{ a: author_by_pk(id: 1) { name articles(order_by: {id: asc}) { title } } n: article_aggregate { aggregate { count } } }"
    )

    assert body(response) == {
        "data": {
            "a": {
                "name": "Ann",
                "articles": [{"title": "Apples"}, {"title": "Bananas"}, {"title": "Cherries"}],
            },
            "n": {"aggregate": {"count": 6}},
        }
    }
    assert (response.counts.sql_statements, response.counts.http_calls) == (2, 0)


def test_introspection_is_answered_from_the_schema(gateway):
    response = gateway.run(
        '{ __typename t: __type(name: "comment") { fields { name type { name ofType { name } } } } }'
    )

    assert body(response) == {
        "data": {
            "__typename": "query_root",
            "t": {
                "fields": [
                    {"name": "id", "type": {"name": None, "ofType": {"name": "Int"}}},
                    {"name": "article_id", "type": {"name": None, "ofType": {"name": "Int"}}},
                    {"name": "body", "type": {"name": None, "ofType": {"name": "String"}}},
                ]
            },
        }
    }
    assert response.counts.sql_statements == 0


def test_an_operator_sqlite_lacks_is_refused_for_every_role(gateway):
    schema = gateway.schema()
    request = GraphQLRequest('{ article(where: {title: {_similar: "a%"}}) { id } }')

    as_admin = execute(schema, request, Caller(), gateway.runtime)
    as_user = execute(schema, request, Caller("user", {"x-hasura-role": "user"}), gateway.runtime)

    expected = {
        "errors": [
            {
                "message": 'the operator "_similar" is not supported on SQLite sources',
                "extensions": {"path": "$", "code": "not-supported"},
            }
        ]
    }
    assert body(as_admin) == body(as_user) == expected


def test_a_mutation_on_a_schema_without_mutations(gateway):
    response = gateway.run("mutation { nothing }", role="reader")

    assert body(response) == {
        "errors": [
            {
                "message": "no mutations exist",
                "extensions": {"path": "$", "code": "validation-failed"},
            }
        ]
    }


def test_request_bodies_single_and_batched():
    assert parse_body({"query": "{ a }", "variables": {"x": 1}, "operationName": "Q"}) == GraphQLRequest(
        "{ a }", {"x": 1}, "Q"
    )
    assert parse_body([{"query": "{ a }"}, {"query": "{ b }"}]) == [
        GraphQLRequest("{ a }"),
        GraphQLRequest("{ b }"),
    ]


@pytest.mark.parametrize(
    ("raw", "message", "code"),
    [
        (
            b"{",
            "Error in $: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            "invalid-json",
        ),
        (b"{}", 'Error in $: key "query" not found', "parse-failed"),
        (b'{"query": 1}', 'Error in $: expected a string for "query"', "parse-failed"),
        (b'{"query": "{ a }", "variables": []}', "Error in $.variables: expected an object", "parse-failed"),
        (b"[1]", "Error in $[0]: expected an object", "parse-failed"),
    ],
)
def test_malformed_request_bodies(raw, message, code):
    with pytest.raises(RequestError) as raised:
        parse_body(decode_body(raw))

    assert (raised.value.message, raised.value.code) == (message, code)
