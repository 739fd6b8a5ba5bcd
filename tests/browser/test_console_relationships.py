"""Relationships made in the console, in Chromium, the way the seeds describe them.

Seed 000: on the createUser action, "Add a relationship" to the users table, then the seed mutation in
the API tab returns the new user through it (a real webhook inserts the row into real PostgreSQL).
Seed 004: on a remote schema's Relationships tab, "Add a new relationship" from Order to the user table.
A pair whose column disappears while the form is open is refused next to that pair, and nothing is saved.
Every test runs behind `request_log`: a request leaving 127.0.0.1/localhost fails it.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.console_setup import (
    ORDER_SCHEMA,
    SEED_MUTATION,
    MetadataApi,
    create_user_action,
    fill_action_relationship,
    fill_remote_schema_relationship,
    open_action_relationships,
    open_remote_schema_relationships,
    orders_server,
    run_in_graphiql,
    sign_in,
    user_inserting_handler,
    with_seed_tables,
)
from tests.relationships.conftest import run_sql

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

UNREACHABLE_HANDLER = "http://127.0.0.1:9/create-user"
SEED_000_RELATIONSHIP = {
    "name": "user",
    "type": "object",
    "source": "default",
    "remote_table": {"schema": "public", "name": "users"},
    "field_mapping": {"id": "id"},
}
SEED_004_RELATIONSHIPS = [
    {
        "type_name": "Order",
        "relationships": [
            {
                "name": "user",
                "definition": {
                    "to_source": {
                        "relationship_type": "object",
                        "source": "pg1",
                        "table": {"schema": "public", "name": "user"},
                        "field_mapping": {"user_id": "id"},
                    }
                },
            }
        ],
    }
]


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


def assert_stayed_on_this_machine(request_log):
    assert request_log.off_host == []
    assert request_log.page_errors == []


def test_seed_000_relationship_made_in_the_console_returns_the_created_user(
    console, live_server, request_log, api, database, webhook_server
):
    webhook_server.route("/create-user", user_inserting_handler(database))
    api.add_postgres_source("default", database, ["users"])
    create_user_action(console, live_server.url, webhook_server.url("/create-user"))

    open_action_relationships(console, live_server.url)
    fill_action_relationship(console, to_column="id")
    console.click("#save-relationship")

    console.wait_for_url(f"{live_server.url}/console/actions/createUser/relationships/")
    expect(console.locator("#relationship-user")).to_contain_text(
        "user object default · public.users id → id"
    )
    (user_output,) = api.export()["custom_types"]["objects"]
    assert user_output["relationships"] == [SEED_000_RELATIONSHIP]

    result = run_in_graphiql(console, live_server.url, SEED_MUTATION)

    assert result == {"data": {"createUser": {"id": 1, "user": {"name": "Hodor", "auth0_id": "hodor|hodor"}}}}
    (call,) = webhook_server.calls("/create-user")
    assert call.json["input"] == {"name": "Hodor"}
    assert_stayed_on_this_machine(request_log)


def test_seed_004_relationship_made_on_the_remote_schema_tab(
    console, live_server, request_log, api, database, make_graphql_server
):
    remote = orders_server(make_graphql_server)
    api.add_postgres_source("pg1", database, ["user"])
    api.ok("add_remote_schema", {"name": ORDER_SCHEMA, "definition": {"url": remote.endpoint}})

    open_remote_schema_relationships(console, live_server.url)
    fill_remote_schema_relationship(console)
    console.get_by_role("button", name="Add Relationship").click()

    console.wait_for_url(f"{live_server.url}/console/remote-schemas/{ORDER_SCHEMA}/relationships/")
    expect(console.locator("#relationship-Order-user")).to_contain_text("object · pg1 · public.user")
    (remote_schema,) = api.export()["remote_schemas"]
    assert remote_schema["remote_relationships"] == SEED_004_RELATIONSHIPS
    assert_stayed_on_this_machine(request_log)


def test_a_column_dropped_while_the_form_is_open_is_refused_on_its_pair(
    console, live_server, request_log, api, database
):
    # The form offers only live columns. Between loading it and pressing Save, a migration drops
    # the chosen column: the posted pair now names a column that does not exist.
    run_sql(database, "ALTER TABLE users ADD COLUMN legacy_id integer")
    api.add_postgres_source("default", database, ["users"])
    create_user_action(console, live_server.url, UNREACHABLE_HANDLER)
    open_action_relationships(console, live_server.url)
    before = api.export()

    fill_action_relationship(console, to_column="legacy_id")
    run_sql(database, "ALTER TABLE users DROP COLUMN legacy_id")
    console.click("#save-relationship")

    error = console.locator("#mapping-0-errors")
    expect(error).to_contain_text('the column "legacy_id" of remote table "users"')
    assert console.url == f"{live_server.url}/console/actions/createUser/relationships/add/"
    expect(console.get_by_label("To", exact=True)).to_have_value("legacy_id")
    expect(console.locator("#relationships")).to_have_count(0)
    assert api.export() == before
    assert_stayed_on_this_machine(request_log)
