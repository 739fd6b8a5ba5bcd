"""Remote schema root fields through ``execute``: what is sent, what comes back, errors and headers."""

import pytest
from graphql import parse, print_ast

from tests.engine.remote_support import accounts_server, remote_schema_entry, world
from tests.support.servers import Reply


@pytest.fixture
def accounts():
    server = accounts_server()
    yield server
    server.stop()


def sent(server):
    """The documents the server received (introspection aside), normalised."""
    return [print_ast(parse(call.query)) for call in server.calls(include_introspection=False)]


def normalised(document):
    return print_ast(parse(document))


def test_a_root_field_keeps_aliases_arguments_variables_fragments_and_directives(tmp_path, accounts):
    w = world(
        tmp_path, {"accounts": accounts}, remote_schemas=[remote_schema_entry("accounts", accounts.endpoint)]
    )
    query = """
    query Q($id: ID!, $full: Boolean!, $order: Order) {
      me: account(id: $id) { nick: nickname ...Contact email @include(if: $full) }
      all: accounts(ids: ["jon|9", "arya|1"], order: $order) { id }
      found: search(term: "hodor") { __typename ... on Account { nickname } ... on Team { name } }
      n: node(id: "t1") { id ... on Team { members } }
    }
    fragment Contact on Account { last_login }
    """

    response = w.run(query, {"id": "hodor|hodor", "full": False, "order": "DESC"})

    assert w.answer(query, {"id": "hodor|hodor", "full": False, "order": "DESC"}) == {
        "data": {
            "me": {"nick": "Hodor", "last_login": "2016-05-22T01:35:48.863Z"},
            "all": [{"id": "jon|9"}, {"id": "arya|1"}],
            "found": [
                {"__typename": "Account", "nickname": "Hodor"},
                {"__typename": "Team", "name": "Winterfell"},
            ],
            "n": {"id": "t1", "members": ["arya|1", "hodor|hodor"]},
        }
    }
    assert (response.counts.remote_requests, response.counts.http_calls, response.counts.sql_statements) == (
        1,
        1,
        0,
    )
    (call, _) = accounts.calls(include_introspection=False)
    assert call.variables == {"id": "hodor|hodor", "order": "DESC"}
    assert normalised(call.query) == normalised(
        """
        query ($id: ID!, $order: Order) {
          me: account(id: $id) { nick: nickname last_login }
          all: accounts(ids: ["jon|9", "arya|1"], order: $order) { id }
          found: search(term: "hodor") {
            ... on Account { __typename nickname }
            ... on Team { __typename name }
          }
          n: node(id: "t1") { ... on Account { id } ... on Team { id members } }
        }
        """
    )


def test_customization_renames_both_ways(tmp_path, accounts):
    customization = {
        "root_fields_namespace": "auth0",
        "type_names": {"prefix": "Auth0_", "mapping": {"Team": "Crew"}},
        "field_names": [
            {"parent_type": "Account", "mapping": {"nickname": "nick", "email": "a_email"}},
            {"parent_type": "Query", "mapping": {"account": "profile"}},
        ],
    }
    w = world(
        tmp_path,
        {"accounts": accounts},
        remote_schemas=[remote_schema_entry("accounts", accounts.endpoint, customization=customization)],
    )
    query = """
    query ($f: Auth0_AccountFilter) {
      auth0 {
        __typename
        profile(id: "arya|1") { __typename nick a_email }
        find(filter: $f) { id }
        search(term: "winter") { __typename ... on Crew { name } }
      }
    }
    """

    answer = w.answer(query, {"f": {"nickname": "Jon"}})

    assert answer == {
        "data": {
            "auth0": {
                "__typename": "Query",
                "profile": {"__typename": "Auth0_Account", "nick": "Arya", "a_email": "arya@example.com"},
                "find": [{"id": "jon|9"}],
                "search": [{"__typename": "Crew", "name": "Winterfell"}],
            }
        }
    }
    (call,) = accounts.calls(include_introspection=False)
    assert normalised(call.query) == normalised(
        """
        query ($f: AccountFilter) {
          profile: account(id: "arya|1") { __typename nick: nickname a_email: email }
          find(filter: $f) { id }
          search(term: "winter") { ... on Account { __typename } ... on Team { __typename name } }
        }
        """
    )


def test_root_fields_of_one_remote_schema_share_one_request_and_mutations_keep_their_order(
    tmp_path, accounts
):
    w = world(
        tmp_path, {"accounts": accounts}, remote_schemas=[remote_schema_entry("accounts", accounts.endpoint)]
    )

    response = w.run(
        'mutation { a: touch(id: "arya|1", at: "now") { last_login } b: rename(id: "jon|9", nickname: "J") { nickname } }'
    )

    assert response.counts.remote_requests == 1
    assert sent(accounts) == [
        normalised(
            'mutation { a: touch(id: "arya|1", at: "now") { last_login } b: rename(id: "jon|9", nickname: "J") { nickname } }'
        )
    ]


def test_the_remote_errors_of_a_root_field_are_the_answer_as_they_came(tmp_path, accounts):
    w = world(
        tmp_path, {"accounts": accounts}, remote_schemas=[remote_schema_entry("accounts", accounts.endpoint)]
    )
    accounts.answer_with(
        Reply(
            json={
                "data": {"viewer": None},
                "errors": [{"message": "nope", "path": ["viewer"], "extensions": {"x": 1}}],
            }
        )
    )

    assert w.answer("{ viewer { id } }") == {
        "errors": [{"message": "nope", "path": ["viewer"], "extensions": {"x": 1}}]
    }


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(json={"errors": {"message": "x"}}), 'Invalid "errors" field in response from remote'),
        (Reply(json={"nothing": True}), 'Missing "data" field in response from remote'),
        (Reply(json=[1, 2]), "Invalid response from remote: expecting a JSON object"),
        (
            Reply(body=b"<html>", headers=[("Content-Type", "text/html")]),
            "Remote server response is not valid JSON",
        ),
        (Reply(json={"data": {}}), "expecting key viewer"),
    ],
)
def test_malformed_answers_are_remote_schema_errors(tmp_path, accounts, reply, message):
    w = world(
        tmp_path, {"accounts": accounts}, remote_schemas=[remote_schema_entry("accounts", accounts.endpoint)]
    )
    accounts.answer_with(reply)

    assert w.answer("{ viewer { id } }") == {
        "errors": [{"message": message, "extensions": {"path": "$", "code": "remote-schema-error"}}]
    }


def test_a_server_that_is_down_is_an_http_exception(tmp_path, accounts):
    w = world(
        tmp_path, {"accounts": accounts}, remote_schemas=[remote_schema_entry("accounts", accounts.endpoint)]
    )
    accounts.down()

    answer = w.answer("{ viewer { id } }")

    assert (
        answer["errors"][0]["message"]
        == f'HTTP exception occurred while sending the request to "{accounts.endpoint}"'
    )
    assert answer["errors"][0]["extensions"]["code"] == "remote-schema-error"
    assert answer["errors"][0]["extensions"]["internal"]["kind"] == "connection"
    as_user = w.answer("{ viewer { id } }", role="user", session={"x-hasura-role": "user"})
    assert as_user["errors"][0]["extensions"] == {"path": "$", "code": "remote-schema-error"}


def test_a_slow_server_times_out_after_timeout_seconds(tmp_path, accounts):
    w = world(
        tmp_path,
        {"accounts": accounts},
        remote_schemas=[remote_schema_entry("accounts", accounts.endpoint, timeout_seconds=1)],
    )
    accounts.answer_with(Reply(json={"data": {"viewer": None}}, delay=3))

    answer = w.answer("{ viewer { id } }")

    assert answer["errors"][0]["extensions"]["internal"]["kind"] == "timeout"


def test_headers_configured_session_and_forwarded_client_headers(tmp_path, accounts):
    definition = {
        "headers": [
            {"name": "X-Api-Key", "value_from_env": "ACCOUNTS_KEY"},
            {"name": "X-Hasura-User-Id", "value": "0"},
        ],
        "forward_client_headers": True,
    }
    w = world(
        tmp_path,
        {"accounts": accounts},
        environ={"ACCOUNTS_KEY": "s3cret"},
        remote_schemas=[remote_schema_entry("accounts", accounts.endpoint, **definition)],
    )
    session = {"x-hasura-role": "admin", "x-hasura-user-id": "42", "x-hasura-org": "acme"}
    client = [
        ("Authorization", "Bearer t"),
        ("X-Hasura-Org", "evil"),
        ("Host", "gw.example"),
        ("Accept", "*/*"),
    ]

    w.run("{ viewer { nickname } }", session=session, headers=client)

    (call,) = accounts.calls(include_introspection=False)
    assert call.header("x-api-key") == "s3cret"
    assert call.header("x-hasura-user-id") == "0"
    assert call.header("x-hasura-org") == "acme"
    assert call.header("x-hasura-role") == "admin"
    assert call.header("authorization") == "Bearer t"
    assert call.header("x-forwarded-host") == "gw.example"
    assert call.header("content-type") == "application/json"


def test_session_variables_reach_the_remote_without_forwarding(tmp_path, accounts):
    w = world(
        tmp_path, {"accounts": accounts}, remote_schemas=[remote_schema_entry("accounts", accounts.endpoint)]
    )

    answer = w.answer(
        "{ viewer { nickname } }",
        session={"x-hasura-role": "admin", "x-hasura-user-id": "7"},
        headers=[("Authorization", "x")],
    )

    assert answer == {"data": {"viewer": {"nickname": "7"}}}
    (call,) = accounts.calls(include_introspection=False)
    assert call.header("authorization") is None


def test_set_cookie_of_the_remote_reaches_the_client(tmp_path, accounts):
    w = world(
        tmp_path, {"accounts": accounts}, remote_schemas=[remote_schema_entry("accounts", accounts.endpoint)]
    )
    accounts.answer_with(
        Reply(json={"data": {"viewer": {"id": "x"}}}, headers=[("Set-Cookie", "s=1; Path=/")])
    )

    response = w.run("{ viewer { id } }")

    assert response.cookies == ("s=1; Path=/",)
