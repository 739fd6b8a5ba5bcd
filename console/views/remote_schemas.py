"""Remote schemas: the list, add, the remote schema page with its Relationships tab, reload and remove.

Adding one introspects it at once: the page then shows the result, or the form shows the error.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.forms.remote_schemas import (
    RemoteSchemaForm,
    RemoteSchemaRelationshipForm,
    drop_remote_schema_relationship,
)
from console.views.common import console_page, found, run_and_report
from engine.metadata import RemoteSchema
from relationships import models
from relationships.browse import Reader, admin_change_url, introspection_status


@console_page
def remote_schema_list(request: HttpRequest) -> HttpResponse:
    """Every remote schema with its URL."""
    return render(
        request, "console/remote_schemas/list.html", {"remote_schemas": Reader().metadata.remote_schemas}
    )


@console_page
def remote_schema_add(request: HttpRequest) -> HttpResponse:
    """Add a remote schema; it is introspected at once, and a failure is shown on the form."""
    form = RemoteSchemaForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.save():
        return redirect("console:remote-schema", name=form.cleaned_data["name"])
    return render(request, "console/remote_schemas/add.html", {"form": form})


@console_page
def remote_schema_detail(request: HttpRequest, name: str) -> HttpResponse:
    """The Details tab: the definition and what the last introspection found (or why it failed)."""
    reader = Reader()
    remote_schema = found(reader.metadata.remote_schema(name), f"remote schema {name}")
    context = remote_schema_page(remote_schema, "details", types=reader.remote_types(name))
    return render(request, "console/remote_schemas/detail.html", context)


@console_page
@require_POST
def remote_schema_reload(request: HttpRequest, name: str) -> HttpResponse:
    """Introspect the remote schema again."""
    run_and_report(request, {"type": "reload_remote_schema", "args": {"name": name}}, f"{name} reloaded.")
    return redirect("console:remote-schema", name=name)


@console_page
@require_POST
def remote_schema_delete(request: HttpRequest, name: str) -> HttpResponse:
    """Remove the remote schema, unless something else joins to it."""
    body = {"type": "remove_remote_schema", "args": {"name": name}}
    if run_and_report(request, body, f"Remote schema {name} removed.") is None:
        return redirect("console:remote-schema", name=name)
    return redirect("console:remote-schemas")


@console_page
def relationship_list(request: HttpRequest, name: str) -> HttpResponse:
    """The Relationships tab: relationships by source type, and the way to add one."""
    return _relationships_tab(request, name, adding=False)


@console_page
def relationship_add(request: HttpRequest, name: str) -> HttpResponse:
    """The Relationships tab with "Add a new relationship" open."""
    return _relationships_tab(request, name, adding=True)


def _relationships_tab(request: HttpRequest, name: str, *, adding: bool) -> HttpResponse:
    reader = Reader()
    remote_schema = found(reader.metadata.remote_schema(name), f"remote schema {name}")
    form = None
    if adding:
        form = RemoteSchemaRelationshipForm(request.POST or None, reader=reader, remote_schema=name)
        if request.method == "POST" and form.is_valid() and form.save():
            return redirect("console:remote-schema-relationships", name=name)
    context = remote_schema_page(remote_schema, "relationships", form=form)
    return render(request, "console/remote_schemas/relationships.html", context)


@console_page
@require_POST
def relationship_delete(request: HttpRequest, name: str, type_name: str, relationship: str) -> HttpResponse:
    """Remove a relationship from a type of the remote schema."""
    body = drop_remote_schema_relationship(name, type_name, relationship)
    run_and_report(request, body, f"Relationship {relationship} deleted.")
    return redirect("console:remote-schema-relationships", name=name)


def remote_schema_page(remote_schema: RemoteSchema, tab: str, **extra: Any) -> dict[str, Any]:
    """What every tab of the remote schema page shows around its own content."""
    return {
        "remote_schema": remote_schema,
        "tab": tab,
        "status": introspection_status(remote_schema.name),
        "admin_url": admin_change_url(models.RemoteSchema, name=remote_schema.name),
        **extra,
    }
