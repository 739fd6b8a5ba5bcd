"""The engine's error hierarchy: one base class, stable kebab-case codes, a JSON path, admin-only detail.

Metadata API errors render as ``{"error", "path", "code"[, "internal"]}``; GraphQL errors as
``{"message", "extensions": {"path", "code"[, "internal"]}}``. ``internal`` is for admins only.
"""

from __future__ import annotations

from typing import Any


class Code:
    """Stable error codes, as Hasura names them."""

    ACCESS_DENIED = "access-denied"
    ALREADY_EXISTS = "already-exists"
    ALREADY_TRACKED = "already-tracked"
    ALREADY_UNTRACKED = "already-untracked"
    CONFLICT = "conflict"
    CONSTRAINT_ERROR = "constraint-error"
    DEPENDENCY_ERROR = "dependency-error"
    INVALID_CONFIGURATION = "invalid-configuration"
    INVALID_PARAMS = "invalid-params"
    NOT_EXISTS = "not-exists"
    NOT_FOUND = "not-found"
    NOT_SUPPORTED = "not-supported"
    PARSE_FAILED = "parse-failed"
    POSTGRES_ERROR = "postgres-error"
    DATA_EXCEPTION = "data-exception"
    REMOTE_SCHEMA_ERROR = "remote-schema-error"
    REMOTE_SCHEMA_CONFLICTS = "remote-schema-conflicts"
    UNEXPECTED = "unexpected"
    VALIDATION_FAILED = "validation-failed"


class EngineError(Exception):
    """An error with a stable code, a JSON path and optional admin-only detail."""

    status = 400
    default_code = Code.UNEXPECTED

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        path: str = "$",
        internal: Any = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.path = path
        self.internal = internal
        if status is not None:
            self.status = status

    def at(self, prefix: str) -> EngineError:
        """Re-root this error's path under ``prefix`` (used for commands nested in ``bulk``)."""
        suffix = self.path[1:] if self.path.startswith("$") else self.path
        self.path = prefix + suffix
        return self

    def to_metadata_error(self, *, include_internal: bool = True) -> dict[str, Any]:
        """Render as a metadata API error body."""
        body: dict[str, Any] = {"error": self.message, "path": self.path, "code": self.code}
        if include_internal and self.internal is not None:
            body["internal"] = self.internal
        return body

    def to_graphql_error(self, *, include_internal: bool = False) -> dict[str, Any]:
        """Render as one entry of a GraphQL ``errors`` list."""
        extensions: dict[str, Any] = {"path": self.path, "code": self.code}
        if include_internal and self.internal is not None:
            extensions["internal"] = self.internal
        return {"message": self.message, "extensions": extensions}


class MetadataParseError(EngineError):
    """A request or metadata document does not have the expected shape."""

    default_code = Code.PARSE_FAILED
