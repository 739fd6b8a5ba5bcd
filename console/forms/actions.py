"""Action forms: the definition (GraphQL SDL, handler, headers, kind, timeout) and role permissions."""

from __future__ import annotations

from typing import Any

from django import forms

from console.action_sdl import (
    ActionSdlError,
    action_type_roots,
    merged_custom_types,
    parse_action_definition,
    parse_type_definitions,
    render_action_definition,
    render_type_definitions,
)
from console.forms.fields import ConsoleForm, HeaderRowForm, HeaderRows, filled_rows
from console.forms.relationships import WithRows
from console.forms.submit import Command, Target, run_metadata
from engine.metadata import Action
from relationships.browse import Reader

HEADERS_PREFIX = "headers"
DEFINITION_PLACEHOLDER = "type Mutation {\n  createUser(name: String!): UserOutput\n}"
TYPES_PLACEHOLDER = "type UserOutput {\n  id: Int!\n}"
KINDS = [("synchronous", "Synchronous"), ("asynchronous", "Asynchronous")]
SDL_PARTS = {"definition": "definition", "types": "types"}


class ActionForm(WithRows, ConsoleForm):
    """Create or modify an action; its types are merged into the custom types in the same request."""

    definition = forms.CharField(
        label="Action definition",
        widget=forms.Textarea(attrs={"rows": 10, "class": "code", "placeholder": DEFINITION_PLACEHOLDER}),
    )
    types = forms.CharField(
        label="Type configuration",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "code", "placeholder": TYPES_PLACEHOLDER}),
    )
    handler = forms.CharField(label="Handler", widget=forms.TextInput(attrs={"placeholder": "https://"}))
    kind = forms.ChoiceField(label="Kind", choices=KINDS, initial="synchronous")
    timeout = forms.IntegerField(label="Timeout (seconds)", initial=30)
    forward_client_headers = forms.BooleanField(label="Forward client headers to the handler", required=False)

    def __init__(self, data: Any = None, *, reader: Reader, action: Action | None = None) -> None:
        super().__init__(data, initial=_initial(reader, action) if action else None)
        self.reader, self.action = reader, action
        headers = (
            [HeaderRowForm.initial_for(h.to_dict()) for h in action.definition.headers] if action else None
        )
        self.headers = HeaderRows(data, prefix=HEADERS_PREFIX, initial=headers)
        self.row_sets = {HEADERS_PREFIX: self.headers}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            self.signature = parse_action_definition(data.get("definition", ""))
            self.declared = parse_type_definitions(data.get("types", ""))
        except ActionSdlError as error:
            self.add_error(SDL_PARTS[error.part], error.message)
        return data

    def save(self) -> str | None:
        """Write the types and the action; the saved action's name, or None when refused."""
        saved = run_metadata(self.commands(), Target(self, "definition"))
        return None if saved is None else self.signature.name

    def commands(self) -> list[Command]:
        """``set_custom_types`` with the declared types merged in, then the action command(s)."""
        custom_types = merged_custom_types(self.reader.metadata.custom_types, self.declared)
        types = Command("set_custom_types", custom_types, {"$": Target(self, "types")})
        return [types, *self._action_commands()]

    def _action_commands(self) -> list[Command]:
        args = self._action_args()
        if self.action is None:
            return [Command("create_action", args, self._targets())]
        if self.action.name == self.signature.name:
            return [Command("update_action", args, self._targets())]
        # A new name: the action is recreated under it, keeping its permissions.
        permissions = [
            Command("create_action_permission", {"action": args["name"], **p.to_dict()})
            for p in self.action.permissions
        ]
        drop = Command("drop_action", {"name": self.action.name})
        return [drop, Command("create_action", args, self._targets()), *permissions]

    def _action_args(self) -> dict[str, Any]:
        data, signature = self.cleaned_data, self.signature
        definition: dict[str, Any] = {
            "type": signature.operation,
            "arguments": list(signature.arguments),
            "output_type": signature.output_type,
            "handler": data["handler"],
            "headers": [row.header() for row in filled_rows(self.headers)],
            "forward_client_headers": data["forward_client_headers"],
            "timeout": data["timeout"],
        }
        if signature.operation == "mutation":
            definition["kind"] = data["kind"]
        if self.action is not None:
            definition.update(self.action.definition.transforms)
        args: dict[str, Any] = {"name": signature.name, "definition": definition}
        if signature.description is not None:
            args["comment"] = signature.description
        return args

    def _targets(self) -> dict[str, Target]:
        rows = filled_rows(self.headers)
        return {
            "$": Target(self, "definition"),
            "$.definition.handler": Target(self, "handler"),
            "$.definition.kind": Target(self, "kind"),
            "$.definition.timeout": Target(self, "timeout"),
            "$.definition.forward_client_headers": Target(self, "forward_client_headers"),
            **{f"$.definition.headers[{index}]": Target(row) for index, row in enumerate(rows)},
        }


def _initial(reader: Reader, action: Action) -> dict[str, Any]:
    definition = action.definition
    return {
        "definition": render_action_definition(action),
        "types": render_type_definitions(reader.metadata.custom_types, action_type_roots(action)),
        "handler": definition.handler,
        "kind": definition.kind,
        "timeout": definition.timeout,
        "forward_client_headers": definition.forward_client_headers,
    }


class ActionPermissionForm(ConsoleForm):
    """Let a role see and call the action."""

    role = forms.CharField(label="Role")

    def __init__(self, data: Any = None, *, action: Action) -> None:
        super().__init__(data)
        self.action = action

    def save(self) -> bool:
        """Create the permission through the funnel."""
        args = {"action": self.action.name, "role": self.cleaned_data["role"]}
        command = Command("create_action_permission", args, {"$": Target(self, "role")})
        return run_metadata([command], Target(self, "role")) is not None
