"""Dialect details: LIKE patterns on SQLite, the REGEXP function, parameter casts on PostgreSQL."""

import pytest

from engine.execute.dialects import PostgresSql, SqliteSql, like_to_glob, regexp
from engine.graphql_errors import RequestError


@pytest.mark.parametrize(
    ("like", "glob"),
    [
        ("A%", "A*"),
        ("_b%", "?b*"),
        ("100\\%", "100%"),
        ("a\\_b", "a_b"),
        ("*?[", "[*][?][[]"),
        ("end\\", "end\\"),
    ],
)
def test_like_patterns_become_glob_patterns(like, glob):
    assert like_to_glob(like) == glob


def test_regexp_matches_anywhere_and_never_matches_null():
    assert regexp("^a", "abc")
    assert regexp("(?i)^A", "abc")
    assert not regexp("^b", "abc")
    assert not regexp(".*", None)


def test_postgres_parameters_are_cast_to_the_column_type():
    compared = PostgresSql().compare(PostgresSql().ident("c"), "_eq", {"a": 1}, "jsonb")

    assert compared.params == ('{"a": 1}',)
    assert PostgresSql().compare(PostgresSql().ident("c"), "_in", [1, 2], "integer").params == ([1, 2],)


def test_sqlite_refuses_operators_it_lacks():
    with pytest.raises(RequestError, match='"_similar" is not supported on SQLite'):
        SqliteSql().compare(SqliteSql().ident("c"), "_similar", "a%", "text")
