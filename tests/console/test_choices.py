"""The JSON endpoints behind the dependent selects answer from the live metadata and databases."""

import pytest

from tests.console.support import seed_action, seed_source
from tests.relationships.conftest import run_sql

pytestmark = pytest.mark.django_db


def values(console, path, **params):
    response = console.get(f"/console/choices/{path}", params)
    assert response.status_code == 200
    return [choice["value"] for choice in response.json()["choices"]]


@pytest.fixture
def billing_schema(pg_schema):
    """A second schema in the session database, dropped again so other tests never see it."""
    run_sql(pg_schema, "CREATE SCHEMA billing; CREATE TABLE billing.invoice (id int)")
    yield pg_schema
    run_sql(pg_schema, "DROP SCHEMA billing CASCADE")


def test_sources_schemas_and_tables_follow_the_database(console, metadata_api, billing_schema):
    seed_source(metadata_api, billing_schema, tables=("users",))

    assert values(console, "sources") == ["default"]
    assert values(console, "schemas", source="default") == ["billing", "public"]
    assert values(console, "tables", source="default", schema="public") == [
        "article",
        "author",
        "user",
        "users",
    ]
    assert values(console, "tables", source="default", schema="public", tracked="1") == ["users"]
    assert values(console, "tables", source="default", schema="billing") == ["invoice"]


def test_columns_are_read_live_with_their_types(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema, tables=("users",))
    first = console.get(
        "/console/choices/columns", {"source": "default", "schema": "public", "table": "users"}
    )
    run_sql(pg_schema, "ALTER TABLE users ADD COLUMN email text")

    second = values(console, "columns", source="default", schema="public", table="users")

    assert first.json()["choices"] == [
        {"value": "id", "label": "id (integer)"},
        {"value": "name", "label": "name (text)"},
        {"value": "auth0_id", "label": "auth0_id (text)"},
    ]
    assert second == ["id", "name", "auth0_id", "email"]


def test_unknown_names_give_empty_lists(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema, tables=())

    assert values(console, "schemas", source="nope") == []
    assert values(console, "columns", source="default", schema="public", table="nope") == []
    assert values(console, "type-fields", type="Nope") == []
    assert values(console, "remote-types", remote_schema="nope") == []


def test_output_type_fields(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)

    assert values(console, "type-fields", type="UserOutput") == ["id", "name"]


def test_remote_schema_types_fields_and_arguments(console, metadata_api, make_graphql_server):
    server = make_graphql_server(
        "type Order { id: ID! user_id: Int! items(first: Int): [String] } type Query { order(id: ID!): Order }"
    )
    metadata_api.ok("add_remote_schema", {"name": "orders", "definition": {"url": server.endpoint}})

    assert values(console, "remote-types", remote_schema="orders") == ["Query", "Order"]
    assert values(console, "remote-fields", remote_schema="orders", type="Order") == [
        "id",
        "user_id",
        "items",
    ]
    assert values(console, "remote-fields", remote_schema="orders", type="Order", without_arguments="1") == [
        "id",
        "user_id",
    ]
    assert values(console, "remote-fields", remote_schema="orders") == ["order"]
    assert values(console, "remote-arguments", remote_schema="orders", field="order") == ["id"]
