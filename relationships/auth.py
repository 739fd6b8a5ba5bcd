"""Who is calling: the admin secret, the role and the session variables of a request."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings

from engine.errors import Code, EngineError

ADMIN_ROLE = "admin"
ADMIN_SECRET_HEADER = "X-Hasura-Admin-Secret"
SESSION_PREFIX = "x-hasura-"


@dataclass(frozen=True)
class Session:
    """The caller's role and session variables (lower-cased ``x-hasura-*`` names, string values)."""

    role: str = ADMIN_ROLE
    variables: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        """True for the admin role, which bypasses every permission."""
        return self.role == ADMIN_ROLE


def session_from_headers(headers: Mapping[str, str]) -> Session:
    """Resolve the session of a request from its headers, checking the admin secret."""
    _check_admin_secret(headers)
    variables = {
        name.lower(): value
        for name, value in headers.items()
        if name.lower().startswith(SESSION_PREFIX) and name.lower() != ADMIN_SECRET_HEADER.lower()
    }
    role = variables.get("x-hasura-role") or ADMIN_ROLE
    variables["x-hasura-role"] = role
    return Session(role=role, variables=variables)


def _check_admin_secret(headers: Mapping[str, str]) -> None:
    secret = settings.ADMIN_SECRET
    if not secret:
        return
    given = headers.get(ADMIN_SECRET_HEADER)
    if given is None:
        raise EngineError(
            "x-hasura-admin-secret/x-hasura-access-key required, but not found",
            code=Code.ACCESS_DENIED,
            status=401,
        )
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise EngineError(
            "invalid x-hasura-admin-secret/x-hasura-access-key", code=Code.ACCESS_DENIED, status=401
        )


def require_admin(session: Session) -> None:
    """Refuse a non-admin caller, as the metadata API does."""
    if not session.is_admin:
        raise EngineError("restricted access : admin only", code=Code.ACCESS_DENIED, path="$.args")
