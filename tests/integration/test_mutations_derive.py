"""Deriving an action from a mutation and scaffolding its handler, through POST /v1/metadata.

``derive_action`` answers a definition and custom types; saved with ``set_custom_types`` and
``create_action`` they make an ordinary action (also in the metadata directory).
``get_action_scaffold`` answers a Python handler, which is run here as a real local server that the
gateway calls and that calls ``insert_users_one`` back through /v1/graphql, and TypeScript types.
"""

import io
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
import requests
from django.core.management import call_command

from relationships import store
from tests.relationships.conftest import pg_source_args
from tests.support.servers import GraphQLServer, unused_port

INSERT_USER_OPERATION = (
    "mutation insertUserAction($object: users_insert_input!) {\n"
    "  insert_users_one(object: $object) {\n    id\n    name\n    auth0_id\n  }\n}\n"
)
DERIVED_TYPES = {
    "input_objects": [
        {
            "name": "InsertUserActionUsersInsertInput",
            "fields": [
                {"name": "id", "type": "Int"},
                {"name": "name", "type": "String"},
                {"name": "auth0_id", "type": "String"},
            ],
        }
    ],
    "objects": [
        {
            "name": "InsertUserActionOutput",
            "fields": [
                {"name": "id", "type": "Int!"},
                {"name": "name", "type": "String!"},
                {"name": "auth0_id", "type": "String"},
            ],
        }
    ],
}
USER_RELATIONSHIP = {
    "name": "user",
    "type": "object",
    "remote_table": {"schema": "public", "name": "users"},
    "field_mapping": {"id": "id"},
}
ORDERS_SDL = """
input OrderInput { item: String!  status: Status = OPEN }
enum Status { OPEN CLOSED }
scalar Money
type Order { id: ID!  item: String!  total: Money  lines: [Line!]! }
type Line { sku: String }
type Query { order(id: ID!): Order }
type Mutation { placeOrder(input: OrderInput!, note: String): Order! }
"""


@pytest.fixture
def users_source(metadata_api, pg_schema):
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    metadata_api.ok("pg_track_table", {"table": "users"})
    return pg_schema


def derive(metadata_api, **args):
    return metadata_api.ok("derive_action", args)


def save_derived(api, derived, handler, relationships=()):
    """``set_custom_types`` with the derived types (the output object with ``relationships``), then ``create_action``."""
    custom_types = {
        kind: [dict(entry) for entry in entries] for kind, entries in derived["custom_types"].items()
    }
    custom_types["objects"][-1]["relationships"] = list(relationships)
    api.ok("set_custom_types", custom_types)
    api.ok(
        "create_action",
        {"name": derived["name"], "definition": {**derived["definition"], "handler": handler}},
    )


@pytest.mark.postgres
def test_derive_from_a_table_mutation(metadata_api, users_source):
    derived = derive(metadata_api, field="insert_users_one", name="insertUserAction")

    assert derived == {
        "name": "insertUserAction",
        "definition": {
            "type": "mutation",
            "arguments": [{"name": "object", "type": "InsertUserActionUsersInsertInput!"}],
            "output_type": "InsertUserActionOutput",
        },
        "custom_types": DERIVED_TYPES,
        "operation": INSERT_USER_OPERATION,
    }


@pytest.mark.postgres
def test_derive_from_an_operation_takes_its_variables(metadata_api, users_source):
    derived = derive(
        metadata_api,
        operation="mutation addUser($name: String!) { insert_users(objects: [{name: $name}]) { affected_rows } }",
    )

    assert derived["name"] == "addUser"
    assert derived["definition"]["arguments"] == [{"name": "name", "type": "String!"}]
    assert derived["definition"]["output_type"] == "AddUserOutput"
    # The output follows the field's type; its object field "returning" is dropped.
    assert derived["custom_types"] == {
        "objects": [{"name": "AddUserOutput", "fields": [{"name": "affected_rows", "type": "Int!"}]}]
    }


@pytest.mark.postgres
def test_derive_from_a_remote_schema_mutation_and_from_an_action(metadata_api, users_source):
    with GraphQLServer(ORDERS_SDL) as orders:
        metadata_api.ok("add_remote_schema", {"name": "orders", "definition": {"url": orders.endpoint}})
        remote = derive(metadata_api, field="placeOrder")
        save_derived(metadata_api, remote, "http://127.0.0.1:9/place")
        again = derive(metadata_api, field="placeOrderAction", name="placeOrderAgain")

    assert remote["definition"] == {
        "type": "mutation",
        "arguments": [
            {"name": "input", "type": "PlaceOrderActionOrderInput!"},
            {"name": "note", "type": "String"},
        ],
        "output_type": "PlaceOrderActionOutput!",
    }
    assert remote["custom_types"] == {
        "scalars": [{"name": "PlaceOrderActionMoney"}],
        "enums": [{"name": "PlaceOrderActionStatus", "values": [{"value": "OPEN"}, {"value": "CLOSED"}]}],
        "input_objects": [
            {
                "name": "PlaceOrderActionOrderInput",
                "fields": [
                    {"name": "item", "type": "String!"},
                    {"name": "status", "type": "PlaceOrderActionStatus"},
                ],
            }
        ],
        "objects": [
            {
                "name": "PlaceOrderActionOutput",
                "fields": [
                    {"name": "id", "type": "ID!"},
                    {"name": "item", "type": "String!"},
                    {"name": "total", "type": "PlaceOrderActionMoney"},
                ],
            }
        ],
    }
    assert remote["name"] == "placeOrderAction"
    # Deriving from that action reuses its custom input type.
    assert again["definition"]["arguments"] == remote["definition"]["arguments"]
    assert again["custom_types"] == {
        "objects": [
            {
                "name": "PlaceOrderAgainOutput",
                "fields": [
                    {"name": "id", "type": "ID!"},
                    {"name": "item", "type": "String!"},
                    {"name": "total", "type": "PlaceOrderActionMoney"},
                ],
            }
        ]
    }


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("args", "path", "message"),
    [
        ({"field": "insert_nobody"}, "$.args.field", 'no mutation root field "insert_nobody" exists'),
        ({"operation": "mutation {"}, "$.args.operation", "not a valid GraphQL operation: Syntax Error"),
        (
            {
                "operation": "mutation { a: insert_users(objects: []) { affected_rows } b: insert_users(objects: []) { affected_rows } }"
            },
            "$.args.operation",
            "the operation must call exactly one root field",
        ),
    ],
)
def test_derive_refusals(metadata_api, users_source, args, path, message):
    status, body = metadata_api.fails("derive_action", args)

    assert status == 400
    assert (body["path"], body["code"]) == (path, "validation-failed")
    assert body["error"].startswith(message)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_derived_action_is_an_ordinary_action_in_the_metadata_directory(
    metadata_api, users_source, tmp_path
):
    save_derived(
        metadata_api,
        derive(metadata_api, field="insert_users_one", name="insertUserAction"),
        "http://127.0.0.1:9/x",
    )
    exported = metadata_api.export()
    call_command("metadata", "export", "--dir", str(tmp_path / "dir"), stdout=io.StringIO())

    assert (
        "insertUserAction(object: InsertUserActionUsersInsertInput!): InsertUserActionOutput"
        in (tmp_path / "dir" / "actions.graphql").read_text()
    )
    store.save_metadata(store.load_metadata().__class__())
    call_command(
        "metadata", "apply", "--dir", str(tmp_path / "dir"), "--allow-inconsistent", stdout=io.StringIO()
    )
    assert metadata_api.export() == exported


@pytest.mark.postgres
def test_scaffold_typescript_types(metadata_api, users_source):
    save_derived(
        metadata_api, derive(metadata_api, field="insert_users_one", name="insertUserAction"), "http://h"
    )

    answer = metadata_api.ok("get_action_scaffold", {"name": "insertUserAction", "language": "typescript"})

    ((file),) = answer["files"]
    assert (answer["language"], file["name"]) == ("typescript", "insertUserAction.ts")
    assert (
        "export type InsertUserActionArgs = {\n  object: InsertUserActionUsersInsertInput;\n};"
        in file["content"]
    )
    assert "export type InsertUserActionUsersInsertInput = {\n  id?: Maybe<number>;" in file["content"]
    assert "  name: string;\n  auth0_id?: Maybe<string>;\n};" in file["content"]
    assert "export type InsertUserActionResponse = Maybe<InsertUserActionOutput>;" in file["content"]


@pytest.mark.postgres
def test_scaffold_refusals(metadata_api, users_source):
    save_derived(
        metadata_api, derive(metadata_api, field="insert_users_one", name="insertUserAction"), "http://h"
    )

    unknown_language = metadata_api.fails(
        "get_action_scaffold", {"name": "insertUserAction", "language": "cobol"}
    )
    unknown_action = metadata_api.fails("get_action_scaffold", {"name": "nope", "language": "python"})

    assert unknown_language[1]["code"] == "parse-failed"
    assert unknown_language[1]["path"] == "$.args.language"
    assert unknown_action[1] == {
        "error": 'action with name "nope" does not exist',
        "path": "$.args.name",
        "code": "not-exists",
    }


# --- the generated handler as a real server ---------------------------------------------------------


@contextmanager
def running_handler(source, directory, graphql_url, port=None):
    """Write the generated handler to ``directory``, run it with this Python on ``port``, yield its URL."""
    path = directory / "handler.py"
    path.write_text(source)
    port = port or unused_port()
    env = {"JOINERY_GRAPHQL_URL": graphql_url, "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, str(path), str(port)], env=env, stdout=subprocess.PIPE)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def wait_for_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class LiveMetadataApi:
    """POST /v1/metadata on the live server (open development mode)."""

    def __init__(self, base_url):
        self.url = f"{base_url}/v1/metadata"

    def ok(self, command_type, args=None):
        response = requests.post(self.url, json={"type": command_type, "args": args or {}}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_generated_handler_runs_the_original_mutation(live_server, pg_schema, tmp_path):
    api = LiveMetadataApi(live_server.url)
    api.ok("pg_add_source", pg_source_args("default", pg_schema))
    api.ok("pg_track_table", {"table": "users"})
    derived = api.ok("derive_action", {"field": "insert_users_one", "name": "insertUserAction"})
    save_derived(api, derived, "http://127.0.0.1:9/not-yet", relationships=[USER_RELATIONSHIP])
    graphql_url = f"{live_server.url}/v1/graphql"
    scaffold = api.ok(
        "get_action_scaffold",
        {
            "name": "insertUserAction",
            "language": "python",
            "derive_from": "insert_users_one",
            "graphql_url": graphql_url,
        },
    )
    source = scaffold["files"][0]["content"]

    with running_handler(source, tmp_path, graphql_url) as handler:
        api.ok(
            "update_action",
            {"name": "insertUserAction", "definition": {**derived["definition"], "handler": handler}},
        )
        answer = requests.post(
            graphql_url,
            json={
                "query": 'mutation { insertUserAction(object: {name: "Hodor", auth0_id: "hodor|1"}) '
                "{ id name user { id auth0_id } } }"
            },
            timeout=30,
        ).json()

    assert answer == {
        "data": {"insertUserAction": {"id": 1, "name": "Hodor", "user": {"id": 1, "auth0_id": "hodor|1"}}}
    }
    assert 'return data["insert_users_one"]' in source
