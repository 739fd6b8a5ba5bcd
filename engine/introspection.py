"""Remote schema introspection: fetch a remote server's schema and turn it into a GraphQLSchema.

Error messages follow Hasura's (`Hasura.GraphQL.RemoteServer`): a transport failure reads
`HTTP exception occurred while sending the request to "<url>"`, and a body of the wrong shape is
described the way Hasura's JSON decoder describes it (`Error in $: key "data" not found`).
"""

import json
from collections.abc import Mapping
from typing import Any, cast

from graphql import (
    GraphQLError,
    GraphQLSchema,
    IntrospectionQuery,
    build_client_schema,
    get_introspection_query,
    validate_schema,
)

from engine.environment import hide_resolved_url
from engine.errors import Code, EngineError
from engine.headers import HeaderSource
from engine.http import HttpError, HttpResponse, InvalidJsonError, Transport, display_url

INTROSPECTION_QUERY = get_introspection_query(descriptions=True)
INTROSPECTION_OPERATION = "IntrospectionQuery"
ROOT_TYPE_NAMES = {"queryType": "Query", "mutationType": "Mutation", "subscriptionType": "Subscription"}
RAW_BODY_EXCERPT_CHARS = 1000
JSON_KINDS = {dict: "Object", list: "Array", str: "String", bool: "Boolean", int: "Number", float: "Number"}


class IntrospectionError(EngineError):
    """The remote schema could not be introspected; `internal` holds details for admins only."""

    default_code = Code.REMOTE_SCHEMA_ERROR

    def __init__(self, message: str, internal: dict[str, Any] | None = None) -> None:
        super().__init__(message, internal=internal)


def fetch_introspection(
    transport: Transport, url: str, headers: HeaderSource, timeout: float, shown_url: str | None = None
) -> dict[str, Any]:
    """POST the introspection query to `url`; return the decoded response body once its shape is right.

    Messages show `shown_url` (the URL as configured, so no environment value) when given.
    """
    request = {"query": INTROSPECTION_QUERY, "operationName": INTROSPECTION_OPERATION}
    try:
        response = transport.post_json(url, request, headers=headers, timeout=timeout)
    except HttpError as error:
        shown = url if shown_url is None else shown_url
        raise IntrospectionError(
            f'HTTP exception occurred while sending the request to "{display_url(shown)}"',
            {
                "type": "http_exception",
                "kind": error.kind,
                "message": hide_resolved_url(error.message, url, shown),
            },
        ) from error
    body = _decoded_body(response)
    check_introspection_shape(body)
    return body


def _decoded_body(response: HttpResponse) -> Any:
    try:
        return response.json()
    except InvalidJsonError:
        excerpt = response.body[:RAW_BODY_EXCERPT_CHARS].decode("utf-8", "replace")
        raise IntrospectionError(
            "Error in $: Failed reading: not a valid json value",
            {"status": response.status, "raw_body": excerpt},
        ) from None


def check_introspection_shape(body: Any) -> None:
    """Raise IntrospectionError unless `body` is `{"data": {"__schema": {...}}}` with a types list."""
    if not isinstance(body, dict):
        raise IntrospectionError(_type_mismatch("$", "SchemaDocument", "Object", body))
    data = body.get("data")
    schema = data.get("__schema") if isinstance(data, dict) else None
    if not isinstance(schema, dict) and _remote_errors(body):
        raise IntrospectionError(
            f"the remote server answered the introspection query with errors: {_error_summary(body['errors'])}",
            {"errors": body["errors"]},
        )
    _require_key(body, "data", "$")
    _require_object(body["data"], "$.data")
    _require_key(body["data"], "__schema", "$")
    _require_object(schema, "$.data.__schema")
    _require_key(schema, "types", "$")
    if not isinstance(schema["types"], list):
        raise IntrospectionError(_type_mismatch("$.data.__schema.types", "[]", "Array", schema["types"]))


def _remote_errors(body: dict[str, Any]) -> bool:
    errors = body.get("errors")
    return isinstance(errors, list) and bool(errors)


def _error_summary(errors: list[Any]) -> str:
    return "; ".join(map(_error_message, errors))


def _error_message(error: Any) -> str:
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else json.dumps(error)


def _require_key(container: Mapping[str, Any], key: str, path: str) -> None:
    if key not in container:
        raise IntrospectionError(f'Error in {path}: key "{key}" not found')


def _require_object(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise IntrospectionError(_type_mismatch(path, "KeyMap", "Object", value))


def _type_mismatch(path: str, parser: str, expected: str, value: Any) -> str:
    found = "Null" if value is None else JSON_KINDS.get(type(value), type(value).__name__)
    return f"Error in {path}: parsing {parser} failed, expected {expected}, but encountered {found}"


def schema_from_introspection(raw: dict[str, Any]) -> GraphQLSchema:
    """Build a client-side GraphQLSchema from a decoded introspection response body.

    As Hasura does, a missing root operation type is taken from an object type of the default name
    (`Query`, `Mutation`, `Subscription`) when the remote declares none.
    """
    check_introspection_shape(raw)
    introspection = {**raw["data"], "__schema": _with_default_roots(raw["data"]["__schema"])}
    if not introspection["__schema"].get("queryType"):
        raise IntrospectionError("query root not found in remote schema")
    try:
        schema = build_client_schema(cast(IntrospectionQuery, introspection))
    except (TypeError, ValueError, KeyError, AttributeError, GraphQLError) as error:
        raise IntrospectionError(f"the remote schema's introspection result is invalid: {error}") from None
    _check_valid(schema)
    return schema


def _with_default_roots(schema: dict[str, Any]) -> dict[str, Any]:
    object_names = {
        entry.get("name")
        for entry in schema["types"]
        if isinstance(entry, dict) and entry.get("kind") == "OBJECT"
    }
    filled = dict(schema)
    for key, default_name in ROOT_TYPE_NAMES.items():
        if not filled.get(key) and default_name in object_names:
            filled[key] = {"name": default_name}
    return filled


def _check_valid(schema: GraphQLSchema) -> None:
    problems = validate_schema(schema)
    if problems:
        details = "; ".join(problem.message for problem in problems)
        raise IntrospectionError(f"the remote schema is not a valid GraphQL schema: {details}")
