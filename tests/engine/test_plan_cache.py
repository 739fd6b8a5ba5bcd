"""Plans kept per document: one query text asked many ways, interleaved, always gets its own answer.

The golden dataset on PostgreSQL (tests/integration/dataset.py): authors 1 Ann, 2 Bob, 3 Cid, 4 Dee;
articles 1-3 by Ann (2 unpublished), 4 by Bob, 5 by Dee (unpublished), 6 by nobody. Role ``user``
reads the articles that are published or its own (``X-Hasura-User-Id``) and inserts articles as
itself (a preset); role ``guest`` reads article ids with a limit of one row. Every query goes through
``execute`` with one schema per role, kept across requests as the server keeps it, so repeated
texts find their kept plans.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import orjson
import psycopg2
import pytest

from engine.catalog import read_catalog
from engine.environment import Environment
from engine.execute import Caller, GraphQLRequest, Runtime, execute
from engine.http import HttpTransport
from engine.metadata import Metadata
from engine.plan.document import checked_entry
from engine.plan.operation import planned_operation
from engine.schema import build_gateway_schema
from engine.sources import ConnectionProvider
from tests.engine.gateway_support import dataset_metadata
from tests.integration.dataset import load_postgres

pytestmark = pytest.mark.postgres

READABLE = {"_or": [{"published": {"_eq": True}}, {"author_id": {"_eq": "X-Hasura-User-Id"}}]}
ARTICLE_PERMISSIONS = {
    "select_permissions": [
        {
            "role": "user",
            "permission": {
                "columns": ["id", "title", "author_id"],
                "filter": READABLE,
                "allow_aggregations": True,
            },
        },
        {"role": "guest", "permission": {"columns": ["id"], "filter": {}, "limit": 1}},
    ],
    "insert_permissions": [
        {
            "role": "user",
            "permission": {
                "columns": ["id", "title", "published"],
                "check": {},
                "set": {"author_id": "X-Hasura-User-Id"},
            },
        }
    ],
}


AUTHOR_PERMISSIONS = {
    "select_permissions": [{"role": "user", "permission": {"columns": ["id", "name"], "filter": {}}}]
}


class PostgresGateway:
    """The dataset behind ``execute``, one schema per role built once."""

    def __init__(self, url, directory):
        metadata = dataset_metadata(url, kind="postgres")
        article = next(t for t in metadata["sources"][0]["tables"] if t["table"]["name"] == "article")
        article.update(ARTICLE_PERMISSIONS)
        author = next(t for t in metadata["sources"][0]["tables"] if t["table"]["name"] == "author")
        author.update(AUTHOR_PERMISSIONS)
        self.metadata = Metadata.from_dict(metadata)
        self.provider = ConnectionProvider(directory, {})
        with self.provider.connection(self.metadata.sources[0]) as connection:
            catalog = read_catalog(connection, "postgres", "default")
        self.environment = Environment(catalogs={"default": catalog})
        self.runtime = Runtime(self.provider, HttpTransport(allowed_hosts=["127.0.0.1"]), dict(os.environ))
        self.schemas = {role: self._schema(role) for role in ("admin", "user", "guest")}

    def _schema(self, role):
        return build_gateway_schema(self.metadata, self.environment, role)

    def body(self, query, variables=None, *, operation=None, role="admin", user=None):
        session = {"x-hasura-role": role}
        if user is not None:
            session["x-hasura-user-id"] = str(user)
        response = execute(
            self.schemas[role],
            GraphQLRequest(query, variables, operation),
            Caller(role, session),
            self.runtime,
        )
        return orjson.loads(response.encode())

    def data(self, query, variables=None, **kwargs):
        body = self.body(query, variables, **kwargs)
        assert "errors" not in body, body
        return body["data"]

    def kept_plans(self, query, role="admin"):
        return len(checked_entry(self.schemas[role], query).plans)


@pytest.fixture
def gateway(pg_database_url, tmp_path):
    load_postgres(pg_database_url)
    gateway = PostgresGateway(pg_database_url, tmp_path)
    yield gateway
    gateway.provider.close_all()


NAMES = {1: "Ann", 2: "Bob", 3: "Cid", 4: "Dee"}


def test_one_query_with_different_variables(gateway):
    query = "query ($id: Int!) { author_by_pk(id: $id) { id name } }"

    for _ in range(3):
        for author_id in (1, 3, 2, 4, 99):
            expected = None if author_id == 99 else {"id": author_id, "name": NAMES[author_id]}
            assert gateway.data(query, {"id": author_id}) == {"author_by_pk": expected}

    assert gateway.kept_plans(query) == 5


def test_variables_that_change_the_selection_and_the_filter(gateway):
    query = (
        "query ($min: Int, $full: Boolean!, $order: order_by = asc) {"
        " article(where: {views: {_gte: $min}}, order_by: {id: $order}) { id title @include(if: $full) } }"
    )
    cases = [
        ({"min": 20, "full": False}, [{"id": 1}, {"id": 2}, {"id": 5}]),
        (
            {"min": 20, "full": True},
            [{"id": 1, "title": "Apples"}, {"id": 2, "title": "Bananas"}, {"id": 5, "title": "apricots"}],
        ),
        ({"min": 70, "full": False, "order": "desc"}, [{"id": 5}, {"id": 1}]),
        ({"full": False, "min": 70}, [{"id": 1}, {"id": 5}]),  # same variables in another order
        ({"full": False}, [{"id": n} for n in range(1, 7)]),  # no value drops the comparison
        ({"min": 100, "full": True}, [{"id": 1, "title": "Apples"}]),
    ]

    for _ in range(3):
        for variables, rows in cases:
            assert gateway.data(query, variables) == {"article": rows}, variables
        refused = gateway.body(query, {"min": None, "full": False})
        assert refused["errors"][0]["message"] == 'unexpected null value for type "Int"'


def test_one_document_with_two_operations(gateway):
    query = (
        "query Authors($id: Int!) { author(where: {id: {_lte: $id}}, order_by: {id: asc}) { name } }\n"
        "query Articles($id: Int!) { article(where: {author_id: {_eq: $id}}, order_by: {id: asc}) { id } }"
    )

    for _ in range(3):
        assert gateway.data(query, {"id": 2}, operation="Authors") == {
            "author": [{"name": "Ann"}, {"name": "Bob"}]
        }
        assert gateway.data(query, {"id": 2}, operation="Articles") == {"article": [{"id": 4}]}
        assert gateway.data(query, {"id": 1}, operation="Articles") == {
            "article": [{"id": 1}, {"id": 2}, {"id": 3}]
        }
        assert gateway.data(query, {"id": 1}, operation="Authors") == {"author": [{"name": "Ann"}]}
    assert gateway.body(query, {"id": 1})["errors"][0]["extensions"]["code"] == "validation-failed"
    assert gateway.body(query, {"id": 1}, operation="Nope")["errors"][0]["extensions"]["code"] == (
        "validation-failed"
    )


READABLE_ARTICLES = "{ article(order_by: {id: asc}) { id author_id } }"
# Published articles (1, 3, 4, 6) and the user's own.
SEEN_BY = {
    1: [1, 2, 3, 4, 6],
    2: [1, 3, 4, 6],
    3: [1, 3, 4, 6],
    4: [1, 3, 4, 5, 6],
}


def ids(data):
    return [row["id"] for row in data["article"]]


def test_one_query_for_different_session_variables(gateway):
    for _ in range(3):
        for user in (1, 4, 2, 3):
            assert ids(gateway.data(READABLE_ARTICLES, role="user", user=user)) == SEEN_BY[user], user

    assert gateway.kept_plans(READABLE_ARTICLES, role="user") == 4


AUTHORS_WITH_ARTICLES = (
    "{ author(order_by: {id: asc}) { id articles(order_by: {id: asc}) { id author { name } } "
    "articles_aggregate { aggregate { count } } } }"
)


def test_relationships_and_aggregates_for_different_session_variables(gateway):
    for _ in range(3):
        for user in (2, 4, 1):
            authors = gateway.data(AUTHORS_WITH_ARTICLES, role="user", user=user)["author"]
            written = {
                author: [n for n in SEEN_BY[user] if n in by]
                for author, by in ((1, (1, 2, 3)), (2, (4,)), (3, ()), (4, (5,)))
            }
            assert authors == [
                {
                    "id": author,
                    "articles": [{"id": n, "author": {"name": NAMES[author]}} for n in found],
                    "articles_aggregate": {"aggregate": {"count": len(found)}},
                }
                for author, found in written.items()
            ], user


def test_one_query_for_different_roles(gateway):
    query = "{ article(order_by: {id: desc}) { id } }"

    for _ in range(3):
        assert ids(gateway.data(query, role="guest")) == [6]
        assert ids(gateway.data(query, role="user", user=4)) == [6, 5, 4, 3, 1]
        assert ids(gateway.data(query)) == [6, 5, 4, 3, 2, 1]
        assert ids(gateway.data(query, role="user", user=1)) == [6, 4, 3, 2, 1]
    assert gateway.body("{ article { title } }", role="guest")["errors"][0]["extensions"]["code"] == (
        "validation-failed"
    )


def test_a_missing_session_variable_is_not_covered_by_a_kept_plan(gateway):
    assert ids(gateway.data(READABLE_ARTICLES, role="user", user=4)) == SEEN_BY[4]

    without = gateway.body(READABLE_ARTICLES, role="user")

    assert without["errors"][0]["message"] == 'missing session variable: "x-hasura-user-id"'
    assert ids(gateway.data(READABLE_ARTICLES, role="user", user=4)) == SEEN_BY[4]


def test_interleaved_from_several_threads(gateway):
    query = "query ($n: Int!) { article(where: {id: {_lte: $n}}, order_by: {id: asc}) { id author_id } }"
    requests = [(user, limit) for user in (1, 2, 4) for limit in (2, 5, 6)] * 4

    def answer(request):
        user, limit = request
        return ids(gateway.data(query, {"n": limit}, role="user", user=user))

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(answer, requests))

    assert answers == [[n for n in SEEN_BY[user] if n <= limit] for user, limit in requests]


def test_a_kept_plan_is_the_plan_for_its_inputs(gateway):
    schema = gateway.schemas["user"]
    query = "query ($id: Int!) { article_by_pk(id: $id) { id } }"
    document = checked_entry(schema, query).document

    def plan(variables, user):
        session = {"x-hasura-role": "user", "x-hasura-user-id": user}
        return planned_operation(schema, query, document, None, variables, session)

    assert plan({"id": 1}, "1") is plan({"id": 1}, "1")
    assert plan({"id": 1}, "1") is not plan({"id": 2}, "1")
    assert plan({"id": 1}, "1") is not plan({"id": 1}, "2")
    assert plan({"id": 1}, "1") is not plan({"id": 1.0}, "1")


# --- mutations ------------------------------------------------------------------------------------

INSERT = (
    "mutation ($id: Int!, $title: String!, $published: Boolean!) {"
    " insert_article_one(object: {id: $id, title: $title, published: $published}) { id title author_id } }"
)


def rows(url, ids):
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, title, author_id, published FROM article WHERE id = ANY(%s) ORDER BY id", (list(ids),)
        )
        found = cursor.fetchall()
    connection.close()
    return found


def test_one_mutation_with_different_variables_inserts_each_row(gateway, pg_database_url):
    first = gateway.data(INSERT, {"id": 10, "title": "Figs", "published": True}, role="user", user=2)
    second = gateway.data(INSERT, {"id": 11, "title": "Grapes", "published": False}, role="user", user=4)
    third = gateway.data(INSERT, {"id": 12, "title": "Figs", "published": True}, role="user", user=2)

    assert first == {"insert_article_one": {"id": 10, "title": "Figs", "author_id": 2}}
    assert second == {"insert_article_one": {"id": 11, "title": "Grapes", "author_id": 4}}
    assert third == {"insert_article_one": {"id": 12, "title": "Figs", "author_id": 2}}
    assert gateway.kept_plans(INSERT, role="user") == 0  # the rows a mutation writes are not kept
    assert rows(pg_database_url, (10, 11, 12)) == [
        (10, "Figs", 2, True),
        (11, "Grapes", 4, False),
        (12, "Figs", 2, True),
    ]


def test_a_document_with_a_query_and_a_mutation(gateway, pg_database_url):
    query = (
        "query Mine { article(where: {id: {_gte: 5}}, order_by: {id: asc}) { id title } }\n"
        "mutation Add($id: Int!, $title: String!) {"
        " insert_article_one(object: {id: $id, title: $title, published: false}) { id } }"
    )

    def readable(user):
        return gateway.data(query, operation="Mine", role="user", user=user)["article"]

    elderberries = {"id": 6, "title": "Elderberries_100%"}
    assert readable(2) == [elderberries]
    gateway.data(query, {"id": 20, "title": "Kiwis"}, operation="Add", role="user", user=2)
    assert readable(2) == [elderberries, {"id": 20, "title": "Kiwis"}]
    gateway.data(query, {"id": 21, "title": "Limes"}, operation="Add", role="user", user=2)
    assert readable(2) == [elderberries, {"id": 20, "title": "Kiwis"}, {"id": 21, "title": "Limes"}]
    assert readable(4) == [{"id": 5, "title": "apricots"}, elderberries]
    assert rows(pg_database_url, (20, 21)) == [(20, "Kiwis", 2, False), (21, "Limes", 2, False)]
