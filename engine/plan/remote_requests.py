"""Groups an operation's remote root fields into requests: one per remote schema, not one per field.

In a query every root field of one remote schema (namespaced or not) travels in one document, so a
client asking three of its fields costs one round trip, not three sent one after the other
(Hasura's #7287). In a mutation, fields run in document order, so only fields next to each other
share a request (the remote runs a document's mutation fields in order too). Each field keeps the
client's response key in the document, unless two fields of one request share it (the same field
under two namespace aliases): the later one is renamed ``<key>_<n>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    print_ast,
)

from engine.plan.nodes import NamespaceRoot, RemoteRequest, RemoteRootQuery, RootPlan
from engine.plan.remote import name


def bind_remote_requests(
    roots: tuple[RootPlan, ...], operation: str, variable_values: dict[str, object]
) -> tuple[RootPlan, ...]:
    """``roots`` with every remote root field bound to the request that carries it."""
    bound: dict[int, RemoteRootQuery] = {}
    for group in _groups(list(_flattened(roots)), operation):
        bound.update(_bind(group, operation, variable_values))
    return tuple(_rebuilt(root, bound) for root in roots)


def _flattened(roots: Sequence[RootPlan]) -> Iterator[RootPlan]:
    for root in roots:
        if isinstance(root, NamespaceRoot):
            yield from _flattened(root.roots)
        else:
            yield root


def _groups(roots: list[RootPlan], operation: str) -> list[list[RemoteRootQuery]]:
    groups: list[list[RemoteRootQuery]] = []
    by_schema: dict[str, list[RemoteRootQuery]] = {}
    previous: RootPlan | None = None
    for root in roots:
        if isinstance(root, RemoteRootQuery):
            if operation == "query" and root.remote_schema in by_schema:
                by_schema[root.remote_schema].append(root)
            elif operation != "query" and _continues(previous, root):
                groups[-1].append(root)
            else:
                by_schema[root.remote_schema] = [root]
                groups.append(by_schema[root.remote_schema])
        previous = root
    return groups


def _continues(previous: RootPlan | None, root: RemoteRootQuery) -> bool:
    return isinstance(previous, RemoteRootQuery) and previous.remote_schema == root.remote_schema


def _bind(
    group: list[RemoteRootQuery], operation: str, variable_values: dict[str, object]
) -> dict[int, RemoteRootQuery]:
    keys = _unique_keys([root.alias for root in group])
    fields = tuple(replace_alias(root, key) for root, key in zip(group, keys, strict=True))
    definitions = {}
    for root in group:
        for definition in root.variables:
            definitions.setdefault(definition.variable.name.value, definition)
    document = DocumentNode(
        definitions=(
            OperationDefinitionNode(
                operation=OperationType(operation),
                variable_definitions=tuple(definitions.values()),
                directives=(),
                selection_set=SelectionSetNode(selections=fields),
            ),
        )
    )
    values = {variable: variable_values[variable] for variable in definitions if variable in variable_values}
    request = RemoteRequest(group[0].remote_schema, operation, print_ast(document), values, tuple(keys))
    return {id(root): replace(root, request=request, key=key) for root, key in zip(group, keys, strict=True)}


def replace_alias(root: RemoteRootQuery, key: str) -> FieldNode:
    """The field ``root`` sends, answering under ``key``."""
    field = root.field
    alias = None if key == field.name.value else name(key)
    return FieldNode(
        alias=alias,
        name=field.name,
        arguments=field.arguments,
        directives=field.directives,
        selection_set=field.selection_set,
    )


def _unique_keys(aliases: list[str]) -> list[str]:
    keys: list[str] = []
    for alias in aliases:
        key, counter = alias, 1
        while key in keys:
            key, counter = f"{alias}_{counter}", counter + 1
        keys.append(key)
    return keys


def _rebuilt(root: RootPlan, bound: dict[int, RemoteRootQuery]) -> RootPlan:
    if isinstance(root, RemoteRootQuery):
        return bound[id(root)]
    if isinstance(root, NamespaceRoot):
        return replace(root, roots=tuple(_rebuilt(child, bound) for child in root.roots))
    return root
