"""Generated requests to POST /v1/graphql, as admin and as the role ``user``: checked by tests.fuzz.checks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relationships.selectors import gateway_state
from tests.fuzz.checks import GRAPHQL_PATH, FuzzClient
from tests.fuzz.graphql_documents import graphql_requests, odd_requests
from tests.fuzz.strategies import CONTENT_TYPES, ODD_STRINGS, broken_bytes, json_values
from tests.fuzz.world import USER_ROLE

pytestmark = pytest.mark.postgres

ADMIN_SECRET = "fuzz-admin-secret"
USER_IDS = st.sampled_from(["1", "2", "999", "-1", "1.5", "abc", "", "2147483648", *ODD_STRINGS[:12]])


@pytest.fixture
def user_client(fuzz_client, settings):
    """A client for the role ``user`` (trusted headers, non-admin: it must never see internals)."""
    settings.ADMIN_SECRET = ADMIN_SECRET
    return FuzzClient(
        fuzz_client.client, {"X-Hasura-Admin-Secret": ADMIN_SECRET, "X-Hasura-Role": USER_ROLE}, admin=False
    )


@given(data=st.data())
def test_admin_requests_built_from_the_schema(fuzz_client, data):
    schema = gateway_state().schema_for("admin").graphql
    fuzz_client.post_json(GRAPHQL_PATH, data.draw(odd_requests(schema)))


@given(data=st.data(), user_id=USER_IDS)
def test_user_requests_built_from_the_schema(user_client, data, user_id):
    schema = gateway_state().schema_for(USER_ROLE).graphql
    body = data.draw(odd_requests(schema))
    user_client.post_json(GRAPHQL_PATH, body, headers={"X-Hasura-User-Id": user_id})


@given(
    data=st.data(),
    content_type=st.sampled_from(CONTENT_TYPES),
    method=st.sampled_from(["post"] * 5 + ["get", "put"]),
)
def test_broken_bodies_and_content_types(user_client, data, content_type, method):
    schema = gateway_state().schema_for(USER_ROLE).graphql
    body = data.draw(broken_bytes(graphql_requests(schema) | json_values()))
    user_client.post(
        GRAPHQL_PATH, body, content_type=content_type, method=method, headers={"X-Hasura-User-Id": "1"}
    )
