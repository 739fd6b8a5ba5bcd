"""Names of the GraphQL types derived from a table type or a scalar, as Hasura spells them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STATISTIC_FUNCTIONS = ("avg", "stddev", "stddev_pop", "stddev_samp", "var_pop", "var_samp", "variance")
ORDERED_FUNCTIONS = ("max", "min")
SUM_FUNCTION = "sum"
QUERY_ROOT = "query_root"
MUTATION_ROOT = "mutation_root"
ORDER_BY_ENUM = "order_by"
AGGREGATE_SUFFIX = "_aggregate"


def bool_exp_name(type_name: str) -> str:
    """``author_bool_exp``."""
    return f"{type_name}_bool_exp"


def order_by_name(type_name: str) -> str:
    """``author_order_by``."""
    return f"{type_name}_order_by"


def select_column_name(type_name: str) -> str:
    """``author_select_column``."""
    return f"{type_name}_select_column"


def aggregate_name(type_name: str) -> str:
    """``author_aggregate``: the type of an aggregate field."""
    return f"{type_name}_aggregate"


def aggregate_fields_name(type_name: str) -> str:
    """``author_aggregate_fields``."""
    return f"{type_name}_aggregate_fields"


def function_fields_name(type_name: str, function: str) -> str:
    """``author_max_fields``."""
    return f"{type_name}_{function}_fields"


def aggregate_order_by_name(type_name: str) -> str:
    """``author_aggregate_order_by``."""
    return f"{type_name}_aggregate_order_by"


def function_order_by_name(type_name: str, function: str) -> str:
    """``author_max_order_by``."""
    return f"{type_name}_{function}_order_by"


def comparison_exp_name(scalar: str) -> str:
    """``Int_comparison_exp``."""
    return f"{scalar}_comparison_exp"


def aggregate_field_name(relationship: str) -> str:
    """``articles_aggregate``: the aggregate sibling of an array relationship."""
    return f"{relationship}{AGGREGATE_SUFFIX}"


def namespace_type_name(customization: Mapping[str, Any] | None, namespace: str) -> str:
    """``<namespace>_query`` (with the source's type name prefix and suffix): a namespace field's type."""
    return source_type_name(customization, f"{namespace}_query")


def source_type_name(customization: Mapping[str, Any] | None, name: str) -> str:
    """A type name with the source's ``type_names`` prefix and suffix.

    Applied to table types (and so to the names derived from them) and namespace types; Hasura also
    applies it to each derived name and to the comparison types, which only a suffix tells apart.
    """
    type_names = (customization or {}).get("type_names") or {}
    return f"{type_names.get('prefix') or ''}{name}{type_names.get('suffix') or ''}"
