"""The Relationships tab of an action: its output type's relationships, add, edit and delete."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.forms.relationships import ActionRelationshipForm, drop_type_relationship
from console.views.actions import action_page
from console.views.common import console_page, found, run_and_report
from relationships.browse import Reader


@console_page
def relationship_list(request: HttpRequest, name: str) -> HttpResponse:
    """The output type's relationships, with edit and delete, and the way to add one."""
    return _tab(request, name, adding=False)


@console_page
def relationship_add(request: HttpRequest, name: str) -> HttpResponse:
    """The tab with the "Add a relationship" section open."""
    return _tab(request, name, adding=True)


@console_page
def relationship_edit(request: HttpRequest, name: str, relationship: str) -> HttpResponse:
    """The tab with one relationship open for editing."""
    return _tab(request, name, adding=False, editing=relationship)


def _tab(request: HttpRequest, name: str, *, adding: bool, editing: str | None = None) -> HttpResponse:
    reader = Reader()
    action = found(reader.action(name), f"action {name}")
    output = reader.output_object(action)
    form = None
    if output is not None and (adding or editing):
        current = found(output.relationship(editing), f"relationship {editing}") if editing else None
        form = ActionRelationshipForm(
            request.POST or None, reader=reader, output=output, relationship=current
        )
        if request.method == "POST" and form.is_valid() and form.save():
            return redirect("console:action-relationships", name=name)
    context = action_page(reader, action, "relationships", form=form, editing=editing)
    return render(request, "console/actions/relationships.html", context)


@console_page
@require_POST
def relationship_delete(request: HttpRequest, name: str, relationship: str) -> HttpResponse:
    """Remove a relationship from the action's output type."""
    reader = Reader()
    action = found(reader.action(name), f"action {name}")
    output = found(reader.output_object(action), f"output type of {name}")
    body = drop_type_relationship(reader, output.name, relationship)
    run_and_report(request, body, f"Relationship {relationship} deleted.")
    return redirect("console:action-relationships", name=name)
