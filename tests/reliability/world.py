"""A small Joinery world for the fault tests, served by a real gunicorn process.

    customer (a PostgreSQL table)  --account-->  accounts (a remote GraphQL server)
                                   --profile-->  profiles (a remote GraphQL server)
    greet (a query action)         -->           the webhook server's /greet

A test can choose which remote servers are down while the metadata is applied and while the server
starts. Every dependency is a real local server; the test takes it away and gives it back.
"""

import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql

from relationships.metadata_dir import write_metadata_dir
from tests.conftest import PG_ADMIN_URL
from tests.reliability.cluster import JoineryProcess, execute, joinery_processes, manage
from tests.reliability.recovery import Answer, concurrently, post_graphql, wait_for_workers
from tests.support.servers import GraphQLServer, RecordedRequest, WebhookServer

WORKERS = 2
THREADS = 4
# Long enough that a hung call is still waiting while the test checks everything else is served.
CALL_TIMEOUT_S = 2

ACCOUNTS_SDL = "type Account { id: ID! email: String! } type Query { account(id: ID!): Account }"
PROFILES_SDL = "type Profile { id: ID! nickname: String! } type Query { profile(id: ID!): Profile }"
ACCOUNTS = {"a1": {"id": "a1", "email": "arya@example.com"}, "b2": {"id": "b2", "email": "bran@example.com"}}
PROFILES = {"a1": {"id": "a1", "nickname": "Arry"}, "b2": {"id": "b2", "nickname": "Bran the Broken"}}

# The field of each remote schema that customer.account_id looks up.
REMOTE_FIELDS = {"accounts": "account", "profiles": "profile"}

CUSTOMER_TABLE = (
    "CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL, account_id text);"
    "INSERT INTO customer VALUES (1, 'Arya', 'a1'), (2, 'Bran', 'b2');"
)
TABLE_QUERY = "{ customer(order_by: {id: asc}) { id name } }"
TABLE_DATA = {"customer": [{"id": 1, "name": "Arya"}, {"id": 2, "name": "Bran"}]}
JOIN_QUERY = "{ customer(order_by: {id: asc}) { id account { email } } }"
JOIN_DATA = {
    "customer": [
        {"id": 1, "account": {"email": "arya@example.com"}},
        {"id": 2, "account": {"email": "bran@example.com"}},
    ]
}
REMOTE_QUERY = '{ account(id: "a1") { email } }'
REMOTE_DATA = {"account": {"email": "arya@example.com"}}
PROFILE_QUERY = '{ profile(id: "b2") { nickname } }'
PROFILE_DATA = {"profile": {"nickname": "Bran the Broken"}}
PROFILE_JOIN_QUERY = "{ customer(order_by: {id: asc}) { name profile { nickname } } }"
PROFILE_JOIN_DATA = {
    "customer": [
        {"name": "Arya", "profile": {"nickname": "Arry"}},
        {"name": "Bran", "profile": {"nickname": "Bran the Broken"}},
    ]
}
ACTION_QUERY = '{ greet(name: "Arya") { message length } }'
ACTION_DATA = {"greet": {"message": "hello Arya", "length": 4}}


def greet(request: RecordedRequest) -> dict[str, Any]:
    """The /greet handler: a greeting and the length of the name."""
    name = request.json["input"]["name"]
    return {"message": f"hello {name}", "length": len(name)}


def remote_server(sdl: str, field: str, rows: dict[str, dict[str, Any]]) -> GraphQLServer:
    return GraphQLServer(sdl, {"Query": {field: lambda obj, info, id: rows.get(id)}})


def remote_relationship(remote_schema: str) -> dict[str, Any]:
    """customer's relationship to ``remote_schema``, named after the remote field it calls."""
    field = REMOTE_FIELDS[remote_schema]
    return {
        "name": field,
        "definition": {
            "to_remote_schema": {
                "remote_schema": remote_schema,
                "lhs_fields": ["account_id"],
                "remote_field": {field: {"arguments": {"id": "$account_id"}}},
            }
        },
    }


def world_metadata(
    shop_url: str, webhook: WebhookServer, remotes: dict[str, GraphQLServer]
) -> dict[str, Any]:
    """The world's metadata, as ``export_metadata`` gives it; ``customer`` joins each of ``remotes``."""
    customer: dict[str, Any] = {"table": {"schema": "public", "name": "customer"}}
    if remotes:
        customer["remote_relationships"] = [remote_relationship(name) for name in remotes]
    return {
        "version": 3,
        "sources": [
            {
                "name": "shop",
                "kind": "postgres",
                "configuration": {"connection_info": {"database_url": shop_url}},
                "tables": [customer],
            }
        ],
        "remote_schemas": [
            {"name": name, "definition": {"url": server.endpoint, "timeout_seconds": CALL_TIMEOUT_S}}
            for name, server in remotes.items()
        ],
        "actions": [
            {
                "name": "greet",
                "definition": {
                    "kind": "synchronous",
                    "type": "query",
                    "arguments": [{"name": "name", "type": "String!"}],
                    "output_type": "Greeting",
                    "handler": webhook.url("/greet"),
                    "timeout": CALL_TIMEOUT_S,
                },
            }
        ],
        "custom_types": {
            "objects": [
                {
                    "name": "Greeting",
                    "fields": [{"name": "message", "type": "String!"}, {"name": "length", "type": "Int!"}],
                }
            ]
        },
    }


@dataclass
class World:
    """The running server, its dependencies, and the pids its workers started with."""

    server: JoineryProcess
    webhook: WebhookServer
    accounts: GraphQLServer
    profiles: GraphQLServer
    initial_workers: set[int]

    def graphql(self, query: str) -> Answer:
        return post_graphql(self.server.url, query)

    def serves(self, query: str, data: dict[str, Any]) -> bool:
        """Whether ``query`` is answered with exactly ``data``."""
        return self.graphql(query).data == data

    def metadata(self, command: str, args: Any) -> Any:
        answer = self.server.metadata(command, args)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def assert_served(self, *cases: tuple[str, dict[str, Any]]) -> None:
        """Every ``(query, data)`` case, sent at the same time, is answered with its data."""
        answers = concurrently(*[lambda query=query: self.graphql(query) for query, _ in cases])
        for (query, data), answer in zip(cases, answers, strict=True):
            assert answer.data == data, (query, answer.text[:2000])


def _admin_execute(statement: sql.Composable) -> None:
    with closing(psycopg2.connect(PG_ADMIN_URL, connect_timeout=10)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)


@contextmanager
def copied_database(template: str) -> Iterator[str]:
    """The URL of a new database copied from ``template`` (on the machine's cluster), dropped afterwards."""
    name = f"{template}_{uuid.uuid4().hex[:8]}"
    _admin_execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
    )
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        _admin_execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def running_world(
    folder: Path,
    template: str,
    *,
    down_when_applied: Iterable[str] = (),
    down_when_started: Iterable[str] = (),
) -> Iterator[World]:
    """The world served by gunicorn; the named remote servers (accounts, profiles) are down at those moments.

    One PostgreSQL database, a copy of ``template`` (a migrated database), holds both the metadata and
    the ``shop`` source's table, as in a deployment with a single database.

    Without remote servers to take down, the metadata goes in through the running server's API;
    otherwise ``manage.py metadata apply`` stores it before the server starts.
    """
    down_when_applied, down_when_started = list(down_when_applied), list(down_when_started)
    with ExitStack() as stack:
        webhook = stack.enter_context(WebhookServer())
        webhook.route("/greet", greet)
        remotes = {
            "accounts": stack.enter_context(remote_server(ACCOUNTS_SDL, "account", ACCOUNTS)),
            "profiles": stack.enter_context(remote_server(PROFILES_SDL, "profile", PROFILES)),
        }
        database_url = stack.enter_context(copied_database(template))
        execute(database_url, CUSTOMER_TABLE)
        metadata = world_metadata(database_url, webhook, remotes)
        applied_before_start = bool(down_when_applied or down_when_started)
        if applied_before_start:
            _apply_with_manage(database_url, folder, metadata, [remotes[name] for name in down_when_applied])
        for name in down_when_started:
            remotes[name].down()
        [server] = stack.enter_context(
            joinery_processes(database_url, folder, count=1, workers=WORKERS, threads=THREADS)
        )
        pids = wait_for_workers(server, WORKERS)
        world = World(server, webhook, remotes["accounts"], remotes["profiles"], pids)
        if not applied_before_start:
            world.metadata("replace_metadata", metadata)
        yield world


def _apply_with_manage(
    metadata_url: str, folder: Path, metadata: dict[str, Any], down: list[GraphQLServer]
) -> None:
    for server in down:
        server.down()
    write_metadata_dir(metadata, folder / "metadata")
    manage(metadata_url, "metadata", "apply", "--dir", str(folder / "metadata"), "--allow-inconsistent")
    for server in down:
        server.up()
