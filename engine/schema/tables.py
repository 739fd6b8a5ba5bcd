"""GraphQL types of tracked tables: the row type, its filter, ordering, column enum and aggregate types.

For a table type ``author`` this registers ``author``, ``author_bool_exp``, ``author_order_by``,
``author_select_column``, and when the role may aggregate, ``author_aggregate``,
``author_aggregate_fields``, ``author_<fn>_fields`` and the matching ``*_order_by`` inputs. Types of
related tables are looked up lazily (thunks), so tables may refer to each other in cycles. A table's
remote relationships (to other sources, remote schemas and actions) come from ``remote_fields``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
)

from engine.schema import naming
from engine.schema.model import (
    ColumnField,
    ColumnModel,
    FieldRole,
    RelationshipField,
    RelationshipModel,
    TableModel,
)
from engine.schema.registry import TypeRegistry
from engine.schema.scalars import is_comparable, is_numeric
from engine.sources import SQLITE

SQLITE_FUNCTIONS = ("avg", "max", "min", "sum")
ALL_FUNCTIONS = (*naming.STATISTIC_FUNCTIONS, *naming.ORDERED_FUNCTIONS, naming.SUM_FUNCTION)


def aggregate_functions(model: TableModel) -> list[str]:
    """The aggregate functions offered on a table that have at least one column to apply to, sorted."""
    offered = SQLITE_FUNCTIONS if model.source.kind == SQLITE else ALL_FUNCTIONS
    return sorted(function for function in offered if function_columns(model, function))


def function_columns(model: TableModel, function: str) -> list[ColumnModel]:
    """The columns an aggregate function applies to."""
    applies = is_comparable if function in naming.ORDERED_FUNCTIONS else is_numeric
    return [column for column in model.columns if applies(column.data_type)]


class TableTypes:
    """Builds and registers the types of every table model of one role."""

    def __init__(
        self,
        registry: TypeRegistry,
        models: Mapping[str, TableModel],
        roles: dict[tuple[str, str], FieldRole],
        remote_fields: Callable[[TableModel], dict[str, GraphQLField]] | None = None,
    ) -> None:
        self.registry = registry
        self.models = models
        self.roles = roles
        self.remote_fields = remote_fields

    def build_all(self) -> None:
        """Register the types of every model."""
        for model in self.models.values():
            self._build(model)

    def object_type(self, type_name: str) -> GraphQLObjectType:
        """The row type of a table."""
        found = self.registry.get(type_name)
        assert isinstance(found, GraphQLObjectType)
        return found

    def rows_type(self, type_name: str) -> GraphQLOutputType:
        """``[author!]!``."""
        return GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(type_name))))

    def aggregate_type(self, type_name: str) -> GraphQLOutputType:
        """``author_aggregate!``."""
        found = self.registry.get(naming.aggregate_name(type_name))
        assert isinstance(found, GraphQLObjectType)
        return GraphQLNonNull(found)

    def select_arguments(self, type_name: str) -> dict[str, GraphQLArgument]:
        """``distinct_on``, ``limit``, ``offset``, ``order_by`` and ``where`` of a table selection."""
        return {
            "distinct_on": GraphQLArgument(
                GraphQLList(GraphQLNonNull(self._input(naming.select_column_name(type_name)))),
                description="distinct select on columns",
            ),
            "limit": GraphQLArgument(GraphQLInt, description="limit the number of rows returned"),
            "offset": GraphQLArgument(
                GraphQLInt, description="skip the first n rows. Use only with order_by"
            ),
            "order_by": GraphQLArgument(
                GraphQLList(GraphQLNonNull(self._input(naming.order_by_name(type_name)))),
                description="sort the rows by one or more columns",
            ),
            "where": GraphQLArgument(
                self._input(naming.bool_exp_name(type_name)), description="filter the rows returned"
            ),
        }

    def primary_key_arguments(self, model: TableModel) -> dict[str, GraphQLArgument]:
        """One required argument per primary key column."""
        columns = model.columns_by_name
        return {
            columns[name].field_name: GraphQLArgument(
                GraphQLNonNull(self.registry.column_scalar(columns[name].data_type))
            )
            for name in model.primary_key
        }

    def _input(self, name: str) -> GraphQLInputObjectType | GraphQLEnumType:
        found = self.registry.get(name)
        assert isinstance(found, GraphQLInputObjectType | GraphQLEnumType)
        return found

    def _build(self, model: TableModel) -> None:
        name = model.type_name
        self._record_roles(model)
        self.registry.add(
            GraphQLObjectType(
                name, lambda: self._row_fields(model), description=f'columns and relationships of "{name}"'
            )
        )
        self.registry.add(self._bool_exp(model))
        self.registry.add(self._order_by(model))
        self.registry.add(self._select_column(model))
        if model.access.allow_aggregations:
            self._build_aggregates(model)

    def _record_roles(self, model: TableModel) -> None:
        for column in model.columns:
            self.roles[(model.type_name, column.field_name)] = ColumnField(column)
        for relationship in model.relationships:
            self.roles[(model.type_name, relationship.name)] = RelationshipField(relationship)
            if self._aggregates_allowed(relationship):
                self.roles[(model.type_name, naming.aggregate_field_name(relationship.name))] = (
                    RelationshipField(relationship, aggregate=True)
                )

    def _aggregates_allowed(self, relationship: RelationshipModel) -> bool:
        return relationship.kind == "array" and self.models[relationship.target].access.allow_aggregations

    def _row_fields(self, model: TableModel) -> dict[str, GraphQLField]:
        fields = {column.field_name: GraphQLField(self._column_type(column)) for column in model.columns}
        for relationship in model.relationships:
            fields.update(self._relationship_fields(relationship))
        if self.remote_fields is not None:
            fields.update(self.remote_fields(model))
        return fields

    def _column_type(self, column: ColumnModel) -> GraphQLOutputType:
        scalar = self.registry.column_scalar(column.data_type)
        return scalar if column.nullable else GraphQLNonNull(scalar)

    def _relationship_fields(self, relationship: RelationshipModel) -> dict[str, GraphQLField]:
        target = relationship.target
        if relationship.kind == "object":
            row = self.object_type(target)
            row_type = row if relationship.nullable else GraphQLNonNull(row)
            return {relationship.name: GraphQLField(row_type, description="An object relationship")}
        fields = {
            relationship.name: GraphQLField(
                self.rows_type(target), self.select_arguments(target), description="An array relationship"
            )
        }
        if self._aggregates_allowed(relationship):
            fields[naming.aggregate_field_name(relationship.name)] = GraphQLField(
                self.aggregate_type(target),
                self.select_arguments(target),
                description="An aggregate relationship",
            )
        return fields

    def _bool_exp(self, model: TableModel) -> GraphQLInputObjectType:
        name = naming.bool_exp_name(model.type_name)
        return GraphQLInputObjectType(
            name,
            lambda: self._bool_exp_fields(model, name),
            description=f'Boolean expression to filter rows from the table "{model.type_name}". '
            "All fields are combined with a logical 'AND'.",
        )

    def _bool_exp_fields(self, model: TableModel, name: str) -> dict[str, GraphQLInputField]:
        itself = self._input(name)
        fields = {
            "_and": GraphQLInputField(GraphQLList(GraphQLNonNull(itself))),
            "_not": GraphQLInputField(itself),
            "_or": GraphQLInputField(GraphQLList(GraphQLNonNull(itself))),
        }
        for column in model.columns:
            fields[column.field_name] = GraphQLInputField(self.registry.comparison_exp(column.data_type))
        for relationship in model.relationships:
            fields[relationship.name] = GraphQLInputField(
                self._input(naming.bool_exp_name(relationship.target))
            )
        return fields

    def _order_by(self, model: TableModel) -> GraphQLInputObjectType:
        return GraphQLInputObjectType(
            naming.order_by_name(model.type_name),
            lambda: self._order_by_fields(model),
            description=f'Ordering options when selecting data from "{model.type_name}".',
        )

    def _order_by_fields(self, model: TableModel) -> dict[str, GraphQLInputField]:
        order_by = self.registry.order_by()
        fields = {column.field_name: GraphQLInputField(order_by) for column in model.columns}
        for relationship in model.relationships:
            if relationship.kind == "object":
                fields[relationship.name] = GraphQLInputField(
                    self._input(naming.order_by_name(relationship.target))
                )
            elif self._aggregates_allowed(relationship):
                fields[naming.aggregate_field_name(relationship.name)] = GraphQLInputField(
                    self._input(naming.aggregate_order_by_name(relationship.target))
                )
        return fields

    def _select_column(self, model: TableModel) -> GraphQLEnumType:
        values = {
            column.field_name: GraphQLEnumValue(column.name, description="column name")
            for column in model.columns
        }
        return GraphQLEnumType(
            naming.select_column_name(model.type_name),
            values,
            description=f'select columns of table "{model.type_name}"',
        )

    def _build_aggregates(self, model: TableModel) -> None:
        name = model.type_name
        functions = aggregate_functions(model)
        for function in functions:
            self.registry.add(self._function_fields(model, function))
            self.registry.add(self._function_order_by(model, function))
        self.registry.add(self._aggregate_fields(model, functions))
        self.registry.add(self._aggregate_order_by(model, functions))
        self.registry.add(
            GraphQLObjectType(
                naming.aggregate_name(name),
                lambda: {
                    "aggregate": GraphQLField(self.registry.get(naming.aggregate_fields_name(name))),  # type: ignore[arg-type]
                    "nodes": GraphQLField(self.rows_type(name)),
                },
                description=f'aggregated selection of "{name}"',
            )
        )

    def _aggregate_fields(self, model: TableModel, functions: list[str]) -> GraphQLObjectType:
        name = model.type_name

        def fields() -> dict[str, GraphQLField]:
            count_args = {
                "columns": GraphQLArgument(
                    GraphQLList(GraphQLNonNull(self._input(naming.select_column_name(name))))
                ),
                "distinct": GraphQLArgument(GraphQLBoolean),
            }
            out = {"count": GraphQLField(GraphQLNonNull(GraphQLInt), count_args)}
            for function in functions:
                out[function] = GraphQLField(self.registry.get(naming.function_fields_name(name, function)))  # type: ignore[arg-type]
            return dict(sorted(out.items()))

        return GraphQLObjectType(
            naming.aggregate_fields_name(name), fields, description=f'aggregate fields of "{name}"'
        )

    def _function_fields(self, model: TableModel, function: str) -> GraphQLObjectType:
        def fields() -> dict[str, GraphQLField]:
            return {
                column.field_name: GraphQLField(self._function_result(function, column))
                for column in function_columns(model, function)
            }

        return GraphQLObjectType(
            naming.function_fields_name(model.type_name, function),
            fields,
            description=f"aggregate {function} on columns",
        )

    def _function_result(self, function: str, column: ColumnModel) -> GraphQLOutputType:
        if function in naming.STATISTIC_FUNCTIONS:
            return GraphQLFloat
        return self.registry.column_scalar(column.data_type)

    def _function_order_by(self, model: TableModel, function: str) -> GraphQLInputObjectType:
        def fields() -> dict[str, GraphQLInputField]:
            order_by = self.registry.order_by()
            return {
                column.field_name: GraphQLInputField(order_by) for column in function_columns(model, function)
            }

        return GraphQLInputObjectType(
            naming.function_order_by_name(model.type_name, function),
            fields,
            description=f'order by {function}() on columns of table "{model.type_name}"',
        )

    def _aggregate_order_by(self, model: TableModel, functions: list[str]) -> GraphQLInputObjectType:
        name = model.type_name

        def fields() -> dict[str, GraphQLInputField]:
            out = {"count": GraphQLInputField(self.registry.order_by())}
            for function in functions:
                out[function] = GraphQLInputField(self._input(naming.function_order_by_name(name, function)))
            return dict(sorted(out.items()))

        return GraphQLInputObjectType(
            naming.aggregate_order_by_name(name),
            fields,
            description=f'order by aggregate values of table "{name}"',
        )
