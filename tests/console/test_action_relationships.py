"""The Relationships tab of an action: seed 000's "Add a relationship", errors next to fields, edit, delete."""

import pytest

from tests.console.pages import labels, options, text
from tests.console.support import relationship_form, seed_action

pytestmark = pytest.mark.django_db

ADD_URL = "/console/actions/createUser/relationships/add/"
SEED_RELATIONSHIP = {
    "name": "user",
    "type": "object",
    "source": "default",
    "remote_table": {"name": "users", "schema": "public"},
    "field_mapping": {"id": "id"},
}


@pytest.fixture
def seeded(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)
    return console


def output_type(metadata_api):
    (user_output,) = metadata_api.export()["custom_types"]["objects"]
    return user_output


def test_the_tab_lists_no_relationship_and_offers_to_add_one(seeded):
    response = seeded.get("/console/actions/createUser/relationships/")

    assert response.status_code == 200
    assert text(response, "add-relationship") == "Add a relationship"
    assert "No relationships yet." in response.content.decode()


def test_the_form_has_exactly_the_seed_labels_and_live_choices(seeded):
    response = seeded.get(ADD_URL)

    assert labels(response) == {
        "id_relationship_type": "Relationship type",
        "id_relationship_name": "Relationship name",
        "id_reference_source": "Reference source",
        "id_reference_schema": "Reference schema",
        "id_reference_table": "Reference table",
        "id_mapping-0-from_field": "From",
        "id_mapping-0-to_column": "To",
        "id_mapping-__prefix__-from_field": "From",
        "id_mapping-__prefix__-to_column": "To",
    }
    assert options(response, "id_relationship_type") == ["object", "array"]
    assert options(response, "id_reference_source") == ["", "default"]
    assert options(response, "id_reference_schema") == ["", "public"]
    assert options(response, "id_reference_table") == ["", "users"]  # only tracked tables
    assert options(response, "id_mapping-0-from_field") == ["", "id", "name"]
    # To follows the chosen table: none is chosen yet, and the columns endpoint fills it in.
    assert options(response, "id_mapping-0-to_column") == [""]
    columns = seeded.get(
        "/console/choices/columns", {"source": "default", "schema": "public", "table": "users"}
    )
    assert [choice["value"] for choice in columns.json()["choices"]] == ["id", "name", "auth0_id"]


def test_saving_the_seed_values_adds_the_relationship(seeded, metadata_api):
    response = seeded.post(ADD_URL, relationship_form([("id", "id")]))

    assert response.status_code == 302
    assert response["Location"] == "/console/actions/createUser/relationships/"
    assert output_type(metadata_api)["relationships"] == [SEED_RELATIONSHIP]
    listed = seeded.get(response["Location"])
    assert text(listed, "relationship-user") == "user object default · public.users id → id Edit Delete"


def test_more_than_one_pair_can_be_saved(seeded, metadata_api):
    seeded.post(ADD_URL, relationship_form([("id", "id"), ("name", "name")], relationship_type="array"))

    (relationship,) = output_type(metadata_api)["relationships"]
    assert relationship["type"] == "array"
    assert relationship["field_mapping"] == {"id": "id", "name": "name"}


def test_a_column_that_does_not_exist_is_shown_next_to_its_pair_and_nothing_is_saved(seeded, metadata_api):
    before = metadata_api.export()

    response = seeded.post(ADD_URL, relationship_form([("name", "name"), ("id", "no_such_column")]))

    assert response.status_code == 200
    assert metadata_api.export() == before
    row_errors = text(response, "mapping-1-errors")
    assert 'the column "no_such_column" of remote table "users"' in row_errors
    assert text(response, "mapping-0-errors") is None
    assert response.context["form"].mapping.forms[1].non_field_errors()
    # The posted values stay on the form, so the user can correct them.
    assert options(response, "id_mapping-1-to_column")[-1] == "no_such_column"


def test_an_untracked_table_is_reported_at_the_reference_table(seeded, metadata_api):
    before = metadata_api.export()

    response = seeded.post(ADD_URL, relationship_form([("id", "id")], reference_table="author"))

    assert metadata_api.export() == before
    assert 'the remote table "author" for relationship "user"' in text(response, "id_reference_table_errors")


def test_a_name_taken_by_a_field_is_reported_at_the_relationship_name(seeded, metadata_api):
    response = seeded.post(ADD_URL, relationship_form([("id", "id")], relationship_name="name"))

    assert "duplicate fields" in text(response, "id_relationship_name_errors")
    assert "relationships" not in output_type(metadata_api)


def test_a_pair_needs_both_sides_and_a_form_needs_one_pair(seeded, metadata_api):
    half = seeded.post(ADD_URL, relationship_form([("id", "")]))
    none = seeded.post(ADD_URL, relationship_form([]))

    assert "Choose both a From and a To" in text(half, "mapping-0-errors")
    assert text(none, "mapping-errors") == "Add at least one From/To pair."
    assert "relationships" not in output_type(metadata_api)


def test_edit_replaces_the_relationship_in_place(seeded, metadata_api):
    seeded.post(ADD_URL, relationship_form([("id", "id")]))
    edit_url = "/console/actions/createUser/relationships/user/edit/"
    page = seeded.get(edit_url)
    assert options(page, "id_mapping-0-to_column") == ["", "id", "name", "auth0_id"]
    assert 'value="user"' in page.content.decode()

    response = seeded.post(
        edit_url,
        relationship_form(
            [("id", "id"), ("name", "name")], relationship_type="array", relationship_name="users"
        ),
    )

    assert response.status_code == 302
    (relationship,) = output_type(metadata_api)["relationships"]
    assert (relationship["name"], relationship["type"]) == ("users", "array")
    assert relationship["field_mapping"] == {"id": "id", "name": "name"}


def test_delete_removes_only_that_relationship(seeded, metadata_api):
    seeded.post(ADD_URL, relationship_form([("id", "id")]))
    seeded.post(ADD_URL, relationship_form([("name", "name")], relationship_name="by_name"))

    response = seeded.post("/console/actions/createUser/relationships/user/delete/")

    assert response.status_code == 302
    assert [r["name"] for r in output_type(metadata_api)["relationships"]] == ["by_name"]
