"""Data forms: connect a source, a role's select permission on a table, and run SQL."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from console.forms.fields import ConsoleForm, OpenChoiceField, OpenMultipleChoiceField, offer
from console.forms.submit import Command, Target, run_metadata, run_query
from engine.errors import Code
from engine.metadata import Permission, Source, Table
from relationships.browse import Reader

KINDS = [("postgres", "PostgreSQL"), ("sqlite", "SQLite")]
COMMAND_PREFIXES = {"postgres": "pg", "sqlite": "sqlite"}
ALL_COLUMNS = "*"
CONNECT_WITH = [("url", "Database URL"), ("env", "Environment variable")]


def command_prefix(source: Source) -> str:
    """The command prefix for a source's kind (``pg``, ``sqlite``)."""
    return COMMAND_PREFIXES.get(source.kind, "pg")


class SourceForm(ConsoleForm):
    """Connect a database: PostgreSQL or SQLite, by URL or by the environment variable holding it."""

    name = forms.CharField(label="Database name", initial="default")
    kind = forms.ChoiceField(label="Database kind", choices=KINDS, initial="postgres")
    connect_with = forms.ChoiceField(
        label="Connect with", choices=CONNECT_WITH, initial="url", widget=forms.RadioSelect
    )
    database_url = forms.CharField(
        label="Database URL",
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "postgresql://user:password@host:5432/db or sqlite:///file.db"}
        ),
    )
    url_from_env = forms.CharField(
        label="Environment variable",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "PG_DATABASE_URL"}),
    )

    def save(self) -> bool:
        """Add the source through the funnel."""
        return run_metadata([self.command()], Target(self)) is not None

    def command(self) -> Command:
        """``<kind>_add_source`` with the connection the fields describe."""
        data = self.cleaned_data
        from_env = data["connect_with"] == "env"
        url: Any = {"from_env": data["url_from_env"]} if from_env else data["database_url"]
        args = {"name": data["name"], "configuration": {"connection_info": {"database_url": url}}}
        url_field = "url_from_env" if from_env else "database_url"
        targets = {
            "$": Target(self, url_field),
            "$.name": Target(self, "name"),
            "$.configuration": Target(self, url_field),
        }
        command_type = f"{COMMAND_PREFIXES[data['kind']]}_add_source"
        return Command(command_type, args, targets, {Code.ALREADY_EXISTS: Target(self, "name")})


class SelectPermissionForm(ConsoleForm):
    """A role's select permission on a table: columns, row filter, limit, aggregations."""

    role = forms.CharField(label="Role")
    columns = OpenMultipleChoiceField(label="Columns", required=False, widget=forms.CheckboxSelectMultiple)
    filter = forms.CharField(
        label="Row filter", initial="{}", widget=forms.Textarea(attrs={"rows": 4, "class": "code"})
    )
    limit = forms.IntegerField(label="Limit", required=False)
    allow_aggregations = forms.BooleanField(label="Allow aggregations", required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        reader: Reader,
        source: Source,
        table: Table,
        permission: Permission | None = None,
    ) -> None:
        super().__init__(data, initial=_permission_initial(permission))
        self.source, self.table = source, table
        columns = reader.columns(source.name, table.table.schema, table.table.name)
        choices = [(ALL_COLUMNS, "All columns"), *((c.name, c.name) for c in columns)]
        offer(self.fields["columns"], choices, blank=False)

    def clean_filter(self) -> Any:
        try:
            return json.loads(self.cleaned_data["filter"])
        except ValueError as error:
            raise forms.ValidationError(f"The row filter is not JSON: {error}")

    def save(self) -> bool:
        """Create the permission, replacing the role's existing one in the same request."""
        return run_metadata(self.commands(), Target(self)) is not None

    def commands(self) -> list[Command]:
        """Drop the role's current select permission (if any), then create the new one."""
        data = self.cleaned_data
        table_args = {"source": self.source.name, "table": self.table.table.to_dict()}
        prefix = command_prefix(self.source)
        columns = ALL_COLUMNS if ALL_COLUMNS in data["columns"] else data["columns"]
        permission: dict[str, Any] = {"columns": columns, "filter": data["filter"]}
        if data["limit"] is not None:
            permission["limit"] = data["limit"]
        if data["allow_aggregations"]:
            permission["allow_aggregations"] = True
        create = Command(
            f"{prefix}_create_select_permission",
            {**table_args, "role": data["role"], "permission": permission},
            _permission_targets(self),
        )
        if self.table.permission("select", data["role"]) is None:
            return [create]
        drop = Command(f"{prefix}_drop_select_permission", {**table_args, "role": data["role"]})
        return [drop, create]


def _permission_targets(form: SelectPermissionForm) -> dict[str, Target]:
    return {
        "$": Target(form),
        "$.role": Target(form, "role"),
        "$.permission.columns": Target(form, "columns"),
        "$.permission.filter": Target(form, "filter"),
        "$.permission.limit": Target(form, "limit"),
        "$.permission.allow_aggregations": Target(form, "allow_aggregations"),
    }


def _permission_initial(permission: Permission | None) -> dict[str, Any] | None:
    if permission is None:
        return None
    columns = permission.columns
    return {
        "role": permission.role,
        "columns": [ALL_COLUMNS] if columns == ALL_COLUMNS else list(columns),
        "filter": json.dumps(permission.filter, indent=2),
        "limit": permission.limit,
        "allow_aggregations": permission.allow_aggregations,
    }


class RunSqlForm(ConsoleForm):
    """SQL to run on a source (``run_sql``), with Hasura's options."""

    source = OpenChoiceField(label="Source")
    sql = forms.CharField(label="SQL", widget=forms.Textarea(attrs={"rows": 10, "class": "code"}))
    read_only = forms.BooleanField(label="Read only", required=False)
    cascade = forms.BooleanField(label="Cascade metadata changes", required=False)
    check_metadata_consistency = forms.BooleanField(
        label="Check metadata consistency", required=False, initial=True
    )

    def __init__(self, data: Any = None, *, reader: Reader) -> None:
        super().__init__(data)
        names = reader.source_names()
        if not self.is_bound and names:
            self.initial["source"] = "default" if "default" in names else names[0]
        offer(self.fields["source"], names, self.current("source"), blank=False)

    def run(self) -> Any | None:
        """Run the SQL; the result, or None when refused (the reason is on the form)."""
        data = self.cleaned_data
        args = {
            key: data[key] for key in ("source", "sql", "read_only", "cascade", "check_metadata_consistency")
        }
        targets = {"$": Target(self, "sql"), "$.source": Target(self, "source"), "$.sql": Target(self, "sql")}
        return run_query(Command("run_sql", args, targets), Target(self, "sql"))
