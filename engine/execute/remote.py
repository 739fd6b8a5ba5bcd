"""Requests to remote schemas: the root fields a client asks for, and the calls behind remote joins.

    POST <url (url_from_env / {{VAR}} resolved)>   {"query", "variables"?}
    headers: configured > the caller's session variables > the client's own (if forwarded), then
             Content-Type and User-Agent (reference §4.3); timeout: ``timeout_seconds`` (default 60)

Root fields (§4.2): an ``errors`` array in the answer fails the request with the remote's errors
as they are; a transport failure, a body that is not a JSON object, an ``errors`` that is not an
array, or a ``data`` that is missing or has no value for a field is a ``remote-schema-error``.
Set-Cookie lines of the answer reach the client. Joins (§5.5): one document per join level,

    alias mode:  query { f0: user(id: 1) { name }  f1: user(id: 2) { name } }
    list mode:   query ($keys: [ID!]!) { f: users(ids: $keys) { name  id_join_column: id } }

the keys written as literals of the argument's type (a variable in list mode, so the document is
the same whatever the keys); any ``errors`` fail the whole request with ``Errors from remote server``
(``unexpected``, the remote's errors in ``internal``), as does a malformed answer.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLString,
    ListValueNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    ast_from_value,
    parse_type,
    print_ast,
)

from engine.environment import MissingVariableError, configured_url, hide_resolved_url, resolve_template
from engine.errors import Code, EngineError
from engine.execute.actions import CallContext
from engine.execute.aliased_document import AliasedDocument, literal, string_literal
from engine.execute.generated import define
from engine.execute.stats import ExecutionStats
from engine.graphql_errors import RequestError
from engine.headers import HeaderConfigError, remote_schema_request_headers, resolve_configured_headers
from engine.http import HttpError, HttpResponse, InvalidJsonError, Transport, display_url
from engine.lru import LruCache
from engine.metadata import RemoteSchemaDefinition
from engine.plan.literals import is_enum_literal, literal_field_name, untyped_ast
from engine.plan.nodes import RemoteJoin, RemoteRequest, RemoteStep
from engine.plan.remote import name, phantom_alias
from engine.schema.model import GatewaySchema, RemoteSchemaModel
from engine.schema.scalars import BUILTIN_SCALARS
from engine.validation.joins import variables

BATCH_ALIAS = "f"
KEYS_VARIABLE = "keys"
# List-mode documents of the joins of kept plans (``engine.plan.operation``), printed once each.
_BATCHED_DOCUMENTS: LruCache[tuple[RemoteJoin, str, str]] = LruCache(256)
# Alias-mode printers of the joins of kept plans, with the function writing each key's arguments.
_ALIASED_WRITERS: LruCache[tuple[RemoteJoin, AliasedDocument, Callable[[Sequence[Any]], list[list[str]]]]] = (
    LruCache(256)
)
JoinKeys = Sequence[Sequence[Any]]


class VerbatimError(EngineError):
    """An error object of a remote schema, passed to the client as it came."""

    def __init__(self, body: Any) -> None:
        message = body.get("message") if isinstance(body, Mapping) else None
        super().__init__(
            message if isinstance(message, str) else "remote error", code=Code.REMOTE_SCHEMA_ERROR
        )
        self.body = body

    def to_graphql_error(self, *, include_internal: bool = False) -> Any:
        """The remote's error object, untouched."""
        return self.body


class RemoteErrors(Exception):
    """The errors a remote schema answered a root field with; they replace the client's answer."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__("errors from a remote schema")
        self.errors = [VerbatimError(error) for error in errors]


@dataclass(frozen=True)
class RootAnswer:
    """The ``data`` of a root request and the cookies its answer sets."""

    data: Mapping[str, Any]
    cookies: tuple[str, ...]


def remote_url(definition: RemoteSchemaDefinition, environ: Mapping[str, str]) -> str:
    """The URL of a remote schema: ``url`` with ``{{VAR}}`` templates, or ``url_from_env``."""
    if definition.url_from_env is not None:
        if definition.url_from_env not in environ:
            raise MissingVariableError(definition.url_from_env)
        return environ[definition.url_from_env]
    return resolve_template(definition.url or "", environ)


class _Pending:
    """A request's outcome, shared by the root fields it carries."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.answer: RootAnswer | None = None
        self.error: BaseException | None = None

    def result(self) -> RootAnswer:
        self.done.wait()
        if self.error is not None:
            raise self.error
        assert self.answer is not None
        return self.answer


class RemoteCaller:
    """Sends one client request's remote requests through the engine's HTTP transport."""

    def __init__(
        self, schema: GatewaySchema, transport: Transport, context: CallContext, stats: ExecutionStats
    ) -> None:
        self.schema = schema
        self.transport = transport
        self.context = context
        self.stats = stats
        self._lock = threading.Lock()
        self._requests: dict[int, _Pending] = {}

    # --- root fields --------------------------------------------------------------------------

    def root(self, request: RemoteRequest) -> RootAnswer:
        """The answer to ``request``, sent once however many root fields it carries."""
        with self._lock:
            pending = self._requests.get(id(request))
            owner = pending is None
            if pending is None:
                pending = self._requests[id(request)] = _Pending()
        if owner:
            try:
                pending.answer = self._send_root(request)
            except BaseException as error:
                pending.error = error
                raise
            finally:
                pending.done.set()
        return pending.result()

    def _send_root(self, request: RemoteRequest) -> RootAnswer:
        remote = self.schema.remote_schemas[request.remote_schema]
        body = {"query": request.document, "variables": dict(request.variables) or None}
        response = self._post(remote, body, Code.REMOTE_SCHEMA_ERROR)
        decoded = _decoded(response, Code.REMOTE_SCHEMA_ERROR)
        if not isinstance(decoded, dict):
            raise RequestError(
                "Invalid response from remote: expecting a JSON object", code=Code.REMOTE_SCHEMA_ERROR
            )
        errors = decoded.get("errors")
        if errors is not None and not isinstance(errors, list):
            raise RequestError(
                'Invalid "errors" field in response from remote', code=Code.REMOTE_SCHEMA_ERROR
            )
        if errors:
            raise RemoteErrors(errors)
        data = _data(decoded, Code.REMOTE_SCHEMA_ERROR)
        return RootAnswer(data, tuple(response.header_values("Set-Cookie")))

    # --- joins --------------------------------------------------------------------------------

    def join(self, call: RemoteJoin, keys: JoinKeys) -> dict[int, Any]:
        """Argument id -> the value of the remote field for that argument's key values."""
        remote = self.schema.remote_schemas[call.remote_schema]
        if call.batch is None:
            document, variables = _aliased_document(call, keys)
        else:
            document, variables = _batched_document(call, keys)
        variables = {**call.variable_values, **variables}
        response = self._post(
            remote, {"query": document, "variables": variables or None}, Code.REMOTE_SCHEMA_ERROR
        )
        decoded = _decoded(response, Code.UNEXPECTED)
        if not isinstance(decoded, dict):
            raise RequestError("Remote server response is not valid JSON", code=Code.UNEXPECTED)
        if decoded.get("errors"):
            raise RequestError(
                "Errors from remote server", code=Code.UNEXPECTED, internal={"errors": decoded["errors"]}
            )
        data = _data(decoded, Code.UNEXPECTED)
        steps = [step.name for step in call.path[1:]]
        if call.batch is None:
            return _aliased_results(data, keys, steps)
        assert call.key_alias is not None
        many = call.batch.relationship_type == "array"
        return matched(_at(data, [BATCH_ALIAS, *steps]), call.key_alias, keys, many)

    # --- transport ----------------------------------------------------------------------------

    def _post(self, remote: RemoteSchemaModel, body: dict[str, Any], code: str) -> HttpResponse:
        definition = remote.definition
        try:
            url = remote_url(definition, self.context.environ)
            configured = resolve_configured_headers(
                [h.to_dict() for h in definition.headers], self.context.environ
            )
        except (MissingVariableError, HeaderConfigError) as error:
            raise RequestError(str(error), code=Code.UNEXPECTED) from error
        headers = remote_schema_request_headers(
            configured,
            self.context.session_variables,
            self.context.client_headers,
            definition.forward_client_headers,
        )
        self.stats.count_remote()
        try:
            return self.transport.post_json(url, body, headers=headers, timeout=definition.effective_timeout)
        except HttpError as error:
            shown = configured_url(definition.url, definition.url_from_env)
            raise RequestError(
                f'HTTP exception occurred while sending the request to "{display_url(shown)}"',
                code=Code.REMOTE_SCHEMA_ERROR,
                internal={
                    "type": "http_exception",
                    "kind": error.kind,
                    "message": hide_resolved_url(error.message, url, shown),
                },
            ) from error


def _decoded(response: HttpResponse, code: str) -> Any:
    try:
        return response.json()
    except InvalidJsonError:
        raise RequestError("Remote server response is not valid JSON", code=code) from None


def _data(body: dict[str, Any], code: str) -> Mapping[str, Any]:
    if "data" not in body:
        raise RequestError('Missing "data" field in response from remote', code=code)
    data = body["data"]
    if not isinstance(data, dict):
        raise RequestError('Invalid "data" field in response from remote', code=code)
    return data


def _aliased_results(data: Mapping[str, Any], keys: JoinKeys, steps: list[str]) -> dict[int, Any]:
    """Argument id -> the value under its alias ``f<id>``, down the rest of the path."""
    if steps:
        return {key[0]: _at(data, [f"f{key[0]}", *steps]) for key in keys}
    try:  # a one-field path, the usual one: each value is its alias's
        return {key[0]: data[f"f{key[0]}"] for key in keys}
    except KeyError as missing:
        raise _missing_key(missing.args[0]) from None


def _missing_key(key: str) -> RequestError:
    return RequestError(f"expecting key {key} in the remote's answer", code=Code.UNEXPECTED)


def _at(data: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` (null past a null; through a list, a list)."""
    for index, key in enumerate(path):
        if data is None:
            return None
        if isinstance(data, list):
            return [_at(item, path[index:]) for item in data]
        if not isinstance(data, dict) or key not in data:
            raise _missing_key(key)
        data = data[key]
    return data


# --- documents ----------------------------------------------------------------------------------


def _aliased_document(call: RemoteJoin, keys: JoinKeys) -> tuple[str, dict[str, Any]]:
    # Keyed by the call's identity: the entry holds the call, so no other call can have that id meanwhile.
    _, printer, arguments_of = _ALIASED_WRITERS.get_or_build(
        id(call),
        lambda: (call, AliasedDocument(call.path, call.selection, call.variables), _key_arguments(call)),
    )
    return printer.document(printer.key_fields(keys, arguments_of)), {}


def _key_arguments(call: RemoteJoin) -> Callable[[Sequence[Any]], list[list[str]]]:
    """The function giving, per key (``[argument id, value...]``), each step's ``name: literal`` texts.

    It is written out for the call's path (``engine.execute.generated``): an argument that is one
    join field writes that key value's literal, one that uses no join field is the same text for
    every key (written here, once), any other template is filled per key.
    """
    positions = {lhs.name: index for index, lhs in enumerate(call.keys, start=1)}
    values = "{" + ", ".join(f"{name!r}: key[{index}]" for name, index in positions.items()) + "}"
    namespace: dict[str, Any] = {"_filled": _filled_literal}
    steps = []
    for step_index, step in enumerate(call.path):
        texts = []
        for argument_index, (argument, template) in enumerate(step.arguments.items()):
            suffix = f"_{step_index}_{argument_index}"
            graphql_type = step.types.get(argument)
            head = repr(f"{argument}: ")
            if isinstance(template, str) and template.startswith("$") and template[1:] in positions:
                namespace[f"literal{suffix}"] = key_literal_writer(graphql_type)
                texts.append(f"{head} + literal{suffix}(key[{positions[template[1:]]}])")
            elif any(name in positions for name, _ in variables(template, "")):
                namespace[f"template{suffix}"], namespace[f"type{suffix}"] = template, graphql_type
                texts.append(f"{head} + _filled(template{suffix}, {values}, type{suffix})")
            else:
                namespace[f"constant{suffix}"] = f"{argument}: {literal_text(template, graphql_type)}"
                texts.append(f"constant{suffix}")
        steps.append("[" + ", ".join(texts) + "]")
    return define(["def arguments_of(key):", f"    return [{', '.join(steps)}]"], namespace, "arguments_of")


def _filled_literal(template: Any, values: Mapping[str, Any], graphql_type: GraphQLInputType | None) -> str:
    """The literal of ``template`` filled from one key's ``values``."""
    return literal_text(filled(template, values), graphql_type)


# graphql-core's test for an ID that it writes as an integer literal (``match``, as there).
_INTEGER_STRING = re.compile("^-?(?:0|[1-9][0-9]*)$")


def key_literal_writer(graphql_type: GraphQLInputType | None) -> Callable[[Any], str]:
    """``literal_text`` of one argument type, its look at the type taken once rather than per key."""
    named = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type

    def string_key(value: Any) -> str:
        return string_literal(value) if type(value) is str else literal_text(value, graphql_type)

    def id_key(value: Any) -> str:
        kind = type(value)
        if kind is str and not _INTEGER_STRING.match(value):
            return string_literal(value)
        return str(value) if kind is int else literal_text(value, graphql_type)

    if named is GraphQLString:
        return string_key
    if named is GraphQLID:
        return id_key
    return lambda value: literal_text(value, graphql_type)


def literal_text(value: Any, graphql_type: GraphQLInputType | None) -> str:
    """``value_ast(value, graphql_type)`` as the printer writes it.

    The usual key, a string or an integer for a built-in String, ID or Int, is written straight
    away: a thousand keys are a thousand literals, and building each node costs more than the text.
    """
    named = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    kind = type(value)
    if kind is str and (named is GraphQLString or (named is GraphQLID and not _INTEGER_STRING.match(value))):
        return string_literal(value)
    if kind is int and (named is GraphQLID or named is GraphQLInt):  # past 32 bits too, as untyped
        return str(value)
    return literal(value_ast(value, graphql_type))


def _batched_document(call: RemoteJoin, keys: JoinKeys) -> tuple[str, dict[str, Any]]:
    # Keyed by the call's identity: the entry holds the call, so no other call can have that id meanwhile.
    _, document, variable = _BATCHED_DOCUMENTS.get_or_build(id(call), lambda: (call, *_batched_text(call)))
    return document, {variable: distinct_keys([key[1] for key in keys])}


def _batched_text(call: RemoteJoin) -> tuple[str, str]:
    """The list-mode document of ``call`` and the name of its keys variable: the same whatever the keys."""
    assert call.batch is not None
    taken = [definition.variable.name.value for definition in call.variables]
    variable = phantom_alias(KEYS_VARIABLE, taken) if KEYS_VARIABLE in taken else KEYS_VARIABLE
    leaf = call.path[-1]
    list_type = leaf.types[call.batch.list_argument]
    definition = VariableDefinitionNode(
        variable=VariableNode(name=name(variable)), type=parse_type(str(list_type)), directives=()
    )

    def arguments(step: RemoteStep) -> tuple[ArgumentNode, ...]:
        if step is not leaf:
            return _arguments(step, {})
        fixed = {k: v for k, v in step.arguments.items() if k != call.batch.list_argument}  # type: ignore[union-attr]
        keyed = ArgumentNode(name=name(call.batch.list_argument), value=VariableNode(name=name(variable)))  # type: ignore[union-attr]
        return (*_arguments(RemoteStep(step.name, fixed, step.types), {}), keyed)

    field = _path_field(call, BATCH_ALIAS, arguments)
    return _document((*call.variables, definition), [field]), variable


def _path_field(
    call: RemoteJoin, alias: str, arguments: Callable[[RemoteStep], tuple[ArgumentNode, ...]]
) -> FieldNode:
    """``alias: step1(args) { step2(args) { ... { <selection> } } }``."""
    selection = call.selection
    for index in range(len(call.path) - 1, -1, -1):
        step = call.path[index]
        field = FieldNode(
            alias=name(alias) if index == 0 else None,
            name=name(step.name),
            arguments=arguments(step),
            directives=(),
            selection_set=selection,
        )
        selection = SelectionSetNode(selections=(field,))
    return field


def _document(variables: Sequence[VariableDefinitionNode], fields: list[FieldNode]) -> str:
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        variable_definitions=tuple(variables),
        directives=(),
        selection_set=SelectionSetNode(selections=tuple(fields)),
    )
    return print_ast(DocumentNode(definitions=(operation,)))


def _arguments(step: RemoteStep, values: Mapping[str, Any]) -> tuple[ArgumentNode, ...]:
    return tuple(
        ArgumentNode(name=name(argument), value=value) for argument, value in _argument_values(step, values)
    )


def _argument_values(step: RemoteStep, values: Mapping[str, Any]) -> list[tuple[str, ValueNode]]:
    """Each argument of ``step`` with its template filled from ``values``, as a literal of its type."""
    return [
        (argument, value_ast(filled(template, values), step.types.get(argument)))
        for argument, template in step.arguments.items()
    ]


def filled(template: Any, values: Mapping[str, Any]) -> Any:
    """An argument template with every ``$field`` replaced by that join field's value."""
    if isinstance(template, str) and template.startswith("$") and template[1:] in values:
        return values[template[1:]]
    if isinstance(template, Mapping):
        return {key: filled(item, values) for key, item in template.items()}
    if isinstance(template, list):
        return [filled(item, values) for item in template]
    return template


def value_ast(value: Any, graphql_type: GraphQLInputType | None) -> ValueNode:
    """A JSON value as a GraphQL literal of ``graphql_type`` (untyped when the type says nothing)."""
    if value is None:
        return NullValueNode()
    if isinstance(graphql_type, GraphQLNonNull):
        return value_ast(value, graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        items = value if isinstance(value, list) else [value]
        return ListValueNode(values=tuple(value_ast(item, graphql_type.of_type) for item in items))
    if isinstance(graphql_type, GraphQLInputObjectType) and isinstance(value, Mapping):
        return ObjectValueNode(
            fields=tuple(
                ObjectFieldNode(
                    name=literal_field_name(key), value=value_ast(item, _field_type(graphql_type, key))
                )
                for key, item in value.items()
            )
        )
    if isinstance(graphql_type, GraphQLEnumType) and isinstance(value, str) and is_enum_literal(value):
        return EnumValueNode(value=value)
    if isinstance(graphql_type, GraphQLScalarType) and graphql_type.name in BUILTIN_SCALARS:
        try:
            found = ast_from_value(value, graphql_type)
        except (GraphQLError, TypeError, ValueError):
            found = None
        if found is not None:
            return found
    return untyped_ast(value)


def _field_type(input_object: GraphQLInputObjectType, key: str) -> GraphQLInputType | None:
    field = input_object.fields.get(key)
    return None if field is None else field.type


# --- list mode: results matched back by key ----------------------------------------------------


def key_token(value: Any) -> Any:
    """How a key compares: ``1``, ``1.0`` and ``"1"`` alike, as ID values do across servers."""
    if type(value) is str:  # most keys; what ``str`` would give back
        return value
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    return repr(value)


def _flattened(value: Any) -> list[Any]:
    return [item for element in value for item in _flattened(element)] if isinstance(value, list) else [value]


def distinct_keys(values: list[Any]) -> list[Any]:
    """The distinct key values, lists of keys spread out, in order of first appearance."""
    seen: dict[Any, Any] = {}
    for value in values:  # text, the most common key, is its own token
        if type(value) is str:
            seen.setdefault(value, value)
        elif isinstance(value, list):
            for item in _flattened(value):
                seen.setdefault(key_token(item), item)
        else:
            seen.setdefault(key_token(value), value)
    return list(seen.values())


def matched(objects: Any, key_alias: str, keys: JoinKeys, many: bool) -> dict[int, Any]:
    """Per argument id, the answer's objects whose ``key_alias`` equals its key: all (``many``), else the first.

    ``objects`` is a list-mode answer (objects, or lists of them); a key that is a list of values gets
    the matches of each value.
    """
    if many:
        groups = _group_by_key(objects, key_alias)
        return {key[0]: _all_matches(groups, key[1]) for key in keys}
    firsts = _first_by_key(objects, key_alias)
    first = firsts.get  # text keys, the most common, are their own tokens
    return {key[0]: first(key[1]) if type(key[1]) is str else _first_match(firsts, key[1]) for key in keys}


def _group_by_key(objects: Any, key_alias: str) -> dict[Any, list[Any]]:
    """Result objects by the token of their key."""
    groups: dict[Any, list[Any]] = {}
    for element in objects if isinstance(objects, list) else []:
        if type(element) is dict:  # most answers: a flat list of objects
            key = element.get(key_alias)
            token = key if type(key) is str else key_token(key)
            group = groups.get(token)
            if group is None:
                groups[token] = [element]
            else:
                group.append(element)
            continue
        for item in _nested_objects(element):
            groups.setdefault(key_token(item.get(key_alias)), []).append(item)
    return groups


def _first_by_key(objects: Any, key_alias: str) -> dict[Any, Any]:
    """The first result object of each key token."""
    firsts: dict[Any, Any] = {}
    for element in objects if isinstance(objects, list) else []:
        if type(element) is dict:  # most answers: a flat list of objects
            key = element.get(key_alias)
            firsts.setdefault(key if type(key) is str else key_token(key), element)
            continue
        for item in _nested_objects(element):
            firsts.setdefault(key_token(item.get(key_alias)), item)
    return firsts


def _nested_objects(element: Any) -> list[dict[str, Any]]:
    """The objects of an answer's element that is not an object: a nested list spread out."""
    return [item for item in _flattened(element) if isinstance(item, dict)]


def _all_matches(groups: Mapping[Any, list[Any]], value: Any) -> list[Any]:
    if isinstance(value, list):
        return [item for part in value for item in _all_matches(groups, part)]
    group = groups.get(value if type(value) is str else key_token(value))
    return list(group) if group else []


def _first_match(firsts: Mapping[Any, Any], value: Any) -> Any:
    if isinstance(value, list):
        return [_first_match(firsts, item) for item in value]
    return firsts.get(value if type(value) is str else key_token(value))
