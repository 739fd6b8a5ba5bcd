"""The join tree of a planned selection: where its cross-boundary relationship fields and phantoms sit.

A table selection or an action output selection already holds its joins (``JoinOut``,
``OutputJoin``) and phantom join fields (``PhantomColumnOut``, phantom ``OutputValue``,
``OutputPath``) among its items; the tree keeps only those, by response key, so the executor
walks just the parts of an answer that need work. A selection without any gives no tree, and its
answer is never walked (a table's JSON then goes to the client without being decoded).
"""

from __future__ import annotations

from engine.plan.nodes import (
    AggregateRelOut,
    AggregateSelection,
    ArrayRelOut,
    JoinOut,
    JoinTree,
    NodesOut,
    ObjectRelOut,
    OutputJoin,
    OutputObject,
    OutputPath,
    OutputSelection,
    OutputValue,
    PhantomColumnOut,
    RowSelection,
)


def tree_or_none(tree: JoinTree) -> JoinTree | None:
    """None for a tree with nothing to do."""
    if tree.joins or tree.children or tree.phantoms or tree.typenames or tree.branches:
        return tree
    return None


def rows_tree(selection: RowSelection) -> JoinTree | None:
    """The join tree of the rows of a table selection."""
    joins = tuple((item.alias, item.call) for item in selection if isinstance(item, JoinOut))
    phantoms = tuple(item.alias for item in selection if isinstance(item, PhantomColumnOut))
    children = []
    for item in selection:
        child = None
        if isinstance(item, ObjectRelOut | ArrayRelOut):
            child = rows_tree(item.selection)
        elif isinstance(item, AggregateRelOut):
            child = aggregate_tree(item.selection)
        if child is not None:
            children.append((item.alias, child))
    return tree_or_none(JoinTree(joins=joins, children=tuple(children), phantoms=phantoms))


def aggregate_tree(selection: AggregateSelection) -> JoinTree | None:
    """The join tree of an aggregate selection (joins can sit only in its ``nodes``)."""
    children = tuple(
        (item.alias, child)
        for item in selection
        if isinstance(item, NodesOut) and (child := rows_tree(item.selection)) is not None
    )
    return tree_or_none(JoinTree(children=children))


def table_tree(kind: str, selection: RowSelection | AggregateSelection) -> JoinTree | None:
    """The join tree of a table read of ``kind`` (``rows``/``array``, ``object`` or ``aggregate``)."""
    if kind == "aggregate":
        return aggregate_tree(selection)  # type: ignore[arg-type]
    return rows_tree(selection)  # type: ignore[arg-type]


def output_tree(selection: OutputSelection | None) -> JoinTree | None:
    """The join tree of an action output selection."""
    if selection is None:
        return None
    joins = tuple((item.alias, item.join) for item in selection if isinstance(item, OutputJoin))
    phantoms = tuple(
        item.alias
        for item in selection
        if isinstance(item, OutputPath) or (isinstance(item, OutputValue) and item.phantom)
    )
    children = tuple(
        (item.alias, child)
        for item in selection
        if isinstance(item, OutputObject) and (child := output_tree(item.selection)) is not None
    )
    return tree_or_none(JoinTree(joins=joins, children=children, phantoms=phantoms))
