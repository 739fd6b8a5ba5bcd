"""Remote joins cost one request per join level, whatever the number of rows; siblings run at once.

1,000 ``users`` rows on PostgreSQL join an Auth0 stand-in (table -> remote schema), whose accounts
join an orders server (remote schema -> remote schema), whose orders join back to ``users``
(remote schema -> table): three levels, three calls, counted by the servers themselves.
"""

import time

import pytest

from tests.integration.dataset import load_postgres
from tests.relationships.conftest import run_sql
from tests.support.servers import GraphQLServer

ROWS = 1000
KEYS = ["arya|1", "hodor|hodor", "jon|9", None]
ACCOUNTS_SDL = """
type Account { id: ID!  nickname: String  user_id: Int }
type Query { account(id: ID!): Account  accounts(ids: [ID!]!): [Account!]! }
"""
ORDERS_SDL = """
type Order { id: ID!  user_id: Int  total: Float }
type Query { ordersOf(user_id: Int!): [Order!]! }
"""
ACCOUNTS = {"arya|1": 1, "hodor|hodor": 3, "jon|9": 99}


def account(account_id):
    return (
        None
        if account_id not in ACCOUNTS
        else {"id": account_id, "nickname": account_id.split("|")[0], "user_id": ACCOUNTS[account_id]}
    )


def slowly(resolver, seconds):
    def resolve(*args, **kwargs):
        time.sleep(seconds)
        return resolver(*args, **kwargs)

    return resolve


def metadata(database_url, accounts_url, orders_url):
    def to_remote(remote_schema, lhs, remote_field, batch=None):
        definition = {"remote_schema": remote_schema, "lhs_fields": [lhs], "remote_field": remote_field}
        if batch:
            definition["batch"] = batch
        return {"to_remote_schema": definition}

    return {
        "version": 3,
        "sources": [
            {
                "name": "default",
                "kind": "postgres",
                "configuration": {"connection_info": {"database_url": database_url}},
                "tables": [
                    {
                        "table": {"schema": "public", "name": "users"},
                        "remote_relationships": [
                            {
                                "name": "auth0_profile",
                                "definition": to_remote(
                                    "accounts", "auth0_id", {"account": {"arguments": {"id": "$auth0_id"}}}
                                ),
                            },
                            {
                                "name": "auth0_at_once",
                                "definition": to_remote(
                                    "accounts",
                                    "auth0_id",
                                    {"accounts": {"arguments": {"ids": "$auth0_id"}}},
                                    {"list_argument": "ids", "key_field": "id"},
                                ),
                            },
                            {
                                "name": "orders",
                                "definition": to_remote(
                                    "orders", "id", {"ordersOf": {"arguments": {"user_id": "$id"}}}
                                ),
                            },
                        ],
                    }
                ],
            }
        ],
        "remote_schemas": [
            {
                "name": "accounts",
                "definition": {"url": accounts_url},
                "remote_relationships": [
                    {
                        "type_name": "Account",
                        "relationships": [
                            {
                                "name": "orders",
                                "definition": to_remote(
                                    "orders", "user_id", {"ordersOf": {"arguments": {"user_id": "$user_id"}}}
                                ),
                            }
                        ],
                    }
                ],
            },
            {
                "name": "orders",
                "definition": {"url": orders_url},
                "remote_relationships": [
                    {
                        "type_name": "Order",
                        "relationships": [
                            {
                                "name": "buyer",
                                "definition": {
                                    "to_source": {
                                        "relationship_type": "object",
                                        "source": "default",
                                        "table": {"schema": "public", "name": "users"},
                                        "field_mapping": {"user_id": "id"},
                                    }
                                },
                            }
                        ],
                    }
                ],
            },
        ],
    }


@pytest.fixture
def servers(request):
    delay = getattr(request, "param", 0.0)
    accounts = GraphQLServer(
        ACCOUNTS_SDL,
        {
            "Query": {
                "account": slowly(lambda obj, info, id: account(id), delay),
                "accounts": lambda obj, info, ids: [a for a in map(account, ids) if a],
            }
        },
    ).start()
    orders = GraphQLServer(
        ORDERS_SDL,
        {
            "Query": {
                "ordersOf": slowly(
                    lambda obj, info, user_id: [
                        {"id": f"o{user_id}", "user_id": user_id, "total": float(user_id)}
                    ],
                    delay,
                )
            }
        },
    ).start()
    yield accounts, orders
    accounts.stop()
    orders.stop()


@pytest.fixture
def thousand_users(pg_database_url):
    load_postgres(pg_database_url)
    values = ", ".join(
        f"({n}, 'u{n}', {'NULL' if KEYS[n % 4] is None else repr(KEYS[n % 4])})" for n in range(10, 10 + ROWS)
    )
    run_sql(pg_database_url, f"INSERT INTO users (id, name, auth0_id) VALUES {values}")  # noqa: S608
    return pg_database_url


@pytest.mark.postgres
def test_a_thousand_rows_make_one_call_per_join_level(thousand_users, servers, metadata_api, graphql_api):
    accounts, orders = servers
    metadata_api.ok("replace_metadata", metadata(thousand_users, accounts.endpoint, orders.endpoint))

    answer = graphql_api.post(
        "{ users(where: {id: {_gte: 10}}, order_by: {id: asc}) { id auth0_profile { nickname orders { total buyer { name } } } } }"
    )

    users = answer.body["data"]["users"]
    assert len(users) == ROWS
    assert users[:4] == [
        {
            "id": 10,
            "auth0_profile": {"nickname": "jon", "orders": [{"total": 99.0, "buyer": {"name": "u99"}}]},
        },
        {"id": 11, "auth0_profile": None},
        {
            "id": 12,
            "auth0_profile": {"nickname": "arya", "orders": [{"total": 1.0, "buyer": {"name": "Arya"}}]},
        },
        {
            "id": 13,
            "auth0_profile": {"nickname": "hodor", "orders": [{"total": 3.0, "buyer": {"name": "Hodor"}}]},
        },
    ]
    assert (answer.sql_statements, answer.http_calls) == (2, 2)
    (accounts_call,) = accounts.calls(include_introspection=False)
    assert accounts_call.query.count("account(") == 3
    (orders_call,) = orders.calls(include_introspection=False)
    assert orders_call.query.count("ordersOf(") == 3


@pytest.mark.postgres
def test_list_mode_sends_every_key_in_one_field_call(thousand_users, servers, metadata_api, graphql_api):
    accounts, orders = servers
    metadata_api.ok("replace_metadata", metadata(thousand_users, accounts.endpoint, orders.endpoint))

    answer = graphql_api.post("{ users(where: {id: {_gte: 10}}) { id auth0_at_once { nickname } } }")

    assert sum(1 for user in answer.body["data"]["users"] if user["auth0_at_once"] is not None) == 750
    (call,) = accounts.calls(include_introspection=False)
    assert call.query.count("accounts(") == 1
    assert sorted(call.variables["keys"]) == ["arya|1", "hodor|hodor", "jon|9"]


@pytest.mark.postgres
@pytest.mark.parametrize("servers", [0.5], indirect=True)
def test_sibling_joins_of_a_level_run_at_once(thousand_users, servers, metadata_api, graphql_api):
    accounts, orders = servers
    metadata_api.ok("replace_metadata", metadata(thousand_users, accounts.endpoint, orders.endpoint))
    started = time.monotonic()

    answer = graphql_api.post("{ users_by_pk(id: 12) { auth0_profile { nickname } orders { total } } }")

    elapsed = time.monotonic() - started
    assert answer.body == {
        "data": {"users_by_pk": {"auth0_profile": {"nickname": "arya"}, "orders": [{"total": 12.0}]}}
    }
    assert elapsed < 0.9, elapsed
