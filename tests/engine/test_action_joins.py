"""Joins around actions beyond Hasura's: action -> remote schema, action -> action, table -> action,
remote schema -> action (per key at once, or list mode), and join keys from nested and list fields.
"""

import threading
import time

import pytest
from graphql import parse, print_ast

from tests.engine.remote_support import accounts_server, remote_schema_entry, world
from tests.support.servers import Reply, WebhookServer

PROFILES = {"arya|1": "Needle", "hodor|hodor": "Hodor!", "jon|9": "Ghost"}
CUSTOM_TYPES = {
    "objects": [
        {
            "name": "UserOutput",
            "fields": [{"name": "id", "type": "Int!"}, {"name": "auth0_id", "type": "String"}],
            "relationships": [
                {"name": "user", "type": "object", "remote_table": "users", "field_mapping": {"id": "id"}},
                {
                    "name": "account",
                    "definition": {
                        "to_remote_schema": {
                            "remote_schema": "accounts",
                            "lhs_fields": ["auth0_id"],
                            "remote_field": {"account": {"arguments": {"id": "$auth0_id"}}},
                        }
                    },
                },
                {
                    "name": "bio",
                    "definition": {
                        "to_action": {
                            "action": "profile",
                            "lhs_fields": ["auth0_id"],
                            "arguments": {"id": "$auth0_id"},
                        }
                    },
                },
            ],
        },
        {
            "name": "Profile",
            "fields": [{"name": "user_id", "type": "String!"}, {"name": "text", "type": "String"}],
        },
        {"name": "Ref", "fields": [{"name": "author_id", "type": "Int"}]},
        {
            "name": "Envelope",
            "fields": [
                {"name": "main", "type": "Ref"},
                {"name": "others", "type": "[Ref!]"},
                {"name": "author_ids", "type": "[Int!]"},
            ],
            "relationships": [
                {
                    "name": "main_author",
                    "type": "object",
                    "remote_table": "author",
                    "field_mapping": {"main.author_id": "id"},
                },
                {
                    "name": "listed",
                    "type": "array",
                    "remote_table": "author",
                    "field_mapping": {"author_ids": "id"},
                },
                {
                    "name": "others_authors",
                    "type": "array",
                    "remote_table": "author",
                    "field_mapping": {"others.author_id": "id"},
                },
            ],
        },
    ]
}


def action(name, path, output_type, arguments=(), kind="query"):
    return {
        "name": name,
        "definition": {
            "type": kind,
            "handler": f"{{{{WEBHOOK}}}}{path}",
            "output_type": output_type,
            "arguments": [{"name": n, "type": t} for n, t in arguments],
        },
    }


ACTIONS = [
    action("createUser", "/create", "UserOutput", [("name", "String!")], kind="mutation"),
    action("profile", "/profile", "Profile", [("id", "String!"), ("style", "String")]),
    action("profiles", "/profiles", "[Profile!]!", [("ids", "[String!]!")]),
    action("envelope", "/envelope", "Envelope"),
]
TO_PROFILE = {
    "to_action": {"action": "profile", "lhs_fields": ["auth0_id"], "arguments": {"id": "$auth0_id"}}
}
TO_PROFILES = {
    "to_action": {
        "action": "profiles",
        "lhs_fields": ["auth0_id"],
        "arguments": {"ids": "$auth0_id"},
        "batch": {"list_argument": "ids", "key_field": "user_id"},
    }
}


@pytest.fixture
def accounts():
    server = accounts_server()
    yield server
    server.stop()


@pytest.fixture
def hooks():
    with WebhookServer() as server:
        server.route("/profile", _profile)
        server.route("/profiles", lambda r: [_profile_of(i) for i in r.json["input"]["ids"] if i in PROFILES])
        yield server


def _profile_of(user_id, style=None):
    text = PROFILES[user_id]
    return {"user_id": user_id, "text": text.upper() if style == "loud" else text}


def _profile(request):
    arguments = request.json["input"]
    if arguments["id"] not in PROFILES:
        return Reply(status=400, json={"message": f"no profile for {arguments['id']}"})
    return _profile_of(arguments["id"], arguments.get("style"))


@pytest.fixture
def w(tmp_path, accounts, hooks):
    return world(
        tmp_path,
        {"accounts": accounts},
        environ={"WEBHOOK": hooks.base_url},
        users={
            "remote_relationships": [
                {"name": "bio", "definition": TO_PROFILE},
                {"name": "bios", "definition": TO_PROFILES},
            ]
        },
        remote_schemas=[
            remote_schema_entry(
                "accounts",
                accounts.endpoint,
                [
                    {
                        "type_name": "Account",
                        "relationships": [
                            {
                                "name": "bio",
                                "definition": {
                                    "to_action": {
                                        "action": "profile",
                                        "lhs_fields": ["id"],
                                        "arguments": {"id": "$id"},
                                    }
                                },
                            }
                        ],
                    }
                ],
            )
        ],
        actions=ACTIONS,
        custom_types=CUSTOM_TYPES,
    )


def test_action_to_remote_schema_and_action_to_action(w, accounts, hooks):
    hooks.route("/create", {"id": 3, "auth0_id": "hodor|hodor"})
    query = 'mutation { createUser(name: "Hodor") { id user { name } account { nickname } bio(style: "loud") { text } } }'

    response = w.run(query)

    assert w.answer(query) == {
        "data": {
            "createUser": {
                "id": 3,
                "user": {"name": "Hodor"},
                "account": {"nickname": "Hodor"},
                "bio": {"text": "HODOR!"},
            }
        }
    }
    counts = response.counts
    assert (counts.sql_statements, counts.remote_requests, counts.http_calls) == (1, 1, 3)
    profile_call = hooks.calls("/profile")[0].json
    assert profile_call["input"] == {"id": "hodor|hodor", "style": "loud"}
    assert profile_call["action"] == {"name": "profile"}


def test_table_to_action_calls_once_per_distinct_key_all_at_once(w, hooks):
    started = []
    lock = threading.Lock()

    def slow_profile(request):
        with lock:
            started.append(time.monotonic())
        time.sleep(0.3)
        return _profile_of(request.json["input"]["id"])

    hooks.route("/profile", slow_profile)
    begin = time.monotonic()

    answer = w.answer("{ users(order_by: {id: asc}) { name bio { text } } }")

    assert answer == {
        "data": {
            "users": [
                {"name": "Arya", "bio": {"text": "Needle"}},
                {"name": "Bran", "bio": None},
                {"name": "Hodor", "bio": {"text": "Hodor!"}},
            ]
        }
    }
    assert len(hooks.calls("/profile")) == 2
    assert time.monotonic() - begin < 0.55
    assert max(started) - min(started) < 0.25


def test_list_mode_calls_the_action_once_with_every_key(w, hooks):
    answer = w.answer("{ users(order_by: {id: asc}) { id bios { text } } }")

    assert answer == {
        "data": {
            "users": [
                {"id": 1, "bios": {"text": "Needle"}},
                {"id": 2, "bios": None},
                {"id": 3, "bios": {"text": "Hodor!"}},
            ]
        }
    }
    (call,) = hooks.calls("/profiles")
    assert call.json["input"] == {"ids": ["arya|1", "hodor|hodor"]}


def test_remote_schema_to_action(w, hooks):
    answer = w.answer('{ accounts(ids: ["jon|9", "arya|1"]) { nickname bio { text } } }')

    assert answer == {
        "data": {
            "accounts": [
                {"nickname": "Arya", "bio": {"text": "Needle"}},
                {"nickname": "Jon", "bio": {"text": "Ghost"}},
            ]
        }
    }
    assert sorted(call.json["input"]["id"] for call in hooks.calls("/profile")) == ["arya|1", "jon|9"]


def test_a_failing_joined_action_fails_the_request(w, hooks):
    hooks.route("/create", {"id": 99, "auth0_id": "nobody|0"})

    answer = w.answer('mutation { createUser(name: "X") { id bio { text } } }')

    assert answer == {
        "errors": [{"message": "no profile for nobody|0", "extensions": {"path": "$", "code": "unexpected"}}]
    }


def test_join_keys_from_nested_objects_and_lists(w, hooks):
    hooks.route(
        "/envelope",
        {"main": {"author_id": 2}, "others": [{"author_id": 4}, {"author_id": 1}], "author_ids": [4, 1, 99]},
    )
    query = """
    { envelope {
        main_author { name }
        listed(order_by: {id: asc}) { id name }
        others_authors(order_by: {name: desc}) { name }
        author_ids
    } }
    """

    response = w.run(query)

    assert w.answer(query) == {
        "data": {
            "envelope": {
                "main_author": {"name": "Bob"},
                "listed": [{"id": 1, "name": "Ann"}, {"id": 4, "name": "Dee"}],
                "others_authors": [{"name": "Dee"}, {"name": "Ann"}],
                "author_ids": [4, 1, 99],
            }
        }
    }
    assert (response.counts.sql_statements, response.counts.http_calls) == (3, 1)


def test_null_and_empty_list_keys(w, hooks):
    hooks.route("/envelope", {"main": None, "others": [], "author_ids": None})

    answer = w.answer("{ envelope { main_author { name } listed { name } others_authors { name } } }")

    assert answer == {"data": {"envelope": {"main_author": None, "listed": None, "others_authors": []}}}


def test_the_client_argument_of_a_joined_action_is_its_own(w, hooks):
    schema = w.schema()
    bio = schema.graphql.get_type("users").fields["bio"]

    assert list(bio.args) == ["style"]
    assert str(bio.type) == "Profile"
    assert str(schema.graphql.get_type("users").fields["bios"].type) == "Profile"


def test_remote_documents_of_joins_from_actions(w, accounts, hooks):
    hooks.route("/create", {"id": 1, "auth0_id": "arya|1"})

    w.run('mutation { createUser(name: "A") { account { email } } }')

    (call,) = accounts.calls(include_introspection=False)
    assert print_ast(parse(call.query)) == print_ast(parse('{ f0: account(id: "arya|1") { email } }'))
