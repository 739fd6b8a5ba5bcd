"""Metadata API commands for sources, tables, relationships and table permissions, on PostgreSQL and SQLite."""

import pytest

from tests.relationships.conftest import pg_source_args, run_sql
from tests.relationships.database_support import assert_refused, source_args, sqlite_database

pytestmark = pytest.mark.django_db


@pytest.fixture
def sqlite_url(tmp_path):
    """A SQLite database with the seed tables."""
    return sqlite_database(tmp_path)


@pytest.fixture
def pg(metadata_api, pg_schema):
    """A ``default`` PostgreSQL source with author and article tracked."""
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    metadata_api.ok("pg_track_table", {"table": "author"})
    metadata_api.ok("pg_track_table", {"table": "article"})
    return metadata_api


@pytest.fixture
def lite(metadata_api, sqlite_url):
    """A ``lite`` SQLite source with author and article tracked."""
    metadata_api.ok("sqlite_add_source", source_args("lite", sqlite_url, namespace="lite"))
    metadata_api.ok("sqlite_track_table", {"source": "lite", "table": "author"})
    metadata_api.ok("sqlite_track_table", {"source": "lite", "table": "article"})
    return metadata_api


def tables(metadata_api, source="default"):
    """The exported tables of a source."""
    exported = metadata_api.export()
    return next(s for s in exported["sources"] if s["name"] == source)["tables"]


def table(metadata_api, name, source="default"):
    """The exported entry of one tracked table."""
    return next(t for t in tables(metadata_api, source) if t["table"]["name"] == name)


FK_AUTHOR = {
    "source": "default",
    "table": "article",
    "name": "author",
    "using": {"foreign_key_constraint_on": "author_id"},
}
FK_ARTICLES = {
    "table": "author",
    "name": "articles",
    "using": {"foreign_key_constraint_on": {"table": "article", "columns": ["author_id"]}},
}
SELECT_USER = {
    "table": "article",
    "role": "user",
    "permission": {"columns": ["id", "title"], "filter": {"author": {"id": {"_eq": "X-Hasura-User-Id"}}}},
}


def inconsistent(kind, name, definition, detail, *, path, code):
    """The error body of a command whose object is inconsistent because of ``detail``."""
    owner = definition["table"]["name"]
    context = f'in table "{owner}": ' if kind != "table" else ""
    label = "remote relationship" if kind == "remote_relationship" else "relationship"
    if kind in ("object_relation", "array_relation", "remote_relationship"):
        context += f'in {label} "{definition["name"]}": '
    elif kind.endswith("_permission"):
        context += f'in permission for role "{definition["role"]}": '
    reason = f"Inconsistent object: {context}{detail}"
    record = {"definition": definition, "name": name, "reason": reason, "type": kind}
    return {"error": reason, "path": path, "code": code, "internal": [record]}


ARTICLE = {"name": "article", "schema": "public"}
AUTHOR = {"name": "author", "schema": "public"}


# Sources -----------------------------------------------------------------------------------------


def test_add_source_stores_the_source(metadata_api, pg_schema):
    args = pg_source_args("default", pg_schema)
    args["customization"] = {"root_fields": {"namespace": "app"}}

    assert metadata_api.ok("pg_add_source", args) == {"message": "success"}

    assert metadata_api.export()["sources"] == [
        {
            "name": "default",
            "kind": "postgres",
            "tables": [],
            "configuration": {"connection_info": {"database_url": pg_schema}},
            "customization": {"root_fields": {"namespace": "app"}},
        }
    ]


def test_add_source_twice_is_refused(pg, pg_schema):
    assert_refused(
        pg,
        "pg_add_source",
        pg_source_args("default", pg_schema),
        {
            "error": 'source with name "default" already exists',
            "path": "$.args.name",
            "code": "already-exists",
        },
    )


def test_add_source_with_replace_configuration_keeps_the_tables(pg, pg_schema):
    args = {**pg_source_args("default", pg_schema), "replace_configuration": True}
    args["configuration"]["connection_info"]["isolation_level"] = "repeatable-read"

    pg.ok("pg_add_source", args)

    source = pg.export()["sources"][0]
    assert source["configuration"]["connection_info"]["isolation_level"] == "repeatable-read"
    assert [t["table"]["name"] for t in source["tables"]] == ["author", "article"]


def test_add_source_without_connection_info_fails_at_its_path(metadata_api):
    assert_refused(
        metadata_api,
        "pg_add_source",
        {"name": "default", "configuration": {}},
        {
            "error": "the key 'connection_info' was not present",
            "path": "$.args.configuration",
            "code": "parse-failed",
        },
    )


def test_add_source_that_cannot_be_opened_is_invalid(metadata_api, tmp_path):
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    reason = "Inconsistent object: cannot connect to source 'lite': unable to open database file"

    assert_refused(
        metadata_api,
        "sqlite_add_source",
        source_args("lite", url),
        {
            "error": reason,
            "path": "$.args.configuration",
            "code": "invalid-configuration",
            "internal": [
                {
                    "definition": {
                        "name": "lite",
                        "kind": "sqlite",
                        "configuration": {"connection_info": {"database_url": url}},
                    },
                    "name": "source lite",
                    "reason": reason,
                    "type": "source",
                }
            ],
        },
    )


def test_update_source_changes_the_configuration(pg, pg_schema):
    configuration = {"connection_info": {"database_url": pg_schema, "use_prepared_statements": False}}

    pg.ok("pg_update_source", {"name": "default", "configuration": configuration})

    assert pg.export()["sources"][0]["configuration"] == configuration


def test_update_source_must_exist(metadata_api, pg_schema):
    assert_refused(
        metadata_api,
        "pg_update_source",
        pg_source_args("nope", pg_schema),
        {"error": 'source with name "nope" does not exist', "path": "$.args.name", "code": "not-exists"},
    )


def test_drop_source_removes_it_with_its_tables(pg):
    pg.ok("pg_create_object_relationship", FK_AUTHOR)

    pg.ok("pg_drop_source", {"name": "default"})

    assert "sources" not in pg.export()


def test_drop_source_must_exist(metadata_api):
    assert_refused(
        metadata_api,
        "pg_drop_source",
        {"name": "nope"},
        {"error": 'source with name "nope" does not exist', "path": "$.args.name", "code": "not-exists"},
    )


def with_remote_join_to_lite(metadata_api):
    """``default.author`` joined to ``lite.article`` by a remote relationship."""
    definition = {
        "to_source": {
            "relationship_type": "array",
            "source": "lite",
            "table": "article",
            "field_mapping": {"id": "author_id"},
        }
    }
    metadata_api.ok(
        "pg_create_remote_relationship",
        {"table": "author", "name": "lite_articles", "definition": definition},
    )
    return definition


def test_drop_source_used_by_another_source_needs_cascade(pg, lite):
    with_remote_join_to_lite(pg)

    assert_refused(
        pg,
        "sqlite_drop_source",
        {"name": "lite"},
        {
            "error": "cannot drop due to the following dependent objects: "
            "remote relationship lite_articles in table author",
            "path": "$.args",
            "code": "dependency-error",
        },
    )

    pg.ok("sqlite_drop_source", {"name": "lite", "cascade": True})
    assert [s["name"] for s in pg.export()["sources"]] == ["default"]
    assert "remote_relationships" not in table(pg, "author")


def test_rename_source_renames_references(pg, lite):
    definition = with_remote_join_to_lite(pg)

    pg.ok("rename_source", {"name": "lite", "new_name": "archive"})

    assert [s["name"] for s in pg.export()["sources"]] == ["default", "archive"]
    renamed = {"to_source": {**definition["to_source"], "source": "archive"}}
    renamed["to_source"]["table"] = {"name": "article", "schema": "public"}
    assert table(pg, "author")["remote_relationships"] == [{"name": "lite_articles", "definition": renamed}]


def test_rename_source_needs_a_free_new_name(pg, lite):
    assert_refused(
        pg,
        "rename_source",
        {"name": "lite", "new_name": "default"},
        {
            "error": 'Source with name "default" already exists',
            "path": "$.args.new_name",
            "code": "already-exists",
        },
    )
    assert_refused(
        pg,
        "rename_source",
        {"name": "nope", "new_name": "other"},
        {"error": 'Could not find source with name "nope"', "path": "$.args.name", "code": "not-exists"},
    )


def test_pg_command_on_a_sqlite_source_is_refused(lite):
    assert_refused(
        lite,
        "pg_track_table",
        {"source": "lite", "table": "users"},
        {
            "error": 'source with name "lite" has backend type "sqlite" which does not match the type of this '
            'command ("pg_track_table" works on postgres sources)',
            "path": "$.args.source",
            "code": "not-supported",
        },
    )


def test_sqlite_command_on_a_pg_source_is_refused(pg):
    assert_refused(
        pg,
        "sqlite_drop_source",
        {"name": "default"},
        {
            "error": 'source with name "default" has backend type "postgres" which does not match the type of '
            'this command ("sqlite_drop_source" works on sqlite sources)',
            "path": "$.args.name",
            "code": "not-supported",
        },
    )


# Tables ------------------------------------------------------------------------------------------


def test_track_table_accepts_a_name_or_an_object(metadata_api, pg_schema):
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))

    metadata_api.ok("pg_track_table", {"table": "author"})
    metadata_api.ok("pg_track_table", {"source": "default", "table": {"schema": "public", "name": "user"}})

    assert tables(metadata_api) == [
        {"table": {"name": "author", "schema": "public"}},
        {"table": {"name": "user", "schema": "public"}},
    ]


def test_track_table_takes_the_table_as_args_in_the_oldest_form(metadata_api, pg_schema):
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))

    metadata_api.ok("pg_track_table", {"schema": "public", "name": "users"})

    assert tables(metadata_api) == [{"table": {"name": "users", "schema": "public"}}]


def test_track_table_with_configuration(metadata_api, pg_schema):
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    configuration = {"custom_name": "writers", "column_config": {"id": {"custom_name": "writerId"}}}

    metadata_api.ok("pg_track_table", {"table": "author", "configuration": configuration})

    assert tables(metadata_api) == [
        {"table": {"name": "author", "schema": "public"}, "configuration": configuration}
    ]


def test_track_table_with_an_invalid_custom_name_fails_at_its_path(metadata_api, pg_schema):
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))

    assert_refused(
        metadata_api,
        "pg_track_table",
        {"table": "author", "configuration": {"custom_name": "not valid"}},
        {
            "error": '"not valid" is not a valid GraphQL name',
            "path": "$.args.configuration.custom_name",
            "code": "parse-failed",
        },
    )


def test_track_table_twice_is_refused(pg):
    assert_refused(
        pg,
        "pg_track_table",
        {"table": {"schema": "public", "name": "author"}},
        {"error": 'view/table already tracked: "author"', "path": "$.args", "code": "already-tracked"},
    )


def test_track_table_in_a_missing_source_is_refused(pg):
    assert_refused(
        pg,
        "pg_track_table",
        {"source": "nope", "table": "users"},
        {"error": 'source with name "nope" does not exist', "path": "$.args.source", "code": "not-exists"},
    )


def test_track_table_missing_in_the_database_is_refused(pg):
    args = {"source": "default", "table": {"name": "nope", "schema": "public"}}

    assert_refused(
        pg,
        "pg_track_table",
        args,
        inconsistent(
            "table",
            "table nope in source default",
            args,
            'no such table/view exists in source: "nope"',
            path="$.args.table",
            code="not-exists",
        ),
    )


def test_untrack_table(pg):
    pg.ok("pg_untrack_table", {"table": "article"})

    assert [t["table"]["name"] for t in tables(pg)] == ["author"]


def test_untrack_table_not_tracked_is_refused(pg):
    assert_refused(
        pg,
        "pg_untrack_table",
        {"table": "users"},
        {"error": 'view/table already untracked: "users"', "path": "$.args", "code": "already-untracked"},
    )


def test_untrack_table_with_dependents_needs_cascade(pg):
    pg.ok("pg_create_object_relationship", FK_AUTHOR)
    pg.ok("pg_create_select_permission", SELECT_USER)

    assert_refused(
        pg,
        "pg_untrack_table",
        {"table": "author"},
        {
            "error": "cannot drop due to the following dependent objects: "
            "relationship author in table article, select permission for role user in table article",
            "path": "$.args",
            "code": "dependency-error",
        },
    )

    pg.ok("pg_untrack_table", {"table": "author", "cascade": True})
    assert tables(pg) == [{"table": {"name": "article", "schema": "public"}}]


def test_set_table_customization(pg):
    configuration = {"custom_root_fields": {"select": "articles_list"}}

    pg.ok("pg_set_table_customization", {"table": "article", "configuration": configuration})

    assert table(pg, "article")["configuration"] == configuration


def test_set_table_customization_of_an_untracked_table_is_refused(pg):
    assert_refused(
        pg,
        "pg_set_table_customization",
        {"table": "users", "configuration": {}},
        {
            "error": 'table "users" does not exist in source: default',
            "path": "$.args.table",
            "code": "not-exists",
        },
    )


def test_set_table_is_enum(pg, pg_schema):
    run_sql(pg_schema, "CREATE TABLE status (value text PRIMARY KEY, comment text)")
    pg.ok("pg_track_table", {"table": "status"})

    pg.ok("pg_set_table_is_enum", {"table": "status", "is_enum": True})

    assert table(pg, "status") == {"table": {"name": "status", "schema": "public"}, "is_enum": True}


# Local relationships -----------------------------------------------------------------------------


def test_create_object_and_array_relationships_from_foreign_keys(pg):
    assert pg.ok("pg_create_object_relationship", FK_AUTHOR) == {"message": "success"}
    pg.ok("pg_create_array_relationship", {**FK_ARTICLES, "comment": "their articles"})

    assert table(pg, "article")["object_relationships"] == [
        {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}
    ]
    assert table(pg, "author")["array_relationships"] == [
        {
            "name": "articles",
            "using": {
                "foreign_key_constraint_on": {
                    "table": {"name": "article", "schema": "public"},
                    "columns": ["author_id"],
                }
            },
            "comment": "their articles",
        }
    ]


def test_create_relationship_from_a_manual_mapping(pg):
    using = {"manual_configuration": {"remote_table": "article", "column_mapping": {"id": "author_id"}}}

    pg.ok("pg_create_array_relationship", {"table": "author", "name": "articles", "using": using})

    assert table(pg, "author")["array_relationships"][0]["using"] == {
        "manual_configuration": {
            "remote_table": {"name": "article", "schema": "public"},
            "column_mapping": {"id": "author_id"},
        }
    }


def test_relationship_with_a_missing_column_in_the_manual_mapping_is_refused(pg):
    using = {"manual_configuration": {"remote_table": ARTICLE, "column_mapping": {"id": "writer_id"}}}
    args = {"source": "default", "table": AUTHOR, "name": "articles", "using": using}

    assert_refused(
        pg,
        "pg_create_array_relationship",
        args,
        inconsistent(
            "array_relation",
            "array_relation articles in table author in source default",
            args,
            'column "writer_id" does not exist in table "article"',
            path="$.args.using.manual_configuration.column_mapping.id",
            code="not-exists",
        ),
    )


def test_relationship_on_a_foreign_key_that_does_not_exist_is_refused(pg):
    args = {
        "source": "default",
        "table": ARTICLE,
        "name": "writer",
        "using": {"foreign_key_constraint_on": "title"},
    }

    assert_refused(
        pg,
        "pg_create_object_relationship",
        args,
        inconsistent(
            "object_relation",
            "object_relation writer in table article in source default",
            args,
            'no foreign key constraint exists on the columns "title" of table "article"',
            path="$.args.using.foreign_key_constraint_on",
            code="constraint-error",
        ),
    )


def test_relationship_on_a_missing_column_is_refused(pg):
    args = {
        "source": "default",
        "table": ARTICLE,
        "name": "writer",
        "using": {"foreign_key_constraint_on": "writer_id"},
    }

    assert_refused(
        pg,
        "pg_create_object_relationship",
        args,
        inconsistent(
            "object_relation",
            "object_relation writer in table article in source default",
            args,
            'column "writer_id" does not exist in table "article"',
            path="$.args.using.foreign_key_constraint_on",
            code="not-exists",
        ),
    )


def test_relationship_name_taken_by_a_relationship_is_refused(pg):
    pg.ok("pg_create_object_relationship", FK_AUTHOR)

    assert_refused(
        pg,
        "pg_create_object_relationship",
        {
            **FK_AUTHOR,
            "using": {
                "manual_configuration": {"remote_table": "author", "column_mapping": {"author_id": "id"}}
            },
        },
        {
            "error": 'field with name "author" already exists in table "article"',
            "path": "$.args.name",
            "code": "already-exists",
        },
    )


def test_relationship_named_like_a_column_is_refused(pg):
    assert_refused(
        pg,
        "pg_create_object_relationship",
        {**FK_AUTHOR, "name": "title"},
        {
            "error": 'field with name "title" already exists in table "article"',
            "path": "$.args.name",
            "code": "already-exists",
        },
    )


def test_relationship_on_an_untracked_table_is_refused(pg):
    assert_refused(
        pg,
        "pg_create_object_relationship",
        {**FK_AUTHOR, "table": "users"},
        {
            "error": 'table "users" does not exist in source: default',
            "path": "$.args.table",
            "code": "not-exists",
        },
    )


def test_array_relationship_needs_the_other_tables_foreign_key(pg):
    assert_refused(
        pg,
        "pg_create_array_relationship",
        {**FK_ARTICLES, "using": {"foreign_key_constraint_on": "author_id"}},
        {
            "error": "expected Object, but encountered String",
            "path": "$.args.using.foreign_key_constraint_on",
            "code": "parse-failed",
        },
    )


def test_drop_relationship_by_either_key(pg):
    pg.ok("pg_create_object_relationship", FK_AUTHOR)
    pg.ok("pg_create_array_relationship", FK_ARTICLES)

    pg.ok("pg_drop_relationship", {"table": "article", "relationship": "author"})
    pg.ok("pg_drop_relationship", {"table": "author", "name": "articles"})

    assert tables(pg) == [
        {"table": {"name": "author", "schema": "public"}},
        {"table": {"name": "article", "schema": "public"}},
    ]


def test_drop_missing_relationship_is_refused(pg):
    assert_refused(
        pg,
        "pg_drop_relationship",
        {"table": "article", "relationship": "author"},
        {
            "error": 'relationship "author" does not exist',
            "path": "$.args.relationship",
            "code": "not-exists",
        },
    )


def test_drop_relationship_used_by_a_permission_needs_cascade(pg):
    pg.ok("pg_create_object_relationship", FK_AUTHOR)
    pg.ok("pg_create_select_permission", SELECT_USER)

    assert_refused(
        pg,
        "pg_drop_relationship",
        {"table": "article", "relationship": "author"},
        {
            "error": "cannot drop due to the following dependent objects: "
            "select permission for role user in table article",
            "path": "$.args",
            "code": "dependency-error",
        },
    )

    pg.ok("pg_drop_relationship", {"table": "article", "relationship": "author", "cascade": True})
    assert table(pg, "article") == {"table": {"name": "article", "schema": "public"}}


def test_rename_relationship(pg):
    pg.ok("pg_create_object_relationship", FK_AUTHOR)

    pg.ok("pg_rename_relationship", {"table": "article", "name": "author", "new_name": "writer"})

    assert [r["name"] for r in table(pg, "article")["object_relationships"]] == ["writer"]


def test_rename_relationship_to_a_column_name_is_refused(pg):
    pg.ok("pg_create_object_relationship", FK_AUTHOR)

    assert_refused(
        pg,
        "pg_rename_relationship",
        {"table": "article", "name": "author", "new_name": "title"},
        {
            "error": 'field with name "title" already exists in table "article"',
            "path": "$.args.new_name",
            "code": "already-exists",
        },
    )


def test_set_relationship_comment(pg):
    pg.ok("pg_create_object_relationship", FK_AUTHOR)

    pg.ok("pg_set_relationship_comment", {"table": "article", "name": "author", "comment": "who wrote it"})
    assert table(pg, "article")["object_relationships"][0]["comment"] == "who wrote it"

    pg.ok("pg_set_relationship_comment", {"table": "article", "relationship": "author", "comment": None})
    assert "comment" not in table(pg, "article")["object_relationships"][0]


# Remote relationships ----------------------------------------------------------------------------


def test_remote_relationship_to_another_source(pg, lite):
    definition = with_remote_join_to_lite(pg)

    expected = {"to_source": {**definition["to_source"], "table": {"name": "article", "schema": "public"}}}
    assert table(pg, "author")["remote_relationships"] == [{"name": "lite_articles", "definition": expected}]


def test_remote_relationship_in_the_legacy_form_to_a_missing_remote_schema_is_refused(pg):
    args = {
        "source": "default",
        "table": AUTHOR,
        "name": "messages",
        "remote_schema": "forum",
        "hasura_fields": ["id"],
        "remote_field": {"messages": {"arguments": {"author_id": "$id"}}},
    }

    assert_refused(
        pg,
        "pg_create_remote_relationship",
        args,
        inconsistent(
            "remote_relationship",
            "remote_relationship messages in table author in source default",
            args,
            'remote schema with name "forum" not found',
            path="$.args.remote_schema",
            code="remote-schema-error",
        ),
    )


def test_remote_relationship_needs_exactly_one_form(pg):
    definition = {
        "to_source": {"relationship_type": "object", "table": "author", "field_mapping": {"id": "id"}}
    }
    for args in (
        {"table": "author", "name": "twin"},
        {"table": "author", "name": "twin", "remote_schema": "forum", "definition": definition},
    ):
        assert_refused(
            pg,
            "pg_create_remote_relationship",
            args,
            {
                "error": "create_remote_relationship expects exactly one of: remote_schema, definition",
                "path": "$.args",
                "code": "parse-failed",
            },
        )


def remote_join(source="lite", table_name="article", mapping=None):
    """A ``to_source`` remote relationship definition."""
    return {
        "to_source": {
            "relationship_type": "array",
            "source": source,
            "table": {"name": table_name, "schema": "public"},
            "field_mapping": mapping or {"id": "author_id"},
        }
    }


def assert_invalid_remote_join(metadata_api, definition, detail, *, path, code):
    """Creating ``author.lite_articles`` with ``definition`` is refused as inconsistent because of ``detail``."""
    args = {"source": "default", "table": AUTHOR, "name": "lite_articles", "definition": definition}
    name = "remote_relationship lite_articles in table author in source default"
    expected = inconsistent("remote_relationship", name, args, detail, path=path, code=code)
    assert_refused(metadata_api, "pg_create_remote_relationship", args, expected)


def test_remote_relationship_to_a_missing_source_is_refused(pg, lite):
    assert_invalid_remote_join(
        pg,
        remote_join(source="nope"),
        'source not found: "nope"',
        path="$.args.definition.to_source.source",
        code="not-found",
    )


def test_remote_relationship_to_a_missing_table_is_refused(pg, lite):
    assert_invalid_remote_join(
        pg,
        remote_join(table_name="users"),
        'table with name "users" not found',
        path="$.args.definition.to_source.table",
        code="not-found",
    )


def test_remote_relationship_to_a_missing_column_is_refused(pg, lite):
    assert_invalid_remote_join(
        pg,
        remote_join(mapping={"id": "writer_id"}),
        'column "writer_id" does not exist in table "article"',
        path="$.args.definition.to_source.field_mapping.id",
        code="not-exists",
    )


def test_remote_relationship_from_a_missing_column_is_refused(pg, lite):
    assert_invalid_remote_join(
        pg,
        remote_join(mapping={"writer_id": "author_id"}),
        'field with name "writer_id" not found in table "author"',
        path="$.args.definition.to_source.field_mapping.writer_id",
        code="not-exists",
    )


def test_remote_relationship_name_taken_by_a_column_is_refused(pg, lite):
    assert_refused(
        pg,
        "pg_create_remote_relationship",
        {"table": "author", "name": "name", "definition": remote_join()},
        {
            "error": 'field with name "name" already exists in table "author"',
            "path": "$.args.name",
            "code": "already-exists",
        },
    )


def test_update_remote_relationship_replaces_the_definition(pg, lite):
    with_remote_join_to_lite(pg)
    definition = remote_join(table_name="author", mapping={"id": "id"})
    definition["to_source"]["relationship_type"] = "object"

    pg.ok(
        "pg_update_remote_relationship",
        {"table": "author", "name": "lite_articles", "definition": definition},
    )

    stored = table(pg, "author")["remote_relationships"][0]["definition"]["to_source"]
    assert (stored["relationship_type"], stored["table"]["name"]) == ("object", "author")


def test_update_missing_remote_relationship_is_refused(pg, lite):
    assert_refused(
        pg,
        "pg_update_remote_relationship",
        {"table": "author", "name": "lite_articles", "definition": remote_join()},
        {
            "error": 'remote relationship "lite_articles" does not exist',
            "path": "$.args.name",
            "code": "not-exists",
        },
    )


def test_delete_remote_relationship(pg, lite):
    with_remote_join_to_lite(pg)

    pg.ok("pg_delete_remote_relationship", {"source": "default", "table": "author", "name": "lite_articles"})

    assert table(pg, "author") == {"table": {"name": "author", "schema": "public"}}
    assert_refused(
        pg,
        "pg_delete_remote_relationship",
        {"table": "author", "name": "lite_articles"},
        {
            "error": 'remote relationship "lite_articles" does not exist',
            "path": "$.args.name",
            "code": "not-exists",
        },
    )


# Permissions -------------------------------------------------------------------------------------


def test_create_and_drop_every_kind_of_permission(pg):
    bodies = {
        "insert": {"check": {"title": {"_neq": ""}}, "columns": ["title"]},
        "select": {"columns": "*", "filter": {}},
        "update": {"columns": ["title"], "filter": {}},
        "delete": {"filter": {"id": {"_gt": 0}}},
    }
    for kind, body in bodies.items():
        pg.ok(f"pg_create_{kind}_permission", {"table": "article", "role": "user", "permission": body})

    assert {k: v for k, v in table(pg, "article").items() if k.endswith("_permissions")} == {
        f"{kind}_permissions": [{"role": "user", "permission": body}] for kind, body in bodies.items()
    }

    for kind in bodies:
        pg.ok(f"pg_drop_{kind}_permission", {"table": "article", "role": "user"})
    assert table(pg, "article") == {"table": {"name": "article", "schema": "public"}}


def test_duplicate_permission_is_refused(pg):
    pg.ok("pg_create_object_relationship", FK_AUTHOR)
    pg.ok("pg_create_select_permission", SELECT_USER)

    assert_refused(
        pg,
        "pg_create_select_permission",
        SELECT_USER,
        {
            "error": 'select permission already defined on table "article" with role "user"',
            "path": "$.args.role",
            "code": "already-exists",
        },
    )


def test_permission_for_the_admin_role_is_refused(pg):
    assert_refused(
        pg,
        "pg_create_delete_permission",
        {"table": "article", "role": "admin", "permission": {"filter": {}}},
        {
            "error": 'delete permission already defined on table "article" with role "admin"',
            "path": "$.args.role",
            "code": "already-exists",
        },
    )


def test_permission_on_a_missing_column_is_refused(pg):
    args = {
        "source": "default",
        "table": ARTICLE,
        "role": "user",
        "permission": {"columns": ["id", "body"], "filter": {}},
    }

    assert_refused(
        pg,
        "pg_create_select_permission",
        args,
        inconsistent(
            "select_permission",
            "select_permission user in table article in source default",
            args,
            'column "body" does not exist in table "article"',
            path="$.args.permission.columns[1]",
            code="not-exists",
        ),
    )


def test_drop_missing_permission_is_refused(pg):
    assert_refused(
        pg,
        "pg_drop_update_permission",
        {"table": "article", "role": "user"},
        {
            "error": 'update permission on "article" for role "user" does not exist',
            "path": "$.args.role",
            "code": "not-exists",
        },
    )


def test_set_permission_comment(pg):
    pg.ok(
        "pg_create_select_permission",
        {"table": "author", "role": "user", "permission": {"columns": "*", "filter": {}}},
    )

    pg.ok(
        "pg_set_permission_comment",
        {"table": "author", "role": "user", "type": "select", "comment": "all of it"},
    )

    assert table(pg, "author")["select_permissions"][0]["comment"] == "all of it"


# SQLite ------------------------------------------------------------------------------------------


def test_sqlite_source_tables_relationships_and_permissions(lite):
    lite.ok("sqlite_create_object_relationship", {**FK_AUTHOR, "source": "lite"})
    lite.ok("sqlite_create_array_relationship", {**FK_ARTICLES, "source": "lite"})
    lite.ok("sqlite_create_select_permission", {**SELECT_USER, "source": "lite"})

    assert tables(lite, "lite") == [
        {
            "table": {"name": "author", "schema": "public"},
            "array_relationships": [
                {
                    "name": "articles",
                    "using": {
                        "foreign_key_constraint_on": {
                            "table": {"name": "article", "schema": "public"},
                            "columns": ["author_id"],
                        }
                    },
                }
            ],
        },
        {
            "table": {"name": "article", "schema": "public"},
            "object_relationships": [{"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}],
            "select_permissions": [{"role": "user", "permission": SELECT_USER["permission"]}],
        },
    ]


def test_sqlite_relationship_on_a_foreign_key_that_does_not_exist_is_refused(lite):
    args = {
        "source": "lite",
        "table": ARTICLE,
        "name": "writer",
        "using": {"foreign_key_constraint_on": "title"},
    }

    assert_refused(
        lite,
        "sqlite_create_object_relationship",
        args,
        inconsistent(
            "object_relation",
            "object_relation writer in table article in source lite",
            args,
            'no foreign key constraint exists on the columns "title" of table "article"',
            path="$.args.using.foreign_key_constraint_on",
            code="constraint-error",
        ),
    )


def test_sqlite_untrack_with_dependents(lite):
    lite.ok("sqlite_create_object_relationship", {**FK_AUTHOR, "source": "lite"})

    assert_refused(
        lite,
        "sqlite_untrack_table",
        {"source": "lite", "table": "author"},
        {
            "error": "cannot drop due to the following dependent objects: "
            "relationship author in table article in source lite",
            "path": "$.args",
            "code": "dependency-error",
        },
    )
