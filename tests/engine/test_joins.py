"""The join algorithm on a real SQLite source: keys de-duplicated, null keys skipped, results stitched."""

from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest

from engine.execute.action_joins import ActionJoinCaller
from engine.execute.actions import ActionCaller, CallContext
from engine.execute.database import Database
from engine.execute.joins import Collected, Joiner, collect
from engine.execute.output import OutputChecker, shape
from engine.execute.remote import RemoteCaller
from engine.execute.stats import ExecutionStats
from engine.plan.document import checked_document
from engine.plan.operation import plan_operation
from tests.engine.gateway_support import sqlite_gateway
from tests.engine.test_planner import REFS
from tests.engine.test_top_walk import RecordingJoiner

ANSWER = [
    {"author_id": 1, "label": "a"},
    {"author_id": 2, "label": "b"},
    {"author_id": 1, "label": "c"},
    {"author_id": None, "label": "d"},
    {"author_id": 99, "label": "e"},
]


@pytest.fixture
def gateway(tmp_path):
    return sqlite_gateway(tmp_path, **REFS)


def root_of(gateway, query):
    schema = gateway.schema()
    (root,) = plan_operation(schema, checked_document(schema, query), None, None, {}).roots
    return root


def joiner(gateway, stats):
    schema = gateway.schema()
    context = CallContext({}, (), "", {})
    actions = ActionCaller(gateway.runtime.transport, context, OutputChecker(schema), stats)
    remote = RemoteCaller(schema, gateway.runtime.transport, context, stats)
    pool = ThreadPoolExecutor(2)
    return Joiner(Database(gateway.runtime.connections, stats), remote, ActionJoinCaller(actions, pool), pool)


def test_equal_keys_share_one_argument_and_null_keys_send_nothing(gateway):
    root = root_of(gateway, "{ refs { label author { name } articles { title } } }")
    found = Collected()

    collect(shape(ANSWER, root.selection), root.joins, found)

    author, articles = found.batches.values()
    assert author.keys == [[0, 1], [1, 2], [2, 99]]
    assert [argument for _, _, argument in author.slots] == [0, 1, 0, 2]
    assert articles.keys == author.keys
    assert len(found.phantoms) == len(ANSWER)


# Keys alike in Python (1 == 1.0 == True, hash("1") is a string's) but different JSON values, and
# a string spelling the JSON text of a list key.
LOOKALIKE_KEYS = [1, 1.0, True, "1", "[[1]]", [1], "json", ["json"], {"a": 1}]


@pytest.mark.parametrize("generated", [True, False], ids=["generated walk", "general path"])
def test_keys_share_an_argument_only_when_equal_as_json(gateway, generated):
    root = root_of(gateway, "{ refs { label author { name } } }")
    keys = [*LOOKALIKE_KEYS, 1, "1", [1], True, {"a": 1}]
    answer = [{"author_id": key, "label": str(index)} for index, key in enumerate(keys)]
    joiner = RecordingJoiner()

    if generated:
        value = joiner.fill_output(answer, root.selection, root.joins)
    else:
        value = shape(answer, root.selection)
        joiner.fill([value], root.joins)

    (sent,) = joiner.sent.values()
    assert [(type(key), key) for _, key in sent] == [(type(key), key) for key in LOOKALIKE_KEYS]
    arguments = [item["author"]["argument"] for item in value]
    assert arguments == [*range(len(LOOKALIKE_KEYS)), 0, 3, 5, 2, 8]


def test_joins_fill_relationship_fields_and_drop_phantom_fields(gateway):
    root = root_of(gateway, "{ refs { label author { name } articles(order_by: {id: asc}) { id } } }")
    stats = ExecutionStats()
    value = shape(ANSWER, root.selection)

    joiner(gateway, stats).fill([value], root.joins)

    assert orjson.loads(orjson.dumps(value)) == [
        {"label": "a", "author": {"name": "Ann"}, "articles": [{"id": 1}, {"id": 2}, {"id": 3}]},
        {"label": "b", "author": {"name": "Bob"}, "articles": [{"id": 4}]},
        {"label": "c", "author": {"name": "Ann"}, "articles": [{"id": 1}, {"id": 2}, {"id": 3}]},
        {"label": "d", "author": None, "articles": None},
        {"label": "e", "author": None, "articles": []},
    ]
    assert stats.snapshot().sql_statements == 2


def test_no_keys_no_statement(gateway):
    root = root_of(gateway, "{ refs { author { name } } }")
    stats = ExecutionStats()
    value = shape([{"author_id": None}], root.selection)

    joiner(gateway, stats).fill([value], root.joins)

    assert value == [{"author": None}]
    assert stats.snapshot().sql_statements == 0
