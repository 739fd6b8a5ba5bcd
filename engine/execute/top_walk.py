"""Generated functions that walk a thousand objects: a handler's top objects, and flat lists of answers.

``compile_top_walk``: per selection whose joins sit on a handler's top objects, two functions. The
first gathers each object's join keys (``JoinBatch.argument_of`` written out for one key) and
notes, per join, the argument id each object waits for; once the joins are fetched, the second
builds the shaped objects in one comprehension (a dict display with the response keys in order, one
``get`` per field, the join results put in place), so no placeholder is filled afterwards.
``compile_flat_collect``: one function per join shape that gathers the join keys of a list of
objects holding only joins and phantom fields (a table's rows, a remote answer). Both are written
as source and compiled by ``engine.execute.generated``, once per shape of selection or joins.
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
    return TopWalk(_collect(joins, token), _build(selection, [alias for alias, _, _ in joins]))


def _collect(
    joins: Sequence[tuple[str, JoinCall, tuple[str, ...]]], token: Callable[[Any], Hashable]
) -> Callable[[list[Any], Sequence[Any]], list[list[int]] | None]:
    """The loop gathering the keys of every join from each object, in one pass."""
    namespace: dict[str, Any] = {**_KIND_NAMES, "_token": token, "_none": NO_ARGUMENT}
    lines = ["def collect(objects, batches):"]
    for index, (_, _, names) in enumerate(joins):
        if len(names) == 1:
            lines += _batch_lines(index)
        else:
            lines.append(f"    argument_of_{index} = batches[{index}].argument_of")
        lines += [f"    argument_ids_{index} = []", f"    note_{index} = argument_ids_{index}.append"]
    lines += [
        "    for source in objects:",
        "        if type(source) is not _dict:",
        "            return None",
        "        get = source.get",
    ]
    for index, (_, _, names) in enumerate(joins):
        lines += _note_lines(index, names)
    lines.append("    return [" + ", ".join(f"argument_ids_{index}" for index in range(len(joins))) + "]")
    return define(lines, namespace, "collect")


def _note_lines(index: int, names: tuple[str, ...]) -> list[str]:
    """Note the object's argument id for join ``index``, its key added to the batch unless null."""
    if len(names) > 1:
        values = ", ".join(f"get({name!r})" for name in names)
        return [
            f"        values = [{values}]",
            f"        note_{index}(_none if None in values else argument_of_{index}(values))",
        ]
    return [
        f"        key = get({names[0]!r})",
        "        if key is None:",
        f"            note_{index}(_none)",
        "        else:",
        *_add_key_lines(index, f"note_{index}(argument)", "            "),
    ]


def _build(
    selection: OutputSelection, join_aliases: list[str]
) -> Callable[[list[Any], list[list[int]], Sequence[dict[int, Any]]], list[dict[str, Any]]]:
    """The comprehension building every shaped object: the selection in order, join results in place.

    The selection holds fields, constants and join placeholders only (nested objects take the
    general path).
    """
    namespace: dict[str, Any] = {}
    join_of = {alias: index for index, alias in enumerate(join_aliases)}
    entries = []
    for index, item in enumerate(selection):
        if isinstance(item, OutputValue):
            value = f"source.get({item.name!r})"
        elif isinstance(item, LiteralOut):
            namespace[f"constant_{index}"] = item.value
            value = f"constant_{index}"
        elif item.alias in join_of:
            value = f"result_{join_of[item.alias]}(argument_{join_of[item.alias]})"
        else:  # a join placeholder no join fills
            value = "None"
        entries.append(f"{item.alias!r}: {value}")
    indexes = range(len(join_aliases))
    targets = ", ".join(["source", *(f"argument_{index}" for index in indexes)])
    sources = ", ".join(["objects", *(f"arguments[{index}]" for index in indexes)])
    walked = f"zip({sources})" if join_aliases else "objects"
    lines = [
        "def build(objects, arguments, results):",
        *(f"    result_{index} = results[{index}].get" for index in indexes),
        f"    return [{{{', '.join(entries)}}} for {targets} in {walked}]",
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
