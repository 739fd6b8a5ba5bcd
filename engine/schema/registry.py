"""The named GraphQL types of one schema being built, each created once: scalars, comparison inputs, enums."""

from __future__ import annotations

from typing import TypeVar

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLString,
)

from engine.schema import naming
from engine.schema.scalars import BUILTIN_SCALARS, is_text, passthrough_scalar, scalar_name

T = TypeVar("T", bound=GraphQLNamedType)

ORDER_BY_VALUES = {
    "asc": "in ascending order, nulls last",
    "asc_nulls_first": "in ascending order, nulls first",
    "asc_nulls_last": "in ascending order, nulls last",
    "desc": "in descending order, nulls first",
    "desc_nulls_first": "in descending order, nulls first",
    "desc_nulls_last": "in descending order, nulls last",
}
VALUE_OPERATORS = ("_eq", "_gt", "_gte", "_lt", "_lte", "_neq")
LIST_OPERATORS = ("_in", "_nin")
TEXT_OPERATORS = (
    "_ilike",
    "_iregex",
    "_like",
    "_nilike",
    "_niregex",
    "_nlike",
    "_nregex",
    "_nsimilar",
    "_regex",
    "_similar",
)


class TypeRegistry:
    """Named types by name; asking twice for the same scalar or input type returns the same object."""

    def __init__(self) -> None:
        self.types: dict[str, GraphQLNamedType] = {}

    def add(self, graphql_type: T) -> T:
        """Register a new named type."""
        if graphql_type.name in self.types:
            raise ValueError(f"type {graphql_type.name!r} is defined twice")
        self.types[graphql_type.name] = graphql_type
        return graphql_type

    def get(self, name: str) -> GraphQLNamedType:
        """A registered type by name."""
        return self.types[name]

    def has(self, name: str) -> bool:
        """True when a type of that name is registered."""
        return name in self.types

    def scalar(self, name: str) -> GraphQLScalarType:
        """A built-in scalar, or a pass-through scalar of that name (created on first use)."""
        if name in BUILTIN_SCALARS:
            return BUILTIN_SCALARS[name]
        existing = self.types.get(name)
        if isinstance(existing, GraphQLScalarType):
            return existing
        return self.add(passthrough_scalar(name))

    def column_scalar(self, data_type: str) -> GraphQLScalarType:
        """The scalar of a database column type."""
        return self.scalar(scalar_name(data_type))

    def comparison_exp(self, data_type: str) -> GraphQLInputObjectType:
        """``<scalar>_comparison_exp``: the operators a column of ``data_type`` can be filtered with."""
        scalar = self.column_scalar(data_type)
        name = naming.comparison_exp_name(scalar.name)
        existing = self.types.get(name)
        if isinstance(existing, GraphQLInputObjectType):
            return existing
        return self.add(
            GraphQLInputObjectType(
                name,
                lambda: self._comparison_fields(scalar, data_type),
                description=f'Boolean expression to compare columns of type "{scalar.name}". '
                "All fields are combined with logical 'AND'.",
            )
        )

    def _comparison_fields(self, scalar: GraphQLScalarType, data_type: str) -> dict[str, GraphQLInputField]:
        fields = {op: GraphQLInputField(scalar) for op in VALUE_OPERATORS}
        fields.update({op: GraphQLInputField(GraphQLList(GraphQLNonNull(scalar))) for op in LIST_OPERATORS})
        fields["_is_null"] = GraphQLInputField(GraphQLBoolean)
        if is_text(data_type):
            fields.update({op: GraphQLInputField(GraphQLString) for op in TEXT_OPERATORS})
        if data_type == "jsonb":
            fields.update(self._json_fields(scalar))
        return dict(sorted(fields.items()))

    @staticmethod
    def _json_fields(scalar: GraphQLScalarType) -> dict[str, GraphQLInputField]:
        keys = GraphQLList(GraphQLNonNull(GraphQLString))
        return {
            "_contained_in": GraphQLInputField(
                scalar, description="is the column contained in the given json value"
            ),
            "_contains": GraphQLInputField(
                scalar, description="does the column contain the given json value at the top level"
            ),
            "_has_key": GraphQLInputField(
                GraphQLString, description="does the string exist as a top-level key in the column"
            ),
            "_has_keys_all": GraphQLInputField(
                keys, description="do all of these strings exist as top-level keys in the column"
            ),
            "_has_keys_any": GraphQLInputField(
                keys, description="do any of these strings exist as top-level keys in the column"
            ),
        }

    def order_by(self) -> GraphQLEnumType:
        """The ``order_by`` enum (asc, desc and their nulls first/last variants)."""
        existing = self.types.get(naming.ORDER_BY_ENUM)
        if isinstance(existing, GraphQLEnumType):
            return existing
        values = {name: GraphQLEnumValue(name, description=text) for name, text in ORDER_BY_VALUES.items()}
        return self.add(GraphQLEnumType(naming.ORDER_BY_ENUM, values, description="column ordering options"))
