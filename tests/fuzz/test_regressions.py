"""Inputs the fuzz tests (or probes written after them) found crashing, kept as plain tests.

Each answer is checked by tests.fuzz.checks (no 5xx, no logged crash, the endpoint's shape, no
internals for a non-admin) and then for the error it must give.
"""

import json

import jwt
import pytest

from tests.fuzz.checks import GRAPHQL_PATH, FuzzClient

pytestmark = pytest.mark.postgres

METADATA_PATHS = ("/v1/metadata", "/v2/query")
TOO_DEEP = b"[" * 100_000 + b"]" * 100_000
JWT_KEY = "a-regression-test-key-of-at-least-32-characters"


def nested(depth, leaf=1):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def test_graphql_body_nested_past_the_decoder_limit_is_invalid_json(fuzz_client):
    answer = fuzz_client.post(GRAPHQL_PATH, TOO_DEEP)

    assert answer.json == {
        "errors": [
            {
                "message": "Error in $: the JSON is nested too deeply",
                "extensions": {"path": "$", "code": "invalid-json"},
            }
        ]
    }


@pytest.mark.parametrize("path", METADATA_PATHS)
def test_metadata_body_nested_past_the_decoder_limit_is_a_parse_error(fuzz_client, path):
    answer = fuzz_client.post(path, TOO_DEEP)

    assert answer.status == 400
    assert answer.json == {
        "error": "Error in $: the JSON is nested too deeply",
        "path": "$",
        "code": "parse-failed",
    }


@pytest.mark.parametrize("path", METADATA_PATHS)
def test_a_lone_surrogate_echoed_in_a_metadata_error_is_escaped(fuzz_client, path):
    answer = fuzz_client.post(path, b'{"type": "\\ud800", "args": {}}')

    assert answer.status == 400
    assert answer.json["code"] == "parse-failed"
    assert "\ud800" in answer.json["error"]


def test_a_lone_surrogate_in_a_graphql_request_gets_an_error(fuzz_client):
    answer = fuzz_client.post(GRAPHQL_PATH, b'{"query": "{ \\ud800 }"}')

    assert answer.json["errors"][0]["extensions"]["code"] == "validation-failed"


@pytest.mark.parametrize(
    "query",
    [
        'mutation ($p: jsonb) { insert_author_one(object: {name: "deep", profile: $p}) { id profile } }',
        'mutation ($p: jsonb) { insert_author_one(object: {name: "deep", profile: $p}) { profile person { id } } }',
    ],
)
def test_deeply_nested_json_values_come_back_or_fail_cleanly(fuzz_client, query):
    answer = fuzz_client.post_json(GRAPHQL_PATH, {"query": query, "variables": {"p": nested(400)}})

    assert "data" in answer.json or answer.json["errors"][0]["extensions"]["code"] != "unexpected", (
        answer.json
    )


def test_deeply_nested_variables_of_an_action_fail_cleanly(fuzz_client):
    query = "mutation ($a: ArticleInput!) { addArticle(article: $a) { note } }"
    article = {"title": "t", "tags": nested(400, "x")}

    answer = fuzz_client.post_json(GRAPHQL_PATH, {"query": query, "variables": {"a": article}})

    assert answer.json["errors"][0]["extensions"]["code"] == "validation-failed", answer.json


def test_huge_numbers_reach_sql_as_values_or_fail_cleanly(fuzz_client):
    for value in (2**63, 10**40, 1e308):
        query = "query ($v: bigint) { author(where: {big: {_eq: $v}}) { id } }"
        answer = fuzz_client.post_json(GRAPHQL_PATH, {"query": query, "variables": {"v": value}})
        assert "data" in answer.json or answer.json["errors"][0]["extensions"]["code"] != "unexpected", (
            answer.json
        )


def test_a_user_gets_no_internal_detail(fuzz_client, settings):
    settings.ADMIN_SECRET = "regression-secret"
    user = FuzzClient(
        fuzz_client.client,
        {"X-Hasura-Admin-Secret": "regression-secret", "X-Hasura-Role": "user", "X-Hasura-User-Id": "abc"},
        admin=False,
    )

    answer = user.post_json(GRAPHQL_PATH, {"query": "{ author { id } }"})

    assert set(answer.json) == {"errors"}
    assert "internal" not in json.dumps(answer.json)


@pytest.mark.parametrize("user_id", ["José 😀", "\ud800"])
def test_session_variables_that_latin_1_cannot_carry_fail_the_remote_call_cleanly(
    fuzz_client, settings, user_id
):
    settings.ADMIN_SECRET = "regression-secret"
    settings.JWT_SECRET = json.dumps({"type": "HS256", "key": JWT_KEY})
    claims = {
        "x-hasura-default-role": "user",
        "x-hasura-allowed-roles": ["user"],
        "x-hasura-user-id": user_id,
    }
    token = jwt.encode({"https://hasura.io/jwt/claims": claims}, JWT_KEY, "HS256")
    user = FuzzClient(fuzz_client.client, {"Authorization": f"Bearer {token}"}, admin=False)

    answer = user.post_json(GRAPHQL_PATH, {"query": '{ echo(text: "x") }'})

    assert answer.json["errors"][0]["extensions"]["code"] == "remote-schema-error", answer.json


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("query ($v: String) { author(where: {name: {_eq: $v}}) { id } }", "a\x00b"),
        ("mutation ($v: String!) { insert_article_one(object: {title: $v}) { id } }", "\x00"),
    ],
)
def test_text_with_a_nul_character_is_a_data_exception(fuzz_client, query, value):
    answer = fuzz_client.post_json(GRAPHQL_PATH, {"query": query, "variables": {"v": value}})

    assert answer.json["errors"][0]["extensions"]["code"] == "data-exception", answer.json


@pytest.mark.parametrize("query", ["{ author { id } }", "{ people { author { id } } }"])
def test_a_session_variable_with_a_nul_character_is_a_data_exception(fuzz_client, settings, query):
    settings.ADMIN_SECRET = "regression-secret"
    headers = {
        "X-Hasura-Admin-Secret": "regression-secret",
        "X-Hasura-Role": "user",
        "X-Hasura-User-Id": "\x00",
    }

    answer = FuzzClient(fuzz_client.client, headers, admin=False).post_json(GRAPHQL_PATH, {"query": query})

    assert answer.json == {
        "errors": [
            {
                "message": "A string literal cannot contain NUL (0x00) characters.",
                "extensions": {"path": "$", "code": "data-exception"},
            }
        ]
    }
