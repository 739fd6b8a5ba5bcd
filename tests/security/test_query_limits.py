"""GRAPHQL_MAX_DEPTH and GRAPHQL_MAX_NODES: how they are counted (engine.limits) and enforced.

Roles other than admin get a ``validation-failed`` error before any SQL statement or HTTP call;
admin is exempt, as Hasura's API limits are.
"""

import pytest
from django.conf import settings as django_settings
from graphql import get_introspection_query, parse

from engine.graphql_errors import RequestError
from engine.limits import QueryLimits, QuerySize, check_limits, measure
from tests.relationships.conftest import pg_source_args

USER = {"X-Hasura-Role": "user"}
DEEP = "{ article { author { articles { author { name } } } } }"


def size(query):
    return measure(parse(query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ a }", QuerySize(1, 1)),
        ("{ a b c { d } }", QuerySize(2, 4)),
        ("{ a { b { c { d } } } }", QuerySize(4, 4)),
        ("{ ... on Query { a { b } } }", QuerySize(2, 2)),
        ("{ x: a y: a z: a }", QuerySize(1, 3)),
        ("query A { a { b } } query B { a b c d }", QuerySize(2, 4)),
        ("{ a { ...F } b { ...F } } fragment F on T { c { d } }", QuerySize(3, 6)),
        ("{ __schema { types { name } } __typename }", QuerySize(3, 4)),
        ("{ a { ...Missing } }", QuerySize(1, 1)),
        ("{ ...A } fragment A on Q { ...B } fragment B on Q { ...A x }", QuerySize(1, 1)),
    ],
)
def test_depth_and_nodes_are_counted_with_fragments_written_out(query, expected):
    assert size(query) == expected


def test_graphiqls_introspection_query_is_15_deep_with_about_230_nodes():
    introspection = size(get_introspection_query(descriptions=True, input_value_deprecation=True))

    assert introspection.depth == 15
    assert 200 < introspection.nodes < 250
    assert introspection.depth <= django_settings.GRAPHQL_MAX_DEPTH
    assert introspection.nodes <= django_settings.GRAPHQL_MAX_NODES


def test_a_fragment_bomb_is_measured_without_being_expanded():
    fragments = " ".join(f"fragment F{n} on Q {{ a: ...F{n + 1} b: ...F{n + 1} }}" for n in range(60))
    fragments = fragments.replace("a: ", "").replace("b: ", "")
    document = parse(f"{{ ...F0 }} {fragments} fragment F60 on Q {{ leaf }}")

    assert measure(document) == QuerySize(1, 2**60)
    with pytest.raises(RequestError, match="nodes, more than the limit of 1000"):
        check_limits(document, QueryLimits(max_nodes=1000))


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (QueryLimits(max_depth=3), "the query depth 4 exceeds the limit of 3"),
        (QueryLimits(max_nodes=3), "the query has 4 nodes, more than the limit of 3"),
    ],
)
def test_a_request_past_a_limit_fails_validation(limits, message):
    with pytest.raises(RequestError) as caught:
        check_limits(parse("{ a { b { c { d } } } }"), limits)

    assert caught.value.to_graphql_error() == {
        "message": message,
        "extensions": {"path": "$", "code": "validation-failed"},
    }


def test_zero_means_no_limit():
    check_limits(parse("{ a { b { c { d } } } }"), QueryLimits(0, 0))


@pytest.fixture
def world(metadata_api, pg_schema, webhook_server):
    """author <-> article for the role user, and an action whose handler records its calls."""
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    for table in ("author", "article"):
        metadata_api.ok("pg_track_table", {"table": table})
        metadata_api.ok(
            "pg_create_select_permission",
            {"table": table, "role": "user", "permission": {"columns": "*", "filter": {}}},
        )
    metadata_api.ok(
        "pg_create_object_relationship",
        {"table": "article", "name": "author", "using": {"foreign_key_constraint_on": "author_id"}},
    )
    metadata_api.ok(
        "pg_create_array_relationship",
        {
            "table": "author",
            "name": "articles",
            "using": {"foreign_key_constraint_on": {"table": "article", "column": "author_id"}},
        },
    )
    webhook_server.route("/echo", {"text": "called", "next": {"text": "deeper"}})
    metadata_api.ok(
        "set_custom_types",
        {
            "objects": [
                {
                    "name": "Echo",
                    "fields": [{"name": "text", "type": "String"}, {"name": "next", "type": "Echo"}],
                }
            ]
        },
    )
    metadata_api.ok(
        "create_action",
        {
            "name": "echo",
            "definition": {
                "kind": "synchronous",
                "type": "query",
                "handler": webhook_server.url("/echo"),
                "output_type": "Echo",
            },
        },
    )
    metadata_api.ok("create_action_permission", {"action": "echo", "role": "user"})
    return webhook_server


def assert_refused(answer, message):
    assert answer.status == 200
    assert answer.body == {
        "errors": [{"message": message, "extensions": {"path": "$", "code": "validation-failed"}}]
    }
    assert (answer.sql_statements, answer.http_calls) == (0, 0)


@pytest.mark.postgres
def test_a_user_query_deeper_than_the_limit_runs_nothing(world, graphql_api, settings):
    settings.GRAPHQL_MAX_DEPTH = 4

    assert_refused(graphql_api.post(DEEP, headers=USER), "the query depth 5 exceeds the limit of 4")
    assert_refused(
        graphql_api.post("{ echo { next { next { next { text } } } } }", headers=USER),
        "the query depth 5 exceeds the limit of 4",
    )
    assert world.calls() == []
    assert graphql_api.data("{ article { author { articles { id } } } }", headers=USER) == {"article": []}


@pytest.mark.postgres
def test_a_user_query_with_more_nodes_than_the_limit_runs_nothing(world, graphql_api, settings):
    settings.GRAPHQL_MAX_NODES = 5
    wide = "{ article { id title author { id name } } echo { text } }"

    assert_refused(graphql_api.post(wide, headers=USER), "the query has 8 nodes, more than the limit of 5")
    assert world.calls() == []


@pytest.mark.postgres
def test_fragments_and_introspection_count_towards_the_limits(world, graphql_api, settings):
    settings.GRAPHQL_MAX_DEPTH = 4
    spread = "{ article { ...A } } fragment A on article { author { articles { author { id } } } }"
    introspection = "{ __schema { types { fields { type { name } } } } }"

    assert_refused(graphql_api.post(spread, headers=USER), "the query depth 5 exceeds the limit of 4")
    assert_refused(graphql_api.post(introspection, headers=USER), "the query depth 5 exceeds the limit of 4")


@pytest.mark.postgres
def test_admin_is_exempt(world, graphql_api, settings):
    settings.GRAPHQL_MAX_DEPTH = 2
    settings.GRAPHQL_MAX_NODES = 2

    assert graphql_api.data(DEEP) == {"article": []}


@pytest.mark.postgres
def test_the_default_limits_let_graphiql_introspect_as_a_user(world, graphql_api):
    answer = graphql_api.data(get_introspection_query(descriptions=True), headers=USER)

    assert answer["__schema"]["queryType"]["name"] == "query_root"
