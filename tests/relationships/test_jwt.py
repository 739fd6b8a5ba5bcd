"""JWT mode: real HS256/RS256/EdDSA tokens, a key set served over HTTP, and every refusal Hasura names."""

import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from django.core.exceptions import ImproperlyConfigured
from jwt.algorithms import RSAAlgorithm
from jwt.utils import base64url_encode

from engine.errors import EngineError
from engine.http import HttpTransport
from relationships.auth import resolve_session
from relationships.jwt_auth import (
    JwksCache,
    JwksFetchError,
    JwtConfig,
    JwtConfigError,
    key_set_lifetime,
    parse_claims_path,
)
from tests.support.certificates import self_signed_pem
from tests.support.servers import Reply

NAMESPACE = "https://hasura.io/jwt/claims"
HS_KEY = "a-test-secret-that-is-at-least-32-characters-long"
ADMIN_SECRET = "the-admin-secret"


def claims(default_role="user", allowed_roles=("user", "editor"), **variables):
    """The Hasura claims object of a token."""
    roles = list(allowed_roles) if isinstance(allowed_roles, tuple) else allowed_roles
    return {"x-hasura-default-role": default_role, "x-hasura-allowed-roles": roles, **variables}


def payload(hasura_claims=None, *, lifetime=300, **registered):
    """A token payload: an expiry ``lifetime`` seconds away and the Hasura claims in the default namespace."""
    body = {"sub": "user-1", "iat": int(time.time()), "exp": int(time.time()) + lifetime, **registered}
    body[NAMESPACE] = claims(**{"x-hasura-user-id": "42"}) if hasura_claims is None else hasura_claims
    return body


def hs_token(body, key=HS_KEY, algorithm="HS256", headers=None):
    return jwt.encode(body, key, algorithm=algorithm, headers=headers)


def bearer(token, **extra):
    return {"Authorization": f"Bearer {token}", **extra}


@pytest.fixture
def jwt_mode(settings):
    """Configure JWT mode: call with the JWT secret object (and optionally an unauthorized role)."""

    def configure(config, unauthorized_role=None):
        settings.ADMIN_SECRET = ADMIN_SECRET
        settings.JWT_SECRET = json.dumps(config)
        settings.AUTH_HOOK = None
        settings.UNAUTHORIZED_ROLE = unauthorized_role

    return configure


@pytest.fixture
def hs256(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY})


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(private_key):
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def certificate_pem(private_key):
    return self_signed_pem(private_key, "joinery test").decode()


def refusal(headers):
    """(code, message, status) of the EngineError that refuses a request with these headers."""
    with pytest.raises(EngineError) as caught:
        resolve_session(headers)
    return caught.value.code, caught.value.message, caught.value.status


def invalid_jwt(reason):
    return ("invalid-jwt", f"Could not verify JWT: {reason}", 400)


# --- a valid token -----------------------------------------------------------------------------


def test_hs256_token_gives_the_default_role_and_the_claims_as_session_variables(hs256):
    session = resolve_session(bearer(hs_token(payload())))

    assert session.role == "user"
    assert session.variables == {"x-hasura-user-id": "42", "x-hasura-role": "user"}
    assert not session.is_admin
    assert not session.trusted_headers


def test_x_hasura_role_header_picks_one_of_the_allowed_roles(hs256):
    session = resolve_session(bearer(hs_token(payload()), **{"X-Hasura-Role": "editor"}))

    assert session.role == "editor"
    assert session.variables["x-hasura-role"] == "editor"


def test_a_role_outside_the_allowed_roles_is_refused(hs256):
    headers = bearer(hs_token(payload()), **{"X-Hasura-Role": "admin"})

    assert refusal(headers) == ("access-denied", "Your requested role is not in allowed roles", 400)


def test_admin_among_the_allowed_roles_acts_as_admin_but_its_headers_stay_untrusted(hs256):
    token = hs_token(payload(claims(allowed_roles=("user", "admin"))))

    session = resolve_session(bearer(token, **{"X-Hasura-Role": "admin"}))

    assert session.is_admin
    assert not session.trusted_headers


def test_client_session_headers_do_not_override_the_claims(hs256):
    headers = bearer(hs_token(payload()), **{"X-Hasura-User-Id": "1", "X-Hasura-Org-Id": "9"})

    assert resolve_session(headers).variables == {"x-hasura-user-id": "42", "x-hasura-role": "user"}


def test_claim_values_become_strings_and_lists_become_postgres_array_literals(hs256):
    hasura = claims(
        **{
            "X-Hasura-User-Id": 42,
            "x-hasura-ids": [1, 2],
            "x-hasura-tags": ["a", "b c", 'q"x', "", "null"],
            "x-hasura-active": True,
            "not-a-session-variable": "dropped",
        }
    )

    variables = resolve_session(bearer(hs_token(payload(hasura)))).variables

    assert variables == {
        "x-hasura-user-id": "42",
        "x-hasura-ids": "{1,2}",
        "x-hasura-tags": '{a,"b c","q\\"x","","null"}',
        "x-hasura-active": "true",
        "x-hasura-role": "user",
    }


def test_allowed_skew_accepts_a_token_that_expired_within_it(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "allowed_skew": 60})

    assert resolve_session(bearer(hs_token(payload(lifetime=-10)))).role == "user"


def test_matching_audience_and_issuer_are_accepted(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "audience": ["app-1", "app-2"], "issuer": "https://auth.test"})
    token = hs_token(payload(aud="app-2", iss="https://auth.test"))

    assert resolve_session(bearer(token)).role == "user"


def test_without_a_configured_audience_the_tokens_audience_is_not_checked(hs256):
    assert resolve_session(bearer(hs_token(payload(aud="anything")))).role == "user"


def test_custom_claims_namespace(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "claims_namespace": "hasura"})
    body = payload()
    body["hasura"] = body.pop(NAMESPACE)

    assert resolve_session(bearer(hs_token(body))).variables["x-hasura-user-id"] == "42"


def test_claims_namespace_path(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "claims_namespace_path": "$.app['hasura.claims']"})
    body = payload()
    body["app"] = {"hasura.claims": body.pop(NAMESPACE)}

    assert resolve_session(bearer(hs_token(body))).variables["x-hasura-user-id"] == "42"


def test_stringified_json_claims(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "claims_format": "stringified_json"})
    body = payload()
    body[NAMESPACE] = json.dumps(body[NAMESPACE])

    assert resolve_session(bearer(hs_token(body))).variables["x-hasura-user-id"] == "42"


def test_hs512_key(jwt_mode):
    key = "k" * 64
    jwt_mode({"type": "HS512", "key": key})

    assert resolve_session(bearer(hs_token(payload(), key=key, algorithm="HS512"))).role == "user"


def test_rs256_with_a_pem_public_key(jwt_mode, rsa_key):
    jwt_mode({"type": "RS256", "key": public_pem(rsa_key)})
    token = jwt.encode(payload(), rsa_key, algorithm="RS256")

    assert resolve_session(bearer(token)).variables["x-hasura-user-id"] == "42"


def test_rs256_with_an_x509_certificate(jwt_mode, rsa_key):
    jwt_mode({"type": "RS256", "key": certificate_pem(rsa_key)})
    token = jwt.encode(payload(), rsa_key, algorithm="RS256")

    assert resolve_session(bearer(token)).role == "user"


def test_ed25519_key(jwt_mode):
    private_key = ed25519.Ed25519PrivateKey.generate()
    jwt_mode({"type": "Ed25519", "key": public_pem(private_key)})
    token = jwt.encode(payload(), private_key, algorithm="EdDSA")

    assert resolve_session(bearer(token)).role == "user"


def test_token_in_a_cookie(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "header": {"type": "Cookie", "name": "auth"}})
    cookie = f"theme=dark; auth={hs_token(payload())}; other=1"

    assert resolve_session({"Cookie": cookie}).role == "user"


# --- the admin secret and the unauthorized role in JWT mode ---------------------------------------


def test_the_admin_secret_still_grants_trusted_admin_access(hs256):
    session = resolve_session({"X-Hasura-Admin-Secret": ADMIN_SECRET})

    assert session.is_admin
    assert session.trusted_headers


def test_a_wrong_admin_secret_is_refused_even_with_a_valid_token(hs256):
    headers = bearer(hs_token(payload()), **{"X-Hasura-Admin-Secret": "wrong"})

    assert refusal(headers) == ("access-denied", "invalid x-hasura-admin-secret/x-hasura-access-key", 401)


def test_missing_token_is_refused(hs256):
    assert refusal({"X-Hasura-Role": "user"}) == (
        "invalid-headers",
        "Missing 'Authorization' or 'Cookie' header in JWT authentication mode",
        400,
    )


def test_missing_token_gets_the_unauthorized_role_without_variables(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY}, unauthorized_role="anonymous")

    session = resolve_session({"X-Hasura-User-Id": "7", "X-Hasura-Role": "user"})

    assert session.role == "anonymous"
    assert session.variables == {"x-hasura-role": "anonymous"}
    assert not session.trusted_headers


def test_an_invalid_token_is_refused_even_with_an_unauthorized_role(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY}, unauthorized_role="anonymous")

    assert refusal(bearer(hs_token(payload(lifetime=-10)))) == invalid_jwt("JWTExpired")


# --- refused tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwdw==", "Bearer", "Bearer a b", "bearer abc"])
def test_malformed_authorization_header(hs256, authorization):
    assert refusal({"Authorization": authorization}) == (
        "invalid-headers",
        "Malformed Authorization header",
        400,
    )


def test_a_token_that_is_not_a_jwt(hs256):
    code, message, status = refusal(bearer("not-a-token"))

    assert (code, status) == ("invalid-jwt", 400)
    assert message.startswith("Could not verify JWT: JWSError (CompactDecodeError ")


def test_expired_token(hs256):
    assert refusal(bearer(hs_token(payload(lifetime=-10)))) == invalid_jwt("JWTExpired")


def test_token_not_yet_valid(hs256):
    assert refusal(bearer(hs_token(payload(nbf=int(time.time()) + 600)))) == invalid_jwt("JWTNotYetValid")


def test_token_issued_in_the_future(hs256):
    assert refusal(bearer(hs_token(payload(iat=int(time.time()) + 600)))) == invalid_jwt("JWTIssuedAtFuture")


def test_token_signed_with_another_key(hs256):
    token = hs_token(payload(), key="another-secret-that-is-also-32-characters-long")

    assert refusal(bearer(token)) == invalid_jwt("JWSError JWSInvalidSignature")


def test_token_with_a_tampered_payload(hs256):
    header, _, signature = hs_token(payload()).split(".")
    forged = base64url_encode(json.dumps(payload(claims(allowed_roles=("admin",)))).encode())

    assert refusal(bearer(f"{header}.{forged.decode()}.{signature}")) == invalid_jwt(
        "JWSError JWSInvalidSignature"
    )


def test_unsigned_token_is_refused(hs256):
    token = jwt.encode(payload(), None, algorithm="none")

    code, message, _ = refusal(bearer(token))

    assert code == "invalid-jwt"
    assert message.startswith("Could not verify JWT: JWSError (AlgorithmMismatch ")


def test_hmac_token_signed_with_the_rsa_public_key_is_refused(jwt_mode, rsa_key):
    """The classic algorithm confusion: an HS256 token whose secret is the server's RSA public key."""
    pem = public_pem(rsa_key)
    jwt_mode({"type": "RS256", "key": pem})
    header = base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = base64url_encode(json.dumps(payload()).encode())
    signing_input = header + b"." + body
    signature = hmac.new(pem.encode(), signing_input, "sha256").digest()
    token = (signing_input + b"." + base64url_encode(signature)).decode()

    code, message, _ = refusal(bearer(token))

    assert code == "invalid-jwt"
    assert message.startswith("Could not verify JWT: JWSError (AlgorithmMismatch ")


def test_rs256_token_signed_by_another_key(jwt_mode, rsa_key, other_rsa_key):
    jwt_mode({"type": "RS256", "key": public_pem(rsa_key)})
    token = jwt.encode(payload(), other_rsa_key, algorithm="RS256")

    assert refusal(bearer(token)) == invalid_jwt("JWSError JWSInvalidSignature")


@pytest.mark.parametrize("registered", [{"aud": "other-app"}, {}])
def test_audience_mismatch_or_absence(jwt_mode, registered):
    jwt_mode({"type": "HS256", "key": HS_KEY, "audience": "app-1"})

    assert refusal(bearer(hs_token(payload(**registered)))) == invalid_jwt("JWTNotInAudience")


@pytest.mark.parametrize("registered", [{"iss": "https://evil.test"}, {}])
def test_issuer_mismatch_or_absence(jwt_mode, registered):
    jwt_mode({"type": "HS256", "key": HS_KEY, "issuer": "https://auth.test"})

    assert refusal(bearer(hs_token(payload(**registered)))) == invalid_jwt("JWTNotInIssuer")


def test_cookie_without_the_named_cookie(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "header": {"type": "Cookie", "name": "auth"}})

    assert refusal({"Cookie": "theme=dark"}) == (
        "invalid-headers",
        "Could not find auth in Cookie header",
        400,
    )


def test_cookie_mode_without_a_cookie_header(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "header": {"type": "Cookie", "name": "auth"}})

    assert refusal(bearer(hs_token(payload())))[1] == (
        "Missing 'Authorization' or 'Cookie' header in JWT authentication mode"
    )


# --- refused claims ------------------------------------------------------------------------------


def claims_refusal(body):
    return refusal(bearer(hs_token(body)))


def test_claims_namespace_missing(hs256):
    body = payload()
    del body[NAMESPACE]

    assert claims_refusal(body) == ("jwt-invalid-claims", f"claims key: '{NAMESPACE}' not found", 400)


def test_claims_namespace_path_missing(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "claims_namespace_path": "$.app.hasura"})

    assert claims_refusal(payload()) == (
        "jwt-invalid-claims",
        "claims not found at claims_namespace_path: '$.app.hasura'",
        400,
    )


def test_claims_that_are_not_an_object(hs256):
    body = payload()
    body[NAMESPACE] = json.dumps(body[NAMESPACE])

    assert claims_refusal(body) == (
        "jwt-invalid-claims",
        "expecting a json object when claims_format is json",
        400,
    )


def test_stringified_claims_that_are_not_a_string(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "claims_format": "stringified_json"})

    assert claims_refusal(payload()) == (
        "jwt-invalid-claims",
        "expecting a string when claims_format is stringified_json",
        400,
    )


def test_stringified_claims_that_are_not_json(jwt_mode):
    jwt_mode({"type": "HS256", "key": HS_KEY, "claims_format": "stringified_json"})
    body = payload()
    body[NAMESPACE] = "{not json"

    assert claims_refusal(body) == (
        "jwt-invalid-claims",
        f"expecting stringified json at: 'claims_namespace {NAMESPACE}', but found: {{not json",
        400,
    )


@pytest.mark.parametrize("claim", ["x-hasura-allowed-roles", "x-hasura-default-role"])
def test_missing_role_claims(hs256, claim):
    hasura = claims()
    del hasura[claim]

    assert claims_refusal(payload(hasura)) == (
        "jwt-missing-role-claims",
        f"JWT claim does not contain {claim}",
        400,
    )


@pytest.mark.parametrize(
    ("hasura", "message"),
    [
        (claims(allowed_roles="user"), "invalid x-hasura-allowed-roles; should be a list of roles"),
        (claims(allowed_roles=("user", 3)), "invalid x-hasura-allowed-roles; should be a list of roles"),
        (claims(default_role=["user"]), "invalid x-hasura-default-role; should be a single role name"),
        (
            claims(**{"x-hasura-org-id": None}),
            "x-hasura-* claims: x-hasura-org-id should be a string, a number, a boolean or a list of them",
        ),
        (
            claims(**{"x-hasura-org": {"id": 1}}),
            "x-hasura-* claims: x-hasura-org should be a string, a number, a boolean or a list of them",
        ),
    ],
)
def test_invalid_claims(hs256, hasura, message):
    assert claims_refusal(payload(hasura)) == ("jwt-invalid-claims", message, 400)


def test_default_role_outside_the_allowed_roles(hs256):
    body = payload(claims(default_role="admin"))

    assert claims_refusal(body) == ("access-denied", "Your requested role is not in allowed roles", 400)


# --- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"type": "HS256"}, "key and jwk_url both cannot be empty"),
        ({"type": "HS256", "key": HS_KEY, "jwk_url": "http://x/jwks"}, "key, jwk_url both cannot be present"),
        ({"type": "ES256", "key": HS_KEY}, "Invalid JWK: Key type: ES256 is not supported"),
        (
            {"type": "HS256", "key": "short"},
            "Invalid JWK: Key size too small; should be atleast 32 characters",
        ),
        (
            {"type": "HS384", "key": "k" * 40},
            "Invalid JWK: Key size too small; should be atleast 48 characters",
        ),
        (
            {"type": "RS256", "key": "not a pem"},
            "Invalid JWK: expecting a PEM public key or X509 certificate",
        ),
        ({"jwk_url": "ftp://keys"}, "jwk_url must be an http or https URL"),
        (
            {"type": "HS256", "key": HS_KEY, "claims_namespace": "a", "claims_namespace_path": "$.a"},
            "claims_namespace and claims_namespace_path both cannot be set",
        ),
        (
            {"type": "HS256", "key": HS_KEY, "claims_format": "xml"},
            "claims_format must be 'json' or 'stringified_json'",
        ),
        (
            {"type": "HS256", "key": HS_KEY, "claims_namespace_path": "app.claims"},
            "invalid JSON path claims_namespace_path error: 'app.claims' must start with '$'",
        ),
        (
            {"type": "HS256", "key": HS_KEY, "header": {"type": "X-Token"}},
            "expected 'type' is 'Authorization' or 'Cookie'",
        ),
        (
            {"type": "HS256", "key": HS_KEY, "header": {"type": "Cookie"}},
            "header of type 'Cookie' needs the cookie's 'name'",
        ),
        (
            {"type": "HS256", "key": HS_KEY, "audience": 5},
            "audience must be a string or a non-empty list of strings",
        ),
        (
            {"type": "HS256", "key": HS_KEY, "allowed_skew": -1},
            "allowed_skew must be a non-negative number of seconds",
        ),
        (
            {"type": "HS256", "key": HS_KEY, "claims_map": {}},
            "claims_map is not supported; use claims_namespace or claims_namespace_path",
        ),
    ],
)
def test_configuration_errors(config, message):
    with pytest.raises(JwtConfigError) as caught:
        JwtConfig.from_json(json.dumps(config))
    assert str(caught.value) == message


def test_an_rsa_type_with_an_ed25519_key_is_refused():
    pem = public_pem(ed25519.Ed25519PrivateKey.generate())

    with pytest.raises(JwtConfigError, match="Invalid JWK: the key is not a RS256 public key"):
        JwtConfig.from_document({"type": "RS256", "key": pem})


def test_a_bad_jwt_secret_stops_every_request(settings):
    settings.ADMIN_SECRET = ADMIN_SECRET
    settings.JWT_SECRET = "{not json"

    with pytest.raises(ImproperlyConfigured, match="JWT_SECRET: the JWT secret is not valid JSON"):
        resolve_session({"X-Hasura-Admin-Secret": ADMIN_SECRET})


def test_claims_paths_are_parsed_into_keys_and_indexes():
    assert parse_claims_path("$") == ()
    assert parse_claims_path("$.app['hasura.claims'][0][\"x\"]") == ("app", "hasura.claims", 0, "x")
    with pytest.raises(JwtConfigError, match="unexpected"):
        parse_claims_path("$.a..b")


# --- a key set served at jwk_url --------------------------------------------------------------------


def jwk(private_key, kid, **extra):
    """The public JWK of ``private_key``, as an identity provider publishes it."""
    public = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    return {**public, "kid": kid, "use": "sig", **extra}


@pytest.fixture
def jwks_server(webhook_server, rsa_key, other_rsa_key):
    """A webhook server publishing a two-key set at /jwks.json, cacheable for 300 seconds."""
    keys = {"keys": [jwk(rsa_key, "key-1", alg="RS256"), jwk(other_rsa_key, "key-2")]}
    webhook_server.route("/jwks.json", Reply(json=keys, headers=[("Cache-Control", "public, max-age=300")]))
    return webhook_server


def rs_token(private_key, kid, body=None, algorithm="RS256"):
    return jwt.encode(body or payload(), private_key, algorithm=algorithm, headers={"kid": kid})


def test_tokens_verified_with_a_key_set_fetched_once_while_cacheable(
    jwt_mode, jwks_server, rsa_key, other_rsa_key
):
    jwt_mode({"jwk_url": jwks_server.url("/jwks.json")})

    first = resolve_session(bearer(rs_token(rsa_key, "key-1")))
    second = resolve_session(bearer(rs_token(other_rsa_key, "key-2")))

    assert first.variables == second.variables == {"x-hasura-user-id": "42", "x-hasura-role": "user"}
    [fetch] = jwks_server.calls("/jwks.json")
    assert fetch.method == "GET"


def test_a_key_without_alg_verifies_any_rsa_algorithm(jwt_mode, jwks_server, other_rsa_key):
    jwt_mode({"jwk_url": jwks_server.url("/jwks.json")})

    assert resolve_session(bearer(rs_token(other_rsa_key, "key-2", algorithm="RS384"))).role == "user"


def test_a_token_without_kid_is_tried_against_every_key(jwt_mode, jwks_server, other_rsa_key):
    jwt_mode({"jwk_url": jwks_server.url("/jwks.json")})
    token = jwt.encode(payload(), other_rsa_key, algorithm="RS256")

    assert resolve_session(bearer(token)).role == "user"


def test_unknown_kid(jwt_mode, jwks_server, rsa_key):
    jwt_mode({"jwk_url": jwks_server.url("/jwks.json")})

    assert refusal(bearer(rs_token(rsa_key, "key-9"))) == invalid_jwt("JWSError NoUsableKeys")


def test_a_token_signed_by_a_key_outside_the_set(jwt_mode, jwks_server):
    jwt_mode({"jwk_url": jwks_server.url("/jwks.json")})
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    assert refusal(bearer(rs_token(stranger, "key-1"))) == invalid_jwt("JWSError JWSInvalidSignature")


def test_key_algorithm_pinned_by_the_set_is_enforced(jwt_mode, jwks_server, rsa_key):
    jwt_mode({"jwk_url": jwks_server.url("/jwks.json")})

    assert refusal(bearer(rs_token(rsa_key, "key-1", algorithm="RS512"))) == invalid_jwt(
        "JWSError NoUsableKeys"
    )


def test_hmac_tokens_are_refused_in_key_set_mode(jwt_mode, jwks_server):
    jwt_mode({"jwk_url": jwks_server.url("/jwks.json")})

    code, message, _ = refusal(bearer(hs_token(payload(), headers={"kid": "key-1"})))

    assert code == "invalid-jwt"
    assert message.startswith("Could not verify JWT: JWSError (AlgorithmMismatch ")


def test_symmetric_keys_in_a_key_set_are_ignored(jwt_mode, webhook_server):
    secret = base64url_encode(HS_KEY.encode()).decode()
    webhook_server.route("/jwks.json", {"keys": [{"kty": "oct", "k": secret, "kid": "k", "alg": "HS256"}]})
    jwt_mode({"jwk_url": webhook_server.url("/jwks.json")})

    code, message, _ = refusal(bearer(hs_token(payload(), headers={"kid": "k"})))

    assert code == "invalid-jwt"
    assert message.startswith("Could not verify JWT: JWSError (AlgorithmMismatch ")


def test_unreachable_key_set_is_a_server_error(jwt_mode, webhook_server, rsa_key):
    webhook_server.route("/jwks.json", Reply(status=503, body=b"down"))
    jwt_mode({"jwk_url": webhook_server.url("/jwks.json")})

    with pytest.raises(EngineError) as caught:
        resolve_session(bearer(rs_token(rsa_key, "key-1")))

    error = caught.value
    assert (error.code, error.status) == ("unexpected", 500)
    assert error.message == "Could not verify JWT: the JSON Web Key Set could not be fetched"
    assert error.internal["error"].startswith("Non-2xx response on fetching JWK from: ")


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def key_set_cache(url):
    clock = FakeClock()
    return JwksCache(url, HttpTransport(), clock=clock), clock


def test_key_set_is_fetched_again_when_max_age_runs_out(jwks_server):
    cache, clock = key_set_cache(jwks_server.url("/jwks.json"))

    assert len(cache.keys_for("key-1", "RS256")) == 1
    clock.now += 299
    cache.keys_for("key-1", "RS256")
    assert len(jwks_server.calls()) == 1
    clock.now += 2
    cache.keys_for("key-1", "RS256")
    assert len(jwks_server.calls()) == 2


def test_key_set_without_caching_headers_is_kept(webhook_server, rsa_key):
    webhook_server.route("/jwks.json", {"keys": [jwk(rsa_key, "key-1")]})
    cache, clock = key_set_cache(webhook_server.url("/jwks.json"))

    cache.keys_for("key-1", "RS256")
    clock.now += 10**6
    cache.keys_for("key-1", "RS256")

    assert len(webhook_server.calls()) == 1


def test_key_set_with_no_cache_is_fetched_every_time(webhook_server, rsa_key):
    webhook_server.route(
        "/jwks.json", Reply(json={"keys": [jwk(rsa_key, "key-1")]}, headers=[("Cache-Control", "no-cache")])
    )
    cache, _ = key_set_cache(webhook_server.url("/jwks.json"))

    cache.keys_for("key-1", "RS256")
    cache.keys_for("key-1", "RS256")

    assert len(webhook_server.calls()) == 2


def test_failed_refresh_keeps_the_known_keys_and_retries_a_minute_later(webhook_server, rsa_key):
    keys = {"keys": [jwk(rsa_key, "key-1")]}
    webhook_server.route("/jwks.json", Reply(json=keys, headers=[("Cache-Control", "max-age=10")]))
    cache, clock = key_set_cache(webhook_server.url("/jwks.json"))
    cache.keys_for("key-1", "RS256")

    webhook_server.route("/jwks.json", Reply(status=500, body=b"oops"))
    clock.now += 11
    assert len(cache.keys_for("key-1", "RS256")) == 1
    clock.now += 30
    cache.keys_for("key-1", "RS256")
    assert len(webhook_server.calls()) == 2
    clock.now += 31
    cache.keys_for("key-1", "RS256")
    assert len(webhook_server.calls()) == 3


def test_first_fetch_failure_is_reported_and_not_retried_at_once(webhook_server):
    webhook_server.route("/jwks.json", {"not": "a key set"})
    cache, _ = key_set_cache(webhook_server.url("/jwks.json"))

    for _ in range(2):
        with pytest.raises(JwksFetchError, match="expecting an object with a 'keys' list"):
            cache.keys_for(None, "RS256")
    assert len(webhook_server.calls()) == 1


@pytest.mark.parametrize(
    ("cache_control", "expires", "lifetime"),
    [
        ("public, max-age=300", None, 300.0),
        ('max-age="20", s-maxage=10', None, 10.0),
        ("no-store", None, 0.0),
        ("public", None, None),
        (None, None, None),
        (None, "Thu, 01 Jan 1970 00:01:40 GMT", 60.0),
        ("private", "Thu, 01 Jan 1970 00:01:40 GMT", 60.0),
        (None, "Thu, 01 Jan 1970 00:00:10 GMT", 0.0),
        (None, "not a date", None),
    ],
)
def test_key_set_lifetime_from_the_response_headers(cache_control, expires, lifetime):
    assert key_set_lifetime(cache_control, expires, wall_clock=lambda: 40.0) == lifetime
