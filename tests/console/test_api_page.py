"""The API tab page: login, the GraphiQL settings it renders, and the vendored GraphiQL files."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db

CONFIG_SCRIPT = re.compile(r'<script id="graphiql-config" type="application/json">(.*?)</script>', re.S)
VENDOR_DIR = Path(django_settings.BASE_DIR) / "static" / "vendor" / "graphiql"
STORED_HASH_LINE = re.compile(r"^([0-9a-f]{64})  (\S+)$", re.M)


def graphiql_config(response):
    """The JSON the page hands to its GraphiQL init script."""
    return json.loads(CONFIG_SCRIPT.search(response.content.decode()).group(1))


@pytest.fixture
def plain_user_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="viewer", password="viewer-password")
    client.force_login(user)
    return client


def test_page_needs_login(client):
    response = client.get("/console/api")

    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/api"


def test_page_points_graphiql_at_the_graphql_endpoint(admin_client):
    response = admin_client.get("/console/api")

    assert response.status_code == 200
    assert response.templates[0].name == "console/api.html"
    config = graphiql_config(response)
    assert config["endpoint"] == "/v1/graphql"
    assert config["query"] is None
    assert config["csrfToken"]


def test_staff_get_the_admin_secret_in_the_header_editor(admin_client, settings):
    settings.ADMIN_SECRET = "unit-test-secret"

    config = graphiql_config(admin_client.get("/console/api"))

    assert json.loads(config["headers"]) == {"X-Hasura-Admin-Secret": "unit-test-secret"}


def test_non_staff_never_see_the_admin_secret(plain_user_client, settings):
    settings.ADMIN_SECRET = "unit-test-secret"

    response = plain_user_client.get("/console/api")

    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/api"
    assert b"unit-test-secret" not in response.content


def test_headers_start_empty_without_an_admin_secret(admin_client, settings):
    settings.ADMIN_SECRET = None

    config = graphiql_config(admin_client.get("/console/api"))

    assert json.loads(config["headers"]) == {}


def test_page_is_never_cached(admin_client):
    response = admin_client.get("/console/api")

    assert "no-store" in response["Cache-Control"]


def test_query_parameter_reaches_graphiql_intact(admin_client):
    query = '{ a: __typename } # </script><script>alert("x")</script>'

    response = admin_client.get("/console/api", {"query": query})

    assert graphiql_config(response)["query"] == query
    assert b"</script><script>alert" not in response.content


def test_vendored_files_match_the_hashes_in_their_readme():
    readme = (VENDOR_DIR / "README.md").read_text()
    stored = {name: digest for digest, name in STORED_HASH_LINE.findall(readme)}
    actual = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in VENDOR_DIR.iterdir()
        if path.suffix in {".js", ".css"}
    }

    assert len(actual) == 8
    assert actual == stored
