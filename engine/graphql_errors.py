"""Errors of ``POST /v1/graphql`` in Hasura's shape: ``{"message", "extensions": {"path", "code"}}``.

Request-level failures (parse, validation, a failed handler or SQL statement) end the request: the
body holds ``errors`` and no ``data``. ``extensions.internal`` carries details for admins only.
An action handler's own 4xx error passes its ``extensions`` object through unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.errors import Code, EngineError


class RequestError(EngineError):
    """A request that cannot be answered; ``validation-failed`` unless said otherwise."""

    default_code = Code.VALIDATION_FAILED


class HandlerError(EngineError):
    """An error an action handler reported itself, with its ``extensions`` object kept verbatim."""

    def __init__(self, message: str, extensions: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.extensions = dict(extensions)

    def to_graphql_error(self, *, include_internal: bool = False) -> dict[str, Any]:
        """Render with the handler's extensions, untouched."""
        return {"message": self.message, "extensions": self.extensions}


class RequestErrors(Exception):
    """One or more errors that end a request."""

    def __init__(self, errors: Sequence[EngineError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = list(errors)


def errors_body(errors: Sequence[EngineError], *, include_internal: bool) -> dict[str, Any]:
    """The response body of a failed request."""
    return {"errors": [error.to_graphql_error(include_internal=include_internal) for error in errors]}


def unexpected(message: str, internal: Any = None) -> RequestError:
    """An internal failure: ``unexpected``, details for admins only."""
    return RequestError(message, code=Code.UNEXPECTED, internal=internal)
