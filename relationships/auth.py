"""Who is calling: the admin secret, JWT or webhook authentication, the role and the session variables.

The modes are Hasura's, with the same headers:

    no ADMIN_SECRET configured   open development mode: trusted, admin unless X-Hasura-Role says otherwise
    valid admin secret sent      trusted: role from X-Hasura-Role (default admin), x-hasura-* headers kept
    wrong admin secret sent      refused (401), whatever else is configured
    no admin secret sent         JWT_SECRET: the token decides; AUTH_HOOK: the webhook decides;
                                 neither: UNAUTHORIZED_ROLE when set, else refused

Only trusted callers' ``x-hasura-*`` headers become session variables; otherwise they come from the
token's claims or the webhook's answer. Failures are EngineErrors with Hasura's codes and messages;
each endpoint renders them in its own shape.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from engine.errors import Code, EngineError
from engine.http import HttpTransport
from relationships.auth_webhook import AuthHook, session_from_hook
from relationships.jwt_auth import JwtAuthenticator, JwtCode, JwtConfig, JwtConfigError

ADMIN_ROLE = "admin"
ADMIN_SECRET_HEADER = "X-Hasura-Admin-Secret"
# Hasura's older name for the admin secret header, still accepted.
ACCESS_KEY_HEADER = "X-Hasura-Access-Key"
SESSION_PREFIX = "x-hasura-"
ROLE_VARIABLE = "x-hasura-role"
SECRET_HEADERS = frozenset({ADMIN_SECRET_HEADER.lower(), ACCESS_KEY_HEADER.lower()})


@dataclass(frozen=True)
class Session:
    """The caller's role and session variables (lower-cased ``x-hasura-*`` names, string values).

    ``variables`` always holds ``x-hasura-role``. ``trusted_headers`` is True when the caller gave
    the admin secret (or none is configured): only then may its own ``x-hasura-*`` request headers
    stand for session variables, e.g. when forwarded to a remote schema.
    """

    role: str = ADMIN_ROLE
    variables: Mapping[str, str] = field(default_factory=dict)
    trusted_headers: bool = False

    def __post_init__(self) -> None:
        variables = {name.lower(): value for name, value in self.variables.items()}
        variables[ROLE_VARIABLE] = self.role
        object.__setattr__(self, "variables", variables)

    @property
    def is_admin(self) -> bool:
        """True for the admin role, which bypasses every permission."""
        return self.role == ADMIN_ROLE


@dataclass(frozen=True)
class AuthMode:
    """The authentication configured for this server."""

    admin_secret: str | None = None
    jwt: JwtAuthenticator | None = None
    hook: AuthHook | None = None
    unauthorized_role: str | None = None


def resolve_session(headers: Mapping[str, str], *, request: Any = None) -> Session:
    """The session of a request with these headers; raise EngineError when it is refused.

    ``request`` is the GraphQL request body, sent to an auth webhook in POST mode (None elsewhere).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    mode = configured_auth_mode()
    if mode.admin_secret is None:
        return _trusted_session(lowered)
    given = lowered.get(ADMIN_SECRET_HEADER.lower(), lowered.get(ACCESS_KEY_HEADER.lower()))
    if given is not None:
        _check_admin_secret(given, mode.admin_secret)
        return _trusted_session(lowered)
    if mode.jwt is not None:
        return _jwt_session(mode.jwt, lowered, mode.unauthorized_role)
    if mode.hook is not None:
        role, variables = session_from_hook(mode.hook, headers, request, _auth_transport())
        return Session(role=role, variables=variables)
    return _unauthorized_session(
        mode.unauthorized_role,
        EngineError(
            "x-hasura-admin-secret/x-hasura-access-key required, but not found",
            code=Code.ACCESS_DENIED,
            status=401,
        ),
    )


def session_from_headers(headers: Mapping[str, str]) -> Session:
    """Resolve the session of a request from its headers (``resolve_session`` without a request body)."""
    return resolve_session(headers)


def require_admin(session: Session) -> None:
    """Refuse a non-admin caller, as the metadata API does."""
    if not session.is_admin:
        raise EngineError("restricted access : admin only", code=Code.ACCESS_DENIED, path="$.args")


def configured_auth_mode() -> AuthMode:
    """The authentication mode from the settings; raises ImproperlyConfigured on a bad combination."""
    return _auth_mode(
        settings.ADMIN_SECRET,
        getattr(settings, "JWT_SECRET", None),
        getattr(settings, "AUTH_HOOK", None),
        getattr(settings, "AUTH_HOOK_MODE", "GET"),
        getattr(settings, "UNAUTHORIZED_ROLE", None),
    )


@functools.lru_cache(maxsize=8)
def _auth_mode(
    admin_secret: str | None,
    jwt_secret: str | None,
    auth_hook: str | None,
    auth_hook_mode: str,
    unauthorized_role: str | None,
) -> AuthMode:
    _check_combination(admin_secret, jwt_secret, auth_hook, unauthorized_role)
    return AuthMode(
        admin_secret=admin_secret,
        jwt=_jwt_authenticator(jwt_secret) if jwt_secret else None,
        hook=_auth_hook(auth_hook, auth_hook_mode) if auth_hook else None,
        unauthorized_role=unauthorized_role,
    )


def _check_combination(
    admin_secret: str | None, jwt_secret: str | None, auth_hook: str | None, unauthorized_role: str | None
) -> None:
    """Refuse what Hasura refuses at start-up, so nobody misreads how requests are authenticated."""
    if jwt_secret and auth_hook:
        raise ImproperlyConfigured("Both webhook and JWT mode cannot be enabled at the same time")
    if jwt_secret and not admin_secret:
        raise ImproperlyConfigured("JWT_SECRET requires ADMIN_SECRET to be set")
    if auth_hook and not admin_secret:
        raise ImproperlyConfigured("AUTH_HOOK requires ADMIN_SECRET to be set")
    if unauthorized_role and (auth_hook or not admin_secret):
        raise ImproperlyConfigured(
            "UNAUTHORIZED_ROLE requires ADMIN_SECRET to be set and is not allowed when AUTH_HOOK is set"
        )


def _jwt_authenticator(jwt_secret: str) -> JwtAuthenticator:
    try:
        config = JwtConfig.from_json(jwt_secret)
    except JwtConfigError as error:
        raise ImproperlyConfigured(f"JWT_SECRET: {error}") from None
    return JwtAuthenticator(config, _auth_transport())


def _auth_hook(url: str, mode: str) -> AuthHook:
    try:
        return AuthHook(url=url, mode=mode)
    except ValueError as error:
        raise ImproperlyConfigured(f"AUTH_HOOK: {error}") from None


@functools.cache
def _auth_transport() -> HttpTransport:
    """The client for the key set URL and the auth webhook.

    These URLs come from the server's own settings, not from metadata, so the outbound host
    allowlist that guards handlers and remote schemas does not apply to them.
    """
    return HttpTransport()


def _check_admin_secret(given: str, secret: str) -> None:
    # Comparing digests keeps the time taken independent of both the content and the length.
    if not hmac.compare_digest(_digest(given), _digest(secret)):
        raise EngineError(
            "invalid x-hasura-admin-secret/x-hasura-access-key", code=Code.ACCESS_DENIED, status=401
        )


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def _trusted_session(lowered: Mapping[str, str]) -> Session:
    variables = {
        name: value
        for name, value in lowered.items()
        if name.startswith(SESSION_PREFIX) and name not in SECRET_HEADERS
    }
    role = variables.get(ROLE_VARIABLE) or ADMIN_ROLE
    return Session(role=role, variables=variables, trusted_headers=True)


def _jwt_session(
    authenticator: JwtAuthenticator, lowered: Mapping[str, str], unauthorized_role: str | None
) -> Session:
    token = authenticator.token(lowered)
    if token is None:
        return _unauthorized_session(
            unauthorized_role,
            EngineError(
                "Missing 'Authorization' or 'Cookie' header in JWT authentication mode",
                code=JwtCode.INVALID_HEADERS,
            ),
        )
    role, variables = authenticator.session(token, lowered.get(ROLE_VARIABLE) or None)
    return Session(role=role, variables=variables)


def _unauthorized_session(unauthorized_role: str | None, refusal: EngineError) -> Session:
    if unauthorized_role is None:
        raise refusal
    return Session(role=unauthorized_role)
