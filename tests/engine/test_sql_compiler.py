"""SQL compilation: statement text per dialect, parameters in placeholder order, one parameter for all keys."""

import psycopg2
import pytest

from engine.execute.compiler import SelectCompiler
from engine.execute.dialects import KeyColumn, PostgresSql, SqliteSql
from engine.plan.document import checked_document
from engine.plan.operation import plan_operation
from tests.engine.gateway_support import sqlite_gateway
from tests.engine.test_planner import REFS


@pytest.fixture
def schema(tmp_path):
    return sqlite_gateway(tmp_path, **REFS).schema()


def root_of(schema, query):
    (root,) = plan_operation(schema, checked_document(schema, query), None, None, {}).roots
    return root


def author_join(schema, fields="name"):
    return root_of(schema, "{ refs { author { " + fields + " } } }").selection[0].join


def test_a_nested_selection_is_one_sqlite_statement(schema):
    root = root_of(
        schema,
        '{ author(where: {name: {_like: "A%"}}, order_by: {id: desc}, limit: 2) { name articles(order_by: {id: asc}) { title } } }',
    )

    statement = SelectCompiler(SqliteSql()).table_query(root)

    assert SqliteSql().render(statement, None) == (
        'SELECT (SELECT coalesce(json_group_array(json("_r1"."j")), json_array()) FROM ('
        'SELECT json_object(?, "_t0"."name", ?, json((SELECT coalesce(json_group_array(json("_r3"."j")), json_array()) '
        'FROM (SELECT json_object(?, "_t2"."title") AS "j" FROM "article" AS "_t2" '
        'WHERE "_t2"."author_id" = "_t0"."id" ORDER BY "_t2"."id" ASC NULLS LAST) AS "_r3"))) AS "j" '
        'FROM "author" AS "_t0" WHERE "_t0"."name" GLOB ? ORDER BY "_t0"."id" DESC NULLS FIRST LIMIT ?) AS "_r1")'
    )
    assert statement.params == ("name", "articles", "title", "A*", 2)


def test_a_sqlite_join_reads_every_key_from_one_json_parameter(schema):
    statement = SelectCompiler(SqliteSql()).join_query(author_join(schema), [[0, 1], [1, 2]])

    assert SqliteSql().render(statement, None) == (
        'SELECT json_extract("_k"."value", ?), (SELECT json_object(?, "_t0"."name") FROM "author" AS "_t0" '
        'WHERE "_t0"."id" = CAST(json_extract("_k"."value", ?) AS INTEGER) LIMIT ?) FROM json_each(?) AS "_k"'
    )
    assert statement.params == ("$[0]", "name", "$[1]", 1, "[[0,1],[1,2]]")


@pytest.mark.postgres
def test_a_postgres_join_unpacks_each_key_column_from_one_typed_array_in_argument_order(
    schema, pg_database_url
):
    statement = SelectCompiler(PostgresSql()).join_query(author_join(schema, "rating"), [[0, 1], [1, 2]])

    with psycopg2.connect(pg_database_url) as connection:
        text = PostgresSql().render(statement, connection)

    assert text == (
        'SELECT ("_k"."__argument_id__" - 1), ((SELECT json_build_object(%s::text, "_t0"."rating") '
        'FROM "public"."author" AS "_t0" WHERE "_t0"."id" = "_k"."k0" LIMIT %s))::text '
        'FROM unnest(%s::"int4"[]) WITH ORDINALITY AS "_k"("k0", "__argument_id__")'
    )
    assert statement.params == ("rating", 1, "{1,2}")


@pytest.mark.postgres
def test_key_array_literals_read_back_as_the_keys(pg_database_url):
    texts = ["", "a,b", "{x}", 'say "hi"', "back\\slash", " pad ", "NULL", "é😀", "\t\n", {"a": [1]}]
    flags = [True, False, True, False, True, False, True, False, True, False]
    keys = [[index, text, flag] for index, (text, flag) in enumerate(zip(texts, flags, strict=True))]
    params = PostgresSql().bind_keys((KeyColumn(0), KeyColumn(1)), keys, 2)

    with psycopg2.connect(pg_database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM unnest(%s::text[], %s::bool[]) WITH ORDINALITY", params)
        rows = cursor.fetchall()

    expected_texts = [text if isinstance(text, str) else '{"a":[1]}' for text in texts]
    assert rows == [
        (text, flag, index + 1) for index, (text, flag) in enumerate(zip(expected_texts, flags, strict=True))
    ]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "values",
    [[0, -1, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63)], [1, 2**64, -(2**70)], []],
    ids=["64-bit", "beyond 64 bits", "none"],
)
def test_integer_key_array_literals_read_back_as_the_keys(pg_database_url, values):
    keys = [[index, value] for index, value in enumerate(values)]
    (param,) = PostgresSql().bind_keys((KeyColumn(0),), keys, 1)

    with psycopg2.connect(pg_database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM unnest(%s::numeric[]) WITH ORDINALITY", (param,))
        rows = cursor.fetchall()

    assert rows == [(value, index + 1) for index, value in enumerate(values)]


@pytest.mark.postgres
def test_a_postgres_object_join_of_plain_columns_returns_them_as_columns(schema, pg_database_url):
    compiled = SelectCompiler(PostgresSql()).join_statement(author_join(schema, "name __typename"))
    statement = compiled.with_keys([[0, 1], [1, 2]])

    with psycopg2.connect(pg_database_url) as connection:
        text = PostgresSql().render(statement, connection)

    assert text == (
        'SELECT "_r1"."c0", ("_k"."__argument_id__" - 1) '
        'FROM unnest(%s::"int4"[]) WITH ORDINALITY AS "_k"("k0", "__argument_id__") '
        'JOIN LATERAL (SELECT "_t0"."name" AS "c0" FROM "public"."author" AS "_t0" '
        'WHERE "_t0"."id" = "_k"."k0" LIMIT %s) AS "_r1" ON true'
    )
    assert statement.params == ("{1,2}", 1)
    assert compiled.row is not None
    assert compiled.row.objects([("Ann", 0), ("Bob", 1)]) == {
        0: {"name": "Ann", "__typename": "author"},
        1: {"name": "Bob", "__typename": "author"},
    }


@pytest.mark.parametrize("dialect", [SqliteSql(), PostgresSql()], ids=["sqlite", "postgres"])
def test_the_statement_text_does_not_depend_on_the_number_of_keys(schema, dialect):
    join = author_join(schema)
    one = SelectCompiler(dialect).join_query(join, [[0, 1]])
    many = SelectCompiler(dialect).join_query(join, [[n, n + 1] for n in range(500)])

    assert one.text == many.text
    assert len(one.params) == len(many.params)


def test_values_never_enter_the_statement_text(schema):
    root = root_of(schema, """{ author(where: {name: {_eq: "x'); DROP TABLE author; --"}}) { name } }""")

    statement = SelectCompiler(SqliteSql()).table_query(root)

    assert "DROP" not in SqliteSql().render(statement, None)
    assert "x'); DROP TABLE author; --" in statement.params


@pytest.mark.postgres
def test_postgres_aggregates_project_columns_once_and_order_their_nodes(schema, pg_database_url):
    root = root_of(
        schema,
        "{ author_aggregate(order_by: {id: asc}) { aggregate { max { name } min { name } } nodes { id } } }",
    )

    statement = SelectCompiler(PostgresSql()).table_query(root)
    with psycopg2.connect(pg_database_url) as connection:
        text = PostgresSql().render(statement, connection)

    assert text == (
        "SELECT ((SELECT json_build_object(%s::text, json_build_object(%s::text, json_build_object(%s::text, "
        'max("_r1"."c0")), %s::text, json_build_object(%s::text, min("_r1"."c0"))), %s::text, '
        'coalesce(json_agg("_r1"."j0" ORDER BY "_r1"."n"), \'[]\'::json)) FROM (SELECT "_t0"."name" AS "c0", '
        'json_build_object(%s::text, "_t0"."id") AS "j0", row_number() OVER (ORDER BY "_t0"."id" ASC NULLS LAST) AS "n" '
        'FROM "public"."author" AS "_t0" ORDER BY "_t0"."id" ASC NULLS LAST) AS "_r1"))::text'
    )
