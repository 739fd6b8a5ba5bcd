"""The benchmark's deterministic data: table contents, the webhook's answers and the expected response.

Customers 1..100,000; orders 1..1,000,000, ten per customer (orders (c-1)*10+1 .. c*10 belong to
customer c). The action's answer for ``limit: n`` holds n orders of n distinct customers, spread
over the whole table by a stride prime to the table size.
"""

from __future__ import annotations

from typing import Any

CUSTOMERS = 100_000
ORDERS_PER_CUSTOMER = 10
CUSTOMER_STRIDE = 7_919  # prime, not a divisor of CUSTOMERS: i -> customer id is one-to-one below CUSTOMERS

SCHEMA_SQL = """
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL);
CREATE TABLE orders (
    id int PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers (id),
    total numeric(10, 2) NOT NULL
);
"""
LOAD_SQL = """
INSERT INTO customers (id, name, email)
    SELECT i, 'Customer ' || i, 'customer' || i || '@example.com' FROM generate_series(1, %(customers)s) AS i;
INSERT INTO orders (id, customer_id, total)
    SELECT i, (i - 1) / %(per_customer)s + 1, ((i * 37) %% 10000) / 100.0
    FROM generate_series(1, %(customers)s * %(per_customer)s) AS i;
CREATE INDEX orders_customer_id ON orders (customer_id);
"""


def customer_id(index: int) -> int:
    """The customer of the index-th order in an answer."""
    return 1 + (index * CUSTOMER_STRIDE) % CUSTOMERS


def order_total(order_id: int) -> float:
    """An order's total, as the table holds it."""
    return (order_id * 37 % 10_000) / 100


def recent_orders(limit: int) -> list[dict[str, Any]]:
    """The webhook's answer to ``recent_orders(limit)``: ``limit`` orders, each of another customer."""
    answer = []
    for index in range(limit):
        customer = customer_id(index)
        order_id = (customer - 1) * ORDERS_PER_CUSTOMER + 1 + index % ORDERS_PER_CUSTOMER
        answer.append({"id": order_id, "customer_id": customer, "total": order_total(order_id)})
    return answer


def customer(customer_id: int) -> dict[str, Any]:
    """A customer row as the benchmark query selects it."""
    return {
        "id": customer_id,
        "name": f"Customer {customer_id}",
        "email": f"customer{customer_id}@example.com",
    }


def expected_response(limit: int) -> dict[str, Any]:
    """The complete GraphQL response to the benchmark query for ``limit``."""
    rows = [
        {"id": row["id"], "total": row["total"], "customer": customer(row["customer_id"])}
        for row in recent_orders(limit)
    ]
    return {"data": {"recent_orders": rows}}
