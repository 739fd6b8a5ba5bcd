"""The Django admin for the metadata rows, with every write going through the metadata funnel.

    POST to an add/change page, a delete page or a change list (the "delete selected" action)
      -> services.metadata_rows_edit(): Django's own view edits the rows inside the funnel
      -> accepted: rows committed, resource_version bumped, the admin's messages shown
      -> refused:  everything rolled back (rows, inlines, log entries, success messages);
                   a form is replayed with the funnel's reasons as a non-field error, so the
                   user's input stays on the page; a delete shows the reasons as an error message

Only documented ``ModelAdmin`` hooks are overridden: the three views, ``get_form``, ``save_model``,
``save_formset``, ``delete_model``, ``delete_queryset`` and ``message_user``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models as dj_models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from engine.errors import EngineError
from relationships import models, services

_EDITED = "_metadata_rows_edited"
_PENDING_MESSAGES = "_metadata_pending_messages"
_REFUSAL = "_metadata_refusal"

# An emptied comment or description box stores NULL (every TextField of the metadata models is nullable),
# so the export leaves the key out as the API does, instead of Django's default of "".
_EMPTY_TEXT_IS_NULL = {dj_models.TextField: {"empty_value": None}}
_COMPACT_FIELDS = {
    dj_models.JSONField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 36})},
    **_EMPTY_TEXT_IS_NULL,
}


class _NothingEdited(Exception):
    """Leaves the funnel without validating or bumping when the admin view wrote nothing."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__()
        self.response = response


def refusal_lines(refusal: EngineError) -> list[str]:
    """The funnel's message followed by each inconsistent object's reason, as the API reports them."""
    message = refusal.message if refusal.path in ("", "$") else f"{refusal.message} (at {refusal.path})"
    internal = refusal.internal if isinstance(refusal.internal, list) else []
    reasons = [item["reason"] for item in internal if isinstance(item, dict) and item.get("reason")]
    return [message, *(reason for reason in reasons if reason != refusal.message)]


def _refused_form(form_class: type[forms.ModelForm], refusal: EngineError) -> type[forms.ModelForm]:
    """``form_class`` that always fails with the funnel's reasons as non-field errors."""

    class RefusedForm(form_class):
        def clean(self) -> dict[str, Any]:
            super().clean()
            raise ValidationError(refusal_lines(refusal))

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


def _append_position(row: models.Ordered) -> None:
    """Place a new row after its last sibling (same parent), so it is exported last."""
    parent = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if f.many_to_one}
    last = type(row).objects.filter(**parent).aggregate(last=dj_models.Max("position"))["last"]
    row.position = 0 if last is None else last + 1


def _mark_edited(request: HttpRequest) -> None:
    setattr(request, _EDITED, True)


class FunnelledAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes are validated and versioned like metadata API commands."""

    formfield_overrides = _COMPACT_FIELDS
    exclude = ("position",)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        """Save inside the funnel; when refused, replay the POST with the reasons as a form error."""
        view = partial(super().changeform_view, request, object_id, form_url, extra_context)
        if request.method != "POST":
            return view()
        try:
            return self._funnelled(request, view)
        except EngineError as refusal:
            # The replayed form is invalid, so Django renders the user's input again and saves nothing.
            setattr(request, _REFUSAL, refusal)
            return view()

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        """Delete inside the funnel; when refused, go back to the object with the reasons."""
        view = partial(super().delete_view, request, object_id, extra_context)
        if request.method != "POST":
            return view()
        try:
            return self._funnelled(request, view)
        except EngineError as refusal:
            self._report_refusal(request, "The deletion was refused", refusal)
            opts = self.model._meta
            change_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[object_id],
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(change_url)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Run actions (bulk delete included) inside the funnel; when refused, back to the list."""
        view = partial(super().changelist_view, request, extra_context)
        if request.method != "POST":
            return view()
        try:
            return self._funnelled(request, view)
        except EngineError as refusal:
            self._report_refusal(request, "The action was refused", refusal)
            return HttpResponseRedirect(request.get_full_path())

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The model form, failing with the funnel's reasons when replaying a refused save."""
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        return form_class if refusal is None else _refused_form(form_class, refusal)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save the object, appending a new one after its siblings."""
        _mark_edited(request)
        if not change:
            _append_position(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Save an inline formset, appending new rows after their siblings."""
        _mark_edited(request)
        for row in formset.save(commit=False):
            if row.pk is None:
                _append_position(row)
            row.save()
        for row in formset.deleted_objects:
            row.delete()
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        """Delete one object (inside the funnel opened by ``delete_view``)."""
        _mark_edited(request)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """Delete the selected objects (inside the funnel opened by ``changelist_view``)."""
        _mark_edited(request)
        super().delete_queryset(request, queryset)

    def message_user(
        self,
        request: HttpRequest,
        message: str,
        level: int = messages.INFO,
        extra_tags: str = "",
        fail_silently: bool = False,
    ) -> None:
        """Hold messages back while the funnel may still refuse ("changed successfully" must not leak)."""
        pending = getattr(request, _PENDING_MESSAGES, None)
        if pending is None:
            super().message_user(request, message, level, extra_tags, fail_silently)
        else:
            pending.append((message, level, extra_tags, fail_silently))

    def _funnelled(self, request: HttpRequest, view: Callable[[], HttpResponse]) -> HttpResponse:
        """Run a Django admin view inside ``metadata_rows_edit``; raise ``EngineError`` when refused."""
        pending: list[tuple[str, int, str, bool]] = []
        setattr(request, _EDITED, False)
        setattr(request, _PENDING_MESSAGES, pending)
        try:
            with services.metadata_rows_edit():
                response = view()
                if not getattr(request, _EDITED):
                    raise _NothingEdited(response)
        except _NothingEdited as unchanged:
            response = unchanged.response
        finally:
            delattr(request, _PENDING_MESSAGES)
        for message in pending:
            self.message_user(request, *message)
        return response

    def _report_refusal(self, request: HttpRequest, prefix: str, refusal: EngineError) -> None:
        lines = refusal_lines(refusal)
        self.message_user(request, f"{prefix}: {'; '.join(lines)}", messages.ERROR)


class CompactInline(admin.TabularInline):
    """A tabular inline with small JSON boxes and no visible ``position``."""

    formfield_overrides = _COMPACT_FIELDS
    exclude = ("position",)
    extra = 0


# Sources and tables ------------------------------------------------------------------------------


class TrackedTableInline(CompactInline):
    model = models.TrackedTable
    fields = ("schema", "name", "is_enum")
    show_change_link = True


@admin.register(models.Source)
class SourceAdmin(FunnelledAdmin):
    list_display = ("name", "kind", "table_count")
    list_filter = ("kind",)
    search_fields = ("name",)
    ordering = ("position", "id")
    fieldsets = (
        (None, {"fields": ("name", "kind", "configuration", "customization")}),
        ("Other Hasura keys", {"classes": ("collapse",), "fields": ("extras",)}),
    )
    inlines = (TrackedTableInline,)

    def get_queryset(self, request: HttpRequest) -> Any:
        """Sources with their number of tracked tables."""
        return super().get_queryset(request).annotate(table_total=dj_models.Count("tables"))

    @admin.display(description="tracked tables", ordering="table_total")
    def table_count(self, source: models.Source) -> int:
        """How many tables of the source are tracked."""
        return source.table_total


class TableRelationshipInline(CompactInline):
    model = models.TableRelationship
    fields = ("name", "kind", "using", "comment")


class TableRemoteRelationshipInline(CompactInline):
    model = models.TableRemoteRelationship
    fields = ("name", "definition")


class TablePermissionInline(CompactInline):
    model = models.TablePermission
    fields = ("kind", "role", "permission", "comment")


@admin.register(models.TrackedTable)
class TrackedTableAdmin(FunnelledAdmin):
    list_display = ("name", "schema", "source", "is_enum")
    list_filter = ("source", "schema", "is_enum")
    search_fields = ("name", "schema", "source__name")
    ordering = ("source__position", "position", "id")
    list_select_related = ("source",)
    fieldsets = (
        (None, {"fields": ("source", "schema", "name", "is_enum", "configuration")}),
        ("Other Hasura keys", {"classes": ("collapse",), "fields": ("extras",)}),
    )
    inlines = (TableRelationshipInline, TableRemoteRelationshipInline, TablePermissionInline)


@admin.register(models.TableRelationship)
class TableRelationshipAdmin(FunnelledAdmin):
    list_display = ("name", "kind", "table")
    list_filter = ("kind", "table__source")
    search_fields = ("name", "table__name")
    ordering = ("table__source__position", "table__position", "position", "id")
    list_select_related = ("table__source",)


@admin.register(models.TableRemoteRelationship)
class TableRemoteRelationshipAdmin(FunnelledAdmin):
    list_display = ("name", "table")
    list_filter = ("table__source",)
    search_fields = ("name", "table__name")
    ordering = ("table__source__position", "table__position", "position", "id")
    list_select_related = ("table__source",)


@admin.register(models.TablePermission)
class TablePermissionAdmin(FunnelledAdmin):
    list_display = ("table", "kind", "role")
    list_filter = ("kind", "role", "table__source")
    search_fields = ("role", "table__name")
    ordering = ("table__source__position", "table__position", "position", "id")
    list_select_related = ("table__source",)


# Actions and custom types ------------------------------------------------------------------------


class ActionPermissionInline(CompactInline):
    model = models.ActionPermission
    fields = ("role", "comment")


def _custom_type_change_url(custom_type: models.CustomType) -> str:
    return reverse("admin:relationships_customtype_change", args=[custom_type.pk])


@admin.register(models.Action)
class ActionAdmin(FunnelledAdmin):
    list_display = ("name", "action_type", "kind", "output_type", "handler")
    list_filter = ("action_type", "kind")
    search_fields = ("name", "output_type", "handler")
    ordering = ("position", "id")
    fieldsets = (
        (None, {"fields": ("name", "action_type", "kind", "arguments", "output_type", "comment")}),
        ("Handler", {"fields": ("handler", "headers", "forward_client_headers", "timeout", "transforms")}),
        ("Output type relationships", {"fields": ("output_type_relationships",)}),
    )
    readonly_fields = ("output_type_relationships",)
    inlines = (ActionPermissionInline,)

    @admin.display(description="relationships")
    def output_type_relationships(self, action: models.Action) -> str:
        """The relationships of the action's output type, read-only, linking to where they are edited."""
        type_name = action.output_type.strip("[]! ")
        custom_type = models.CustomType.objects.filter(name=type_name).first() if type_name else None
        return render_to_string(
            "admin/relationships/action/output_type_relationships.html",
            {
                "type_name": type_name,
                "custom_type": custom_type,
                "change_url": _custom_type_change_url(custom_type) if custom_type else "",
                "relationships": custom_type.relationships.all() if custom_type else [],
            },
        )


class CustomTypeRelationshipInline(CompactInline):
    """Reads like the console's relationship form: type, name, source, reference schema and table."""

    model = models.CustomTypeRelationship
    fields = ("kind", "name", "source", "remote_schema_name", "remote_table_name", "field_mapping")
    verbose_name = "relationship"
    verbose_name_plural = "relationships (object types only)"


@admin.register(models.CustomType)
class CustomTypeAdmin(FunnelledAdmin):
    list_display = ("name", "kind", "relationship_count")
    list_filter = ("kind",)
    search_fields = ("name", "description")
    ordering = ("position", "id")
    fields = ("kind", "name", "description", "fields")
    inlines = (CustomTypeRelationshipInline,)

    def get_queryset(self, request: HttpRequest) -> Any:
        """Custom types with their number of relationships."""
        return super().get_queryset(request).annotate(relationship_total=dj_models.Count("relationships"))

    @admin.display(description="relationships", ordering="relationship_total")
    def relationship_count(self, custom_type: models.CustomType) -> int:
        """How many relationships the type has."""
        return custom_type.relationship_total


@admin.register(models.CustomTypeRelationship)
class CustomTypeRelationshipAdmin(FunnelledAdmin):
    list_display = ("name", "custom_type", "kind", "source", "remote_table", "field_mapping")
    list_filter = ("kind", "source")
    search_fields = ("name", "custom_type__name", "remote_table_name")
    ordering = ("custom_type__position", "position", "id")
    list_select_related = ("custom_type",)
    fields = (
        "custom_type",
        "kind",
        "name",
        "source",
        "remote_schema_name",
        "remote_table_name",
        "field_mapping",
    )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Only object types can have relationships."""
        if db_field.name == "custom_type":
            kwargs["queryset"] = models.CustomType.objects.filter(kind="object")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="reference table")
    def remote_table(self, relationship: models.CustomTypeRelationship) -> str:
        """The target table as ``schema.name``."""
        return f"{relationship.remote_schema_name}.{relationship.remote_table_name}"


@admin.register(models.ActionPermission)
class ActionPermissionAdmin(FunnelledAdmin):
    list_display = ("role", "action")
    list_filter = ("role",)
    search_fields = ("role", "action__name")
    ordering = ("action__position", "position", "id")
    list_select_related = ("action",)


# Remote schemas ----------------------------------------------------------------------------------


class RemoteSchemaRelationshipInline(CompactInline):
    model = models.RemoteSchemaRelationship
    fields = ("type_name", "name", "definition")


class RemoteSchemaPermissionInline(CompactInline):
    model = models.RemoteSchemaPermission
    fields = ("role", "definition", "comment")


@admin.register(models.RemoteSchema)
class RemoteSchemaAdmin(FunnelledAdmin):
    list_display = ("name", "url", "introspected_at")
    search_fields = ("name", "comment")
    ordering = ("position", "id")
    fieldsets = (
        (None, {"fields": ("name", "definition", "comment", "introspected_at", "introspection_error")}),
        ("Introspection", {"classes": ("collapse",), "fields": ("introspection_json",)}),
    )
    readonly_fields = ("introspected_at", "introspection_error", "introspection_json")
    inlines = (RemoteSchemaRelationshipInline, RemoteSchemaPermissionInline)

    @admin.display(description="URL")
    def url(self, remote_schema: models.RemoteSchema) -> str:
        """The server's URL, or the environment variable holding it."""
        definition = remote_schema.definition if isinstance(remote_schema.definition, dict) else {}
        if "url_from_env" in definition:
            return f"from env {definition['url_from_env']}"
        return str(definition.get("url", ""))

    @admin.display(description="last introspection answer")
    def introspection_json(self, remote_schema: models.RemoteSchema) -> str:
        """The stored introspection answer, pretty-printed and never editable."""
        if remote_schema.introspection is None:
            return "—"
        return format_html("<pre>{}</pre>", json.dumps(remote_schema.introspection, indent=2))


@admin.register(models.RemoteSchemaPermission)
class RemoteSchemaPermissionAdmin(FunnelledAdmin):
    """A role's view of a remote schema; ``definition`` holds its SDL as ``{"schema": "..."}``."""

    formfield_overrides = {
        dj_models.JSONField: {"widget": forms.Textarea(attrs={"rows": 12, "cols": 80})},
        **_EMPTY_TEXT_IS_NULL,
    }
    list_display = ("role", "remote_schema")
    list_filter = ("role", "remote_schema")
    search_fields = ("role", "remote_schema__name")
    ordering = ("remote_schema__position", "position", "id")
    list_select_related = ("remote_schema",)


@admin.register(models.RemoteSchemaRelationship)
class RemoteSchemaRelationshipAdmin(FunnelledAdmin):
    list_display = ("name", "type_name", "remote_schema")
    list_filter = ("remote_schema",)
    search_fields = ("name", "type_name", "remote_schema__name")
    ordering = ("remote_schema__position", "type_name", "position", "id")
    list_select_related = ("remote_schema",)


# State -------------------------------------------------------------------------------------------


@admin.register(models.MetadataState)
class MetadataStateAdmin(admin.ModelAdmin):
    """The resource version, for reading only: it changes only through the funnel."""

    list_display = ("resource_version", "updated_at")
    fields = ("resource_version", "updated_at", "extras")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        """The single state row is created by the store."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """The state changes only through the funnel."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """The state row is never deleted."""
        return False
