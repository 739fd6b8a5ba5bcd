"""Peer: graphene-django with batching done by hand, a WSGI app served by gunicorn (gthread).

graphene-django's view executes synchronously, so there is no DataLoader: each list resolver looks
at the selection below it and fetches the children of all its rows at once, one ``= ANY(%s)``
statement or one remote request per level (``bench.peers.queries``), then hands every row its
part. Child resolvers only read what their parent attached. A psycopg2 pool of four autocommit
connections (one per gunicorn thread) and one shared ``requests.Session`` (keep-alive).

    gunicorn -w 1 --threads 4 bench.peers.graphene_app:application

Environment: BENCH_DATABASE_URL, BENCH_WEBHOOK_URL, BENCH_REMOTE_URL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import django
import graphene
import requests
from django.conf import settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode, SelectionSetNode
from graphql.utilities import value_from_ast_untyped
from psycopg2.pool import ThreadedConnectionPool

from bench.peers import queries

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["graphene_django"],
    MIDDLEWARE=[],
    DATABASES={},
    SECRET_KEY="bench-peer-not-secret",
    LOGGING_CONFIG=None,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402 - needs the settings above
from graphene_django.views import GraphQLView  # noqa: E402 - needs the settings above

POOL = ThreadedConnectionPool(1, queries.POOL_SIZE, queries.DATABASE_URL)
HTTP = requests.Session()


@contextlib.contextmanager
def connection() -> Iterator[Any]:
    """A pooled autocommit connection, returned to the pool after the block."""
    lent = POOL.getconn()
    lent.autocommit = True
    try:
        yield lent
    finally:
        POOL.putconn(lent)


def fetch(statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Rows of one statement."""
    with connection() as lent, lent.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def post_json(url: str, payload: dict[str, Any]) -> Any:
    """POST a JSON body through the shared session; the decoded answer."""
    response = HTTP.post(url, json=payload, timeout=queries.HTTP_TIMEOUT_S)
    response.raise_for_status()
    return response.json()


def remote(document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """One request to the remote schema; its ``data``."""
    answer = post_json(queries.REMOTE_URL, {"query": document, "variables": variables or {}})
    if answer.get("errors"):
        raise RuntimeError(f"remote schema answered errors: {answer['errors']}")
    return answer["data"]


# --- looking ahead at the selection --------------------------------------------------------------


def children(nodes: list[FieldNode], info: GraphQLResolveInfo) -> dict[str, list[FieldNode]]:
    """The fields selected below ``nodes``, by response name, fragments flattened."""
    found: dict[str, list[FieldNode]] = {}

    def visit(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                found.setdefault(selection.name.value, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                visit(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                visit(info.fragments[selection.name.value].selection_set)

    for node in nodes:
        visit(node.selection_set)
    return found


def argument(nodes: list[FieldNode], name: str, info: GraphQLResolveInfo) -> Any:
    """The value of one argument of a selected field (None when absent)."""
    for node in nodes[0].arguments:
        if node.name.value == name:
            return value_from_ast_untyped(node.value, info.variable_values)
    return None


# --- one batch per level -------------------------------------------------------------------------


def customers_by_ids(ids: list[int], nodes: list[FieldNode], info: GraphQLResolveInfo) -> list[Any]:
    """The customers of ``ids`` (None when missing), in key order, with their selected children."""
    distinct = list(dict.fromkeys(ids))
    rows = [queries.customer_row(row) for row in fetch(queries.CUSTOMERS_BY_IDS, (distinct,))]
    attach_customer_children(rows, nodes, info)
    found = dict(zip(distinct, queries.by_key(rows, "id", distinct), strict=True))
    return [found[customer_id] for customer_id in ids]


def attach_customer_children(
    customers: list[dict[str, Any]], nodes: list[FieldNode], info: GraphQLResolveInfo
) -> None:
    """Fetch what is selected below a list of customers, once for the whole list."""
    selected = children(nodes, info)
    if not customers:
        return
    if "orders" in selected:
        limit = argument(selected["orders"], "limit", info)
        ids = [customer["id"] for customer in customers]
        found = fetch(queries.ORDERS_OF_CUSTOMERS, (ids, queries.NO_LIMIT if limit is None else limit))
        groups = queries.grouped([queries.order_row(row) for row in found], "customer_id", ids)
        for customer, orders in zip(customers, groups, strict=True):
            customer["orders"] = orders
    skus = list(dict.fromkeys(customer["sku"] for customer in customers))
    if "stock" in selected:
        answers = queries.alias_answers(remote(queries.alias_document(skus)), len(skus))
        attach_stock(customers, "stock", dict(zip(skus, answers, strict=True)), selected["stock"], info)
    if "stock_list" in selected:
        answers = remote(queries.STOCKS, {"skus": skus})["stocks"]
        attach_stock(
            customers, "stock_list", dict(zip(skus, answers, strict=True)), selected["stock_list"], info
        )


def attach_stock(
    customers: list[dict[str, Any]],
    field: str,
    by_sku: dict[str, Any],
    nodes: list[FieldNode],
    info: GraphQLResolveInfo,
) -> None:
    """Give each customer its stock, and each stock its warehouse row when ``warehouse_info`` is selected."""
    for customer in customers:
        customer[field] = by_sku[customer["sku"]]
    found = [stock for stock in by_sku.values() if stock]
    if "warehouse_info" in children(nodes, info) and found:
        codes = list(dict.fromkeys(stock["warehouse"] for stock in found))
        rows = [{"code": row[0], "name": row[1]} for row in fetch(queries.WAREHOUSES_BY_CODES, (codes,))]
        by_code = dict(zip(codes, queries.by_key(rows, "code", codes), strict=True))
        for stock in found:
            stock["warehouse_info"] = by_code[stock["warehouse"]]


def attach_customers(rows: list[dict[str, Any]], info: GraphQLResolveInfo) -> None:
    """Give each row (an order or a shipment) its customer, when ``customer`` is selected."""
    selected = children(info.field_nodes, info)
    if "customer" in selected and rows:
        ids = [row["customer_id"] for row in rows]
        for row, customer in zip(rows, customers_by_ids(ids, selected["customer"], info), strict=True):
            row["customer"] = customer


# --- the schema ----------------------------------------------------------------------------------


class OrderByEnum(graphene.Enum):
    class Meta:
        name = "order_by"

    asc = "asc"
    desc = "desc"


class CustomersOrderBy(graphene.InputObjectType):
    class Meta:
        name = "customers_order_by"

    id = OrderByEnum()


class OrdersOrderBy(graphene.InputObjectType):
    class Meta:
        name = "orders_order_by"

    id = OrderByEnum()


class Warehouse(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)


class Stock(graphene.ObjectType):
    sku = graphene.ID(required=True)
    qty = graphene.Int(required=True)
    warehouse = graphene.String(required=True)
    warehouse_info = graphene.Field(Warehouse)


class Order(graphene.ObjectType):
    id = graphene.Int(required=True)
    customer_id = graphene.Int(required=True)
    total = graphene.Float(required=True)


class Customer(graphene.ObjectType):
    id = graphene.Int(required=True)
    name = graphene.String(required=True)
    email = graphene.String(required=True)
    orders = graphene.List(
        graphene.NonNull(Order), required=True, limit=graphene.Int(), order_by=OrdersOrderBy()
    )
    stock = graphene.Field(Stock)
    stock_list = graphene.Field(Stock)


class OrderOut(graphene.ObjectType):
    id = graphene.Int(required=True)
    customer_id = graphene.Int(required=True)
    total = graphene.Float(required=True)
    customer = graphene.Field(Customer)


class Shipment(graphene.ObjectType):
    id = graphene.ID(required=True)
    customer_id = graphene.Int(required=True)
    customer = graphene.Field(Customer)


class Query(graphene.ObjectType):
    recent_orders = graphene.List(
        graphene.NonNull(OrderOut), required=True, limit=graphene.Int(required=True)
    )
    customers = graphene.List(
        graphene.NonNull(Customer), required=True, limit=graphene.Int(), order_by=CustomersOrderBy()
    )
    shipments = graphene.List(graphene.NonNull(Shipment), required=True, n=graphene.Int(required=True))

    def resolve_recent_orders(root: None, info: GraphQLResolveInfo, limit: int) -> list[dict[str, Any]]:
        orders = post_json(queries.WEBHOOK_URL, queries.webhook_body(limit))
        attach_customers(orders, info)
        return orders

    def resolve_customers(
        root: None, info: GraphQLResolveInfo, limit: int | None = None, order_by: Any = None
    ) -> list[dict[str, Any]]:
        wanted = getattr(order_by, "id", None) if order_by else None
        direction = "desc" if getattr(wanted, "value", wanted) == "desc" else "asc"
        rows = fetch(queries.CUSTOMERS_PAGE[direction], (queries.NO_LIMIT if limit is None else limit,))
        customers = [queries.customer_row(row) for row in rows]
        attach_customer_children(customers, info.field_nodes, info)
        return customers

    def resolve_shipments(root: None, info: GraphQLResolveInfo, n: int) -> list[dict[str, Any]]:
        shipments = remote(queries.SHIPMENTS, {"n": n})["shipments"]
        attach_customers(shipments, info)
        return shipments


schema = graphene.Schema(query=Query, auto_camelcase=False)
urlpatterns = [path("v1/graphql", csrf_exempt(GraphQLView.as_view(schema=schema)))]
application = get_wsgi_application()
