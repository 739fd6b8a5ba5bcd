"""Every console page, in Chromium, loads from this machine alone and without a script error.

The guard itself is tested too: a request to another host is stopped before it leaves and recorded.
"""

import pytest

from tests.browser.console_setup import (
    CONSOLE_PAGES,
    MetadataApi,
    orders_server,
    seed_console,
    sign_in,
    with_seed_tables,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFF_HOST_URL = "http://192.0.2.1/probe"  # TEST-NET-1: routable nowhere, needs no DNS lookup
FETCH_OUTCOME = "(url) => fetch(url).then(() => 'answered', () => 'failed')"


@pytest.fixture
def database(pg_database_url):
    return with_seed_tables(pg_database_url)


@pytest.fixture
def api(live_server):
    return MetadataApi(live_server.url)


@pytest.fixture
def console(page, live_server, browser_admin):
    """A page signed in to the console."""
    sign_in(page, live_server.url)
    return page


@pytest.mark.postgres
def test_every_console_page_loads_from_this_machine_only(
    console, live_server, request_log, api, database, webhook_server, make_graphql_server
):
    remote = orders_server(make_graphql_server)
    seed_console(api, database, webhook_server.url("/create-user"), remote.endpoint)

    statuses = {name: console.goto(f"{live_server.url}{path}").status for name, path in CONSOLE_PAGES}

    assert statuses == {name: 200 for name, _ in CONSOLE_PAGES}
    assert request_log.off_host == []
    assert request_log.page_errors == []
    assert len(request_log.requests) > len(CONSOLE_PAGES)


def test_a_request_to_another_host_is_stopped_and_recorded(page, live_server, request_log):
    page.goto(f"{live_server.url}/console/login/")

    outcome = page.evaluate(FETCH_OUTCOME, OFF_HOST_URL)

    assert outcome == "failed"
    assert request_log.off_host == [OFF_HOST_URL]
    request_log.off_host.clear()  # seen and stopped: this test is the one place it is expected
