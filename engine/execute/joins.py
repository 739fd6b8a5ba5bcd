"""The join algorithm: fill the relationship fields that cross a boundary, one call per join per level.

Any answer can be a left-hand side: a handler's answer, the rows of a table (decoded from the JSON
the statement returned) or a remote schema's answer. The planner left a placeholder for each
relationship field, added the join fields the client did not select (phantoms, under aliases no
client key uses), and drew a JoinTree of where they sit (``engine.plan.join_tree``,
``engine.plan.remote``). Then (Hasura's pipeline, reference §5.2):

    left-hand answer                     collect (walk the tree)         one call per join node
    [ {id: 1, user: ·, k_join: 7},  user:  keys {(7,): 0, (8,): 1}    table   one SQL statement
      {id: 2, user: ·, k_join: 8},  ──▶    slots [(o1,0),(o2,1),(o3,0)]  ──▶  remote  one GraphQL request
      {id: 3, user: ·, k_join: 7},         (null key: field = null,   action  one call per key, at once
      {id: 4, user: ·, k_join: ∅} ]         no key sent)                       (or one, list mode)
                                                   │                                  │
                                                   │            {0: {...}, 1: {...}} ◀┘
                                                   ▼                      │ recurse: the joins inside
    stitch: each slot's placeholder ← result of its argument id;         │ the results, one call per
            phantom fields deleted; other keys keep their order ◀─────────┘ nested join node

* Keys are de-duplicated: equal key tuples share one argument id, so 1,000 objects pointing at 97
  users send 97 keys. A key with any null value makes the field null and sends nothing; a join
  with no keys makes no call at all.
* One call per join node whatever the number of objects (they may sit under lists and nested
  objects at any depth); the joins inside its results are the next level, again one call per
  node. Sibling joins of a level run at once on the bounded pool.
* On an abstract remote type the tree branches on ``__hasura_internal_typename`` (the concrete
  type), dropped afterwards; ``__typename`` values of customized remote types are renamed.
* A table answer without joins below is never decoded: its JSON text is spliced into the response.
* When a handler's joins sit on its top objects (``top_walk_of``), or a table's on its plain rows
  (``row_walk_of``), one pass gathers their keys from the handler's objects or the rows and, once
  the joins are fetched, one comprehension builds the shaped objects with the results in place: no
  placeholder, no phantom field, no stitching.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import orjson

from engine.execute.action_joins import ActionJoinCaller
from engine.execute.compiler import JoinStatement, PlainRow, SelectCompiler
from engine.execute.concurrency import run_concurrently
from engine.execute.database import Database
from engine.execute.dialects import dialect_of
from engine.execute.output import shape
from engine.execute.remote import RemoteCaller
from engine.execute.top_walk import (
    FlatCollect,
    TopWalk,
    compile_flat_collect,
    compile_row_walk,
    compile_top_walk,
)
from engine.graphql_errors import unexpected
from engine.lru import LruCache
from engine.plan.nodes import (
    ActionJoin,
    Join,
    JoinCall,
    JoinTree,
    LiteralOut,
    OutputJoin,
    OutputSelection,
    OutputValue,
    RemoteJoin,
)
from engine.plan.remote import INTERNAL_TYPENAME

# Statements of the joins of kept plans (``engine.plan.operation``), compiled once each.
_JOIN_STATEMENTS: LruCache[tuple[Join, JoinStatement]] = LruCache(256)
# Generated walks, keyed by what their source depends on (so plans alike share one).
_TOP_WALKS: LruCache[TopWalk] = LruCache(256)
_ROW_WALKS: LruCache[TopWalk] = LruCache(256)
_FLAT_COLLECTS: LruCache[FlatCollect] = LruCache(256)


@dataclass
class JoinBatch:
    """The keys collected for one join node and the places waiting for their results."""

    call: JoinCall
    arguments: dict[Hashable, int] = field(default_factory=dict)
    keys: list[list[Any]] = field(default_factory=list)
    slots: list[tuple[dict[str, Any], str, int]] = field(default_factory=list)

    def add(self, target: dict[str, Any], alias: str, values: list[Any]) -> None:
        """Wait for the result of ``values`` at ``target[alias]``."""
        self.slots.append((target, alias, self.argument_of(values)))

    def argument_of(self, values: list[Any]) -> int:
        """The argument id of ``values``: equal values share one, new ones are added to the keys."""
        token = _token(values)
        argument = self.arguments.get(token)
        if argument is None:
            argument = self.arguments[token] = len(self.keys)
            self.keys.append([argument, *values])
        return argument


# Decoded JSON scalars: hashable, and a token of one of them needs no checking.
_SCALAR_TYPES = frozenset({str, int, float, bool})


def _token(values: list[Any]) -> Hashable:
    """Equal JSON values give equal tokens (``1``, ``1.0`` and ``true`` differ, as in JSON).

    A single integer or string is its own token (most keys are ids: no tuple to build and hash);
    every other token is a tuple, so none of them can equal an integer or a string.
    """
    if len(values) == 1:
        return _one_token(values[0])
    return _tuple_token(values)


def _one_token(key: Any) -> Hashable:
    """The token of one key value (the generated walks write its first case out)."""
    kind = type(key)
    if kind is int or kind is str:
        return key
    if kind in _SCALAR_TYPES:
        return kind, key
    return _tuple_token([key])


def _tuple_token(values: list[Any]) -> Hashable:
    token = tuple((type(value), value) for value in values)
    try:
        hash(token)
    except TypeError:
        return "json", json.dumps(values, sort_keys=True)
    return token


@dataclass
class Collected:
    """Everything one walk over answers found: the batches and the phantom fields to delete (per object)."""

    batches: dict[int, JoinBatch] = field(default_factory=dict)
    phantoms: list[tuple[dict[str, Any], tuple[str, ...]]] = field(default_factory=list)

    def batch(self, call: JoinCall) -> JoinBatch:
        """The batch of ``call``, begun at its first key (a join without keys makes no call)."""
        batch = self.batches.get(id(call))
        if batch is None:
            batch = self.batches[id(call)] = JoinBatch(call)
        return batch


def collect(value: Any, tree: JoinTree | None, found: Collected) -> None:
    """Walk an answer along its join tree: rename type names, gather join keys and phantom fields."""
    if tree is None or value is None:
        return
    if isinstance(value, list):
        if tree.branches or tree.typenames or tree.children:
            for item in value:
                if item is not None:
                    collect(item, tree, found)
        else:
            _collect_flat(value, tree, found)
        return
    if not isinstance(value, dict):
        raise unexpected("a join expected an object in the answer, but found a scalar")
    if tree.branches:
        if tree.phantoms:
            found.phantoms.append((value, tree.phantoms))
        concrete = value.pop(INTERNAL_TYPENAME, None)
        tree = dict(tree.branches).get(concrete)
        if tree is None:
            return
    for alias in tree.typenames:
        if alias in value:
            value[alias] = tree.renames.get(value[alias], value[alias])
    for alias, child in tree.children:
        collect(value.get(alias), child, found)
    if tree.phantoms:
        found.phantoms.append((value, tree.phantoms))
    for alias, call in tree.joins:
        if alias in value:
            _collect_key(value, alias, call, found)


def _collect_flat(items: list[Any], tree: JoinTree, found: Collected) -> None:
    """``collect`` over a list whose objects hold only joins and phantoms, in one loop.

    Lists of thousands of objects come this way (a table's rows, a remote schema's answer): the loop
    is a function generated for the tree's joins (``engine.execute.top_walk``), shared by trees alike.
    """
    phantoms = tree.phantoms
    if not tree.joins:  # nothing here reads them (a join's results): phantom fields go now
        for value in items:
            if type(value) is dict:
                for alias in phantoms:
                    value.pop(alias, None)
            elif value is not None:
                collect(value, tree, found)
        return
    key = _flat_key(tree)
    collect_flat = _FLAT_COLLECTS.get_or_build(
        key, lambda: compile_flat_collect(*key, _one_token, _missing_column)
    )
    # Each join's batch is found's own (other paths may add to it), dropped again if it got no key.
    begun = []
    batches = []
    for _, call in tree.joins:
        batch = found.batches.get(id(call))
        if batch is None:
            batch = found.batches[id(call)] = JoinBatch(call)
            begun.append(batch)
        batches.append(batch)
    try:
        collect_flat(
            items,
            batches,
            found.phantoms.append,
            phantoms,
            lambda value: collect(value, tree, found),
            lambda value, index: _collect_key(value, tree.joins[index][0], tree.joins[index][1], found),
        )
    finally:
        for batch in begun:
            if not batch.slots:
                del found.batches[id(batch.call)]


def _flat_key(tree: JoinTree) -> tuple[tuple[tuple[str, str | None], ...], bool]:
    """What the generated collection depends on: each join's response key and key field, and phantoms."""
    joins = tuple((alias, call.keys[0].alias if len(call.keys) == 1 else None) for alias, call in tree.joins)
    return joins, bool(tree.phantoms)


def top_walk_of(
    selection: OutputSelection | None, tree: JoinTree | None
) -> tuple[TopWalk, list[tuple[str, JoinCall, tuple[str, ...]]]] | None:
    """The generated walk of a selection whose joins sit on its top objects, and those joins; else None.

    Its objects are then shaped without their phantom fields and the join keys are read from the
    handler's own objects, so nothing is added only to be deleted after the joins. The walk is
    shared by plans alike (``engine.execute.top_walk``).
    """
    joins = _top_joins(selection, tree)
    if joins is None:
        return None
    assert selection is not None
    assert tree is not None
    kept = tuple(item for item in selection if item.alias not in tree.phantoms)
    key = _walk_key(kept, joins)
    if key is None:
        return None
    return _TOP_WALKS.get_or_build(key, lambda: compile_top_walk(kept, joins, _one_token)), joins


def row_walk_of(
    row: PlainRow, tree: JoinTree | None
) -> tuple[TopWalk, list[tuple[str, JoinCall, tuple[int, ...]]]] | None:
    """The generated walk of plain rows whose joins sit on the rows themselves, and those joins; else None.

    Each join's key is read from the row by position and its result put in place as each object
    is built; phantom columns are never put in an object. The walk is shared by rows alike.
    """
    if tree is None or not tree.joins or tree.children or tree.branches or tree.typenames:
        return None
    positions = {alias: position for alias, position, _ in row.entries if position is not None}
    placeholders = {alias for alias, position, _ in row.entries if position is None}
    joins = []
    for alias, call in tree.joins:
        if alias not in placeholders or not call.keys or any(key.alias not in positions for key in call.keys):
            return None
        joins.append((alias, call, tuple(positions[key.alias] for key in call.keys)))
    kept = tuple(entry for entry in row.entries if entry[0] not in tree.phantoms)
    read_from = [(alias, found) for alias, _, found in joins]
    walk = _ROW_WALKS.get_or_build(
        (kept, tuple(read_from)), lambda: compile_row_walk(kept, read_from, _one_token)
    )
    return walk, joins


def _walk_key(
    selection: OutputSelection, joins: list[tuple[str, JoinCall, tuple[str, ...]]]
) -> tuple[Hashable, ...] | None:
    """What the generated walk depends on, so plans alike share it; None for nested objects (not written out)."""
    items: list[Hashable] = []
    for item in selection:
        if isinstance(item, OutputValue):
            items.append(("value", item.alias, item.name))
        elif isinstance(item, LiteralOut):
            items.append(("literal", item.alias, item.value))
        elif isinstance(item, OutputJoin):
            items.append(("join", item.alias))
        else:
            return None
    return tuple(items), tuple((alias, names) for alias, _, names in joins)


def _top_joins(
    selection: OutputSelection | None, tree: JoinTree | None
) -> list[tuple[str, JoinCall, tuple[str, ...]]] | None:
    """The joins of the top objects with the fields their keys are read from; None if not all are plain."""
    if selection is None or tree is None or tree.children or tree.branches or tree.typenames:
        return None
    fields = {item.alias: item.name for item in selection if isinstance(item, OutputValue)}
    joins = []
    for alias, call in tree.joins:
        if not call.keys or any(key.alias not in fields for key in call.keys):
            return None
        joins.append((alias, call, tuple(fields[key.alias] for key in call.keys)))
    return joins


def _collect_key(value: dict[str, Any], alias: str, call: JoinCall, found: Collected) -> None:
    keys = call.keys
    try:
        values = [value[keys[0].alias]] if len(keys) == 1 else [value[key.alias] for key in keys]
    except KeyError as missing:
        raise _missing_column(missing.args[0]) from None
    if None in values:
        value[alias] = None
        return
    found.batch(call).add(value, alias, values)


def _missing_column(alias: str) -> Exception:
    return unexpected(f"a join column is missing from the response: {alias}")


class Joiner:
    """Fills the joins of one client request's answers."""

    def __init__(
        self, database: Database, remote: RemoteCaller, actions: ActionJoinCaller, pool: Executor
    ) -> None:
        self.database = database
        self.remote = remote
        self.actions = actions
        self.pool = pool

    def fill(self, values: list[Any], tree: JoinTree | None) -> None:
        """Fill every join of ``values`` (answers walked with ``tree``) in place; drop phantom fields."""
        if tree is None:
            return
        found = Collected()
        collect(values, tree, found)
        self._join(found)

    def fill_output(self, answer: Any, selection: OutputSelection | None, tree: JoinTree | None) -> Any:
        """A handler's answer shaped to ``selection``, its joins filled (``shape``, then ``fill``).

        When its joins sit on its top objects, their keys are gathered first and each object is
        built once the joins are fetched, its join fields in place (``top_walk_of``).
        """
        if tree is None:
            return shape(answer, selection)
        walk = top_walk_of(selection, tree)
        if walk is not None:
            sources = answer if isinstance(answer, list) else [answer]
            built = self._walk_top(sources, *walk)
            if built is not None:
                return built if isinstance(answer, list) else built[0]
        value = shape(answer, selection)
        found = Collected()
        collect(value, tree, found)
        self._join(found)
        return value

    def fill_rows(
        self, rows: list[tuple[Any, ...]], row: PlainRow, tree: JoinTree | None
    ) -> list[dict[str, Any]]:
        """The objects of plain ``rows`` (``row`` says how to build one), their joins filled."""
        walk = row_walk_of(row, tree)
        if walk is None:
            values = row.values(rows)
            self.fill(values, tree)
            return values
        built = self._walk_top(rows, *walk)
        assert built is not None  # a row is never refused, only an answer that is not an object
        return built

    def _walk_top(
        self, sources: list[Any], walk: TopWalk, joins: list[tuple[str, JoinCall, Any]]
    ) -> list[dict[str, Any]] | None:
        """The shaped objects of ``sources`` with their joins filled; None if one is not a JSON object."""
        batches: dict[int, JoinBatch] = {}
        for _, call, _ in joins:
            batches.setdefault(id(call), JoinBatch(call))
        arguments = walk.collect(sources, [batches[id(call)] for _, call, _ in joins])
        if arguments is None:
            return None
        fetched = {key: batch for key, batch in batches.items() if batch.keys}  # no keys, no call
        results = dict(zip(fetched, self._fetch_all(list(fetched.values())), strict=True))
        return walk.build(sources, arguments, [results.get(id(call), {}) for _, call, _ in joins])

    def _join(self, found: Collected) -> None:
        """One call per batch found, results stitched into their places, phantom fields dropped."""
        batches = list(found.batches.values())
        for batch, result in zip(batches, self._fetch_all(batches), strict=True):
            value_of = result.get
            for target, alias, argument in batch.slots:
                target[alias] = value_of(argument)
        for target, aliases in found.phantoms:
            for alias in aliases:
                target.pop(alias, None)

    def _fetch_all(self, batches: list[JoinBatch]) -> list[dict[int, Any]]:
        """The results of each batch (sibling joins at once, on the pool)."""
        return run_concurrently(self.pool, [lambda batch=batch: self.fetch(batch) for batch in batches])

    def fetch(self, batch: JoinBatch) -> dict[int, Any]:
        """One call for all keys of a batch, the joins inside its results done: argument id -> value."""
        call = batch.call
        if isinstance(call, Join):
            return self.fetch_rows(call, batch.keys)
        if isinstance(call, RemoteJoin):
            results = self.remote.join(call, batch.keys)
        else:
            assert isinstance(call, ActionJoin)
            results = self.actions.join(call, batch.keys)
        self.fill(list(results.values()), call.joins)
        return results

    def fetch_rows(self, join: Join, keys: list[list[Any]]) -> dict[int, Any]:
        """One statement for all keys: argument id -> its value, the joins inside it done.

        JSON text is spliced undecoded when nothing joins below; plain rows become objects.
        """
        source = join.target.source
        # Keyed by the join's identity: the entry holds the join, so no other can have that id meanwhile.
        _, compiled = _JOIN_STATEMENTS.get_or_build(
            id(join), lambda: (join, SelectCompiler(dialect_of(source.kind)).join_statement(join))
        )
        rows = self.database.fetch(source, compiled.with_keys(keys))
        if compiled.row is not None:
            if join.joins is None:
                return compiled.row.objects(rows)
            built = self.fill_rows(rows, compiled.row, join.joins)
            return {row[-1]: value for row, value in zip(rows, built, strict=True)}
        if join.joins is None:
            return {int(argument): None if text is None else orjson.Fragment(text) for argument, text in rows}
        results = {int(argument): None if text is None else orjson.loads(text) for argument, text in rows}
        self.fill(list(results.values()), join.joins)
        return results
