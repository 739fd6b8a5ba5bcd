"""Forms for deriving an action from a mutation and for an action's generated handler code.

Both run the read-only metadata commands ``derive_action`` and ``get_action_scaffold``, so the
console shows exactly what the API answers. A derived action is saved by the ordinary action form,
filled in with the derived definition and types, which stay editable.
"""

from __future__ import annotations

from typing import Any

from django import forms

from console.action_sdl import action_type_roots, render_action_definition, render_type_definitions
from console.forms.actions import ActionForm
from console.forms.fields import ConsoleForm
from console.forms.submit import attempt
from engine.metadata import Action, ActionDefinition, ArgumentDef, CustomTypes, Node
from relationships.browse import Reader

OPERATION_PLACEHOLDER = (
    "mutation insertUserAction($name: String!) {\n  insert_users_one(object: {name: $name}) {\n    id\n  }\n}"
)
LANGUAGES = [("python", "Python handler (WSGI)"), ("typescript", "TypeScript types")]

Choices = list[tuple[str, list[tuple[str, str]]]]


class DeriveForm(ConsoleForm):
    """Which mutation to derive an action from: a root field, or an operation calling one."""

    field = forms.ChoiceField(label="Mutation", required=False)
    name = forms.CharField(
        label="Action name", required=False, help_text="Default: the mutation's name + Action."
    )
    operation = forms.CharField(
        label="Operation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "code", "placeholder": OPERATION_PLACEHOLDER}),
        help_text="Optional, instead of a mutation: its variables become the action's arguments.",
    )

    def __init__(self, data: Any = None, *, choices: Choices, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.fields["field"].choices = [("", "Choose a mutation"), *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("field") and not data.get("operation", "").strip():
            self.add_error("field", "Choose a mutation, or write an operation.")
        return data

    def derive(self) -> dict[str, Any] | None:
        """The ``derive_action`` answer, or None with the reasons on the form."""
        data = self.cleaned_data
        operation = data["operation"].strip()
        args: dict[str, Any] = {"operation": operation} if operation else {"field": data["field"]}
        if data["name"]:
            args["name"] = data["name"]
        derived, problems = attempt({"type": "derive_action", "args": args})
        if problems:
            self.add_error("operation" if operation else "field", problems)
        return derived


def derived_action_form(reader: Reader, derived: dict[str, Any]) -> ActionForm:
    """The action form filled in with a ``derive_action`` answer (the handler left to the user)."""
    arguments = tuple(ArgumentDef(**argument) for argument in derived["definition"]["arguments"])
    definition = ActionDefinition(
        handler="",
        output_type=derived["definition"]["output_type"],
        type=derived["definition"]["type"],
        arguments=arguments,
    )
    action = Action(derived["name"], definition)
    form = ActionForm(reader=reader)
    form.initial.update(
        {
            "definition": render_action_definition(action),
            "types": render_type_definitions(
                CustomTypes.parse(Node(derived["custom_types"])), action_type_roots(action)
            ),
            "kind": "synchronous",
            "timeout": 30,
        }
    )
    return form


class CodegenForm(ConsoleForm):
    """The language to generate, and the operation a derived action's handler calls."""

    language = forms.ChoiceField(label="Language", choices=LANGUAGES, initial="python")
    derive_from = forms.CharField(
        label="Calls",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "code", "placeholder": "insert_users_one"}),
        help_text="A root field or operation the handler runs through /v1/graphql (the action's derivation).",
    )

    def scaffold(self, action: str, graphql_url: str) -> dict[str, Any] | None:
        """The generated file ``{name, content}``, or None with the reasons on the form."""
        data = self.cleaned_data
        args = {"name": action, "language": data["language"], "graphql_url": graphql_url}
        if data["derive_from"].strip():
            args["derive_from"] = data["derive_from"].strip()
        answer, problems = attempt({"type": "get_action_scaffold", "args": args})
        if problems:
            self.add_error("derive_from", problems)
            return None
        return answer["files"][0]
