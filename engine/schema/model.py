"""What each generated GraphQL field stands for: tables, columns, relationships, actions and joins.

The schema builder records one ``FieldRole`` per (parent type, field name); the planner reads them to
turn a validated selection into SQL selects, action calls and joins without looking at the metadata
again. Table models are seen through one role: only the columns, rows and relationships it may read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from graphql import GraphQLSchema

from engine.lru import LruCache
from engine.metadata import Action, QualifiedTable, TypeRelationship
from engine.sources import SourceSpec

DOCUMENT_CACHE_SIZE = 512


@dataclass(frozen=True)
class ColumnModel:
    """A readable column: its SQL name, GraphQL field name and database type name."""

    name: str
    field_name: str
    data_type: str
    nullable: bool


@dataclass(frozen=True)
class RelationshipModel:
    """A relationship between two tables of one source, as column pairs (column here, column there)."""

    name: str
    kind: str
    target: str
    mapping: tuple[tuple[str, str], ...]
    nullable: bool = True


@dataclass(frozen=True)
class TableAccess:
    """What a role may read of a table: a row filter (with session variable references) and limits."""

    filter: Mapping[str, Any] = field(default_factory=dict)
    limit: int | None = None
    allow_aggregations: bool = True


@dataclass(frozen=True)
class TableModel:
    """A tracked table as one role sees it; ``type_name`` is its GraphQL object type.

    ``columns`` are the columns the role may read; ``column_types`` holds the type of every column,
    readable or not, for row filters and join keys that use columns the role cannot select.
    """

    type_name: str
    source: SourceSpec
    table: QualifiedTable
    columns: tuple[ColumnModel, ...]
    relationships: tuple[RelationshipModel, ...]
    primary_key: tuple[str, ...]
    access: TableAccess = field(default_factory=TableAccess)
    column_types: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def columns_by_field(self) -> dict[str, ColumnModel]:
        """Columns keyed by GraphQL field name."""
        return {column.field_name: column for column in self.columns}

    @cached_property
    def columns_by_name(self) -> dict[str, ColumnModel]:
        """Columns keyed by SQL column name."""
        return {column.name: column for column in self.columns}

    @cached_property
    def relationships_by_name(self) -> dict[str, RelationshipModel]:
        """Relationships keyed by name (which is also their GraphQL field name)."""
        return {relationship.name: relationship for relationship in self.relationships}


@dataclass(frozen=True)
class ColumnField:
    """A column of a table type."""

    column: ColumnModel


@dataclass(frozen=True)
class RelationshipField:
    """A table relationship field, or its ``<name>_aggregate`` sibling."""

    relationship: RelationshipModel
    aggregate: bool = False


@dataclass(frozen=True)
class TableRootField:
    """A root field reading a table; ``kind`` is ``select``, ``select_by_pk`` or ``select_aggregate``."""

    kind: str
    table: str


@dataclass(frozen=True)
class ActionRootField:
    """A root field answered by an action handler."""

    action: Action


@dataclass(frozen=True)
class OutputField:
    """A field of a custom object type, read from the handler's answer under its name."""

    name: str


@dataclass(frozen=True)
class JoinField:
    """A relationship from a custom object type to a table (or its ``_aggregate`` sibling).

    ``mapping`` pairs each field of the custom object with the target column it must equal.
    """

    relationship: TypeRelationship
    target: str
    mapping: tuple[tuple[str, str], ...]
    aggregate: bool = False

    @property
    def kind(self) -> str:
        """``object`` or ``array``."""
        return self.relationship.type


@dataclass(frozen=True)
class NamespaceField:
    """A root field grouping the root fields of a source customized with a namespace."""

    type_name: str


FieldRole = (
    ColumnField
    | RelationshipField
    | TableRootField
    | ActionRootField
    | OutputField
    | JoinField
    | NamespaceField
)


@dataclass(frozen=True)
class GatewaySchema:
    """The GraphQL schema of one role with the meaning of its fields, and its parsed-document cache.

    ``tables`` are the tables as the role sees them; ``all_tables`` every table as admin sees it,
    which the role's row filters may reach through relationships and ``_exists``.
    """

    graphql: GraphQLSchema
    role: str
    tables: Mapping[str, TableModel]
    fields: Mapping[tuple[str, str], FieldRole]
    all_tables: Mapping[str, TableModel] = field(default_factory=dict)
    documents: LruCache[Any] = field(default_factory=lambda: LruCache(DOCUMENT_CACHE_SIZE), compare=False)

    def role_of(self, parent_type: str, field_name: str) -> FieldRole | None:
        """What a field stands for, or None for fields the engine does not own (``__typename``)."""
        return self.fields.get((parent_type, field_name))
