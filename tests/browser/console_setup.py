"""What the console browser tests share: signing in, the metadata API over HTTP, GraphiQL and seed data.

Metadata the tests do not exercise through the console is set up with real requests to the live
server's POST /v1/metadata, the way a script or the Hasura CLI would.
"""

import json
import time
from contextlib import closing, contextmanager

import psycopg2
import requests
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.relationships.conftest import pg_source_args, run_sql

# Seed 000's users, seed 004's user, and an article -> author pair for the Data pages.
SEED_TABLES = """
    DROP SCHEMA IF EXISTS public CASCADE;
    CREATE SCHEMA public;
    CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, auth0_id text);
    CREATE TABLE "user" (id serial PRIMARY KEY, name text NOT NULL);
    CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL);
    CREATE TABLE article (
        id serial PRIMARY KEY, title text NOT NULL, author_id integer REFERENCES author(id), tags text[]
    );
"""
QUIET_SECONDS = 0.3
SETTLE_TIMEOUT = 10
POLL_MS = 50
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESULT_PANE = ".result-window .CodeMirror"
SET_EDITOR = "([selector, text]) => document.querySelector(selector).CodeMirror.setValue(text)"
EDITOR_TEXT = "(selector) => document.querySelector(selector).CodeMirror.getValue()"
RESULT_SHOWN = "(selector) => document.querySelector(selector).CodeMirror.getValue().trim() !== ''"

CREATE_USER_SDL = "type Mutation {\n  createUser(name: String!): UserOutput\n}"
USER_OUTPUT_SDL = "type UserOutput {\n  id: Int!\n}"
ORDER_SCHEMA = "order-remote-schema"
USER_OUTPUT = {
    "name": "UserOutput",
    "fields": [{"name": "id", "type": "Int!"}],
    "relationships": [
        {
            "name": "user",
            "type": "object",
            "source": "default",
            "remote_table": {"schema": "public", "name": "users"},
            "field_mapping": {"id": "id"},
        }
    ],
}
ORDER_USER_RELATIONSHIP = {
    "name": "user",
    "remote_schema": ORDER_SCHEMA,
    "type_name": "Order",
    "definition": {
        "to_source": {
            "relationship_type": "object",
            "source": "pg1",
            "table": {"schema": "public", "name": "user"},
            "field_mapping": {"user_id": "id"},
        }
    },
}
SEED_MUTATION = 'mutation { createUser(name: "Hodor") { id user { name auth0_id } } }'
ORDER_SDL = "type Order { id: ID! user_id: Int! } type Query { orders: [Order!]! }"
ORDERS = [{"id": "o1", "user_id": 1}, {"id": "o2", "user_id": 2}]
TABLE = "/console/data/sources/default/tables/public"

# Every kind of console page, with the seeded metadata below: (name, path).
CONSOLE_PAGES = [
    ("home", "/"),
    ("actions", "/console/actions/"),
    ("action-create", "/console/actions/add/"),
    ("action-definition", "/console/actions/createUser/"),
    ("action-relationships", "/console/actions/createUser/relationships/"),
    ("action-relationship-add", "/console/actions/createUser/relationships/add/"),
    ("action-permissions", "/console/actions/createUser/permissions/"),
    ("remote-schemas", "/console/remote-schemas/"),
    ("remote-schema-add", "/console/remote-schemas/add/"),
    ("remote-schema", f"/console/remote-schemas/{ORDER_SCHEMA}/"),
    ("remote-schema-relationships", f"/console/remote-schemas/{ORDER_SCHEMA}/relationships/"),
    ("remote-schema-relationship-add", f"/console/remote-schemas/{ORDER_SCHEMA}/relationships/add/"),
    ("data", "/console/data/"),
    ("data-source", "/console/data/sources/default/"),
    ("data-table", f"{TABLE}/article/"),
    ("data-table-relationship-add", f"{TABLE}/article/relationships/add/"),
    ("data-table-permissions", f"{TABLE}/users/permissions/"),
    ("data-sql", "/console/data/sql/"),
    ("metadata", "/console/metadata/"),
    ("api", "/console/api"),
    ("admin", "/admin/"),
]


class MetadataApi:
    """POST /v1/metadata on the live server (open development mode: no admin secret is set)."""

    def __init__(self, base_url):
        self.url = f"{base_url}/v1/metadata"

    def ok(self, command_type, args=None):
        response = requests.post(self.url, json={"type": command_type, "args": args or {}}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def export(self):
        return self.ok("export_metadata")

    def add_postgres_source(self, name, database_url, tables):
        """Connect a PostgreSQL source and track tables of its public schema."""
        self.ok("pg_add_source", pg_source_args(name, database_url))
        for table in tables:
            self.ok("pg_track_table", {"source": name, "table": {"schema": "public", "name": table}})


def seed_console(api, database_url, handler_url, remote_endpoint, *, seed_relationships=True):
    """A console with something on every page: seeds 000 and 004 plus a few tables and permissions.

    Two sources on one database (`default` as in seed 000, `pg1` as in seed 004); the createUser
    action; the order remote schema; article -> author; a role that may read users and call
    createUser. With `seed_relationships`, also the seeds' relationships: createUser's output to
    users, and Order to user.
    """
    api.add_postgres_source("default", database_url, ["users", "author", "article"])
    api.add_postgres_source("pg1", database_url, ["user"])
    api.ok(
        "pg_create_object_relationship",
        {
            "source": "default",
            "table": "article",
            "name": "author",
            "using": {"foreign_key_constraint_on": "author_id"},
        },
    )
    api.ok(
        "pg_create_select_permission",
        {
            "source": "default",
            "table": "users",
            "role": "user",
            "permission": {"columns": ["id", "name"], "filter": {"id": {"_eq": "X-Hasura-User-Id"}}},
        },
    )
    user_output = USER_OUTPUT if seed_relationships else {**USER_OUTPUT, "relationships": []}
    api.ok("set_custom_types", {"objects": [user_output]})
    api.ok("create_action", {"name": "createUser", "definition": create_user_definition(handler_url)})
    api.ok("create_action_permission", {"action": "createUser", "role": "user"})
    api.ok("add_remote_schema", {"name": ORDER_SCHEMA, "definition": {"url": remote_endpoint}})
    if seed_relationships:
        api.ok("create_remote_schema_remote_relationship", ORDER_USER_RELATIONSHIP)


def create_user_definition(handler_url):
    return {
        "kind": "synchronous",
        "handler": handler_url,
        "arguments": [{"name": "name", "type": "String!"}],
        "output_type": "UserOutput",
    }


def with_seed_tables(database_url):
    """Empty the database's public schema and create the seeds' tables in it; returns the URL."""
    run_sql(database_url, SEED_TABLES)
    return database_url


def sign_in(page, base_url):
    """Sign in through the console's own sign-in page (as the `browser_admin` superuser)."""
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{base_url}/")


def create_user_action(page, base_url, handler_url):
    """Seed 000, step 1: Actions -> Create, with the action definition and its output type."""
    page.goto(f"{base_url}/console/actions/")
    page.click("#create-action")
    page.get_by_label("Action definition", exact=True).fill(CREATE_USER_SDL)
    page.get_by_label("Type configuration", exact=True).fill(USER_OUTPUT_SDL)
    page.get_by_label("Handler", exact=True).fill(handler_url)
    page.click("#save-action")
    page.wait_for_url(f"{base_url}/console/actions/createUser/")


def open_action_relationships(page, base_url):
    """From the createUser action's page, its Relationships tab."""
    page.goto(f"{base_url}/console/actions/createUser/")
    page.locator("nav.tabs").get_by_role("link", name="Relationships").click()
    page.wait_for_url(f"{base_url}/console/actions/createUser/relationships/")


def fill_action_relationship(page, to_column="id"):
    """Seed 000, step 2: Add a relationship, filled in by the labels: user, object, users, id -> `to_column`."""
    page.click("#add-relationship")
    page.wait_for_url("**/relationships/add/")  # loaded: console.js now refills dependent selects
    with settled(page):
        choose_reference(page, "default", "users")
        page.get_by_label("Relationship name", exact=True).fill("user")
        choose_pair(page, "id", to_column)
    expect_pair(page, "id", to_column)


def open_remote_schema_relationships(page, base_url):
    """From the order remote schema's page, its Relationships tab."""
    page.goto(f"{base_url}/console/remote-schemas/{ORDER_SCHEMA}/")
    page.locator("nav.tabs").get_by_role("link", name="Relationships").click()
    page.wait_for_url(f"{base_url}/console/remote-schemas/{ORDER_SCHEMA}/relationships/")


def fill_remote_schema_relationship(page):
    """Seed 004, step 2: Add a new relationship: user, from Order to pg1 / public / user, user_id -> id."""
    page.get_by_role("link", name="Add a new relationship").click()
    page.wait_for_url("**/relationships/add/")  # loaded: console.js now refills dependent selects
    with settled(page):
        page.get_by_label("Name", exact=True).fill("user")
        page.get_by_label("Source type", exact=True).select_option("Order")
        page.get_by_label("Database table", exact=True).check()
        choose_reference(page, "pg1", "user")
        choose_pair(page, "user_id", "id")
    expect_pair(page, "user_id", "id")


def choose_reference(page, source, table):
    """The reference-table half of a relationship form: an object relationship to `source`.public.`table`."""
    page.get_by_label("Relationship type", exact=True).select_option(label="Object relationship")
    page.get_by_label("Reference source", exact=True).select_option(source)
    page.get_by_label("Reference schema", exact=True).select_option("public")
    page.get_by_label("Reference table", exact=True).select_option(table)


def choose_pair(page, from_field, to_column):
    """The first From/To pair (select_option waits for the options that are still being fetched)."""
    page.get_by_label("From", exact=True).select_option(from_field)
    page.get_by_label("To", exact=True).select_option(to_column)


def expect_pair(page, from_field, to_column):
    expect(page.get_by_label("From", exact=True)).to_have_value(from_field)
    expect(page.get_by_label("To", exact=True)).to_have_value(to_column)


@contextmanager
def settled(page):
    """Run the block, then wait until the page's requests are answered and no new one follows.

    Each choice makes console.js refill the selects that depend on it, and a refill is itself a
    change that refills the next ones: once the page stays quiet, no late answer can still reset a
    choice. (Playwright's "networkidle" cannot tell: it fires once per page load.)
    """
    watch = _InFlight()
    events = {"request": watch.started, "requestfinished": watch.ended, "requestfailed": watch.ended}
    for event, handler in events.items():
        page.on(event, handler)
    try:
        yield
        watch.wait_until_quiet(page)
    finally:
        for event, handler in events.items():
            page.remove_listener(event, handler)


class _InFlight:
    """The requests a page has sent and not yet seen answered, and when that last changed."""

    def __init__(self):
        self.pending = set()
        self.changed_at = time.monotonic()

    def started(self, request):
        self.pending.add(request)
        self.changed_at = time.monotonic()

    def ended(self, request):
        self.pending.discard(request)
        self.changed_at = time.monotonic()

    def wait_until_quiet(self, page):
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while self.pending or time.monotonic() - self.changed_at < QUIET_SECONDS:
            assert time.monotonic() < deadline, f"requests still unanswered: {self.pending}"
            page.wait_for_timeout(POLL_MS)  # also lets Playwright deliver the request events


def user_inserting_handler(database_url):
    """The createUser webhook: insert the user into `users` and answer with the new id."""

    def handle(request):
        name = request.json["input"]["name"]
        with closing(psycopg2.connect(database_url)) as conn, conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO users (name, auth0_id) VALUES (%s, %s) RETURNING id",
                (name, f"{name.lower()}|{name.lower()}"),
            )
            return {"id": cur.fetchone()[0]}

    return handle


def orders_server(make_graphql_server):
    """Seed 004's remote schema: orders, each with the id of its user."""
    return make_graphql_server(ORDER_SDL, root_value={"orders": ORDERS})


def run_in_graphiql(page, base_url, query):
    """Open the API tab, run `query` in GraphiQL and return the result pane's JSON."""
    page.goto(f"{base_url}/console/api")
    page.wait_for_selector(QUERY_EDITOR)
    page.evaluate(SET_EDITOR, [QUERY_EDITOR, query])
    page.click(".graphiql-execute-button")
    page.wait_for_function(RESULT_SHOWN, arg=RESULT_PANE)
    return json.loads(page.evaluate(EDITOR_TEXT, RESULT_PANE))
