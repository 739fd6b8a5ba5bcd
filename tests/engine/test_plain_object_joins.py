"""Plain columns on PostgreSQL: object joins and root rows built from columns encode to the JSON the database builds.

Edge values of every plain type (the extremes of each integer width, text with quotes, backslashes,
control characters and characters beyond the BMP, nulls, both booleans) are read through the plain
statements and compared byte for byte, once encoded, with the JSON statement over the same rows.
"""

import orjson
import psycopg2
import pytest

from engine.catalog import read_catalog
from engine.environment import Environment
from engine.execute.compiler import SelectCompiler
from engine.execute.dialects import PostgresSql
from engine.metadata import Metadata
from engine.plan.document import checked_document
from engine.plan.operation import plan_operation
from engine.schema import build_gateway_schema
from engine.sources import ConnectionProvider

pytestmark = pytest.mark.postgres

TABLE = """
CREATE TABLE plain_values (
    id integer PRIMARY KEY, small smallint, big bigint, label text, code varchar(12), flag boolean,
    ratio double precision
);
INSERT INTO plain_values VALUES
    (1, -32768, -9223372036854775808, 'say "hi" \\ there', 'a/b', true, 0.1),
    (2, 32767, 9223372036854775807, E'tab\\tnew\\nline\\u0001 \\u00e9 \\U0001F600', '', false, 1e300),
    (3, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, 0, 0, '', 'x', true, -0.0);
"""


def metadata(url):
    return {
        "version": 3,
        "sources": [
            {
                "name": "default",
                "kind": "postgres",
                "configuration": {"connection_info": {"database_url": url}},
                "tables": [{"table": {"schema": "public", "name": "plain_values"}}],
            }
        ],
        "actions": [
            {
                "name": "refs",
                "definition": {"type": "query", "handler": "http://127.0.0.1/r", "output_type": "[Ref]"},
            }
        ],
        "custom_types": {
            "objects": [
                {
                    "name": "Ref",
                    "fields": [{"name": "value_id", "type": "Int"}],
                    "relationships": [
                        {
                            "name": "value",
                            "type": "object",
                            "remote_table": "plain_values",
                            "field_mapping": {"value_id": "id"},
                        }
                    ],
                }
            ]
        },
    }


@pytest.fixture(scope="module")
def schema(pg_database_url, tmp_path_factory):
    with psycopg2.connect(pg_database_url) as connection, connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS plain_values")
        cursor.execute(TABLE)
    loaded = Metadata.from_dict(metadata(pg_database_url))
    provider = ConnectionProvider(tmp_path_factory.mktemp("plain"), {})
    with provider.connection(loaded.sources[0]) as connection:
        catalog = read_catalog(connection, "postgres", "default")
    provider.close_all()
    return build_gateway_schema(loaded, Environment(catalogs={"default": catalog}), "admin")


def value_join(schema, fields):
    query = "{ refs { value { " + fields + " } } }"
    (root,) = plan_operation(schema, checked_document(schema, query), None, None, {}).roots
    return root.selection[0].join


def run(url, statement):
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(PostgresSql().render(statement, connection), statement.params)
        return cursor.fetchall()


def test_plain_objects_encode_to_the_json_the_database_builds(schema, pg_database_url):
    fields = "i: id small big label code flag __typename"
    compiled = SelectCompiler(PostgresSql()).join_statement(value_join(schema, fields))
    assert compiled.row is not None
    keys = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 99]]

    found = compiled.row.objects(run(pg_database_url, compiled.with_keys(keys)))

    listed = "{ plain_values(order_by: {id: asc}) { " + fields + " } }"
    (root,) = plan_operation(schema, checked_document(schema, listed), None, None, {}).roots
    ((text,),) = run(pg_database_url, SelectCompiler(PostgresSql()).table_query(root))
    rows = orjson.loads(text)  # the same rows, as json_build_object writes them
    assert sorted(found) == [0, 1, 2, 3]  # key 99 has no row: no object, so the field is null
    for argument, row in enumerate(rows):
        assert orjson.dumps(found[argument]) == orjson.dumps(row)
    assert found[1]["big"] == 9223372036854775807
    assert found[0]["flag"] is True


def test_a_column_of_another_type_keeps_the_json_built_by_the_database(schema):
    assert SelectCompiler(PostgresSql()).join_statement(value_join(schema, "id ratio")).row is None
    assert SelectCompiler(PostgresSql()).join_statement(value_join(schema, "__typename")).row is None


def root_of(schema, query):
    (root,) = plan_operation(schema, checked_document(schema, query), None, None, {}).roots
    return root


@pytest.mark.parametrize(
    "query",
    [
        "{ plain_values(order_by: {id: desc}, where: {id: {_lt: 4}}) { i: id small big label code flag __typename } }",
        "{ plain_values(distinct_on: flag, order_by: [{flag: asc}, {id: desc}], limit: 2) { id flag } }",
        "{ plain_values_by_pk(id: 2) { label big } }",
        "{ plain_values_by_pk(id: 99) { label } }",
    ],
)
def test_plain_root_rows_encode_to_the_json_the_database_builds(schema, pg_database_url, query):
    root = root_of(schema, query)
    compiled = SelectCompiler(PostgresSql()).table_statement(root)
    assert compiled.row is not None
    ((text,),) = run(pg_database_url, SelectCompiler(PostgresSql()).table_query(root))

    found = compiled.row.values(run(pg_database_url, compiled.statement))

    value = found if root.kind == "rows" else next(iter(found), None)
    assert orjson.dumps(value) == orjson.dumps(orjson.loads(text) if text is not None else None)
