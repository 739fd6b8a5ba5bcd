"""A tracked table's page: its relationships (to tables and to remote schemas) and select permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.forms.data import SelectPermissionForm, command_prefix
from console.forms.relationships import TableRelationshipForm, TableRemoteSchemaForm, drop_table_relationship
from console.views.common import console_page, found, run_and_report
from engine.metadata import QualifiedTable, Source, Table
from relationships.browse import Reader

RELATIONSHIP_FORMS = {"table": TableRelationshipForm, "remote_schema": TableRemoteSchemaForm}


def tracked(reader: Reader, source: str, schema: str, table: str) -> tuple[Source, Table]:
    """The source and tracked table named in the URL, or a 404."""
    found_source = found(reader.metadata.source(source), f"source {source}")
    found_table = found(found_source.table(QualifiedTable(schema, table)), f"tracked table {schema}.{table}")
    return found_source, found_table


@console_page
def table_relationships(request: HttpRequest, source: str, schema: str, table: str) -> HttpResponse:
    """The Relationships tab: local and remote relationships, with delete."""
    return _relationships_tab(request, (source, schema, table), adding=None)


@console_page
def table_relationship_add(request: HttpRequest, source: str, schema: str, table: str) -> HttpResponse:
    """The Relationships tab with the table -> table form open."""
    return _relationships_tab(request, (source, schema, table), adding="table")


@console_page
def table_remote_schema_relationship_add(
    request: HttpRequest, source: str, schema: str, table: str
) -> HttpResponse:
    """The Relationships tab with the table -> remote schema form open."""
    return _relationships_tab(request, (source, schema, table), adding="remote_schema")


def _relationships_tab(
    request: HttpRequest, names: tuple[str, str, str], *, adding: str | None
) -> HttpResponse:
    reader = Reader()
    source, table = tracked(reader, *names)
    form = None
    if adding is not None:
        form = RELATIONSHIP_FORMS[adding](request.POST or None, reader=reader, source=source, table=table)
        if request.method == "POST" and form.is_valid() and form.save():
            return redirect("console:table", source=source.name, schema=names[1], table=names[2])
    context = table_page(source, table, "relationships", form=form, adding=adding)
    return render(request, "console/data/table_relationships.html", context)


@console_page
@require_POST
def table_relationship_delete(
    request: HttpRequest, source: str, schema: str, table: str, name: str
) -> HttpResponse:
    """Remove a local or remote relationship of the table."""
    found_source, found_table = tracked(Reader(), source, schema, table)
    run_and_report(
        request, drop_table_relationship(found_source, found_table, name), f"Relationship {name} deleted."
    )
    return redirect("console:table", source=source, schema=schema, table=table)


@console_page
def table_permissions(request: HttpRequest, source: str, schema: str, table: str) -> HttpResponse:
    """The Permissions tab: select permissions per role; ``?role=`` opens one for editing."""
    reader = Reader()
    found_source, found_table = tracked(reader, source, schema, table)
    role = request.GET.get("role")
    current = found_table.permission("select", role) if role else None
    form = SelectPermissionForm(
        request.POST or None, reader=reader, source=found_source, table=found_table, permission=current
    )
    if request.method == "POST" and form.is_valid() and form.save():
        return redirect("console:table-permissions", source=source, schema=schema, table=table)
    context = table_page(found_source, found_table, "permissions", form=form, editing=role)
    return render(request, "console/data/table_permissions.html", context)


@console_page
@require_POST
def table_permission_delete(
    request: HttpRequest, source: str, schema: str, table: str, role: str
) -> HttpResponse:
    """Take a role's select permission on the table away."""
    found_source, found_table = tracked(Reader(), source, schema, table)
    args = {"source": source, "table": found_table.table.to_dict(), "role": role}
    body = {"type": f"{command_prefix(found_source)}_drop_select_permission", "args": args}
    run_and_report(request, body, f"Role {role} may no longer select from {table}.")
    return redirect("console:table-permissions", source=source, schema=schema, table=table)


def table_page(source: Source, table: Table, tab: str, **extra: Any) -> dict[str, Any]:
    """What every tab of the table page shows around its own content."""
    select_permissions = table.permissions_of("select")
    return {"source": source, "table": table, "tab": tab, "select_permissions": select_permissions, **extra}
