"""Generated functions that walk a thousand objects: a handler's top objects, a table's rows, flat lists.

``compile_top_walk``: per selection whose joins sit on a handler's top objects, two functions. The
first gathers each object's join keys (``JoinBatch.argument_of`` written out for one key) and
notes, per join, the argument id each object waits for; once the joins are fetched, the second
builds the shaped objects in one comprehension (a dict display with the response keys in order, one
``get`` per field, the join results put in place), so no placeholder is filled afterwards.
``compile_row_walk``: the same two functions over a table's plain rows (tuples read by position), so
a table's objects are built once, with their joins in place and without phantom columns.
``compile_flat_collect``: one function per join shape that gathers the join keys of a list of
objects holding only joins and phantom fields (a table's rows decoded from JSON, a remote answer).
All are written as source and compiled by ``engine.execute.generated``, once per shape of selection,
row or joins.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.execute.generated import define
from engine.plan.nodes import JoinCall, LiteralOut, OutputSelection, OutputValue

# The built-in types generated code compares kinds with, by identity.
_KIND_NAMES = {"_dict": dict, "_int": int, "_str": str}
# The argument id of an object whose key is null: no result has it, so its field stays null.
NO_ARGUMENT = -1


@dataclass(frozen=True)
class TopWalk:
    """The two generated functions of one selection's top objects.

    ``collect(objects, batches)``: each object's keys added to ``batches`` (one per join); per join,
    the argument id of each object (``NO_ARGUMENT`` for a null key). None when an object is not a
    JSON object (the caller then takes the general path).

    ``build(objects, arguments, results)``: the shaped objects, each join's field set to its result
    (``results``: per join, argument id -> value).
    """

    collect: Callable[[list[Any], Sequence[Any]], list[list[int]] | None]
    build: Callable[[list[Any], list[list[int]], Sequence[dict[int, Any]]], list[dict[str, Any]]]


def compile_top_walk(
    selection: OutputSelection,
    joins: Sequence[tuple[str, JoinCall, tuple[str, ...]]],
    token: Callable[[Any], Hashable],
) -> TopWalk:
    """The walk of ``selection`` (phantoms left out) whose ``joins`` read their keys from the given fields.

    ``joins`` holds (response key, join, the handler fields its key is read from); ``token`` is
    ``JoinBatch``'s token of one key, so keys are told apart exactly as ``argument_of`` does.
    """
    key_reads = [[f"get({name!r})" for name in names] for _, _, names in joins]
    join_of = {alias: index for index, (alias, _, _) in enumerate(joins)}
    namespace: dict[str, Any] = {}
    entries = []
    for index, item in enumerate(selection):
        if isinstance(item, OutputValue):
            value = f"source.get({item.name!r})"
        elif isinstance(item, LiteralOut):
            value = _constant(namespace, index, item.value)
        elif item.alias in join_of:
            value = _result(join_of[item.alias])
        else:  # a join placeholder no join fills
            value = "None"
        entries.append((item.alias, value))
    return TopWalk(_collect(key_reads, token, objects=True), _build(entries, namespace, len(joins)))


def compile_row_walk(
    entries: Sequence[tuple[str, int | None, Any]],
    joins: Sequence[tuple[str, tuple[int, ...]]],
    token: Callable[[Any], Hashable],
) -> TopWalk:
    """The walk of plain rows (tuples) whose ``joins`` read their keys from the given positions.

    ``entries`` are the response keys in order with the position of their value in the row, or None
    and their constant (``PlainRow``'s entries, phantom columns left out); ``joins`` holds (response
    key, the row positions its key is read from); ``token`` as for ``compile_top_walk``.
    """
    key_reads = [[f"source[{position}]" for position in positions] for _, positions in joins]
    join_of = {alias: index for index, (alias, _) in enumerate(joins)}
    namespace: dict[str, Any] = {}
    built = []
    for index, (alias, position, constant) in enumerate(entries):
        if alias in join_of:
            value = _result(join_of[alias])
        elif position is None:
            value = _constant(namespace, index, constant)
        else:
            value = f"source[{position}]"
        built.append((alias, value))
    return TopWalk(_collect(key_reads, token, objects=False), _build(built, namespace, len(joins)))


def _constant(namespace: dict[str, Any], index: int, value: Any) -> str:
    """The name of entry ``index``'s constant, put in the generated function's namespace."""
    namespace[f"constant_{index}"] = value
    return f"constant_{index}"


def _result(index: int) -> str:
    """The result of join ``index`` for the object's argument id (none for ``NO_ARGUMENT``)."""
    return f"result_{index}(argument_{index})"


def _collect(
    key_reads: Sequence[Sequence[str]], token: Callable[[Any], Hashable], objects: bool
) -> Callable[[list[Any], Sequence[Any]], list[list[int]] | None]:
    """The loop gathering the keys of every join from each source, in one pass.

    ``key_reads`` are, per join, the expressions reading its key values from ``source``; with
    ``objects`` each source must be a JSON object (``get`` is its ``get``), else the walk gives up.
    """
    namespace: dict[str, Any] = {**_KIND_NAMES, "_token": token, "_none": NO_ARGUMENT}
    lines = ["def collect(objects, batches):"]
    for index, reads in enumerate(key_reads):
        if len(reads) == 1:
            lines += _batch_lines(index)
        else:
            lines.append(f"    argument_of_{index} = batches[{index}].argument_of")
        lines += [f"    argument_ids_{index} = []", f"    note_{index} = argument_ids_{index}.append"]
    lines.append("    for source in objects:")
    if objects:
        lines += [
            "        if type(source) is not _dict:",
            "            return None",
            "        get = source.get",
        ]
    for index, reads in enumerate(key_reads):
        lines += _note_lines(index, reads)
    lines.append("    return [" + ", ".join(f"argument_ids_{index}" for index in range(len(key_reads))) + "]")
    return define(lines, namespace, "collect")


def _note_lines(index: int, reads: Sequence[str]) -> list[str]:
    """Note the source's argument id for join ``index``, its key added to the batch unless null."""
    if len(reads) > 1:
        return [
            f"        values = [{', '.join(reads)}]",
            f"        note_{index}(_none if None in values else argument_of_{index}(values))",
        ]
    return [
        f"        key = {reads[0]}",
        "        if key is None:",
        f"            note_{index}(_none)",
        "        else:",
        *_add_key_lines(index, f"note_{index}(argument)", "            "),
    ]


def _build(
    entries: Sequence[tuple[str, str]], namespace: dict[str, Any], join_count: int
) -> Callable[[list[Any], list[list[int]], Sequence[dict[int, Any]]], list[dict[str, Any]]]:
    """The comprehension building every shaped object, one dict display of ``entries`` per source.

    ``entries`` are (response key, expression over ``source``, its argument ids and join results).
    """
    indexes = range(join_count)
    targets = ", ".join(["source", *(f"argument_{index}" for index in indexes)])
    sources = ", ".join(["objects", *(f"arguments[{index}]" for index in indexes)])
    walked = f"zip({sources})" if join_count else "objects"
    display = ", ".join(f"{alias!r}: {value}" for alias, value in entries)
    lines = [
        "def build(objects, arguments, results):",
        *(f"    result_{index} = results[{index}].get" for index in indexes),
        f"    return [{{{display}}} for {targets} in {walked}]",
    ]
    return define(lines, namespace, "build")


def _batch_lines(index: int) -> list[str]:
    """Batch ``index``'s parts as locals of the generated function."""
    return [
        f"    ids_{index} = batches[{index}].arguments",
        f"    keys_{index} = batches[{index}].keys",
    ]


def _add_key_lines(index: int, then: str, indent: str) -> list[str]:
    """``JoinBatch.argument_of([key])`` on batch ``index``, written out, then the line ``then``."""
    return [
        indent + line
        for line in (
            # An integer or a string is its own token (``_token`` says so too), without a call.
            "kind = type(key)",
            "token = key if kind is _int or kind is _str else _token(key)",
            f"argument = ids_{index}.get(token)",
            "if argument is None:",
            f"    argument = ids_{index}[token] = len(keys_{index})",
            f"    keys_{index}.append([argument, key])",
            then,
        )
    ]


FlatCollect = Callable[..., None]
"""``collect(objects, batches, add_phantoms, phantoms, other, collect_key)``: the keys of ``objects``
added to ``batches`` (one per join); ``add_phantoms((object, phantoms))`` records an object's
phantom fields, ``other(item)`` takes an item that is not an object, ``collect_key(object, index)``
an object's key of join ``index`` when that join has several key fields."""


def compile_flat_collect(
    joins: Sequence[tuple[str, str | None]],
    has_phantoms: bool,
    token: Callable[[Any], Hashable],
    missing_key: Callable[[str], Exception],
) -> FlatCollect:
    """The key gathering of a list whose objects hold only ``joins`` (response key, key field or None).

    A join whose key field is None has several keys (``collect_key`` takes them); ``token`` is
    ``JoinBatch``'s token of one key; ``missing_key(field)`` is the error for an absent key field.
    """
    namespace: dict[str, Any] = {
        **_KIND_NAMES,
        "_absent": object(),
        "_token": token,
        "_missing_key": missing_key,
    }
    lines = ["def collect(objects, batches, add_phantoms, phantoms, other, collect_key):"]
    for index, (_, key_field) in enumerate(joins):
        if key_field is not None:
            lines += [*_batch_lines(index), f"    slots_{index} = batches[{index}].slots"]
    lines += [
        "    for value in objects:",
        "        if type(value) is not _dict:",
        "            if value is not None:",
        "                other(value)",
        "            continue",
    ]
    if has_phantoms:
        lines.append("        add_phantoms((value, phantoms))")
    for index, (alias, key_field) in enumerate(joins):
        lines.append(f"        if {alias!r} in value:")
        if key_field is None:
            lines.append(f"            collect_key(value, {index})")
            continue
        lines += [
            f"            key = value.get({key_field!r}, _absent)",
            "            if key is _absent:",
            f"                raise _missing_key({key_field!r})",
            "            if key is None:",
            f"                value[{alias!r}] = None",
            "            else:",
            *_add_key_lines(index, f"slots_{index}.append((value, {alias!r}, argument))", "                "),
        ]
    return define(lines, namespace, "collect")
