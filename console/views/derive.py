"""Deriving an action from an existing mutation, and an action's Codegen tab (handler code and types).

Derive: choose a mutation (a table's, a remote schema's or an action's) or write an operation; the
action form comes back filled in and editable; saving it creates the action, then its Codegen tab
opens with a handler calling the mutation it was derived from (remembered for this console session).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from console.forms.actions import ActionForm
from console.forms.derive import Choices, CodegenForm, DeriveForm, derived_action_form
from console.views.actions import action_page
from console.views.common import console_page, found
from engine.derive import mutation_fields
from engine.schema import ADMIN_ROLE, GatewaySchema
from engine.schema.model import ActionRootField, RemoteRootField
from relationships.browse import Reader
from relationships.selectors import gateway_state

DERIVED_FROM = "joinery_derived_from"
DERIVING = "joinery_deriving"


@console_page
def action_derive(request: HttpRequest) -> HttpResponse:
    """Derive (a POST of the derive form), then save (a POST of the action form)."""
    reader = Reader()
    derive = DeriveForm(
        request.POST if "derive" in request.POST else None,
        choices=mutation_choices(gateway_state().schema_for(ADMIN_ROLE)),
        initial={"field": request.GET.get("field", "")},
    )
    form: ActionForm | None = None
    if derive.is_bound and derive.is_valid() and (derived := derive.derive()) is not None:
        request.session[DERIVING] = derived["operation"]
        form = derived_action_form(reader, derived)
    elif request.method == "POST" and "derive" not in request.POST:
        form = ActionForm(request.POST, reader=reader)
        name = form.save() if form.is_valid() else None
        if name is not None:
            remember_derivation(request, name, request.session.pop(DERIVING, ""))
            return redirect("console:action-codegen", name=name)
    return render(request, "console/actions/derive.html", {"derive": derive, "form": form})


@console_page
def action_codegen(request: HttpRequest, name: str) -> HttpResponse:
    """The Codegen tab: a runnable handler (or TypeScript types); ``?download=1`` sends it as a file."""
    reader = Reader()
    action = found(reader.action(name), f"action {name}")
    remembered = request.session.get(DERIVED_FROM, {}).get(name, "")
    data = request.GET if "language" in request.GET else {"language": "python", "derive_from": remembered}
    form = CodegenForm(data)
    file = form.scaffold(name, request.build_absolute_uri("/v1/graphql")) if form.is_valid() else None
    if file is not None and request.GET.get("download"):
        response = HttpResponse(file["content"], content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{file["name"]}"'
        return response
    context = action_page(reader, action, "codegen", form=form, file=file, download=_download_query(form))
    return render(request, "console/actions/codegen.html", context)


def mutation_choices(schema: GatewaySchema) -> Choices:
    """The mutation root fields, grouped by what answers them."""
    groups: dict[str, list[tuple[str, str]]] = {"Tables": [], "Remote schemas": [], "Actions": []}
    for field in mutation_fields(schema):
        role = schema.role_of("mutation_root", field)
        group = (
            "Actions"
            if isinstance(role, ActionRootField)
            else "Remote schemas"
            if isinstance(role, RemoteRootField)
            else "Tables"
        )
        groups[group].append((field, field))
    return [(group, fields) for group, fields in groups.items() if fields]


def remember_derivation(request: HttpRequest, name: str, operation: str) -> None:
    """Keep what the action was derived from, for its Codegen tab."""
    derived = dict(request.session.get(DERIVED_FROM, {}))
    derived[name] = operation
    request.session[DERIVED_FROM] = derived


def _download_query(form: CodegenForm) -> str:
    """The query string downloading what the form shows."""
    values = {
        "language": form.current("language"),
        "derive_from": form.current("derive_from"),
        "download": "1",
    }
    return urlencode(values)
