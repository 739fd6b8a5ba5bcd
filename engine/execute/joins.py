"""The join algorithm: fill relationship fields of a handler's answer with table rows, one SQL per join.

The planner turned every relationship field of the selection into an ``OutputJoin`` whose keys
name fields of the same object: the client's own selection of them, or phantom fields it added.
After the answer has been shaped (relationship fields hold a placeholder):

    answer (shaped)                          collect                    one statement per join
    [ {id: 1, user: ·, posts: ·},      user:  keys {(1,): 0, (2,): 1}   SELECT arg, (row json)
      {id: 2, user: ·, posts: ·},  ──▶        slots [(o1,0),(o2,1),(o3,0)] ──▶ FROM keys($1) ...
      {id: 1, user: ·, posts: ·},      posts: keys {...}                 -> {0: {...}, 1: {...}}
      {id: null, user: ·, ...} ]              (null key: field = null,
                                               no key sent)
                                                        │
    stitch: each slot's placeholder ← result of its argument id (object: row or null,
            array: list, aggregate: object); phantom fields deleted; other keys keep their order.

* Keys are de-duplicated: equal key tuples share one argument id, so 1,000 objects pointing at 97
  users send 97 keys.
* A key with any null value makes the field null and sends nothing; a join with no keys runs no SQL.
* Exactly one SQL statement per join node whatever the number of objects (it may sit under lists
  and nested objects at any depth); all keys travel in one parameter, so the statement text does
  not depend on how many there are. Joins of one answer run one after the other.
* Table relationships nested under the joined rows are part of the same statement, and the rows
  come back as JSON text spliced into the response without being decoded.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import orjson

from engine.execute.compiler import SelectCompiler
from engine.execute.database import Database
from engine.execute.dialects import dialect_of
from engine.plan.nodes import Join, OutputJoin, OutputObject, OutputSelection, OutputValue


@dataclass
class JoinBatch:
    """The keys collected for one join node and the places waiting for their results."""

    join: Join
    arguments: dict[Hashable, int] = field(default_factory=dict)
    keys: list[list[Any]] = field(default_factory=list)
    slots: list[tuple[dict[str, Any], str, int]] = field(default_factory=list)

    def add(self, target: dict[str, Any], alias: str, values: list[Any]) -> None:
        """Wait for the row(s) of ``values`` at ``target[alias]``; equal values share an argument id."""
        token = _token(values)
        argument = self.arguments.get(token)
        if argument is None:
            argument = self.arguments[token] = len(self.keys)
            self.keys.append([argument, *values])
        self.slots.append((target, alias, argument))


def _token(values: list[Any]) -> Hashable:
    """Equal JSON values give equal tokens (``1`` and ``true`` differ, as in JSON)."""
    token = tuple((type(value), value) for value in values)
    try:
        hash(token)
    except TypeError:
        return json.dumps(values, sort_keys=True)
    return token


@dataclass(frozen=True)
class SelectionParts:
    """What a walk needs from one selection: nested objects, phantom fields and joins."""

    objects: tuple[OutputObject, ...]
    phantoms: tuple[str, ...]
    joins: tuple[OutputJoin, ...]

    @classmethod
    def of(cls, selection: OutputSelection) -> SelectionParts:
        """Split a selection once, so each object is visited without re-examining every item."""
        return cls(
            tuple(item for item in selection if isinstance(item, OutputObject)),
            tuple(item.alias for item in selection if isinstance(item, OutputValue) and item.phantom),
            tuple(item for item in selection if isinstance(item, OutputJoin)),
        )


@dataclass
class Collected:
    """Everything one walk over an answer found: the batches and the phantom fields to delete."""

    batches: dict[int, JoinBatch] = field(default_factory=dict)
    phantoms: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    parts: dict[int, SelectionParts] = field(default_factory=dict)

    def parts_of(self, selection: OutputSelection) -> SelectionParts:
        """The parts of a selection, split on first use."""
        found = self.parts.get(id(selection))
        if found is None:
            found = self.parts[id(selection)] = SelectionParts.of(selection)
        return found


def collect(value: Any, selection: OutputSelection | None, found: Collected) -> None:
    """Walk a shaped answer along its selection, gathering join keys and phantom fields."""
    if selection is None or value is None:
        return
    if isinstance(value, list):
        for item in value:
            collect(item, selection, found)
        return
    parts = found.parts_of(selection)
    for nested in parts.objects:
        collect(value[nested.alias], nested.selection, found)
    for alias in parts.phantoms:
        found.phantoms.append((value, alias))
    for join in parts.joins:
        _collect_key(value, join, found)


def _collect_key(value: dict[str, Any], item: OutputJoin, found: Collected) -> None:
    values = [value[key.alias] for key in item.join.keys]
    if None in values:
        return
    batch = found.batches.get(id(item.join))
    if batch is None:
        batch = found.batches[id(item.join)] = JoinBatch(item.join)
    batch.add(value, item.alias, values)


def run_joins(value: Any, selection: OutputSelection | None, database: Database) -> None:
    """Fill every relationship field of a shaped answer in place, then drop the phantom fields."""
    found = Collected()
    collect(value, selection, found)
    for batch in found.batches.values():
        results = fetch_batch(batch, database)
        for target, alias, argument in batch.slots:
            target[alias] = results.get(argument)
    for target, alias in found.phantoms:
        del target[alias]


def fetch_batch(batch: JoinBatch, database: Database) -> dict[int, Any]:
    """Run one join statement for all keys of a batch: argument id -> JSON (spliced, not decoded)."""
    source = batch.join.target.source
    statement = SelectCompiler(dialect_of(source.kind)).join_query(batch.join, batch.keys)
    rows = database.fetch(source, statement)
    return {int(argument): None if text is None else orjson.Fragment(text) for argument, text in rows}
