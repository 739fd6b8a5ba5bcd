"""Sessions from the admin secret, open mode, the unauthorized role and a real auth webhook; the metadata API's refusals."""

import json
import time

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured

from engine.errors import EngineError
from relationships.auth import Session, require_admin, resolve_session, session_from_headers
from tests.support.servers import Reply, unused_port

ADMIN_SECRET = "the-admin-secret"
HS_KEY = "a-test-secret-that-is-at-least-32-characters-long"


def refusal(headers, **kwargs):
    """(code, message, status) of the EngineError that refuses a request with these headers."""
    with pytest.raises(EngineError) as caught:
        resolve_session(headers, **kwargs)
    return caught.value.code, caught.value.message, caught.value.status


@pytest.fixture
def open_mode(settings):
    settings.ADMIN_SECRET = None
    settings.JWT_SECRET = settings.AUTH_HOOK = settings.UNAUTHORIZED_ROLE = None


@pytest.fixture
def secret_mode(settings):
    settings.ADMIN_SECRET = ADMIN_SECRET
    settings.JWT_SECRET = settings.AUTH_HOOK = settings.UNAUTHORIZED_ROLE = None
    return settings


# --- Session -----------------------------------------------------------------------------------


def test_session_variables_are_lower_cased_and_always_name_the_role():
    session = Session(role="user", variables={"X-Hasura-User-Id": "1", "x-hasura-role": "stale"})

    assert session.variables == {"x-hasura-user-id": "1", "x-hasura-role": "user"}
    assert not session.is_admin
    assert not session.trusted_headers


def test_require_admin():
    require_admin(Session(role="admin"))
    with pytest.raises(EngineError) as caught:
        require_admin(Session(role="user"))
    assert caught.value.to_metadata_error() == {
        "error": "restricted access : admin only",
        "path": "$.args",
        "code": "access-denied",
    }


# --- open development mode ----------------------------------------------------------------------


def test_open_mode_makes_every_caller_a_trusted_admin(open_mode):
    session = resolve_session({})

    assert session.role == "admin"
    assert session.is_admin
    assert session.trusted_headers
    assert session.variables == {"x-hasura-role": "admin"}


def test_open_mode_takes_the_role_and_session_headers_as_given(open_mode):
    headers = {"X-Hasura-Role": "user", "X-Hasura-User-Id": "5", "Content-Type": "application/json"}

    session = resolve_session(headers)

    assert session.role == "user"
    assert session.variables == {"x-hasura-role": "user", "x-hasura-user-id": "5"}
    assert session.trusted_headers


# --- admin secret ------------------------------------------------------------------------------


def test_valid_admin_secret_is_trusted_and_keeps_the_session_headers(secret_mode):
    headers = {"x-hasura-admin-secret": ADMIN_SECRET, "X-Hasura-Role": "editor", "X-Hasura-Org-Id": "3"}

    session = resolve_session(headers)

    assert session.role == "editor"
    assert session.variables == {"x-hasura-role": "editor", "x-hasura-org-id": "3"}
    assert session.trusted_headers


def test_valid_admin_secret_defaults_to_admin(secret_mode):
    session = session_from_headers({"X-Hasura-Admin-Secret": ADMIN_SECRET})

    assert session.is_admin
    assert session.variables == {"x-hasura-role": "admin"}


def test_the_deprecated_access_key_header_is_accepted(secret_mode):
    assert resolve_session({"X-Hasura-Access-Key": ADMIN_SECRET}).is_admin


@pytest.mark.parametrize("given", ["wrong", "", ADMIN_SECRET + " ", ADMIN_SECRET.upper()])
def test_wrong_admin_secret_is_refused(secret_mode, given):
    assert refusal({"X-Hasura-Admin-Secret": given}) == (
        "access-denied",
        "invalid x-hasura-admin-secret/x-hasura-access-key",
        401,
    )


def test_missing_admin_secret_is_refused(secret_mode):
    assert refusal({"X-Hasura-Role": "user"}) == (
        "access-denied",
        "x-hasura-admin-secret/x-hasura-access-key required, but not found",
        401,
    )


def test_missing_admin_secret_gets_the_unauthorized_role_and_no_client_variables(secret_mode):
    secret_mode.UNAUTHORIZED_ROLE = "anonymous"

    session = resolve_session({"X-Hasura-Role": "user", "X-Hasura-User-Id": "1"})

    assert session.role == "anonymous"
    assert session.variables == {"x-hasura-role": "anonymous"}
    assert not session.trusted_headers


def test_a_wrong_admin_secret_is_refused_even_with_an_unauthorized_role(secret_mode):
    secret_mode.UNAUTHORIZED_ROLE = "anonymous"

    assert refusal({"X-Hasura-Admin-Secret": "wrong"})[2] == 401


# --- auth webhook --------------------------------------------------------------------------------


@pytest.fixture
def hook_mode(secret_mode, webhook_server):
    """Auth webhook mode against /auth on the webhook server; call with "GET" or "POST"."""

    def configure(mode="GET"):
        secret_mode.AUTH_HOOK = webhook_server.url("/auth")
        secret_mode.AUTH_HOOK_MODE = mode
        return webhook_server

    return configure


CLIENT_HEADERS = {
    "Authorization": "Bearer opaque-token",
    "X-Hasura-Role": "admin",
    "Cookie": "sid=abc",
    "Content-Type": "application/json",
    "Content-Length": "27",
    "Host": "gateway.test",
}


def test_get_hook_receives_the_client_headers_and_decides_the_session(hook_mode):
    server = hook_mode("GET")
    server.route("/auth", {"X-Hasura-Role": "user", "X-Hasura-User-Id": "7", "Cache-Control": "max-age=60"})

    session = resolve_session(CLIENT_HEADERS)

    assert session.role == "user"
    assert session.variables == {"x-hasura-role": "user", "x-hasura-user-id": "7"}
    assert not session.trusted_headers
    [call] = server.calls("/auth")
    assert call.method == "GET"
    assert call.body == b""
    assert call.header("Authorization") == "Bearer opaque-token"
    assert call.header("X-Hasura-Role") == "admin"
    assert call.header("Cookie") == "sid=abc"
    assert call.header("Content-Length") is None
    assert call.header("Host") != "gateway.test"


def test_post_hook_receives_the_headers_and_the_graphql_request(hook_mode):
    server = hook_mode("POST")
    server.route("/auth", {"x-hasura-role": "editor"})
    graphql_request = {"query": "{ users { id } }", "variables": None, "operationName": None}

    session = resolve_session(CLIENT_HEADERS, request=graphql_request)

    assert session.variables == {"x-hasura-role": "editor"}
    [call] = server.calls("/auth")
    assert call.method == "POST"
    assert call.json == {"headers": CLIENT_HEADERS, "request": graphql_request}


def test_hook_may_grant_admin(hook_mode):
    hook_mode().route("/auth", {"X-Hasura-Role": "admin"})

    session = resolve_session({"Authorization": "Bearer t"})

    assert session.is_admin
    assert not session.trusted_headers


def test_the_admin_secret_skips_the_hook(hook_mode):
    server = hook_mode()
    server.route("/auth", Reply(status=401, json={}))

    assert resolve_session({"X-Hasura-Admin-Secret": ADMIN_SECRET}).is_admin
    assert server.calls() == []


def test_hook_401_refuses_the_request(hook_mode):
    hook_mode().route("/auth", Reply(status=401, json={"message": "who are you"}))

    assert refusal({"Authorization": "Bearer t"}) == (
        "access-denied",
        "Authentication hook unauthorized this request",
        401,
    )


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(status=500, body=b"boom"), "Invalid response from authorization hook"),
        (Reply(status=302, headers=[("Location", "/login")]), "Invalid response from authorization hook"),
        (Reply(body=b"<html>"), "Invalid response from authorization hook: response body is not valid JSON"),
        (Reply(json=["x-hasura-role"]), "Invalid response from authorization hook: expecting a JSON object"),
        (
            Reply(json={"X-Hasura-Role": "user", "X-Hasura-User-Id": 7}),
            "Invalid response from authorization hook: the value of X-Hasura-User-Id should be a string",
        ),
    ],
)
def test_hook_answers_that_are_server_errors(hook_mode, reply, message):
    hook_mode().route("/auth", reply)

    code, actual, status = refusal({"Authorization": "Bearer t"})

    assert (code, status) == ("unexpected", 500)
    assert actual.startswith(message)


def test_hook_answer_without_a_role(hook_mode):
    hook_mode().route("/auth", {"X-Hasura-User-Id": "7"})

    assert refusal({"Authorization": "Bearer t"}) == (
        "invalid-params",
        "x-hasura-role not found in session variables",
        400,
    )


def test_unreachable_hook(secret_mode):
    secret_mode.AUTH_HOOK = f"http://127.0.0.1:{unused_port()}/auth"

    with pytest.raises(EngineError) as caught:
        resolve_session({"Authorization": "Bearer t"})

    error = caught.value
    assert (error.code, error.message, error.status) == (
        "unexpected",
        "webhook authentication request failed",
        500,
    )
    assert "Connection refused" in error.internal["error"]


# --- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {
                "JWT_SECRET": json.dumps({"type": "HS256", "key": HS_KEY}),
                "AUTH_HOOK": "http://127.0.0.1/auth",
            },
            "Both webhook and JWT mode cannot be enabled at the same time",
        ),
        (
            {"ADMIN_SECRET": None, "JWT_SECRET": json.dumps({"type": "HS256", "key": HS_KEY})},
            "JWT_SECRET requires ADMIN_SECRET to be set",
        ),
        (
            {"ADMIN_SECRET": None, "AUTH_HOOK": "http://127.0.0.1/auth"},
            "AUTH_HOOK requires ADMIN_SECRET to be set",
        ),
        (
            {"AUTH_HOOK": "http://127.0.0.1/auth", "UNAUTHORIZED_ROLE": "anonymous"},
            "UNAUTHORIZED_ROLE requires ADMIN_SECRET to be set and is not allowed when AUTH_HOOK is set",
        ),
        (
            {"ADMIN_SECRET": None, "UNAUTHORIZED_ROLE": "anonymous"},
            "UNAUTHORIZED_ROLE requires ADMIN_SECRET to be set and is not allowed when AUTH_HOOK is set",
        ),
        (
            {"AUTH_HOOK": "http://127.0.0.1/auth", "AUTH_HOOK_MODE": "PUT"},
            "AUTH_HOOK: the auth hook mode must be GET or POST, not 'PUT'",
        ),
        ({"AUTH_HOOK": "127.0.0.1/auth"}, "AUTH_HOOK: the auth hook must be an http or https URL"),
    ],
)
def test_configurations_hasura_refuses(secret_mode, overrides, message):
    for name, value in overrides.items():
        setattr(secret_mode, name, value)

    with pytest.raises(ImproperlyConfigured) as caught:
        resolve_session({"X-Hasura-Admin-Secret": ADMIN_SECRET})
    assert str(caught.value) == message


# --- the metadata API ----------------------------------------------------------------------------

EXPORT = {"type": "export_metadata", "args": {}}


def test_metadata_api_accepts_the_admin_secret(metadata_api, secret_mode):
    status, body = metadata_api.post(EXPORT, headers={"X-Hasura-Admin-Secret": ADMIN_SECRET})

    assert status == 200
    assert body["version"] == 3


def test_metadata_api_refuses_a_wrong_admin_secret(metadata_api, secret_mode):
    assert metadata_api.post(EXPORT, headers={"X-Hasura-Admin-Secret": "wrong"}) == (
        401,
        {"error": "invalid x-hasura-admin-secret/x-hasura-access-key", "path": "$", "code": "access-denied"},
    )


def test_metadata_api_refuses_a_missing_admin_secret(metadata_api, secret_mode):
    assert metadata_api.post(EXPORT) == (
        401,
        {
            "error": "x-hasura-admin-secret/x-hasura-access-key required, but not found",
            "path": "$",
            "code": "access-denied",
        },
    )


RESTRICTED = (400, {"error": "restricted access : admin only", "path": "$.args", "code": "access-denied"})


def test_metadata_api_refuses_a_non_admin_role_given_with_the_admin_secret(metadata_api, secret_mode):
    headers = {"X-Hasura-Admin-Secret": ADMIN_SECRET, "X-Hasura-Role": "user"}

    assert metadata_api.post(EXPORT, headers=headers) == RESTRICTED


def test_metadata_api_refuses_a_non_admin_role_in_open_mode(metadata_api, open_mode):
    assert metadata_api.post(EXPORT, headers={"X-Hasura-Role": "not-admin"}) == RESTRICTED


def test_metadata_api_refuses_the_unauthorized_role(metadata_api, secret_mode):
    secret_mode.UNAUTHORIZED_ROLE = "anonymous"

    assert metadata_api.post(EXPORT) == RESTRICTED


def jwt_token(allowed_roles):
    hasura = {"x-hasura-default-role": allowed_roles[0], "x-hasura-allowed-roles": list(allowed_roles)}
    body = {"exp": int(time.time()) + 300, "https://hasura.io/jwt/claims": hasura}
    return jwt.encode(body, HS_KEY, algorithm="HS256")


@pytest.fixture
def jwt_secret_mode(secret_mode):
    secret_mode.JWT_SECRET = json.dumps({"type": "HS256", "key": HS_KEY})
    return secret_mode


def test_metadata_api_refuses_a_jwt_user(metadata_api, jwt_secret_mode):
    headers = {"Authorization": f"Bearer {jwt_token(['user'])}"}

    assert metadata_api.post(EXPORT, headers=headers) == RESTRICTED


def test_metadata_api_accepts_a_jwt_admin(metadata_api, jwt_secret_mode):
    headers = {"Authorization": f"Bearer {jwt_token(['admin'])}"}

    assert metadata_api.post(EXPORT, headers=headers)[0] == 200


def test_metadata_api_reports_an_invalid_token(metadata_api, jwt_secret_mode):
    headers = {"Authorization": "Bearer " + jwt_token(["admin"])[:-4] + "AAAA"}

    assert metadata_api.post(EXPORT, headers=headers) == (
        400,
        {"error": "Could not verify JWT: JWSError JWSInvalidSignature", "path": "$", "code": "invalid-jwt"},
    )


def test_metadata_api_refuses_a_hook_user(metadata_api, secret_mode, webhook_server):
    secret_mode.AUTH_HOOK = webhook_server.url("/auth")
    webhook_server.route("/auth", {"X-Hasura-Role": "user"})

    assert metadata_api.post(EXPORT, headers={"Authorization": "Bearer t"}) == RESTRICTED
