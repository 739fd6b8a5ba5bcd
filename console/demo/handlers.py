"""The demo's action handlers: plain views speaking Hasura's action webhook contract.

Each receives ``{"action", "input", "session_variables", "request_query"}`` as JSON and answers with
the action's output object, or with HTTP 400 and ``{"message", "code"}``, which the gateway hands to
its client as the error. They write to the demo database; the gateway then reads the rows they
point at through the output types' relationships.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from console.demo.database import demo_connection
from console.demo.remote_services import sign_up


class ActionError(Exception):
    """The action cannot be done; ``code`` is the stable error code the client sees."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def action_handler(
    perform: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[[HttpRequest], HttpResponse]:
    """Turn ``perform(input) -> output`` into a webhook view."""

    @csrf_exempt
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        try:
            return JsonResponse(perform(_action_input(request.body)))
        except ActionError as error:
            return JsonResponse({"message": error.message, "code": error.code}, status=400)

    return view


def _action_input(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError:
        raise ActionError("the request body must be JSON", "invalid-json")
    arguments = payload.get("input") if isinstance(payload, dict) else None
    if not isinstance(arguments, dict):
        raise ActionError('the request body must carry an "input" object', "invalid-input")
    return arguments


KIND_NAMES = {int: "an integer", str: "a string"}


def _argument(arguments: dict[str, Any], name: str, kind: type) -> Any:
    value = arguments.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ActionError(f'argument "{name}" must be {KIND_NAMES[kind]}', "invalid-input")
    return value


@action_handler
def create_user(arguments: dict[str, Any]) -> dict[str, Any]:
    """``createUser(name)``: sign the user up with the profile service and add a ``users`` row."""
    name = _argument(arguments, "name", str)
    with demo_connection() as connection, connection:
        try:
            auth0_id = sign_up(connection, name)
        except ValueError as error:
            raise ActionError(str(error), "invalid-input")
        cursor = connection.execute("INSERT INTO users (name, auth0_id) VALUES (?, ?)", (name, auth0_id))
    return {"id": cursor.lastrowid}


@action_handler
def update_author(arguments: dict[str, Any]) -> dict[str, Any]:
    """``updateAuthor(id, name)``: rename an author; the output points at it by ``author_id``."""
    author_id = _argument(arguments, "id", int)
    name = _argument(arguments, "name", str)
    with demo_connection() as connection, connection:
        cursor = connection.execute("UPDATE author SET name = ? WHERE id = ?", (name, author_id))
    if cursor.rowcount == 0:
        raise ActionError(f"there is no author with id {author_id}", "not-found")
    return {"author_id": author_id}


@action_handler
def insert_author(arguments: dict[str, Any]) -> dict[str, Any]:
    """``insertAuthor(name)``: add an author; the output points at it by ``id``."""
    name = _argument(arguments, "name", str)
    with demo_connection() as connection, connection:
        cursor = connection.execute("INSERT INTO author (name) VALUES (?)", (name,))
    return {"id": cursor.lastrowid}
