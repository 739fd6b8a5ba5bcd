"""Metadata validation: Hasura's "schema cache build" consistency check, as a pure function.

``validate_metadata(metadata, environment)`` checks every object against the live facts (database
catalogs, remote schemas, environment variables) and returns every inconsistency found, in a
deterministic order. Objects are checked in dependency order; an object whose parent is
inconsistent is not checked, and an object that refers to a missing or inconsistent object is
itself inconsistent.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.environment import Environment
from engine.metadata import Metadata
from engine.validation.actions import check_actions
from engine.validation.custom_type_joins import check_custom_type_joins
from engine.validation.custom_types import check_custom_types
from engine.validation.database import check_sources, check_tables
from engine.validation.local_relationships import check_local_relationships
from engine.validation.objects import (
    Inconsistency,
    ObjectId,
    Problem,
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
from engine.validation.permissions import check_permissions
from engine.validation.remote_relationships import (
    check_remote_relationships,
    check_remote_relationships_to_actions,
)
from engine.validation.remote_schema_permissions import check_remote_schema_permissions
from engine.validation.remote_schema_relationships import (
    RemoteTypeInferenceError,
    check_remote_schema_relationships,
    check_remote_schema_relationships_to_actions,
    infer_remote_relationship_type,
)
from engine.validation.remote_schemas import check_remote_schemas
from engine.validation.remote_type_names import check_remote_type_names
from engine.validation.root_fields import check_root_fields
from engine.validation.state import ValidationState

STEPS: tuple[Callable[[ValidationState], None], ...] = (
    check_sources,
    check_tables,
    check_local_relationships,
    check_remote_schemas,
    check_remote_schema_permissions,
    check_remote_relationships,
    check_permissions,
    check_remote_schema_relationships,
    check_custom_types,
    check_actions,
    check_remote_relationships_to_actions,
    check_remote_schema_relationships_to_actions,
    check_custom_type_joins,
    check_root_fields,
    check_remote_type_names,
)


def validate_metadata(metadata: Metadata, environment: Environment) -> list[Inconsistency]:
    """Every inconsistency of ``metadata`` given what exists in ``environment``."""
    state = ValidationState(metadata, environment)
    for step in STEPS:
        step(state)
    return state.found


__all__ = [
    "Inconsistency",
    "ObjectId",
    "Problem",
    "RemoteTypeInferenceError",
    "action_id",
    "action_permission_id",
    "custom_type_relationship_id",
    "custom_types_id",
    "infer_remote_relationship_type",
    "permission_id",
    "relationship_id",
    "remote_relationship_id",
    "remote_schema_id",
    "remote_schema_permission_id",
    "remote_schema_relationship_id",
    "source_id",
    "table_id",
    "validate_metadata",
]
