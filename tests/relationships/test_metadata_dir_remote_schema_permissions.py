"""Remote schema permissions in a metadata directory: ``remote_schemas.yaml`` through ``manage.py metadata``.

Each remote schema in remote_schemas.yaml may carry ``permissions: [{role, definition: {schema}}]`` as
the Hasura CLI writes it. Applying stores and enforces them; exporting writes them back in that shape;
an invalid one is refused and nothing is saved.
"""

import copy
import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from relationships import store
from relationships.metadata_dir import read_metadata_dir, write_metadata_dir
from tests.support.servers import GraphQLServer

PEOPLE_SDL = """
type User { id: ID! name: String! email: String }
type Query { user(id: ID!): User users: [User!]! hello: String }
"""
PEOPLE = [{"id": "1", "name": "Ann", "email": "ann@example.com"}, {"id": "2", "name": "Bob", "email": None}]
USER_VIEW = """type User {
  id: ID!
  name: String!
}

type Query {
  user(id: ID! @preset(value: "x-hasura-user-id")): User
}
"""
GUEST_VIEW = "type Query { hello: String }"


def remote_schemas_yaml(url, user_view=USER_VIEW, role="user"):
    """remote_schemas.yaml as a user writes it: the SDL as a literal block, as the Hasura CLI exports it."""
    block = "".join(f"          {line}\n" if line else "\n" for line in user_view.splitlines())
    return (
        "- name: people\n"
        "  definition:\n"
        f"    url: {url}\n"
        "  comment: the people service\n"
        "  permissions:\n"
        f"    - role: {role}\n"
        "      definition:\n"
        "        schema: |\n"
        f"{block}"
        "      comment: own record only\n"
        "    - role: guest\n"
        "      definition:\n"
        f"        schema: '{GUEST_VIEW}'\n"
    )


def project(root: Path, remote_schemas: str) -> Path:
    root.mkdir(parents=True)
    (root / "version.yaml").write_text("version: 3\n")
    (root / "remote_schemas.yaml").write_text(remote_schemas)
    return root


def metadata(*args):
    out = io.StringIO()
    call_command("metadata", *args, stdout=out)
    return out.getvalue()


def graphql(client, query, role=None, **session):
    headers = {f"HTTP_X_HASURA_{key.upper()}": value for key, value in session.items()}
    if role is not None:
        headers["HTTP_X_HASURA_ROLE"] = role
    response = client.post("/v1/graphql", {"query": query}, content_type="application/json", **headers)
    return response.json()


@pytest.fixture
def people_server():
    resolvers = {
        "Query": {
            "user": lambda obj, info, id: next((p for p in PEOPLE if p["id"] == id), None),
            "users": lambda obj, info: PEOPLE,
            "hello": lambda obj, info: "hello",
        }
    }
    with GraphQLServer(PEOPLE_SDL, resolvers) as server:
        yield server


@pytest.fixture
def enforced(settings, db):
    """Remote schema permissions on, in open mode (role and session variables taken from the headers)."""
    settings.ADMIN_SECRET = settings.JWT_SECRET = settings.AUTH_HOOK = settings.UNAUTHORIZED_ROLE = None
    settings.REMOTE_SCHEMA_PERMISSIONS = True


@pytest.fixture
def applied(tmp_path, people_server, enforced, metadata_api):
    """The directory applied: the people remote schema with a user and a guest permission."""
    root = project(tmp_path / "source", remote_schemas_yaml(people_server.endpoint))
    assert "+ remote schema people" in metadata("apply", "--dir", str(root))
    return people_server


def test_write_then_read_keeps_permissions_and_leaves_the_metadata_alone(tmp_path):
    permissions = [
        {"role": "user", "definition": {"schema": USER_VIEW}, "comment": "own record only"},
        {"role": "guest", "definition": {"schema": GUEST_VIEW}},
    ]
    metadata = {
        "version": 3,
        "sources": [],
        "remote_schemas": [{"name": "people", "definition": {"url": "http://x"}, "permissions": permissions}],
    }
    original = copy.deepcopy(metadata)

    write_metadata_dir(metadata, tmp_path)

    assert metadata == original
    assert type(permissions[0]["definition"]["schema"]) is str
    assert read_metadata_dir(tmp_path) == metadata


@pytest.mark.django_db
def test_apply_stores_the_permissions_of_remote_schemas_yaml(applied, metadata_api):
    [remote_schema] = metadata_api.export()["remote_schemas"]

    assert remote_schema["permissions"] == [
        {"role": "user", "definition": {"schema": USER_VIEW}, "comment": "own record only"},
        {"role": "guest", "definition": {"schema": GUEST_VIEW}},
    ]
    assert metadata_api.ok("get_inconsistent_metadata")["is_consistent"] is True


@pytest.mark.django_db
def test_applied_permissions_are_enforced_per_role(applied, client):
    own_record = graphql(client, "{ user { id name } }", role="user", user_id="2")
    other_field = graphql(client, "{ users { id } }", role="user", user_id="2")
    hidden_column = graphql(client, "{ user { email } }", role="user", user_id="2")
    guest = graphql(client, "{ hello }", role="guest")
    guest_user = graphql(client, '{ user(id: "1") { id } }', role="guest")
    stranger = graphql(client, "{ hello }", role="stranger")
    admin = graphql(client, '{ users { email } user(id: "1") { name } }')

    assert own_record == {"data": {"user": {"id": "2", "name": "Bob"}}}
    assert "users" in other_field["errors"][0]["message"]
    assert "email" in hidden_column["errors"][0]["message"]
    assert guest == {"data": {"hello": "hello"}}
    assert "user" in guest_user["errors"][0]["message"]
    assert "hello" in stranger["errors"][0]["message"]
    assert admin == {
        "data": {"users": [{"email": "ann@example.com"}, {"email": None}], "user": {"name": "Ann"}}
    }


@pytest.mark.django_db
def test_export_writes_the_permissions_back_in_the_same_shape(applied, tmp_path):
    metadata("export", "--dir", str(tmp_path / "exported"))
    written = (tmp_path / "exported" / "remote_schemas.yaml").read_text()

    assert yaml.safe_load(written) == yaml.safe_load(remote_schemas_yaml(applied.endpoint))
    assert "      schema: |\n        type User {\n          id: ID!\n" in written
    assert "Nothing to apply" in metadata("apply", "--dir", str(tmp_path / "exported"))
    metadata("export", "--dir", str(tmp_path / "again"))
    assert (tmp_path / "again" / "remote_schemas.yaml").read_text() == written


@pytest.mark.django_db
def test_a_changed_permission_in_the_directory_is_applied(applied, tmp_path, client, metadata_api):
    changed = remote_schemas_yaml(applied.endpoint, "type User { id: ID! }\ntype Query { users: [User!]! }\n")
    root = project(tmp_path / "changed", changed)

    assert "~ remote schema people: permissions changed" in metadata("diff", "--dir", str(root))
    metadata("apply", "--dir", str(root))

    assert graphql(client, "{ users { id } }", role="user") == {"data": {"users": [{"id": "1"}, {"id": "2"}]}}
    assert "user" in graphql(client, "{ user { id } }", role="user", user_id="2")["errors"][0]["message"]


INVALID = {
    "sdl that does not parse": (
        "type Query {\n  user(id: ID!: User\n}\n",
        "user",
        ["the schema is not valid GraphQL SDL: Syntax Error", "parse-failed", "permissions[0]"],
    ),
    "sdl that is not a subset": (
        "type Query {\n  goodbye: String\n}\n",
        "user",
        [
            'remote schema permission for role "user"',
            'field "goodbye" does not exist in the object "Query" of the upstream remote schema',
        ],
    ),
    "the admin role": (USER_VIEW, "admin", ["cannot define permission for admin role"]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", INVALID, ids=str)
def test_an_invalid_permission_is_refused_and_nothing_is_saved(applied, tmp_path, metadata_api, case):
    user_view, role, expected = INVALID[case]
    broken = remote_schemas_yaml(applied.endpoint, user_view, role).replace(
        "the people service", "a changed comment"
    )
    root = project(tmp_path / "broken", broken)
    before = metadata_api.export()
    version = store.load_state().resource_version

    with pytest.raises(CommandError) as caught:
        metadata("apply", "--dir", str(root))

    for text in expected:
        assert text in str(caught.value)
    assert metadata_api.export() == before
    assert store.load_state().resource_version == version
