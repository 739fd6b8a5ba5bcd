"""Remote schemas in the console: add (introspection result or error), seed 004's relationship, and more."""

import pytest

from tests.console.pages import labels, options, rows, text
from tests.console.support import seed_source

pytestmark = pytest.mark.django_db

ORDER_SDL = """
type Order { id: ID! user_id: Int! }
type Query { orders: [Order!]! }
"""
USERS_SDL = """
type User { id: Int! name: String }
type Query { user(id: Int!): User }
"""
RELATIONSHIPS_URL = "/console/remote-schemas/order-remote-schema/relationships/"


def add_form(name, url, headers=(), **fields):
    return {
        "name": name,
        "url": url,
        "url_from_env": "",
        "timeout_seconds": "",
        **fields,
        **rows("headers", list(headers)),
    }


@pytest.fixture
def order_schema(console, make_graphql_server):
    server = make_graphql_server(ORDER_SDL)
    response = console.post("/console/remote-schemas/add/", add_form("order-remote-schema", server.endpoint))
    assert response.status_code == 302, response.content.decode()
    return server


def seed_relationship_form(**fields):
    data = {
        "name": "user",
        "type_name": "Order",
        "target": "table",
        "relationship_type": "object",
        "reference_source": "pg1",
        "reference_schema": "public",
        "reference_table": "user",
        "target_remote_schema": "",
        "remote_field": "",
        **rows("arguments", []),
    }
    data.update(fields)
    return data


def test_adding_shows_the_introspected_types(console, metadata_api, order_schema):
    page = console.get("/console/remote-schemas/order-remote-schema/")

    (remote_schema,) = metadata_api.export()["remote_schemas"]
    assert remote_schema["definition"]["url"] == order_schema.endpoint
    types = text(page, "introspection-types")
    assert "orders: [Order!]!" in types
    assert "user_id: Int!" in types
    assert text(page, "introspection-error") is None


def test_an_unreachable_server_is_reported_at_the_url_and_nothing_is_saved(
    console, metadata_api, make_graphql_server
):
    server = make_graphql_server(ORDER_SDL)
    server.down()

    response = console.post("/console/remote-schemas/add/", add_form("orders", server.endpoint))

    assert response.status_code == 200
    assert "HTTP exception occurred while sending the request to" in text(response, "id_url_errors")
    assert "remote_schemas" not in metadata_api.export()


def test_headers_and_timeout_are_saved_and_a_taken_name_is_reported_at_the_name(
    console, metadata_api, make_graphql_server
):
    server = make_graphql_server(ORDER_SDL)
    headers = [{"name": "X-Api-Key", "value": "k", "value_from": "value"}]

    console.post(
        "/console/remote-schemas/add/", add_form("orders", server.endpoint, headers, timeout_seconds="7")
    )
    again = console.post("/console/remote-schemas/add/", add_form("orders", server.endpoint))

    (remote_schema,) = metadata_api.export()["remote_schemas"]
    assert remote_schema["definition"]["timeout_seconds"] == 7
    assert remote_schema["definition"]["headers"] == [{"name": "X-Api-Key", "value": "k"}]
    assert server.calls()[0].header("X-Api-Key") == "k"
    assert 'remote schema with name "orders" already exists' in text(again, "id_name_errors")


def test_the_relationship_form_offers_the_schema_types_and_fields(
    console, metadata_api, pg_schema, order_schema
):
    seed_source(metadata_api, pg_schema, name="pg1", tables=("user",))

    page = console.get(RELATIONSHIPS_URL + "add/")
    fields = console.get(
        "/console/choices/remote-fields",
        {"remote_schema": "order-remote-schema", "type": "Order", "without_arguments": "1"},
    )

    assert labels(page)["id_name"] == "Name"
    assert labels(page)["id_type_name"] == "Source type"
    assert options(page, "id_type_name") == ["", "Query", "Order"]  # root types first
    assert options(page, "id_reference_source") == ["", "pg1"]
    assert [c["value"] for c in fields.json()["choices"]] == ["id", "user_id"]


def test_seed_004_relationship_saves(console, metadata_api, pg_schema, order_schema):
    seed_source(metadata_api, pg_schema, name="pg1", tables=("user",))

    response = console.post(
        RELATIONSHIPS_URL + "add/",
        {**seed_relationship_form(), **rows("mapping", [{"from_field": "user_id", "to_column": "id"}])},
    )

    assert response.status_code == 302
    (remote_schema,) = metadata_api.export()["remote_schemas"]
    assert remote_schema["remote_relationships"] == [
        {
            "type_name": "Order",
            "relationships": [
                {
                    "name": "user",
                    "definition": {
                        "to_source": {
                            "relationship_type": "object",
                            "source": "pg1",
                            "table": {"name": "user", "schema": "public"},
                            "field_mapping": {"user_id": "id"},
                        }
                    },
                }
            ],
        }
    ]
    assert "Order" in text(console.get(RELATIONSHIPS_URL), "relationship-Order-user")


def test_a_missing_column_is_shown_at_its_pair(console, metadata_api, pg_schema, order_schema):
    seed_source(metadata_api, pg_schema, name="pg1", tables=("user",))
    before = metadata_api.export()

    response = console.post(
        RELATIONSHIPS_URL + "add/",
        {**seed_relationship_form(), **rows("mapping", [{"from_field": "user_id", "to_column": "nope"}])},
    )

    assert response.status_code == 200
    assert 'column "nope"' in text(response, "mapping-0-errors")
    assert metadata_api.export() == before


def test_a_relationship_to_another_remote_schema_uses_argument_templates(
    console, metadata_api, order_schema, make_graphql_server
):
    users = make_graphql_server(USERS_SDL)
    console.post("/console/remote-schemas/add/", add_form("users-api", users.endpoint))
    arguments = console.get(
        "/console/choices/remote-arguments", {"remote_schema": "users-api", "field": "user"}
    )
    assert arguments.json()["choices"] == [{"value": "id", "label": "id: Int!"}]

    data = seed_relationship_form(
        name="buyer", target="remote_schema", target_remote_schema="users-api", remote_field="user"
    )
    data.update(rows("arguments", [{"argument": "id", "value": "$user_id"}]))
    response = console.post(RELATIONSHIPS_URL + "add/", data)

    assert response.status_code == 302
    (order_schema_metadata, _) = metadata_api.export()["remote_schemas"]
    (group,) = order_schema_metadata["remote_relationships"]
    assert group["relationships"][0]["definition"] == {
        "to_remote_schema": {
            "remote_schema": "users-api",
            "lhs_fields": ["user_id"],
            "remote_field": {"user": {"arguments": {"id": "$user_id"}}},
        }
    }


def test_an_unknown_template_variable_is_shown_at_its_argument(
    console, metadata_api, order_schema, make_graphql_server
):
    users = make_graphql_server(USERS_SDL)
    console.post("/console/remote-schemas/add/", add_form("users-api", users.endpoint))

    data = seed_relationship_form(
        name="buyer", target="remote_schema", target_remote_schema="users-api", remote_field="user"
    )
    data.update(rows("arguments", [{"argument": "id", "value": "$no_such_field"}]))
    response = console.post(RELATIONSHIPS_URL + "add/", data)

    assert response.status_code == 200
    assert "no_such_field" in text(response, "arguments-0-errors")
    assert "remote_relationships" not in metadata_api.export()["remote_schemas"][0]


def test_relationship_delete_reload_and_remove(console, metadata_api, pg_schema, order_schema):
    seed_source(metadata_api, pg_schema, name="pg1", tables=("user",))
    console.post(
        RELATIONSHIPS_URL + "add/",
        {**seed_relationship_form(), **rows("mapping", [{"from_field": "user_id", "to_column": "id"}])},
    )

    console.post(RELATIONSHIPS_URL + "Order/user/delete/")
    assert "remote_relationships" not in metadata_api.export()["remote_schemas"][0]

    calls_before = len(order_schema.calls())
    reloaded = console.post("/console/remote-schemas/order-remote-schema/reload/", follow=True)
    assert len(order_schema.calls()) == calls_before + 1
    assert "order-remote-schema reloaded." in text(reloaded, "messages")

    removed = console.post("/console/remote-schemas/order-remote-schema/delete/")
    assert removed["Location"] == "/console/remote-schemas/"
    assert "remote_schemas" not in metadata_api.export()
