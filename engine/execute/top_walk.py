"""Generated functions that walk a thousand objects: a handler's top objects, and flat lists of answers.

``compile_top_walk``: one function per selection that shapes a handler's top objects and gathers
their join keys, in one walk (a dict display with the response keys in order, one ``get`` per
field, the key de-duplication of ``JoinBatch.add_one`` written out). ``compile_flat_collect``: one
function per join shape that gathers the join keys of a list of objects holding only joins and
phantom fields (a table's rows, a remote answer). Both are written as source and compiled by
``engine.execute.generated``, once per shape of selection or joins.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from engine.execute.generated import define
from engine.plan.nodes import JoinCall, LiteralOut, OutputSelection, OutputValue

# The built-in types generated code compares kinds with, by identity.
_KIND_NAMES = {"_dict": dict, "_int": int, "_str": str}

TopWalk = Callable[[list[Any], Sequence[Any]], list[dict[str, Any]] | None]
"""``walk(objects, batches)``: the shaped objects, their keys added to ``batches`` (one per join);
None when an object is not a JSON object (the caller then takes the general path)."""


def compile_top_walk(
    selection: OutputSelection,
    joins: Sequence[tuple[str, JoinCall, tuple[str, ...]]],
    token: Callable[[Any], Hashable],
) -> TopWalk:
    """The walk of ``selection`` (phantoms left out) whose ``joins`` read their keys from the given fields.

    ``joins`` holds (response key, join, the handler fields its key is read from); ``token`` is
    ``JoinBatch``'s token of one key, so keys are told apart exactly as ``add_one`` and ``add`` do.
    """
    namespace: dict[str, Any] = {**_KIND_NAMES, "_token": token}
    lines = [
        "def walk(objects, batches):",
        "    shaped_all = []",
        "    append = shaped_all.append",
    ]
    for index, (_, _, names) in enumerate(joins):
        if len(names) == 1:
            lines += _batch_lines(index)
        else:
            lines.append(f"    add_{index} = batches[{index}].add")
    lines += [
        "    for source in objects:",
        "        if type(source) is not _dict:",
        "            return None",
        "        get = source.get",
        f"        shaped = {{{_entries(selection, namespace)}}}",
        "        append(shaped)",
    ]
    for index, (alias, _, names) in enumerate(joins):
        lines += _collect_lines(index, alias, names)
    lines.append("    return shaped_all")
    return define(lines, namespace, "walk")


def _entries(selection: OutputSelection, namespace: dict[str, Any]) -> str:
    """The dict display of one shaped object: every response key in selection order.

    The selection holds fields, constants and join placeholders only (nested objects take the
    general path).
    """
    entries = []
    for index, item in enumerate(selection):
        if isinstance(item, OutputValue):
            value = f"get({item.name!r})"
        elif isinstance(item, LiteralOut):
            namespace[f"constant_{index}"] = item.value
            value = f"constant_{index}"
        else:  # a join's placeholder
            value = "None"
        entries.append(f"{item.alias!r}: {value}")
    return ", ".join(entries)


def _collect_lines(index: int, alias: str, names: tuple[str, ...]) -> list[str]:
    """Add the object's key to batch ``index``; a null key leaves the placeholder null and sends nothing."""
    if len(names) > 1:
        values = ", ".join(f"get({name!r})" for name in names)
        return [
            f"        values = [{values}]",
            "        if None not in values:",
            f"            add_{index}(shaped, {alias!r}, values)",
        ]
    return [
        f"        key = get({names[0]!r})",
        "        if key is not None:",
        *_add_key_lines(index, "shaped", alias, "            "),
    ]


def _batch_lines(index: int) -> list[str]:
    """Batch ``index``'s parts as locals of the generated function."""
    return [
        f"    arguments_{index} = batches[{index}].arguments",
        f"    keys_{index} = batches[{index}].keys",
        f"    slots_{index} = batches[{index}].slots",
    ]


def _add_key_lines(index: int, target: str, alias: str, indent: str) -> list[str]:
    """``JoinBatch.add_one(target, alias, key)`` on batch ``index``, written out."""
    return [
        indent + line
        for line in (
            # An integer or a string is its own token (``_token`` says so too), without a call.
            "kind = type(key)",
            "token = key if kind is _int or kind is _str else _token(key)",
            f"argument = arguments_{index}.get(token)",
            "if argument is None:",
            f"    argument = arguments_{index}[token] = len(keys_{index})",
            f"    keys_{index}.append([argument, key])",
            f"slots_{index}.append(({target}, {alias!r}, argument))",
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
            lines += _batch_lines(index)
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
            *_add_key_lines(index, "value", alias, "                "),
        ]
    return define(lines, namespace, "collect")
