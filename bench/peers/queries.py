"""The statements and remote-schema documents the Python peers send: one batch per join level.

Both peers batch the same way, so they send the same text: ``= ANY(%s)`` over the keys of a level,
re-ordered to the keys by the caller, and one GraphQL request per batch to the remote schema, either
one aliased ``stock`` field per key (Hasura's alias mode) or one ``stocks(skus:)`` list argument.
"""

from __future__ import annotations

import json
import os
from typing import Any

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "")
WEBHOOK_URL = os.environ.get("BENCH_WEBHOOK_URL", "")
REMOTE_URL = os.environ.get("BENCH_REMOTE_URL", "")
POOL_SIZE = 4
HTTP_TIMEOUT_S = 60.0
NO_LIMIT = 2**31 - 1

CUSTOMERS_BY_IDS = "SELECT id, name, email, sku FROM customers WHERE id = ANY(%s)"
CUSTOMERS_PAGE = {
    "asc": "SELECT id, name, email, sku FROM customers ORDER BY id ASC LIMIT %s",
    "desc": "SELECT id, name, email, sku FROM customers ORDER BY id DESC LIMIT %s",
}
ORDERS_OF_CUSTOMERS = """
SELECT id, customer_id, total::float8 AS total FROM (
  SELECT id, customer_id, total, row_number() OVER (PARTITION BY customer_id ORDER BY id) AS rank
  FROM orders WHERE customer_id = ANY(%s)
) AS ranked WHERE rank <= %s ORDER BY customer_id, id
"""
WAREHOUSES_BY_CODES = "SELECT code, name FROM warehouses WHERE code = ANY(%s)"
SHIPMENTS = "query($n: Int!) { shipments(n: $n) { id customer_id } }"
STOCKS = "query($skus: [ID!]!) { stocks(skus: $skus) { sku qty warehouse } }"
STOCK_FIELDS = "{ sku qty warehouse }"


def customer_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """A ``customers`` row (id, name, email, sku) as a dict."""
    return {"id": row[0], "name": row[1], "email": row[2], "sku": row[3]}


def order_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """An ``orders`` row (id, customer_id, total) as a dict."""
    return {"id": row[0], "customer_id": row[1], "total": row[2]}


def webhook_body(limit: int) -> dict[str, Any]:
    """The action call for ``recent_orders(limit)``, as Hasura's webhook contract shapes it."""
    return {"action": {"name": "recent_orders"}, "input": {"limit": limit}, "session_variables": {}}


def alias_document(skus: list[str]) -> str:
    """One request with one aliased ``stock`` field per key, values inlined (Hasura's alias mode)."""
    fields = " ".join(
        f"s{index}: stock(sku: {json.dumps(sku)}) {STOCK_FIELDS}" for index, sku in enumerate(skus)
    )
    return "{ " + fields + " }"


def alias_answers(data: dict[str, Any], count: int) -> list[Any]:
    """The answers of an alias document, in key order."""
    return [data[f"s{index}"] for index in range(count)]


def grouped(rows: list[dict[str, Any]], field: str, keys: list[Any]) -> list[list[dict[str, Any]]]:
    """Rows grouped by ``field``, one (possibly empty) list per key, in key order."""
    groups: dict[Any, list[dict[str, Any]]] = {key: [] for key in keys}
    for row in rows:
        groups[row[field]].append(row)
    return [groups[key] for key in keys]


def by_key(rows: list[dict[str, Any]], field: str, keys: list[Any]) -> list[dict[str, Any] | None]:
    """The row of each key (None when missing), in key order."""
    found = {row[field]: row for row in rows}
    return [found.get(key) for key in keys]
