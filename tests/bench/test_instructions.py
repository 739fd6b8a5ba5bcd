"""bench.instructions: its cells, its reading of callgrind's summary and how many requests it counts."""

import pytest

from bench.instructions import (
    REQUESTS_LARGE,
    REQUESTS_SMALL,
    SMALL_CELL,
    collected_instructions,
    parse_cells,
    requests_of,
)

WORKLOADS = ("W1", "W3 list", "W4")


def test_cells_are_workload_and_size_pairs():
    assert parse_cells("W1:1000, W3 list:1,W4:100", WORKLOADS) == [("W1", 1000), ("W3 list", 1), ("W4", 100)]


@pytest.mark.parametrize("spec", ["W9:100", "W1", "W1:ten", "W1:-1", ""])
def test_a_cell_that_is_not_one_is_refused(spec):
    with pytest.raises(ValueError, match="not a cell"):
        parse_cells(spec, WORKLOADS)


def test_the_count_is_read_from_callgrinds_closing_summary():
    output = "==81== Callgrind, a call-graph generating cache profiler\n==81== Events    : Ir\n==81== Collected : 35066050\n==81==\n==81== I   refs:      35,066,050\n"
    assert collected_instructions(output) == 35_066_050


def test_no_summary_is_an_error_that_shows_the_output():
    with pytest.raises(RuntimeError, match="Traceback"):
        collected_instructions("Traceback (most recent call last): ...")


def test_small_cells_count_more_requests_unless_told():
    assert requests_of(1, None) == requests_of(SMALL_CELL, None) == REQUESTS_SMALL
    assert requests_of(SMALL_CELL + 1, None) == REQUESTS_LARGE
    assert requests_of(1, 7) == requests_of(10_000, 7) == 7
