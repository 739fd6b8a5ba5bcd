"""Fixtures for console tests: a signed-in staff client, plus the metadata fixtures of tests/relationships."""

import pytest

from tests.relationships.conftest import metadata_api, pg_schema  # noqa: F401  (fixtures used here too)

STAFF_PASSWORD = "console-test-password"


@pytest.fixture
def staff_user(django_user_model):
    """A staff user who may use the console."""
    return django_user_model.objects.create_user(username="staff", password=STAFF_PASSWORD, is_staff=True)


@pytest.fixture
def console(client, staff_user):
    """Django's test client, signed in as staff (the same client `metadata_api` posts with)."""
    client.force_login(staff_user)
    return client
