"""``POST /v1/graphql``: resolve the caller, hand the request to the engine, render its answer.

Always HTTP 200, errors included, as Hasura's ``/v1/graphql`` does. Cookies set by action handlers
are passed on. The work each request caused (SQL statements, HTTP calls) is logged at debug level.
"""

from __future__ import annotations

import logging
import os
from http.cookies import CookieError, SimpleCookie

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from engine.errors import Code, EngineError
from engine.execute import Caller, GraphQLRequest, GraphQLResponse, Runtime, execute
from engine.execute.request_body import decode_body, parse_body
from engine.graphql_errors import errors_body
from relationships.auth import Session, session_from_headers
from relationships.runtime import connection_provider, http_transport
from relationships.selectors import gateway_state

logger = logging.getLogger("joinery.graphql")


@csrf_exempt
def graphql(request: HttpRequest) -> HttpResponse:
    """Answer one GraphQL request, or a batch (a JSON array) with an array of answers."""
    if request.method != "POST":
        return JsonResponse(
            _error_body("only POST is supported on /v1/graphql", Code.NOT_SUPPORTED), status=405
        )
    try:
        session = session_from_headers(request.headers)
        parsed = parse_body(decode_body(request.body))
    except EngineError as error:
        return JsonResponse(errors_body([error], include_internal=False))
    try:
        return _answer(request, session, parsed)
    except Exception:
        logger.exception("graphql request failed")
        return JsonResponse(_error_body("internal error", Code.UNEXPECTED))


def _answer(
    request: HttpRequest, session: Session, parsed: GraphQLRequest | list[GraphQLRequest]
) -> HttpResponse:
    schema = gateway_state().schema_for(session.role)
    caller = Caller(session.role, dict(session.variables), list(request.headers.items()))
    runtime = Runtime(connection_provider(), http_transport(), os.environ)
    batch = parsed if isinstance(parsed, list) else [parsed]
    responses = [execute(schema, item, caller, runtime) for item in batch]
    for answer in responses:
        logger.debug(
            "graphql request: %d SQL statements, %d HTTP calls",
            answer.counts.sql_statements,
            answer.counts.http_calls,
            extra={"sql_statements": answer.counts.sql_statements, "http_calls": answer.counts.http_calls},
        )
    body = (
        b"[" + b",".join(r.encode() for r in responses) + b"]"
        if isinstance(parsed, list)
        else responses[0].encode()
    )
    response = HttpResponse(body, content_type="application/json")
    _pass_cookies(response, responses)
    return response


def _pass_cookies(response: HttpResponse, answers: list[GraphQLResponse]) -> None:
    for answer in answers:
        for line in answer.cookies:
            try:
                response.cookies.load(SimpleCookie(line))
            except CookieError:
                logger.warning("dropped a malformed Set-Cookie header from an action handler")


def _error_body(message: str, code: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"path": "$", "code": code}}]}
