"""Repeated benchmark runs reduce to their median and flag a spread over 10 % (bench.repetitions)."""

from dataclasses import dataclass

import pytest

from bench.repetitions import SPREAD_LIMIT, median_record, spread, spread_mark, summarise_rounds


@dataclass(frozen=True)
class Sample:
    name: str
    valid: bool
    p50_ms: float
    requests: int
    peak_kib: int


def test_each_number_is_the_median_and_a_peak_stays_the_largest():
    runs = [
        Sample("a", True, 4.0, 300, 100),
        Sample("b", False, 9.0, 100, 120),
        Sample("c", True, 5.0, 200, 90),
    ]

    merged = median_record(runs, keep_max=("peak_kib",))

    assert merged == Sample("a", True, 5.0, 200, 120)


def test_one_record_is_itself():
    only = Sample("a", True, 4.0, 300, 100)

    assert median_record([only]) == only


def test_a_field_equal_in_every_record_keeps_its_type():
    merged = median_record([Sample("a", True, 4.0, 300, 100), Sample("b", True, 5.0, 300, 100)])

    assert (merged.requests, merged.peak_kib, merged.p50_ms) == (300, 100, 4.5)
    assert type(merged.requests) is int


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5.0, 5.2, 4.9], 0.3 / 5.0),
        ([2.0, 4.0], 2.0 / 3.0),
        ([7.5], 0.0),
        ([0.0, 0.0, 0.0], 0.0),
    ],
)
def test_spread_is_the_range_over_the_median(values, expected):
    assert spread(values) == pytest.approx(expected)


def test_a_tenth_apart_is_the_limit():
    assert spread([10.0, 10.0, 11.0]) <= SPREAD_LIMIT < spread([10.0, 10.0, 11.1])


@dataclass(frozen=True)
class Round:
    n: int
    joinery_p50_ms: float
    joinery_max_ms: float


def test_rounds_summarise_to_their_median_and_the_spread_of_joinerys_p50():
    rounds = [Round(1000, 4.0, 9.0), Round(1000, 5.0, 6.0), Round(1000, 4.5, 7.0)]

    merged, p50_spread = summarise_rounds(rounds, keep_max=("joinery_max_ms",))

    assert merged == Round(1000, 4.5, 9.0)
    assert p50_spread == pytest.approx(1.0 / 4.5)


def test_only_a_spread_past_the_limit_is_marked():
    assert (spread_mark(SPREAD_LIMIT), spread_mark(0.11)) == ("", " ~")
