"""add_remote_schema_permissions / drop_remote_schema_permissions against a real GraphQL server.

Every refusal leaves the metadata and its resource_version as they were (``assert_refused``).
"""

import json

import pytest
from django.urls import reverse

from relationships import models, store
from tests.relationships.test_commands_actions import assert_refused, snapshot
from tests.support.servers import GraphQLServer

PEOPLE_SDL = """
enum Role { ADMIN MEMBER }
input MessageInput { to: ID! text: String! from: ID }
type User { id: ID! name: String! email: String role: Role }
type Query { user(id: ID!): User users(limit: Int = 10, role: Role): [User!]! hello: String }
type Mutation { send(message: MessageInput!): Boolean }
"""
USER_VIEW = """
type User { id: ID! name: String! }
type Query { user(id: ID! @preset(value: "x-hasura-user-id")): User }
"""


@pytest.fixture
def people_server():
    with GraphQLServer(PEOPLE_SDL) as server:
        yield server


@pytest.fixture
def people(metadata_api, people_server, settings):
    """The ``people`` remote schema, added, with remote schema permissions enforced."""
    settings.REMOTE_SCHEMA_PERMISSIONS = True
    metadata_api.ok("add_remote_schema", {"name": "people", "definition": {"url": people_server.endpoint}})
    return metadata_api


def permission_args(schema=USER_VIEW, role="user", remote_schema="people", **extra):
    return {"remote_schema": remote_schema, "role": role, "definition": {"schema": schema}, **extra}


def exported_permissions(metadata_api, name="people"):
    remote_schema = next(r for r in metadata_api.export()["remote_schemas"] if r["name"] == name)
    return remote_schema.get("permissions")


# add ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_stores_the_permission_and_export_shows_it(people):
    before = snapshot(people)["resource_version"]

    assert people.ok("add_remote_schema_permissions", permission_args(comment="own record")) == {
        "message": "success"
    }

    assert exported_permissions(people) == [
        {"role": "user", "definition": {"schema": USER_VIEW}, "comment": "own record"}
    ]
    assert snapshot(people)["resource_version"] == before + 1


@pytest.mark.django_db
def test_add_is_refused_while_remote_schema_permissions_are_off(people, settings):
    settings.REMOTE_SCHEMA_PERMISSIONS = False

    assert_refused(
        people,
        "add_remote_schema_permissions",
        permission_args(),
        code="constraint-violation",
        path="$.args",
        error="remote schema permissions can only be added when remote schema permissions are enabled "
        "in the graphql-engine",
    )


@pytest.mark.django_db
def test_add_for_an_unknown_remote_schema_is_refused(people):
    assert_refused(
        people,
        "add_remote_schema_permissions",
        permission_args(remote_schema="nowhere"),
        code="not-exists",
        path="$.args.remote_schema",
        error='remote schema "nowhere" doesn\'t exist',
    )


@pytest.mark.django_db
def test_a_second_permission_for_the_role_is_refused(people):
    people.ok("add_remote_schema_permissions", permission_args())

    assert_refused(
        people,
        "add_remote_schema_permissions",
        permission_args("type Query { hello: String }"),
        code="already-exists",
        path="$.args.role",
        error='permissions for role: "user" for remote schema:"people" already exists',
    )
    assert exported_permissions(people) == [{"role": "user", "definition": {"schema": USER_VIEW}}]


@pytest.mark.django_db
def test_the_admin_role_cannot_get_a_permission(people):
    assert_refused(
        people,
        "add_remote_schema_permissions",
        permission_args(role="admin"),
        code="constraint-violation",
        path="$.args.role",
        error="cannot define permission for admin role",
    )


INVALID_VIEWS = {
    "unknown type": (
        "type Account { id: ID! } type Query { hello: String }",
        'object "Account" does not exist in the upstream remote schema',
    ),
    "unknown field": (
        "type Query { goodbye: String }",
        'field "goodbye" does not exist in the object "Query" of the upstream remote schema',
    ),
    "field type mismatch": (
        "type Query { hello: Int }",
        'expected type of field "hello" of object "Query" to be String but received Int',
    ),
    "unknown argument": (
        "type Query { user(id: ID!, name: String): User } type User { id: ID! }",
        'argument "name" does not exist in the field "user" of object "Query" of the upstream remote schema',
    ),
    "missing required argument": (
        "type Query { user: User } type User { id: ID! }",
        'field "user" of object "Query" expects the following non nullable arguments to be present: "id"',
    ),
    "kind mismatch": (
        "type Role { id: ID } type Query { hello: String }",
        'object "Role" does not exist in the upstream remote schema',
    ),
    "enum value": (
        "enum Role { ADMIN GUEST } type User { id: ID! role: Role } type Query { user(id: ID!): User }",
        'enum "Role" contains values that do not exist in the upstream remote schema: "GUEST"',
    ),
    "undefined type": (
        "type Query { user(id: ID!): User }",
        'type "User" is used but not defined in the role-based schema',
    ),
    "preset of an unknown enum value": (
        "enum Role { ADMIN MEMBER } type User { id: ID! }\ntype Query { users(limit: Int = 10, role: Role @preset(value: GUEST)): [User!]! }",
        '"GUEST" not found in the enum: "Role"',
    ),
    "preset of the wrong type": (
        'type User { id: ID! } type Query { users(limit: Int = 10 @preset(value: "ten")): [User!]! }',
        'preset value "ten" at the argument "limit" of field "users" of object "Query" is not a valid "Int"',
    ),
    "preset on a field": (
        'type Query { hello: String @preset(value: "hi") }',
        'found a preset directive at the field "hello" of object "Query": preset directives can be defined '
        "only on INPUT_FIELD_DEFINITION or ARGUMENT_DEFINITION",
    ),
    "preset without a value": (
        "type User { id: ID! } type Query { user(id: ID! @preset(static: true)): User }",
        'preset argument "value" not found at the argument "id" of field "user" of object "Query"',
    ),
    "no query root": (
        "type User { id: ID! }",
        "query root does not exist in the schema definition",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", INVALID_VIEWS, ids=str)
def test_sdl_that_is_not_a_subset_of_the_remote_schema_is_refused(people, case):
    schema, reason = INVALID_VIEWS[case]

    assert_refused(
        people,
        "add_remote_schema_permissions",
        permission_args(schema),
        code="validation-failed",
        path="$.args.definition.schema",
        error=f"validation for the given role-based schema failed because {reason}",
    )
    assert exported_permissions(people) is None


@pytest.mark.django_db
def test_every_reason_is_listed_when_there_are_several(people):
    body = assert_refused(
        people,
        "add_remote_schema_permissions",
        permission_args("type Query { hello: Int goodbye: String }"),
        code="validation-failed",
        path="$.args.definition.schema",
    )

    assert body["error"] == (
        "validation for the given role-based schema failed for the following reasons:\n"
        ' • expected type of field "hello" of object "Query" to be String but received Int\n'
        ' • field "goodbye" does not exist in the object "Query" of the upstream remote schema\n'
    )


@pytest.mark.django_db
def test_sdl_that_does_not_parse_is_a_parse_error(people):
    body = assert_refused(
        people,
        "add_remote_schema_permissions",
        permission_args("type Query { hello: String"),
        code="parse-failed",
        path="$.args.definition.schema",
    )

    assert body["error"].startswith("the schema is not valid GraphQL SDL: Syntax Error")


@pytest.mark.django_db
def test_presets_and_a_mutation_root_are_accepted(people):
    schema = """
    input MessageInput { to: ID! text: String! from: ID @preset(value: "x-hasura-user-id") }
    type User { id: ID! }
    type Query { users(limit: Int = 10 @preset(value: 2)): [User!]! }
    type Mutation { send(message: MessageInput!): Boolean }
    """

    people.ok("add_remote_schema_permissions", permission_args(schema))

    assert exported_permissions(people) == [{"role": "user", "definition": {"schema": schema}}]


# drop ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_drop_removes_only_that_roles_permission(people):
    people.ok("add_remote_schema_permissions", permission_args())
    people.ok("add_remote_schema_permissions", permission_args("type Query { hello: String }", role="guest"))

    assert people.ok("drop_remote_schema_permissions", {"remote_schema": "people", "role": "user"}) == {
        "message": "success"
    }

    assert exported_permissions(people) == [
        {"role": "guest", "definition": {"schema": "type Query { hello: String }"}}
    ]


@pytest.mark.django_db
def test_drop_works_while_remote_schema_permissions_are_off(people, settings):
    people.ok("add_remote_schema_permissions", permission_args())
    settings.REMOTE_SCHEMA_PERMISSIONS = False

    people.ok("drop_remote_schema_permissions", {"remote_schema": "people", "role": "user"})

    assert exported_permissions(people) is None


@pytest.mark.django_db
def test_dropping_a_missing_permission_is_refused(people):
    assert_refused(
        people,
        "drop_remote_schema_permissions",
        {"remote_schema": "people", "role": "user"},
        code="not-exists",
        path="$.args.role",
        error='permissions for role: "user" for remote schema:"people" doesn\'t exist',
    )
    assert_refused(
        people,
        "drop_remote_schema_permissions",
        {"remote_schema": "nowhere", "role": "user"},
        code="not-exists",
        path="$.args.remote_schema",
        error='remote schema "nowhere" doesn\'t exist',
    )


@pytest.mark.django_db
def test_removing_the_remote_schema_takes_its_permissions(people, people_server):
    people.ok("add_remote_schema_permissions", permission_args())

    people.ok("remove_remote_schema", {"name": "people"})
    people.ok("add_remote_schema", {"name": "people", "definition": {"url": people_server.endpoint}})

    assert exported_permissions(people) is None
    assert not models.RemoteSchemaPermission.objects.exists()


# whole metadata -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_replace_metadata_with_an_invalid_permission_is_refused_with_the_inconsistency(people, people_server):
    document = people.export()
    document["remote_schemas"][0]["permissions"] = [
        {"role": "user", "definition": {"schema": "type Query { goodbye: String }"}}
    ]
    before = snapshot(people)

    status, body = people.fails("replace_metadata", document)

    assert status == 400
    assert body["code"] == "unexpected"
    assert body["internal"] == [
        {
            "definition": {
                "remote_schema": "people",
                "role": "user",
                "definition": {"schema": "type Query { goodbye: String }"},
            },
            "name": "remote_schema_permission user permission in remote schema people",
            "reason": 'Inconsistent object: in remote schema permission for role "user": validation for the '
            'given role-based schema failed because field "goodbye" does not exist in the object "Query" of '
            "the upstream remote schema",
            "type": "remote_schema_permission",
        }
    ]
    assert snapshot(people) == before


@pytest.mark.django_db
def test_an_inconsistent_permission_is_reported_and_dropped_with_drop_inconsistent_metadata(people):
    document = people.export()
    document["remote_schemas"][0]["permissions"] = [
        {"role": "user", "definition": {"schema": "type Query { goodbye: String }"}},
        {"role": "guest", "definition": {"schema": "type Query { hello: String }"}},
    ]
    people.ok("replace_metadata", {"allow_inconsistent_metadata": True, "metadata": document})

    inconsistent = people.ok("get_inconsistent_metadata")
    people.ok("drop_inconsistent_metadata")

    assert [i["name"] for i in inconsistent["inconsistent_objects"]] == [
        "remote_schema_permission user permission in remote schema people"
    ]
    assert exported_permissions(people) == [
        {"role": "guest", "definition": {"schema": "type Query { hello: String }"}}
    ]


# the Django admin ---------------------------------------------------------------------------------


def change_url(permission):
    return reverse("admin:relationships_remoteschemapermission_change", args=[permission.pk])


def admin_form(permission, schema):
    return {
        "remote_schema": str(permission.remote_schema_id),
        "role": permission.role,
        "definition": json.dumps({"schema": schema}),
        "comment": "",
    }


@pytest.mark.django_db
def test_the_admin_lists_permissions_and_refuses_an_invalid_edit(people, admin_client):
    people.ok("add_remote_schema_permissions", permission_args())
    permission = models.RemoteSchemaPermission.objects.get(role="user")
    version = store.load_state().resource_version

    listing = admin_client.get(reverse("admin:relationships_remoteschemapermission_changelist"))
    refused = admin_client.post(
        change_url(permission), admin_form(permission, "type Query { goodbye: String }")
    )

    assert "people" in listing.content.decode()
    assert refused.status_code == 200
    assert "does not exist in the object" in refused.content.decode()
    permission.refresh_from_db()
    assert permission.definition == {"schema": USER_VIEW}
    assert store.load_state().resource_version == version


@pytest.mark.django_db
def test_the_admin_saves_a_valid_edit_through_the_funnel(people, admin_client):
    people.ok("add_remote_schema_permissions", permission_args())
    permission = models.RemoteSchemaPermission.objects.get(role="user")
    version = store.load_state().resource_version

    response = admin_client.post(
        change_url(permission), admin_form(permission, "type Query { hello: String }")
    )

    assert response.status_code == 302
    [exported] = exported_permissions(people)
    assert (exported["role"], exported["definition"]) == ("user", {"schema": "type Query { hello: String }"})
    assert store.load_state().resource_version == version + 1
