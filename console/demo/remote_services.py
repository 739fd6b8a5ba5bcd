"""The demo's two remote GraphQL services, built with graphql-core from SDL.

``/demo/graphql/orders`` is the seed's ``order-remote-schema`` (an ``Order`` carries the ``user_id``
the gateway joins to the ``user`` table); ``/demo/graphql/auth0`` is an Auth0-like profile service
(the ``users`` table joins to it on ``auth0_id``). Their data lives in the demo database, in tables
the gateway does not track. Each request runs on one connection, passed as the GraphQL context.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from graphql import GraphQLResolveInfo, GraphQLSchema, build_schema, graphql_sync

from console.demo.database import demo_connection

ORDERS_SDL = '''
"""An order placed by a row of the `user` table."""
type Order {
  id: Int!
  user_id: Int!
  product: String!
  quantity: Int!
}

type Query {
  """Every order, oldest first."""
  orders: [Order!]!
  """One order by its id."""
  order(id: Int!): Order
}
'''

AUTH0_SDL = '''
"""A user's profile as the identity provider keeps it."""
type Auth0Profile {
  user_id: String!
  email: String!
  nickname: String!
  last_login: String!
}

type Query {
  """The profile of one account, by its Auth0 user id (`provider|id`)."""
  auth0_profile(user_id: String!): Auth0Profile
}
'''


def _orders(info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    rows = info.context.execute("SELECT id, user_id, product, quantity FROM order_service_order ORDER BY id")
    return [dict(row) for row in rows]


def _order(info: GraphQLResolveInfo, id: int) -> dict[str, Any] | None:
    row = info.context.execute(
        "SELECT id, user_id, product, quantity FROM order_service_order WHERE id = ?", (id,)
    ).fetchone()
    return None if row is None else dict(row)


def _auth0_profile(info: GraphQLResolveInfo, user_id: str) -> dict[str, Any] | None:
    row = info.context.execute(
        "SELECT user_id, email, nickname, last_login FROM auth0_service_profile WHERE user_id = ?",
        (user_id,),
    ).fetchone()
    return None if row is None else dict(row)


def sign_up(connection: sqlite3.Connection, name: str) -> str:
    """Create (or log in again) the Auth0-like account for ``name``; return its user id.

    The account name is ``name`` lower-cased without anything but letters and digits, so
    ``Hodor`` becomes ``hodor|hodor`` with the e-mail address ``hodor@hodor.com``.
    """
    account = re.sub(r"[^a-z0-9]+", "", name.lower())
    if not account:
        raise ValueError("a name needs at least one letter or digit")
    user_id = f"{account}|{account}"
    connection.execute(
        "INSERT INTO auth0_service_profile (user_id, email, nickname, last_login) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET last_login = excluded.last_login",
        (user_id, f"{account}@{account}.com", name, _now()),
    )
    return user_id


def _now() -> str:
    """The current time as Auth0 writes it: ISO 8601 in UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def graphql_endpoint(schema: GraphQLSchema, root: dict[str, Any]) -> Any:
    """A view answering GraphQL POST requests (``query``, ``variables``, ``operationName``) on ``schema``."""

    @csrf_exempt
    @require_POST
    def endpoint(request: HttpRequest) -> HttpResponse:
        try:
            query, variables, operation_name = _graphql_request(request.body)
        except ValueError as error:
            return JsonResponse({"errors": [{"message": str(error)}]}, status=400)
        with demo_connection() as connection:
            result = graphql_sync(
                schema,
                query,
                root_value=root,
                context_value=connection,
                variable_values=variables,
                operation_name=operation_name,
            )
        return JsonResponse(result.formatted)

    return endpoint


def _graphql_request(body: bytes) -> tuple[str, dict[str, Any] | None, str | None]:
    try:
        document = json.loads(body)
    except ValueError:
        raise ValueError("the request body must be JSON")
    if not isinstance(document, dict) or not isinstance(document.get("query"), str):
        raise ValueError('the request body must be an object with a "query" string')
    variables = document.get("variables")
    operation_name = document.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        raise ValueError('"variables" must be an object')
    if operation_name is not None and not isinstance(operation_name, str):
        raise ValueError('"operationName" must be a string')
    return document["query"], variables, operation_name


orders_endpoint = graphql_endpoint(build_schema(ORDERS_SDL), {"orders": _orders, "order": _order})
auth0_endpoint = graphql_endpoint(build_schema(AUTH0_SDL), {"auth0_profile": _auth0_profile})
