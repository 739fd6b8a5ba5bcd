"""Remote schema permissions in the engine: the role's view of a remote schema, and what reaches the remote.

A real local GraphQL server ``catalog`` (an interface, a union, nested input objects) joins the gateway
with a namespace and a type prefix; the roles' SDL uses the server's own names.
"""

import orjson
import pytest
from graphql import build_client_schema, build_schema, introspection_from_schema

from engine.environment import Environment
from engine.execute import Caller, GraphQLRequest, Runtime, execute
from engine.http import HttpTransport
from engine.metadata import Metadata
from engine.schema import build_gateway_schema
from engine.sources import ConnectionProvider
from engine.validation import validate_metadata
from engine.validation.remote_schema_permissions import RoleSchemaError, remote_schema_view
from tests.integration.remote_servers import normalised
from tests.support.servers import GraphQLServer

CATALOG_SDL = """
interface Item { id: ID! title: String }
type Book implements Item { id: ID! title: String isbn: String }
type Film implements Item { id: ID! title: String minutes: Int }
union Hit = Book | Film
input Range { from: Int to: Int }
input Search { text: String range: Range owner: ID }
type Query { search(filters: [Search!]!): [Hit!]! item(id: ID!): Item }
"""
ITEMS = [
    {"__typename": "Book", "id": "b1", "title": "Kindred", "isbn": "978-0807083697"},
    {"__typename": "Film", "id": "f1", "title": "Stalker", "minutes": 161},
]
READER_SDL = """
interface Item { id: ID! title: String }
type Book implements Item { id: ID! title: String }
union Hit = Book
input Range { from: Int to: Int @preset(value: 10) }
input Search { text: String range: Range owner: ID @preset(value: "x-hasura-user-id") }
type Query { search(filters: [Search!]!): [Hit!]! }
"""


@pytest.fixture
def catalog():
    resolvers = {
        "Query": {"search": lambda obj, info, filters: ITEMS[:1], "item": lambda obj, info, id: ITEMS[1]}
    }
    with GraphQLServer(CATALOG_SDL, resolvers) as server:
        for name in ("Item", "Hit"):
            server.schema.type_map[name].resolve_type = lambda value, info, abstract: value["__typename"]
        yield server


@pytest.fixture
def gateway(catalog, tmp_path):
    metadata = Metadata.from_dict(
        {
            "version": 3,
            "remote_schemas": [
                {
                    "name": "catalog",
                    "definition": {
                        "url": catalog.endpoint,
                        "customization": {"root_fields_namespace": "shelf", "type_names": {"prefix": "Cat_"}},
                    },
                    "permissions": [{"role": "reader", "definition": {"schema": READER_SDL}}],
                }
            ],
        }
    )
    schema = build_client_schema(introspection_from_schema(catalog.schema))
    environment = Environment(remote_schemas={"catalog": schema})
    assert validate_metadata(metadata, environment) == []
    runtime = Runtime(ConnectionProvider(tmp_path, {}), HttpTransport(allowed_hosts=["127.0.0.1"]), {})

    def answer(query, variables=None, role="reader", session=None):
        gateway_schema = build_gateway_schema(metadata, environment, role, remote_schema_permissions=True)
        caller = Caller(role, {"x-hasura-role": role, **(session or {})}, ())
        return orjson.loads(
            execute(gateway_schema, GraphQLRequest(query, variables, None), caller, runtime).encode()
        )

    return answer


def sent(server):
    return [
        (normalised(call.query), call.variables or {}) for call in server.calls(include_introspection=False)
    ]


def test_nested_input_presets_reach_the_remote_under_a_namespace(gateway, catalog):
    query = "query($f: [Cat_Search!]!) { shelf { search(filters: $f) { ... on Cat_Book { id } } } }"

    body = gateway(
        query,
        {"f": [{"text": "kin", "range": {"from": 1}}, {"text": "x"}]},
        session={"x-hasura-user-id": "7"},
    )

    assert body == {"data": {"shelf": {"search": [{"id": "b1"}]}}}
    assert sent(catalog) == [
        (
            normalised(
                '{ search(filters: [{text: "kin", range: {from: 1, to: 10}, owner: "7"}, {text: "x", owner: "7"}])'
                " { ... on Book { id } } }"
            ),
            {},
        )
    ]


def test_the_role_sees_only_its_part_of_interfaces_unions_and_inputs(gateway, catalog):
    query = """{
      item: __type(name: "Cat_Item") { fields { name } possibleTypes { name } }
      hit: __type(name: "Cat_Hit") { possibleTypes { name } }
      film: __type(name: "Cat_Film") { name }
      search: __type(name: "Cat_Search") { inputFields { name } }
    }"""

    data = gateway(query)["data"]

    assert data["item"] == {
        "fields": [{"name": "id"}, {"name": "title"}],
        "possibleTypes": [{"name": "Cat_Book"}],
    }
    assert data["hit"] == {"possibleTypes": [{"name": "Cat_Book"}]}
    assert data["film"] is None
    assert data["search"] == {"inputFields": [{"name": "text"}, {"name": "range"}]}
    admin = gateway(query, role="admin")["data"]
    assert admin["hit"] == {"possibleTypes": [{"name": "Cat_Book"}, {"name": "Cat_Film"}]}


def test_a_fragment_on_a_hidden_type_is_refused_before_any_call(gateway, catalog):
    body = gateway("{ shelf { search(filters: []) { ... on Cat_Film { minutes } } } }")

    assert body["errors"][0]["extensions"]["code"] == "validation-failed"
    assert sent(catalog) == []


def test_a_role_without_permission_sees_nothing_of_the_remote_schema(gateway, catalog):
    body = gateway("{ shelf { __typename } }", role="visitor")

    assert body["errors"][0]["message"] == "field 'shelf' not found in type: 'query_root'"


# --- the subset check ------------------------------------------------------------------------------

UPSTREAM = build_client_schema(introspection_from_schema(build_schema(CATALOG_SDL)))


@pytest.mark.parametrize(
    ("sdl", "reason"),
    [
        (
            "union Hit = Book | Song type Book { id: ID! } type Query { search(filters: [Search!]!): [Hit!]! }"
            " input Search { text: String }",
            'union "Hit" contains members that do not exist in the upstream remote schema: "Song"',
        ),
        (
            "interface Item { id: ID! } type Film implements Item & Hit { id: ID! } type Query { item(id: ID!): Item }",
            'object "Film" is trying to implement the following interfaces that do not exist in the corresponding '
            'upstream remote object: "Hit"',
        ),
        (
            "input Range { from: String } input Search { range: Range } type Query { search(filters: [Search!]!): [Film] }"
            " type Film { id: ID! }",
            'expected type of field "from" of input object "Range" to be Int but received String',
        ),
        (
            'input Search { owner: [ID] } type Query { search(filters: [Search!] @preset(value: "x-hasura-user-id")): ID }',
            "illegal preset value at the argument",
        ),
        (
            "type Query { item(id: ID! @preset(value: 1) @preset(value: 2)): ID }",
            'found multiple preset directives at the argument "id" of field "item" of object "Query"',
        ),
        (
            "input Search { range: Range @preset(value: {from: 1, upto: 2}) } input Range { from: Int }"
            " type Query { search(filters: [Search!]!): ID }",
            '"upto" does not exist in the input object "Range"',
        ),
        (
            "type Query { item(id: ID!): ID item(id: ID!): ID }",
            'duplicate fields found in the object "Query": "item"',
        ),
        (
            "schema { query: Query } schema { query: Query } type Query { item(id: ID!): ID }",
            "multiple schema definitions found",
        ),
    ],
)
def test_the_subset_check_names_what_is_wrong(sdl, reason):
    with pytest.raises(RoleSchemaError) as refused:
        remote_schema_view(sdl, UPSTREAM)

    assert any(found.startswith(reason) for found in refused.value.reasons), refused.value.reasons


def test_a_fragment_on_an_interface_inside_a_union_stays_a_fragment(gateway, catalog):
    body = gateway("{ shelf { search(filters: []) { ... on Cat_Item { id } } } }", role="admin")

    assert body == {"data": {"shelf": {"search": [{"id": "b1"}]}}}
    assert sent(catalog) == [
        (normalised("{ search(filters: []) { ... on Book { id } ... on Film { id } } }"), {})
    ]
