"""``POST /v1/graphql``: resolve the caller, hand the request to the engine, render its answer.

HTTP 200, errors included, as Hasura's ``/v1/graphql`` does (but 405 for a method other than POST
and 413 for a body over ``MAX_REQUEST_BODY_BYTES``): a refused caller (wrong admin
secret, bad token, role outside the allowed roles, webhook refusal) gets ``{"errors": [...]}`` with
the documented code. The caller is resolved before the body is read for its request, and an auth
webhook in POST mode receives that body. A server whose authentication settings cannot work answers
with an error too, never a stack trace. Cookies set by action handlers are passed on. The work each
request caused (SQL statements, HTTP calls) is logged at debug level.
"""

from __future__ import annotations

import logging
import os
from http.cookies import CookieError, SimpleCookie
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from engine.errors import Code, EngineError
from engine.execute import Caller, GraphQLRequest, GraphQLResponse, Runtime, execute
from engine.execute.request_body import decode_body, parse_body
from engine.graphql_errors import errors_body
from engine.limits import QueryLimits
from relationships.api import too_large_message
from relationships.auth import Session, resolve_session
from relationships.runtime import connection_provider, http_transport
from relationships.selectors import gateway_state

logger = logging.getLogger("joinery.graphql")

AUTH_MISCONFIGURED = "the server's authentication settings are invalid; see the server log"
METADATA_UNAVAILABLE = "the metadata database cannot be reached; see the server log"
REQUEST_TOO_LARGE = "request-too-large"


@csrf_exempt
def graphql(request: HttpRequest) -> HttpResponse:
    """Answer one GraphQL request, or a batch (a JSON array) with an array of answers."""
    if request.method != "POST":
        return JsonResponse(
            _error_body("only POST is supported on /v1/graphql", Code.NOT_SUPPORTED), status=405
        )
    try:
        raw = request.body
    except RequestDataTooBig:
        return JsonResponse(_error_body(too_large_message(), REQUEST_TOO_LARGE), status=413)
    try:
        body, body_error = _read_body(raw)
        session = resolve_session(request.headers, request=body)
        if body_error is not None:
            raise body_error
        parsed = parse_body(body)
    except EngineError as error:
        return JsonResponse(errors_body([error], include_internal=False))
    except ImproperlyConfigured as error:
        logger.error("authentication is misconfigured: %s", error)
        return JsonResponse(_error_body(AUTH_MISCONFIGURED, Code.UNEXPECTED))
    except Exception:
        logger.exception("authenticating a graphql request failed")
        return JsonResponse(_error_body("internal error", Code.UNEXPECTED))
    try:
        return _answer(request, session, parsed)
    except DatabaseError as error:
        # The metadata cannot be read and this process has none read before to serve (selectors).
        logger.warning("the metadata database cannot be read: %s", error)
        return JsonResponse(_error_body(METADATA_UNAVAILABLE, Code.UNEXPECTED))
    except Exception:
        logger.exception("graphql request failed")
        return JsonResponse(_error_body("internal error", Code.UNEXPECTED))


def _read_body(raw: bytes) -> tuple[Any, EngineError | None]:
    """The decoded JSON body, or None and why it could not be decoded (reported once the caller is known)."""
    try:
        return decode_body(raw), None
    except EngineError as error:
        return None, error


def _answer(
    request: HttpRequest, session: Session, parsed: GraphQLRequest | list[GraphQLRequest]
) -> HttpResponse:
    schema = gateway_state().schema_for(session.role)
    caller = Caller(session.role, dict(session.variables), list(request.headers.items()))
    limits = QueryLimits(settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_NODES)
    runtime = Runtime(connection_provider(), http_transport(), os.environ, limits=limits)
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
