"""reload_metadata, get_inconsistent_metadata and drop_inconsistent_metadata over the metadata API."""

import json

import pytest

from relationships import store
from tests.relationships.conftest import pg_source_args, run_sql
from tests.relationships.test_round_trips import ORDERS_SDL, rich_metadata


@pytest.mark.django_db
def test_reload_reports_a_remote_schema_that_went_down_and_restores_it(
    metadata_api, pg_schema, make_graphql_server
):
    server = make_graphql_server(ORDERS_SDL)
    metadata_api.ok("add_remote_schema", {"name": "orders", "definition": {"url": server.endpoint}})
    version = store.load_state().resource_version
    server.down()

    response = metadata_api.ok("reload_metadata", {"reload_remote_schemas": True})

    assert response["message"] == "success"
    assert response["is_consistent"] is False
    (broken,) = response["inconsistent_objects"]
    assert (broken["type"], broken["name"]) == ("remote_schema", "remote_schema orders")
    assert "HTTP exception occurred while sending the request to" in broken["reason"]
    assert store.load_state().resource_version == version + 1
    assert metadata_api.ok("get_inconsistent_metadata")["inconsistent_objects"] == [broken]

    server.up()
    assert metadata_api.ok("reload_metadata", {"reload_remote_schemas": ["orders"]}) == {
        "message": "success",
        "is_consistent": True,
    }


@pytest.mark.django_db
def test_drop_inconsistent_metadata_removes_broken_objects_and_what_needs_them(
    metadata_api, pg_schema, make_graphql_server
):
    rich = rich_metadata(pg_schema, make_graphql_server(ORDERS_SDL).endpoint)
    metadata_api.ok("replace_metadata", rich)
    healthy = metadata_api.export()
    broken = json.loads(json.dumps(rich))
    broken["custom_types"]["objects"][0]["relationships"][0]["field_mapping"] = {"id": "missing_column"}
    metadata_api.ok("replace_metadata", {"allow_inconsistent_metadata": True, "metadata": broken})

    assert metadata_api.ok("drop_inconsistent_metadata") == {"message": "success"}

    exported = metadata_api.export()
    assert "custom_types" not in exported
    assert "actions" not in exported
    assert exported["sources"] == healthy["sources"]
    assert exported["remote_schemas"] == healthy["remote_schemas"]
    assert metadata_api.ok("get_inconsistent_metadata") == {"is_consistent": True, "inconsistent_objects": []}


@pytest.mark.django_db
def test_a_table_dropped_in_the_database_becomes_inconsistent_and_can_be_dropped(metadata_api, pg_schema):
    metadata_api.ok("pg_add_source", pg_source_args("default", pg_schema))
    metadata_api.ok("pg_track_table", {"table": "author"})
    metadata_api.ok("pg_track_table", {"table": "users"})
    run_sql(pg_schema, "DROP TABLE article; DROP TABLE author;")

    response = metadata_api.ok("reload_metadata", {"reload_sources": True})

    assert [item["name"] for item in response["inconsistent_objects"]] == ["table author in source default"]
    metadata_api.ok("drop_inconsistent_metadata")
    tables = metadata_api.export()["sources"][0]["tables"]
    assert tables == [{"table": {"name": "users", "schema": "public"}}]
