"""Real local GraphQL servers described as data, for golden cases: an SDL, rows, and how fields find rows.

    remote_servers:
      accounts:
        sdl: "type Account { id: ID! ... } type Query { account(id: ID!): Account ... }"
        data: {accounts: [{id: "a", ...}], teams: [...]}
        resolvers:
          Query.account: {find: accounts, by: {id: id}}    # the row whose field id equals argument id
          Query.accounts: {filter: accounts, by: {ids: id}} # rows whose field id is in argument ids
          Query.everything: {rows: [accounts, teams]}       # every row of the collections
          Query.version: {value: 3}                         # a constant

Fields without a resolver read the key of their name from the parent row. Rows of an interface or a
union say their type in ``__typename``.
"""

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLInterfaceType, GraphQLUnionType, parse, print_ast

from tests.support.servers import GraphQLServer


def _rows(data: Mapping[str, Any], collections: Any) -> list[Any]:
    names = collections if isinstance(collections, list) else [collections]
    return [row for name in names for row in data.get(name, [])]


def _matches(row: Mapping[str, Any], by: Mapping[str, str], arguments: Mapping[str, Any]) -> bool:
    for argument, field in by.items():
        wanted = arguments.get(argument)
        value = row.get(field)
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def resolver(spec: Mapping[str, Any], data: Mapping[str, Any]) -> Any:
    """A graphql-core resolver for one resolver spec."""
    if "value" in spec:
        return lambda obj, info, **arguments: spec["value"]
    rows = spec.get("rows") or spec.get("find") or spec.get("filter")
    by = spec.get("by", {})
    if "find" in spec:
        return lambda obj, info, **arguments: next(
            (row for row in _rows(data, rows) if _matches(row, by, arguments)), None
        )
    return lambda obj, info, **arguments: [row for row in _rows(data, rows) if _matches(row, by, arguments)]


def graphql_server(spec: Mapping[str, Any]) -> GraphQLServer:
    """A started GraphQL server for a ``remote_servers`` entry."""
    data = spec.get("data", {})
    resolvers: dict[str, dict[str, Any]] = {}
    for target, resolver_spec in spec.get("resolvers", {}).items():
        type_name, field_name = target.split(".")
        resolvers.setdefault(type_name, {})[field_name] = resolver(resolver_spec, data)
    server = GraphQLServer(spec["sdl"], resolvers)
    for graphql_type in server.schema.type_map.values():
        if isinstance(graphql_type, GraphQLInterfaceType | GraphQLUnionType):
            graphql_type.resolve_type = lambda value, info, abstract: value["__typename"]
    return server.start()


def normalised(document: str) -> str:
    """A GraphQL document printed the one way."""
    return print_ast(parse(document))


def check_remote_calls(server: GraphQLServer, expected: list[Mapping[str, Any]]) -> None:
    """The requests a server received (introspection aside) are the expected ones.

    Sibling joins run concurrently, so requests are matched in any order: each expected request must
    match a distinct received one.
    """
    received = server.calls(include_introspection=False)
    assert len(received) == len(expected), [call.query for call in received]
    unmatched = list(received)
    for wanted in expected:
        match = next((call for call in unmatched if _is_expected_call(call, wanted)), None)
        assert match is not None, (wanted, [call.query for call in unmatched])
        unmatched.remove(match)


def _is_expected_call(call: Any, wanted: Mapping[str, Any]) -> bool:
    if "query" in wanted and normalised(call.query or "") != normalised(wanted["query"]):
        return False
    if "variables" in wanted and call.variables != wanted["variables"]:
        return False
    return all(call.header(name) == value for name, value in wanted.get("headers", {}).items())
