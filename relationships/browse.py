"""Reads for the web console: stored metadata, live source catalogs, remote schema types, inconsistencies.

Nothing here writes; console writes go through ``relationships.services``. One ``Reader`` serves one
page or choice request: it loads the metadata once and reads each source's catalog and each remote
schema's stored introspection at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models as dj_models
from django.urls import NoReverseMatch, reverse
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    is_specified_scalar_type,
)

from engine.catalog import ColumnInfo, SourceCatalog, TableInfo
from engine.metadata import Action, CustomObject, Metadata, QualifiedTable, base_type_name
from engine.validation import Inconsistency, validate_metadata
from relationships import models, store
from relationships.environment import EnvironmentCache


@dataclass(frozen=True)
class TableRow:
    """A table of a source as the console lists it: in the database, tracked, or both."""

    schema: str
    name: str
    tracked: bool
    in_database: bool
    is_view: bool = False


@dataclass(frozen=True)
class RemoteArgument:
    """An argument of a remote schema field."""

    name: str
    type: str


@dataclass(frozen=True)
class RemoteField:
    """A field of a remote schema type, with its arguments."""

    name: str
    type: str
    arguments: tuple[RemoteArgument, ...] = ()


@dataclass(frozen=True)
class RemoteType:
    """A named type of a remote schema: its kind and, for object-like types, its fields."""

    name: str
    kind: str
    fields: tuple[RemoteField, ...] = ()


@dataclass(frozen=True)
class IntrospectionStatus:
    """When a remote schema was last introspected, and why that failed if it did."""

    introspected_at: datetime | None
    error: str | None


class Reader:
    """Console reads over one snapshot of the metadata and the live facts behind it."""

    def __init__(self, metadata: Metadata | None = None) -> None:
        self.metadata = metadata if metadata is not None else store.load_metadata()
        self.environments = EnvironmentCache(store.load_introspections())

    # Sources and tables ---------------------------------------------------------------------------

    def source_names(self) -> list[str]:
        """The names of the connected sources, in metadata order."""
        return [source.name for source in self.metadata.sources]

    def catalog(self, source_name: str) -> SourceCatalog | str:
        """The live catalog of a source, or why it cannot be read."""
        source = self.metadata.source(source_name)
        if source is None:
            return f'source with name "{source_name}" does not exist'
        return self.environments.catalog(source)

    def schema_names(self, source_name: str) -> list[str]:
        """The schemas that hold tables in the source's database (empty if it cannot be read)."""
        catalog = self.catalog(source_name)
        if isinstance(catalog, str):
            return []
        return sorted({schema for schema, _ in catalog.tables})

    def table_names(self, source_name: str, schema: str, *, tracked_only: bool = False) -> list[str]:
        """The tables of one schema of the source's database, optionally only the tracked ones."""
        rows = [row for row in self.source_tables(source_name) if row.schema == schema and row.in_database]
        return [row.name for row in rows if row.tracked or not tracked_only]

    def table_info(self, source_name: str, schema: str, table: str) -> TableInfo | None:
        """The live facts of one table, if the database has it."""
        catalog = self.catalog(source_name)
        return None if isinstance(catalog, str) else catalog.table(schema, table)

    def columns(self, source_name: str, schema: str, table: str) -> list[ColumnInfo]:
        """The live columns of a table, in column order (empty if the database lacks it)."""
        info = self.table_info(source_name, schema, table)
        return [] if info is None else list(info.columns)

    def source_tables(self, source_name: str) -> list[TableRow]:
        """Every table of the source's database with its tracked state, then tracked tables it lacks."""
        source = self.metadata.source(source_name)
        tracked = {table.table for table in source.tables} if source is not None else set()
        catalog = self.catalog(source_name)
        infos = [] if isinstance(catalog, str) else sorted(catalog.tables.values(), key=_table_key)
        rows = [
            TableRow(
                info.schema, info.name, QualifiedTable(info.schema, info.name) in tracked, True, info.is_view
            )
            for info in infos
        ]
        present = {QualifiedTable(row.schema, row.name) for row in rows}
        rows += [TableRow(t.schema, t.name, True, False) for t in sorted(tracked - present)]
        return rows

    # Actions and custom types ---------------------------------------------------------------------

    def action(self, name: str) -> Action | None:
        """The action called ``name``."""
        return self.metadata.action(name)

    def output_object(self, action: Action) -> CustomObject | None:
        """The custom object type an action returns (None for a scalar output)."""
        return self.metadata.custom_object(base_type_name(action.definition.output_type))

    def object_field_names(self, type_name: str) -> list[str]:
        """The field names of a custom object type (empty if there is no such object)."""
        custom_object = self.metadata.custom_object(type_name)
        return [] if custom_object is None else [field.name for field in custom_object.fields]

    # Remote schemas -------------------------------------------------------------------------------

    def remote_schema(self, name: str) -> GraphQLSchema | str:
        """The parsed schema of a remote schema from its stored introspection, or why it is unavailable."""
        remote_schema = self.metadata.remote_schema(name)
        if remote_schema is None:
            return f'remote schema with name "{name}" does not exist'
        return self.environments.remote_schema(remote_schema)

    def remote_types(self, name: str) -> list[RemoteType]:
        """The remote schema's own named types (root types first), without built-in ones."""
        schema = self.remote_schema(name)
        if isinstance(schema, str):
            return []
        roots = [t for t in (schema.query_type, schema.mutation_type, schema.subscription_type) if t]
        others = [t for t in schema.type_map.values() if not _built_in(t) and t not in roots]
        return [_remote_type(named_type) for named_type in [*roots, *sorted(others, key=_type_name)]]

    def remote_object_type_names(self, name: str) -> list[str]:
        """The object types of a remote schema, which are the types relationships can start from."""
        return [t.name for t in self.remote_types(name) if t.kind == "object"]

    def remote_fields(self, name: str, type_name: str | None = None) -> list[RemoteField]:
        """The fields of a remote schema type; without a type name, the fields of its query root."""
        schema = self.remote_schema(name)
        if isinstance(schema, str):
            return []
        found = schema.query_type if type_name is None else schema.type_map.get(type_name)
        if not isinstance(found, GraphQLObjectType | GraphQLInterfaceType):
            return []
        return list(_remote_type(found).fields)

    def remote_arguments(self, name: str, root_field: str) -> list[RemoteArgument]:
        """The arguments of one query root field of a remote schema."""
        field = next((f for f in self.remote_fields(name) if f.name == root_field), None)
        return [] if field is None else list(field.arguments)

    # Consistency ----------------------------------------------------------------------------------

    def inconsistencies(self) -> list[Inconsistency]:
        """Every inconsistent object of the stored metadata, judged against the live facts."""
        return validate_metadata(self.metadata, self.environments.for_metadata(self.metadata))


def _table_key(info: TableInfo) -> tuple[str, str]:
    return info.schema, info.name


def _type_name(named_type: GraphQLNamedType) -> str:
    return named_type.name


def _built_in(named_type: GraphQLNamedType) -> bool:
    return named_type.name.startswith("__") or is_specified_scalar_type(named_type)


def _remote_type(named_type: GraphQLNamedType) -> RemoteType:
    if isinstance(named_type, GraphQLObjectType | GraphQLInterfaceType):
        kind = "object" if isinstance(named_type, GraphQLObjectType) else "interface"
        fields = tuple(
            RemoteField(
                field_name,
                str(field.type),
                tuple(RemoteArgument(arg_name, str(arg.type)) for arg_name, arg in field.args.items()),
            )
            for field_name, field in named_type.fields.items()
        )
        return RemoteType(named_type.name, kind, fields)
    if isinstance(named_type, GraphQLInputObjectType):
        fields = tuple(RemoteField(n, str(f.type)) for n, f in named_type.fields.items())
        return RemoteType(named_type.name, "input object", fields)
    if isinstance(named_type, GraphQLEnumType):
        return RemoteType(named_type.name, "enum", tuple(RemoteField(v, "") for v in named_type.values))
    return RemoteType(
        named_type.name, type(named_type).__name__.removeprefix("GraphQL").removesuffix("Type").lower()
    )


def export_document() -> dict[str, Any]:
    """The stored metadata in export shape (what ``export_metadata`` answers)."""
    return store.load_metadata().to_dict()


def introspection_status(name: str) -> IntrospectionStatus:
    """When the remote schema was last introspected and the reason the attempt failed, if it did."""
    row = (
        models.RemoteSchema.objects.filter(name=name).values("introspected_at", "introspection_error").first()
    )
    if row is None:
        return IntrospectionStatus(None, None)
    return IntrospectionStatus(row["introspected_at"], row["introspection_error"])


def admin_change_url(model: type[dj_models.Model], **lookup: Any) -> str | None:
    """The Django admin page of the row matching ``lookup``, if there is one."""
    pk = model._default_manager.filter(**lookup).values_list("pk", flat=True).first()
    if pk is None:
        return None
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
    except NoReverseMatch:
        return None
