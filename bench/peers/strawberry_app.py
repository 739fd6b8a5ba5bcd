"""Peer: strawberry-graphql with per-request DataLoaders, an ASGI app served by gunicorn + uvicorn.

What a Python team writing the benchmark's gateway by hand would do: async resolvers, one shared
``httpx.AsyncClient`` (keep-alive) for the webhook and the remote schema, a psycopg 3 async pool of
four autocommit connections, and a DataLoader per relationship per request, so each join level is
one ``= ANY(%s)`` statement or one remote request (``bench.peers.queries``).

    gunicorn -w 1 -k uvicorn_worker.UvicornWorker bench.peers.strawberry_app:app

Environment: BENCH_DATABASE_URL, BENCH_WEBHOOK_URL, BENCH_REMOTE_URL.
"""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from enum import Enum
from typing import Any

import httpx
import strawberry
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.dataloader import DataLoader
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from bench.peers import queries


class Resources:
    """The process-wide database pool and HTTP client, opened at start-up."""

    pool: AsyncConnectionPool
    http: httpx.AsyncClient


RESOURCES = Resources()


async def fetch(statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Rows of one statement, on a pooled connection."""
    async with RESOURCES.pool.connection() as connection:
        cursor = await connection.execute(statement, params)
        return await cursor.fetchall()


async def post_json(url: str, payload: dict[str, Any]) -> Any:
    """POST a JSON body through the shared client; the decoded answer."""
    response = await RESOURCES.http.post(url, json=payload)
    response.raise_for_status()
    return response.json()


async def remote(document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """One request to the remote schema; its ``data``."""
    answer = await post_json(queries.REMOTE_URL, {"query": document, "variables": variables or {}})
    if answer.get("errors"):
        raise RuntimeError(f"remote schema answered errors: {answer['errors']}")
    return answer["data"]


@strawberry.type
class Warehouse:
    code: str
    name: str


@strawberry.type
class Stock:
    sku: strawberry.ID
    qty: int
    warehouse: str

    @strawberry.field
    async def warehouse_info(self, info: Info) -> Warehouse | None:
        return await info.context.warehouses.load(self.warehouse)


@strawberry.type
class Order:
    id: int
    customer_id: int
    total: float


@strawberry.enum(name="order_by")
class OrderBy(Enum):
    asc = "asc"
    desc = "desc"


@strawberry.input(name="customers_order_by")
class CustomersOrderBy:
    id: OrderBy | None = None


@strawberry.input(name="orders_order_by")
class OrdersOrderBy:
    id: OrderBy | None = None


@strawberry.type
class Customer:
    id: int
    name: str
    email: str
    sku: strawberry.Private[str]

    @strawberry.field
    async def orders(
        self, info: Info, limit: int | None = None, order_by: OrdersOrderBy | None = None
    ) -> list[Order]:
        return await info.context.orders(limit).load(self.id)

    @strawberry.field
    async def stock(self, info: Info) -> Stock | None:
        return await info.context.stock_by_alias.load(self.sku)

    @strawberry.field
    async def stock_list(self, info: Info) -> Stock | None:
        return await info.context.stock_by_list.load(self.sku)


@strawberry.type
class OrderOut:
    id: int
    customer_id: int
    total: float

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await info.context.customers.load(self.customer_id)


@strawberry.type
class Shipment:
    id: strawberry.ID
    customer_id: int

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await info.context.customers.load(self.customer_id)


async def load_customers(ids: list[int]) -> list[Customer | None]:
    rows = [queries.customer_row(row) for row in await fetch(queries.CUSTOMERS_BY_IDS, (list(ids),))]
    return [Customer(**row) if row else None for row in queries.by_key(rows, "id", ids)]


def orders_batch(limit: int) -> Callable[[list[int]], Awaitable[list[list[Order]]]]:
    """The batch function of the orders loader for one ``limit``."""

    async def load(customer_ids: list[int]) -> list[list[Order]]:
        found = await fetch(queries.ORDERS_OF_CUSTOMERS, (list(customer_ids), limit))
        groups = queries.grouped([queries.order_row(row) for row in found], "customer_id", customer_ids)
        return [[Order(**order) for order in group] for group in groups]

    return load


async def load_warehouses(codes: list[str]) -> list[Warehouse | None]:
    rows = [
        {"code": row[0], "name": row[1]} for row in await fetch(queries.WAREHOUSES_BY_CODES, (list(codes),))
    ]
    return [Warehouse(**row) if row else None for row in queries.by_key(rows, "code", codes)]


def stocks(answers: list[Any]) -> list[Stock | None]:
    return [Stock(**answer) if answer else None for answer in answers]


async def load_stock_by_alias(skus: list[str]) -> list[Stock | None]:
    data = await remote(queries.alias_document(list(skus)))
    return stocks(queries.alias_answers(data, len(skus)))


async def load_stock_by_list(skus: list[str]) -> list[Stock | None]:
    return stocks((await remote(queries.STOCKS, {"skus": list(skus)}))["stocks"])


class Context:
    """The loaders of one request."""

    def __init__(self) -> None:
        self.customers = DataLoader(load_fn=load_customers)
        self.stock_by_alias = DataLoader(load_fn=load_stock_by_alias)
        self.stock_by_list = DataLoader(load_fn=load_stock_by_list)
        self.warehouses = DataLoader(load_fn=load_warehouses)
        self._orders: dict[int, DataLoader] = {}

    def orders(self, limit: int | None) -> DataLoader:
        """The orders loader for one ``limit`` argument."""
        key = queries.NO_LIMIT if limit is None else limit
        if key not in self._orders:
            self._orders[key] = DataLoader(load_fn=orders_batch(key))
        return self._orders[key]


@strawberry.type
class Query:
    @strawberry.field
    async def recent_orders(self, limit: int) -> list[OrderOut]:
        rows = await post_json(queries.WEBHOOK_URL, queries.webhook_body(limit))
        return [OrderOut(**row) for row in rows]

    @strawberry.field
    async def customers(
        self, limit: int | None = None, order_by: CustomersOrderBy | None = None
    ) -> list[Customer]:
        direction = "desc" if order_by and order_by.id is OrderBy.desc else "asc"
        rows = await fetch(queries.CUSTOMERS_PAGE[direction], (queries.NO_LIMIT if limit is None else limit,))
        return [Customer(**queries.customer_row(row)) for row in rows]

    @strawberry.field
    async def shipments(self, n: int) -> list[Shipment]:
        return [Shipment(**row) for row in (await remote(queries.SHIPMENTS, {"n": n}))["shipments"]]


class GraphQLApp(GraphQL):
    """The GraphQL endpoint, with fresh loaders for every request."""

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context()


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Open the pool and the HTTP client at start-up; close them at shutdown."""
    RESOURCES.pool = AsyncConnectionPool(
        queries.DATABASE_URL,
        min_size=queries.POOL_SIZE,
        max_size=queries.POOL_SIZE,
        kwargs={"autocommit": True},
        open=False,
    )
    await RESOURCES.pool.open(wait=True)
    RESOURCES.http = httpx.AsyncClient(timeout=queries.HTTP_TIMEOUT_S)
    yield
    await RESOURCES.http.aclose()
    await RESOURCES.pool.close()


schema = strawberry.Schema(query=Query, config=StrawberryConfig(auto_camel_case=False))
app = Starlette(routes=[Route("/v1/graphql", GraphQLApp(schema, graphql_ide=None))], lifespan=lifespan)
