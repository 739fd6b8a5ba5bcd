"""Query depth and node limits: how deep and how large a GraphQL request may be.

Measured on the parsed document before anything runs, over every operation it holds:

    depth  the longest chain of nested fields; a root field alone has depth 1
    nodes  the number of fields, leaves, ``__typename`` and introspection fields included

Fragment spreads count as if the fragment were written out at each spread; inline fragments and
spreads add no depth of their own. Each fragment is measured once and the result reused, so a
document that spreads fragments into fragments costs time in its length, not in its expansion.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from engine.graphql_errors import RequestError


@dataclass(frozen=True)
class QueryLimits:
    """The largest request allowed; 0 means no limit."""

    max_depth: int = 0
    max_nodes: int = 0


@dataclass(frozen=True)
class QuerySize:
    """How deep and how large a selection is."""

    depth: int = 0
    nodes: int = 0


def check_limits(document: DocumentNode, limits: QueryLimits) -> None:
    """Raise a ``validation-failed`` RequestError when the document goes past a limit."""
    if not limits.max_depth and not limits.max_nodes:
        return
    size = measure(document)
    if limits.max_depth and size.depth > limits.max_depth:
        raise RequestError(f"the query depth {size.depth} exceeds the limit of {limits.max_depth}")
    if limits.max_nodes and size.nodes > limits.max_nodes:
        raise RequestError(f"the query has {size.nodes} nodes, more than the limit of {limits.max_nodes}")


def measure(document: DocumentNode) -> QuerySize:
    """The largest depth and the largest node count among the document's operations."""
    measurer = _Measurer(document)
    sizes = [
        measurer.selection_set(definition.selection_set)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    return QuerySize(max((s.depth for s in sizes), default=0), max((s.nodes for s in sizes), default=0))


class _Measurer:
    """Measures selection sets, remembering each fragment's size."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.sizes: dict[str, QuerySize] = {}
        self.visiting: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> QuerySize:
        depth = nodes = 0
        for selection in selection_set.selections if selection_set else ():
            size = self.selection(selection)
            depth, nodes = max(depth, size.depth), nodes + size.nodes
        return QuerySize(depth, nodes)

    def selection(self, selection: object) -> QuerySize:
        if isinstance(selection, FieldNode):
            inner = self.selection_set(selection.selection_set)
            return QuerySize(inner.depth + 1, inner.nodes + 1)
        if isinstance(selection, InlineFragmentNode):
            return self.selection_set(selection.selection_set)
        assert isinstance(selection, FragmentSpreadNode)
        return self.fragment(selection.name.value)

    def fragment(self, name: str) -> QuerySize:
        # An unknown or cyclic spread adds nothing here; validation rejects such documents anyway.
        if name in self.sizes:
            return self.sizes[name]
        if name not in self.fragments or name in self.visiting:
            return QuerySize()
        self.visiting.add(name)
        size = self.selection_set(self.fragments[name].selection_set)
        self.visiting.discard(name)
        self.sizes[name] = size
        return size
