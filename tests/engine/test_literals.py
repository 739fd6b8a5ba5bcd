"""Values written into remote schema documents never carry raw text: join keys and preset inputs alike."""

import pytest
from graphql import GraphQLEnumType, build_schema, parse, print_ast

from engine.graphql_errors import RequestError
from engine.plan.literals import is_enum_literal, untyped_ast
from engine.plan.remote_presets import _literal

SCHEMA = build_schema(
    """
    scalar JSON
    enum Color { RED GREEN }
    input Message { color: Color, body: JSON }
    type Query { send(message: Message): Int }
    """
)
MESSAGE = SCHEMA.type_map["Message"]
COLOR = SCHEMA.type_map["Color"]
INJECTION = "RED) secret: viewer { password } x: send(message: {color: RED"


def printed_in_a_document(value_node):
    text = f"{{ send(message: {print_ast(value_node)}) }}"
    parse(text)  # the text must stay one well-formed document
    return text


@pytest.mark.parametrize("text", ["RED", "_x", "GREEN2"])
def test_names_are_enum_literals(text):
    assert is_enum_literal(text)


@pytest.mark.parametrize("text", ["", "true", "false", "null", "1A", "RED\n", INJECTION])
def test_other_text_is_not_an_enum_literal(text):
    assert not is_enum_literal(text)


def test_an_enum_value_that_is_not_a_name_is_written_as_a_string():
    assert isinstance(COLOR, GraphQLEnumType)
    node = _literal({"color": INJECTION}, MESSAGE)
    selections = parse(printed_in_a_document(node)).definitions[0].selection_set.selections
    assert len(selections) == 1
    assert selections[0].arguments[0].value.fields[0].value.value == INJECTION


def test_a_valid_enum_value_stays_an_enum_literal():
    assert printed_in_a_document(_literal({"color": "GREEN"}, MESSAGE)) == "{ send(message: {color: GREEN}) }"


@pytest.mark.parametrize("key", ["a b", "x: 1) { y", ""])
def test_an_object_key_that_is_not_a_name_is_refused(key):
    with pytest.raises(RequestError, match="not a GraphQL name"):
        _literal({"body": {key: 1}}, MESSAGE)
    with pytest.raises(RequestError, match="not a GraphQL name"):
        untyped_ast({key: 1})


def test_json_values_keep_their_kind():
    node = _literal({"body": {"n": 1, "f": 1.5, "b": True, "s": "t", "l": [None]}}, MESSAGE)
    assert (
        printed_in_a_document(node) == '{ send(message: {body: {n: 1, f: 1.5, b: true, s: "t", l: [null]}}) }'
    )
