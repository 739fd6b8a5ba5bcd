"""Deriving an action in the console, and the Codegen tab of an action."""

import pytest

from tests.console.pages import options, text
from tests.console.support import HANDLER, action_form, seed_action, seed_source

pytestmark = pytest.mark.django_db

DERIVED_DEFINITION = "type Mutation {\n  insertUserAction(object: InsertUserActionUsersInsertInput!): InsertUserActionOutput\n}"
DERIVED_TYPES = (
    "input InsertUserActionUsersInsertInput {\n  id: Int\n  name: String\n  auth0_id: String\n}\n\n"
    "type InsertUserActionOutput {\n  id: Int!\n  name: String!\n  auth0_id: String\n}"
)


def derive(console, **fields):
    return console.post(
        "/console/actions/derive/", {"derive": "1", "field": "", "name": "", "operation": "", **fields}
    )


def save_derived(console):
    derived = derive(console, field="insert_users_one", name="insertUserAction")
    form = derived.context["form"]
    return console.post(
        "/console/actions/derive/",
        action_form(definition=form["definition"].value(), types=form["types"].value()),
    )


@pytest.mark.postgres
def test_the_page_offers_every_mutation_grouped(console, metadata_api, pg_schema):
    seed_action(console, metadata_api, pg_schema)

    page = console.get("/console/actions/derive/")

    offered = options(page, "id_field")
    assert offered[:4] == ["", "insert_users", "insert_users_one", "update_users"]
    assert offered[-1] == "createUser"
    assert text(console.get("/console/actions/"), "derive-action-link") == "Derive action"


@pytest.mark.postgres
def test_deriving_fills_in_the_action_form(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema)

    page = derive(console, field="insert_users_one", name="insertUserAction")

    form = page.context["form"]
    assert form["definition"].value() == DERIVED_DEFINITION
    assert form["types"].value() == DERIVED_TYPES
    assert form["handler"].value() is None
    assert metadata_api.export().get("actions") is None


@pytest.mark.postgres
def test_an_edited_operation_gives_its_variables_as_arguments(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema)

    page = derive(
        console,
        operation="mutation addUser($name: String!) { insert_users_one(object: {name: $name}) { id } }",
    )

    assert page.context["form"]["definition"].value() == (
        "type Mutation {\n  addUser(name: String!): AddUserOutput\n}"
    )


@pytest.mark.postgres
def test_refusals_land_on_the_derive_form(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema)

    nothing = derive(console)
    broken = derive(console, operation="mutation { insert_users_one(object: {}) { nope } }")

    assert nothing.context["derive"].errors["field"] == ["Choose a mutation, or write an operation."]
    assert broken.context["derive"].errors["operation"] == [
        "Cannot query field 'nope' on type 'users'. Did you mean 'name'?"
    ]
    assert broken.context["form"] is None


@pytest.mark.postgres
def test_saving_creates_the_action_and_opens_its_codegen_tab(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema)

    saved = save_derived(console)

    assert saved.status_code == 302
    assert saved["Location"] == "/console/actions/insertUserAction/codegen/"
    exported = metadata_api.export()
    assert exported["actions"] == [
        {
            "name": "insertUserAction",
            "definition": {
                "handler": HANDLER,
                "output_type": "InsertUserActionOutput",
                "arguments": [{"name": "object", "type": "InsertUserActionUsersInsertInput!"}],
                "type": "mutation",
                "kind": "synchronous",
            },
        }
    ]
    assert [entry["name"] for entry in exported["custom_types"]["objects"]] == ["InsertUserActionOutput"]
    codegen = console.get(saved["Location"])
    assert text(codegen, "scaffold-name") == "insert_user_action.py"
    assert "insert_users_one(object: $object)" in codegen.context["file"]["content"]
    assert 'return data["insert_users_one"]' in codegen.context["file"]["content"]
    assert (
        'GRAPHQL_URL = os.environ.get("JOINERY_GRAPHQL_URL", "http://testserver/v1/graphql")'
        in (codegen.context["file"]["content"])
    )


@pytest.mark.postgres
def test_codegen_types_download_and_a_bad_derivation(console, metadata_api, pg_schema):
    seed_source(metadata_api, pg_schema)
    save_derived(console)
    tab = "/console/actions/insertUserAction/codegen/"

    types = console.get(tab, {"language": "typescript", "derive_from": ""})
    download = console.get(tab, {"language": "python", "derive_from": "", "download": "1"})
    bad = console.get(tab, {"language": "python", "derive_from": "insert_nobody"})

    assert types.context["file"]["name"] == "insertUserAction.ts"
    assert "export type InsertUserActionArgs" in types.context["file"]["content"]
    assert download["Content-Disposition"] == 'attachment; filename="insert_user_action.py"'
    assert b"def insert_user_action(arguments, session_variables):" in download.content
    assert bad.context["form"].errors["derive_from"] == ['no mutation root field "insert_nobody" exists']
    assert bad.context["file"] is None
