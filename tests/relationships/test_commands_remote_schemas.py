"""Metadata API commands for remote schemas and relationships on their types, against real servers."""

import pytest
from graphql import build_schema, introspection_from_schema

from tests.relationships.conftest import pg_source_args
from tests.relationships.test_commands_actions import assert_refused, snapshot
from tests.support.servers import GraphQLServer, Reply, unused_port

ORDER_SDL = """
type Order { id: ID! user_id: Int! customer: Customer tags: [String!] }
type Customer { id: Int! }
type Query { orders: [Order!]! }
"""
USERS_SDL = """
type User { id: Int! name: String! }
type Query { person(id: Int!): User people: [User!]! }
"""
ORDERS_WITHOUT_USER_ID_SDL = """
type Order { id: ID! }
type Query { orders: [Order!]! }
"""


def introspection_answer(sdl):
    """What a server with schema ``sdl`` answers to the introspection query."""
    return {"data": introspection_from_schema(build_schema(sdl))}


@pytest.fixture
def orders_server():
    with GraphQLServer(ORDER_SDL) as server:
        yield server


@pytest.fixture
def users_server():
    with GraphQLServer(USERS_SDL) as server:
        yield server


@pytest.fixture
def orders(metadata_api, orders_server):
    """The ``orders`` remote schema, added."""
    metadata_api.ok("add_remote_schema", {"name": "orders", "definition": {"url": orders_server.endpoint}})
    return metadata_api


@pytest.fixture
def pg1(orders, pg_schema):
    """``orders`` plus a source ``pg1`` with public.user tracked."""
    orders.ok("pg_add_source", pg_source_args("pg1", pg_schema))
    orders.ok("pg_track_table", {"source": "pg1", "table": "user"})
    return orders


def to_user_table(field_mapping=None, table="user", source="pg1", relationship_type="object"):
    return {
        "to_source": {
            "relationship_type": relationship_type,
            "source": source,
            "table": {"schema": "public", "name": table},
            "field_mapping": field_mapping or {"user_id": "id"},
        }
    }


def relationship_args(definition, name="user", type_name="Order", remote_schema="orders"):
    return {"remote_schema": remote_schema, "type_name": type_name, "name": name, "definition": definition}


def introspections(server):
    return [call for call in server.calls() if call.is_introspection]


# add_remote_schema --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_remote_schema_introspects_now_and_exports_the_definition(metadata_api, orders_server):
    args = {
        "name": "orders",
        "definition": {
            "url": orders_server.endpoint,
            "headers": [{"name": "X-From", "value": "joinery"}],
            "timeout_seconds": 5,
        },
        "comment": "the order service",
    }

    assert metadata_api.ok("add_remote_schema", args) == {"message": "success"}

    (call,) = introspections(orders_server)
    assert call.header("X-From") == "joinery"
    assert metadata_api.export()["remote_schemas"] == [
        {
            "name": "orders",
            "definition": {
                "url": orders_server.endpoint,
                "timeout_seconds": 5,
                "headers": [{"name": "X-From", "value": "joinery"}],
            },
            "comment": "the order service",
        }
    ]


@pytest.mark.django_db
def test_introspect_remote_schema_returns_the_stored_answer_without_calling(orders, orders_server):
    orders_server.reset()

    answer = orders.ok("introspect_remote_schema", {"name": "orders"})

    assert orders_server.calls() == []
    assert answer["data"]["__schema"]["queryType"]["name"] == "Query"
    order_type = next(t for t in answer["data"]["__schema"]["types"] if t["name"] == "Order")
    assert [f["name"] for f in order_type["fields"]] == ["id", "user_id", "customer", "tags"]


@pytest.mark.django_db
def test_introspect_remote_schema_refuses_an_unknown_name(orders):
    assert_refused(
        orders,
        "introspect_remote_schema",
        {"name": "nope"},
        code="not-exists",
        path="$.args",
        error='remote schema: "nope" not found',
    )


@pytest.mark.django_db
def test_add_remote_schema_refuses_an_unreachable_server(metadata_api):
    url = f"http://127.0.0.1:{unused_port()}/graphql"

    body = assert_refused(
        metadata_api,
        "add_remote_schema",
        {"name": "orders", "definition": {"url": url}},
        code="remote-schema-error",
        path="$.args",
        error=f'HTTP exception occurred while sending the request to "{url}"',
    )

    assert body["internal"]["type"] == "http_exception"


@pytest.mark.django_db
def test_add_remote_schema_refuses_a_duplicate_name(orders, users_server):
    assert_refused(
        orders,
        "add_remote_schema",
        {"name": "orders", "definition": {"url": users_server.endpoint}},
        code="already-exists",
        path="$.args",
        error='remote schema with name "orders" already exists',
    )
    assert introspections(users_server) == []


@pytest.mark.django_db
def test_add_remote_schema_reports_a_bad_definition_at_its_path(metadata_api, orders_server):
    assert_refused(
        metadata_api,
        "add_remote_schema",
        {"name": "orders", "definition": {"url": orders_server.endpoint, "url_from_env": "ORDERS_URL"}},
        code="parse-failed",
        path="$.args.definition",
        error="both url and url_from_env can't be present",
    )


# update_remote_schema -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_update_remote_schema_with_the_same_url_does_not_introspect(pg1, orders_server):
    pg1.ok("create_remote_schema_remote_relationship", relationship_args(to_user_table()))
    orders_server.reset()

    pg1.ok(
        "update_remote_schema",
        {
            "name": "orders",
            "definition": {"url": orders_server.endpoint, "timeout_seconds": 9},
            "comment": "new",
        },
    )

    assert orders_server.calls() == []
    (exported,) = pg1.export()["remote_schemas"]
    assert exported["definition"] == {"url": orders_server.endpoint, "timeout_seconds": 9}
    assert exported["comment"] == "new"
    assert exported["remote_relationships"][0]["relationships"][0]["name"] == "user"


@pytest.mark.django_db
def test_update_remote_schema_to_a_new_url_introspects_it_and_keeps_relationships(pg1, orders_server):
    pg1.ok("create_remote_schema_remote_relationship", relationship_args(to_user_table()))
    with GraphQLServer(ORDER_SDL) as moved:
        pg1.ok("update_remote_schema", {"name": "orders", "definition": {"url": moved.endpoint}})

        assert len(introspections(moved)) == 1
    (exported,) = pg1.export()["remote_schemas"]
    assert exported["definition"] == {"url": moved.endpoint}
    assert exported["remote_relationships"] == [
        {"type_name": "Order", "relationships": [{"name": "user", "definition": to_user_table()}]}
    ]


@pytest.mark.django_db
def test_update_remote_schema_refuses_a_server_that_breaks_a_relationship(pg1):
    pg1.ok("create_remote_schema_remote_relationship", relationship_args(to_user_table()))
    with GraphQLServer(ORDERS_WITHOUT_USER_ID_SDL) as moved:
        body = assert_refused(
            pg1,
            "update_remote_schema",
            {"name": "orders", "definition": {"url": moved.endpoint}},
            code="unexpected",
            path="$.args",
            error="cannot continue due to new inconsistent metadata",
        )

    assert [i["type"] for i in body["internal"]] == ["remote_schema_remote_relationship"]


@pytest.mark.django_db
def test_update_remote_schema_refuses_an_unknown_name(orders, orders_server):
    assert_refused(
        orders,
        "update_remote_schema",
        {"name": "nope", "definition": {"url": orders_server.endpoint}},
        code="not-exists",
        path="$.args",
        error='remote schema with name "nope" doesn\'t exist',
    )


# reload_remote_schema -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reload_remote_schema_stores_the_new_answer(orders, orders_server):
    orders_server.answer_with(Reply(json=introspection_answer(USERS_SDL)))
    before = snapshot(orders)["resource_version"]

    assert orders.ok("reload_remote_schema", {"name": "orders"}) == {"message": "success"}

    answer = orders.ok("introspect_remote_schema", {"name": "orders"})
    assert {t["name"] for t in answer["data"]["__schema"]["types"]} >= {"User"}
    assert "Order" not in {t["name"] for t in answer["data"]["__schema"]["types"]}
    assert snapshot(orders)["resource_version"] == before + 1


@pytest.mark.django_db
def test_reload_remote_schema_refuses_an_answer_that_breaks_a_relationship(pg1, orders_server):
    pg1.ok("create_remote_schema_remote_relationship", relationship_args(to_user_table()))
    stored = pg1.ok("introspect_remote_schema", {"name": "orders"})
    orders_server.answer_with(Reply(json=introspection_answer(ORDERS_WITHOUT_USER_ID_SDL)))

    assert_refused(
        pg1,
        "reload_remote_schema",
        {"name": "orders"},
        code="unexpected",
        path="$.args",
        error="cannot continue due to new inconsistent metadata",
    )

    assert pg1.ok("introspect_remote_schema", {"name": "orders"}) == stored


@pytest.mark.django_db
def test_reload_remote_schema_of_a_server_that_is_down(orders, orders_server):
    orders_server.down()

    assert_refused(
        orders,
        "reload_remote_schema",
        {"name": "orders"},
        code="remote-schema-error",
        path="$.args",
        error=f'HTTP exception occurred while sending the request to "{orders_server.endpoint}"',
    )


@pytest.mark.django_db
def test_reload_remote_schema_refuses_an_unknown_name(orders):
    assert_refused(
        orders,
        "reload_remote_schema",
        {"name": "nope"},
        code="not-exists",
        path="$.args",
        error='remote schema with name "nope" does not exist',
    )


# remove_remote_schema -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_remove_remote_schema_takes_its_own_relationships_with_it(pg1):
    pg1.ok("create_remote_schema_remote_relationship", relationship_args(to_user_table()))

    pg1.ok("remove_remote_schema", {"name": "orders"})

    assert "remote_schemas" not in pg1.export()


@pytest.mark.django_db
def test_remove_remote_schema_refuses_while_another_remote_schema_joins_to_it(orders, users_server):
    orders.ok("add_remote_schema", {"name": "users", "definition": {"url": users_server.endpoint}})
    to_users = {
        "to_remote_schema": {
            "remote_schema": "users",
            "lhs_fields": ["user_id"],
            "remote_field": {"person": {"arguments": {"id": "$user_id"}}},
        }
    }
    orders.ok("create_remote_schema_remote_relationship", relationship_args(to_users, name="buyer"))

    body = assert_refused(
        orders, "remove_remote_schema", {"name": "users"}, code="dependency-error", path="$.args"
    )

    assert body["error"].startswith("cannot drop due to the following dependent objects")
    assert "buyer" in body["error"]
    orders.ok("remove_remote_schema", {"name": "orders"})
    orders.ok("remove_remote_schema", {"name": "users"})


@pytest.mark.django_db
def test_remove_remote_schema_refuses_while_a_table_joins_to_it(pg1, users_server):
    pg1.ok("add_remote_schema", {"name": "users", "definition": {"url": users_server.endpoint}})
    pg1.ok(
        "pg_create_remote_relationship",
        {
            "name": "profile",
            "source": "pg1",
            "table": "user",
            "definition": {
                "to_remote_schema": {
                    "remote_schema": "users",
                    "lhs_fields": ["id"],
                    "remote_field": {"person": {"arguments": {"id": "$id"}}},
                }
            },
        },
    )

    body = assert_refused(
        pg1, "remove_remote_schema", {"name": "users"}, code="dependency-error", path="$.args"
    )

    assert "profile" in body["error"]


@pytest.mark.django_db
def test_remove_remote_schema_refuses_an_unknown_name(orders):
    assert_refused(
        orders,
        "remove_remote_schema",
        {"name": "nope"},
        code="not-exists",
        path="$.args",
        error="no such remote schema",
    )


# relationships on remote schema types -------------------------------------------------------------


@pytest.mark.django_db
def test_remote_schema_relationship_is_created_updated_and_deleted(pg1):
    pg1.ok("create_remote_schema_remote_relationship", relationship_args(to_user_table()))
    pg1.ok("create_remote_schema_remote_relationship", relationship_args(to_user_table(), name="buyer"))

    pg1.ok(
        "update_remote_schema_remote_relationship",
        relationship_args(to_user_table(relationship_type="array"), name="user"),
    )
    (group,) = pg1.export()["remote_schemas"][0]["remote_relationships"]
    assert group == {
        "type_name": "Order",
        "relationships": [
            {"name": "user", "definition": to_user_table(relationship_type="array")},
            {"name": "buyer", "definition": to_user_table()},
        ],
    }

    pg1.ok(
        "delete_remote_schema_remote_relationship",
        {"remote_schema": "orders", "type_name": "Order", "name": "user"},
    )
    pg1.ok(
        "delete_remote_schema_remote_relationship",
        {"remote_schema": "orders", "type_name": "Order", "name": "buyer"},
    )
    assert "remote_relationships" not in pg1.export()["remote_schemas"][0]


@pytest.mark.django_db
def test_remote_schema_relationship_accepts_type_as_an_alias_of_type_name(pg1):
    args = relationship_args(to_user_table())
    args["type"] = args.pop("type_name")

    pg1.ok("create_remote_schema_remote_relationship", args)

    assert pg1.export()["remote_schemas"][0]["remote_relationships"][0]["type_name"] == "Order"


@pytest.mark.django_db
def test_remote_schema_relationship_refuses_a_duplicate(pg1):
    pg1.ok("create_remote_schema_remote_relationship", relationship_args(to_user_table()))

    assert_refused(
        pg1,
        "create_remote_schema_remote_relationship",
        relationship_args(to_user_table()),
        code="already-exists",
        path="$.args",
        error='relationship with name "user" already exists on type "Order" of remote schema "orders"',
    )


@pytest.mark.django_db
def test_update_remote_schema_relationship_refuses_an_unknown_one(pg1):
    assert_refused(
        pg1,
        "update_remote_schema_remote_relationship",
        relationship_args(to_user_table()),
        code="not-exists",
        path="$.args",
        error='no relationship defined on remote schema "orders" with name "user"',
    )


@pytest.mark.django_db
def test_delete_remote_schema_relationship_refuses_an_unknown_one(pg1):
    assert_refused(
        pg1,
        "delete_remote_schema_remote_relationship",
        {"remote_schema": "orders", "type_name": "Order", "name": "user"},
        code="not-exists",
        path="$.args",
    )


INVALID_RELATIONSHIPS = {
    "missing remote schema": (
        relationship_args(to_user_table(), remote_schema="nowhere"),
        "not-exists",
        "$.args.remote_schema",
    ),
    "missing target remote schema": (
        relationship_args(
            {
                "to_remote_schema": {
                    "remote_schema": "nowhere",
                    "lhs_fields": ["user_id"],
                    "remote_field": {"person": {"arguments": {"id": "$user_id"}}},
                }
            }
        ),
        "remote-schema-error",
        "$.args.definition.to_remote_schema.remote_schema",
    ),
    "missing type": (
        relationship_args(to_user_table(), type_name="Invoice"),
        "not-found",
        "$.args.type_name",
    ),
    "missing lhs field": (
        relationship_args(to_user_table({"buyer_id": "id"})),
        "remote-schema-error",
        "$.args.definition.to_source.field_mapping.buyer_id",
    ),
    "missing source": (
        relationship_args(to_user_table(source="nowhere")),
        "not-found",
        "$.args.definition.to_source.source",
    ),
    "missing table": (
        relationship_args(to_user_table(table="nothing")),
        "not-found",
        "$.args.definition.to_source.table",
    ),
    "missing column": (
        relationship_args(to_user_table({"user_id": "no_such_column"})),
        "not-exists",
        "$.args.definition.to_source.field_mapping.user_id",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "code", "path"), INVALID_RELATIONSHIPS.values(), ids=INVALID_RELATIONSHIPS.keys()
)
def test_remote_schema_relationship_refuses_an_invalid_reference(pg1, args, code, path):
    assert_refused(pg1, "create_remote_schema_remote_relationship", args, code=code, path=path)
