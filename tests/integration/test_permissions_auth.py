"""Who the caller is, over POST /v1/graphql: admin secret, JWT, auth webhook and the refusals Hasura gives.

Refusals answer HTTP 200 with ``{"errors": [...]}`` (reference §6.2); the data is the permission
fixture of tests/integration/test_permissions.py.
"""

import json
import time

import jwt
import pytest

from console.graphql_view import AUTH_MISCONFIGURED
from tests.integration.test_permissions import library  # noqa: F401  (a fixture)
from tests.support.servers import Reply

ADMIN_SECRET = "the-admin-secret"
HS_KEY = "a-test-secret-that-is-at-least-32-characters-long"
NAMESPACE = "https://hasura.io/jwt/claims"
AUTHORS = "{ author(order_by: {id: asc}) { id } }"
ALL_AUTHORS = {"author": [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}]}
ACTIVE_AUTHORS = {"author": [{"id": 1}, {"id": 4}]}


def token(lifetime=300, **claims):
    hasura = {"x-hasura-default-role": "user", "x-hasura-allowed-roles": ["user", "guest"], **claims}
    now = int(time.time())
    return jwt.encode({"sub": "2", "iat": now, "exp": now + lifetime, NAMESPACE: hasura}, HS_KEY, "HS256")


def bearer(value, **headers):
    return {"Authorization": f"Bearer {value}", **headers}


def refusal(message, code):
    return {"errors": [{"message": message, "extensions": {"path": "$", "code": code}}]}


@pytest.fixture
def jwt_mode(library, settings):  # noqa: F811
    settings.ADMIN_SECRET = ADMIN_SECRET
    settings.JWT_SECRET = json.dumps({"type": "HS256", "key": HS_KEY})
    return library


def refused(graphql_api, headers, query=AUTHORS):
    answer = graphql_api.post(query, headers=headers)
    assert answer.status == 200
    return answer.body


# --- admin secret --------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_admin_secret_runs_as_admin_or_as_the_role_it_names(jwt_mode, graphql_api):
    secret = {"X-Hasura-Admin-Secret": ADMIN_SECRET}

    assert graphql_api.data(AUTHORS, headers=secret) == ALL_AUTHORS
    assert graphql_api.data(AUTHORS, headers={**secret, "X-Hasura-Role": "user"}) == ACTIVE_AUTHORS
    as_bob = graphql_api.data(
        "{ article(order_by: {id: asc}) { id } }",
        headers={**secret, "X-Hasura-Role": "user", "X-Hasura-User-Id": "2"},
    )
    assert as_bob == {"article": [{"id": 1}, {"id": 3}, {"id": 4}, {"id": 6}]}


@pytest.mark.postgres
def test_a_wrong_admin_secret_is_refused_even_with_a_valid_token(jwt_mode, graphql_api):
    body = refused(graphql_api, bearer(token(), **{"X-Hasura-Admin-Secret": "not-it"}))

    assert body == refusal("invalid x-hasura-admin-secret/x-hasura-access-key", "access-denied")


@pytest.mark.postgres
def test_the_caller_is_checked_before_the_body_is_read(jwt_mode, graphql_api):
    answer = graphql_api.post(None, raw="{not json", headers={"X-Hasura-Admin-Secret": "not-it"})

    assert answer.body == refusal("invalid x-hasura-admin-secret/x-hasura-access-key", "access-denied")


# --- JWT -------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_token_gives_its_role_and_session(jwt_mode, graphql_api):
    headers = bearer(token(**{"x-hasura-user-id": "2"}))

    assert graphql_api.data(AUTHORS, headers=headers) == ACTIVE_AUTHORS
    assert graphql_api.data("{ article(order_by: {id: asc}) { id } }", headers=headers) == {
        "article": [{"id": 1}, {"id": 3}, {"id": 4}, {"id": 6}]
    }
    as_guest = graphql_api.post(AUTHORS, headers={**headers, "X-Hasura-Role": "guest"})
    assert as_guest.body["errors"][0]["message"] == "field 'author' not found in type: 'query_root'"


@pytest.mark.postgres
@pytest.mark.parametrize("role", ["admin", "editor"])
def test_a_role_outside_the_tokens_allowed_roles_is_refused(jwt_mode, graphql_api, role):
    body = refused(graphql_api, bearer(token(), **{"X-Hasura-Role": role}))

    assert body == refusal("Your requested role is not in allowed roles", "access-denied")


@pytest.mark.postgres
def test_an_expired_token_is_refused(jwt_mode, graphql_api):
    body = refused(graphql_api, bearer(token(lifetime=-600)))

    assert body == refusal("Could not verify JWT: JWTExpired", "invalid-jwt")


@pytest.mark.postgres
def test_a_request_without_credentials_is_refused(jwt_mode, graphql_api):
    body = refused(graphql_api, {})

    assert body == refusal(
        "Missing 'Authorization' or 'Cookie' header in JWT authentication mode", "invalid-headers"
    )


@pytest.mark.postgres
def test_the_unauthorized_role_serves_requests_without_credentials(jwt_mode, graphql_api, settings):
    settings.UNAUTHORIZED_ROLE = "guest"

    assert graphql_api.data("{ article(limit: 5) { id } }") == {"article": [{"id": 1}]}
    assert refused(graphql_api, {}, AUTHORS)["errors"][0]["extensions"]["code"] == "validation-failed"


@pytest.mark.postgres
def test_session_variables_from_a_token_reach_the_handler_lower_cased(jwt_mode, graphql_api):
    headers = bearer(token(**{"X-Hasura-User-Id": "2", "X-Hasura-Org-Id": 7}))

    graphql_api.data("{ authorsByIds(ids: [1]) { author_id } }", headers=headers)

    [call] = jwt_mode.calls("/authors")
    assert call.json["session_variables"] == {
        "x-hasura-role": "user",
        "x-hasura-user-id": "2",
        "x-hasura-org-id": "7",
    }


@pytest.mark.postgres
def test_client_session_headers_cannot_override_the_token(jwt_mode, graphql_api):
    headers = bearer(token(**{"x-hasura-user-id": "2"}), **{"X-Hasura-User-Id": "1"})

    assert graphql_api.data(
        "{ author_by_pk(id: 1) { articles(order_by: {id: asc}) { id } } }", headers=headers
    ) == {"author_by_pk": {"articles": [{"id": 1}, {"id": 3}]}}


# --- auth webhook ----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_post_auth_hook_receives_the_graphql_request(library, graphql_api, settings):  # noqa: F811
    settings.ADMIN_SECRET = ADMIN_SECRET
    settings.AUTH_HOOK = library.url("/auth")
    settings.AUTH_HOOK_MODE = "POST"
    library.route("/auth", {"X-Hasura-Role": "user", "X-Hasura-User-Id": "2"})
    request = {"query": AUTHORS, "variables": None, "operationName": None}

    answer = graphql_api.post(AUTHORS, headers={"Authorization": "Bearer opaque"})

    assert answer.body == {"data": ACTIVE_AUTHORS}
    [call] = library.calls("/auth")
    assert call.json["request"] == request
    assert call.json["headers"]["Authorization"] == "Bearer opaque"


@pytest.mark.postgres
def test_an_auth_hook_refusal(library, graphql_api, settings):  # noqa: F811
    settings.ADMIN_SECRET = ADMIN_SECRET
    settings.AUTH_HOOK = library.url("/auth")
    library.route("/auth", Reply(status=401, json={"message": "no"}))

    assert refused(graphql_api, {"Authorization": "Bearer opaque"}) == refusal(
        "Authentication hook unauthorized this request", "access-denied"
    )


# --- configuration ---------------------------------------------------------------------------------


@pytest.mark.postgres
def test_an_auth_setup_that_cannot_work_answers_an_error_not_a_crash(library, graphql_api, settings, caplog):  # noqa: F811
    settings.ADMIN_SECRET = None
    settings.JWT_SECRET = json.dumps({"type": "HS256", "key": HS_KEY})

    body = refused(graphql_api, bearer(token()))

    assert body == refusal(AUTH_MISCONFIGURED, "unexpected")
    assert "JWT_SECRET requires ADMIN_SECRET to be set" in caplog.text
    assert "Traceback" not in caplog.text
