"""The console's screenshots in docs/screenshots/, taken in Chromium: `SCREENSHOTS=1 make test`.

Skipped otherwise. The console is seeded like the page tour in test_console_pages.py, without the
seeds' relationships: those are made in the console (seed 000 on the createUser action, seed 004 on
the order remote schema), each form photographed filled in before it is saved, and the seed mutation
is run in the API tab.
"""

import os
from pathlib import Path

import pytest

from tests.browser.console_setup import (
    ORDER_SCHEMA,
    TABLE,
    MetadataApi,
    fill_action_relationship,
    fill_remote_schema_relationship,
    open_action_relationships,
    open_remote_schema_relationships,
    orders_server,
    run_in_graphiql,
    seed_console,
    sign_in,
    user_inserting_handler,
    with_seed_tables,
)
from tests.relationships.conftest import run_sql

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(os.environ.get("SCREENSHOTS") != "1", reason="set SCREENSHOTS=1 to take them"),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
BLUR = "() => document.activeElement && document.activeElement.blur()"
SAMPLE_ROWS = """
    INSERT INTO author (name) VALUES ('George R. R. Martin');
    INSERT INTO article (title, author_id, tags) VALUES ('The Winds of Winter', 1, '{fantasy}');
    INSERT INTO "user" (name) VALUES ('Bran'), ('Arya');
"""
SQL_SAMPLE = "SELECT id, name, auth0_id FROM users ORDER BY id;"
# Seed 000's mutation as the seed writes it.
SEED_MUTATION_TEXT = """mutation {
  createUser(name: "Hodor") {
    id
    user {
      name
      auth0_id
    }
  }
}"""


@pytest.fixture
def database(pg_database_url):
    return with_seed_tables(pg_database_url)


@pytest.fixture
def api(live_server):
    return MetadataApi(live_server.url)


def shoot(page, name, *, full_page=True):
    page.evaluate(BLUR)  # no focus ring on whichever field was filled in last
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def visit_and_shoot(page, base_url, name, path):
    page.goto(f"{base_url}{path}")
    shoot(page, name)


def make_seed_000_relationship(page, base_url):
    open_action_relationships(page, base_url)
    fill_action_relationship(page)
    shoot(page, "action-relationship-add")
    page.click("#save-relationship")
    page.wait_for_url(f"{base_url}/console/actions/createUser/relationships/")
    shoot(page, "action-relationships")


def make_seed_004_relationship(page, base_url):
    open_remote_schema_relationships(page, base_url)
    fill_remote_schema_relationship(page)
    shoot(page, "remote-schema-relationship-add")
    page.get_by_role("button", name="Add Relationship").click()
    page.wait_for_url(f"{base_url}/console/remote-schemas/{ORDER_SCHEMA}/relationships/")
    shoot(page, "remote-schema-relationships")


def run_sample_sql(page, base_url):
    page.goto(f"{base_url}/console/data/sql/")
    page.get_by_label("SQL", exact=True).fill(SQL_SAMPLE)
    page.click("#run-sql")
    page.wait_for_selector("#sql-result")
    shoot(page, "data-sql")


def test_take_console_screenshots(
    page, live_server, browser_admin, request_log, api, database, webhook_server, make_graphql_server
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORT)
    base = live_server.url
    run_sql(database, SAMPLE_ROWS)
    webhook_server.route("/create-user", user_inserting_handler(database))
    remote = orders_server(make_graphql_server)
    seed_console(api, database, webhook_server.url("/create-user"), remote.endpoint, seed_relationships=False)

    visit_and_shoot(page, base, "sign-in", "/console/login/")
    sign_in(page, base)
    visit_and_shoot(page, base, "home", "/")
    visit_and_shoot(page, base, "actions", "/console/actions/")
    visit_and_shoot(page, base, "action-definition", "/console/actions/createUser/")
    make_seed_000_relationship(page, base)
    visit_and_shoot(page, base, "remote-schema", f"/console/remote-schemas/{ORDER_SCHEMA}/")
    make_seed_004_relationship(page, base)
    visit_and_shoot(page, base, "data", "/console/data/")
    visit_and_shoot(page, base, "data-source", "/console/data/sources/default/")
    visit_and_shoot(page, base, "data-table", f"{TABLE}/article/")
    visit_and_shoot(page, base, "data-table-permissions", f"{TABLE}/users/permissions/")
    result = run_in_graphiql(page, base, SEED_MUTATION_TEXT)
    shoot(page, "api", full_page=False)
    run_sample_sql(page, base)
    visit_and_shoot(page, base, "metadata", "/console/metadata/")
    visit_and_shoot(page, base, "admin", "/admin/")

    assert result == {"data": {"createUser": {"id": 1, "user": {"name": "Hodor", "auth0_id": "hodor|hodor"}}}}
    assert request_log.off_host == []
    assert request_log.page_errors == []
