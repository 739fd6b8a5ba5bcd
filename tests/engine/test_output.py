"""Handler answers: checked against the output type as Hasura checks them, then shaped to the selection."""

import pytest

from engine.execute.output import OutputChecker, OutputMismatch, json_kind, shape
from engine.plan.nodes import LiteralOut, OutputJoin, OutputObject, OutputValue
from tests.engine.gateway_support import sqlite_gateway

TYPES = {
    "actions": [
        {
            "name": "one",
            "definition": {"type": "query", "handler": "http://127.0.0.1/", "output_type": "Thing!"},
        },
        {
            "name": "many",
            "definition": {"type": "query", "handler": "http://127.0.0.1/", "output_type": "[Thing!]"},
        },
    ],
    "custom_types": {
        "objects": [
            {
                "name": "Thing",
                "fields": [
                    {"name": "id", "type": "Int!"},
                    {"name": "score", "type": "Float"},
                    {"name": "part", "type": "Part"},
                    {"name": "extra", "type": "json"},
                ],
            },
            {"name": "Part", "fields": [{"name": "label", "type": "String!"}]},
        ],
        "scalars": [{"name": "json"}],
    },
}


@pytest.fixture
def checker(tmp_path):
    schema = sqlite_gateway(tmp_path, **TYPES).schema()
    fields = schema.graphql.query_type.fields
    return OutputChecker(schema), fields["one"].type, fields["many"].type


@pytest.mark.parametrize(
    ("one", "message"),
    [
        (None, "got null for the action webhook response"),
        ([], "got array for the action webhook response, expecting Thing"),
        (7, "got number for the action webhook response, expecting Thing"),
        ({}, 'field "id" expected in webhook response, but not found'),
        ({"id": None}, 'expecting not null value for field "id"'),
        ({"id": "1"}, 'expecting Int for field "id", but found string'),
        ({"id": True}, 'expecting Int for field "id", but found boolean'),
        ({"id": 1, "score": "high"}, 'expecting Float for field "score", but found string'),
        ({"id": 1, "part": []}, 'expecting Part for field "part", but found array'),
        ({"id": 1, "part": {}}, 'field "label" expected in webhook response, but not found'),
    ],
)
def test_answers_that_do_not_fit(checker, one, message):
    check, thing, _ = checker

    with pytest.raises(OutputMismatch) as raised:
        check.check(one, thing)

    assert (raised.value.message, raised.value.code) == (message, "unexpected")


@pytest.mark.parametrize(
    "one",
    [
        {"id": 1},
        {"id": 1, "score": 2, "part": None, "unknown": "ignored"},
        {"id": 1, "score": 2.5, "part": {"label": "x"}, "extra": {"any": ["json"]}},
    ],
)
def test_answers_that_fit(checker, one):
    check, thing, _ = checker

    check.check(one, thing)


def test_lists_are_checked_item_by_item(checker):
    check, _, many = checker

    check.check(None, many)
    check.check([{"id": 1}], many)
    with pytest.raises(
        OutputMismatch, match="expecting array for the action webhook response, but found object"
    ):
        check.check({"id": 1}, many)
    with pytest.raises(OutputMismatch, match="got null for the action webhook response"):
        check.check([None], many)


def test_shaping_selects_aliases_and_leaves_placeholders():
    selection = (
        OutputValue("key", "id"),
        LiteralOut("__typename", "Thing"),
        OutputObject("p", "part", (OutputValue("l", "label"),)),
        OutputJoin("rel", None),
        OutputValue("id_join_column", "id", phantom=True),
    )

    shaped = shape([{"id": 1, "part": {"label": "x"}, "other": 2}, {"id": 2}], selection)

    assert shaped == [
        {"key": 1, "__typename": "Thing", "p": {"l": "x"}, "rel": None, "id_join_column": 1},
        {"key": 2, "__typename": "Thing", "p": None, "rel": None, "id_join_column": 2},
    ]


def test_json_kinds():
    assert [json_kind(v) for v in (None, True, 1, 1.5, "s", [], {})] == [
        "null",
        "boolean",
        "number",
        "number",
        "string",
        "array",
        "object",
    ]
