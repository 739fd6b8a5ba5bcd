"""Generated inputs through a real HTTP server (pytest-django's live server): every endpoint, method,
content type and body shape, checked by tests.fuzz.checks as the other fuzz tests are."""

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from relationships.selectors import gateway_state
from tests.fuzz import world
from tests.fuzz.checks import GRAPHQL_PATH, FuzzClient, encode
from tests.fuzz.graphql_documents import odd_requests
from tests.fuzz.strategies import CONTENT_TYPES, bodies, broken_bytes, commands

pytestmark = pytest.mark.postgres

TIMEOUT_SECONDS = 30
PATHS = ("/v1/metadata", "/v2/query", GRAPHQL_PATH)


class HttpResponse:
    """What FuzzClient reads of a response, from ``requests``."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.content = response.content
        self.headers = response.headers

    def get(self, name: str, default: str = "") -> str:
        return self.headers.get(name, default)


class HttpClient:
    """The part of Django's test client FuzzClient uses, over real HTTP to ``base_url``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def generic(self, method: str, path: str, data: bytes, content_type: str, **extra: str) -> HttpResponse:
        headers = {name[5:].replace("_", "-"): value for name, value in extra.items()}
        headers["Content-Type"] = content_type
        response = self.session.request(
            method, self.base_url + path, data=data, headers=headers, timeout=TIMEOUT_SECONDS
        )
        return HttpResponse(response)


class HttpMetadataApi:
    """``ok(type, args)`` over real HTTP, for ``world.set_up_metadata``."""

    def __init__(self, client: HttpClient) -> None:
        self.client = client

    def ok(self, command_type, args=None):
        body = encode({"type": command_type, "args": args or {}})
        response = self.client.generic("POST", "/v1/metadata", body, "application/json")
        assert response.status_code == 200, response.content
        return response


@pytest.fixture
def http_client(live_server, pg_database_url, tmp_path, action_server, people_server):
    """A counting client over real HTTP, against the fuzz metadata set up over HTTP too."""
    client = HttpClient(live_server.url)
    sqlite_url = world.set_up_databases(pg_database_url, tmp_path / "lite.db")
    world.set_up_metadata(
        HttpMetadataApi(client),
        pg_database_url,
        sqlite_url,
        action_server.url("/actions"),
        people_server.endpoint,
    )
    yield FuzzClient(client)
    client.session.close()  # no keep-alive connection may outlive the live server


def body_for(path: str) -> st.SearchStrategy:
    if path != GRAPHQL_PATH:
        return bodies(path).map(encode) | broken_bytes(commands(path))
    return st.deferred(lambda: odd_requests(gateway_state().schema_for("admin").graphql)).map(encode)


@given(
    data=st.data(),
    path=st.sampled_from(PATHS),
    content_type=st.sampled_from(CONTENT_TYPES[:-1]),
    method=st.sampled_from(["POST"] * 6 + ["GET", "PUT"]),
)
def test_real_http_requests(http_client, data, path, content_type, method):
    http_client.post(path, data.draw(body_for(path)), content_type=content_type, method=method)
