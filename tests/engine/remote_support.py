"""A world for engine tests of remote schemas and joins: the SQLite dataset, real GraphQL and webhook servers.

``accounts`` stands in for Auth0: accounts keyed by ``auth0_id`` (``hodor|hodor``), teams, a union,
an interface, a list lookup (``accounts(ids:)``) and a mutation. Its schema enters the gateway as
introspection gives it, so types and names are exactly what a live server reports.
"""

import os
from dataclasses import dataclass

import orjson
from graphql import build_client_schema, introspection_from_schema

from engine.catalog import read_catalog
from engine.environment import Environment
from engine.execute import Caller, GraphQLRequest, Runtime, execute
from engine.http import HttpTransport
from engine.metadata import Metadata
from engine.schema import build_gateway_schema
from engine.sources import ConnectionProvider
from engine.validation import validate_metadata
from tests.engine.gateway_support import fk_array, fk_object, table
from tests.integration.dataset import load_sqlite
from tests.support.servers import GraphQLServer

ACCOUNTS_SDL = """
interface Node { id: ID! }
type Account implements Node {
  id: ID!
  email: String
  nickname: String
  last_login: String
  user_id: Int
  team_id: ID
  greeting(lang: String): String
}
type Team implements Node { id: ID!  name: String  members: [ID!]! }
union SearchResult = Account | Team
input AccountFilter { nickname: String  email: String }
enum Order { ASC DESC }
type Query {
  account(id: ID!): Account
  accounts(ids: [ID!]!, order: Order): [Account!]!
  find(filter: AccountFilter): [Account!]!
  search(term: String): [SearchResult!]!
  node(id: ID!): Node
  team(id: ID!): Team
  viewer: Account
}
type Mutation { touch(id: ID!, at: String!): Account  rename(id: ID!, nickname: String!): Account }
"""
ACCOUNTS = [
    {
        "id": "arya|1",
        "email": "arya@example.com",
        "nickname": "Arya",
        "last_login": "2016-01-01",
        "user_id": 1,
        "team_id": "t1",
    },
    {
        "id": "hodor|hodor",
        "email": "hodor@hodor.com",
        "nickname": "Hodor",
        "last_login": "2016-05-22T01:35:48.863Z",
        "user_id": 3,
        "team_id": "t1",
    },
    {
        "id": "jon|9",
        "email": "jon@example.com",
        "nickname": "Jon",
        "last_login": None,
        "user_id": 99,
        "team_id": None,
    },
]
TEAMS = [
    {"id": "t1", "name": "Winterfell", "members": ["arya|1", "hodor|hodor"]},
    {"id": "t2", "name": "Empty", "members": []},
]


def _by_id(rows, wanted):
    return next((row for row in rows if row["id"] == wanted), None)


def _typed(kind):
    return lambda row: {**row, "__typename": kind}


def _search(obj, info, term=None):
    found = [_typed("Account")(a) for a in ACCOUNTS] + [_typed("Team")(t) for t in TEAMS]
    return [row for row in found if term is None or term.lower() in str(row).lower()]


def _touch(obj, info, id, at):
    account = _by_id(ACCOUNTS, id)
    return None if account is None else {**account, "last_login": at}


RESOLVERS = {
    "Account": {"greeting": lambda obj, info, lang="en": f"{lang}:{obj['nickname']}"},
    "Query": {
        "account": lambda obj, info, id: _by_id(ACCOUNTS, id),
        "accounts": lambda obj, info, ids, order=None: [a for a in ACCOUNTS if a["id"] in ids][
            :: -1 if order == "DESC" else 1
        ],
        "find": lambda obj, info, filter=None: [
            a for a in ACCOUNTS if all(a.get(k) == v for k, v in (filter or {}).items())
        ],
        "search": _search,
        "node": lambda obj, info, id: (
            _typed("Account")(_by_id(ACCOUNTS, id))
            if _by_id(ACCOUNTS, id)
            else (_typed("Team")(_by_id(TEAMS, id)) if _by_id(TEAMS, id) else None)
        ),
        "team": lambda obj, info, id: _by_id(TEAMS, id),
        "viewer": lambda obj, info: {**ACCOUNTS[0], "nickname": info.context.header("x-hasura-user-id")},
    },
    "Mutation": {
        "touch": _touch,
        "rename": lambda obj, info, id, nickname: {**(_by_id(ACCOUNTS, id) or {}), "nickname": nickname},
    },
}


def accounts_server():
    """The running Auth0 stand-in (stop it when done)."""
    server = GraphQLServer(ACCOUNTS_SDL, RESOLVERS)
    for type_name in ("Node", "SearchResult"):
        server.schema.get_type(type_name).resolve_type = lambda value, info, _t: value["__typename"]
    return server.start()


def world_metadata(url, archive_url=None, **parts):
    """author/article/comment/users tracked on SQLite, with ``parts`` (remote schemas, actions...).

    With ``archive_url``, a second source ``archive`` holds the same tables (``article`` tracked).
    """
    users = {"table": {"schema": "public", "name": "users"}, **parts.pop("users", {})}
    sources = [
        {
            "name": "default",
            "kind": "sqlite",
            "configuration": {"connection_info": {"database_url": url}},
            "tables": [
                table("author", array_relationships=[fk_array("articles", "article", "author_id")]),
                table("article", object_relationships=[fk_object("author", "author_id")]),
                table("comment"),
                users,
            ],
        }
    ]
    if archive_url is not None:
        sources.append(
            {
                "name": "archive",
                "kind": "sqlite",
                "configuration": {"connection_info": {"database_url": archive_url}},
                "tables": [table("article"), table("comment")],
                "customization": {
                    "root_fields": {"prefix": "archive_"},
                    "type_names": {"prefix": "archive_"},
                },
            }
        )
    return {"version": 3, "sources": sources, **parts}


def remote_schema_entry(name, url, relationships=(), **definition):
    """A ``remote_schemas`` entry."""
    entry = {"name": name, "definition": {"url": url, **definition}}
    if relationships:
        entry["remote_relationships"] = list(relationships)
    return entry


@dataclass
class World:
    """Consistent metadata, its environment and a runtime over real connections and a real transport."""

    metadata: Metadata
    environment: Environment
    runtime: Runtime

    def schema(self, role="admin"):
        return build_gateway_schema(self.metadata, self.environment, role)

    def run(self, query, variables=None, role="admin", session=None, headers=(), operation_name=None):
        caller = Caller(role, session or {"x-hasura-role": role}, tuple(headers))
        request = GraphQLRequest(query, variables, operation_name)
        return execute(self.schema(role), request, caller, self.runtime)

    def answer(self, query, variables=None, **kwargs):
        """The decoded response body."""
        return orjson.loads(self.run(query, variables, **kwargs).encode())


def world(tmp_path, servers, environ=None, archive=False, **parts):
    """The dataset plus ``parts``; every remote schema of ``servers`` (name -> server) introspected."""
    url = load_sqlite(tmp_path / "world.db")
    archive_url = load_sqlite(tmp_path / "archive.db") if archive else None
    metadata = Metadata.from_dict(world_metadata(url, archive_url, **parts))
    provider = ConnectionProvider(tmp_path, {})
    catalogs = {}
    for source in metadata.sources:
        with provider.connection(source) as connection:
            catalogs[source.name] = read_catalog(connection, "sqlite", source.name)
    schemas = {name: build_client_schema(introspection_from_schema(s.schema)) for name, s in servers.items()}
    environ = {**os.environ, **(environ or {})}
    environment = Environment(catalogs=catalogs, remote_schemas=schemas, environ=environ)
    found = validate_metadata(metadata, environment)
    assert found == [], [i.reason for i in found]
    runtime = Runtime(provider, HttpTransport(allowed_hosts=["127.0.0.1"]), environ)
    return World(metadata, environment, runtime)
