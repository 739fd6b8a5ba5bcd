"""Calls an action's handler exactly as Hasura does and turns every outcome into an answer or an error.

    POST <handler, {{VAR}} resolved>   {"action": {"name"}, "input", "session_variables", "request_query"}
    headers: configured (value / value_from_env) > defaults > forwarded client headers (if asked)
    timeout: the action's ``timeout`` seconds

2xx: the body must be JSON fitting the output type. 4xx: ``{"message", "extensions"}`` passes its
extensions through; ``{"message", "code"}`` becomes code ``code``; ``{"message"}`` code
``unexpected``. Any other status, a time-out, a refused connection or a non-JSON body is an
``unexpected`` error. Admins also get ``internal``: the request sent and the response received.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.environment import MissingVariableError, hide_resolved_url, resolve_template
from engine.errors import Code, EngineError
from engine.execute.output import OutputChecker, OutputMismatch
from engine.execute.stats import ExecutionStats
from engine.graphql_errors import HandlerError, RequestError
from engine.headers import HeaderConfigError, action_request_headers, resolve_configured_headers
from engine.http import HttpError, HttpResponse, InvalidJsonError, Transport, display_url
from engine.metadata import Action

Header = tuple[str, str]
REDACTED = "<redacted>"


@dataclass(frozen=True)
class HandlerAnswer:
    """A handler's successful answer and the cookies it wants set on the client."""

    value: Any
    cookies: tuple[str, ...]


@dataclass(frozen=True)
class CallContext:
    """What every action call of one request shares: the caller and the client's request."""

    session_variables: Mapping[str, str]
    client_headers: Sequence[Header]
    request_query: str
    environ: Mapping[str, str]


class ActionCaller:
    """Calls handlers through the engine's one HTTP transport."""

    def __init__(
        self, transport: Transport, context: CallContext, checker: OutputChecker, stats: ExecutionStats
    ) -> None:
        self.transport = transport
        self.context = context
        self.checker = checker
        self.stats = stats

    def call(self, action: Action, arguments: Mapping[str, Any], output_type: Any) -> HandlerAnswer:
        """Call the handler of ``action`` and check its answer against ``output_type``."""
        definition = action.definition
        url, headers = self._target(action)
        payload = {
            "action": {"name": action.name},
            "input": dict(arguments),
            "session_variables": dict(self.context.session_variables),
            "request_query": self.context.request_query,
        }
        request = {
            "url": display_url(definition.handler),
            "body": payload,
            "headers": _shown_headers(headers, action),
        }
        self.stats.count_http()
        try:
            response = self.transport.post_json(url, payload, headers=headers, timeout=definition.timeout)
        except HttpError as error:
            raise RequestError(
                "http exception when calling webhook",
                code=Code.UNEXPECTED,
                internal={
                    "error": hide_resolved_url(error.message, url, definition.handler),
                    "request": request,
                },
            ) from error
        return self._answer(response, request, output_type)

    def _target(self, action: Action) -> tuple[str, list[Header]]:
        definition = action.definition
        try:
            url = resolve_template(definition.handler, self.context.environ)
            configured = resolve_configured_headers(
                [h.to_dict() for h in definition.headers], self.context.environ
            )
        except (MissingVariableError, HeaderConfigError) as error:
            raise RequestError(str(error), code=Code.UNEXPECTED) from error
        headers = action_request_headers(
            configured, self.context.client_headers, definition.forward_client_headers
        )
        return url, headers

    def _answer(self, response: HttpResponse, request: dict[str, Any], output_type: Any) -> HandlerAnswer:
        if 200 <= response.status < 300:
            value = self._decoded(response, request)
            try:
                self.checker.check(value, output_type)
            except OutputMismatch as error:
                error.internal = _internal("unexpected response", request, response)
                raise
            return HandlerAnswer(value, tuple(response.header_values("Set-Cookie")))
        if 400 <= response.status < 500:
            raise self._client_error(response, request)
        raise RequestError(
            f"expecting 2xx or 4xx status code, but found {response.status}",
            code=Code.UNEXPECTED,
            internal=_internal(
                f"expecting 2xx or 4xx status code, but found {response.status}", request, response
            ),
        )

    def _decoded(self, response: HttpResponse, request: dict[str, Any]) -> Any:
        try:
            return response.json()
        except InvalidJsonError:
            raise RequestError(
                "not a valid json response from webhook",
                code=Code.UNEXPECTED,
                internal=_internal("invalid json", request, response),
            ) from None

    def _client_error(self, response: HttpResponse, request: dict[str, Any]) -> EngineError:
        body = self._decoded(response, request)
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str):
            return RequestError(
                'expecting a JSON object with a "message" string in the webhook\'s 4xx response',
                code=Code.UNEXPECTED,
                internal=_internal("unexpected response", request, response),
            )
        if isinstance(body.get("extensions"), dict):
            return HandlerError(message, body["extensions"])
        code = body.get("code")
        return RequestError(message, code=code if isinstance(code, str) and code else Code.UNEXPECTED)


def _internal(error: str, request: dict[str, Any], response: HttpResponse) -> dict[str, Any]:
    try:
        body: Any = response.json()
    except InvalidJsonError:
        body = response.body.decode("utf-8", "replace")
    headers = [{"name": name, "value": value} for name, value in response.headers]
    return {
        "error": error,
        "request": request,
        "response": {"status": response.status, "body": body, "headers": headers},
    }


def _shown_headers(headers: Sequence[Header], action: Action) -> list[dict[str, str]]:
    """The headers sent, values taken from the environment hidden (they are secrets)."""
    secret = {h.name.lower() for h in action.definition.headers if h.value_from_env is not None}
    return [{"name": name, "value": REDACTED if name.lower() in secret else value} for name, value in headers]
