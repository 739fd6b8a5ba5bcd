"""Metadata: export (download), import (upload), reload, and the inconsistent objects with a drop button."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.forms.metadata import ImportForm
from console.views.common import console_page, run_and_report
from relationships.browse import Reader, export_document

EXPORT_FILENAME = "metadata.json"


@console_page
def metadata_page(request: HttpRequest) -> HttpResponse:
    """Export, import, reload, and the inconsistent objects with their reasons."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = form.save()
        if response is not None:
            _report_import(request, response)
            return redirect("console:metadata")
    context = {"form": form, "inconsistencies": Reader().inconsistencies()}
    return render(request, "console/metadata/index.html", context)


def _report_import(request: HttpRequest, response: dict) -> None:
    if response.get("is_consistent", True):
        messages.success(request, "Metadata imported.")
    else:
        count = len(response.get("inconsistent_objects", []))
        messages.warning(request, f"Metadata imported with {count} inconsistent object(s).")


@console_page
def metadata_export(request: HttpRequest) -> HttpResponse:
    """The stored metadata as a JSON file to download."""
    body = json.dumps(export_document(), indent=2) + "\n"
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
    return response


@console_page
@require_POST
def metadata_reload(request: HttpRequest) -> HttpResponse:
    """Re-read the databases and re-introspect the remote schemas."""
    args = {"reload_remote_schemas": request.POST.get("reload_remote_schemas") == "on"}
    response = run_and_report(request, {"type": "reload_metadata", "args": args}, "Metadata reloaded.")
    if response is not None and not response.get("is_consistent", True):
        messages.warning(request, "The metadata is inconsistent: see the objects below.")
    return redirect("console:metadata")


@console_page
@require_POST
def metadata_drop_inconsistent(request: HttpRequest) -> HttpResponse:
    """Remove every inconsistent object (and what depends on it)."""
    run_and_report(
        request, {"type": "drop_inconsistent_metadata", "args": {}}, "Inconsistent objects dropped."
    )
    return redirect("console:metadata")
