"""The Metadata page: export download, import upload, reload, and inconsistent objects with a drop button."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.console.pages import text
from tests.console.support import seed_action
from tests.relationships.conftest import run_sql

pytestmark = pytest.mark.django_db


def upload(document, name="metadata.json"):
    return SimpleUploadedFile(name, json.dumps(document).encode(), content_type="application/json")


def test_export_downloads_what_export_metadata_answers(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)

    response = console.get("/console/metadata/export/")

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="metadata.json"'
    assert json.loads(response.content) == metadata_api.export()


def test_import_replaces_the_metadata(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)
    exported = metadata_api.export()
    metadata_api.ok("clear_metadata")

    response = console.post("/console/metadata/", {"metadata_file": upload(exported)}, follow=True)

    assert text(response, "messages") == "Metadata imported."
    assert metadata_api.export() == exported


def test_import_of_inconsistent_metadata_is_refused_unless_allowed(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)
    broken = metadata_api.export()
    broken["sources"][0]["tables"].append({"table": {"schema": "public", "name": "no_such_table"}})
    before = metadata_api.export()

    refused = console.post("/console/metadata/", {"metadata_file": upload(broken)})
    assert "cannot continue due to inconsistent metadata" in text(refused, "id_metadata_file_errors")
    assert "no_such_table" in text(refused, "id_metadata_file_errors")
    assert metadata_api.export() == before

    allowed = console.post(
        "/console/metadata/", {"metadata_file": upload(broken), "allow_inconsistent": "on"}, follow=True
    )
    assert "1 inconsistent object" in text(allowed, "messages")
    assert "no_such_table" in text(allowed, "inconsistent-objects")


def test_import_of_a_file_that_is_not_json_is_refused(console, metadata_api):
    response = console.post("/console/metadata/", {"metadata_file": SimpleUploadedFile("m.json", b"{nope")})

    assert "The file is not a JSON document" in text(response, "id_metadata_file_errors")


def test_inconsistent_objects_are_listed_with_reasons_and_can_be_dropped(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)
    run_sql(pg_schema, "ALTER TABLE users RENAME TO people")

    page = console.get("/console/metadata/")
    listed = text(page, "inconsistent-objects")
    assert "table" in listed
    assert "users" in listed

    response = console.post("/console/metadata/drop-inconsistent/", follow=True)

    assert text(response, "consistent") == "The metadata is consistent."
    assert metadata_api.export()["sources"][0]["tables"] == []


def test_reload_reads_the_databases_again_and_reports_inconsistency(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)
    version_before = metadata_api.ok("export_metadata", {}, version=2)["resource_version"]
    run_sql(pg_schema, "ALTER TABLE users RENAME TO people")

    response = console.post("/console/metadata/reload/", {"reload_remote_schemas": "on"}, follow=True)

    assert "Metadata reloaded." in text(response, "messages")
    assert "The metadata is inconsistent" in text(response, "messages")
    assert metadata_api.ok("export_metadata", {}, version=2)["resource_version"] == version_before + 1
