"""Data: the connected sources, connecting one, and a source's tables with track and untrack."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.forms.data import SourceForm, command_prefix
from console.views.common import console_page, found, run_and_report
from relationships import models
from relationships.browse import Reader, admin_change_url


@console_page
def source_list(request: HttpRequest) -> HttpResponse:
    """The sources, and the form to connect another."""
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.save():
        return redirect("console:source", source=form.cleaned_data["name"])
    return render(request, "console/data/sources.html", {"sources": Reader().metadata.sources, "form": form})


@console_page
def source_detail(request: HttpRequest, source: str) -> HttpResponse:
    """The source's tables, as the database has them, each tracked or not."""
    reader = Reader()
    found_source = found(reader.metadata.source(source), f"source {source}")
    catalog = reader.catalog(source)
    context = {
        "source": found_source,
        "tables": reader.source_tables(source),
        "catalog_error": catalog if isinstance(catalog, str) else None,
        "admin_url": admin_change_url(models.Source, name=source),
    }
    return render(request, "console/data/source.html", context)


@console_page
@require_POST
def table_track(request: HttpRequest, source: str) -> HttpResponse:
    """Track the posted table of the source."""
    body = _table_command(source, "track_table", request)
    run_and_report(request, body, f"{request.POST.get('table')} is tracked.")
    return redirect("console:source", source=source)


@console_page
@require_POST
def table_untrack(request: HttpRequest, source: str) -> HttpResponse:
    """Stop tracking the posted table; with cascade, what depends on it goes too."""
    body = _table_command(source, "untrack_table", request)
    body["args"]["cascade"] = request.POST.get("cascade") == "on"
    run_and_report(request, body, f"{request.POST.get('table')} is no longer tracked.")
    return redirect("console:source", source=source)


@console_page
@require_POST
def source_delete(request: HttpRequest, source: str) -> HttpResponse:
    """Disconnect the source; with cascade, what depends on it goes too."""
    found_source = found(Reader().metadata.source(source), f"source {source}")
    args = {"name": source, "cascade": request.POST.get("cascade") == "on"}
    body = {"type": f"{command_prefix(found_source)}_drop_source", "args": args}
    if run_and_report(request, body, f"Source {source} removed.") is None:
        return redirect("console:source", source=source)
    return redirect("console:sources")


def _table_command(source: str, name: str, request: HttpRequest) -> dict:
    found_source = found(Reader().metadata.source(source), f"source {source}")
    table = {"schema": request.POST.get("schema", ""), "name": request.POST.get("table", "")}
    return {"type": f"{command_prefix(found_source)}_{name}", "args": {"source": source, "table": table}}
