"""Parse and validate a GraphQL document against a role's schema, once per distinct document text.

Results (the document, or the first error) are cached on the schema, so a repeated query costs a
dictionary lookup; each cached document also keeps the plans made for it (``engine.plan.operation``).
graphql-core's messages for the common mistakes are reworded as Hasura words them, and every error
gets a JSON path into the query (``$.selectionSet.author.selectionSet.name``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    validate,
)
from graphql.language import FragmentDefinitionNode, InlineFragmentNode

from engine.graphql_errors import RequestError, RequestErrors
from engine.lru import LruCache
from engine.schema.model import GatewaySchema

QUERY_PATH = "$.query"
# Plans kept per document, for its distinct operation names, variables and session variables.
PLANS_PER_DOCUMENT = 8


@dataclass(frozen=True)
class CheckedDocument:
    """A parsed document and, when it is not valid, the error to answer with; plans made for it."""

    document: DocumentNode | None
    error: RequestError | None
    plans: LruCache[Any] = field(default_factory=lambda: LruCache(PLANS_PER_DOCUMENT), compare=False)


def checked_document(schema: GatewaySchema, query: str) -> DocumentNode:
    """The parsed, validated document; raises RequestErrors when it is not valid for ``schema``."""
    checked = checked_entry(schema, query)
    if checked.error is not None:
        raise RequestErrors([checked.error])
    assert checked.document is not None
    return checked.document


def checked_entry(schema: GatewaySchema, query: str) -> CheckedDocument:
    """What checking ``query`` against ``schema`` gave, kept on the schema."""
    return schema.documents.get_or_build(query, lambda: _check(schema, query))


def _check(schema: GatewaySchema, query: str) -> CheckedDocument:
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return CheckedDocument(None, RequestError("not a valid graphql query", path=QUERY_PATH))
    problems = validate(schema.graphql, document)
    if problems:
        return CheckedDocument(document, translate_error(problems[0], document))
    return CheckedDocument(document, None)


_REWORDINGS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"Cannot query field '(\w+)' on type '(\w+)'"),
        lambda m: f"field '{m[1]}' not found in type: '{m[2]}'",
    ),
    (
        re.compile(r"Unknown argument '(\w+)' on field '\w+\.(\w+)'"),
        lambda m: f'"{m[2]}" has no argument named "{m[1]}"',
    ),
    (
        re.compile(r"Field '\w+' argument '(\w+)' of type '.*' is required, but it was not provided"),
        lambda m: f"missing required field '{m[1]}'",
    ),
    (
        re.compile(r"Variable '\$(\w+)' of required type '.*' was not provided"),
        lambda m: f'expecting a value for non-nullable variable: "{m[1]}"',
    ),
)


def reword(message: str) -> str:
    """Hasura's wording of a graphql-core message, where one is known."""
    for pattern, replacement in _REWORDINGS:
        match = pattern.match(message)
        if match:
            return replacement(match)
    return message


def translate_error(error: GraphQLError, document: DocumentNode | None = None) -> RequestError:
    """A graphql-core error as a ``validation-failed`` request error with a path into the query."""
    path = "$"
    if document is not None and error.nodes:
        path = node_path(document, error.nodes[-1]) or "$"
    return RequestError(reword(error.message), path=path)


def node_path(document: DocumentNode, target: Node) -> str | None:
    """The JSON path of ``target`` in the document: ``$.selectionSet.<key>...`` and ``.args.<name>``."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            if definition is target:
                return "$"
            found = next(_paths_in(definition.selection_set, "$", target), None)
            if found is not None:
                return found
    return None


def _paths_in(selection_set: SelectionSetNode | None, prefix: str, target: Node) -> Iterator[str]:
    if selection_set is None:
        return
    here = f"{prefix}.selectionSet"
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield from _field_paths(selection, here, target)
        elif isinstance(selection, InlineFragmentNode):
            yield from _paths_in(selection.selection_set, prefix, target)


def _field_paths(field: FieldNode, prefix: str, target: Node) -> Iterator[str]:
    key = (field.alias or field.name).value
    path = f"{prefix}.{key}"
    if field is target:
        yield path
    for argument in field.arguments or ():
        if _contains(argument, target):
            yield f"{path}.args.{argument.name.value}"
    yield from _paths_in(field.selection_set, path, target)


def _contains(argument: ArgumentNode, target: Node) -> bool:
    stack: list[object] = [argument]
    while stack:
        node = stack.pop()
        if node is target:
            return True
        if isinstance(node, Node):
            stack.extend(getattr(node, key) for key in node.keys)
        elif isinstance(node, tuple | list):
            stack.extend(node)
    return False
