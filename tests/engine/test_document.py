"""Documents: parsed and validated once per text, errors reworded as Hasura words them, with paths."""

import pytest
from graphql import parse

from engine.graphql_errors import RequestErrors
from engine.lru import LruCache
from engine.plan.document import checked_document, node_path, reword
from tests.engine.gateway_support import sqlite_gateway


@pytest.fixture
def schema(tmp_path):
    return sqlite_gateway(tmp_path).schema()


def test_a_document_is_parsed_and_validated_once_per_text(schema):
    first = checked_document(schema, "{ author { id } }")

    assert checked_document(schema, "{ author { id } }") is first
    assert checked_document(schema, "{ author { name } }") is not first
    assert len(schema.documents) == 2


def test_an_invalid_document_is_remembered_with_its_error(schema):
    for _ in range(2):
        with pytest.raises(RequestErrors) as raised:
            checked_document(schema, "{ author { nope } }")
        (error,) = raised.value.errors
        assert error.to_graphql_error() == {
            "message": "field 'nope' not found in type: 'author'",
            "extensions": {"path": "$.selectionSet.author.selectionSet.nope", "code": "validation-failed"},
        }
    assert len(schema.documents) == 1


@pytest.mark.parametrize(
    ("message", "hasura"),
    [
        (
            "Cannot query field 'x' on type 'author'. Did you mean 'id'?",
            "field 'x' not found in type: 'author'",
        ),
        ("Unknown argument 'limit' on field 'article.author'.", '"author" has no argument named "limit"'),
        (
            "Field 'author_by_pk' argument 'id' of type 'Int!' is required, but it was not provided.",
            "missing required field 'id'",
        ),
        (
            "Variable '$id' of required type 'Int!' was not provided.",
            'expecting a value for non-nullable variable: "id"',
        ),
        ("Something else.", "Something else."),
    ],
)
def test_graphql_core_messages_in_hasuras_words(message, hasura):
    assert reword(message) == hasura


def test_paths_follow_response_keys_and_arguments():
    document = parse("{ a: author { articles(where: {id: {_eq: 1}}) { title } } }")
    author = document.definitions[0].selection_set.selections[0]
    articles = author.selection_set.selections[0]
    value = articles.arguments[0].value

    assert node_path(document, articles) == "$.selectionSet.a.selectionSet.articles"
    assert node_path(document, value) == "$.selectionSet.a.selectionSet.articles.args.where"
    assert node_path(document, articles.selection_set.selections[0]) == (
        "$.selectionSet.a.selectionSet.articles.selectionSet.title"
    )


def test_the_cache_keeps_the_most_recently_used_values():
    cache = LruCache(2)
    built = []

    def build(key):
        built.append(key)
        return key.upper()

    for key in ("a", "b", "a", "c", "b"):
        cache.get_or_build(key, lambda key=key: build(key))

    assert built == ["a", "b", "c", "b"]
    assert len(cache) == 2
