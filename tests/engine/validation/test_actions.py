"""Actions and action permissions."""

import pytest

from engine.validation import action_id, action_permission_id, validate_metadata
from tests.engine.validation.builders import blog_catalog, environment, metadata, source, summary

CUSTOM_TYPES = {
    "scalars": [{"name": "Date"}],
    "enums": [{"name": "Role", "values": [{"value": "ADMIN"}, {"value": "USER"}]}],
    "input_objects": [{"name": "UserInput", "fields": [{"name": "name", "type": "String!"}]}],
    "objects": [
        {
            "name": "UserOutput",
            "fields": [{"name": "id", "type": "Int!"}, {"name": "profile", "type": "Profile"}],
            "relationships": [
                {"name": "user", "type": "object", "remote_table": "users", "field_mapping": {"id": "id"}}
            ],
        },
        {"name": "Profile", "fields": [{"name": "user_id", "type": "Int"}]},
    ],
}
ENVIRON = {"ACTION_BASE_URL": "http://127.0.0.1:9000", "ACTION_SECRET": "s3cret"}


def action(name="createUser", permissions=None, **definition):
    body = {
        "handler": "{{ACTION_BASE_URL}}/create-user",
        "output_type": "UserOutput",
        "arguments": [
            {"name": "user", "type": "UserInput!"},
            {"name": "role", "type": "Role"},
            {"name": "token", "type": "uuid"},
            {"name": "born", "type": "[Date!]"},
        ],
        "headers": [{"name": "X-Action-Secret", "value_from_env": "ACTION_SECRET"}],
        **definition,
    }
    out = {"name": name, "definition": body}
    if permissions is not None:
        out["permissions"] = permissions
    return out


def validate(*actions, custom_types=CUSTOM_TYPES, environ=ENVIRON):
    md = metadata(
        sources=[source("default", {"table": "users"})], actions=list(actions), custom_types=custom_types
    )
    return validate_metadata(md, environment(blog_catalog(), environ=environ))


def reasons(found):
    return [(i.reason, i.code, i.path) for i in found]


def test_sound_actions_validate_clean():
    found = validate(
        action(permissions=[{"role": "user"}, {"role": "editor"}]),
        action("whoami", type="query", output_type="String!", arguments=[]),
        action("stamp", output_type="[timestamptz]", arguments=[]),
    )

    assert found == []


def test_argument_type_must_be_a_declared_input_type():
    found = validate(action(arguments=[{"name": "ok", "type": "Int"}, {"name": "out", "type": "UserOutput"}]))

    assert summary(found) == [
        (
            action_id("createUser"),
            "action",
            "action createUser",
            'Inconsistent object: the type: "UserOutput" is not defined in custom types or it is not a scalar/enum/input_object',
            "invalid-params",
            "$.definition.arguments[1].type",
        )
    ]
    assert found[0].definition["name"] == "createUser"
    assert found[0].definition["definition"]["output_type"] == "UserOutput"


@pytest.mark.parametrize("output_type", ["Missing", "[Role!]", "UserInput"])
def test_output_type_must_be_an_object_or_a_scalar(output_type):
    found = validate(action(output_type=output_type))
    base = output_type.strip("[]!")

    assert reasons(found) == [
        (
            f'Inconsistent object: the type: "{base}" is not an object or scalar type defined in custom types',
            "not-exists",
            "$.definition.output_type",
        )
    ]


def test_environment_variables_must_be_set():
    found = validate(action(), environ={})

    assert reasons(found) == [
        (
            "Inconsistent object: environment variable 'ACTION_BASE_URL' not set",
            "invalid-params",
            "$.definition.handler",
        ),
        (
            "Inconsistent object: environment variable 'ACTION_SECRET' not set",
            "invalid-params",
            "$.definition.headers[0].value_from_env",
        ),
    ]


def objects_with(*objects):
    return {**CUSTOM_TYPES, "objects": list(objects)}


OUTPUT_JOINING_ON_OBJECT = {
    "name": "UserOutput",
    "fields": [{"name": "id", "type": "Int!"}, {"name": "profile", "type": "Profile"}],
    "relationships": [
        {"name": "linked", "type": "object", "remote_table": "users", "field_mapping": {"profile": "id"}}
    ],
}
NESTED_JOINING_ON_OBJECT = {
    "name": "Profile",
    "fields": [{"name": "user_id", "type": "Int"}, {"name": "owner", "type": "Owner"}],
    "relationships": [
        {"name": "linked", "type": "object", "remote_table": "users", "field_mapping": {"owner": "id"}}
    ],
}
OWNER = {"name": "Owner", "fields": [{"name": "id", "type": "Int"}]}


@pytest.mark.parametrize(
    "custom_types",
    [
        objects_with(OUTPUT_JOINING_ON_OBJECT, CUSTOM_TYPES["objects"][1]),
        objects_with(CUSTOM_TYPES["objects"][0], NESTED_JOINING_ON_OBJECT, OWNER),
    ],
    ids=["output object", "nested object"],
)
def test_relationships_join_on_top_level_scalars_only(custom_types):
    found = validate(action(), custom_types=custom_types)

    assert reasons(found) == [
        (
            'Inconsistent object: Relationships cannot be defined with nested object fields: "linked"',
            "constraint-error",
            "$.definition.output_type",
        )
    ]


def test_async_action_output_cannot_mix_relationships_and_object_fields():
    found = validate(action(kind="asynchronous"))

    assert reasons(found) == [
        (
            'Inconsistent object: Async action relations cannot be used with object fields: "profile"',
            "constraint-error",
            "$.definition.output_type",
        )
    ]


def test_action_defined_twice_is_reported():
    assert reasons(validate(action(), action())) == [
        ("Inconsistent object: multiple definitions for action createUser", "already-exists", "$.name")
    ]


def test_action_permissions_are_unique_and_not_for_admin():
    found = validate(action(permissions=[{"role": "user"}, {"role": "user"}, {"role": "admin"}]))

    assert summary(found) == [
        (
            action_permission_id("createUser", "user"),
            "action_permission",
            "action_permission user permission in createUser",
            "Inconsistent object: multiple definitions for action_permission user permission in createUser",
            "already-exists",
            "$.role",
        ),
        (
            action_permission_id("createUser", "admin"),
            "action_permission",
            "action_permission admin permission in createUser",
            "Inconsistent object: cannot define permission for admin role",
            "constraint-error",
            "$.role",
        ),
    ]
    assert found[1].definition == {"action": "createUser", "role": "admin"}


def test_inconsistent_action_hides_its_permissions():
    found = validate(action(output_type="Missing", permissions=[{"role": "admin"}]))

    assert [i.type for i in found] == ["action"]


def test_inconsistent_custom_types_leave_actions_without_types():
    broken = {**CUSTOM_TYPES, "scalars": [{"name": "Date"}, {"name": "Date"}]}
    found = validate(
        action(arguments=[]), action("ping", output_type="Boolean", arguments=[]), custom_types=broken
    )

    assert [(i.type, i.reason) for i in found] == [
        (
            "custom_types",
            'Inconsistent object: validation for the given custom types failed because duplicate type names: "Date"',
        ),
        (
            "action",
            'Inconsistent object: the type: "UserOutput" is not an object or scalar type defined in custom types',
        ),
    ]
