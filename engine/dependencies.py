"""What depends on a metadata object about to be dropped, and how to drop those dependents (cascade).

``find_dependents`` answers for a tracked table, a source, a local relationship, a remote schema and
an action: the objects elsewhere in the metadata that would be left pointing at nothing (for a
remote schema or an action, every relationship joining to it, custom object types' included). Objects
that belong to the dropped object (a table's own relationships, an action's permissions) go with it
and are not listed. ``drop_dependents`` removes the listed objects (any object id, with its
children); a permission whose filter traverses a dropped relationship is dropped whole.

A relationship given as ``foreign_key_constraint_on`` columns of its own table finds its target
table through the database catalog, so those are only followed when an environment is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from engine.catalog import SourceCatalog
from engine.environment import Environment
from engine.errors import MetadataParseError
from engine.metadata import (
    DEFAULT_SOURCE,
    Action,
    CustomObject,
    CustomTypes,
    LocalRelationship,
    ManualUsing,
    Metadata,
    Node,
    Permission,
    QualifiedTable,
    RelationshipTarget,
    RemoteSchema,
    Source,
    Table,
    ToAction,
    ToRemoteSchema,
    ToSource,
    TypeRelationships,
)
from engine.validation.boolexp import EXISTS, Condition, conditions
from engine.validation.local_relationships import foreign_keys_on
from engine.validation.objects import (
    ObjectId,
    action_id,
    action_permission_id,
    custom_type_relationship_id,
    custom_types_id,
    permission_id,
    relationship_id,
    remote_relationship_id,
    remote_schema_id,
    remote_schema_permission_id,
    remote_schema_relationship_id,
    source_id,
    table_id,
)

TableRef = tuple[str, QualifiedTable]


@dataclass(frozen=True)
class Dependent:
    """An object that depends on the one being dropped."""

    object_id: ObjectId
    description: str


def find_dependents(
    metadata: Metadata, object_id: ObjectId, environment: Environment | None = None
) -> list[Dependent]:
    """The objects that depend on ``object_id``: grouped by kind, each kind in metadata order, each once."""
    finder = FINDERS.get(object_id[0])
    if finder is None:
        return []
    graph = DependencyGraph(metadata, environment.catalogs if environment else {})
    return list(dict.fromkeys(finder(graph, object_id)))


def drop_dependents(metadata: Metadata, dependents: list[Dependent]) -> Metadata:
    """``metadata`` without the given objects; any object id may be given, and children go with it."""
    doomed = {dependent.object_id for dependent in dependents}
    custom_types = (
        CustomTypes() if custom_types_id() in doomed else _prune_custom_types(metadata.custom_types, doomed)
    )
    return replace(
        metadata,
        sources=tuple(_prune_source(s, doomed) for s in metadata.sources if source_id(s.name) not in doomed),
        remote_schemas=tuple(
            _prune_remote_schema(rs, doomed)
            for rs in metadata.remote_schemas
            if remote_schema_id(rs.name) not in doomed
        ),
        actions=tuple(_prune_action(a, doomed) for a in metadata.actions if action_id(a.name) not in doomed),
        custom_types=custom_types,
    )


class DependencyGraph:
    """The references between metadata objects, read from the metadata (and catalogs, when given)."""

    def __init__(self, metadata: Metadata, catalogs: Mapping[str, SourceCatalog]) -> None:
        self.metadata = metadata
        self.catalogs = catalogs

    def tables(self) -> Iterator[tuple[Source, Table]]:
        """Every tracked table with its source."""
        for source in self.metadata.sources:
            for table in source.tables:
                yield source, table

    def relationship_target(
        self, source: str, table: Table, relationship: LocalRelationship
    ) -> QualifiedTable | None:
        """The table a local relationship leads to, when it can be known."""
        using = relationship.using
        if isinstance(using, ManualUsing):
            return using.remote_table
        if using.table is not None:
            return using.table
        catalog = self.catalogs.get(source)
        info = None if catalog is None else catalog.table(table.table.schema, table.table.name)
        found = [] if info is None else foreign_keys_on(info, using.columns)
        return QualifiedTable(found[0].ref_schema, found[0].ref_table) if len(found) == 1 else None

    def relationships_to(self, target: TableRef) -> Iterator[Dependent]:
        """Local relationships of other tables that lead to ``target``."""
        source_name, name = target
        source = self.metadata.source(source_name)
        for table in source.tables if source else ():
            for relationship in table.relationships:
                if table.table != name and self.relationship_target(source_name, table, relationship) == name:
                    yield relationship_dependent(source_name, table.table, relationship.name)

    def permissions_through(
        self, source_name: str, relationships: set[ObjectId], tables: set[QualifiedTable]
    ) -> Iterator[Dependent]:
        """Permissions whose expressions traverse one of ``relationships`` or name one of ``tables``.

        The permissions of ``tables`` themselves are left out: they go with their table.
        """
        source = self.metadata.source(source_name)
        for table in source.tables if source else ():
            if table.table in tables:
                continue
            for permission in table.permissions:
                if self.permission_reaches(source_name, table, permission, relationships, tables):
                    yield permission_dependent(source_name, table.table, permission)

    def permission_reaches(
        self,
        source: str,
        table: Table,
        permission: Permission,
        relationships: set[ObjectId],
        tables: set[QualifiedTable],
    ) -> bool:
        """True when a filter or check of the permission traverses or names a doomed object."""
        body = permission.permission
        return any(
            reference in relationships or reference in tables
            for key in ("filter", "check")
            for reference in self.references(source, table, body.get(key))
        )

    def references(self, source: str, table: Table, expression: Any) -> Iterator[Any]:
        """Relationship ids traversed and tables named by ``_exists`` in an expression on ``table``."""
        for item in conditions(expression or {}, "$"):
            if isinstance(item, Condition):
                yield from self.condition_references(source, table, item)

    def condition_references(self, source: str, table: Table, condition: Condition) -> Iterator[Any]:
        """The references of one field condition (following relationships into their targets)."""
        if condition.field == EXISTS:
            yield from self.exists_references(source, condition.value)
            return
        relationship = table.relationship(condition.field)
        if relationship is None:
            return
        yield relationship_id(source, table.table, relationship.name)
        target_name = self.relationship_target(source, table, relationship)
        target = None if target_name is None else self.metadata.table(source, target_name)
        if target is not None:
            yield from self.references(source, target, condition.value)

    def exists_references(self, source: str, value: Any) -> Iterator[Any]:
        """The table named by ``_exists`` and the references inside its ``_where``."""
        if not isinstance(value, Mapping) or "_table" not in value:
            return
        try:
            name = QualifiedTable.parse(Node(value["_table"]))
        except MetadataParseError:
            return
        yield name
        target = self.metadata.table(source, name)
        if target is not None:
            yield from self.references(source, target, value.get("_where"))

    def remote_relationships_to(self, matches: Callable[[RelationshipTarget], bool]) -> Iterator[Dependent]:
        """Remote relationships of tables whose target ``matches``."""
        for source, table in self.tables():
            for relationship in table.remote_relationships:
                if matches(relationship.target):
                    object_id = remote_relationship_id(source.name, table.table, relationship.name)
                    yield Dependent(
                        object_id,
                        f"remote relationship {relationship.name} in {_table_text(source.name, table.table)}",
                    )

    def type_relationships_to(self, matches: Callable[[str, QualifiedTable], bool]) -> Iterator[Dependent]:
        """Custom object type relationships whose (source, table) ``matches``."""
        for obj in self.metadata.custom_types.objects:
            for relationship in obj.relationships:
                if matches(relationship.source, relationship.remote_table):
                    yield Dependent(
                        custom_type_relationship_id(obj.name, relationship.name),
                        f"relationship {relationship.name} of custom type {obj.name}",
                    )

    def type_remote_relationships_to(
        self, matches: Callable[[RelationshipTarget], bool]
    ) -> Iterator[Dependent]:
        """Custom object types' relationships to remote schemas and actions whose target ``matches``."""
        for obj in self.metadata.custom_types.objects:
            for relationship in obj.remote_relationships:
                if matches(relationship.target):
                    yield Dependent(
                        custom_type_relationship_id(obj.name, relationship.name),
                        f"relationship {relationship.name} of custom type {obj.name}",
                    )

    def remote_schema_relationships_to(
        self, matches: Callable[[RelationshipTarget], bool], skip: str | None = None
    ) -> Iterator[Dependent]:
        """Relationships on remote schema types (outside remote schema ``skip``) whose target ``matches``."""
        for remote_schema in self.metadata.remote_schemas:
            if remote_schema.name == skip:
                continue
            for group in remote_schema.remote_relationships:
                for relationship in group.relationships:
                    if matches(relationship.target):
                        on_type = f" on type {group.type_name}" if group.type_name else ""
                        yield Dependent(
                            remote_schema_relationship_id(
                                remote_schema.name, group.type_name, relationship.name
                            ),
                            f"remote relationship {relationship.name}{on_type} in remote schema {remote_schema.name}",
                        )


def table_dependents(graph: DependencyGraph, object_id: ObjectId) -> Iterator[Dependent]:
    """Dependents of a tracked table about to be untracked."""
    _, source, schema, name = object_id
    table = QualifiedTable(schema, name)
    relationships = list(graph.relationships_to((source, table)))
    yield from relationships
    doomed = {dependent.object_id for dependent in relationships}
    yield from graph.permissions_through(source, doomed, {table})
    remote = graph.remote_relationships_to(
        lambda target: isinstance(target, ToSource) and (target.source, target.table) == (source, table)
    )
    yield from (dependent for dependent in remote if dependent.object_id[1:4] != (source, schema, name))
    yield from graph.type_relationships_to(lambda s, t: (s, t) == (source, table))
    yield from graph.remote_schema_relationships_to(
        lambda target: isinstance(target, ToSource) and (target.source, target.table) == (source, table)
    )


def source_dependents(graph: DependencyGraph, object_id: ObjectId) -> Iterator[Dependent]:
    """Dependents outside a source about to be dropped: everything joining to its tables."""
    source = object_id[1]
    remote = graph.remote_relationships_to(
        lambda target: isinstance(target, ToSource) and target.source == source
    )
    yield from (dependent for dependent in remote if dependent.object_id[1] != source)
    yield from graph.type_relationships_to(lambda s, _: s == source)
    yield from graph.remote_schema_relationships_to(
        lambda target: isinstance(target, ToSource) and target.source == source
    )


def relationship_dependents(graph: DependencyGraph, object_id: ObjectId) -> Iterator[Dependent]:
    """Permissions whose expressions traverse a local relationship about to be dropped."""
    yield from graph.permissions_through(object_id[1], {object_id}, set())


def remote_schema_dependents(graph: DependencyGraph, object_id: ObjectId) -> Iterator[Dependent]:
    """Relationships of tables and of other remote schemas that join to a remote schema."""
    name = object_id[1]

    def targets_it(target: RelationshipTarget) -> bool:
        return isinstance(target, ToRemoteSchema) and target.remote_schema == name

    yield from graph.remote_relationships_to(targets_it)
    yield from graph.remote_schema_relationships_to(targets_it, skip=name)
    yield from graph.type_remote_relationships_to(targets_it)


def action_dependents(graph: DependencyGraph, object_id: ObjectId) -> Iterator[Dependent]:
    """Relationships that join to an action (its permissions go with it)."""
    name = object_id[1]

    def targets_it(target: RelationshipTarget) -> bool:
        return isinstance(target, ToAction) and target.action == name

    yield from graph.remote_relationships_to(targets_it)
    yield from graph.remote_schema_relationships_to(targets_it)
    yield from graph.type_remote_relationships_to(targets_it)


FINDERS: dict[str, Callable[[DependencyGraph, ObjectId], Iterator[Dependent]]] = {
    "table": table_dependents,
    "source": source_dependents,
    "relationship": relationship_dependents,
    "remote_schema": remote_schema_dependents,
    "action": action_dependents,
}


def relationship_dependent(source: str, table: QualifiedTable, name: str) -> Dependent:
    """A local relationship as a dependent."""
    return Dependent(
        relationship_id(source, table, name), f"relationship {name} in {_table_text(source, table)}"
    )


def permission_dependent(source: str, table: QualifiedTable, permission: Permission) -> Dependent:
    """A table permission as a dependent."""
    return Dependent(
        permission_id(source, table, permission.kind, permission.role),
        f"{permission.kind} permission for role {permission.role} in {_table_text(source, table)}",
    )


def _table_text(source: str, table: QualifiedTable) -> str:
    suffix = "" if source == DEFAULT_SOURCE else f" in source {source}"
    return f"table {table}{suffix}"


def _prune_source(source: Source, doomed: set[ObjectId]) -> Source:
    tables = (table for table in source.tables if table_id(source.name, table.table) not in doomed)
    return replace(source, tables=tuple(_prune_table(source.name, table, doomed) for table in tables))


def _prune_action(action: Action, doomed: set[ObjectId]) -> Action:
    kept = tuple(p for p in action.permissions if action_permission_id(action.name, p.role) not in doomed)
    return replace(action, permissions=kept)


def _prune_table(source: str, table: Table, doomed: set[ObjectId]) -> Table:
    name = table.table

    def keep_relationship(relationship: LocalRelationship) -> bool:
        return relationship_id(source, name, relationship.name) not in doomed

    return replace(
        table,
        object_relationships=tuple(filter(keep_relationship, table.object_relationships)),
        array_relationships=tuple(filter(keep_relationship, table.array_relationships)),
        remote_relationships=tuple(
            r
            for r in table.remote_relationships
            if remote_relationship_id(source, name, r.name) not in doomed
        ),
        permissions=tuple(
            p for p in table.permissions if permission_id(source, name, p.kind, p.role) not in doomed
        ),
    )


def _prune_custom_types(custom_types: CustomTypes, doomed: set[ObjectId]) -> CustomTypes:
    def prune(obj: CustomObject) -> CustomObject:
        kept = tuple(
            r for r in obj.relationships if custom_type_relationship_id(obj.name, r.name) not in doomed
        )
        remote = tuple(
            r for r in obj.remote_relationships if custom_type_relationship_id(obj.name, r.name) not in doomed
        )
        return replace(obj, relationships=kept, remote_relationships=remote)

    return replace(custom_types, objects=tuple(prune(obj) for obj in custom_types.objects))


def _prune_remote_schema(remote_schema: RemoteSchema, doomed: set[ObjectId]) -> RemoteSchema:
    def prune(group: TypeRelationships) -> TypeRelationships:
        kept = tuple(
            r
            for r in group.relationships
            if remote_schema_relationship_id(remote_schema.name, group.type_name, r.name) not in doomed
        )
        return replace(group, relationships=kept)

    groups = tuple(prune(group) for group in remote_schema.remote_relationships)
    permissions = tuple(
        p
        for p in remote_schema.permissions
        if remote_schema_permission_id(remote_schema.name, p.role) not in doomed
    )
    return replace(
        remote_schema,
        permissions=permissions,
        remote_relationships=tuple(group for group in groups if group.relationships),
    )
