"""docs/webhooks.md's examples, checked against a real handler: what it receives and what the client sees.

The page's ``placeOrder`` action is set up on a PostgreSQL ``shop`` database with a real local webhook
server. The request the handler receives must be the page's, headers included as the page describes
them; the handler's documented answer must reach the client as the page shows, with its cookie.
"""

import json
from contextlib import closing

import psycopg2
import pytest

from tests.docs.marked_blocks import ROOT, marked_blocks
from tests.integration.conftest import GraphQLClient
from tests.relationships.conftest import MetadataClient
from tests.support.servers import Reply

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DOC = ROOT / "docs" / "webhooks.md"
SHOP_TABLES = """
    CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL);
    CREATE TABLE purchase (id serial PRIMARY KEY, customer_id integer NOT NULL REFERENCES customer (id),
                           product text NOT NULL);
    INSERT INTO customer (name) VALUES ('Arya');
    INSERT INTO purchase (customer_id, product) VALUES (1, 'Needle');
"""
CUSTOM_TYPES = {
    "enums": [{"name": "PurchaseStatus", "values": [{"value": "placed"}, {"value": "shipped"}]}],
    "input_objects": [
        {
            "name": "PurchaseInput",
            "fields": [{"name": "product", "type": "String!"}, {"name": "customer_id", "type": "Int!"}],
        }
    ],
    "objects": [
        {
            "name": "PlaceOrderOutput",
            "fields": [
                {"name": "purchase_id", "type": "Int!"},
                {"name": "status", "type": "PurchaseStatus!"},
            ],
            "relationships": [
                {
                    "name": "purchase",
                    "type": "object",
                    "source": "shop",
                    "remote_table": "purchase",
                    "field_mapping": {"purchase_id": "id"},
                }
            ],
        }
    ],
}
CLIENT_HEADERS = {
    "X-Hasura-Role": "user",
    "X-Hasura-User-Id": "1",
    "Authorization": "Bearer a-token",
    "X-Shop-Key": "from-the-client",
    "Host": "localhost",
    "User-Agent": "a-browser",
}
COOKIE = "shop_session=abc; Path=/; HttpOnly"


def documented(name):
    (block,) = [b for b in marked_blocks(DOC) if (b.kind, b.argument) == ("webhook", name)]
    return json.loads(block.text)


@pytest.fixture(scope="module")
def shop_database(empty_pg_database):
    with (
        closing(psycopg2.connect(empty_pg_database)) as connection,
        connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(SHOP_TABLES)
    return empty_pg_database


@pytest.fixture
def place_order(client, shop_database, webhook_server):
    """The page's placeOrder action, its handler at the webhook server's /place-order."""
    api = MetadataClient(client)
    source = {"name": "shop", "configuration": {"connection_info": {"database_url": shop_database}}}
    api.ok("pg_add_source", source)
    api.ok("pg_track_table", {"source": "shop", "table": "purchase"})
    permission = {"columns": ["product"], "filter": {}}
    api.ok(
        "pg_create_select_permission",
        {"source": "shop", "table": "purchase", "role": "user", "permission": permission},
    )
    api.ok("set_custom_types", CUSTOM_TYPES)
    definition = {
        "handler": webhook_server.url("/place-order"),
        "arguments": [{"name": "purchase", "type": "PurchaseInput!"}],
        "output_type": "PlaceOrderOutput",
        "headers": [{"name": "X-Shop-Key", "value": "not-a-secret"}],
        "forward_client_headers": True,
    }
    api.ok("create_action", {"name": "placeOrder", "definition": definition})
    api.ok("create_action_permission", {"action": "placeOrder", "role": "user"})
    return webhook_server


def call_place_order(client, caplog):
    request = documented("request")
    return GraphQLClient(client, caplog).post(
        request["request_query"], {"p": request["input"]["purchase"]}, headers=CLIENT_HEADERS
    )


def test_the_handler_receives_the_documented_request(place_order, client, caplog):
    place_order.route("/place-order", documented("answer"))

    call_place_order(client, caplog)

    (received,) = place_order.calls("/place-order")
    assert json.loads(received.body) == documented("request")
    assert received.header("X-Shop-Key") == "not-a-secret"
    assert received.header("Authorization") == "Bearer a-token"
    assert received.header("X-Forwarded-Host") == "localhost"
    assert received.header("X-Forwarded-User-Agent") == "a-browser"
    assert received.header("Content-Type") == "application/json"
    assert received.header("User-Agent").startswith("joinery/")
    assert [name for name in received.header_names if name.startswith("x-hasura-")] == []


def test_the_client_receives_the_documented_answer_and_the_cookie(place_order, client, caplog):
    place_order.route(
        "/place-order",
        Reply(
            json=documented("answer"), headers=[("Content-Type", "application/json"), ("Set-Cookie", COOKIE)]
        ),
    )

    answer = call_place_order(client, caplog)

    assert answer.body == documented("response")
    assert answer.cookies == {"shop_session": "abc"}


def test_a_handler_error_keeps_its_extensions(place_order, client, caplog):
    (error,) = documented("handler-error")["errors"]
    place_order.route(
        "/place-order",
        Reply(status=400, json={"message": error["message"], "extensions": error["extensions"]}),
    )

    answer = call_place_order(client, caplog)

    assert answer.body == documented("handler-error")
