"""MAX_REQUEST_BODY_BYTES: a larger body gets HTTP 413 and an error in the endpoint's own shape."""

import json

import pytest
import requests

LIMIT = 2000
GRAPHQL_TOO_LARGE = {
    "errors": [
        {
            "message": f"the request body is larger than the limit of {LIMIT} bytes",
            "extensions": {"path": "$", "code": "request-too-large"},
        }
    ]
}
METADATA_TOO_LARGE = {
    "error": f"the request body is larger than the limit of {LIMIT} bytes",
    "path": "$",
    "code": "request-too-large",
}


@pytest.fixture
def small_limit(settings):
    settings.MAX_REQUEST_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT


def padded(body, size):
    """``body`` as JSON, padded with spaces to ``size`` bytes."""
    text = json.dumps(body)
    return text + " " * (size - len(text))


def test_the_setting_is_djangos_upload_limit_of_10_mib(settings):
    assert settings.MAX_REQUEST_BODY_BYTES == settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024


@pytest.mark.django_db
def test_graphql_answers_413_in_its_shape(client, small_limit):
    fits = client.post(
        "/v1/graphql", padded({"query": "{ __typename }"}, LIMIT), content_type="application/json"
    )
    too_large = client.post(
        "/v1/graphql", padded({"query": "{ __typename }"}, LIMIT + 1), content_type="application/json"
    )

    assert fits.json() == {"data": {"__typename": "query_root"}}
    assert (too_large.status_code, too_large.json()) == (413, GRAPHQL_TOO_LARGE)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/v1/metadata", "/v2/query"])
def test_metadata_endpoints_answer_413_in_their_shape(client, small_limit, path):
    body = {
        "type": "export_metadata" if path == "/v1/metadata" else "bulk",
        "args": {} if path == "/v1/metadata" else [],
    }
    fits = client.post(path, padded(body, LIMIT), content_type="application/json")
    too_large = client.post(path, padded(body, LIMIT + 1), content_type="application/json")

    assert fits.status_code == 200, fits.content
    assert (too_large.status_code, too_large.json()) == (413, METADATA_TOO_LARGE)


@pytest.mark.django_db
def test_a_caller_without_the_secret_is_refused_before_the_body_is_read(client, small_limit, settings):
    settings.ADMIN_SECRET = "body-size-secret"

    response = client.post("/v1/metadata", padded({}, LIMIT * 10), content_type="application/json")

    assert response.status_code == 401
    assert response.json()["code"] == "access-denied"


@pytest.mark.parametrize("path", ["/v1/graphql", "/v1/metadata", "/v2/query"])
def test_a_real_server_answers_413_with_json(live_server, small_limit, path):
    response = requests.post(
        live_server.url + path,
        data=b"{" + b" " * (LIMIT * 50) + b"}",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )

    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == (GRAPHQL_TOO_LARGE if path == "/v1/graphql" else METADATA_TOO_LARGE)
