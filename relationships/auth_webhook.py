"""Authentication through a webhook, as Hasura's auth-hook mode: the hook says who the caller is.

GET mode forwards the client's headers as the hook request's headers (minus those that describe the
client's own connection); POST mode sends ``{"headers": {...}, "request": <the GraphQL request>}``.
A 200 answer is a JSON object whose ``x-hasura-*`` entries become the session, ``x-hasura-role``
included (the hook decides the role); 401 refuses the request; anything else is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import Code, EngineError
from engine.headers import NOT_FORWARDED
from engine.http import HttpError, HttpResponse, HttpTransport, InvalidJsonError, display_url

AUTH_HOOK_MODES = ("GET", "POST")
AUTH_HOOK_TIMEOUT = 10.0
SESSION_PREFIX = "x-hasura-"
ROLE_VARIABLE = "x-hasura-role"


@dataclass(frozen=True)
class AuthHook:
    """The webhook's URL and how to call it."""

    url: str
    mode: str = "GET"

    def __post_init__(self) -> None:
        if self.mode not in AUTH_HOOK_MODES:
            raise ValueError(f"the auth hook mode must be GET or POST, not {self.mode!r}")
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("the auth hook must be an http or https URL")


def session_from_hook(
    hook: AuthHook, headers: Mapping[str, str], request: Any, transport: HttpTransport
) -> tuple[str, dict[str, str]]:
    """Ask the hook about a request with these client headers; return its role and session variables."""
    response = _call(hook, headers, request, transport)
    if response.status == 200:
        return _session(_answer(response))
    if response.status == 401:
        raise EngineError(
            "Authentication hook unauthorized this request", code=Code.ACCESS_DENIED, status=401
        )
    raise EngineError(
        "Invalid response from authorization hook",
        code=Code.UNEXPECTED,
        status=500,
        internal={"url": display_url(hook.url), "status": response.status},
    )


def _call(hook: AuthHook, headers: Mapping[str, str], request: Any, transport: HttpTransport) -> HttpResponse:
    try:
        if hook.mode == "GET":
            return transport.get(hook.url, headers=forwarded_headers(headers), timeout=AUTH_HOOK_TIMEOUT)
        body = {"headers": dict(headers), "request": request}
        return transport.post_json(hook.url, body, headers={}, timeout=AUTH_HOOK_TIMEOUT)
    except HttpError as error:
        raise EngineError(
            "webhook authentication request failed",
            code=Code.UNEXPECTED,
            status=500,
            internal={"url": display_url(hook.url), "error": error.message},
        ) from None


def forwarded_headers(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The client headers a GET-mode hook receives: all but those describing the client's connection."""
    return [(name, value) for name, value in headers.items() if name.lower() not in NOT_FORWARDED]


def _answer(response: HttpResponse) -> Mapping[str, Any]:
    try:
        body = response.json()
    except InvalidJsonError as error:
        raise _invalid_answer(str(error)) from None
    if not isinstance(body, dict):
        raise _invalid_answer("expecting a JSON object")
    return body


def _session(answer: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    variables: dict[str, str] = {}
    for name, value in answer.items():
        if not name.lower().startswith(SESSION_PREFIX):
            continue
        if not isinstance(value, str):
            raise _invalid_answer(f"the value of {name} should be a string")
        variables[name.lower()] = value
    role = variables.get(ROLE_VARIABLE)
    if not role:
        raise EngineError(f"{ROLE_VARIABLE} not found in session variables", code=Code.INVALID_PARAMS)
    return role, variables


def _invalid_answer(reason: str) -> EngineError:
    return EngineError(
        f"Invalid response from authorization hook: {reason}", code=Code.UNEXPECTED, status=500
    )
