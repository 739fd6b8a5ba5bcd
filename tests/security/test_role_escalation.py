"""No way up through headers: without the admin secret, X-Hasura-* request headers change nothing.

tests/relationships/test_auth.py, tests/relationships/test_jwt.py and
tests/integration/test_permissions_auth.py cover how each mode resolves the caller (wrong secret
refused, roles outside a token's allowed roles refused, token claims over client headers). These
add, end to end: the unauthorized role with escalation headers, a token's session reaching an action
handler unchanged by client headers, and admin-only error detail kept from every other role.
"""

import json

import pytest

from tests.integration.test_permissions import library  # noqa: F401  (a fixture)
from tests.integration.test_permissions_auth import ADMIN_SECRET, HS_KEY, bearer, token
from tests.support.servers import Reply

ESCALATION = {"X-Hasura-Role": "admin", "X-Hasura-User-Id": "1", "X-Hasura-Org-Id": "7"}
RESTRICTED = {"error": "restricted access : admin only", "path": "$.args", "code": "access-denied"}


@pytest.fixture
def secured(library, settings):  # noqa: F811
    settings.ADMIN_SECRET = ADMIN_SECRET
    settings.JWT_SECRET = json.dumps({"type": "HS256", "key": HS_KEY})
    settings.UNAUTHORIZED_ROLE = "guest"
    return library


@pytest.mark.postgres
@pytest.mark.parametrize("role", ["admin", "user"])
def test_the_unauthorized_role_stays_itself_whatever_the_headers_say(secured, graphql_api, role):
    headers = {**ESCALATION, "X-Hasura-Role": role}

    assert graphql_api.data("{ article(order_by: {id: asc}) { id } }", headers=headers) == {
        "article": [{"id": 1}]
    }
    hidden = graphql_api.post("{ author { id } }", headers=headers)
    assert hidden.body["errors"][0]["message"] == "field 'author' not found in type: 'query_root'"
    graphql_api.data("{ authorsByIds(ids: [1]) { author_id } }", headers=headers)
    (call,) = secured.calls("/authors")
    assert call.json["session_variables"] == {"x-hasura-role": "guest"}


@pytest.mark.postgres
def test_the_unauthorized_role_cannot_reach_the_metadata_api(secured, metadata_api):
    assert metadata_api.post({"type": "export_metadata", "args": {}}, headers=ESCALATION) == (400, RESTRICTED)


@pytest.mark.postgres
def test_a_tokens_session_reaches_the_handler_whatever_the_headers_say(secured, graphql_api):
    headers = bearer(token(**{"x-hasura-user-id": "2"}), **{"X-Hasura-User-Id": "1", "X-Hasura-Org-Id": "7"})

    graphql_api.data("{ authorsByIds(ids: [1]) { author_id } }", headers=headers)

    (call,) = secured.calls("/authors")
    assert call.json["session_variables"] == {"x-hasura-role": "user", "x-hasura-user-id": "2"}


@pytest.mark.postgres
@pytest.mark.parametrize(
    "headers",
    [
        bearer(token(**{"x-hasura-user-id": "2"})),
        {"X-Hasura-Admin-Secret": ADMIN_SECRET, "X-Hasura-Role": "user", "X-Hasura-User-Id": "2"},
        {"X-Hasura-Role": "admin"},
    ],
    ids=["token", "secret-with-a-role", "unauthorized"],
)
def test_only_admin_sees_internal_error_detail(secured, graphql_api, headers):
    secured.route("/authors", Reply(status=500, body=b"handler stack trace here"))
    query = "{ authorsByIds(ids: [1]) { author_id } }"

    as_admin = graphql_api.post(query, headers={"X-Hasura-Admin-Secret": ADMIN_SECRET})
    as_other = graphql_api.post(query, headers=headers)

    assert "handler stack trace here" in json.dumps(as_admin.body["errors"][0]["extensions"]["internal"])
    assert as_other.body == {
        "errors": [
            {
                "message": "expecting 2xx or 4xx status code, but found 500",
                "extensions": {"path": "$", "code": "unexpected"},
            }
        ]
    }
