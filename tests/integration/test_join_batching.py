"""An action answering 1,000 objects: one webhook call and one SQL statement per relationship level.

The answer's objects point at four authors; each gets an array relationship (articles, with the
table relationship ``author`` nested under every article) and an object relationship (author).
"""

import pytest

from tests.integration.dataset import load_postgres, load_sqlite

OBJECTS = 1000
QUERY = """
{
  refs {
    n
    articles(order_by: {id: asc}) { title author { name } }
    author { name }
  }
}
"""
NAMES = {1: "Ann", 2: "Bob", 3: "Cid", 4: "Dee"}
TITLES = {1: ["Apples", "Bananas", "Cherries"], 2: ["Dates"], 3: [], 4: ["apricots"]}


def metadata(kind, database_url, webhook_url):
    return {
        "version": 3,
        "sources": [
            {
                "name": "default",
                "kind": kind,
                "configuration": {"connection_info": {"database_url": database_url}},
                "tables": [
                    {"table": {"schema": "public", "name": "author"}},
                    {
                        "table": {"schema": "public", "name": "article"},
                        "object_relationships": [
                            {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}
                        ],
                    },
                ],
            }
        ],
        "actions": [
            {
                "name": "refs",
                "definition": {"type": "query", "handler": webhook_url, "output_type": "[Ref!]!"},
            }
        ],
        "custom_types": {
            "objects": [
                {
                    "name": "Ref",
                    "fields": [{"name": "n", "type": "Int!"}, {"name": "author_id", "type": "Int!"}],
                    "relationships": [
                        {
                            "name": "articles",
                            "type": "array",
                            "remote_table": "article",
                            "field_mapping": {"author_id": "author_id"},
                        },
                        {
                            "name": "author",
                            "type": "object",
                            "remote_table": "author",
                            "field_mapping": {"author_id": "id"},
                        },
                    ],
                }
            ]
        },
    }


def expected_ref(n):
    author_id = n % 4 + 1
    articles = [{"title": title, "author": {"name": NAMES[author_id]}} for title in TITLES[author_id]]
    return {"n": n, "articles": articles, "author": {"name": NAMES[author_id]}}


@pytest.fixture(params=["postgres", "sqlite"])
def database(request, pg_database_url, tmp_path):
    if request.param == "postgres":
        load_postgres(pg_database_url)
        return request.param, pg_database_url
    return request.param, load_sqlite(tmp_path / "batch.db")


@pytest.mark.postgres
def test_a_thousand_objects_take_one_call_and_one_statement_per_relationship(
    database, metadata_api, graphql_api, webhook_server
):
    kind, url = database
    webhook_server.route("/refs", [{"n": n, "author_id": n % 4 + 1} for n in range(OBJECTS)])
    metadata_api.ok("replace_metadata", metadata(kind, url, webhook_server.url("/refs")))

    answer = graphql_api.post(QUERY)

    assert answer.body == {"data": {"refs": [expected_ref(n) for n in range(OBJECTS)]}}
    assert (answer.http_calls, answer.sql_statements) == (1, 2)
    assert len(webhook_server.calls("/refs")) == 1
