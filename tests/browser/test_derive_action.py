"""Seed 000, step 1 "derived from an existing mutation", in Chromium, end to end.

Derive insertUserAction from insert_users_one on the Actions page, save it, add the ``user``
relationship on its output type, take the handler from its Codegen tab and run it as a real local
server, then run the action in GraphiQL: the handler calls insert_users_one back through
/v1/graphql, and the relationship reads the new row. Every test runs behind ``request_log``.
"""

import psycopg2
import pytest
from playwright.sync_api import expect

from tests.browser.console_setup import (
    MetadataApi,
    fill_action_relationship,
    run_in_graphiql,
    sign_in,
    with_seed_tables,
)
from tests.integration.test_mutations_derive import running_handler
from tests.support.servers import unused_port

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DERIVED_DEFINITION = "type Mutation {\n  insertUserAction(object: InsertUserActionUsersInsertInput!): InsertUserActionOutput\n}"
DERIVED_TYPES = (
    "input InsertUserActionUsersInsertInput {\n  id: Int\n  name: String\n  auth0_id: String\n}\n\n"
    "type InsertUserActionOutput {\n  id: Int!\n  name: String!\n  auth0_id: String\n}"
)
MUTATION = (
    'mutation { insertUserAction(object: {name: "Hodor", auth0_id: "hodor|hodor"}) '
    "{ id name user { id name auth0_id } } }"
)


@pytest.fixture
def database(pg_database_url):
    return with_seed_tables(pg_database_url)


@pytest.fixture
def api(live_server):
    return MetadataApi(live_server.url)


@pytest.fixture
def console(page, live_server, browser_admin):
    sign_in(page, live_server.url)
    return page


def derive_insert_user_action(page, base_url, handler_url):
    """Actions -> Derive action: insert_users_one as insertUserAction, with the handler's URL, saved."""
    page.goto(f"{base_url}/console/actions/")
    page.click("#derive-action-link")
    page.get_by_label("Mutation", exact=True).select_option("insert_users_one")
    page.get_by_label("Action name", exact=True).fill("insertUserAction")
    page.click("#derive-action")
    expect(page.get_by_label("Action definition", exact=True)).to_have_value(DERIVED_DEFINITION)
    expect(page.get_by_label("Type configuration", exact=True)).to_have_value(DERIVED_TYPES)
    page.get_by_label("Handler", exact=True).fill(handler_url)
    page.click("#save-action")
    page.wait_for_url(f"{base_url}/console/actions/insertUserAction/codegen/")


def test_derived_action_with_its_generated_handler_runs_in_graphiql(
    console, live_server, request_log, api, database, tmp_path
):
    api.add_postgres_source("default", database, ["users"])
    port = unused_port()
    derive_insert_user_action(console, live_server.url, f"http://127.0.0.1:{port}/")

    expect(console.locator("#scaffold-name")).to_have_text("insert_user_action.py")
    handler_source = console.locator("#scaffold-code").input_value()
    console.locator("nav.tabs").get_by_role("link", name="Relationships").click()
    fill_action_relationship(console, to_column="id")
    console.click("#save-relationship")
    expect(console.locator("#relationship-user")).to_contain_text(
        "user object default · public.users id → id"
    )

    with running_handler(handler_source, tmp_path, f"{live_server.url}/v1/graphql", port):
        result = run_in_graphiql(console, live_server.url, MUTATION)

    assert result == {
        "data": {
            "insertUserAction": {
                "id": 1,
                "name": "Hodor",
                "user": {"id": 1, "name": "Hodor", "auth0_id": "hodor|hodor"},
            }
        }
    }
    with psycopg2.connect(database) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT id, name, auth0_id FROM users")
        assert cursor.fetchall() == [(1, "Hodor", "hodor|hodor")]
    (action,) = api.export()["actions"]
    assert action["definition"]["arguments"] == [
        {"name": "object", "type": "InsertUserActionUsersInsertInput!"}
    ]
    assert request_log.off_host == []
    assert request_log.page_errors == []
