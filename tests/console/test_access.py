"""Every console page needs a signed-in staff user; forms carry CSRF tokens; the nav links every tab."""

import re

import pytest
from django.test import Client

from console import urls_console
from tests.console.conftest import STAFF_PASSWORD
from tests.console.pages import text

pytestmark = pytest.mark.django_db

OPEN_PAGES = {"login", "logout", "index"}
NAV = {
    "Actions": "/console/actions/",
    "Remote Schemas": "/console/remote-schemas/",
    "Data": "/console/data/",
    "API": "/console/api",
    "Metadata": "/console/metadata/",
    "Admin": "/admin/",
}


def console_paths():
    """Every console URL, with each path parameter filled in with a placeholder."""
    for pattern in urls_console.urlpatterns:
        if pattern.name not in OPEN_PAGES:
            yield "/console/" + re.sub(r"<str:(\w+)>", r"\1", str(pattern.pattern))


@pytest.mark.parametrize("path", ["/", *console_paths()])
def test_every_page_sends_anonymous_visitors_to_sign_in(client, path):
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 302, path
        assert response["Location"].startswith("/console/login/?next="), path


def test_a_signed_in_user_who_is_not_staff_is_sent_to_sign_in(client, django_user_model):
    user = django_user_model.objects.create_user(username="visitor", password="pw")
    client.force_login(user)

    response = client.get("/console/actions/", follow=True)

    assert response.redirect_chain == [("/console/login/?next=/console/actions/", 302)]
    assert "not a staff account" in response.content.decode()


def test_sign_in_and_out(client, staff_user):
    signed_in = client.post("/console/login/", {"username": "staff", "password": STAFF_PASSWORD})
    assert signed_in["Location"] == "/"
    assert client.get("/console/actions/").status_code == 200

    signed_out = client.post("/console/logout/")
    assert signed_out["Location"] == "/console/login/"
    assert client.get("/console/actions/").status_code == 302


def test_sign_in_returns_to_the_page_that_asked(client, staff_user):
    response = client.post(
        "/console/login/", {"username": "staff", "password": STAFF_PASSWORD, "next": "/console/metadata/"}
    )

    assert response["Location"] == "/console/metadata/"


def test_wrong_password_is_refused(client, staff_user):
    response = client.post("/console/login/", {"username": "staff", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in text(response, "form-errors")


def test_forms_need_the_csrf_token(staff_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_user)
    form_page = browser.get("/console/data/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.content.decode()).group(1)

    refused = browser.post("/console/data/", {"name": "x"})
    accepted = browser.post("/console/data/", {"name": "x", "csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 200  # validated (and refused: no database URL), not forbidden


def test_the_nav_links_every_tab_and_marks_the_current_one(console):
    response = console.get("/console/remote-schemas/")
    html = response.content.decode()

    for label, href in NAV.items():
        assert f'<a href="{href}"' in html, label
        assert f">{label}</a>" in html, label
    assert '<a href="/console/remote-schemas/" class="active" aria-current="page">Remote Schemas</a>' in html


def test_admin_pages_link_back_to_the_console(console, staff_user):
    staff_user.is_superuser = True
    staff_user.save()

    response = console.get("/admin/")

    assert text(response, "console-link") == "← Back to the console"
    assert 'href="/"' in response.content.decode()


def test_console_root_leads_to_the_start_page(console):
    response = console.get("/console/", follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "inconsistent object" in response.content.decode()
