"""Generated commands to POST /v1/metadata and POST /v2/query.

Besides the checks of tests.fuzz.checks: after every command the metadata still exports, the
export still parses as metadata, and the GraphQL endpoint still answers. A command that changed
the metadata is undone with ``replace_metadata`` so the next one starts from the same place.
"""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.metadata import Metadata, Node
from tests.fuzz.checks import GRAPHQL_PATH, FuzzClient, no_logged_crash
from tests.fuzz.strategies import CONTENT_TYPES, bodies, broken_bytes, commands

pytestmark = pytest.mark.postgres

METADATA_PATH = "/v1/metadata"
QUERY_PATH = "/v2/query"


def exported(client) -> dict:
    """The metadata as ``export_metadata`` gives it, checked to parse back as metadata."""
    with no_logged_crash():
        response = client.post(
            METADATA_PATH, {"type": "export_metadata", "args": {}}, content_type="application/json"
        )
    assert response.status_code == 200, response.content
    document = json.loads(response.content)
    Metadata.parse(Node(document, "$"))
    return document


def still_serving(client) -> None:
    with no_logged_crash():
        response = client.post(GRAPHQL_PATH, {"query": "{ __typename }"}, content_type="application/json")
    assert response.json() == {"data": {"__typename": "query_root"}}, response.content


def restore(client, baseline: dict) -> None:
    """Put the metadata back as it was if the command changed it."""
    if exported(client) != baseline:
        response = client.post(
            METADATA_PATH, {"type": "replace_metadata", "args": baseline}, content_type="application/json"
        )
        assert response.status_code == 200, response.content


@given(body=bodies(METADATA_PATH))
def test_metadata_commands(fuzz_client, fuzz_world, body):
    fuzz_client.post_json(METADATA_PATH, body)
    still_serving(fuzz_client.client)
    restore(fuzz_client.client, fuzz_world)


@given(body=bodies(QUERY_PATH) | commands(METADATA_PATH))
def test_query_commands(fuzz_client, body):
    fuzz_client.post_json(QUERY_PATH, body)
    exported(fuzz_client.client)
    still_serving(fuzz_client.client)


@given(
    path=st.sampled_from([METADATA_PATH, QUERY_PATH]),
    body=broken_bytes(commands()),
    content_type=st.sampled_from(CONTENT_TYPES),
    method=st.sampled_from(["post"] * 5 + ["get", "put", "delete"]),
)
def test_broken_bodies_and_content_types(fuzz_client, fuzz_world, path, body, content_type, method):
    fuzz_client.post(path, body, content_type=content_type, method=method)
    restore(fuzz_client.client, fuzz_world)


@given(
    body=commands(),
    secret=st.sampled_from(["", "wrong", "fuzz-admin-secret "]),
    role=st.sampled_from(["user", "admin", ""]),
)
def test_callers_without_the_admin_secret_are_refused(fuzz_client, settings, body, secret, role):
    settings.ADMIN_SECRET = "fuzz-admin-secret"
    client = FuzzClient(
        fuzz_client.client, {"X-Hasura-Admin-Secret": secret, "X-Hasura-Role": role}, admin=False
    )
    answer = client.post_json(METADATA_PATH, body)
    assert (answer.status, answer.json["code"]) == (401, "access-denied"), answer
