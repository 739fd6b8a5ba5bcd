"""Relationship forms: action output type -> table, table -> table, and table -> remote schema field.

Each form turns its fields into the metadata command(s) that create the relationship, recording which
field every part of the command came from, and submits them through the funnel.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from console.forms.fields import (
    ArgumentRows,
    ConsoleForm,
    MappingRows,
    OpenChoiceField,
    depends,
    filled_rows,
    offer,
    template_text,
    template_variables,
)
from console.forms.submit import Command, Target, run_metadata
from engine.metadata import DEFAULT_SCHEMA, CustomObject, Source, Table, ToRemoteSchema, TypeRelationship
from engine.metadata.reader import child_path
from relationships.browse import Reader

RELATIONSHIP_TYPES = [("object", "Object relationship"), ("array", "Array relationship")]
MAPPING_PREFIX = "mapping"
ARGUMENTS_PREFIX = "arguments"


class ReferenceTableForm(ConsoleForm):
    """The other end of a join to a database table, chosen from the live sources, schemas and tables."""

    relationship_type = forms.ChoiceField(label="Relationship type", choices=RELATIONSHIP_TYPES)
    reference_source = OpenChoiceField(label="Reference source")
    reference_schema = OpenChoiceField(label="Reference schema")
    reference_table = OpenChoiceField(label="Reference table")

    def offer_references(self, reader: Reader) -> None:
        """Fill the source, schema and table choices and wire them to follow each other."""
        if not self.is_bound:
            names = reader.source_names()
            default = "default" if "default" in names else (names[0] if names else "")
            self.initial.setdefault("reference_source", default)
            self.initial.setdefault("reference_schema", DEFAULT_SCHEMA)
        source, schema = self.current("reference_source"), self.current("reference_schema")
        offer(self.fields["reference_source"], reader.source_names(), source)
        offer(self.fields["reference_schema"], reader.schema_names(source) if source else [], schema)
        tables = reader.table_names(source, schema, tracked_only=True) if source and schema else []
        offer(self.fields["reference_table"], tables, self.current("reference_table"))
        depends(
            self.fields["reference_schema"],
            reverse("console:choices-schemas"),
            {"source": "id_reference_source"},
        )
        depends(
            self.fields["reference_table"],
            reverse("console:choices-tables"),
            {"source": "id_reference_source", "schema": "id_reference_schema"},
            {"tracked": "1"},
        )

    def column_choices(self, reader: Reader) -> list[tuple[str, str]]:
        """The columns of the chosen reference table, for the To side of the pairs."""
        source, schema, table = (self.current(f"reference_{part}") for part in ("source", "schema", "table"))
        if not (source and schema and table):
            return []
        return [(c.name, f"{c.name} ({c.data_type})") for c in reader.columns(source, schema, table)]

    @staticmethod
    def column_dependency() -> tuple[str, dict[str, str], dict[str, str]]:
        """How the To selects follow the chosen table."""
        on = {"source": "id_reference_source", "schema": "id_reference_schema", "table": "id_reference_table"}
        return reverse("console:choices-columns"), on, {}

    def reference(self) -> dict[str, str]:
        """The chosen table as ``{"schema", "name"}``."""
        return {"schema": self.cleaned_data["reference_schema"], "name": self.cleaned_data["reference_table"]}


class WithRows:
    """A form that owns row sets (formsets): valid only when they all are."""

    row_sets: dict[str, forms.BaseFormSet]

    def is_valid(self) -> bool:
        valid = super().is_valid()  # type: ignore[misc]
        return all([valid, *(rows.is_valid() for rows in self.row_sets.values())])


def mapping_targets(base: str, rows: Any) -> dict[str, Target]:
    """Each pair's path (``<base>.<from>``) to its row, so a bad pair is flagged where it was entered."""
    return {child_path(base, source): Target(row) for row, source, _ in rows.mapping()}


def _mapping_initial(mapping: dict[str, str]) -> list[dict[str, str]]:
    return [{"from_field": source, "to_column": column} for source, column in mapping.items()]


# Action output type -> table ----------------------------------------------------------------------


class ActionRelationshipForm(WithRows, ReferenceTableForm):
    """Hasura's "Add a relationship" on an action: from fields of its output type to a table's columns."""

    relationship_name = forms.CharField(label="Relationship name")
    field_order = [
        "relationship_type",
        "relationship_name",
        "reference_source",
        "reference_schema",
        "reference_table",
    ]

    def __init__(
        self,
        data: Any = None,
        *,
        reader: Reader,
        output: CustomObject,
        relationship: TypeRelationship | None = None,
    ) -> None:
        super().__init__(data, initial=_type_relationship_initial(relationship))
        self.reader, self.output, self.editing = reader, output, relationship
        self.offer_references(reader)
        self.mapping = MappingRows(
            data,
            prefix=MAPPING_PREFIX,
            initial=_mapping_initial(dict(relationship.field_mapping)) if relationship else None,
            form_kwargs={
                "from_choices": [field.name for field in output.fields],
                "to_choices": self.column_choices(reader),
                "to_depends": self.column_dependency(),
            },
        )
        self.row_sets = {MAPPING_PREFIX: self.mapping}

    def save(self) -> bool:
        """Set the custom types with this relationship added to (or replaced on) the output type."""
        return run_metadata([self.command()], Target(self)) is not None

    def command(self) -> Command:
        """``set_custom_types`` with every type as it is, the output type's relationships updated."""
        custom_types = self.reader.metadata.custom_types.to_dict()
        objects = custom_types.setdefault("objects", [])
        index = next(i for i, entry in enumerate(objects) if entry["name"] == self.output.name)
        relationships = list(objects[index].get("relationships", []))
        position = self._position(relationships)
        relationships[position : position + 1] = [self.relationship()]
        objects[index] = {**objects[index], "relationships": relationships}
        base = f"$.objects[{index}].relationships[{position}]"
        return Command("set_custom_types", custom_types, self._targets(base, index))

    def _position(self, relationships: list[dict[str, Any]]) -> int:
        names = [entry["name"] for entry in relationships]
        if self.editing is not None and self.editing.name in names:
            return names.index(self.editing.name)
        return len(relationships)

    def relationship(self) -> dict[str, Any]:
        """The relationship in custom type shape."""
        data = self.cleaned_data
        return {
            "name": data["relationship_name"],
            "type": data["relationship_type"],
            "source": data["reference_source"],
            "remote_table": self.reference(),
            "field_mapping": {source: column for _, source, column in self.mapping.mapping()},
        }

    def _targets(self, base: str, index: int) -> dict[str, Target]:
        return {
            "$": Target(self),
            f"$.objects[{index}].relationships": Target(self, "reference_source"),
            base: Target(self),
            f"{base}.name": Target(self, "relationship_name"),
            f"{base}.type": Target(self, "relationship_type"),
            f"{base}.source": Target(self, "reference_source"),
            f"{base}.remote_table": Target(self, "reference_table"),
            f"{base}.remote_table.schema": Target(self, "reference_schema"),
            **mapping_targets(f"{base}.field_mapping", self.mapping),
        }


def _type_relationship_initial(relationship: TypeRelationship | None) -> dict[str, str]:
    if relationship is None:
        return {}
    return {
        "relationship_type": relationship.type,
        "relationship_name": relationship.name,
        "reference_source": relationship.source,
        "reference_schema": relationship.remote_table.schema,
        "reference_table": relationship.remote_table.name,
    }


def drop_type_relationship(reader: Reader, type_name: str, name: str) -> dict[str, Any]:
    """The ``set_custom_types`` body that removes one relationship from an object type."""
    custom_types = reader.metadata.custom_types.to_dict()
    for entry in custom_types.get("objects", []):
        if entry["name"] == type_name:
            entry["relationships"] = [r for r in entry.get("relationships", []) if r["name"] != name]
    return {"type": "set_custom_types", "args": custom_types}


# Table -> table -----------------------------------------------------------------------------------


class TableRelationshipForm(WithRows, ReferenceTableForm):
    """A table's relationship to another table: in the same source a local one, else a remote one."""

    relationship_name = forms.CharField(label="Relationship name")
    field_order = ActionRelationshipForm.field_order

    def __init__(self, data: Any = None, *, reader: Reader, source: Source, table: Table) -> None:
        super().__init__(data)
        self.reader, self.source, self.table = reader, source, table
        self.offer_references(reader)
        columns = reader.columns(source.name, table.table.schema, table.table.name)
        self.mapping = MappingRows(
            data,
            prefix=MAPPING_PREFIX,
            form_kwargs={
                "from_choices": [column.name for column in columns],
                "to_choices": self.column_choices(reader),
                "to_depends": self.column_dependency(),
            },
        )
        self.row_sets = {MAPPING_PREFIX: self.mapping}

    def save(self) -> bool:
        """Create the relationship through the funnel."""
        return run_metadata([self.command()], Target(self)) is not None

    def command(self) -> Command:
        """A manual local relationship, or a ``to_source`` remote relationship across sources."""
        if self.cleaned_data["reference_source"] == self.source.name:
            return self._local_command()
        return self._remote_command()

    def _table_args(self) -> dict[str, Any]:
        return {
            "source": self.source.name,
            "table": self.table.table.to_dict(),
            "name": self.cleaned_data["relationship_name"],
        }

    def _local_command(self) -> Command:
        data = self.cleaned_data
        mapping = {source: column for _, source, column in self.mapping.mapping()}
        using = {"manual_configuration": {"remote_table": self.reference(), "column_mapping": mapping}}
        base = "$.using.manual_configuration"
        targets = {
            "$": Target(self),
            "$.name": Target(self, "relationship_name"),
            f"{base}.remote_table": Target(self, "reference_table"),
            **mapping_targets(f"{base}.column_mapping", self.mapping),
        }
        command_type = f"{_prefix(self.source)}_create_{data['relationship_type']}_relationship"
        return Command(command_type, {**self._table_args(), "using": using}, targets)

    def _remote_command(self) -> Command:
        data = self.cleaned_data
        to_source = {
            "relationship_type": data["relationship_type"],
            "source": data["reference_source"],
            "table": self.reference(),
            "field_mapping": {source: column for _, source, column in self.mapping.mapping()},
        }
        base = "$.definition.to_source"
        targets = {
            "$": Target(self),
            "$.name": Target(self, "relationship_name"),
            f"{base}.relationship_type": Target(self, "relationship_type"),
            f"{base}.source": Target(self, "reference_source"),
            f"{base}.table": Target(self, "reference_table"),
            **mapping_targets(f"{base}.field_mapping", self.mapping),
        }
        args = {**self._table_args(), "definition": {"to_source": to_source}}
        return Command(f"{_prefix(self.source)}_create_remote_relationship", args, targets)


def _prefix(source: Source) -> str:
    return "sqlite" if source.kind == "sqlite" else "pg"


def drop_table_relationship(source: Source, table: Table, name: str) -> dict[str, Any]:
    """The command body that removes a local or remote relationship of a table."""
    args = {"source": source.name, "table": table.table.to_dict()}
    if table.remote_relationship(name) is not None:
        return {"type": f"{_prefix(source)}_delete_remote_relationship", "args": {**args, "name": name}}
    return {"type": f"{_prefix(source)}_drop_relationship", "args": {**args, "relationship": name}}


# -> remote schema field ---------------------------------------------------------------------------


class RemoteFieldForm(ConsoleForm):
    """The remote schema end of a join: a query root field and its argument templates."""

    target_remote_schema = OpenChoiceField(label="Remote schema", required=False)
    remote_field = OpenChoiceField(label="Remote field", required=False)

    def offer_remote_fields(self, reader: Reader, data: Any, initial: ToRemoteSchema | None = None) -> None:
        """Fill the remote schema and field choices and create the argument rows."""
        remote_schema = self.current("target_remote_schema")
        offer(
            self.fields["target_remote_schema"],
            [r.name for r in reader.metadata.remote_schemas],
            remote_schema,
        )
        fields = (
            [(f.name, f"{f.name}: {f.type}") for f in reader.remote_fields(remote_schema)]
            if remote_schema
            else []
        )
        offer(self.fields["remote_field"], fields, self.current("remote_field"))
        depends(
            self.fields["remote_field"],
            reverse("console:choices-remote-fields"),
            {"remote_schema": "id_target_remote_schema"},
        )
        field_name = self.current("remote_field")
        arguments = reader.remote_arguments(remote_schema, field_name) if remote_schema and field_name else []
        self.arguments = ArgumentRows(
            data,
            prefix=ARGUMENTS_PREFIX,
            initial=_arguments_initial(initial),
            form_kwargs={
                "argument_choices": [(a.name, f"{a.name}: {a.type}") for a in arguments],
                "argument_depends": (
                    reverse("console:choices-remote-arguments"),
                    {"remote_schema": "id_target_remote_schema", "field": "id_remote_field"},
                    {},
                ),
            },
        )

    def check_remote_fields(self) -> None:
        """The remote schema and field are required when the target is a remote schema."""
        for name in ("target_remote_schema", "remote_field"):
            if not self.cleaned_data.get(name):
                self.add_error(name, "This field is required.")

    def to_remote_schema(self) -> tuple[dict[str, Any], dict[str, Target]]:
        """The ``to_remote_schema`` definition and the targets of its paths (relative to it)."""
        field_name = self.cleaned_data["remote_field"]
        rows = filled_rows(self.arguments)
        arguments = {row.cleaned_data["argument"]: row.template() for row in rows}
        lhs_fields = list(dict.fromkeys(v for value in arguments.values() for v in template_variables(value)))
        field_path = child_path("$.remote_field", field_name)
        targets = {
            "$.remote_schema": Target(self, "target_remote_schema"),
            "$.remote_field": Target(self, "remote_field"),
            **{
                child_path(f"{field_path}.arguments", row.cleaned_data["argument"]): Target(row)
                for row in rows
            },
            **_variable_targets(lhs_fields, rows),
        }
        definition = {
            "remote_schema": self.cleaned_data["target_remote_schema"],
            "lhs_fields": lhs_fields,
            "remote_field": {field_name: {"arguments": arguments}},
        }
        return definition, targets


def _variable_targets(lhs_fields: list[str], rows: list[Any]) -> dict[str, Target]:
    """``lhs_fields[i]`` is flagged on the first row whose value refers to it."""
    targets = {}
    for index, variable in enumerate(lhs_fields):
        row = next(r for r in rows if variable in template_variables(r.template()))
        targets[f"$.lhs_fields[{index}]"] = Target(row)
    return targets


def _arguments_initial(target: ToRemoteSchema | None) -> list[dict[str, str]] | None:
    if target is None:
        return None
    path = target.field_path()
    arguments = path[0][1] if path else {}
    return [{"argument": name, "value": template_text(value)} for name, value in arguments.items()]


def rooted(targets: dict[str, Target], root: str) -> dict[str, Target]:
    """Targets whose paths are relative to a part of the args, re-rooted under ``root``."""
    return {root + path[1:]: target for path, target in targets.items()}


class TableRemoteSchemaForm(WithRows, RemoteFieldForm):
    """A table's relationship to a remote schema field, its arguments filled from the table's columns."""

    name = forms.CharField(label="Name")
    field_order = ["name", "target_remote_schema", "remote_field"]

    def __init__(self, data: Any = None, *, reader: Reader, source: Source, table: Table) -> None:
        super().__init__(data)
        self.source, self.table = source, table
        self.offer_remote_fields(reader, data)
        self.row_sets = {ARGUMENTS_PREFIX: self.arguments}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_remote_fields()
        return data

    def save(self) -> bool:
        """Create the remote relationship through the funnel."""
        return run_metadata([self.command()], Target(self)) is not None

    def command(self) -> Command:
        """``<kind>_create_remote_relationship`` with a ``to_remote_schema`` definition."""
        definition, targets = self.to_remote_schema()
        args = {
            "source": self.source.name,
            "table": self.table.table.to_dict(),
            "name": self.cleaned_data["name"],
            "definition": {"to_remote_schema": definition},
        }
        located = {
            "$": Target(self),
            "$.name": Target(self, "name"),
            **rooted(targets, "$.definition.to_remote_schema"),
        }
        return Command(f"{_prefix(self.source)}_create_remote_relationship", args, located)
