"""Remote schema forms: add a remote schema, and relationships from its types to tables or remote fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from console.forms.fields import ConsoleForm, HeaderRows, MappingRows, OpenChoiceField, filled_rows, offer
from console.forms.relationships import (
    ARGUMENTS_PREFIX,
    MAPPING_PREFIX,
    ReferenceTableForm,
    RemoteFieldForm,
    WithRows,
    mapping_targets,
    rooted,
)
from console.forms.submit import Command, Target, run_metadata
from engine.errors import Code
from relationships.browse import Reader

HEADERS_PREFIX = "headers"
TARGETS = [("table", "Database table"), ("remote_schema", "Remote schema")]
TABLE_FIELDS = ("relationship_type", "reference_source", "reference_schema", "reference_table")


class RemoteSchemaForm(WithRows, ConsoleForm):
    """Add a remote schema: its URL (or the environment variable holding it), headers and timeout."""

    name = forms.CharField(label="Remote schema name")
    url = forms.CharField(label="GraphQL server URL", required=False)
    url_from_env = forms.CharField(label="URL from environment variable", required=False)
    timeout_seconds = forms.IntegerField(label="Timeout (seconds)", required=False)
    forward_client_headers = forms.BooleanField(label="Forward all headers from the client", required=False)
    comment = forms.CharField(label="Comment", required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        self.headers = HeaderRows(data, prefix=HEADERS_PREFIX)
        self.row_sets = {HEADERS_PREFIX: self.headers}

    def save(self) -> bool:
        """Add the remote schema (the funnel introspects it now)."""
        return run_metadata([self.command()], Target(self)) is not None

    def command(self) -> Command:
        """``add_remote_schema`` with the definition the fields describe."""
        data = self.cleaned_data
        definition: dict[str, Any] = {"forward_client_headers": data["forward_client_headers"]}
        for key in ("url", "url_from_env", "timeout_seconds"):
            if data[key] not in (None, ""):
                definition[key] = data[key]
        rows = filled_rows(self.headers)
        if rows:
            definition["headers"] = [row.header() for row in rows]
        args = {"name": data["name"], "definition": definition}
        if data["comment"]:
            args["comment"] = data["comment"]
        return Command("add_remote_schema", args, self._targets(rows), self._by_code())

    def _targets(self, rows: list[Any]) -> dict[str, Target]:
        return {
            "$": Target(self, "url"),
            "$.name": Target(self, "name"),
            "$.definition": Target(self, "url"),
            "$.definition.url": Target(self, "url"),
            "$.definition.url_from_env": Target(self, "url_from_env"),
            "$.definition.timeout_seconds": Target(self, "timeout_seconds"),
            "$.comment": Target(self, "comment"),
            **{f"$.definition.headers[{index}]": Target(row) for index, row in enumerate(rows)},
        }

    def _by_code(self) -> dict[str, Target]:
        return {Code.ALREADY_EXISTS: Target(self, "name")}


class RemoteSchemaRelationshipForm(ReferenceTableForm, RemoteFieldForm):
    """Hasura's "Add a new relationship" on a remote schema.

    From one of its object types to a table (fields -> columns) or to a field of a remote schema
    (argument templates).
    """

    name = forms.CharField(label="Name")
    type_name = OpenChoiceField(label="Source type")
    target = forms.ChoiceField(label="Target", choices=TARGETS, widget=forms.RadioSelect, initial="table")
    field_order = ["name", "type_name", "target", *TABLE_FIELDS, "target_remote_schema", "remote_field"]

    def __init__(self, data: Any = None, *, reader: Reader, remote_schema: str) -> None:
        super().__init__(data)
        self.reader, self.remote_schema = reader, remote_schema
        self._offer_source_types()
        self.offer_references(reader)
        self.offer_remote_fields(reader, data)
        for name in TABLE_FIELDS:
            self.fields[name].required = False
        self.mapping = MappingRows(data, prefix=MAPPING_PREFIX, form_kwargs=self._mapping_kwargs())
        self.row_sets = {MAPPING_PREFIX: self.mapping, ARGUMENTS_PREFIX: self.arguments}

    def _offer_source_types(self) -> None:
        type_name = self.current("type_name")
        offer(self.fields["type_name"], self.reader.remote_object_type_names(self.remote_schema), type_name)

    def _mapping_kwargs(self) -> dict[str, Any]:
        type_name = self.current("type_name")
        fields = self.reader.remote_fields(self.remote_schema, type_name) if type_name else []
        return {
            "from_choices": [(f.name, f"{f.name}: {f.type}") for f in fields if not f.arguments],
            "to_choices": self.column_choices(self.reader),
            "from_depends": (
                reverse("console:choices-remote-fields"),
                {"type": "id_type_name"},
                {"remote_schema": self.remote_schema, "without_arguments": "1"},
            ),
            "to_depends": self.column_dependency(),
        }

    def is_valid(self) -> bool:
        """Only the chosen target's rows count."""
        valid = ConsoleForm.is_valid(self)
        rows = self.mapping if self.cleaned_data.get("target") == "table" else self.arguments
        return valid and rows.is_valid()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("target") == "remote_schema":
            self.check_remote_fields()
        else:
            for name in TABLE_FIELDS:
                if not data.get(name):
                    self.add_error(name, "This field is required.")
        return data

    def save(self) -> bool:
        """Create the relationship through the funnel."""
        return run_metadata([self.command()], Target(self)) is not None

    def command(self) -> Command:
        """``create_remote_schema_remote_relationship`` with a ``to_source`` or ``to_remote_schema`` target."""
        data = self.cleaned_data
        if data["target"] == "table":
            definition, targets = self._to_source()
        else:
            to_remote_schema, relative = self.to_remote_schema()
            definition = {"to_remote_schema": to_remote_schema}
            targets = rooted(relative, "$.definition.to_remote_schema")
        args = {
            "remote_schema": self.remote_schema,
            "type_name": data["type_name"],
            "name": data["name"],
            "definition": definition,
        }
        located = {
            "$": Target(self),
            "$.name": Target(self, "name"),
            "$.type_name": Target(self, "type_name"),
        }
        return Command("create_remote_schema_remote_relationship", args, {**located, **targets})

    def _to_source(self) -> tuple[dict[str, Any], dict[str, Target]]:
        data = self.cleaned_data
        to_source = {
            "relationship_type": data["relationship_type"],
            "source": data["reference_source"],
            "table": self.reference(),
            "field_mapping": {source: column for _, source, column in self.mapping.mapping()},
        }
        base = "$.definition.to_source"
        targets = {
            f"{base}.relationship_type": Target(self, "relationship_type"),
            f"{base}.source": Target(self, "reference_source"),
            f"{base}.table": Target(self, "reference_table"),
            **mapping_targets(f"{base}.field_mapping", self.mapping),
        }
        return {"to_source": to_source}, targets


def drop_remote_schema_relationship(remote_schema: str, type_name: str, name: str) -> dict[str, Any]:
    """The command body that removes a relationship from a remote schema type."""
    return {
        "type": "delete_remote_schema_remote_relationship",
        "args": {"remote_schema": remote_schema, "type_name": type_name, "name": name},
    }
