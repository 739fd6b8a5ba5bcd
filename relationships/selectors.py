"""Reads for the GraphQL endpoint: the metadata in force, its consistent part, and each role's schema.

The state is built once per ``resource_version`` and kept for the process. Every request checks the
version (with the time it was set, which tells apart two stores that reached the same number) in one
small query, so a change committed by any server process is served from the next request on.
Inconsistent objects (and whatever depends on them) are left out of the schema. The
``REMOTE_SCHEMA_PERMISSIONS`` setting reaches the engine here, as a flag of the schema builder.

Once a state has been served unchanged for ``SETTLE_AFTER_S``, the objects alive then (the state, the
schemas built so far, the server's own modules) are frozen out of the garbage collector's reach, and
its youngest generation is collected every ``YOUNG_GENERATION`` new objects rather than 700: an answer
of thousands of objects would otherwise set off dozens of collections, each walking it (and, for the
full ones, everything else) again.

Outages do not stick: while the metadata database cannot be reached, the state last read is served;
a state built while a source could not be reached tries that source again every ``SOURCE_RETRY_S``
(one request at a time, the others keep being served) and is rebuilt as soon as it answers.
"""

from __future__ import annotations

import functools
import gc
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection

from engine.dependencies import Dependent, drop_dependents
from engine.environment import Environment
from engine.lru import LruCache
from engine.metadata import Metadata
from engine.schema import GatewaySchema, build_gateway_schema
from engine.validation import Inconsistency, validate_metadata
from relationships import models, store
from relationships.environment import EnvironmentCache

# A metadata write may land between reading the version and reading the rows; read again then.
MAX_READ_ATTEMPTS = 5
# Role names come from requests: keep the schemas of the most recently used ones only.
ROLE_SCHEMAS = 64
# How often a state missing an unreachable source checks whether it answers again.
SOURCE_RETRY_S = 0.25
# How long a state is served unchanged before its objects are frozen out of garbage collection.
SETTLE_AFTER_S = 1.0
# Container objects allocated between two collections of the youngest generation.
YOUNG_GENERATION = 10_000


@dataclass
class GatewayState:
    """The metadata of one ``resource_version`` and the schemas built from it, per role."""

    version: tuple[int, datetime]
    metadata: Metadata
    consistent: Metadata
    environment: Environment
    inconsistencies: list[Inconsistency]
    # When to check again on the sources that could not be reached (None: every source was read).
    retry_at: float | None = None
    _schemas: LruCache[GatewaySchema] = field(default_factory=lambda: LruCache(ROLE_SCHEMAS))

    def schema_for(self, role: str) -> GatewaySchema:
        """The schema ``role`` sees (built on first use), under the current remote schema permission setting."""
        enforced = bool(settings.REMOTE_SCHEMA_PERMISSIONS)
        return self._schemas.get_or_build(
            (role, enforced),
            lambda: build_gateway_schema(
                self.consistent, self.environment, role, remote_schema_permissions=enforced
            ),
        )


_lock = threading.Lock()
_current: GatewayState | None = None


def current_version() -> tuple[int, datetime]:
    """The ``resource_version`` of the stored metadata and when it was set (one query).

    Asked on every request, so the ORM compiles the statement once and it then runs as it is; the
    time comes as the database driver returns it, which is all comparing two versions needs.
    """
    statement, params = _version_statement(connection.vendor)
    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute(statement, params)
            row = cursor.fetchone()
            if row is not None:
                return row[0], row[1]
            store.load_state()  # creates the row on first use
    raise DatabaseError("the metadata state row cannot be read")


@functools.cache
def _version_statement(vendor: str) -> tuple[str, tuple[object, ...]]:
    rows = models.MetadataState.objects.order_by("id").values_list("resource_version", "updated_at")
    return rows[:1].query.sql_with_params()


def gateway_state() -> GatewayState:
    """The state for the stored metadata, rebuilt when its version has moved."""
    global _current
    current = _current
    try:
        version = current_version()
    except DatabaseError:
        # The metadata database is away: serve the metadata read last until it answers again.
        if current is None:
            raise
        return current
    if current is not None and current.version == version:
        return _settled(_with_returned_sources(current))
    with _lock:
        if _current is None or _current.version != version:
            _current = _build_state()
        return _current


_settling = threading.Lock()
# The state served since when, and the state whose objects were frozen last (weakly: never kept alive).
_serving: tuple[weakref.ref[GatewayState], float] | None = None
_frozen: weakref.ref[GatewayState] | None = None


def _settled(state: GatewayState) -> GatewayState:
    """``state``; its objects are frozen out of garbage collection once it has been served a while."""
    global _serving, _frozen
    if _frozen is not None and _frozen() is state:
        return state
    now = time.monotonic()
    serving = _serving
    if serving is None or serving[0]() is not state:
        _serving = (weakref.ref(state), now)
        return state
    if now - serving[1] < SETTLE_AFTER_S or not _settling.acquire(blocking=False):
        return state
    try:
        _frozen = weakref.ref(state)
        gc.unfreeze()  # what earlier states left behind can be collected now
        gc.collect()
        gc.freeze()
        gc.set_threshold(YOUNG_GENERATION, *gc.get_threshold()[1:])
    finally:
        _settling.release()
    return state


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
    retry_at = time.monotonic() + SOURCE_RETRY_S if environment.source_errors else None
    return GatewayState(version, metadata, consistent, environment, inconsistencies, retry_at)


def _with_returned_sources(current: GatewayState) -> GatewayState:
    """``current``, or a state built anew because a source it could not reach answers now."""
    global _current
    if current.retry_at is None or time.monotonic() < current.retry_at or not _lock.acquire(blocking=False):
        return current
    try:
        if _current is current:
            if _any_source_answers(current):
                _current = _build_state()
            else:
                current.retry_at = time.monotonic() + SOURCE_RETRY_S
        return _current or current
    finally:
        _lock.release()


def _any_source_answers(state: GatewayState) -> bool:
    """Whether a source that could not be read when ``state`` was built can be read now."""
    cache = EnvironmentCache()
    unread = [source for source in state.metadata.sources if source.name in state.environment.source_errors]
    return any(not isinstance(cache.catalog(source), str) for source in unread)
