"""The type names a remote schema brings must be free in the gateway; customization frees them."""

import pytest

from engine.validation import remote_schema_id, validate_metadata
from tests.engine.validation.builders import blog_catalog, environment, metadata, schema, source

USERS_SDL = "type users { id: ID! } scalar DateTime type Query { people: [users!]!  now: DateTime }"
OTHER_SDL = "type Person { id: ID! } scalar DateTime type Query { person: Person  then: DateTime }"
SAME_SDL = "type Person { id: ID! } type Query { someone: Person }"


def validate(*remote_schemas, sdls):
    md = metadata(
        sources=[source("default", {"table": "users"})],
        remote_schemas=list(remote_schemas),
        custom_types={"objects": [{"name": "Custom", "fields": [{"name": "id", "type": "Int"}]}]},
    )
    schemas = {name: schema(sdl) for name, sdl in sdls.items()}
    return validate_metadata(md, environment(blog_catalog(), remote_schemas=schemas))


def entry(name, **customization):
    definition = {"url": f"http://{name}"}
    if customization:
        definition["customization"] = customization
    return {"name": name, "definition": definition}


def test_a_remote_type_named_like_a_table_type_is_a_conflict():
    found = validate(entry("people"), sdls={"people": USERS_SDL})

    assert [(i.object_id, i.reason, i.code, i.path) for i in found] == [
        (
            remote_schema_id("people"),
            'Inconsistent object: the type name "users" of remote schema "people" is already used by '
            'table "users" in source "default"',
            "remote-schema-conflicts",
            "$.definition.customization.type_names",
        )
    ]


def test_a_prefix_frees_the_names():
    assert validate(entry("people", type_names={"prefix": "P_"}), sdls={"people": USERS_SDL}) == []


@pytest.mark.parametrize(
    "name", ["users_bool_exp", "users_insert_input", "Custom", "query_root", "Int_comparison_exp"]
)
def test_derived_custom_and_gateway_names_are_taken_too(name):
    sdl = f"type {name} {{ id: ID! }} type Query {{ x: {name} }}"

    found = validate(entry("r"), sdls={"r": sdl})

    assert [i.code for i in found] == ["remote-schema-conflicts"]


def test_the_second_remote_schema_with_a_type_name_conflicts_scalars_aside():
    found = validate(
        entry("one"),
        entry("two"),
        entry("three"),
        sdls={"one": OTHER_SDL, "two": SAME_SDL, "three": USERS_SDL.replace("users", "Other")},
    )

    assert [(i.object_id, i.reason) for i in found] == [
        (
            remote_schema_id("two"),
            'Inconsistent object: the type name "Person" of remote schema "two" is already used by remote schema "one"',
        )
    ]
