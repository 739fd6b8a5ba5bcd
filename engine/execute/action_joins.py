"""Joins to actions: a handler answers for the join keys, through the ordinary webhook contract.

A handler takes one input per call (reference §3.2), so by default the join calls it once per
distinct key (equal keys share a call, null keys send none), all calls of a join level at once on
the bounded pool. With ``batch`` (list mode) the join calls it once, every distinct key in the list
argument, and matches the objects of its (list) answer back to the keys by ``key_field``, as a
remote join in list mode does. Every answer is checked against the action's output type and shaped
to the client's selection before the joins inside it run.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

from engine.execute.actions import ActionCaller
from engine.execute.concurrency import run_concurrently
from engine.execute.output import shape
from engine.execute.remote import distinct_keys, filled, matched
from engine.plan.nodes import ActionJoin

JoinKeys = Sequence[Sequence[Any]]


class ActionJoinCaller:
    """Calls the handlers behind action joins."""

    def __init__(self, actions: ActionCaller, pool: Executor) -> None:
        self.actions = actions
        self.pool = pool

    def join(self, call: ActionJoin, keys: JoinKeys) -> dict[int, Any]:
        """Argument id -> the shaped answer of the action for that argument's key values."""
        if call.batch is not None:
            return self._batched(call, keys)
        work = [lambda key=key: self._call(call, self._arguments(call, key)) for key in keys]
        answers = run_concurrently(self.pool, work)
        return {int(key[0]): answer for key, answer in zip(keys, answers, strict=True)}

    def _arguments(self, call: ActionJoin, key: Sequence[Any]) -> dict[str, Any]:
        values = {lhs.name: value for lhs, value in zip(call.keys, key[1:], strict=True)}
        return filled(dict(call.arguments), values)

    def _call(self, call: ActionJoin, arguments: dict[str, Any]) -> Any:
        answer = self.actions.call(call.action, arguments, call.output_type)
        return shape(answer.value, call.selection)

    def _batched(self, call: ActionJoin, keys: JoinKeys) -> dict[int, Any]:
        assert call.batch is not None
        assert call.key_alias is not None
        values = distinct_keys([key[1] for key in keys])
        arguments = {**dict(call.arguments), call.batch.list_argument: values}
        many = call.batch.relationship_type == "array"
        return matched(self._call(call, arguments), call.key_alias, keys, many)
