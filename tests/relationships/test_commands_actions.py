"""Metadata API commands for custom types, actions and action permissions, through POST /v1/metadata."""

import copy

import pytest

from tests.relationships.conftest import pg_source_args

HANDLER = "http://127.0.0.1:9/create-user"


def custom_types(**changes):
    """A valid custom type set (UserOutput joined to users) with top-level keys replaced by ``changes``."""
    types = {
        "objects": [
            {
                "name": "UserOutput",
                "fields": [
                    {"name": "id", "type": "Int!"},
                    {"name": "tags", "type": "[Int!]"},
                    {"name": "profile", "type": "Profile"},
                ],
                "relationships": [
                    {"name": "user", "type": "object", "remote_table": "users", "field_mapping": {"id": "id"}}
                ],
            },
            {"name": "Profile", "fields": [{"name": "bio", "type": "String"}]},
        ],
        "input_objects": [{"name": "UserInput", "fields": [{"name": "name", "type": "String!"}]}],
    }
    types.update(changes)
    return types


def with_relationship(**changes):
    """The valid custom types with UserOutput's relationship changed by ``changes``."""
    types = custom_types()
    types["objects"][0]["relationships"][0].update(changes)
    return types


def duplicate_relationship():
    """The valid custom types with UserOutput's relationship declared twice."""
    types = custom_types()
    relationships = types["objects"][0]["relationships"]
    relationships.append(copy.deepcopy(relationships[0]))
    return types


def action_args(name="createUser", output_type="UserOutput", arguments=None, **extra):
    definition = {
        "arguments": arguments if arguments is not None else [{"name": "name", "type": "String!"}],
        "output_type": output_type,
        "handler": HANDLER,
    }
    return {"name": name, "definition": definition, **extra}


def snapshot(metadata_api):
    """The exported metadata together with its resource_version."""
    return metadata_api.ok("export_metadata", {}, version=2)


def assert_refused(metadata_api, command_type, args, *, code, path, error=None):
    """The command fails with ``code`` at ``path`` and leaves the metadata and its version as they were."""
    before = snapshot(metadata_api)
    status, body = metadata_api.fails(command_type, args)
    assert (status, body["code"], body["path"]) == (400, code, path), body
    if error is not None:
        assert body["error"] == error
    assert snapshot(metadata_api) == before
    return body


@pytest.fixture
def users_source(metadata_api, pg_schema):
    """A ``default`` source with the users table tracked."""
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    metadata_api.ok("pg_track_table", {"source": "default", "table": "users"})
    return metadata_api


@pytest.fixture
def with_action(users_source):
    """The valid custom types and the createUser action using them."""
    users_source.ok("set_custom_types", custom_types())
    users_source.ok("create_action", action_args())
    return users_source


# set_custom_types ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_custom_types_replaces_the_whole_set(users_source):
    users_source.ok("set_custom_types", custom_types())
    users_source.ok("set_custom_types", {"scalars": [{"name": "Date"}]})

    assert users_source.export()["custom_types"] == {"scalars": [{"name": "Date"}]}


@pytest.mark.django_db
def test_set_custom_types_bumps_the_resource_version_once(users_source):
    version = snapshot(users_source)["resource_version"]

    users_source.ok("set_custom_types", custom_types())

    assert snapshot(users_source)["resource_version"] == version + 1


INVALID_CUSTOM_TYPES = {
    "relationship to a missing source": (
        with_relationship(source="nowhere"),
        "$.args.objects[0].relationships[0].source",
    ),
    "relationship to a missing table": (
        with_relationship(remote_table="nothing"),
        "$.args.objects[0].relationships[0].remote_table",
    ),
    "mapping to a missing column": (
        with_relationship(field_mapping={"id": "no_such_column"}),
        "$.args.objects[0].relationships[0].field_mapping.id",
    ),
    "mapping from a missing field": (
        with_relationship(field_mapping={"missing": "id"}),
        "$.args.objects[0].relationships[0].field_mapping.missing",
    ),
    "mapping from a list field": (
        with_relationship(field_mapping={"tags": "id"}),
        "$.args.objects[0].relationships[0].field_mapping.tags",
    ),
    "duplicate type names": (
        custom_types(scalars=[{"name": "Profile"}]),
        "$.args.objects[1].name",
    ),
    "duplicate relationship names": (
        duplicate_relationship(),
        "$.args.objects[0].relationships[1].name",
    ),
    "relationship named like a field": (
        with_relationship(name="tags"),
        "$.args.objects[0].relationships[0].name",
    ),
    "field of an unknown type": (
        custom_types(objects=[{"name": "Profile", "fields": [{"name": "bio", "type": "Biography"}]}]),
        "$.args.objects[0].fields[0].type",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "path"), INVALID_CUSTOM_TYPES.values(), ids=INVALID_CUSTOM_TYPES.keys())
def test_set_custom_types_refuses_an_invalid_reference(users_source, args, path):
    body = assert_refused(users_source, "set_custom_types", args, code="invalid-configuration", path=path)

    assert body["internal"][0]["type"] == "custom_types"


@pytest.mark.django_db
def test_set_custom_types_refuses_to_drop_an_actions_output_type(with_action):
    body = assert_refused(
        with_action,
        "set_custom_types",
        {"scalars": [{"name": "Date"}]},
        code="unexpected",
        path="$.args",
        error="cannot continue due to new inconsistent metadata",
    )

    assert [i["type"] for i in body["internal"]] == ["action"]


@pytest.mark.django_db
def test_set_custom_types_refuses_a_mapping_from_an_object_field_of_an_actions_output(with_action):
    body = assert_refused(
        with_action,
        "set_custom_types",
        with_relationship(field_mapping={"profile": "id"}),
        code="unexpected",
        path="$.args",
        error="cannot continue due to new inconsistent metadata",
    )

    (record,) = body["internal"]
    assert (record["type"], record["name"]) == ("action", "action createUser")
    assert record["reason"] == (
        'Inconsistent object: Relationships cannot be defined with nested object fields: "user"'
    )


@pytest.mark.django_db
def test_create_action_refuses_an_output_whose_relationship_maps_an_object_field(users_source):
    users_source.ok("set_custom_types", with_relationship(field_mapping={"profile": "id"}))

    assert_refused(
        users_source,
        "create_action",
        action_args(),
        code="constraint-error",
        path="$.args.definition.output_type",
        error='Inconsistent object: Relationships cannot be defined with nested object fields: "user"',
    )


@pytest.mark.django_db
def test_set_custom_types_reports_a_shape_error_at_its_path(users_source):
    args = custom_types(enums=[{"name": "Color", "values": []}])

    assert_refused(
        users_source,
        "set_custom_types",
        args,
        code="parse-failed",
        path="$.args.enums[0].values",
        error="expected a non-empty list of enum values",
    )


# actions ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_action_is_exported_in_hasuras_shape(users_source, monkeypatch):
    monkeypatch.setenv("JOINERY_TEST_ACTION_KEY", "secret")
    users_source.ok("set_custom_types", custom_types())
    args = action_args(comment="creates a user")
    args["definition"].update(
        type="query", timeout=12, headers=[{"name": "X-Key", "value_from_env": "JOINERY_TEST_ACTION_KEY"}]
    )

    assert users_source.ok("create_action", args) == {"message": "success"}

    assert users_source.export()["actions"] == [
        {
            "name": "createUser",
            "definition": {
                "handler": HANDLER,
                "output_type": "UserOutput",
                "headers": [{"name": "X-Key", "value_from_env": "JOINERY_TEST_ACTION_KEY"}],
                "arguments": [{"name": "name", "type": "String!"}],
                "type": "query",
                "timeout": 12,
            },
            "comment": "creates a user",
        }
    ]


@pytest.mark.django_db
def test_create_action_accepts_custom_and_builtin_types(users_source):
    users_source.ok("set_custom_types", custom_types())

    users_source.ok(
        "create_action",
        action_args(arguments=[{"name": "user", "type": "UserInput!"}, {"name": "n", "type": "[Int!]"}]),
    )
    users_source.ok("create_action", action_args(name="countUsers", output_type="Int!", arguments=[]))

    assert [a["name"] for a in users_source.export()["actions"]] == ["createUser", "countUsers"]


@pytest.mark.django_db
def test_create_action_refuses_an_unknown_argument_type(users_source):
    users_source.ok("set_custom_types", custom_types())
    args = action_args(arguments=[{"name": "name", "type": "String!"}, {"name": "when", "type": "Moment"}])

    assert_refused(
        users_source,
        "create_action",
        args,
        code="invalid-params",
        path="$.args.definition.arguments[1].type",
        error='Inconsistent object: the type: "Moment" is not defined in custom types or it is not a scalar/enum/input_object',
    )


@pytest.mark.django_db
def test_create_action_refuses_an_object_type_as_argument(users_source):
    users_source.ok("set_custom_types", custom_types())

    assert_refused(
        users_source,
        "create_action",
        action_args(arguments=[{"name": "user", "type": "UserOutput"}]),
        code="invalid-params",
        path="$.args.definition.arguments[0].type",
    )


@pytest.mark.django_db
def test_create_action_refuses_an_unknown_output_type(users_source):
    users_source.ok("set_custom_types", custom_types())

    assert_refused(
        users_source,
        "create_action",
        action_args(output_type="[Nothing!]!"),
        code="not-exists",
        path="$.args.definition.output_type",
        error='Inconsistent object: the type: "Nothing" is not an object or scalar type defined in custom types',
    )


@pytest.mark.django_db
def test_create_action_refuses_a_header_from_an_unset_variable(users_source, monkeypatch):
    monkeypatch.delenv("JOINERY_TEST_UNSET", raising=False)
    users_source.ok("set_custom_types", custom_types())
    args = action_args()
    args["definition"]["headers"] = [{"name": "X-Key", "value_from_env": "JOINERY_TEST_UNSET"}]

    assert_refused(
        users_source,
        "create_action",
        args,
        code="invalid-params",
        path="$.args.definition.headers[0].value_from_env",
        error="Inconsistent object: environment variable 'JOINERY_TEST_UNSET' not set",
    )


@pytest.mark.django_db
def test_create_action_refuses_a_duplicate(with_action):
    assert_refused(
        with_action,
        "create_action",
        action_args(output_type="Int"),
        code="already-exists",
        path="$.args",
        error='action with name "createUser" already exists',
    )


@pytest.mark.django_db
def test_create_action_reports_a_missing_key_at_its_path(users_source):
    args = action_args()
    del args["definition"]["handler"]

    assert_refused(
        users_source,
        "create_action",
        args,
        code="parse-failed",
        path="$.args.definition",
        error="the key 'handler' was not present",
    )


@pytest.mark.django_db
def test_update_action_replaces_definition_and_comment_and_keeps_permissions(with_action):
    with_action.ok("create_action_permission", {"action": "createUser", "role": "user"})

    with_action.ok("update_action", action_args(output_type="Int!", arguments=[]))

    assert with_action.export()["actions"] == [
        {
            "name": "createUser",
            "definition": {
                "handler": HANDLER,
                "output_type": "Int!",
                "type": "mutation",
                "kind": "synchronous",
            },
            "permissions": [{"role": "user"}],
        }
    ]


@pytest.mark.django_db
def test_update_action_refuses_an_unknown_action(with_action):
    assert_refused(
        with_action,
        "update_action",
        action_args(name="nope"),
        code="not-exists",
        path="$.args",
        error='action with name "nope" does not exist',
    )


@pytest.mark.django_db
def test_update_action_refuses_a_type_that_does_not_exist(with_action):
    assert_refused(
        with_action,
        "update_action",
        action_args(output_type="Nothing"),
        code="not-exists",
        path="$.args.definition.output_type",
    )


@pytest.mark.django_db
def test_drop_action_removes_it_with_its_permissions(with_action):
    with_action.ok("create_action_permission", {"action": "createUser", "role": "user"})

    with_action.ok("drop_action", {"name": "createUser", "clear_data": True})

    assert "actions" not in with_action.export()
    with_action.ok("create_action", action_args())
    assert "permissions" not in with_action.export()["actions"][0]


@pytest.mark.django_db
def test_drop_action_refuses_an_unknown_action(with_action):
    assert_refused(
        with_action,
        "drop_action",
        {"name": "nope"},
        code="not-exists",
        path="$.args",
        error='action with name "nope" does not exist',
    )


# action permissions -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_action_permissions_are_created_and_dropped(with_action):
    with_action.ok("create_action_permission", {"action": "createUser", "role": "user", "comment": "self"})
    with_action.ok(
        "create_action_permission", {"action": "createUser", "role": "editor", "definition": {"select": {}}}
    )
    assert with_action.export()["actions"][0]["permissions"] == [
        {"role": "user", "comment": "self"},
        {"role": "editor"},
    ]

    with_action.ok("drop_action_permission", {"action": "createUser", "role": "user"})

    assert with_action.export()["actions"][0]["permissions"] == [{"role": "editor"}]


@pytest.mark.django_db
def test_create_action_permission_refuses_a_duplicate(with_action):
    with_action.ok("create_action_permission", {"action": "createUser", "role": "user"})

    assert_refused(
        with_action,
        "create_action_permission",
        {"action": "createUser", "role": "user"},
        code="already-exists",
        path="$.args",
        error='permission for role "user" is already defined on "createUser"',
    )


@pytest.mark.django_db
def test_create_action_permission_refuses_an_unknown_action(with_action):
    assert_refused(
        with_action,
        "create_action_permission",
        {"action": "nope", "role": "user"},
        code="not-exists",
        path="$.args.action",
        error='action with name "nope" does not exist',
    )


@pytest.mark.django_db
def test_drop_action_permission_refuses_a_missing_permission(with_action):
    assert_refused(
        with_action,
        "drop_action_permission",
        {"action": "createUser", "role": "user"},
        code="not-exists",
        path="$.args",
        error='permission for role: "user" is not defined on "createUser"',
    )


@pytest.mark.django_db
def test_drop_action_permission_refuses_an_unknown_action(with_action):
    assert_refused(
        with_action,
        "drop_action_permission",
        {"action": "nope", "role": "user"},
        code="not-exists",
        path="$.args.action",
    )


# bulk and resource_version ------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_whose_fifth_command_fails_changes_nothing(users_source):
    before = snapshot(users_source)
    commands = [
        {"type": "set_custom_types", "args": custom_types()},
        {"type": "create_action", "args": action_args()},
        {"type": "create_action_permission", "args": {"action": "createUser", "role": "user"}},
        {"type": "update_action", "args": action_args(comment="changed")},
        {"type": "set_custom_types", "args": with_relationship(field_mapping={"id": "no_such_column"})},
    ]

    status, body = users_source.post({"type": "bulk", "args": commands})

    assert status == 400
    assert (body["code"], body["path"]) == (
        "invalid-configuration",
        "$.args[4].args.objects[0].relationships[0].field_mapping.id",
    )
    assert snapshot(users_source) == before


@pytest.mark.django_db
def test_bulk_of_valid_commands_answers_each_and_bumps_the_version_once(users_source):
    before = snapshot(users_source)["resource_version"]
    commands = [
        {"type": "set_custom_types", "args": custom_types()},
        {"type": "create_action", "args": action_args()},
        {"type": "create_action_permission", "args": {"action": "createUser", "role": "user"}},
    ]

    assert users_source.ok("bulk", commands) == [{"message": "success"}] * 3

    assert snapshot(users_source)["resource_version"] == before + 1
    assert users_source.export()["actions"][0]["permissions"] == [{"role": "user"}]


@pytest.mark.django_db
def test_a_stale_resource_version_is_a_conflict(users_source):
    current = snapshot(users_source)["resource_version"]

    status, body = users_source.post(
        {"type": "set_custom_types", "args": custom_types(), "resource_version": current - 1}
    )

    assert (status, body) == (
        409,
        {
            "error": f"metadata resource version referenced ({current - 1}) did not match current version",
            "path": "$",
            "code": "conflict",
        },
    )
    assert "custom_types" not in users_source.export()
    users_source.ok("set_custom_types", custom_types(), resource_version=current)
    assert snapshot(users_source)["resource_version"] == current + 1
