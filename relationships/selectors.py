"""Reads for the GraphQL endpoint: the metadata in force, its consistent part, and each role's schema.

The state is built once per ``resource_version`` and kept for the process. Every request checks the
version (with the time it was set, which tells apart two stores that reached the same number) in one
small query, so a change committed by any server process is served from the next request on.
Inconsistent objects (and whatever depends on them) are left out of the schema.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from engine.dependencies import Dependent, drop_dependents
from engine.environment import Environment
from engine.lru import LruCache
from engine.metadata import Metadata
from engine.schema import GatewaySchema, build_gateway_schema
from engine.validation import Inconsistency, validate_metadata
from relationships import store
from relationships.environment import EnvironmentCache

# A metadata write may land between reading the version and reading the rows; read again then.
MAX_READ_ATTEMPTS = 5
# Role names come from requests: keep the schemas of the most recently used ones only.
ROLE_SCHEMAS = 64


@dataclass
class GatewayState:
    """The metadata of one ``resource_version`` and the schemas built from it, per role."""

    version: tuple[int, datetime]
    metadata: Metadata
    consistent: Metadata
    environment: Environment
    inconsistencies: list[Inconsistency]
    _schemas: LruCache[GatewaySchema] = field(default_factory=lambda: LruCache(ROLE_SCHEMAS))

    def schema_for(self, role: str) -> GatewaySchema:
        """The schema ``role`` sees (built on first use)."""
        return self._schemas.get_or_build(
            role, lambda: build_gateway_schema(self.consistent, self.environment, role)
        )


_lock = threading.Lock()
_current: GatewayState | None = None


def current_version() -> tuple[int, datetime]:
    """The ``resource_version`` of the stored metadata and when it was set (one query)."""
    state = store.load_state()
    return state.resource_version, state.updated_at


def gateway_state() -> GatewayState:
    """The state for the stored metadata, rebuilt when its version has moved."""
    global _current
    version = current_version()
    current = _current
    if current is not None and current.version == version:
        return current
    with _lock:
        if _current is None or _current.version != version:
            _current = _build_state()
        return _current


def _build_state() -> GatewayState:
    for _ in range(MAX_READ_ATTEMPTS):
        version = current_version()
        metadata = store.load_metadata()
        introspections = store.load_introspections()
        if current_version() == version:
            break
    environment = EnvironmentCache(introspections).for_metadata(metadata)
    inconsistencies = validate_metadata(metadata, environment)
    dropped = [Dependent(item.object_id, item.reason) for item in inconsistencies]
    consistent = drop_dependents(metadata, dropped)
    return GatewayState(version, metadata, consistent, environment, inconsistencies)
