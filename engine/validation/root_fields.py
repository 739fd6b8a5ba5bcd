"""Root field collisions across tables, actions and remote schemas.

Healthy objects claim root field names in a fixed order (source namespaces and tables, source by
source; then actions; then remote schemas, after their customization). An object whose claim is
already taken is inconsistent and claims nothing: ``remote-schema-conflicts`` for a remote schema,
``already-exists`` otherwise. Names under a source namespace only meet the same source's names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import GraphQLSchema

from engine.errors import Code
from engine.metadata import Action, RemoteSchema, Source
from engine.metadata.reader import child_path
from engine.naming import (
    BY_PK_ROOT_FIELDS,
    MUTATION_ROOT_FIELDS,
    QUERY_ROOT_FIELDS,
    custom_root_field_name,
    remote_field_name,
    remote_namespace,
    source_namespace,
    source_root_field_name,
    table_root_fields,
)
from engine.validation.objects import (
    MetadataObject,
    Problem,
    action_object,
    quoted,
    remote_schema_object,
    source_object,
    table_object,
)
from engine.validation.state import TrackedTable, ValidationState

QUERY = "query"
MUTATION = "mutation"
TOP_LEVEL = ""


@dataclass(frozen=True)
class Claim:
    """A root field name claimed under an operation type, at the top level or in a namespace."""

    operation: str
    scope: str
    name: str
    path: str

    @property
    def key(self) -> tuple[str, str, str]:
        """What two claims must not share."""
        return (self.operation, self.scope, self.name)


@dataclass(frozen=True)
class Claimant:
    """An object with the root field names it claims."""

    obj: MetadataObject
    description: str
    claims: tuple[Claim, ...]
    code: str = Code.ALREADY_EXISTS


def check_root_fields(state: ValidationState) -> None:
    """Report every healthy object whose root field names are already taken."""
    taken: dict[tuple[str, str, str], str] = {}
    for claimant in claimants(state):
        conflicts = [claim for claim in claimant.claims if claim.key in taken]
        if conflicts:
            state.record(
                claimant.obj, [conflict_problem(claimant, claim, taken[claim.key]) for claim in conflicts]
            )
            continue
        for claim in claimant.claims:
            taken[claim.key] = claimant.description


def conflict_problem(claimant: Claimant, claim: Claim, owner: str) -> Problem:
    """A claim already taken by ``owner``."""
    where = f" in namespace {quoted(claim.scope)}" if claim.scope else ""
    message = f"the {claim.operation} root field {quoted(claim.name)}{where} is already used by {owner}"
    return Problem(message, claimant.code, claim.path)


def claimants(state: ValidationState) -> Iterator[Claimant]:
    """Every healthy object that claims root fields, in claiming order."""
    for source, _ in state.sources.values():
        namespace = source_namespace(source.customization)
        if namespace:
            yield namespace_claimant(source, namespace)
        for tracked in state.tables.values():
            if tracked.source == source.name:
                yield table_claimant(source, tracked)
    for action in state.actions.values():
        yield action_claimant(action)
    for remote_schema in first_definitions(state.metadata.remote_schemas):
        schema = state.remote_schemas.get(remote_schema.name)
        if schema is not None:
            yield remote_schema_claimant(remote_schema, schema)


def first_definitions(remote_schemas: tuple[RemoteSchema, ...]) -> list[RemoteSchema]:
    """Each remote schema's first definition (later ones are duplicates)."""
    found: dict[str, RemoteSchema] = {}
    for remote_schema in remote_schemas:
        found.setdefault(remote_schema.name, remote_schema)
    return list(found.values())


def namespace_claimant(source: Source, namespace: str) -> Claimant:
    """A source that nests its root fields under one namespace field."""
    path = "$.customization.root_fields.namespace"
    claims = tuple(Claim(operation, TOP_LEVEL, namespace, path) for operation in (QUERY, MUTATION))
    return Claimant(source_object(source), f"the namespace of source {quoted(source.name)}", claims)


def table_claimant(source: Source, tracked: TrackedTable) -> Claimant:
    """A tracked table and the root fields it gets.

    ``*_by_pk`` fields need a primary key; views get no mutations (whether PostgreSQL could write
    through a view is not in the catalog).
    """
    names = table_root_fields(tracked.metadata)
    scope = source_namespace(source.customization) or TOP_LEVEL
    mutations = () if tracked.info.is_view else MUTATION_ROOT_FIELDS
    claims = tuple(
        Claim(
            QUERY if kind in QUERY_ROOT_FIELDS else MUTATION,
            scope,
            source_root_field_name(source.customization, names[kind]),
            root_field_path(tracked, kind),
        )
        for kind in (*QUERY_ROOT_FIELDS, *mutations)
        if tracked.info.primary_key or kind not in BY_PK_ROOT_FIELDS
    )
    description = f"table {quoted(tracked.name)} in source {quoted(tracked.source)}"
    return Claimant(table_object(tracked.source, tracked.metadata), description, claims)


def root_field_path(tracked: TrackedTable, kind: str) -> str:
    """Where a table root field's name comes from."""
    if custom_root_field_name(tracked.metadata, kind):
        return child_path("$.configuration.custom_root_fields", kind)
    if tracked.metadata.custom_name:
        return "$.configuration.custom_name"
    return "$.table"


def action_claimant(action: Action) -> Claimant:
    """An action's root field: a query, or a mutation (an asynchronous one also has a query)."""
    definition = action.definition
    operations = [QUERY] if definition.type == QUERY else [MUTATION]
    if definition.kind == "asynchronous" and definition.type == MUTATION:
        operations.append(QUERY)
    claims = tuple(Claim(operation, TOP_LEVEL, action.name, "$.name") for operation in operations)
    return Claimant(action_object(action), f"action {quoted(action.name)}", claims)


def remote_schema_claimant(remote_schema: RemoteSchema, schema: GraphQLSchema) -> Claimant:
    """A remote schema's root fields after customization, or its namespace field."""
    customization = remote_schema.definition.customization
    namespace = remote_namespace(customization)
    claims: list[Claim] = []
    for operation, root in ((QUERY, schema.query_type), (MUTATION, schema.mutation_type)):
        if root is None:
            continue
        if namespace:
            claims.append(
                Claim(operation, TOP_LEVEL, namespace, "$.definition.customization.root_fields_namespace")
            )
        else:
            claims += [
                Claim(
                    operation, TOP_LEVEL, remote_field_name(customization, root.name, field), "$.definition"
                )
                for field in root.fields
            ]
    description = f"remote schema {quoted(remote_schema.name)}"
    return Claimant(
        remote_schema_object(remote_schema), description, tuple(claims), Code.REMOTE_SCHEMA_CONFLICTS
    )
