"""Selections wider than one JSON-building call accepts (PostgreSQL: 50 keys, SQLite: 60) keep every key."""

import pytest

from tests.integration.dataset import load_postgres, load_sqlite

WIDTH = 130


def metadata(kind, url):
    return {
        "version": 3,
        "sources": [
            {
                "name": "default",
                "kind": kind,
                "configuration": {"connection_info": {"database_url": url}},
                "tables": [{"table": {"schema": "public", "name": "author"}}],
            }
        ],
    }


@pytest.mark.postgres
@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_every_aliased_field_comes_back_in_order(kind, metadata_api, graphql_api, pg_database_url, tmp_path):
    if kind == "postgres":
        load_postgres(pg_database_url)
        url = pg_database_url
    else:
        url = load_sqlite(tmp_path / "wide.db")
    metadata_api.ok("replace_metadata", metadata(kind, url))
    fields = " ".join(f"f{n}: {'name' if n % 2 else 'id'}" for n in range(WIDTH))

    data = graphql_api.data(f"{{ author_by_pk(id: 2) {{ {fields} }} }}")

    assert list(data["author_by_pk"].items()) == [(f"f{n}", "Bob" if n % 2 else 2) for n in range(WIDTH)]
