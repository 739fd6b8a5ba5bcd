"""The Django admin: every page renders, and every save and delete goes through the metadata funnel."""

import json
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.forms import BooleanField
from django.urls import reverse
from django.utils.html import escape
from django.utils.timezone import now

from engine.errors import EngineError
from engine.metadata import Metadata
from relationships import models, services, store
from relationships.admin import refusal_lines

RICH_METADATA = Path(__file__).parent / "metadata_dirs" / "rich_metadata.json"

EVERY_MODEL = [
    models.MetadataState,
    models.Source,
    models.TrackedTable,
    models.TableRelationship,
    models.TableRemoteRelationship,
    models.TablePermission,
    models.Action,
    models.ActionPermission,
    models.CustomType,
    models.CustomTypeRelationship,
    models.RemoteSchema,
    models.RemoteSchemaPermission,
    models.RemoteSchemaRelationship,
]


def admin_url(model, view, *args):
    return reverse(f"admin:relationships_{model._meta.model_name}_{view}", args=args)


def resource_version():
    return store.load_state().resource_version


@pytest.fixture
def rich_rows(db):
    """Rows for every metadata model, stored without validation (the pages only read them)."""
    store.save_metadata(Metadata.from_dict(json.loads(RICH_METADATA.read_text())))
    models.RemoteSchemaPermission.objects.create(
        remote_schema=models.RemoteSchema.objects.get(name="forum_api"),
        role="user",
        definition={"schema": "type Query { messages: [String] }"},
    )
    models.RemoteSchema.objects.filter(name="forum_api").update(
        introspection={"data": {"__schema": {"queryType": {"name": "ForumQuery"}}}}, introspected_at=now()
    )


@pytest.fixture
def shop(pg_schema, db):
    """A consistent metadata store: a source with real tables and an action whose output type joins users."""
    store.save_metadata(
        Metadata.from_dict(
            {
                "version": 3,
                "sources": [
                    {
                        "name": "default",
                        "kind": "postgres",
                        "configuration": {"connection_info": {"database_url": pg_schema}},
                        "tables": [
                            {"table": {"schema": "public", "name": name}}
                            for name in ("users", "author", "article")
                        ],
                    }
                ],
                "actions": [
                    {
                        "name": "createUser",
                        "definition": {
                            "handler": "http://127.0.0.1:9/create-user",
                            "type": "mutation",
                            "arguments": [{"name": "name", "type": "String!"}],
                            "output_type": "UserInfo!",
                        },
                    }
                ],
                "custom_types": {
                    "objects": [
                        {
                            "name": "UserInfo",
                            "fields": [{"name": "id", "type": "Int!"}, {"name": "name", "type": "String!"}],
                            "relationships": [
                                {
                                    "name": "user",
                                    "type": "object",
                                    "source": "default",
                                    "remote_table": {"schema": "public", "name": "users"},
                                    "field_mapping": {"id": "id"},
                                }
                            ],
                        }
                    ]
                },
            }
        )
    )
    return models.CustomType.objects.get(name="UserInfo")


def form_post_data(response):
    """What the rendered change form would POST if submitted as it is (main form, inlines, management)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
            else:
                data[form.add_prefix(name)] = "" if value is None else value
    return data


def with_new_relationship(data, **values):
    """``data`` plus one more row in the custom type's relationship inline."""
    index = int(data["relationships-TOTAL_FORMS"])
    data = {**data, "relationships-TOTAL_FORMS": str(index + 1)}
    for name, value in values.items():
        data[f"relationships-{index}-{name}"] = value
    return data


def relationship_values(name, table, mapping, kind="array"):
    return {
        "kind": kind,
        "name": name,
        "source": "default",
        "remote_schema_name": "public",
        "remote_table_name": table,
        "field_mapping": json.dumps(mapping),
    }


def api_refusal(metadata_api, table, mapping):
    """The error the metadata API gives for the same broken relationship (it saves nothing either)."""
    custom_types = metadata_api.export()["custom_types"]
    custom_types["objects"][0]["relationships"].append(
        {
            "name": "broken",
            "type": "array",
            "source": "default",
            "remote_table": {"schema": "public", "name": table},
            "field_mapping": mapping,
        }
    )
    _, body = metadata_api.fails("set_custom_types", custom_types)
    return body["error"]


def funnel_refusal(edit):
    """The lines the funnel itself gives for ``edit`` (which it rolls back)."""
    with pytest.raises(EngineError) as refused, services.metadata_rows_edit():
        edit()
    return refusal_lines(refused.value)


# Pages -------------------------------------------------------------------------------------------


def test_every_model_has_rows_to_show(rich_rows):
    assert all(model.objects.exists() for model in EVERY_MODEL)


@pytest.mark.parametrize("model", EVERY_MODEL, ids=lambda m: m.__name__)
def test_list_and_change_pages_render(rich_rows, admin_client, model):
    row = model.objects.order_by("pk").first()

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "change", row.pk)).status_code == 200


@pytest.mark.parametrize("model", EVERY_MODEL[1:], ids=lambda m: m.__name__)
def test_add_pages_render(rich_rows, admin_client, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 200


def test_list_search_and_filter_work(rich_rows, admin_client):
    response = admin_client.get(
        admin_url(models.TrackedTable, "changelist"), {"q": "users", "schema": "public"}
    )

    assert response.status_code == 200
    assert [str(t) for t in response.context["cl"].result_list] == ["public.users (default)"]


def test_metadata_state_is_read_only(rich_rows, admin_client):
    state = store.load_state()

    assert admin_client.get(admin_url(models.MetadataState, "add")).status_code == 403
    assert admin_client.post(admin_url(models.MetadataState, "change", state.pk), {}).status_code == 403
    assert (
        admin_client.post(admin_url(models.MetadataState, "delete", state.pk), {"post": "yes"}).status_code
        == 403
    )
    page = admin_client.get(admin_url(models.MetadataState, "change", state.pk)).content.decode()
    assert 'name="_save"' not in page


def test_admin_header_links_back_to_the_console(admin_client, db):
    page = admin_client.get(reverse("admin:index")).content.decode()

    assert '<a href="/">' in page
    assert "Joinery administration" in page


def test_inlines_sit_under_their_parents(rich_rows, admin_client):
    def inline_models(model, name):
        response = admin_client.get(admin_url(model, "change", model.objects.filter(name=name).first().pk))
        return {inline.formset.model for inline in response.context["inline_admin_formsets"]}

    assert inline_models(models.Source, "default") == {models.TrackedTable}
    assert inline_models(models.TrackedTable, "users") == {
        models.TableRelationship,
        models.TableRemoteRelationship,
        models.TablePermission,
    }
    assert inline_models(models.Action, "createUser") == {models.ActionPermission}
    assert inline_models(models.CustomType, "UserOutput") == {models.CustomTypeRelationship}
    assert inline_models(models.RemoteSchema, "forum_api") == {
        models.RemoteSchemaRelationship,
        models.RemoteSchemaPermission,
    }


def test_custom_type_relationship_inline_reads_like_the_console_form(rich_rows, admin_client):
    custom_type = models.CustomType.objects.get(name="UserOutput")
    response = admin_client.get(admin_url(models.CustomType, "change", custom_type.pk))
    inline = response.context["inline_admin_formsets"][0]

    assert [field["label"] for field in inline.fields()] == [
        "Type",
        "Name",
        "Source",
        "Reference schema",
        "Reference table",
        "Field mapping",
    ]


def test_action_page_shows_its_output_type_relationships_read_only(rich_rows, admin_client):
    action = models.Action.objects.get(name="usersByColor")
    custom_type = models.CustomType.objects.get(name="UserOutput")

    page = admin_client.get(admin_url(models.Action, "change", action.pk)).content.decode()

    assert f'href="{admin_url(models.CustomType, "change", custom_type.pk)}"' in page
    assert "<td>public.articles</td>" in page
    assert "id &rarr; author_id" in page
    assert 'name="relationships-' not in page


def test_remote_schema_page_shows_introspection_read_only_and_collapsed(rich_rows, admin_client):
    remote_schema = models.RemoteSchema.objects.get(name="forum_api")

    response = admin_client.get(admin_url(models.RemoteSchema, "change", remote_schema.pk))
    page = response.content.decode()

    assert "ForumQuery" in page
    assert "collapse" in page
    assert not {"introspection", "introspected_at"} & set(response.context["adminform"].form.fields)


# Saves through the funnel ------------------------------------------------------------------------


def test_adding_a_valid_relationship_saves_it_and_bumps_the_version(shop, admin_client):
    url = admin_url(models.CustomType, "change", shop.pk)
    data = form_post_data(admin_client.get(url))
    version = resource_version()

    response = admin_client.post(
        url, with_new_relationship(data, **relationship_values("articles", "article", {"id": "author_id"}))
    )

    assert response.status_code == 302
    added = shop.relationships.get(name="articles")
    assert (added.kind, added.remote_table_name, added.field_mapping) == (
        "array",
        "article",
        {"id": "author_id"},
    )
    assert [r.name for r in shop.relationships.all()] == ["user", "articles"]
    assert resource_version() == version + 1
    assert "was changed successfully" in admin_client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("mapping", "missing"),
    [({"no_such_field": "id"}, "no_such_field"), ({"id": "no_such_column"}, "no_such_column")],
    ids=["from-field", "to-column"],
)
def test_a_broken_relationship_is_refused_with_the_reasons_and_nothing_saved(
    shop, admin_client, metadata_api, mapping, missing
):
    url = admin_url(models.CustomType, "change", shop.pk)
    data = form_post_data(admin_client.get(url))
    data["description"] = "changed in the same form"
    broken = relationship_values("broken", "article", mapping)
    expected = funnel_refusal(
        lambda: models.CustomTypeRelationship.objects.create(
            custom_type=shop, **{**broken, "field_mapping": mapping}
        )
    )
    api_error = api_refusal(metadata_api, "article", mapping)
    version, log_entries = resource_version(), LogEntry.objects.count()

    response = admin_client.post(url, with_new_relationship(data, **broken))

    page = response.content.decode()
    assert response.status_code == 200
    assert missing in api_error
    assert api_error in expected
    assert all(escape(line) in page for line in expected)
    assert "errorlist nonfield" in page
    assert 'value="broken"' in page
    assert "changed in the same form" in page
    assert "successfully" not in page
    assert [r.name for r in shop.relationships.all()] == ["user"]
    shop.refresh_from_db()
    assert shop.description is None
    assert (resource_version(), LogEntry.objects.count()) == (version, log_entries)


def test_an_invalid_form_saves_nothing_and_keeps_the_version(shop, admin_client):
    url = admin_url(models.CustomType, "change", shop.pk)
    data = {**form_post_data(admin_client.get(url)), "name": ""}
    version = resource_version()

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert resource_version() == version


def test_adding_an_object_appends_it_after_its_siblings(shop, admin_client):
    version = resource_version()

    response = admin_client.post(
        admin_url(models.CustomType, "add"),
        {
            "kind": "object",
            "name": "Stats",
            "description": "",
            "fields": json.dumps([{"name": "count", "type": "Int!"}]),
            "relationships-TOTAL_FORMS": "0",
            "relationships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert [t.name for t in models.CustomType.objects.all()] == ["UserInfo", "Stats"]
    assert resource_version() == version + 1


# Deletes through the funnel ----------------------------------------------------------------------


def test_deleting_a_table_a_relationship_depends_on_is_refused(shop, admin_client):
    users = models.TrackedTable.objects.get(name="users")
    expected = funnel_refusal(lambda: models.TrackedTable.objects.filter(pk=users.pk).delete())
    version = resource_version()

    response = admin_client.post(
        admin_url(models.TrackedTable, "delete", users.pk), {"post": "yes"}, follow=True
    )

    page = response.content.decode()
    assert response.redirect_chain == [(admin_url(models.TrackedTable, "change", users.pk), 302)]
    assert all(escape(line) in page for line in expected)
    assert "deleted successfully" not in page
    assert models.TrackedTable.objects.filter(pk=users.pk).exists()
    assert resource_version() == version


def test_deleting_an_unused_table_is_accepted(shop, admin_client):
    author = models.TrackedTable.objects.get(name="author")
    version = resource_version()

    response = admin_client.post(admin_url(models.TrackedTable, "delete", author.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not models.TrackedTable.objects.filter(pk=author.pk).exists()
    assert resource_version() == version + 1


def bulk_delete(admin_client, names, *, confirm=True):
    tables = models.TrackedTable.objects.filter(name__in=names)
    data = {"action": "delete_selected", "_selected_action": [t.pk for t in tables]}
    if confirm:
        data["post"] = "yes"
    return admin_client.post(admin_url(models.TrackedTable, "changelist"), data, follow=True)


def test_bulk_delete_is_refused_as_a_whole_when_it_breaks_a_relationship(shop, admin_client):
    expected = funnel_refusal(
        lambda: models.TrackedTable.objects.filter(name__in=["users", "author"]).delete()
    )
    version = resource_version()

    response = bulk_delete(admin_client, ["users", "author"])

    page = response.content.decode()
    assert all(escape(line) in page for line in expected)
    assert "Successfully deleted" not in page
    assert models.TrackedTable.objects.filter(name__in=["users", "author"]).count() == 2
    assert resource_version() == version


def test_bulk_delete_of_unused_tables_is_accepted(shop, admin_client):
    version = resource_version()

    confirmation = bulk_delete(admin_client, ["author", "article"], confirm=False)
    assert "Are you sure you want to delete the selected tracked tables?" in confirmation.content.decode()
    assert resource_version() == version

    response = bulk_delete(admin_client, ["author", "article"])

    assert "Successfully deleted 2 tracked tables." in response.content.decode()
    assert [t.name for t in models.TrackedTable.objects.all()] == ["users"]
    assert resource_version() == version + 1
