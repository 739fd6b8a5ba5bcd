"""Actions: the list, create, the action page's Definition and Permissions tabs, and delete."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.forms.actions import ActionForm, ActionPermissionForm
from console.views.common import console_page, found, run_and_report
from engine.metadata import Action
from relationships import models
from relationships.browse import Reader, admin_change_url


@console_page
def action_list(request: HttpRequest) -> HttpResponse:
    """Every action with its operation, output type and handler."""
    return render(request, "console/actions/list.html", {"actions": Reader().metadata.actions})


@console_page
def action_create(request: HttpRequest) -> HttpResponse:
    """A new action from its GraphQL definition and type configuration."""
    form = ActionForm(request.POST or None, reader=Reader())
    if request.method == "POST" and form.is_valid():
        name = form.save()
        if name is not None:
            return redirect("console:action", name=name)
    return render(request, "console/actions/create.html", {"form": form})


@console_page
def action_definition(request: HttpRequest, name: str) -> HttpResponse:
    """The Definition tab: modify the action."""
    reader = Reader()
    action = found(reader.action(name), f"action {name}")
    form = ActionForm(request.POST or None, reader=reader, action=action)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if saved is not None:
            return redirect("console:action", name=saved)
    return render(
        request, "console/actions/definition.html", action_page(reader, action, "definition", form=form)
    )


@console_page
@require_POST
def action_delete(request: HttpRequest, name: str) -> HttpResponse:
    """Drop the action (its permissions go with it)."""
    body = {"type": "drop_action", "args": {"name": name}}
    if run_and_report(request, body, f"Action {name} deleted.") is None:
        return redirect("console:action", name=name)
    return redirect("console:actions")


@console_page
def action_permissions(request: HttpRequest, name: str) -> HttpResponse:
    """The Permissions tab: the roles that may call the action, and a form to add one."""
    reader = Reader()
    action = found(reader.action(name), f"action {name}")
    form = ActionPermissionForm(request.POST or None, action=action)
    if request.method == "POST" and form.is_valid() and form.save():
        return redirect("console:action-permissions", name=name)
    return render(
        request, "console/actions/permissions.html", action_page(reader, action, "permissions", form=form)
    )


@console_page
@require_POST
def action_permission_delete(request: HttpRequest, name: str, role: str) -> HttpResponse:
    """Take a role's permission on the action away."""
    body = {"type": "drop_action_permission", "args": {"action": name, "role": role}}
    run_and_report(request, body, f"Role {role} may no longer call {name}.")
    return redirect("console:action-permissions", name=name)


def action_page(reader: Reader, action: Action, tab: str, **extra: Any) -> dict[str, Any]:
    """What every tab of the action page shows around its own content."""
    return {
        "action": action,
        "tab": tab,
        "output": reader.output_object(action),
        "admin_url": admin_change_url(models.Action, name=action.name),
        **extra,
    }
