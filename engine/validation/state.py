"""What one validation pass has found so far: the inconsistencies, and the objects known to be healthy.

Objects are checked in dependency order (sources, tables, relationships, remote schemas, ...); each
step reads the healthy objects of earlier steps, so a reference to a missing or inconsistent object
is reported on the referencing object, and the children of an inconsistent object are never checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graphql import GraphQLSchema

from engine.catalog import SourceCatalog, TableInfo
from engine.environment import Environment
from engine.metadata import Action, CustomTypes, Metadata, QualifiedTable, Source, Table
from engine.naming import column_graphql_name
from engine.validation.objects import Inconsistency, MetadataObject, Problem


@dataclass(frozen=True)
class TrackedTable:
    """A consistent tracked table: its metadata and its facts from the database."""

    source: str
    metadata: Table
    info: TableInfo

    @property
    def name(self) -> QualifiedTable:
        """The qualified table name."""
        return self.metadata.table

    def has_column(self, name: str) -> bool:
        """True when the table has a column of that name."""
        return self.info.column(name) is not None

    def field_names(self) -> set[str]:
        """Every column name and every column's GraphQL name."""
        columns = [column.name for column in self.info.columns]
        return {*columns, *(column_graphql_name(self.metadata, column) for column in columns)}


@dataclass
class ValidationState:
    """Findings and healthy objects of one validation pass."""

    metadata: Metadata
    environment: Environment
    found: list[Inconsistency] = field(default_factory=list)
    sources: dict[str, tuple[Source, SourceCatalog]] = field(default_factory=dict)
    tables: dict[tuple[str, QualifiedTable], TrackedTable] = field(default_factory=dict)
    relationships: dict[tuple[str, QualifiedTable, str], QualifiedTable] = field(default_factory=dict)
    remote_schemas: dict[str, GraphQLSchema] = field(default_factory=dict)
    custom_types: CustomTypes = field(default_factory=CustomTypes)
    actions: dict[str, Action] = field(default_factory=dict)

    def record(self, obj: MetadataObject, problems: Iterable[Problem]) -> bool:
        """Report every problem of ``obj``; True when it has none."""
        problems = list(problems)
        self.found.extend(obj.inconsistency(problem) for problem in problems)
        return not problems

    def report(self, inconsistency: Inconsistency) -> None:
        """Report an inconsistency built by the caller."""
        self.found.append(inconsistency)

    def table(self, source: str, name: QualifiedTable) -> TrackedTable | None:
        """A consistent tracked table."""
        return self.tables.get((source, name))

    def database_scalars(self) -> frozenset[str]:
        """Scalar type names known in any consistent source (``uuid``, ``timestamptz``, ...)."""
        return frozenset().union(*(catalog.scalar_types for _, catalog in self.sources.values()))
