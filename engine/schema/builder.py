"""Builds the GraphQL schema one role sees from consistent metadata and the live environment.

``query_root`` holds every readable table's ``<table>``, ``<table>_by_pk`` and ``<table>_aggregate``,
the query actions and the remote schemas' query fields; ``mutation_root`` the tables' mutations
(``engine.schema.mutations``), the synchronous mutation actions and the remote schemas' mutations. The schema carries no resolvers: it serves validation and
introspection, and the recorded field roles drive the planner.
"""

from __future__ import annotations

from graphql import GraphQLField, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString

from engine.environment import Environment
from engine.metadata import Action, Metadata, RemoteSchema, Source
from engine.naming import source_namespace, source_root_field_name, table_root_fields
from engine.schema import naming
from engine.schema.actions import ActionTypes
from engine.schema.joins import JoinFields
from engine.schema.model import (
    FieldRole,
    GatewaySchema,
    NamespaceField,
    RemoteSchemaModel,
    TableModel,
    TableRootField,
)
from engine.schema.mutations import TableMutationFields
from engine.schema.registry import TypeRegistry
from engine.schema.remote_types import RemoteTypes
from engine.schema.tables import TableTypes
from engine.schema.tables_model import ADMIN_ROLE, TableKey, table_models
from engine.validation.remote_schema_permissions import RemoteSchemaView, RoleSchemaError, remote_schema_view

NO_QUERIES_FIELD = "no_queries_available"


def build_gateway_schema(
    metadata: Metadata,
    environment: Environment,
    role: str = ADMIN_ROLE,
    *,
    remote_schema_permissions: bool = False,
) -> GatewaySchema:
    """The schema of ``role``; ``metadata`` should hold only consistent objects.

    With ``remote_schema_permissions`` a role other than admin sees of each remote schema only what
    its permission there allows, and nothing of a remote schema it has no permission on.
    """
    registry = TypeRegistry()
    roles: dict[tuple[str, str], FieldRole] = {}
    models = table_models(metadata, environment, role)
    by_type = _unique_types(models)
    joins = JoinFields(metadata, role, registry, models, roles)
    tables = TableTypes(registry, by_type, roles, joins.table_fields)
    tables.build_all()
    unrestricted = (
        by_type if role == ADMIN_ROLE else _unique_types(table_models(metadata, environment, ADMIN_ROLE))
    )
    table_mutations = TableMutationFields(registry, tables, by_type, unrestricted, roles).root_fields(
        metadata, environment, role
    )
    actions = ActionTypes(registry, tables, models, roles, joins)
    joins.tables, joins.actions = tables, actions
    actions.build_custom_types(metadata.custom_types)
    remote = RemoteTypes(registry, roles, joins.remote_object_fields)
    joins.remote_types = remote
    restricted = remote_schema_permissions and role != ADMIN_ROLE
    joins.remote_schemas.update(_remote_schemas(metadata, environment, remote, role if restricted else None))
    query = _table_root_fields(metadata, models, by_type, tables, roles)
    mutation: dict[str, GraphQLField] = dict(table_mutations)
    for action in _visible_actions(metadata, role):
        root_fields, root = (
            (query, naming.QUERY_ROOT)
            if action.definition.type == "query"
            else (mutation, naming.MUTATION_ROOT)
        )
        if action.name not in root_fields:
            root_fields[action.name] = actions.action_field(action, root)
    for model in joins.remote_schemas.values():
        _add_free(query, remote.root_fields(model, "query", naming.QUERY_ROOT))
        _add_free(mutation, remote.root_fields(model, "mutation", naming.MUTATION_ROOT))
    if not query:
        query[NO_QUERIES_FIELD] = GraphQLField(GraphQLNonNull(GraphQLString))
    schema = GraphQLSchema(
        query=GraphQLObjectType(naming.QUERY_ROOT, query),
        mutation=GraphQLObjectType(naming.MUTATION_ROOT, mutation) if mutation else None,
    )
    return GatewaySchema(schema, role, by_type, roles, unrestricted, dict(joins.remote_schemas))


def _remote_schemas(
    metadata: Metadata, environment: Environment, remote: RemoteTypes, restricted_role: str | None
) -> dict[str, RemoteSchemaModel]:
    """The remote schemas whose types fit into the schema, their types registered.

    For a ``restricted_role``, each remote schema is seen through the role's permission, and one
    without a (usable) permission is left out.
    """
    models = {}
    for remote_schema in metadata.remote_schemas:
        schema = environment.remote_schemas.get(remote_schema.name)
        if schema is None:
            continue
        if restricted_role is None:
            model = remote.add(remote_schema, schema)
        else:
            view = _role_view(remote_schema, schema, restricted_role)
            model = None if view is None else remote.add(remote_schema, schema, view)
        if model is not None:
            models[remote_schema.name] = model
    return models


def _role_view(remote_schema: RemoteSchema, schema: GraphQLSchema, role: str) -> RemoteSchemaView | None:
    """What ``role`` may use of a remote schema; None without a permission (or with a broken one)."""
    permission = remote_schema.permission(role)
    if permission is None:
        return None
    try:
        return remote_schema_view(permission.schema, schema)
    except RoleSchemaError:
        return None


def _add_free(fields: dict[str, GraphQLField], new: dict[str, GraphQLField]) -> None:
    """Add the fields whose names are still free (validation reports the others)."""
    fields.update((name, field) for name, field in new.items() if name not in fields)


def _unique_types(models: dict[TableKey, TableModel]) -> dict[str, TableModel]:
    """Models by GraphQL type name; of two tables claiming one name the first keeps it."""
    by_type: dict[str, TableModel] = {}
    for model in models.values():
        by_type.setdefault(model.type_name, model)
    return by_type


def _table_root_fields(
    metadata: Metadata,
    models: dict[TableKey, TableModel],
    by_type: dict[str, TableModel],
    tables: TableTypes,
    roles: dict[tuple[str, str], FieldRole],
) -> dict[str, GraphQLField]:
    """Root fields of every readable table; a source with a namespace gets one field holding its own."""
    fields: dict[str, GraphQLField] = {}
    for source in metadata.sources:
        namespace = source_namespace(source.customization)
        parent = (
            naming.namespace_type_name(source.customization, namespace) if namespace else naming.QUERY_ROOT
        )
        own = _source_root_fields(source, models, by_type, tables, roles, parent)
        if namespace is None:
            fields.update((name, field) for name, field in own.items() if name not in fields)
        elif own and namespace not in fields:
            fields[namespace] = GraphQLField(GraphQLNonNull(GraphQLObjectType(parent, own)))
            roles[(naming.QUERY_ROOT, namespace)] = NamespaceField(parent)
    return fields


def _source_root_fields(
    source: Source,
    models: dict[TableKey, TableModel],
    by_type: dict[str, TableModel],
    tables: TableTypes,
    roles: dict[tuple[str, str], FieldRole],
    parent: str,
) -> dict[str, GraphQLField]:
    fields: dict[str, GraphQLField] = {}
    for table in source.tables:
        model = models.get((source.name, table.table))
        if model is None or by_type.get(model.type_name) is not model:
            continue
        names = {
            kind: source_root_field_name(source.customization, name)
            for kind, name in table_root_fields(table).items()
        }
        for kind, field in _root_fields_of(model, tables).items():
            if names[kind] not in fields:
                fields[names[kind]] = field
                roles.setdefault((parent, names[kind]), TableRootField(kind, model.type_name))
    return fields


def _root_fields_of(model: TableModel, tables: TableTypes) -> dict[str, GraphQLField]:
    name = model.type_name
    fields = {
        "select": GraphQLField(
            tables.rows_type(name),
            tables.select_arguments(name),
            description=f'fetch data from the table: "{name}"',
        )
    }
    if model.access.allow_aggregations:
        fields["select_aggregate"] = GraphQLField(
            tables.aggregate_type(name),
            tables.select_arguments(name),
            description=f'fetch aggregated fields from the table: "{name}"',
        )
    if model.primary_key:
        fields["select_by_pk"] = GraphQLField(
            tables.object_type(name),
            tables.primary_key_arguments(model),
            description=f'fetch data from the table: "{name}" using primary key columns',
        )
    return fields


def _visible_actions(metadata: Metadata, role: str) -> list[Action]:
    """Synchronous actions the role may call (asynchronous actions are not served)."""
    return [
        action
        for action in metadata.actions
        if action.definition.kind == "synchronous"
        and (role == ADMIN_ROLE or action.permission(role) is not None)
    ]
