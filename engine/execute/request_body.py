"""The body of ``POST /v1/graphql``: one ``{"query", "variables", "operationName"}`` object or a batch of them."""

from __future__ import annotations

import json
from typing import Any

from engine.errors import Code
from engine.execute.gateway import GraphQLRequest
from engine.graphql_errors import RequestError

INVALID_JSON = "invalid-json"
TOO_DEEP = "the JSON is nested too deeply"


def decode_body(raw: bytes) -> Any:
    """The body as JSON."""
    try:
        return json.loads(raw)
    except ValueError as error:
        raise RequestError(f"Error in $: {error}", code=INVALID_JSON) from None
    except RecursionError:
        raise RequestError(f"Error in $: {TOO_DEEP}", code=INVALID_JSON) from None


def parse_body(body: Any) -> GraphQLRequest | list[GraphQLRequest]:
    """A single request, or the requests of a batch (a JSON array), in order."""
    if isinstance(body, list):
        return [parse_request(item, f"$[{index}]") for index, item in enumerate(body)]
    return parse_request(body, "$")


def parse_request(item: Any, path: str) -> GraphQLRequest:
    """One request object."""
    if not isinstance(item, dict):
        raise RequestError(f"Error in {path}: expected an object", code=Code.PARSE_FAILED, path=path)
    query = item.get("query")
    if not isinstance(query, str):
        message = 'key "query" not found' if query is None else 'expected a string for "query"'
        raise RequestError(f"Error in {path}: {message}", code=Code.PARSE_FAILED, path=path)
    variables = item.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(
            f"Error in {path}.variables: expected an object", code=Code.PARSE_FAILED, path=path
        )
    operation_name = item.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(
            f"Error in {path}.operationName: expected a string", code=Code.PARSE_FAILED, path=path
        )
    return GraphQLRequest(query, variables, operation_name or None)
