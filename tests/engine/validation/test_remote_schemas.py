"""Remote schemas: introspection available, customization sound (reference §4.5)."""

import pytest

from engine.validation import remote_schema_id, validate_metadata
from tests.engine.validation.builders import environment, metadata, schema, summary

SDL = """
interface Node { id: ID! }
type User implements Node { id: ID!  name: String  email: String }
type Message implements Node { id: ID!  body: String  author: User }
type Query { users: [User!]!  messages: [Message!]! }
"""


def validate(customization=None, **environment_extra):
    definition = {"url": "http://forum"}
    if customization is not None:
        definition["customization"] = customization
    md = metadata(remote_schemas=[{"name": "forum", "definition": definition}])
    return validate_metadata(
        md, environment(**{"remote_schemas": {"forum": schema(SDL)}, **environment_extra})
    )


def test_introspection_error_makes_the_remote_schema_inconsistent():
    md = metadata(
        remote_schemas=[
            {
                "name": "forum",
                "definition": {"url": "http://forum"},
                "remote_relationships": [{"type_name": "Nope", "relationships": []}],
            }
        ]
    )
    error = 'HTTP exception occurred while sending the request to "http://forum"'
    found = validate_metadata(md, environment(remote_schema_errors={"forum": error}))

    assert summary(found) == [
        (
            remote_schema_id("forum"),
            "remote_schema",
            "remote_schema forum",
            f"Inconsistent object: {error}",
            "remote-schema-error",
            "$.definition",
        )
    ]
    assert found[0].definition == {"name": "forum", "definition": {"url": "http://forum"}}


def test_remote_schema_without_introspection_is_inconsistent():
    found = validate_metadata(
        metadata(remote_schemas=[{"name": "forum", "definition": {"url": "http://f"}}]), environment()
    )

    assert [(i.reason, i.code) for i in found] == [
        ('Inconsistent object: remote schema "forum" has not been introspected', "remote-schema-error")
    ]


def test_second_definition_of_a_remote_schema_is_reported():
    md = metadata(remote_schemas=[{"name": "forum", "definition": {"url": "http://a"}}] * 2)
    found = validate_metadata(md, environment(remote_schemas={"forum": schema(SDL)}))

    assert [(i.reason, i.path) for i in found] == [
        ("Inconsistent object: multiple definitions for remote_schema forum", "$.name")
    ]


def test_sound_customization_validates_clean():
    customization = {
        "root_fields_namespace": "forum",
        "type_names": {"prefix": "Forum_", "mapping": {"User": "ForumUser"}},
        "field_names": [
            {"parent_type": "Message", "prefix": "node_", "mapping": {"body": "text"}},
            {"parent_type": "Node", "prefix": "node_"},
            {"parent_type": "User", "prefix": "node_"},
        ],
    }

    assert validate(customization) == []


@pytest.mark.parametrize(
    ("customization", "detail", "path"),
    [
        (
            {"type_names": {"mapping": {"User": "Message"}}},
            'Type name mappings are not distinct; the following types appear more than once: "Message"',
            "$.definition.customization.type_names",
        ),
        (
            {"type_names": {"prefix": "forum-"}},
            'Type name mappings produce names that are not valid GraphQL names: "forum-Message", "forum-Node", "forum-User"',
            "$.definition.customization.type_names",
        ),
        (
            {"root_fields_namespace": "forum api"},
            '"forum api" is not a valid GraphQL name',
            "$.definition.customization.root_fields_namespace",
        ),
        (
            {
                "field_names": [
                    {"parent_type": "Query", "mapping": {"users": "all"}},
                    {"parent_type": "User", "mapping": {"email": "name"}},
                ]
            },
            'Field name mappings for type "User" are not distinct; the following fields appear more than once: "name"',
            "$.definition.customization.field_names[1]",
        ),
        (
            {
                "field_names": [
                    {"parent_type": "Node", "mapping": {"id": "key"}},
                    {"parent_type": "User", "mapping": {"id": "key"}},
                ]
            },
            'Remote schema customization inconsistency: field name mapping for field "id" of interface "Node" '
            'is inconsistent with mapping for type "Message"',
            "$.definition.customization.field_names",
        ),
    ],
)
def test_customization_rules(customization, detail, path):
    found = validate(customization)

    assert summary(found) == [
        (
            remote_schema_id("forum"),
            "remote_schema",
            "remote_schema forum",
            f"Inconsistent object: {detail}",
            "remote-schema-error",
            path,
        )
    ]
