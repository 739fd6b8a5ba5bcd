"""What each generated GraphQL field stands for: tables, columns, relationships, actions and joins.

The schema builder records one ``FieldRole`` per (parent type, field name); the planner reads them to
turn a validated selection into SQL selects, action calls and joins without looking at the metadata
again. Table models are seen through one role: only the columns, rows and relationships it may read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from graphql import GraphQLSchema

from engine.lru import LruCache
from engine.metadata import Action, QualifiedTable, RemoteSchemaDefinition, ToAction, ToRemoteSchema
from engine.schema.mutation_model import MutationRootField
from engine.sources import SourceSpec

if TYPE_CHECKING:
    from engine.validation.remote_schema_permissions import Preset

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
    """A relationship to a table across a boundary (or its ``_aggregate`` sibling), ``kind`` object or array.

    From a custom object type, a table of another source or a remote object type. ``mapping`` pairs
    each join field of the left-hand side (a column, a remote field, or a field path of a custom
    object) with the target column it must equal; ``many`` says the one join field holds a list of
    keys (the rows whose column is in the list).
    """

    name: str
    kind: str
    target: str
    mapping: tuple[tuple[str, str], ...]
    aggregate: bool = False
    many: bool = False


@dataclass(frozen=True)
class RemoteJoinField:
    """A relationship to a remote schema field (``to_remote_schema``), from any left-hand side."""

    name: str
    target: ToRemoteSchema


@dataclass(frozen=True)
class ActionJoinField:
    """A relationship to an action (``to_action``), from any left-hand side."""

    name: str
    target: ToAction
    action: Action


@dataclass(frozen=True)
class NamespaceField:
    """A root field grouping the root fields of a source customized with a namespace."""

    type_name: str


@dataclass(frozen=True)
class RemoteRootField:
    """A root field of a remote schema: ``field`` is its name there, ``operation`` query or mutation."""

    remote_schema: str
    operation: str
    field: str


@dataclass(frozen=True)
class RemoteNamespaceField:
    """The root field a remote schema's customization nests its root fields under."""

    remote_schema: str
    type_name: str


@dataclass(frozen=True)
class RemoteField:
    """A field of a remote object or interface type: ``field`` is its name in the remote schema."""

    remote_schema: str
    field: str


FieldRole = (
    ColumnField
    | RelationshipField
    | TableRootField
    | ActionRootField
    | OutputField
    | JoinField
    | RemoteJoinField
    | ActionJoinField
    | NamespaceField
    | RemoteRootField
    | RemoteNamespaceField
    | RemoteField
    | MutationRootField
)
JoinRole = JoinField | RemoteJoinField | ActionJoinField


@dataclass(frozen=True)
class RemoteSchemaModel:
    """A remote schema as the gateway serves it: how to call it and its type names both ways.

    ``schema`` is the remote's own (introspected) schema, or the part a role's permission lets it
    use, in the remote's names; ``upstream`` is then the whole remote schema, and the permission's
    presets are the values the gateway sends for arguments (keyed by type and field) and input object
    fields (keyed by input type) that the role cannot see. ``type_names`` maps each type the gateway
    copies to the gateway's (customized) name, ``original_types`` the other way.
    """

    name: str
    definition: RemoteSchemaDefinition
    schema: GraphQLSchema
    type_names: Mapping[str, str]
    original_types: Mapping[str, str]
    upstream: GraphQLSchema | None = None
    argument_presets: Mapping[tuple[str, str], Mapping[str, Preset]] = field(default_factory=dict)
    input_presets: Mapping[str, Mapping[str, Preset]] = field(default_factory=dict)

    @property
    def whole_schema(self) -> GraphQLSchema:
        """The remote's whole schema, whatever the role may see of it."""
        return self.upstream or self.schema

    @cached_property
    def renames_types(self) -> bool:
        """True when some type is known under another name in the gateway (``__typename`` changes)."""
        return any(original != renamed for original, renamed in self.type_names.items())


@dataclass(frozen=True)
class GatewaySchema:
    """The GraphQL schema of one role with the meaning of its fields, and its parsed-document cache.

    ``tables`` are the tables as the role sees them; ``all_tables`` every table as admin sees it,
    which the role's row filters may reach through relationships and ``_exists``. ``remote_schemas``
    are the remote schemas whose fields the schema serves.
    """

    graphql: GraphQLSchema
    role: str
    tables: Mapping[str, TableModel]
    fields: Mapping[tuple[str, str], FieldRole]
    all_tables: Mapping[str, TableModel] = field(default_factory=dict)
    remote_schemas: Mapping[str, RemoteSchemaModel] = field(default_factory=dict)
    documents: LruCache[Any] = field(default_factory=lambda: LruCache(DOCUMENT_CACHE_SIZE), compare=False)

    def role_of(self, parent_type: str, field_name: str) -> FieldRole | None:
        """What a field stands for, or None for fields the engine does not own (``__typename``)."""
        return self.fields.get((parent_type, field_name))
