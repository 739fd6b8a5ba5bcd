"""Every URL the server answers, from the root URL resolver: which ones are open, and that the rest
need a signed-in staff user and a CSRF token.

tests/console/test_access.py checks the console's own URL list and one form's CSRF token; this walks
the whole resolver (console, API tab, Django admin, demo, endpoints), so a URL added anywhere is
covered, and sends a token-less POST to each as a signed-in staff user.
"""

import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Authenticated by headers (admin secret, JWT, auth hook), never by a session cookie.
HEADER_AUTHENTICATED = {"/v1/metadata", "/v2/query", "/v1/graphql"}
# The demo's action handlers and remote schemas: called by the server itself, open by design.
DEMO_PREFIX = "/demo/"
SIGN_IN_PAGES = {"/console/login/", "/console/logout/", "/admin/login/", "/admin/logout/"}
# The console's root only redirects to the home page, which needs sign-in.
REDIRECTS = {"/console/": "/"}
REGEX_VALUES = {"app_label": "relationships", "url": "anything/"}


def fill(pattern: str) -> str:
    """An example path for a route or regex pattern, every parameter filled in."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if m.group(1).endswith("_id") else "x", pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: REGEX_VALUES[m.group(1)], path)
    return "/" + path.replace("^", "").replace("$", "")


def every_path(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from every_path(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield fill(prefix + str(pattern.pattern))


PATHS = sorted(set(every_path()))
SESSION_PATHS = [p for p in PATHS if p not in HEADER_AUTHENTICATED and not p.startswith(DEMO_PREFIX)]


def test_the_walk_finds_every_part_of_the_site():
    assert {
        "/",
        "/console/api",
        "/console/actions/x/",
        "/admin/",
        "/v1/graphql",
        "/demo/graphql/orders",
    } <= set(PATHS)
    assert len(PATHS) > 100


@pytest.mark.parametrize("path", [p for p in SESSION_PATHS if p not in SIGN_IN_PAGES | set(REDIRECTS)])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 302, (path, response.status_code)
        login = "/admin/login/" if path.startswith("/admin/") else "/console/login/"
        assert response["Location"].startswith(f"{login}?next="), (path, response["Location"])


def test_the_console_root_only_redirects(client):
    for path, target in REDIRECTS.items():
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, target)


@pytest.mark.parametrize("path", SESSION_PATHS)
def test_a_post_without_the_csrf_token_is_refused(django_user_model, path):
    staff = django_user_model.objects.create_superuser(username="staff", password="pw", email="s@example.com")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)

    response = browser.post(path, {"name": "x"})

    assert response.status_code == 403, (path, response.status_code)
    assert b"CSRF" in response.content


@pytest.mark.parametrize("path", sorted(HEADER_AUTHENTICATED))
def test_a_staff_session_cookie_gives_no_access_to_the_endpoints(django_user_model, settings, path):
    settings.ADMIN_SECRET = "console-access-secret"
    staff = django_user_model.objects.create_superuser(username="staff", password="pw", email="s@example.com")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)

    response = browser.post(path, {"type": "export_metadata", "args": {}}, content_type="application/json")

    assert response.status_code in (200, 401), response.status_code
    body = response.json()
    assert (body.get("code") or body["errors"][0]["extensions"]["code"]) == "access-denied", body
