"""Joins with remote schemas on either side, against a real GraphQL server and SQLite sources.

Table -> remote schema, remote schema -> table, remote schema -> remote schema (itself, through a
union and an interface), table -> another source's table; one request per join level however many
rows, list mode in one field call, null keys sending nothing.
"""

import pytest
from graphql import parse, print_ast

from tests.engine.remote_support import accounts_server, remote_schema_entry, world
from tests.support.servers import Reply


def to_accounts(lhs_fields, remote_field, batch=None):
    definition = {"remote_schema": "accounts", "lhs_fields": list(lhs_fields), "remote_field": remote_field}
    if batch:
        definition["batch"] = batch
    return {"to_remote_schema": definition}


def to_table(kind, table, mapping, source="default"):
    return {
        "to_source": {"relationship_type": kind, "source": source, "table": table, "field_mapping": mapping}
    }


ACCOUNT_RELATIONSHIPS = {
    "type_name": "Account",
    "relationships": [
        {"name": "user", "definition": to_table("object", "users", {"user_id": "id"})},
        {"name": "written", "definition": to_table("array", "article", {"user_id": "author_id"})},
        {"name": "crew", "definition": to_accounts(["team_id"], {"team": {"arguments": {"id": "$team_id"}}})},
    ],
}
TEAM_RELATIONSHIPS = {
    "type_name": "Team",
    "relationships": [
        {
            "name": "people",
            "definition": to_accounts(["members"], {"accounts": {"arguments": {"ids": "$members"}}}),
        }
    ],
}
USERS = {
    "remote_relationships": [
        {
            "name": "auth0_profile",
            "definition": to_accounts(["auth0_id"], {"account": {"arguments": {"id": "$auth0_id"}}}),
        },
        {
            "name": "profile_batched",
            "definition": to_accounts(
                ["auth0_id"],
                {"accounts": {"arguments": {"ids": "$auth0_id", "order": "DESC"}}},
                batch={"list_argument": "ids", "key_field": "id"},
            ),
        },
        {
            "name": "archived",
            "definition": to_table("array", "article", {"id": "author_id"}, source="archive"),
        },
    ]
}


@pytest.fixture
def accounts():
    server = accounts_server()
    yield server
    server.stop()


@pytest.fixture
def w(tmp_path, accounts):
    return world(
        tmp_path,
        {"accounts": accounts},
        archive=True,
        users=USERS,
        remote_schemas=[
            remote_schema_entry("accounts", accounts.endpoint, [ACCOUNT_RELATIONSHIPS, TEAM_RELATIONSHIPS])
        ],
    )


def documents(server):
    return [print_ast(parse(call.query)) for call in server.calls(include_introspection=False)]


def normalised(document):
    return print_ast(parse(document))


def test_table_to_remote_schema_is_one_aliased_request_for_all_rows(w, accounts):
    response = w.run("{ users(order_by: {id: asc}) { name auth0_profile { email nickname last_login } } }")

    assert w.answer(
        "{ users(order_by: {id: asc}) { name auth0_profile { email nickname last_login } } }"
    ) == {
        "data": {
            "users": [
                {
                    "name": "Arya",
                    "auth0_profile": {
                        "email": "arya@example.com",
                        "nickname": "Arya",
                        "last_login": "2016-01-01",
                    },
                },
                {"name": "Bran", "auth0_profile": None},
                {
                    "name": "Hodor",
                    "auth0_profile": {
                        "email": "hodor@hodor.com",
                        "nickname": "Hodor",
                        "last_login": "2016-05-22T01:35:48.863Z",
                    },
                },
            ]
        }
    }
    assert (response.counts.sql_statements, response.counts.remote_requests) == (1, 1)
    assert documents(accounts)[0] == normalised(
        """
        {
          f0: account(id: "arya|1") { email nickname last_login }
          f1: account(id: "hodor|hodor") { email nickname last_login }
        }
        """
    )


def test_null_keys_send_nothing_and_equal_keys_share_an_alias(w, accounts):
    bran = w.run('{ users(where: {name: {_eq: "Bran"}}) { auth0_profile { id } } }')
    twice = w.run(
        "{ a: users_by_pk(id: 1) { auth0_profile { id } } b: users_by_pk(id: 1) { p: auth0_profile { id } } }"
    )

    assert bran.counts.remote_requests == 0
    assert twice.counts.remote_requests == 2
    assert documents(accounts) == [normalised('{ f0: account(id: "arya|1") { id } }')] * 2


def test_list_mode_sends_one_field_call_with_every_key(w, accounts):
    query = "{ users(order_by: {id: asc}) { id profile_batched { nickname } } }"

    response = w.run(query)

    assert w.answer(query) == {
        "data": {
            "users": [
                {"id": 1, "profile_batched": {"nickname": "Arya"}},
                {"id": 2, "profile_batched": None},
                {"id": 3, "profile_batched": {"nickname": "Hodor"}},
            ]
        }
    }
    assert response.counts.remote_requests == 1
    (call, _) = accounts.calls(include_introspection=False)
    assert normalised(call.query) == normalised(
        "query ($keys: [ID!]!) { f: accounts(order: DESC, ids: $keys) { nickname id_join_column: id } }"
    )
    assert call.variables == {"keys": ["arya|1", "hodor|hodor"]}


def test_remote_schema_to_table_adds_and_removes_the_join_field(w, accounts):
    query = (
        "{ search { ... on Account { nickname user { name } written_aggregate { aggregate { count } } } } }"
    )

    response = w.run(query)

    assert w.answer(query) == {
        "data": {
            "search": [
                {
                    "nickname": "Arya",
                    "user": {"name": "Arya"},
                    "written_aggregate": {"aggregate": {"count": 3}},
                },
                {
                    "nickname": "Hodor",
                    "user": {"name": "Hodor"},
                    "written_aggregate": {"aggregate": {"count": 0}},
                },
                {"nickname": "Jon", "user": None, "written_aggregate": {"aggregate": {"count": 0}}},
                {},
                {},
            ]
        }
    }
    assert (response.counts.remote_requests, response.counts.sql_statements) == (1, 2)
    assert documents(accounts)[0] == normalised(
        """
        {
          search {
            ... on Account {
              nickname
              user: __typename
              user_id_join_column: user_id
              written_aggregate: __typename
            }
          }
        }
        """
    )


def test_union_members_each_get_their_own_joins(w, accounts):
    query = """
    {
      search(term: "hodor") {
        __typename
        ... on Account { nickname rel: user { name } }
        ... on Team { name people { nickname } }
      }
    }
    """

    response = w.run(query)

    assert w.answer(query)["data"]["search"] == [
        {"__typename": "Account", "nickname": "Hodor", "rel": {"name": "Hodor"}},
        {"__typename": "Team", "name": "Winterfell", "people": [{"nickname": "Arya"}, {"nickname": "Hodor"}]},
    ]
    assert (response.counts.remote_requests, response.counts.sql_statements) == (2, 1)
    assert documents(accounts)[1] == normalised(
        '{ f0: accounts(ids: ["arya|1", "hodor|hodor"]) { nickname } }'
    )


def test_a_remote_schema_joined_to_itself_level_by_level(w, accounts):
    query = """
    { accounts(ids: ["arya|1", "hodor|hodor", "jon|9"]) {
        nickname crew { name people { nickname crew { name } } }
    } }
    """

    response = w.run(query)

    winterfell = {
        "name": "Winterfell",
        "people": [
            {"nickname": "Arya", "crew": {"name": "Winterfell"}},
            {"nickname": "Hodor", "crew": {"name": "Winterfell"}},
        ],
    }
    assert w.answer(query)["data"]["accounts"] == [
        {"nickname": "Arya", "crew": winterfell},
        {"nickname": "Hodor", "crew": winterfell},
        {"nickname": "Jon", "crew": None},
    ]
    assert response.counts.remote_requests == 4
    root, crew, people, inner_crew = documents(accounts)[:4]
    assert crew == normalised(
        '{ f0: team(id: "t1") { name people: __typename members_join_column: members } }'
    )
    assert people == normalised(
        '{ f0: accounts(ids: ["arya|1", "hodor|hodor"]) { nickname crew: __typename team_id_join_column: team_id } }'
    )
    assert inner_crew == normalised('{ f0: team(id: "t1") { name } }')


def test_an_interface_selection_with_joins_branches_on_the_concrete_type(w, accounts):
    query = '{ a: node(id: "hodor|hodor") { id ... on Account { user { id } } } t: node(id: "t1") { id ... on Team { people { id } } } }'

    assert w.answer(query) == {
        "data": {
            "a": {"id": "hodor|hodor", "user": {"id": 3}},
            "t": {"id": "t1", "people": [{"id": "arya|1"}, {"id": "hodor|hodor"}]},
        }
    }


def test_table_to_a_table_of_another_source(w):
    query = "{ users(where: {id: {_lte: 2}}, order_by: {id: asc}) { name archived(order_by: {id: desc}, limit: 2) { title } } }"

    response = w.run(query)

    assert w.answer(query) == {
        "data": {
            "users": [
                {"name": "Arya", "archived": [{"title": "Cherries"}, {"title": "Bananas"}]},
                {"name": "Bran", "archived": [{"title": "Dates"}]},
            ]
        }
    }
    assert response.counts.sql_statements == 2


def test_joins_nest_table_remote_table(w, accounts):
    query = "{ author_by_pk(id: 1) { name articles(limit: 1) { title author { name } } } users_by_pk(id: 3) { auth0_profile { user { name auth0_profile { nickname } } } } }"

    response = w.run(query)

    assert w.answer(query) == {
        "data": {
            "author_by_pk": {"name": "Ann", "articles": [{"title": "Apples", "author": {"name": "Ann"}}]},
            "users_by_pk": {
                "auth0_profile": {"user": {"name": "Hodor", "auth0_profile": {"nickname": "Hodor"}}}
            },
        }
    }
    assert (response.counts.sql_statements, response.counts.remote_requests) == (3, 2)


def test_remote_errors_inside_a_join_fail_the_request(w, accounts):
    accounts.answer_with(Reply(json={"data": {"f0": None}, "errors": [{"message": "boom", "path": ["f0"]}]}))

    as_admin = w.answer("{ users_by_pk(id: 1) { auth0_profile { id } } }")
    as_user = w.answer(
        "{ users_by_pk(id: 1) { auth0_profile { id } } }", role="user", session={"x-hasura-role": "user"}
    )

    assert as_admin == {
        "errors": [
            {
                "message": "Errors from remote server",
                "extensions": {
                    "path": "$",
                    "code": "unexpected",
                    "internal": {"errors": [{"message": "boom", "path": ["f0"]}]},
                },
            }
        ]
    }
    assert "errors" in as_user


def test_an_answer_missing_an_alias_fails_the_join(w, accounts):
    accounts.answer_with(Reply(json={"data": {"f1": {"id": "x"}}}))

    answer = w.answer("{ users_by_pk(id: 1) { auth0_profile { id } } }")

    assert answer["errors"][0]["message"] == "expecting key f0 in the remote's answer"
    assert answer["errors"][0]["extensions"]["code"] == "unexpected"
    assert "data" not in answer


def test_a_remote_that_is_down_fails_a_join_with_an_http_exception(w, accounts):
    accounts.down()

    answer = w.answer("{ users_by_pk(id: 1) { name auth0_profile { id } } }")

    assert (
        answer["errors"][0]["message"]
        == f'HTTP exception occurred while sending the request to "{accounts.endpoint}"'
    )
    assert "data" not in answer


def test_a_thousand_rows_cost_one_request_per_join_level(tmp_path, accounts):
    rows = ", ".join(
        f"({n}, 'u{n}', '{['arya|1', 'hodor|hodor', 'jon|9', None][n % 4] or ''}')" for n in range(10, 1010)
    )
    w = world(
        tmp_path,
        {"accounts": accounts},
        users=USERS,
        archive=True,
        remote_schemas=[
            remote_schema_entry("accounts", accounts.endpoint, [ACCOUNT_RELATIONSHIPS, TEAM_RELATIONSHIPS])
        ],
    )
    import sqlite3

    with sqlite3.connect(tmp_path / "world.db") as connection:
        connection.execute(f"INSERT INTO users (id, name, auth0_id) VALUES {rows}")  # noqa: S608
        connection.execute("UPDATE users SET auth0_id = NULL WHERE auth0_id = ''")

    response = w.run(
        "{ users(where: {id: {_gte: 10}}) { id auth0_profile { nickname crew { name } user { name } } } }"
    )
    answer = w.answer("{ users(where: {id: {_gte: 10}}) { id auth0_profile { nickname } } }")

    assert len(answer["data"]["users"]) == 1000
    assert sum(1 for user in answer["data"]["users"] if user["auth0_profile"] is None) == 250
    assert (response.counts.sql_statements, response.counts.remote_requests) == (2, 2)
    first = documents(accounts)[0]
    assert first.count("account(") == 3


def test_client_variables_inside_a_join_travel_with_its_request(w, accounts):
    query = "query ($lang: String, $loud: Boolean!) { users_by_pk(id: 1) { auth0_profile { greeting(lang: $lang) email @include(if: $loud) } } }"

    answer = w.answer(query, {"lang": "fr", "loud": False})

    assert answer == {"data": {"users_by_pk": {"auth0_profile": {"greeting": "fr:Arya"}}}}
    (call,) = accounts.calls(include_introspection=False)
    assert normalised(call.query) == normalised(
        'query ($lang: String) { f0: account(id: "arya|1") { greeting(lang: $lang) } }'
    )
    assert call.variables == {"lang": "fr"}
