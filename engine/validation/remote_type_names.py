"""Type names a remote schema brings into the gateway must be free (reference §1.13 item 6).

A remote schema's types, after customization, must not take the name of a table type (or of the
types derived from it: ``<table>_bool_exp``, ``<table>_insert_input`` ...), of a custom type, of a
root or built-in gateway type, or of a type an earlier remote schema brought. Scalars may share a
name: a scalar passes its values through wherever it comes from. A remote schema whose names are
taken is inconsistent (``remote-schema-conflicts``); customization (a prefix, a mapping) frees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLScalarType, GraphQLSchema

from engine.errors import Code
from engine.metadata import RemoteSchema
from engine.naming import remote_type_names, table_graphql_name
from engine.schema.naming import source_type_name
from engine.validation.objects import Problem, quoted, remote_schema_object
from engine.validation.root_fields import first_definitions
from engine.validation.state import ValidationState

CUSTOMIZATION_PATH = "$.definition.customization.type_names"
GATEWAY_TYPES = ("query_root", "mutation_root", "subscription_root", "order_by", "cursor_ordering")
AGGREGATE_FUNCTIONS = (
    "avg",
    "max",
    "min",
    "sum",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "var_pop",
    "var_samp",
    "variance",
)
# The types Hasura derives from a table type ``<table>``, named ``<table>_<suffix>``.
TABLE_TYPE_SUFFIXES = (
    "bool_exp",
    "order_by",
    "select_column",
    "aggregate",
    "aggregate_fields",
    "aggregate_order_by",
    *(f"{function}_{kind}" for function in AGGREGATE_FUNCTIONS for kind in ("fields", "order_by")),
    "insert_input",
    "obj_rel_insert_input",
    "arr_rel_insert_input",
    "on_conflict",
    "constraint",
    "update_column",
    "set_input",
    "inc_input",
    "pk_columns_input",
    "mutation_response",
    "updates",
    "append_input",
    "prepend_input",
    "delete_key_input",
    "delete_elem_input",
    "delete_at_path_input",
    "stream_cursor_input",
    "stream_cursor_value_input",
)


def check_remote_type_names(state: ValidationState) -> None:
    """Report every healthy remote schema bringing a type name that is already taken."""
    reported = {inconsistency.object_id for inconsistency in state.found}
    owners = dict(_gateway_names(state))
    suffixed = re.compile(r"^(?P<table>.+)_(?:" + "|".join(map(re.escape, TABLE_TYPE_SUFFIXES)) + r")$")
    tables = {name for name, owner in owners.items() if owner.startswith("table")}
    for remote_schema in first_definitions(state.metadata.remote_schemas):
        schema = state.remote_schemas.get(remote_schema.name)
        obj = remote_schema_object(remote_schema)
        if schema is None or obj.object_id in reported:
            continue
        taken = list(_taken(remote_schema, schema, owners, tables, suffixed))
        if state.record(obj, taken):
            _claim(remote_schema, schema, owners)


def _gateway_names(state: ValidationState) -> Iterator[tuple[str, str]]:
    for name in GATEWAY_TYPES:
        yield name, "the gateway"
    for tracked in state.tables.values():
        source = state.sources[tracked.source][0]
        yield (
            source_type_name(source.customization, table_graphql_name(tracked.metadata)),
            (f"table {quoted(tracked.name)} in source {quoted(tracked.source)}"),
        )
    for name in state.custom_types.type_names():
        yield name, f"custom type {quoted(name)}"


def _taken(
    remote_schema: RemoteSchema,
    schema: GraphQLSchema,
    owners: dict[str, str],
    tables: set[str],
    suffixed: re.Pattern[str],
) -> Iterator[Problem]:
    for original, name in remote_type_names(remote_schema.definition.customization, schema).items():
        if isinstance(schema.type_map[original], GraphQLScalarType):
            continue
        owner = owners.get(name)
        if owner is None and tables and name.endswith("_comparison_exp"):
            owner = "the gateway"
        match = suffixed.match(name)
        if owner is None and match and match.group("table") in tables:
            owner = owners[match.group("table")]
        if owner is not None:
            message = f"the type name {quoted(name)} of remote schema {quoted(remote_schema.name)} is already used by {owner}"
            yield Problem(message, Code.REMOTE_SCHEMA_CONFLICTS, CUSTOMIZATION_PATH)


def _claim(remote_schema: RemoteSchema, schema: GraphQLSchema, owners: dict[str, str]) -> None:
    for original, name in remote_type_names(remote_schema.definition.customization, schema).items():
        if not isinstance(schema.type_map[original], GraphQLScalarType):
            owners.setdefault(name, f"remote schema {quoted(remote_schema.name)}")
