"""Object and array relationships between tables of one source."""

import pytest

from engine.metadata import QualifiedTable
from engine.validation import relationship_id, validate_metadata
from tests.engine.validation.builders import blog_catalog, environment, metadata, source, summary

ARTICLES = QualifiedTable("public", "articles")
AUTHORS = QualifiedTable("public", "authors")


def validate(*tables):
    return validate_metadata(metadata(sources=[source("default", *tables)]), environment(blog_catalog()))


def article_relationship(using, name="author"):
    return {"table": "articles", "object_relationships": [{"name": name, "using": using}]}


def test_foreign_key_and_manual_relationships_validate_clean():
    authors = {
        "table": "authors",
        "array_relationships": [
            {
                "name": "articles",
                "using": {"foreign_key_constraint_on": {"table": "articles", "columns": ["author_id"]}},
            },
            {
                "name": "writings",
                "using": {
                    "manual_configuration": {
                        "remote_table": "articles",
                        "column_mapping": {"id": "author_id"},
                    }
                },
            },
        ],
    }
    articles = article_relationship({"foreign_key_constraint_on": ["author_id"]})

    assert validate(authors, articles) == []


def test_foreign_key_column_must_exist():
    found = validate({"table": "authors"}, article_relationship({"foreign_key_constraint_on": "writer_id"}))

    assert summary(found) == [
        (
            relationship_id("default", ARTICLES, "author"),
            "object_relation",
            "object_relation author in table articles in source default",
            'Inconsistent object: in table "articles": in relationship "author": '
            'column "writer_id" does not exist in table "articles"',
            "not-exists",
            "$.using.foreign_key_constraint_on",
        )
    ]
    assert found[0].definition == {
        "source": "default",
        "table": {"name": "articles", "schema": "public"},
        "name": "author",
        "using": {"foreign_key_constraint_on": "writer_id"},
    }


def test_foreign_key_constraint_must_exist_on_the_columns():
    found = validate(
        {"table": "authors"}, article_relationship({"foreign_key_constraint_on": ["id", "title"]})
    )

    assert summary(found) == [
        (
            relationship_id("default", ARTICLES, "author"),
            "object_relation",
            "object_relation author in table articles in source default",
            'Inconsistent object: in table "articles": in relationship "author": '
            'no foreign key constraint exists on the columns "id", "title" of table "articles"',
            "constraint-error",
            "$.using.foreign_key_constraint_on",
        )
    ]


def test_foreign_key_target_must_be_tracked():
    found = validate(article_relationship({"foreign_key_constraint_on": "author_id"}))

    assert summary(found) == [
        (
            relationship_id("default", ARTICLES, "author"),
            "object_relation",
            "object_relation author in table articles in source default",
            'Inconsistent object: in table "articles": in relationship "author": table "authors" is not tracked',
            "not-exists",
            "$.using.foreign_key_constraint_on",
        )
    ]


def test_array_relationship_needs_the_table_holding_the_foreign_key():
    authors = {
        "table": "authors",
        "array_relationships": [{"name": "articles", "using": {"foreign_key_constraint_on": "id"}}],
    }

    assert summary(validate(authors, {"table": "articles"})) == [
        (
            relationship_id("default", AUTHORS, "articles"),
            "array_relation",
            "array_relation articles in table authors in source default",
            'Inconsistent object: in table "authors": in relationship "articles": '
            'an array relationship must name the table holding the foreign key: {"table", "columns"}',
            "not-supported",
            "$.using.foreign_key_constraint_on",
        )
    ]


@pytest.mark.parametrize(
    ("using", "tables", "detail", "code", "path"),
    [
        (
            {"table": "articles", "columns": ["author_id"]},
            [],
            'table "articles" is not tracked',
            "not-exists",
            "$.using.foreign_key_constraint_on.table",
        ),
        (
            {"table": "articles", "columns": ["writer_id"]},
            [{"table": "articles"}],
            'column "writer_id" does not exist in table "articles"',
            "not-exists",
            "$.using.foreign_key_constraint_on.columns[0]",
        ),
        (
            {"table": "articles", "columns": ["title"]},
            [{"table": "articles"}],
            'no foreign key constraint exists on the columns "title" of table "articles" referencing table "authors"',
            "constraint-error",
            "$.using.foreign_key_constraint_on",
        ),
    ],
)
def test_foreign_key_on_the_other_table(using, tables, detail, code, path):
    authors = {
        "table": "authors",
        "array_relationships": [{"name": "articles", "using": {"foreign_key_constraint_on": using}}],
    }

    assert summary(validate(authors, *tables)) == [
        (
            relationship_id("default", AUTHORS, "articles"),
            "array_relation",
            "array_relation articles in table authors in source default",
            f'Inconsistent object: in table "authors": in relationship "articles": {detail}',
            code,
            path,
        )
    ]


def test_manual_configuration_reports_every_missing_piece():
    mapping = {"id": "author_id", "nickname": "writer_id"}
    authors = {
        "table": "authors",
        "array_relationships": [
            {
                "name": "articles",
                "using": {"manual_configuration": {"remote_table": "articles", "column_mapping": mapping}},
            },
            {
                "name": "posts",
                "using": {"manual_configuration": {"remote_table": "posts", "column_mapping": {"id": "id"}}},
            },
        ],
    }
    found = validate(authors, {"table": "articles"})
    prefix = 'Inconsistent object: in table "authors": in relationship '

    assert [(i.reason, i.path) for i in found] == [
        (
            prefix + '"articles": column "nickname" does not exist in table "authors"',
            "$.using.manual_configuration.column_mapping.nickname",
        ),
        (
            prefix + '"articles": column "writer_id" does not exist in table "articles"',
            "$.using.manual_configuration.column_mapping.nickname",
        ),
        (prefix + '"posts": table "posts" is not tracked', "$.using.manual_configuration.remote_table"),
    ]


def test_relationship_name_may_not_be_a_column_or_custom_column_name():
    articles = {
        "table": "articles",
        "configuration": {"column_config": {"author_id": {"custom_name": "writer"}}},
        "object_relationships": [
            {"name": "title", "using": {"foreign_key_constraint_on": "author_id"}},
            {"name": "writer", "using": {"foreign_key_constraint_on": "author_id"}},
        ],
    }
    found = validate({"table": "authors"}, articles)

    assert [(i.reason, i.code, i.path) for i in found] == [
        (
            'Inconsistent object: in table "articles": in relationship "title": '
            'column/relationship "title" of table "articles" already exists',
            "already-exists",
            "$.name",
        ),
        (
            'Inconsistent object: in table "articles": in relationship "writer": '
            'column/relationship "writer" of table "articles" already exists',
            "already-exists",
            "$.name",
        ),
    ]


def test_object_and_array_relationships_share_one_namespace():
    authors = {
        "table": "authors",
        "object_relationships": [
            {
                "name": "articles",
                "using": {
                    "manual_configuration": {
                        "remote_table": "articles",
                        "column_mapping": {"id": "author_id"},
                    }
                },
            }
        ],
        "array_relationships": [
            {
                "name": "articles",
                "using": {"foreign_key_constraint_on": {"table": "articles", "columns": ["author_id"]}},
            }
        ],
    }

    assert summary(validate(authors, {"table": "articles"})) == [
        (
            relationship_id("default", AUTHORS, "articles"),
            "array_relation",
            "array_relation articles in table authors in source default",
            "Inconsistent object: multiple definitions for array_relation articles in table authors in source default",
            "already-exists",
            "$.name",
        )
    ]


def test_relationship_to_an_inconsistent_table_is_inconsistent_itself():
    broken_authors = {
        "table": "authors",
        "configuration": {"column_config": {"age": {"custom_name": "years"}}},
    }
    found = validate(broken_authors, article_relationship({"foreign_key_constraint_on": "author_id"}))

    assert [(i.type, i.reason) for i in found] == [
        ("table", 'Inconsistent object: the column "age" given in column_config does not exist'),
        (
            "object_relation",
            'Inconsistent object: in table "articles": in relationship "author": table "authors" is not tracked',
        ),
    ]
