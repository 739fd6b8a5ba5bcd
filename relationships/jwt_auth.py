"""JWT authentication, as Hasura's JWT mode: read the configuration, verify the token, read the claims.

The configuration is the JSON object of Hasura's ``HASURA_GRAPHQL_JWT_SECRET``: a fixed ``key`` of a
given ``type`` (HS256/384/512, RS256/384/512, Ed25519) or a ``jwk_url`` serving a JSON Web Key Set;
where the Hasura claims live (``claims_namespace`` or ``claims_namespace_path``, as an object or as
``stringified_json``); the ``audience`` and ``issuer`` to insist on; ``allowed_skew`` seconds of
clock tolerance; and where the token travels (``Authorization: Bearer`` or a named cookie).

Signatures and the registered claims (exp, nbf, iat, aud, iss) are checked by PyJWT; this module
maps its failures to Hasura's messages (``Could not verify JWT: JWTExpired`` ...) and codes. A key
set fetched from ``jwk_url`` is kept as long as its response's ``Cache-Control: max-age`` (or
``Expires``) allows, and for good when the response says nothing.
"""

from __future__ import annotations

import email.utils
import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from engine.errors import Code, EngineError
from engine.http import HttpError, HttpTransport, InvalidJsonError, display_url

DEFAULT_CLAIMS_NAMESPACE = "https://hasura.io/jwt/claims"
SESSION_PREFIX = "x-hasura-"
ROLE_VARIABLE = "x-hasura-role"
ALLOWED_ROLES_CLAIM = "x-hasura-allowed-roles"
DEFAULT_ROLE_CLAIM = "x-hasura-default-role"
JWKS_FETCH_TIMEOUT = 10.0
# After a failed refresh, keep the keys already known and try again this many seconds later.
JWKS_RETRY_SECONDS = 60.0

# Configured key type -> the JOSE algorithm that verifies tokens signed with it.
KEY_TYPES = {
    "HS256": "HS256",
    "HS384": "HS384",
    "HS512": "HS512",
    "RS256": "RS256",
    "RS384": "RS384",
    "RS512": "RS512",
    "Ed25519": "EdDSA",
}
HMAC_MIN_KEY_CHARS = {"HS256": 32, "HS384": 48, "HS512": 64}
# A key set travels over the network, so it may only hold public keys: a symmetric ("oct") key
# published there would let anyone sign tokens.
JWKS_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)

_PATH_STEP = re.compile(
    r"""\.(?P<name>[^.\[\]]+)|\[(?P<index>\d+)\]|\['(?P<single>[^']*)'\]|\["(?P<double>[^"]*)"\]"""
)
_NEEDS_ARRAY_QUOTES = re.compile(r'[{}",\\\s]')


class JwtCode:
    """Hasura's codes for JWT failures."""

    INVALID_JWT = "invalid-jwt"
    INVALID_CLAIMS = "jwt-invalid-claims"
    MISSING_ROLE_CLAIMS = "jwt-missing-role-claims"
    INVALID_HEADERS = "invalid-headers"


class JwtConfigError(ValueError):
    """The JWT configuration cannot be used; the message says why (never quoting the key)."""


class JwksFetchError(Exception):
    """The JSON Web Key Set could not be fetched or read."""


@dataclass(frozen=True)
class ClaimsLocation:
    """Where the Hasura claims sit in the token payload, and whether they are a JSON string."""

    namespace: str | None = DEFAULT_CLAIMS_NAMESPACE
    path: tuple[str | int, ...] | None = None
    path_text: str = ""
    stringified: bool = False

    @property
    def description(self) -> str:
        """How the configuration names this location, for messages."""
        if self.path is not None:
            return f"claims_namespace_path {self.path_text}"
        return f"claims_namespace {self.namespace}"


@dataclass(frozen=True)
class JwtConfig:
    """A parsed ``HASURA_GRAPHQL_JWT_SECRET``: a fixed key or a key set URL, and the checks to make."""

    algorithm: str | None = None
    key: Any = None
    jwk_url: str | None = None
    claims: ClaimsLocation = field(default_factory=ClaimsLocation)
    audience: tuple[str, ...] | None = None
    issuer: str | None = None
    allowed_skew: float = 0.0
    cookie_name: str | None = None

    @classmethod
    def from_json(cls, raw: str) -> JwtConfig:
        """Parse the configuration JSON; raise JwtConfigError on anything Hasura would refuse."""
        try:
            document = json.loads(raw)
        except ValueError as error:
            raise JwtConfigError(f"the JWT secret is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise JwtConfigError("the JWT secret must be a JSON object")
        return cls.from_document(document)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> JwtConfig:
        """Build the configuration from the decoded JSON object."""
        if "claims_map" in document:
            raise JwtConfigError("claims_map is not supported; use claims_namespace or claims_namespace_path")
        algorithm, key, jwk_url = _key_or_url(document)
        return cls(
            algorithm=algorithm,
            key=key,
            jwk_url=jwk_url,
            claims=_claims_location(document),
            audience=_audience(document.get("audience")),
            issuer=_optional_string(document, "issuer"),
            allowed_skew=_allowed_skew(document.get("allowed_skew")),
            cookie_name=_cookie_name(document.get("header")),
        )

    @property
    def expected_header(self) -> str:
        """The request header that carries the token."""
        return "Cookie" if self.cookie_name is not None else "Authorization"


def _key_or_url(document: Mapping[str, Any]) -> tuple[str | None, Any, str | None]:
    raw_key, jwk_url = document.get("key"), document.get("jwk_url")
    if raw_key is None and jwk_url is None:
        raise JwtConfigError("key and jwk_url both cannot be empty")
    if raw_key is not None and jwk_url is not None:
        raise JwtConfigError("key, jwk_url both cannot be present")
    if jwk_url is not None:
        if not isinstance(jwk_url, str) or not jwk_url.startswith(("http://", "https://")):
            raise JwtConfigError("jwk_url must be an http or https URL")
        return None, None, jwk_url
    key_type = document.get("type")
    if not isinstance(raw_key, str) or not isinstance(key_type, str):
        raise JwtConfigError("a JWT key needs a 'type' and a 'key', both strings")
    return _algorithm_for(key_type), _prepared_key(key_type, raw_key), None


def _algorithm_for(key_type: str) -> str:
    if key_type not in KEY_TYPES:
        raise JwtConfigError(f"Invalid JWK: Key type: {key_type} is not supported")
    return KEY_TYPES[key_type]


def _prepared_key(key_type: str, raw_key: str) -> Any:
    if key_type in HMAC_MIN_KEY_CHARS:
        minimum = HMAC_MIN_KEY_CHARS[key_type]
        if len(raw_key) < minimum:
            raise JwtConfigError(f"Invalid JWK: Key size too small; should be atleast {minimum} characters")
        return raw_key.encode()
    expected = Ed25519PublicKey if key_type == "Ed25519" else RSAPublicKey
    public_key = _public_key_from_pem(raw_key)
    if not isinstance(public_key, expected):
        raise JwtConfigError(f"Invalid JWK: the key is not a {key_type} public key")
    return public_key


def _public_key_from_pem(raw_key: str) -> Any:
    pem = raw_key.encode()
    try:
        if b"BEGIN CERTIFICATE" in pem:
            return x509.load_pem_x509_certificate(pem).public_key()
        return serialization.load_pem_public_key(pem)
    except ValueError:
        raise JwtConfigError("Invalid JWK: expecting a PEM public key or X509 certificate") from None


def _claims_location(document: Mapping[str, Any]) -> ClaimsLocation:
    namespace = _optional_string(document, "claims_namespace")
    path_text = _optional_string(document, "claims_namespace_path")
    claims_format = document.get("claims_format", "json")
    if claims_format not in ("json", "stringified_json"):
        raise JwtConfigError("claims_format must be 'json' or 'stringified_json'")
    stringified = claims_format == "stringified_json"
    if namespace is not None and path_text is not None:
        raise JwtConfigError("claims_namespace and claims_namespace_path both cannot be set")
    if path_text is not None:
        return ClaimsLocation(None, parse_claims_path(path_text), path_text, stringified)
    return ClaimsLocation(namespace or DEFAULT_CLAIMS_NAMESPACE, None, "", stringified)


def parse_claims_path(text: str) -> tuple[str | int, ...]:
    """Parse a JSON path such as ``$.hasura['claims'][0]`` into its keys and indexes."""
    if not text.startswith("$"):
        raise JwtConfigError(f"invalid JSON path claims_namespace_path error: {text!r} must start with '$'")
    steps: list[str | int] = []
    position = 1
    while position < len(text):
        match = _PATH_STEP.match(text, position)
        if match is None:
            raise JwtConfigError(
                f"invalid JSON path claims_namespace_path error: unexpected {text[position:]!r}"
            )
        steps.append(_path_step(match))
        position = match.end()
    return tuple(steps)


def _path_step(match: re.Match[str]) -> str | int:
    if match.group("index") is not None:
        return int(match.group("index"))
    return next(group for group in match.group("name", "single", "double") if group is not None)


def _optional_string(document: Mapping[str, Any], name: str) -> str | None:
    value = document.get(name)
    if value is not None and not isinstance(value, str):
        raise JwtConfigError(f"{name} must be a string")
    return value


def _audience(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    audiences = [value] if isinstance(value, str) else value
    if not isinstance(audiences, list) or not audiences or not all(isinstance(a, str) for a in audiences):
        raise JwtConfigError("audience must be a string or a non-empty list of strings")
    return tuple(audiences)


def _allowed_skew(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise JwtConfigError("allowed_skew must be a non-negative number of seconds")
    return float(value)


def _cookie_name(header: Any) -> str | None:
    if header is None:
        return None
    kind = header.get("type") if isinstance(header, dict) else None
    if isinstance(kind, str) and kind.lower() == "authorization":
        return None
    if isinstance(kind, str) and kind.lower() == "cookie":
        name = header.get("name")
        if not isinstance(name, str) or not name:
            raise JwtConfigError("header of type 'Cookie' needs the cookie's 'name'")
        return name
    raise JwtConfigError("expected 'type' is 'Authorization' or 'Cookie'")


class JwksCache:
    """The key set served at a ``jwk_url``, fetched on first use and again when its lifetime ends."""

    def __init__(
        self,
        url: str,
        transport: HttpTransport,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        timeout: float = JWKS_FETCH_TIMEOUT,
    ) -> None:
        self.url = url
        self._transport = transport
        self._clock = clock
        self._wall_clock = wall_clock
        self._timeout = timeout
        self._lock = threading.Lock()
        self._keys: tuple[Mapping[str, Any], ...] = ()
        self._prepared: dict[tuple[int, str], jwt.PyJWK | None] = {}
        self._refresh_at: float | None = 0.0
        self._failure: JwksFetchError | None = None

    def keys_for(self, kid: str | None, algorithm: str) -> list[jwt.PyJWK]:
        """The usable keys for a token with this ``kid`` (any key when None) and algorithm."""
        with self._lock:
            self._refresh_if_due()
            if not self._keys and self._failure is not None:
                raise self._failure
            indexes = [i for i, jwk in enumerate(self._keys) if _key_matches(jwk, kid, algorithm)]
            prepared = [self._prepared_key(i, algorithm) for i in indexes]
        return [key for key in prepared if key is not None]

    def _refresh_if_due(self) -> None:
        if self._refresh_at is None or self._clock() < self._refresh_at:
            return
        try:
            keys, lifetime = fetch_jwks(self.url, self._transport, self._timeout, self._wall_clock)
        except JwksFetchError as error:
            self._failure = error
            self._refresh_at = self._clock() + JWKS_RETRY_SECONDS
            return
        self._keys, self._prepared, self._failure = keys, {}, None
        self._refresh_at = None if lifetime is None else self._clock() + lifetime

    def _prepared_key(self, index: int, algorithm: str) -> jwt.PyJWK | None:
        if (index, algorithm) not in self._prepared:
            try:
                key: jwt.PyJWK | None = jwt.PyJWK(dict(self._keys[index]), algorithm)
            except jwt.PyJWTError:
                key = None  # a key of another type or curve than the token's algorithm needs
            self._prepared[(index, algorithm)] = key
        return self._prepared[(index, algorithm)]


def _key_matches(jwk: Mapping[str, Any], kid: str | None, algorithm: str) -> bool:
    return (
        (kid is None or jwk.get("kid") == kid)
        and jwk.get("use", "sig") == "sig"
        and jwk.get("alg", algorithm) == algorithm
    )


def fetch_jwks(
    url: str, transport: HttpTransport, timeout: float, wall_clock: Callable[[], float] = time.time
) -> tuple[tuple[Mapping[str, Any], ...], float | None]:
    """GET the key set at ``url``: its keys and how many seconds they may be kept (None: no limit)."""
    shown = display_url(url)
    try:
        response = transport.get(url, headers={"Accept": "application/json"}, timeout=timeout)
    except HttpError as error:
        raise JwksFetchError(f"Error fetching JWK: {error.message}") from None
    if not 200 <= response.status < 300:
        raise JwksFetchError(f"Non-2xx response on fetching JWK from: {shown} (status {response.status})")
    try:
        document = response.json()
    except InvalidJsonError:
        raise JwksFetchError(f"Error parsing JWK from url: {shown}: the body is not JSON") from None
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
        raise JwksFetchError(f"Error parsing JWK from url: {shown}: expecting an object with a 'keys' list")
    return tuple(keys), key_set_lifetime(
        response.header("Cache-Control"), response.header("Expires"), wall_clock
    )


def key_set_lifetime(
    cache_control: str | None, expires: str | None, wall_clock: Callable[[], float] = time.time
) -> float | None:
    """Seconds a response may be kept: Cache-Control's max-age (or s-maxage) first, then Expires."""
    if cache_control is not None:
        lifetime = _max_age(cache_control)
        if lifetime is not None:
            return lifetime
    if expires is not None:
        try:
            return max(0.0, email.utils.parsedate_to_datetime(expires).timestamp() - wall_clock())
        except (TypeError, ValueError):
            return None
    return None


def _max_age(cache_control: str) -> float | None:
    directives = {}
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        directives[name.strip().lower()] = value.strip().strip('"')
    if "no-cache" in directives or "no-store" in directives:
        return 0.0
    for name in ("s-maxage", "max-age"):
        if directives.get(name, "").isdigit():
            return float(directives[name])
    return None


class JwtAuthenticator:
    """Turns the token of a request into a role and session variables, as Hasura's JWT mode does."""

    def __init__(self, config: JwtConfig, transport: HttpTransport) -> None:
        self.config = config
        self._jwks = JwksCache(config.jwk_url, transport) if config.jwk_url is not None else None

    def token(self, headers: Mapping[str, str]) -> str | None:
        """The raw token in the (lower-cased) request headers, or None when its header is absent."""
        value = headers.get(self.config.expected_header.lower())
        if value is None:
            return None
        if self.config.cookie_name is not None:
            return _cookie(value, self.config.cookie_name)
        parts = value.split()
        if len(parts) != 2 or parts[0] != "Bearer":
            raise EngineError("Malformed Authorization header", code=JwtCode.INVALID_HEADERS)
        return parts[1]

    def session(self, token: str, requested_role: str | None) -> tuple[str, dict[str, str]]:
        """Verify ``token``; return the role to act as and the session variables (role included)."""
        claims = hasura_claims(self.verified_payload(token), self.config.claims)
        return session_from_claims(claims, requested_role)

    def verified_payload(self, token: str) -> dict[str, Any]:
        """The token's payload once its signature and registered claims check out."""
        try:
            header = jwt.get_unverified_header(token)
            if self._jwks is None:
                return self._decode(token, self.config.key, self.config.algorithm or "")
            return self._decode_with_key_set(token, self._jwks, header)
        except jwt.PyJWTError as error:
            raise EngineError(
                f"Could not verify JWT: {_jose_name(error)}", code=JwtCode.INVALID_JWT
            ) from None

    def _decode_with_key_set(self, token: str, jwks: JwksCache, header: Mapping[str, Any]) -> dict[str, Any]:
        algorithm = header.get("alg")
        if algorithm not in JWKS_ALGORITHMS:
            raise jwt.InvalidAlgorithmError(f"the algorithm {algorithm!r} is not accepted for a key set")
        try:
            keys = jwks.keys_for(header.get("kid"), algorithm)
        except JwksFetchError as error:
            raise EngineError(
                "Could not verify JWT: the JSON Web Key Set could not be fetched",
                code=Code.UNEXPECTED,
                status=500,
                internal={"jwk_url": display_url(jwks.url), "error": str(error)},
            ) from None
        if not keys:
            raise _NoUsableKeys
        return self._decode_with_any(token, keys, algorithm)

    def _decode_with_any(self, token: str, keys: Sequence[jwt.PyJWK], algorithm: str) -> dict[str, Any]:
        for key in keys[:-1]:
            try:
                return self._decode(token, key, algorithm)
            except jwt.InvalidSignatureError:
                continue
        return self._decode(token, keys[-1], algorithm)

    def _decode(self, token: str, key: Any, algorithm: str) -> dict[str, Any]:
        audience = self.config.audience
        return jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=list(audience) if audience else None,
            issuer=self.config.issuer,
            leeway=self.config.allowed_skew,
            options={"verify_aud": audience is not None},
        )


class _NoUsableKeys(jwt.InvalidKeyError):
    """No key of the key set fits the token's ``kid`` and algorithm."""


def _jose_name(error: jwt.PyJWTError) -> str:
    """Hasura's (jose's) name for a verification failure."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return "JWTExpired"
    if isinstance(error, jwt.ImmatureSignatureError):
        return "JWTIssuedAtFuture" if "(iat)" in str(error) else "JWTNotYetValid"
    if isinstance(error, jwt.InvalidAudienceError) or _missing_claim(error, "aud"):
        return "JWTNotInAudience"
    if isinstance(error, jwt.InvalidIssuerError) or _missing_claim(error, "iss"):
        return "JWTNotInIssuer"
    if isinstance(error, jwt.InvalidSignatureError):
        return "JWSError JWSInvalidSignature"
    if isinstance(error, _NoUsableKeys):
        return "JWSError NoUsableKeys"
    if isinstance(error, jwt.InvalidAlgorithmError):
        return f"JWSError (AlgorithmMismatch {str(error)!r})"
    if isinstance(error, jwt.DecodeError):
        return f"JWSError (CompactDecodeError {str(error)!r})"
    return f"JWTClaimsSetDecodeError {str(error)!r}"


def _missing_claim(error: jwt.PyJWTError, claim: str) -> bool:
    return isinstance(error, jwt.MissingRequiredClaimError) and error.claim == claim


def _cookie(header_value: str, name: str) -> str:
    for pair in header_value.split(";"):
        key, separator, value = pair.strip().partition("=")
        if separator and key.strip() == name:
            return value.strip().strip('"')
    raise EngineError(f"Could not find {name} in Cookie header", code=JwtCode.INVALID_HEADERS)


def hasura_claims(payload: Mapping[str, Any], location: ClaimsLocation) -> dict[str, Any]:
    """The ``x-hasura-*`` claims (lower-cased names) found at ``location`` in the payload."""
    found = _claims_value(payload, location)
    claims = _claims_object(found, location)
    return {name.lower(): value for name, value in claims.items() if name.lower().startswith(SESSION_PREFIX)}


def _claims_value(payload: Mapping[str, Any], location: ClaimsLocation) -> Any:
    if location.path is None:
        if location.namespace not in payload:
            raise _claims_error(f"claims key: '{location.namespace}' not found")
        return payload[location.namespace]
    current: Any = payload
    for step in location.path:
        if not _has_step(current, step):
            raise _claims_error(f"claims not found at claims_namespace_path: '{location.path_text}'")
        current = current[step]
    return current


def _has_step(value: Any, step: str | int) -> bool:
    if isinstance(step, int):
        return isinstance(value, list) and step < len(value)
    return isinstance(value, dict) and step in value


def _claims_object(value: Any, location: ClaimsLocation) -> Mapping[str, Any]:
    if location.stringified:
        if not isinstance(value, str):
            raise _claims_error("expecting a string when claims_format is stringified_json")
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict):
            raise _claims_error(
                f"expecting stringified json at: '{location.description}', but found: {value}"
            )
        return decoded
    if not isinstance(value, dict):
        raise _claims_error("expecting a json object when claims_format is json")
    return value


def session_from_claims(claims: Mapping[str, Any], requested_role: str | None) -> tuple[str, dict[str, str]]:
    """Pick the role (the requested one, else the default) and turn the other claims into variables."""
    allowed = _allowed_roles(claims)
    default = _default_role(claims)
    role = requested_role or default
    if role not in allowed:
        raise EngineError("Your requested role is not in allowed roles", code=Code.ACCESS_DENIED)
    variables = {
        name: session_value(name, value)
        for name, value in claims.items()
        if name not in (ALLOWED_ROLES_CLAIM, DEFAULT_ROLE_CLAIM)
    }
    variables[ROLE_VARIABLE] = role
    return role, variables


def _allowed_roles(claims: Mapping[str, Any]) -> list[str]:
    roles = _role_claim(claims, ALLOWED_ROLES_CLAIM)
    if not isinstance(roles, list) or not all(isinstance(role, str) and role for role in roles):
        raise _claims_error(f"invalid {ALLOWED_ROLES_CLAIM}; should be a list of roles")
    return roles


def _default_role(claims: Mapping[str, Any]) -> str:
    role = _role_claim(claims, DEFAULT_ROLE_CLAIM)
    if not isinstance(role, str) or not role:
        raise _claims_error(f"invalid {DEFAULT_ROLE_CLAIM}; should be a single role name")
    return role


def _role_claim(claims: Mapping[str, Any], name: str) -> Any:
    if name not in claims:
        raise EngineError(f"JWT claim does not contain {name}", code=JwtCode.MISSING_ROLE_CLAIMS)
    return claims[name]


def session_value(name: str, value: Any) -> str:
    """A claim as a session variable: text as is, numbers and booleans as JSON, lists as ``{a,b}``."""
    if isinstance(value, list):
        return "{" + ",".join(_array_element(name, item) for item in value) + "}"
    return _scalar_text(name, value)


def _scalar_text(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    raise _claims_error(
        f"x-hasura-* claims: {name} should be a string, a number, a boolean or a list of them"
    )


def _array_element(name: str, value: Any) -> str:
    """One element of a PostgreSQL array literal, quoted when PostgreSQL would misread it bare."""
    text = _scalar_text(name, value)
    if text and text.upper() != "NULL" and not _NEEDS_ARRAY_QUOTES.search(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _claims_error(message: str) -> EngineError:
    return EngineError(message, code=JwtCode.INVALID_CLAIMS)
