"""List-mode joins: matching the objects of one batched answer back to each key.

``engine.execute.remote.matched`` serves remote schema and action list-mode joins. It is written for
speed (a first-match map for object relationships, text keys looked up as they are); here it is
checked against the plain reading of the rule over generated answers: an object matches a key when
their key tokens are equal (``1``, ``1.0`` and ``"1"`` alike), an object relationship takes the first
match in answer order, an array relationship every match, a key that is a list of values the matches
of each value, and whatever in the answer is not an object is skipped.
"""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.execute.remote import key_token, matched

KEY = "k"
scalar_keys = st.one_of(
    st.sampled_from(["a", "b", "1", "2"]),
    st.integers(0, 3),
    st.sampled_from([1.0, 2.5]),
    st.booleans(),
    st.none(),
)


@st.composite
def answers(draw: st.DrawFn) -> list[Any]:
    """A list-mode answer: numbered objects with a key, some in nested lists, some not objects at all."""
    counter = iter(range(1_000))

    def item() -> Any:
        kind = draw(st.sampled_from(["object", "object", "object", "nested", "other"]))
        if kind == "object":
            return {KEY: draw(scalar_keys), "n": next(counter)}
        if kind == "nested":
            return [{KEY: draw(scalar_keys), "n": next(counter)} for _ in range(draw(st.integers(0, 2)))]
        return draw(st.sampled_from([None, 3, "x"]))

    return [item() for _ in range(draw(st.integers(0, 12)))]


key_values = st.one_of(scalar_keys, st.lists(scalar_keys, max_size=3))


def reference(answer: Any, keys: list[list[Any]], many: bool) -> dict[int, Any]:
    objects = [item for element in answer for item in _spread(element) if isinstance(item, dict)]

    def match(value: Any) -> Any:
        if isinstance(value, list):
            parts = [match(item) for item in value]
            return [hit for part in parts for hit in part] if many else parts
        hits = [item for item in objects if key_token(item.get(KEY)) == key_token(value)]
        return hits if many else (hits[0] if hits else None)

    return {key[0]: match(key[1]) for key in keys}


def _spread(element: Any) -> list[Any]:
    return [item for part in element for item in _spread(part)] if isinstance(element, list) else [element]


@settings(max_examples=300, deadline=None)
@given(answer=answers(), values=st.lists(key_values, max_size=8), many=st.booleans())
def test_matched_follows_the_rule(answer, values, many):
    keys = [[index, value] for index, value in enumerate(values)]

    assert matched(answer, KEY, keys, many) == reference(answer, keys, many)


def test_an_object_relationship_takes_the_first_match_and_an_array_every_match():
    answer = [{KEY: "a", "n": 0}, [{KEY: 1, "n": 1}], {KEY: "a", "n": 2}, None, {KEY: "1", "n": 3}]
    keys = [[0, "a"], [1, 1], [2, "zz"], [3, ["a", 1.0]]]

    assert matched(answer, KEY, keys, many=False) == {
        0: {KEY: "a", "n": 0},
        1: {KEY: 1, "n": 1},
        2: None,
        3: [{KEY: "a", "n": 0}, {KEY: 1, "n": 1}],
    }
    assert matched(answer, KEY, keys, many=True)[1] == [{KEY: 1, "n": 1}, {KEY: "1", "n": 3}]


def test_an_answer_that_is_not_a_list_matches_nothing():
    assert matched({"a": 1}, KEY, [[0, "a"]], many=False) == {0: None}
    assert matched(None, KEY, [[0, "a"]], many=True) == {0: []}
