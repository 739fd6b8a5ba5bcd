"""The metadata every fuzz test runs against, set up through the metadata API with real servers.

- PostgreSQL source ``default``: ``author`` and ``article`` (many column types), with an object
  and an array relationship, select/insert permissions for the role ``user``, and a remote
  relationship from ``author`` to the remote schema;
- SQLite source ``lite``: the table ``note``;
- remote schema ``people`` on a real local GraphQL server (interfaces, unions, enums, input
  objects, a mutation), whose ``Person`` type joins ``author``;
- actions ``addArticle`` (mutation) and ``articleStats`` (query) on a real local webhook server
  that answers valid output, handler errors, non-JSON, 5xx or wrongly typed output, depending on
  a hash of what it received.
"""

import hashlib
import sqlite3

from tests.relationships.conftest import pg_source_args, run_sql
from tests.support.servers import GraphQLServer, Reply, WebhookServer

USER_ROLE = "user"

POSTGRES_TABLES = """
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public;
CREATE TABLE author (
    id serial PRIMARY KEY, name text NOT NULL, rating integer, score numeric, born date,
    active boolean DEFAULT true, profile jsonb, big bigint, tags text[]
);
CREATE TABLE article (
    id serial PRIMARY KEY, title text NOT NULL, body text, author_id integer REFERENCES author(id),
    published_at timestamptz, weight double precision
);
INSERT INTO author (name, rating, score, born, profile, big, tags) VALUES
    ('Ann', 5, 1.5, '1970-01-01', '{"a": 1}', 9007199254740993, '{x,y}'),
    ('Bob', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO article (title, body, author_id, published_at, weight) VALUES
    ('First', 'text', 1, '2020-01-01T00:00:00Z', 0.5), ('Second', NULL, 1, NULL, NULL), ('Third', 'x', 2, NULL, 2);
"""

SQLITE_TABLES = """
CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT, author_id INTEGER, amount REAL);
INSERT INTO note (body, author_id, amount) VALUES ('hello', 1, 1.5), (NULL, 2, NULL);
"""

PEOPLE_SDL = """
scalar Date
enum Mood { HAPPY SAD }
interface Named { name: String }
type Person implements Named {
  id: ID!  name: String  author_id: Int  mood: Mood  born: Date  friends(first: Int): [Person!]!
}
type Robot implements Named { name: String  model: String }
union Thing = Person | Robot
input PersonFilter { name: String  ids: [ID!]  mood: Mood  nested: PersonFilter }
type Query {
  person(id: ID!): Person
  people(limit: Int, filter: PersonFilter): [Person!]!
  things: [Thing!]!
  echo(text: String, n: Float, flag: Boolean, when: Date): String
}
type Mutation { rename(id: ID!, name: String!): Person }
"""

PEOPLE = [
    {"id": "1", "name": "Ann", "author_id": 1, "mood": "HAPPY", "born": "1970-01-01"},
    {"id": "2", "name": "Bob", "author_id": 2, "mood": "SAD", "born": None},
    {"id": "3", "name": "Eve", "author_id": 99, "mood": None, "born": None},
]
THINGS = [{**PEOPLE[0], "__typename": "Person"}, {"name": "R2", "model": "astromech", "__typename": "Robot"}]


def _person(obj, info, id):
    return next((person for person in PEOPLE if person["id"] == id), None)


def _people(obj, info, limit=None, filter=None):
    found = [p for p in PEOPLE if not filter or not filter.get("name") or p["name"] == filter["name"]]
    return found if limit is None else found[: max(limit, 0)]


def _echo(obj, info, **arguments):
    return repr(sorted(arguments.items()))


def _friends(person, info, first=None):
    others = [p for p in PEOPLE if p["id"] != person["id"]]
    return others if first is None else others[: max(first, 0)]


def _resolve_thing_type(thing, info, abstract_type):
    return thing["__typename"]


PEOPLE_RESOLVERS = {
    "Query": {"person": _person, "people": _people, "things": lambda obj, info: THINGS, "echo": _echo},
    "Mutation": {
        "rename": lambda obj, info, id, name: {**(_person(obj, info, id) or PEOPLE[0]), "name": name}
    },
    "Person": {"friends": _friends},
}


def people_server() -> GraphQLServer:
    """The remote schema's server (not started)."""
    server = GraphQLServer(PEOPLE_SDL, PEOPLE_RESOLVERS)
    for union in ("Thing", "Named"):
        server.schema.get_type(union).resolve_type = _resolve_thing_type
    return server


def _article_output(seed: int) -> dict:
    return {"article_id": (seed % 4) or 999, "note": f"note {seed}", "payload": {"seed": seed}}


def answer_action(request) -> Reply:
    """Valid output most of the time; otherwise one of the ways a handler can fail."""
    seed = int(hashlib.sha256(request.body).hexdigest(), 16)
    wants_list = request.json.get("action", {}).get("name") == "articleStats"
    outcome = seed % 8
    if outcome == 4:
        return Reply(
            status=400, json={"message": "refused by the handler", "extensions": {"code": "refused"}}
        )
    if outcome == 5:
        return Reply(status=500, body=b"Internal Server Error", headers=[("Content-Type", "text/plain")])
    if outcome == 6:
        return Reply(body=b"<html>not json</html>", headers=[("Content-Type", "text/html")])
    if outcome == 7:
        return Reply(json={"article_id": "not a number", "unknown": [1, 2]})
    output = _article_output(seed)
    return Reply(json=[output, _article_output(seed // 8)] if wants_list else output)


def action_server() -> WebhookServer:
    """The actions' handler server (not started)."""
    server = WebhookServer()
    server.route("/actions", answer_action)
    return server


CUSTOM_TYPES = {
    "enums": [{"name": "ArticleMood", "values": [{"value": "HAPPY"}, {"value": "SAD"}]}],
    "input_objects": [
        {
            "name": "ArticleInput",
            "fields": [
                {"name": "title", "type": "String!"},
                {"name": "rating", "type": "Int"},
                {"name": "tags", "type": "[String!]"},
            ],
        }
    ],
    "objects": [
        {
            "name": "ArticleOutput",
            "fields": [
                {"name": "article_id", "type": "Int!"},
                {"name": "note", "type": "String"},
            ],
            "relationships": [
                {
                    "name": "article",
                    "type": "object",
                    "remote_table": "article",
                    "field_mapping": {"article_id": "id"},
                }
            ],
        }
    ],
    "scalars": [],
}


def actions(handler: str) -> list[dict]:
    """The two actions' ``create_action`` args."""
    return [
        {
            "name": "addArticle",
            "definition": {
                "kind": "synchronous",
                "type": "mutation",
                "handler": handler,
                "arguments": [
                    {"name": "article", "type": "ArticleInput!"},
                    {"name": "mood", "type": "ArticleMood"},
                ],
                "output_type": "ArticleOutput",
                "timeout": 5,
            },
        },
        {
            "name": "articleStats",
            "definition": {
                "kind": "synchronous",
                "type": "query",
                "handler": handler,
                "arguments": [{"name": "author_id", "type": "Int!"}, {"name": "since", "type": "String"}],
                "output_type": "[ArticleOutput!]",
                "timeout": 5,
            },
        },
    ]


def table(name: str, source: str = "default") -> dict:
    return {"source": source, "table": {"schema": "public", "name": name}}


PERMISSIONS = [
    (
        "pg_create_select_permission",
        {
            **table("author"),
            "role": USER_ROLE,
            "permission": {
                "columns": ["id", "name", "rating", "tags"],
                "filter": {"id": {"_eq": "X-Hasura-User-Id"}},
                "allow_aggregations": True,
            },
        },
    ),
    (
        "pg_create_select_permission",
        {
            **table("article"),
            "role": USER_ROLE,
            "permission": {
                "columns": "*",
                "filter": {"author": {"id": {"_eq": "X-Hasura-User-Id"}}},
                "limit": 10,
            },
        },
    ),
    (
        "pg_create_insert_permission",
        {
            **table("article"),
            "role": USER_ROLE,
            "permission": {
                "check": {"author_id": {"_eq": "X-Hasura-User-Id"}},
                "columns": ["title", "body"],
                "set": {"author_id": "X-Hasura-User-Id"},
            },
        },
    ),
    ("create_action_permission", {"action": "addArticle", "role": USER_ROLE}),
    ("create_action_permission", {"action": "articleStats", "role": USER_ROLE}),
]


def set_up_databases(pg_url: str, sqlite_path) -> str:
    """Create the tables; return the SQLite source's URL."""
    run_sql(pg_url, POSTGRES_TABLES)
    connection = sqlite3.connect(sqlite_path)
    connection.executescript(SQLITE_TABLES)
    connection.close()
    return f"sqlite:///{sqlite_path}"


def set_up_metadata(api, pg_url: str, sqlite_url: str, handler: str, remote_url: str) -> None:
    """Everything the module docstring lists, through the metadata API (``api`` has ``ok``)."""
    api.ok("pg_add_source", pg_source_args("default", pg_url))
    api.ok("sqlite_add_source", pg_source_args("lite", sqlite_url))
    for name in ("author", "article"):
        api.ok("pg_track_table", table(name))
    api.ok("sqlite_track_table", table("note", "lite"))
    api.ok(
        "pg_create_object_relationship",
        {**table("article"), "name": "author", "using": {"foreign_key_constraint_on": "author_id"}},
    )
    api.ok(
        "pg_create_array_relationship",
        {
            **table("author"),
            "name": "articles",
            "using": {
                "foreign_key_constraint_on": {
                    "table": {"schema": "public", "name": "article"},
                    "column": "author_id",
                }
            },
        },
    )
    api.ok("add_remote_schema", {"name": "people", "definition": {"url": remote_url, "timeout_seconds": 5}})
    api.ok(
        "pg_create_remote_relationship",
        {
            **table("author"),
            "name": "person",
            "definition": {
                "to_remote_schema": {
                    "remote_schema": "people",
                    "lhs_fields": ["id"],
                    "remote_field": {"person": {"arguments": {"id": "$id"}}},
                }
            },
        },
    )
    api.ok(
        "create_remote_schema_remote_relationship",
        {
            "name": "author",
            "remote_schema": "people",
            "type_name": "Person",
            "definition": {
                "to_source": {
                    "relationship_type": "object",
                    "source": "default",
                    "table": {"schema": "public", "name": "author"},
                    "field_mapping": {"author_id": "id"},
                }
            },
        },
    )
    api.ok("set_custom_types", CUSTOM_TYPES)
    for action in actions(handler):
        api.ok("create_action", action)
    for command_type, args in PERMISSIONS:
        api.ok(command_type, args)


# Names that exist in this metadata: generated commands and documents pick from them, so that
# more of what they send reaches real objects instead of stopping at "not found".
KNOWN_NAMES = (
    "default",
    "lite",
    "public",
    "author",
    "article",
    "note",
    "articles",
    "person",
    "people",
    "Person",
    "addArticle",
    "articleStats",
    "ArticleOutput",
    "ArticleInput",
    "ArticleMood",
    USER_ROLE,
    "admin",
    "id",
    "name",
    "title",
    "author_id",
    "X-Hasura-User-Id",
)
