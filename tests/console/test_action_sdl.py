"""The SDL adapter: an action and its types written as GraphQL, to and from metadata shapes."""

import pytest

from console.action_sdl import (
    ActionSdlError,
    action_type_roots,
    merged_custom_types,
    parse_action_definition,
    parse_type_definitions,
    render_action_definition,
    render_type_definitions,
)
from engine.metadata import CustomTypes, Metadata, Node

TYPES_SDL = """scalar Date

enum Color {
  RED
  GREEN @deprecated
}

input UserInput {
  email: String!
  born: Date
}

"What createUser returns"
type UserOutput {
  id: Int!
  color: Color
  address: Address
}

type Address {
  city: String
}

type Unrelated {
  x: Int
}"""


def test_parse_the_action_definition():
    signature = parse_action_definition(
        'type Query {\n  "Finds a user"\n  findUser(input: UserInput!, limit: Int): [UserOutput!]!\n}'
    )

    assert signature.name == "findUser"
    assert signature.operation == "query"
    assert signature.arguments == ({"name": "input", "type": "UserInput!"}, {"name": "limit", "type": "Int"})
    assert signature.output_type == "[UserOutput!]!"
    assert signature.description == "Finds a user"


def test_parse_the_type_configuration_by_kind():
    declared = parse_type_definitions(TYPES_SDL)

    assert declared["scalars"] == [{"name": "Date"}]
    assert declared["enums"] == [
        {"name": "Color", "values": [{"value": "RED"}, {"value": "GREEN", "is_deprecated": True}]}
    ]
    assert declared["input_objects"] == [
        {
            "name": "UserInput",
            "fields": [{"name": "email", "type": "String!"}, {"name": "born", "type": "Date"}],
        }
    ]
    assert declared["objects"][0] == {
        "name": "UserOutput",
        "description": "What createUser returns",
        "fields": [
            {"name": "id", "type": "Int!"},
            {"name": "color", "type": "Color"},
            {"name": "address", "type": "Address"},
        ],
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("type Mutation { a: Int b: Int }", "exactly one field, found 2"),
        ("type Mutation { a: Int } type Query { b: Int }", "exactly one field, found 2"),
        ("", "exactly one field, found 0"),
        ("type User { id: Int }", "may only declare type Query or type Mutation"),
        ("type Mutation { a(: Int }", "invalid GraphQL SDL: line 1, column 19"),
    ],
)
def test_definition_errors_name_the_definition(text, message):
    with pytest.raises(ActionSdlError) as raised:
        parse_action_definition(text)

    assert raised.value.part == "definition"
    assert message in raised.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("type A { x: Int } type A { y: Int }", "type A is declared more than once"),
        ("type Mutation { a: Int }", "type Mutation belongs in the action definition"),
        ("interface Node { id: ID }", "not InterfaceTypeDefinition"),
        ("type A {", "invalid GraphQL SDL"),
    ],
)
def test_type_errors_name_the_type_configuration(text, message):
    with pytest.raises(ActionSdlError) as raised:
        parse_type_definitions(text)

    assert raised.value.part == "types"
    assert message in raised.value.message


def test_object_field_arguments_are_kept_for_validation_to_refuse():
    declared = parse_type_definitions("type A { x(first: Int): Int }")

    assert declared["objects"][0]["fields"][0]["arguments"] == [{"name": "first", "type": "Int"}]


def test_render_round_trips_and_shows_only_the_types_the_action_reaches():
    custom_types = merged_custom_types(CustomTypes(), parse_type_definitions(TYPES_SDL))
    metadata = Metadata.from_dict(
        {
            "custom_types": custom_types,
            "actions": [
                {
                    "name": "createUser",
                    "comment": "Makes a user",
                    "definition": {
                        "handler": "http://127.0.0.1:9/",
                        "output_type": "UserOutput",
                        "arguments": [{"name": "input", "type": "UserInput!"}],
                    },
                }
            ],
        }
    )
    action = metadata.action("createUser")

    definition = render_action_definition(action)
    types = render_type_definitions(metadata.custom_types, action_type_roots(action))

    assert definition == 'type Mutation {\n  "Makes a user"\n  createUser(input: UserInput!): UserOutput\n}'
    assert "Unrelated" not in types
    reparsed = parse_type_definitions(types)
    original = parse_type_definitions(TYPES_SDL)
    assert reparsed == {
        kind: [t for t in entries if t["name"] != "Unrelated"] for kind, entries in original.items()
    }
    assert parse_action_definition(definition).arguments == ({"name": "input", "type": "UserInput!"},)


def test_merge_replaces_same_named_types_and_keeps_relationships():
    existing = CustomTypes.parse(
        Node(
            {
                "scalars": [{"name": "Thing"}],
                "objects": [
                    {
                        "name": "UserOutput",
                        "fields": [{"name": "id", "type": "Int!"}],
                        "relationships": [
                            {
                                "name": "user",
                                "type": "object",
                                "remote_table": "users",
                                "field_mapping": {"id": "id"},
                            }
                        ],
                    },
                    {"name": "Other", "fields": [{"name": "a", "type": "Int"}]},
                ],
            }
        )
    )
    declared = parse_type_definitions("type UserOutput { id: Int! name: String } type Thing { b: Int }")

    merged = merged_custom_types(existing, declared)

    assert merged["scalars"] == []
    assert [o["name"] for o in merged["objects"]] == ["UserOutput", "Other", "Thing"]
    assert merged["objects"][0]["fields"] == [
        {"name": "id", "type": "Int!"},
        {"name": "name", "type": "String"},
    ]
    assert merged["objects"][0]["relationships"][0]["name"] == "user"
