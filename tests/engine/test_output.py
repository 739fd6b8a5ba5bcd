"""Handler answers: checked against the output type as Hasura checks them, then shaped to the selection."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.execute.output import ROOT, OutputChecker, OutputMismatch, _fits, json_kind, shape
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


RECURSIVE = {
    "actions": [
        {
            "name": "tree",
            "definition": {"type": "query", "handler": "http://127.0.0.1/", "output_type": "[Node]!"},
        }
    ],
    "custom_types": {
        "objects": [
            {
                "name": "Node",
                "fields": [
                    {"name": "id", "type": "ID!"},
                    {"name": "on", "type": "Boolean"},
                    {"name": "tags", "type": "[String!]"},
                    {"name": "next", "type": "Node"},
                    {"name": "children", "type": "[Node!]!"},
                    {"name": "note", "type": "json!"},
                ],
            }
        ],
        "scalars": [{"name": "json"}],
    },
}
LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False), st.sampled_from(["", "x"])
)
FIELD_NAMES = st.sampled_from(
    ["id", "score", "part", "extra", "label", "on", "tags", "next", "children", "note"]
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FIELD_NAMES, inner, max_size=6),
    max_leaves=12,
)


# Answers close to fitting, so each single field's check decides.
NODE = st.deferred(
    lambda: st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(
                st.integers(), st.just("a"), st.none(), st.booleans(), st.floats(allow_nan=False)
            ),
            "on": st.one_of(st.booleans(), st.none(), st.integers(0, 1)),
            "tags": st.none() | st.lists(st.one_of(st.just("t"), st.none(), st.integers(0, 1)), max_size=2),
            "next": st.none() | NODE | st.integers(0, 1),
            "children": st.none() | st.lists(NODE, max_size=2) | st.just({}),
            "note": LEAVES,
        },
    )
)
THING = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.integers(), st.none(), st.just("1"), st.booleans()),
        "score": st.one_of(st.floats(allow_nan=False), st.integers(), st.none(), st.just("high")),
        "part": st.none()
        | st.fixed_dictionaries({}, optional={"label": LEAVES})
        | st.lists(LEAVES, max_size=1),
        "extra": VALUES,
    },
)
# What each checked type (one: Thing!, many: [Thing!], tree: [Node]!) is mostly given.
ANSWERS = [
    st.one_of(THING, VALUES),
    st.one_of(st.lists(THING | st.none(), max_size=3), THING, VALUES),
    st.one_of(st.lists(NODE | st.none(), max_size=3), NODE, VALUES),
]


@pytest.fixture(scope="module")
def checkers(tmp_path_factory):
    found = []
    for types in (TYPES, RECURSIVE):
        schema = sqlite_gateway(tmp_path_factory.mktemp("fits"), **types).schema()
        fields = schema.graphql.query_type.fields
        found += [(OutputChecker(schema), fields[action["name"]].type) for action in types["actions"]]
    return found


@settings(max_examples=600, deadline=None)
@given(which=st.integers(0, 2), data=st.data())
def test_the_compiled_predicate_agrees_with_the_worded_check(checkers, which, data):
    checker, output_type = checkers[which]
    value = data.draw(ANSWERS[which])
    try:
        checker._check(value, output_type, ROOT)
        fits_by_walk = True
    except OutputMismatch:
        fits_by_walk = False

    assert _fits(output_type, checker.schema)(value) is fits_by_walk


@pytest.mark.parametrize(
    ("answer", "fits"),
    [
        ([{"id": 1, "children": [], "note": 0}], True),
        ([{"id": "a", "children": [{"id": 2, "children": [], "note": {}}], "note": [], "next": None}], True),
        ([{"id": 1, "children": []}], False),  # a non-null custom scalar left out
        ([{"id": 1, "children": [], "note": None}], False),
        (
            [{"id": 1, "children": [{"id": 2, "children": [], "note": 1, "next": {"id": 3}}], "note": 1}],
            False,
        ),
        ([None, {"id": True, "children": [], "note": 1}], False),
    ],
)
def test_recursive_types_and_required_custom_scalars(checkers, answer, fits):
    checker, output_type = checkers[2]

    assert _fits(output_type, checker.schema)(answer) is fits
