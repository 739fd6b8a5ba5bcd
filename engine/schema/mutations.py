"""Mutation root fields of tracked tables and their types, as Hasura generates them for a role.

For a table type ``author`` (on tables, not views):

    insert_author(objects: [author_insert_input!]!, on_conflict: author_on_conflict): author_mutation_response
    insert_author_one(object: author_insert_input!, on_conflict: author_on_conflict): author
    update_author(_inc: author_inc_input, _set: author_set_input, where: author_bool_exp!): author_mutation_response
    update_author_by_pk(_inc: ..., _set: ..., pk_columns: author_pk_columns_input!): author
    delete_author(where: author_bool_exp!): author_mutation_response
    delete_author_by_pk(id: Int!): author

Each needs the role's permission of its kind. The fields returning a row (``_one``, ``_by_pk``) and
``returning`` also need its select permission, ``_by_pk`` on every primary key column;
``on_conflict`` needs the update and select permissions and a unique or primary key constraint.
A role that cannot read the table filters with ``_and``/``_or``/``_not`` only. Constraints are
named as PostgreSQL names them by default (``author_pkey``, ``author_email_key``); their value is
the key's columns, which the statement's conflict target lists.
"""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)

from engine.catalog import TableInfo
from engine.environment import Environment
from engine.metadata import Metadata, Permission, Source, Table
from engine.naming import is_graphql_name, source_namespace, source_root_field_name, table_root_fields
from engine.schema import naming
from engine.schema.model import ColumnModel, FieldRole, NamespaceField, TableModel
from engine.schema.mutation_model import (
    DeleteAccess,
    InsertAccess,
    MutationAccess,
    MutationRootField,
    UpdateAccess,
)
from engine.schema.registry import TypeRegistry
from engine.schema.scalars import is_numeric
from engine.schema.tables import TableTypes
from engine.schema.tables_model import ADMIN_ROLE

PLACEHOLDER = "_PLACEHOLDER"


def mutation_access(table: Table, role: str) -> MutationAccess:
    """What ``role`` may change in ``table`` (admin: everything).

    A ``backend_only`` permission serves only trusted backends in Hasura; it is left out here.
    """
    if role == ADMIN_ROLE:
        return MutationAccess(InsertAccess(), UpdateAccess(), DeleteAccess())
    insert = _usable(table.permission("insert", role))
    update = _usable(table.permission("update", role))
    delete = _usable(table.permission("delete", role))
    return MutationAccess(
        None if insert is None else _insert_access(insert),
        None if update is None else _update_access(update),
        None if delete is None else DeleteAccess(delete.permission.get("filter") or {}),
    )


def _usable(permission: Permission | None) -> Permission | None:
    if permission is None or permission.permission.get("backend_only"):
        return None
    return permission


def _columns(permission: Permission) -> frozenset[str] | None:
    columns = permission.permission.get("columns", ())
    return None if columns == "*" else frozenset(columns or ())


def _insert_access(permission: Permission) -> InsertAccess:
    body = permission.permission
    return InsertAccess(_columns(permission), body.get("check") or {}, body.get("set") or {})


def _update_access(permission: Permission) -> UpdateAccess:
    body = permission.permission
    return UpdateAccess(
        _columns(permission), body.get("filter") or {}, body.get("check"), body.get("set") or {}
    )


def constraint_name(table: str, columns: tuple[str, ...], primary: bool) -> str:
    """PostgreSQL's default name of a primary key (``t_pkey``) or unique constraint (``t_a_b_key``)."""
    return f"{table}_pkey" if primary else f"{table}_{'_'.join(columns)}_key"


def mutation_namespace_type_name(source: Source, namespace: str) -> str:
    """``<namespace>_mutation_frontend``: the type of a source namespace field on ``mutation_root``."""
    return naming.source_type_name(source.customization, f"{namespace}_mutation_frontend")


class TableMutationFields:
    """Builds the mutation root fields of every writable table for one role, registering their types.

    ``readable`` are the tables as the role reads them, ``every`` as admin sees them (every column),
    both by type name.
    """

    def __init__(
        self,
        registry: TypeRegistry,
        tables: TableTypes,
        readable: Mapping[str, TableModel],
        every: Mapping[str, TableModel],
        roles: dict[tuple[str, str], FieldRole],
    ) -> None:
        self.registry = registry
        self.tables = tables
        self.readable = readable
        self.every = every
        self.roles = roles
        self._by_table = {(model.source.name, model.table): model for model in every.values()}

    def root_fields(self, metadata: Metadata, environment: Environment, role: str) -> dict[str, GraphQLField]:
        """``mutation_root`` fields of every source; a source with a namespace gets one field holding its own."""
        fields: dict[str, GraphQLField] = {}
        for source in metadata.sources:
            namespace = source_namespace(source.customization)
            parent = mutation_namespace_type_name(source, namespace) if namespace else naming.MUTATION_ROOT
            own = self._source_fields(source, environment, role, parent)
            if namespace is None:
                fields.update((name, field) for name, field in own.items() if name not in fields)
            elif own and namespace not in fields:
                fields[namespace] = GraphQLField(GraphQLNonNull(GraphQLObjectType(parent, own)))
                self.roles[(naming.MUTATION_ROOT, namespace)] = NamespaceField(parent)
        return fields

    def _source_fields(
        self, source: Source, environment: Environment, role: str, parent: str
    ) -> dict[str, GraphQLField]:
        catalog = environment.catalogs.get(source.name)
        fields: dict[str, GraphQLField] = {}
        for table in source.tables:
            model = self._by_table.get((source.name, table.table))
            info = None if catalog is None else catalog.table(table.table.schema, table.table.name)
            if model is None or info is None or info.is_view:
                continue
            access = mutation_access(table, role)
            names = {
                kind: source_root_field_name(source.customization, name)
                for kind, name in table_root_fields(table).items()
            }
            for kind, field in _TableFields(self, model, info, access).fields().items():
                if names[kind] not in fields:
                    fields[names[kind]] = field
                    self.roles.setdefault(
                        (parent, names[kind]), MutationRootField(kind, model.type_name, access)
                    )
        return fields


class _TableFields:
    """The mutation root fields of one table for one role."""

    def __init__(
        self, owner: TableMutationFields, model: TableModel, info: TableInfo, access: MutationAccess
    ) -> None:
        self.registry = owner.registry
        self.tables = owner.tables
        self.model = model
        self.info = info
        self.access = access
        self.name = model.type_name
        self.readable = owner.readable.get(model.type_name)

    def fields(self) -> dict[str, GraphQLField]:
        """Root fields by kind (``insert``, ``insert_one`` ...)."""
        fields: dict[str, GraphQLField] = {}
        if self.access.insert is not None and self._insert_columns(self.access.insert):
            fields.update(self._insert_fields(self.access.insert))
        if self.access.update is not None and self._set_columns(self.access.update):
            fields.update(self._update_fields(self.access.update))
        if self.access.delete is not None:
            fields.update(self._delete_fields())
        return fields

    # --- insert -------------------------------------------------------------------------------

    def _insert_fields(self, access: InsertAccess) -> dict[str, GraphQLField]:
        row = self._input(
            f"{self.name}_insert_input",
            {
                c.field_name: GraphQLInputField(self._scalar(c.data_type))
                for c in self._insert_columns(access)
            },
            f'input type for inserting data into table "{self.name}"',
        )
        arguments = {}
        conflict = self._on_conflict()
        if conflict is not None:
            arguments["on_conflict"] = GraphQLArgument(conflict, description="upsert condition")
        fields = {
            "insert": GraphQLField(
                self._response(),
                {
                    "objects": GraphQLArgument(
                        GraphQLNonNull(GraphQLList(GraphQLNonNull(row))),
                        description="the rows to be inserted",
                    ),
                    **arguments,
                },
                description=f'insert data into the table: "{self.name}"',
            )
        }
        if self.readable is not None:
            fields["insert_one"] = GraphQLField(
                self.tables.object_type(self.name),
                {
                    "object": GraphQLArgument(GraphQLNonNull(row), description="the row to be inserted"),
                    **arguments,
                },
                description=f'insert a single row into the table: "{self.name}"',
            )
        return fields

    def _insert_columns(self, access: InsertAccess) -> list[ColumnModel]:
        return [column for column in self.model.columns if access.allows(column.name)]

    def _on_conflict(self) -> GraphQLInputObjectType | None:
        # A key whose constraint name is no GraphQL name (a table named 'a"b') cannot be an enum value.
        table = self.model.table.name
        keys = [key for key in self._unique_keys() if is_graphql_name(constraint_name(table, *key))]
        if not keys or self.access.update is None or self.readable is None:
            return None
        name = f"{self.name}_on_conflict"
        if self.registry.has(name):
            return self.registry.get(name)  # type: ignore[return-value]
        constraint = self._enum(
            f"{self.name}_constraint",
            {
                constraint_name(self.model.table.name, columns, primary): GraphQLEnumValue(
                    columns, description=f"unique or primary key constraint on columns {_listed(columns)}"
                )
                for columns, primary in keys
            },
            f'unique or primary key constraints on table "{self.name}"',
        )
        update_columns = self._enum(
            f"{self.name}_update_column",
            {
                column.field_name: GraphQLEnumValue(column.name, description="column name")
                for column in self._set_columns(self.access.update)
            }
            or {PLACEHOLDER: GraphQLEnumValue(PLACEHOLDER, description="placeholder (do not use)")},
            f'update columns of table "{self.name}"',
        )
        fields = {
            "constraint": GraphQLInputField(GraphQLNonNull(constraint)),
            "update_columns": GraphQLInputField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(update_columns))), default_value=[]
            ),
            "where": GraphQLInputField(self._bool_exp()),
        }
        return self._input(name, fields, f'on_conflict condition type for table "{self.name}"')

    def _unique_keys(self) -> list[tuple[tuple[str, ...], bool]]:
        keys = [(tuple(self.info.primary_key), True)] if self.info.primary_key else []
        return keys + [(tuple(columns), False) for columns in self.info.unique_constraints]

    # --- update -------------------------------------------------------------------------------

    def _update_fields(self, access: UpdateAccess) -> dict[str, GraphQLField]:
        operators = self._update_operators(access)
        fields = {
            "update": GraphQLField(
                self._response(),
                {
                    **operators,
                    "where": GraphQLArgument(
                        GraphQLNonNull(self._bool_exp()),
                        description="filter the rows which have to be updated",
                    ),
                },
                description=f'update data of the table: "{self.name}"',
            )
        }
        if self._has_readable_key():
            pk_columns = self._input(
                f"{self.name}_pk_columns_input",
                {
                    c.field_name: GraphQLInputField(GraphQLNonNull(self._scalar(c.data_type)))
                    for c in self._key_columns()
                },
                f"primary key columns input for table: {self.model.table.name}",
            )
            fields["update_by_pk"] = GraphQLField(
                self.tables.object_type(self.name),
                {**operators, "pk_columns": GraphQLArgument(GraphQLNonNull(pk_columns))},
                description=f'update single row of the table: "{self.name}"',
            )
        return fields

    def _update_operators(self, access: UpdateAccess) -> dict[str, GraphQLArgument]:
        columns = self._set_columns(access)
        operators = {}
        numeric = [column for column in columns if is_numeric(column.data_type)]
        if numeric:
            inc = self._input(
                f"{self.name}_inc_input",
                {c.field_name: GraphQLInputField(self._scalar(c.data_type)) for c in numeric},
                f'input type for incrementing numeric columns in table "{self.name}"',
            )
            operators["_inc"] = GraphQLArgument(
                inc, description="increments the numeric columns with given value of the filtered values"
            )
        set_input = self._input(
            f"{self.name}_set_input",
            {c.field_name: GraphQLInputField(self._scalar(c.data_type)) for c in columns},
            f'input type for updating data in table "{self.name}"',
        )
        operators["_set"] = GraphQLArgument(
            set_input, description="sets the columns of the filtered rows to the given values"
        )
        return operators

    def _set_columns(self, access: UpdateAccess | None) -> list[ColumnModel]:
        if access is None:
            return []
        return [column for column in self.model.columns if access.allows(column.name)]

    # --- delete -------------------------------------------------------------------------------

    def _delete_fields(self) -> dict[str, GraphQLField]:
        fields = {
            "delete": GraphQLField(
                self._response(),
                {
                    "where": GraphQLArgument(
                        GraphQLNonNull(self._bool_exp()),
                        description="filter the rows which have to be deleted",
                    )
                },
                description=f'delete data from the table: "{self.name}"',
            )
        }
        if self._has_readable_key():
            assert self.readable is not None
            fields["delete_by_pk"] = GraphQLField(
                self.tables.object_type(self.name),
                self.tables.primary_key_arguments(self.readable),
                description=f'delete single row from the table: "{self.name}"',
            )
        return fields

    # --- shared types -------------------------------------------------------------------------

    def _response(self) -> GraphQLObjectType:
        """``<table>_mutation_response``: ``affected_rows``, and ``returning`` when the role reads the table."""
        name = f"{self.name}_mutation_response"
        if self.registry.has(name):
            return self.registry.get(name)  # type: ignore[return-value]
        fields = {
            "affected_rows": GraphQLField(
                GraphQLNonNull(GraphQLInt), description="number of rows affected by the mutation"
            )
        }
        if self.readable is not None:
            fields["returning"] = GraphQLField(
                self.tables.rows_type(self.name), description="data from the rows affected by the mutation"
            )
        return self.registry.add(
            GraphQLObjectType(
                name, fields, description=f'response of any mutation on the table "{self.name}"'
            )
        )

    def _bool_exp(self) -> GraphQLInputObjectType:
        """The table's ``_bool_exp``; for a role that cannot read the table, one with only ``_and``/``_or``/``_not``."""
        name = naming.bool_exp_name(self.name)
        if self.registry.has(name):
            return self.registry.get(name)  # type: ignore[return-value]

        def fields() -> dict[str, GraphQLInputField]:
            itself = self.registry.get(name)
            return {
                "_and": GraphQLInputField(GraphQLList(GraphQLNonNull(itself))),  # type: ignore[arg-type]
                "_not": GraphQLInputField(itself),  # type: ignore[arg-type]
                "_or": GraphQLInputField(GraphQLList(GraphQLNonNull(itself))),  # type: ignore[arg-type]
            }

        description = f"Boolean expression to filter rows from the table \"{self.name}\". All fields are combined with a logical 'AND'."
        return self.registry.add(GraphQLInputObjectType(name, fields, description=description))

    def _has_readable_key(self) -> bool:
        return self.readable is not None and bool(self.readable.primary_key)

    def _key_columns(self) -> list[ColumnModel]:
        columns = self.model.columns_by_name
        return [columns[name] for name in self.model.primary_key]

    def _scalar(self, data_type: str) -> GraphQLScalarType:
        return self.registry.column_scalar(data_type)

    def _input(
        self, name: str, fields: dict[str, GraphQLInputField], description: str
    ) -> GraphQLInputObjectType:
        if self.registry.has(name):
            return self.registry.get(name)  # type: ignore[return-value]
        return self.registry.add(GraphQLInputObjectType(name, fields, description=description))

    def _enum(self, name: str, values: dict[str, GraphQLEnumValue], description: str) -> GraphQLEnumType:
        if self.registry.has(name):
            return self.registry.get(name)  # type: ignore[return-value]
        return self.registry.add(GraphQLEnumType(name, values, description=description))


def _listed(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{column}"' for column in columns)
