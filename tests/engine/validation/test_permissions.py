"""Table permissions: columns, presets, limits, and filter/check expressions."""

from dataclasses import replace

from engine.metadata import Permission, QualifiedTable
from engine.validation import permission_id, validate_metadata
from tests.engine.validation.builders import blog_catalog, environment, metadata, source, summary

ARTICLES = QualifiedTable("public", "articles")
AUTHOR_RELATIONSHIP = {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}
ARTICLES_RELATIONSHIP = {
    "name": "articles",
    "using": {"foreign_key_constraint_on": {"table": "articles", "columns": ["author_id"]}},
}


def articles_with(permission, kind="select", relationships=(AUTHOR_RELATIONSHIP,)):
    return {
        "table": "articles",
        "object_relationships": list(relationships),
        f"{kind}_permissions": [{"role": "user", "permission": permission}],
    }


def validate(*tables):
    authors = {"table": "authors", "array_relationships": [ARTICLES_RELATIONSHIP]}
    md = metadata(sources=[source("default", authors, *tables)])
    return validate_metadata(md, environment(blog_catalog()))


def reasons(found):
    return [(i.reason, i.code, i.path) for i in found]


PREFIX = 'Inconsistent object: in table "articles": in permission for role "user": '


def test_rich_filter_with_session_variables_validates_clean():
    permission = {
        "columns": ["id", "title"],
        "filter": {
            "_and": [
                {"author": {"articles": {"id": {"_gt": 0}}}},
                {"_or": [{"author_id": {"_eq": "x-hasura-user-id"}}, {"author_id": "X-Hasura-Author-Id"}]},
                {"_not": {"id": {"_in": "X-Hasura-Hidden-Ids"}}},
                {"id": {"_ceq": ["$", "author_id"], "_is_null": False, "_nin": [1, 2]}},
                {
                    "_exists": {
                        "_table": {"schema": "public", "name": "users"},
                        "_where": {"auth0_id": {"_eq": "X-Hasura-Sub"}},
                    }
                },
            ]
        },
        "limit": 10,
    }
    users = {"table": "users"}

    assert validate(articles_with(permission), users) == []


def test_permitted_columns_must_exist():
    found = validate(articles_with({"columns": ["id", "body"], "filter": {}}))

    assert summary(found) == [
        (
            permission_id("default", ARTICLES, "select", "user"),
            "select_permission",
            "select_permission user in table articles in source default",
            PREFIX + 'column "body" does not exist in table "articles"',
            "not-exists",
            "$.permission.columns[1]",
        )
    ]
    assert found[0].definition == {
        "source": "default",
        "table": {"name": "articles", "schema": "public"},
        "role": "user",
        "permission": {"columns": ["id", "body"], "filter": {}},
    }


def test_filter_fields_are_checked_through_relationships():
    permission = {
        "columns": "*",
        "filter": {"_or": [{"author": {"age": {"_gt": 1}}}, {"published": {"_eq": True}}]},
    }

    assert reasons(validate(articles_with(permission))) == [
        (
            PREFIX + 'no column or relationship named "age" exists in table "authors"',
            "not-exists",
            "$.permission.filter._or[0].author.age",
        ),
        (
            PREFIX + 'no column or relationship named "published" exists in table "articles"',
            "not-exists",
            "$.permission.filter._or[1].published",
        ),
    ]


def test_exists_needs_a_tracked_table_and_a_valid_where():
    permission = {
        "columns": "*",
        "filter": {
            "_and": [
                {"_exists": {"_table": "users", "_where": {"id": {"_eq": 1}}}},
                {"_exists": {"_table": "authors", "_where": {"age": {"_eq": 1}}}},
            ]
        },
    }

    assert reasons(validate(articles_with(permission))) == [
        (PREFIX + 'table "users" is not tracked', "not-exists", "$.permission.filter._and[0]._exists._table"),
        (
            PREFIX + 'no column or relationship named "age" exists in table "authors"',
            "not-exists",
            "$.permission.filter._and[1]._exists._where.age",
        ),
    ]


def test_filter_through_an_inconsistent_relationship_is_inconsistent():
    broken = {"name": "author", "using": {"foreign_key_constraint_on": "title"}}
    permission = {"columns": "*", "filter": {"author": {"id": {"_eq": 1}}}}

    found = validate(articles_with(permission, relationships=[broken]))

    assert [(i.type, i.reason, i.path) for i in found] == [
        (
            "object_relation",
            'Inconsistent object: in table "articles": in relationship "author": '
            'no foreign key constraint exists on the columns "title" of table "articles"',
            "$.using.foreign_key_constraint_on",
        ),
        (
            "select_permission",
            PREFIX + 'the relationship "author" of table "articles" is inconsistent',
            "$.permission.filter.author",
        ),
    ]


def test_operators_and_their_operands_are_checked():
    permission = {
        "columns": "*",
        "filter": {
            "_and": {"id": {"_eq": 1}},
            "id": {"eq": 1, "_in": "1,2", "_is_null": "yes", "_cgt": ["$", "rank"]},
        },
    }

    assert reasons(validate(articles_with(permission))) == [
        (
            PREFIX + "expected an array of boolean expressions for _and",
            "parse-failed",
            "$.permission.filter._and",
        ),
        (PREFIX + '"eq" is not an operator', "parse-failed", "$.permission.filter.id.eq"),
        (
            PREFIX + "expected an array or a session variable for _in",
            "parse-failed",
            "$.permission.filter.id._in",
        ),
        (PREFIX + "expected a boolean for _is_null", "parse-failed", "$.permission.filter.id._is_null"),
        (
            PREFIX + 'column "rank" does not exist in table "articles"',
            "not-exists",
            "$.permission.filter.id._cgt",
        ),
    ]


def test_insert_check_and_presets_are_checked():
    permission = {
        "columns": ["title"],
        "check": {"writer": {"_eq": "X-Hasura-User-Id"}},
        "set": {"editor_id": 1},
    }

    assert reasons(validate(articles_with(permission, kind="insert"))) == [
        (
            PREFIX + 'column "editor_id" does not exist in table "articles"',
            "not-exists",
            "$.permission.set.editor_id",
        ),
        (
            PREFIX + 'no column or relationship named "writer" exists in table "articles"',
            "not-exists",
            "$.permission.check.writer",
        ),
    ]


def test_admin_role_cannot_have_permissions():
    table = {"table": "articles", "delete_permissions": [{"role": "admin", "permission": {"filter": {}}}]}

    assert summary(validate(table)) == [
        (
            permission_id("default", ARTICLES, "delete", "admin"),
            "delete_permission",
            "delete_permission admin in table articles in source default",
            'Inconsistent object: in table "articles": in permission for role "admin": '
            "cannot define permission for admin role",
            "constraint-error",
            "$.role",
        )
    ]


def test_second_permission_for_a_role_and_kind_is_reported():
    table = {
        "table": "articles",
        "select_permissions": [
            {"role": "user", "permission": {"columns": "*", "filter": {}}},
            {"role": "user", "permission": {"columns": ["id"], "filter": {}}},
        ],
    }

    assert reasons(validate(table)) == [
        (
            "Inconsistent object: multiple definitions for select_permission user in table articles in source default",
            "already-exists",
            "$.role",
        )
    ]


def test_negative_limit_is_inconsistent():
    md = metadata(sources=[source("default", {"table": "articles"})])
    (table,) = md.sources[0].tables
    permission = Permission("user", "select", {"columns": "*", "filter": {}, "limit": -1})
    md = replace(md, sources=(replace(md.sources[0], tables=(replace(table, permissions=(permission,)),)),))

    assert reasons(validate_metadata(md, environment(blog_catalog()))) == [
        (PREFIX + "limit must be a non-negative integer", "invalid-params", "$.permission.limit")
    ]
