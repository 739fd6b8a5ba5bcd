"""Handler scaffolding for an action: a runnable Python handler and the TypeScript types of its input and output.

Python: one file, standard library only, a WSGI application (``wsgiref`` serves it when the file is
run) that reads the webhook body (``action``, ``input``, ``session_variables``, ``request_query``,
reference §3.2) and answers the output as JSON, or ``{"message", "extensions"}`` with status 400.
For an action derived from a mutation it runs that mutation through ``/v1/graphql`` with the
action's input as variables, as the caller's role; otherwise it answers a sample of the output type,
to be replaced with the action's logic.

TypeScript: the custom types the action's arguments and output reach, ``<Action>Args`` (its input),
``<Action>Response`` (what the handler answers: the output type) and ``<Action>Request`` (the
webhook body).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from graphql import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode, parse_type

from engine.derive import Delegation, pascal_case
from engine.metadata import Action, CustomTypes, base_type_name

LANGUAGES = ("python", "typescript")
DEFAULT_GRAPHQL_URL = "http://127.0.0.1:8000/v1/graphql"
NUMBER_SCALARS = frozenset(
    {
        "Int",
        "Float",
        "integer",
        "smallint",
        "bigint",
        "int2",
        "int4",
        "int8",
        "real",
        "float4",
        "float8",
        "numeric",
    }
)
JSON_SCALARS = frozenset({"json", "jsonb"})
SAMPLES = {"Int": 0, "Float": 0.0, "String": "", "ID": "", "Boolean": False}


@dataclass(frozen=True)
class ScaffoldFile:
    """One generated file."""

    name: str
    content: str


def scaffold(
    action: Action,
    custom_types: CustomTypes,
    language: str,
    delegation: Delegation | None = None,
    graphql_url: str = DEFAULT_GRAPHQL_URL,
) -> ScaffoldFile:
    """The ``python`` handler or the ``typescript`` types of ``action``."""
    if language == "python":
        return ScaffoldFile(
            f"{snake_case(action.name)}.py", python_handler(action, custom_types, delegation, graphql_url)
        )
    if language == "typescript":
        return ScaffoldFile(f"{action.name}.ts", typescript_types(action, custom_types))
    raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")


def snake_case(name: str) -> str:
    """``insertUserAction`` -> ``insert_user_action``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


# --- Python ----------------------------------------------------------------------------------------


def python_handler(
    action: Action, custom_types: CustomTypes, delegation: Delegation | None, graphql_url: str
) -> str:
    """A runnable WSGI handler for ``action``."""
    function = snake_case(action.name)
    if delegation is None:
        what = "It answers a sample output: replace the body of the action's function with its logic."
        constants = ""
        body = (
            f'    """The action\'s logic: compute its output from ``arguments``."""\n'
            f"    return {python_literal(sample_output(action.definition.output_type, custom_types))}\n"
        )
    else:
        what = (
            f"It runs {delegation.field} through the GraphQL endpoint, as the caller's role: add checks or\n"
            "enrichment before (or after) that call in the action's function."
        )
        constants = f"OPERATION = {_python_string(delegation.document)}\n"
        body = (
            '    """The action\'s logic: check or enrich ``arguments`` here, then run the original operation."""\n'
            "    data = run_graphql(OPERATION, arguments, session_variables)\n"
            f"    return data[{python_literal(delegation.field)}]\n"
        )
    return _PYTHON.format(
        name=action.name,
        what=what,
        file=f"{function}.py",
        graphql_url=graphql_url,
        constants=constants,
        function=function,
        body=body,
    )


def sample_output(type_text: str, custom_types: CustomTypes) -> Any:
    """A value of the type ``type_text``: empty strings, zeros, and every field of objects."""
    return _sample(parse_type(type_text), custom_types, ())


def _sample(node: TypeNode, custom_types: CustomTypes, seen: tuple[str, ...]) -> Any:
    if isinstance(node, NonNullTypeNode):
        return _sample(node.type, custom_types, seen)
    if isinstance(node, ListTypeNode):
        return [_sample(node.type, custom_types, seen)]
    assert isinstance(node, NamedTypeNode)
    name = node.name.value
    custom_object = custom_types.object(name)
    if custom_object is not None and name not in seen:
        return {
            f.name: _sample(parse_type(f.type), custom_types, (*seen, name)) for f in custom_object.fields
        }
    enum = next((e for e in custom_types.enums if e.name == name), None)
    if enum is not None and enum.values:
        return enum.values[0].value
    return SAMPLES.get(name)


def python_literal(value: Any) -> str:
    """A Python literal of a JSON value, strings in double quotes."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _python_string(text: str) -> str:
    if '"""' in text or text.endswith("\\"):
        return repr(text)
    return f'"""\n{text.strip()}\n"""'


_PYTHON = '''"""Handler of the action {name}: a WSGI application (standard library only).

The gateway POSTs {{"action": {{"name": ...}}, "input": {{...}}, "session_variables": {{...}}, "request_query": ...}}
and expects the action's output as JSON with a 2xx status, or {{"message": ..., "extensions": ...}} with 400.
{what}

Run it:    python {file} [port]    (listens on 127.0.0.1, port 3000 unless given)
Settings:  JOINERY_GRAPHQL_URL (default {graphql_url}), JOINERY_ADMIN_SECRET (when the gateway has one)
"""

import json
import os
import sys
import urllib.request
from wsgiref.simple_server import make_server

GRAPHQL_URL = os.environ.get("JOINERY_GRAPHQL_URL", "{graphql_url}")
ADMIN_SECRET = os.environ.get("JOINERY_ADMIN_SECRET", "")
{constants}

class ActionError(Exception):
    """A failure the client should see: answered with status 400, its message and extensions."""

    def __init__(self, message, extensions=None):
        super().__init__(message)
        self.message = message
        self.extensions = extensions


def {function}(arguments, session_variables):
{body}

def run_graphql(query, variables, session_variables):
    """POST one GraphQL request to the gateway as the caller (its role and session variables)."""
    headers = {{"Content-Type": "application/json", **session_variables}}
    if ADMIN_SECRET:
        headers["X-Hasura-Admin-Secret"] = ADMIN_SECRET
    body = json.dumps({{"query": query, "variables": variables}}).encode()
    request = urllib.request.Request(GRAPHQL_URL, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    if answer.get("errors"):
        error = answer["errors"][0]
        raise ActionError(error.get("message", "the GraphQL request failed"), error.get("extensions"))
    return answer["data"]


def application(environ, start_response):
    """The WSGI entry point: one POST per action call."""
    if environ["REQUEST_METHOD"] != "POST":
        return respond(start_response, "405 Method Not Allowed", {{"message": "POST the action call"}})
    size = int(environ.get("CONTENT_LENGTH") or 0)
    payload = json.loads(environ["wsgi.input"].read(size) or b"{{}}")
    try:
        output = {function}(payload.get("input") or {{}}, payload.get("session_variables") or {{}})
    except ActionError as error:
        answer = {{"message": error.message}}
        if error.extensions:
            answer["extensions"] = error.extensions
        return respond(start_response, "400 Bad Request", answer)
    return respond(start_response, "200 OK", output)


def respond(start_response, status, value):
    """Answer ``value`` as JSON."""
    body = json.dumps(value).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    with make_server("127.0.0.1", port, application) as server:
        print(f"{name} handler listening on http://127.0.0.1:{{port}}/", flush=True)
        server.serve_forever()
'''


# --- TypeScript ------------------------------------------------------------------------------------


def typescript_types(action: Action, custom_types: CustomTypes) -> str:
    """The TypeScript types of ``action``'s arguments, output and webhook body."""
    definition = action.definition
    prefix = pascal_case(action.name)
    roots = [base_type_name(definition.output_type), *(base_type_name(a.type) for a in definition.arguments)]
    lines = [
        f"// Types of the action {action.name}: what its handler receives and answers.",
        "",
        "type Maybe<T> = T | null;",
    ]
    lines += _declarations(custom_types, _reached(custom_types, roots))
    arguments = [_member(a.name, a.type) for a in definition.arguments]
    lines += ["", f"export type {prefix}Args = {{", *arguments, "};"]
    lines += ["", f"export type {prefix}Response = {_ts_type(parse_type(definition.output_type))};"]
    lines += [
        "",
        f"export type {prefix}Request = {{",
        f'  action: {{ name: "{action.name}" }};',
        f"  input: {prefix}Args;",
        "  session_variables: Record<string, string>;",
        "  request_query: string;",
        "};",
    ]
    return "\n".join(lines) + "\n"


def _reached(custom_types: CustomTypes, roots: list[str]) -> list[str]:
    """Names of the types ``roots`` reach through fields (built-in and database scalars included)."""
    fields_of: dict[str, list[str]] = {
        t.name: [base_type_name(f.type) for f in t.fields]
        for t in (*custom_types.input_objects, *custom_types.objects)
    }
    reached: list[str] = []
    pending = list(roots)
    while pending:
        name = pending.pop(0)
        if name not in reached:
            reached.append(name)
            pending += fields_of.get(name, [])
    return reached


def _declarations(custom_types: CustomTypes, reached: list[str]) -> list[str]:
    lines: list[str] = []
    enums = {e.name: e for e in custom_types.enums}
    objects: dict[str, Any] = {t.name: t for t in (*custom_types.input_objects, *custom_types.objects)}
    for name in reached:
        if name in enums:
            values = " | ".join(f'"{value.value}"' for value in enums[name].values) or "never"
            lines += ["", f"export type {name} = {values};"]
        elif name in objects:
            lines += [
                "",
                f"export type {name} = {{",
                *(_member(f.name, f.type) for f in objects[name].fields),
                "};",
            ]
        elif name not in SAMPLES:
            lines += ["", f"export type {name} = {_scalar_alias(name)};"]
    return lines


def _scalar_alias(name: str) -> str:
    if name in NUMBER_SCALARS:
        return "number"
    if name in JSON_SCALARS:
        return "unknown"
    return "string"


def _member(name: str, type_text: str) -> str:
    node = parse_type(type_text)
    optional = "" if isinstance(node, NonNullTypeNode) else "?"
    return f"  {name}{optional}: {_ts_type(node)};"


def _ts_type(node: TypeNode, nullable: bool = True) -> str:
    if isinstance(node, NonNullTypeNode):
        return _ts_type(node.type, nullable=False)
    if isinstance(node, ListTypeNode):
        inner = f"Array<{_ts_type(node.type)}>"
    else:
        assert isinstance(node, NamedTypeNode)
        inner = _builtin(node.name.value)
    return f"Maybe<{inner}>" if nullable else inner


def _builtin(name: str) -> str:
    return {"Int": "number", "Float": "number", "String": "string", "ID": "string", "Boolean": "boolean"}.get(
        name, name
    )
