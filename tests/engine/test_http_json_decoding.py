"""``HttpResponse.json`` decodes every body exactly as ``json.loads`` does, fast path or not.

orjson reads most bodies; a body with a run of 19 digits (an integer that may pass 64 bits) and
whatever orjson refuses go to the standard decoder. The standard decoder is the oracle: the same
value with the same types (int stays int, float stays float, -0.0 keeps its sign, NaN stays NaN),
and what it refuses raises ``InvalidJsonError``.
"""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.http import HttpResponse, InvalidJsonError

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def decoded(body: bytes):
    return HttpResponse(200, (), body).json()


def same(left, right) -> bool:
    """Equal with equal types all the way down; NaN equals NaN and -0.0 differs from 0.0."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float):
        if math.isnan(left):
            return math.isnan(right)
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    return left == right


def assert_decodes_like_json(body: bytes):
    try:
        expected = json.loads(body)
    except ValueError:
        with pytest.raises(InvalidJsonError):
            decoded(body)
        return
    assert same(decoded(body), expected), body


# --- integers past 64 bits ------------------------------------------------------------------------

BIG = [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64, 2**64 + 1, -(2**70), 10**40, -(10**19)]


@pytest.mark.parametrize("number", BIG)
def test_integers_past_64_bits_decode_exactly(number):
    body = json.dumps({"data": {"n": number, "list": [1, [number], {"deep": number}]}}).encode()

    value = decoded(body)

    assert value == {"data": {"n": number, "list": [1, [number], {"deep": number}]}}
    assert type(value["data"]["n"]) is int
    assert type(value["data"]["list"][2]["deep"]) is int


def test_a_long_integer_beside_ordinary_numbers_changes_none_of_them():
    body = b'{"a": 1.5, "b": 18446744073709551617, "c": -0.0, "d": 1e5, "e": "12345678901234567890"}'

    value = decoded(body)

    assert same(value, {"a": 1.5, "b": 2**64 + 1, "c": -0.0, "d": 100000.0, "e": "12345678901234567890"})


@pytest.mark.parametrize(
    "body",
    [
        b'"18446744073709551617"',
        b'{"id": "-1180591620717411303424", "n": 1}',
        b'["\\u0031234567890123456789"]',
        b'{"12345678901234567890": 12345678901234567890}',
    ],
)
def test_long_digit_runs_inside_strings_are_unchanged(body):
    assert_decodes_like_json(body)


@pytest.mark.parametrize(
    "body",
    [
        b"1234567890123456789",  # 19 digits, within 64 bits
        b"12345678901234567890.5",
        b"0.12345678901234567890123",
        b"1.2345678901234567890e5",
        b"123456789012345678901234567890e-10",
        b"-0.000000000000000000001",
        b"100000000000000000000000000000000000000000000000000000000000000000000000000000000",
    ],
)
def test_long_digit_runs_in_floats_and_integers(body):
    assert_decodes_like_json(body)


# --- floats and what the standard decoder accepts beyond JSON --------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"1e400",
        b"-1e400",
        b"1E400",
        b"1.7976931348623157e309",
        b"1e-400",
        b"4.9e-324",
        b"2.2250738585072011e-308",
        b"-0",
        b"-0.0",
        b"0.1",
        b"1.0",
        b"1e5",
        b"[NaN, Infinity, -Infinity]",
        b'{"x": NaN}',
        b"nan",
        b"inf",
        b"Infinity1",
        b"01",
        b"1.",
        b".5",
        b"+1",
        b"0x10",
        b"1_000",
    ],
)
def test_numbers_decode_like_the_standard_decoder(body):
    assert_decodes_like_json(body)


def test_overflowing_floats_are_infinite_not_refused():
    assert decoded(b"[1e400, -1e400]") == [math.inf, -math.inf]


# --- encodings, strings and malformed bodies --------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'\xef\xbb\xbf{"a": 1}',  # UTF-8 byte order mark: the standard decoder reads bytes past it
        '{"a": "é"}'.encode("utf-16"),
        '{"a": "é"}'.encode("utf-16-le"),
        '{"a": "é"}'.encode("utf-32-be"),
        b'{"a": "\xff"}',  # not UTF-8
        b'{"a": "\xc3"}',  # a truncated sequence
        b'"\xed\xa0\x80"',  # an encoded surrogate
        b'"\\ud800"',  # an escaped lone surrogate
        b'"\\ud83d\\ude00"',
        b'"\x7f"',
        b'"a\x01b"',  # a raw control character
        b'"\\u0000"',
        b'{"a": 1, "a": 2}',
        b"",
        b"   ",
        b" \t\r\n[1] \n",
        b"[1,]",
        b"{'a': 1}",
        b"[1] [2]",
        b"\x00",
        b"null",
        b"true",
        b"[" * 200 + b"]" * 200,
    ],
)
def test_bodies_decode_or_fail_like_the_standard_decoder(body):
    assert_decodes_like_json(body)


def test_invalid_utf8_is_invalid_json():
    with pytest.raises(InvalidJsonError):
        decoded(b'{"data": "\xff\xfe"}')


def test_a_byte_order_mark_is_read_past():
    assert decoded(b'\xef\xbb\xbf{"data": {"n": 12345678901234567890}}') == {
        "data": {"n": 12345678901234567890}
    }


# --- any JSON value ------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**100), max_value=2**100)
    | st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1])
    | st.floats()
    | st.text()
    | st.from_regex(r"[0-9]{15,25}", fullmatch=True)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=20,
)


@SETTINGS
@given(json_values, st.booleans())
def test_any_json_value_decodes_like_the_standard_decoder(value, ascii_only):
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")

    assert same(decoded(body), json.loads(body))


number_texts = st.from_regex(r"-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)


@SETTINGS
@given(number_texts)
def test_any_number_text_decodes_like_the_standard_decoder(text):
    body = f'{{"n": {text}, "in": [{text}]}}'.encode()

    assert same(decoded(body), json.loads(body))
