"""Set-up shared by console tests: the seed's database source and action, created the way a user would."""

from tests.console.pages import rows
from tests.relationships.conftest import pg_source_args

CREATE_USER_SDL = "type Mutation {\n  createUser(name: String!): UserOutput\n}"
USER_OUTPUT_SDL = "type UserOutput {\n  id: Int!\n  name: String\n}"
HANDLER = "http://127.0.0.1:9/create-user"


def action_form(definition=CREATE_USER_SDL, types=USER_OUTPUT_SDL, headers=(), **fields):
    """Post data for the action form."""
    data = {
        "definition": definition,
        "types": types,
        "handler": HANDLER,
        "kind": "synchronous",
        "timeout": "30",
    }
    data.update(fields)
    return {**data, **rows("headers", list(headers))}


def seed_source(metadata_api, database_url, name="default", tables=("users",)):
    """Connect a PostgreSQL source and track tables of its public schema."""
    metadata_api.ok("pg_add_source", pg_source_args(name, database_url))
    for table in tables:
        metadata_api.ok("pg_track_table", {"source": name, "table": {"schema": "public", "name": table}})


def seed_action(console, metadata_api, database_url):
    """Seed 000, step 1: the users table tracked, and the createUser action created in the console."""
    seed_source(metadata_api, database_url)
    response = console.post("/console/actions/add/", action_form())
    assert response.status_code == 302, response.content.decode()
    return response


def relationship_form(pairs, **fields):
    """Post data for "Add a relationship" on an action, with the seed's values unless overridden."""
    data = {
        "relationship_type": "object",
        "relationship_name": "user",
        "reference_source": "default",
        "reference_schema": "public",
        "reference_table": "users",
    }
    data.update(fields)
    return {**data, **rows("mapping", [{"from_field": f, "to_column": t} for f, t in pairs])}
