"""Django's session, user and message middleware, for every path but the API endpoints.

``/v1/graphql``, ``/v1/metadata`` and ``/v2/query`` authenticate each request on their own (admin
secret, JWT, authentication webhook) and keep no session, so a session store, a lazy user and a
message store built for them would be thrown away unread; at a small query that was a tenth of the
server's time. On every other path (the console, the admin, the demo) these classes do exactly what
Django's own do, and Django's checks accept them in their place.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest

API_PATHS = frozenset({"/v1/graphql", "/v1/metadata", "/v2/query"})


class ConsoleOnly:
    """Passes a request to an API endpoint straight on; any other goes through the middleware."""

    get_response: Any

    def __call__(self, request: HttpRequest) -> Any:
        if request.path_info in API_PATHS:
            return self.get_response(request)
        return super().__call__(request)  # type: ignore[misc]


class SessionMiddleware(ConsoleOnly, sessions.SessionMiddleware):
    """Django's sessions, for the console and the admin."""


class AuthenticationMiddleware(ConsoleOnly, auth.AuthenticationMiddleware):
    """Django's ``request.user``, for the console and the admin."""


class MessageMiddleware(ConsoleOnly, messages.MessageMiddleware):
    """Django's messages, for the console and the admin."""
