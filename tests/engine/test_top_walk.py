"""The generated walks agree with the general path: a handler's top objects (shape, collect, join),
a table's plain rows (build, collect, join) and flat lists.

Generated answers hold every kind of JSON value where the join keys are read (null, numbers, text,
booleans, lists, objects, or nothing at all), nested objects, and now and then a null item (the
general path's case); selections have aliases, ``__typename``, nested objects, one-key and two-key joins and
phantom key fields.
"""

import copy
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.execute.compiler import PlainRow
from engine.execute.joins import Collected, Joiner, collect, row_walk_of
from engine.execute.output import shape
from engine.execute.top_walk import compile_top_walk
from engine.plan.document import checked_document
from engine.plan.nodes import JoinTree, LiteralOut, OutputValue
from engine.plan.operation import plan_operation
from tests.engine.gateway_support import sqlite_gateway

TYPES = {
    "actions": [
        {
            "name": "refs",
            "definition": {"type": "query", "handler": "http://127.0.0.1/r", "output_type": "[Ref]"},
        }
    ],
    "custom_types": {
        "objects": [
            {"name": "Meta", "fields": [{"name": "code", "type": "String"}]},
            {
                "name": "Ref",
                "fields": [
                    {"name": "author_id", "type": "Int"},
                    {"name": "label", "type": "String"},
                    {"name": "meta", "type": "Meta"},
                ],
                "relationships": [
                    {
                        "name": "author",
                        "type": "object",
                        "remote_table": "author",
                        "field_mapping": {"author_id": "id"},
                    },
                    {
                        "name": "articles",
                        "type": "array",
                        "remote_table": "article",
                        "field_mapping": {"author_id": "author_id"},
                    },
                    {
                        "name": "titled",
                        "type": "array",
                        "remote_table": "article",
                        "field_mapping": {"author_id": "author_id", "label": "title"},
                    },
                ],
            },
        ]
    },
}
QUERIES = [
    "{ refs { label author { name } articles { title } } }",
    "{ refs { a: author_id __typename m: meta { code } titled { id } author { name } } }",
    "{ refs { author { name } again: author { id } } }",
    "{ refs { titled { id } label } }",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "a", "1"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner, max_size=2),
    max_leaves=4,
)
REF = st.fixed_dictionaries(
    {},
    optional={
        "author_id": JSON,
        "label": JSON,
        "meta": st.none() | st.fixed_dictionaries({}, optional={"code": SCALARS}),
        "extra": SCALARS,
    },
)
ANSWERS = st.lists(st.one_of(REF, REF, REF, st.none()), max_size=8)


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    gateway = sqlite_gateway(tmp_path_factory.mktemp("walk"), **TYPES)
    schema = gateway.schema()
    return [
        plan_operation(schema, checked_document(schema, query), None, None, {}).roots[0] for query in QUERIES
    ]


class RecordingJoiner(Joiner):
    """A joiner whose joins answer each key with its argument id and the key, and note the keys sent."""

    def __init__(self):
        super().__init__(database=None, remote=None, actions=None, pool=ThreadPoolExecutor(2))
        self.sent = {}

    def fetch(self, batch):
        assert id(batch.call) not in self.sent, "one call per join"
        self.sent[id(batch.call)] = [list(key) for key in batch.keys]
        return {argument: {"argument": argument, "key": values} for argument, *values in batch.keys}


def general_path(answer, root):
    """The answer shaped, then its joins filled over the general walk; the keys each join sent."""
    joiner = RecordingJoiner()
    value = shape(answer, root.selection)
    joiner.fill([value], root.joins)
    return value, joiner.sent


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=ANSWERS, which=st.integers(0, len(QUERIES) - 1))
def test_the_generated_walk_agrees_with_shape_then_collect(roots, answer, which):
    root = roots[which]
    joiner = RecordingJoiner()
    walked = joiner.fill_output(copy.deepcopy(answer), root.selection, root.joins)
    expected, expected_sent = general_path(copy.deepcopy(answer), root)

    assert walked == expected
    assert [list(item) for item in walked or [] if isinstance(item, dict)] == [
        list(item) for item in expected or [] if isinstance(item, dict)
    ]  # the same keys in the same order
    assert joiner.sent == expected_sent


def test_names_are_written_as_literals_never_as_code():
    selection = (
        OutputValue("x'] + __import__('os').name + ['", 'y"); raise SystemExit #'),
        LiteralOut("t", "T"),
    )
    walk = compile_top_walk(selection, [], lambda key: None)
    objects = [{'y"); raise SystemExit #': 1}]

    assert walk.collect(objects, []) == []
    assert walk.build(objects, [], []) == [{"x'] + __import__('os').name + ['": 1, "t": "T"}]
    assert walk.collect([[]], []) is None


@dataclass(frozen=True)
class KeyAt:
    alias: str


@dataclass(frozen=True)
class Call:
    keys: tuple[KeyAt, ...]


ONE = Call((KeyAt("k"),))
OTHER = Call((KeyAt("k"),))
TWO = Call((KeyAt("k"), KeyAt("j")))
TREES = [
    JoinTree(joins=(("a", ONE),), phantoms=("k",)),
    JoinTree(joins=(("a", ONE), ("b", OTHER), ("c", TWO))),
    JoinTree(joins=(("c", TWO), ("a", ONE)), phantoms=("k", "j")),
]
ROW = st.fixed_dictionaries(
    {}, optional={"k": JSON, "j": SCALARS, "a": st.just("placeholder"), "b": st.none(), "c": st.just(0)}
)
ROWS = st.lists(st.one_of(ROW, ROW, st.none(), st.lists(ROW | st.none(), max_size=2)), max_size=8)


def reference_collect(items, tree):
    """The rule written plainly: per object, each join present in it takes its key, a null key nulls it."""
    found = Collected()

    def walk(value):
        if isinstance(value, list):
            for item in value:
                if item is not None:
                    walk(item)
            return
        if tree.phantoms:
            found.phantoms.append((value, tree.phantoms))
        for alias, call in tree.joins:
            if alias not in value:
                continue
            values = [value[key.alias] for key in call.keys]
            if None in values:
                value[alias] = None
            else:
                found.batch(call).add(value, alias, values)

    walk(items)
    return found


def flat(items):
    """Every object of nested lists, in order."""
    return [
        item
        for value in items
        for item in (flat(value) if isinstance(value, list) else [value])
        if item is not None
    ]


@settings(max_examples=300, deadline=None)
@given(items=ROWS, which=st.integers(0, len(TREES) - 1))
def test_the_generated_flat_collection_agrees_with_the_plain_rule(items, which):
    tree = TREES[which]
    expected_items = copy.deepcopy(items)
    try:
        expected = reference_collect(expected_items, tree)
    except KeyError:
        with pytest.raises(Exception, match="a join column is missing from the response"):
            collect(copy.deepcopy(items), tree, Collected())
        return
    found = Collected()
    collect(items, tree, found)

    assert items == expected_items  # null keys null their field alike
    place = {id(item): index for index, item in enumerate(flat(items))}
    expected_place = {id(item): index for index, item in enumerate(flat(expected_items))}
    assert [(place[id(target)], aliases) for target, aliases in found.phantoms] == [
        (expected_place[id(target)], aliases) for target, aliases in expected.phantoms
    ]
    batches = {
        key: (batch.keys, [(place[id(t)], a, n) for t, a, n in batch.slots])
        for key, batch in found.batches.items()
    }
    assert batches == {
        key: (batch.keys, [(expected_place[id(t)], a, n) for t, a, n in batch.slots])
        for key, batch in expected.batches.items()
    }


# A table's plain rows: (id, k, j) by position; ``a``, ``b``, ``c`` and ``z`` are join placeholders.
ROW_LAYOUTS = [
    PlainRow([("id", 0, None), ("a", None, None), ("k", 1, None), ("__typename", None, "T")]),
    PlainRow([("c", None, None), ("j", 2, None), ("b", None, None), ("k", 1, None), ("a", None, None)]),
]
ROW_TREES = [
    *TREES,
    JoinTree(joins=(("a", ONE), ("z", OTHER))),  # no placeholder for ``z``: the general path
]
PLAIN_ROWS = st.lists(st.tuples(st.integers(0, 9), JSON, SCALARS), max_size=8)


@settings(max_examples=300, deadline=None)
@given(rows=PLAIN_ROWS, layout=st.sampled_from(ROW_LAYOUTS), which=st.integers(0, len(ROW_TREES) - 1))
def test_the_generated_row_walk_agrees_with_rows_then_collect(rows, layout, which):
    tree = ROW_TREES[which]
    joiner = RecordingJoiner()
    walked = joiner.fill_rows(copy.deepcopy(rows), layout, tree)
    general = RecordingJoiner()
    expected = layout.values(copy.deepcopy(rows))
    general.fill(expected, tree)

    assert walked == expected
    assert [list(item) for item in walked] == [list(item) for item in expected]  # keys in order
    assert joiner.sent == general.sent


def test_a_row_walk_is_taken_only_when_every_join_has_a_placeholder_and_key_columns():
    layout = ROW_LAYOUTS[0]

    assert row_walk_of(layout, TREES[0]) is not None
    assert row_walk_of(layout, JoinTree(joins=(("a", ONE), ("z", OTHER)))) is None
    assert row_walk_of(layout, JoinTree(joins=(("a", Call((KeyAt("missing"),))),))) is None
    assert row_walk_of(layout, JoinTree(joins=(("a", ONE),), children=(("x", JoinTree()),))) is None
