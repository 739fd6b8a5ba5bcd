"""Fuzz-test set-up: hypothesis profiles, the metadata the fuzz tests run against, and a count of inputs.

Profiles (chosen with the ``HYPOTHESIS_PROFILE`` environment variable):

    fast  (default, part of ``make test``)  a few hundred inputs in all, the same ones on every run
    fuzz  (``make fuzz``)                    more than 10,000 inputs in all, new ones on every run

Every fuzz test posts through ``FuzzClient``, which counts what it sends; the count is printed at
the end of the run. A failing example is printed with a ``@reproduce_failure`` blob to replay it.
"""

import os

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from tests.fuzz import world
from tests.fuzz.checks import FuzzClient, posted_inputs
from tests.relationships.conftest import MetadataClient

# Examples per fuzz test; the eight fuzz tests add up to the totals in the module docstring.
FAST_EXAMPLES = 30
FUZZ_EXAMPLES = 1400

_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("fast", max_examples=FAST_EXAMPLES, derandomize=True, **_COMMON)
settings.register_profile("fuzz", max_examples=FUZZ_EXAMPLES, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


def pytest_terminal_summary(terminalreporter):
    """Say how many generated inputs the fuzz tests sent."""
    if posted_inputs.total:
        terminalreporter.write_line(
            f"fuzz: {posted_inputs.total} generated inputs posted "
            f"(profile {settings.get_current_profile_name()})"
        )


@pytest.fixture
def action_server():
    with world.action_server() as server:
        yield server


@pytest.fixture
def people_server():
    with world.people_server() as server:
        yield server


@pytest.fixture
def fuzz_world(db, pg_database_url, tmp_path, action_server, people_server):
    """The metadata of ``tests.fuzz.world``, set up on a fresh metadata store; returns its export."""
    sqlite_url = world.set_up_databases(pg_database_url, tmp_path / "lite.db")
    api = MetadataClient(Client())
    world.set_up_metadata(
        api, pg_database_url, sqlite_url, action_server.url("/actions"), people_server.endpoint
    )
    return api.export()


@pytest.fixture
def fuzz_client(fuzz_world):
    """A counting client over Django's test client (no admin secret set: open development mode)."""
    return FuzzClient(Client())
