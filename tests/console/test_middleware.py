"""The session, user and message middleware serve the console and the admin, not the API endpoints."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import checks
from django.http import HttpResponse
from django.urls import resolve

from console import graphql_view
from console.middleware import API_PATHS, AuthenticationMiddleware, MessageMiddleware, SessionMiddleware
from relationships.api import MetadataApi, QueryApi

pytestmark = pytest.mark.django_db

STACK = (SessionMiddleware, AuthenticationMiddleware, MessageMiddleware)


def through_the_stack(request):
    """The request as the view behind the three middleware gets it."""
    seen = []

    def view(request):
        seen.append(request)
        return HttpResponse("ok")

    handler = view
    for middleware in reversed(STACK):
        handler = middleware(handler)
    assert handler(request).content == b"ok"
    return seen[0]


def test_the_api_paths_are_the_endpoints_that_authenticate_by_header():
    views = {path: resolve(path).func for path in API_PATHS}
    assert views["/v1/graphql"] is graphql_view.graphql
    assert views["/v1/metadata"].view_class is MetadataApi
    assert views["/v2/query"].view_class is QueryApi


@pytest.mark.parametrize("path", sorted(API_PATHS))
def test_an_api_request_gets_no_session_user_or_messages(rf, path):
    request = through_the_stack(rf.post(path, b"{}", content_type="application/json"))

    assert not hasattr(request, "session")
    assert not hasattr(request, "user")
    assert not hasattr(request, "_messages")


@pytest.mark.parametrize(
    "path", ["/", "/console/actions/", "/admin/", "/v1/graphql/", "/demo/graphql/orders"]
)
def test_every_other_request_gets_them_as_from_django(rf, path):
    request = through_the_stack(rf.get(path))

    assert request.session.session_key is None
    assert request.user.is_anonymous
    assert list(get_messages(request)) == []


def test_the_settings_use_them_in_place_of_djangos_and_pass_the_checks():
    in_use = {entry.rsplit(".", 1)[1]: entry for entry in settings.MIDDLEWARE}
    for middleware in STACK:
        assert in_use[middleware.__name__] == f"console.middleware.{middleware.__name__}"
    assert [message for message in checks.run_checks() if message.is_serious()] == []


def test_a_signed_in_console_page_still_has_its_user_and_session(console):
    response = console.get("/console/actions/")

    assert response.status_code == 200
    assert response.wsgi_request.user.is_staff
    assert response.wsgi_request.session.session_key
