"""Builds ``engine.Environment``: reads the live source catalogs and remote schema introspections.

One ``EnvironmentCache`` serves one metadata request (or one schema build): catalogs are read once
per distinct source configuration, and a remote schema is introspected only when no answer is known
yet (or a command asks for a fresh one). Fresh answers are kept so the caller can store them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLSchema

from engine.catalog import SourceCatalog, read_catalog
from engine.environment import Environment, MissingVariableError, configured_url, resolve_template
from engine.errors import Code, EngineError
from engine.headers import HeaderConfigError, remote_schema_request_headers, resolve_configured_headers
from engine.introspection import IntrospectionError, fetch_introspection, schema_from_introspection
from engine.metadata import Metadata, RemoteSchema, Source
from engine.sources import SourceError
from relationships.runtime import connection_provider, http_transport
from relationships.store import IntrospectionFailure

ADMIN_SESSION = {"x-hasura-role": "admin"}


class EnvironmentCache:
    """Live facts for the metadata of one request, read lazily and at most once each."""

    def __init__(self, stored_introspections: Mapping[str, Any] | None = None) -> None:
        self.stored_introspections = dict(stored_introspections or {})
        self.fresh_introspections: dict[str, Any] = {}
        self.environ: Mapping[str, str] = os.environ
        self._catalogs: dict[str, SourceCatalog | str] = {}
        self._schemas: dict[str, tuple[int, GraphQLSchema | str]] = {}

    def for_metadata(self, metadata: Metadata, *, fresh: Mapping[str, Any] | None = None) -> Environment:
        """The environment ``metadata`` is checked against.

        ``fresh`` replaces the introspection answers fetched during this request (the funnel passes
        the ones known before a command ran, to judge what the command newly broke).
        """
        catalogs: dict[str, SourceCatalog] = {}
        source_errors: dict[str, str] = {}
        for source in metadata.sources:
            found = self.catalog(source)
            if isinstance(found, str):
                source_errors[source.name] = found
            else:
                catalogs[source.name] = found
        schemas: dict[str, GraphQLSchema] = {}
        schema_errors: dict[str, str] = {}
        for remote_schema in metadata.remote_schemas:
            parsed = self.remote_schema(remote_schema, fresh=fresh)
            if isinstance(parsed, str):
                schema_errors[remote_schema.name] = parsed
            else:
                schemas[remote_schema.name] = parsed
        return Environment(catalogs, source_errors, schemas, schema_errors, dict(self.environ))

    def catalog(self, source: Source) -> SourceCatalog | str:
        """The source's catalog, or the reason it cannot be read."""
        key = json.dumps([source.name, source.kind, source.configuration], sort_keys=True, default=str)
        if key not in self._catalogs:
            self._catalogs[key] = self._read_catalog(source)
        return self._catalogs[key]

    def _read_catalog(self, source: Source) -> SourceCatalog | str:
        try:
            with connection_provider().connection(source) as conn:
                return read_catalog(conn, source.kind, source.name)
        except SourceError as error:
            return str(error)

    def introspect(self, remote_schema: RemoteSchema) -> Any:
        """Fetch the remote schema's introspection now; raise ``remote-schema-error`` on failure."""
        self._schemas.pop(remote_schema.name, None)
        try:
            raw = fetch_introspection(
                http_transport(),
                remote_schema_url(remote_schema, self.environ),
                remote_schema_headers(remote_schema, self.environ),
                remote_schema.definition.effective_timeout,
                configured_url(remote_schema.definition.url, remote_schema.definition.url_from_env),
            )
            schema_from_introspection(raw)
        except IntrospectionError as error:
            raise self._failed(
                remote_schema,
                EngineError(error.message, code=Code.REMOTE_SCHEMA_ERROR, internal=error.internal),
            )
        except (MissingVariableError, HeaderConfigError) as error:
            raise self._failed(remote_schema, EngineError(str(error), code=Code.INVALID_PARAMS))
        self.fresh_introspections[remote_schema.name] = raw
        return raw

    def _failed(self, remote_schema: RemoteSchema, error: EngineError) -> EngineError:
        """Remember a failed introspection, so it is stored and not retried within this request."""
        self.fresh_introspections[remote_schema.name] = IntrospectionFailure(error.message)
        return error

    def introspection(self, remote_schema: RemoteSchema, *, fresh: Mapping[str, Any] | None = None) -> Any:
        """The known introspection answer (fresh, else stored, else fetched now); failures raise."""
        name = remote_schema.name
        fresh = self.fresh_introspections if fresh is None else fresh
        known = fresh.get(name, self.stored_introspections.get(name))
        if known is None:
            return self.introspect(remote_schema)
        if isinstance(known, IntrospectionFailure):
            raise EngineError(known.message, code=Code.REMOTE_SCHEMA_ERROR)
        return known

    def remote_schema(
        self, remote_schema: RemoteSchema, *, fresh: Mapping[str, Any] | None = None
    ) -> GraphQLSchema | str:
        """The parsed remote schema, or the reason it is not available."""
        try:
            raw = self.introspection(remote_schema, fresh=fresh)
        except EngineError as error:
            return error.message
        cached = self._schemas.get(remote_schema.name)
        if cached is None or cached[0] != id(raw):
            cached = (id(raw), _parse_schema(raw))
            self._schemas[remote_schema.name] = cached
        return cached[1]


def _parse_schema(raw: Any) -> GraphQLSchema | str:
    try:
        return schema_from_introspection(raw)
    except IntrospectionError as error:
        return error.message


def remote_schema_url(remote_schema: RemoteSchema, environ: Mapping[str, str]) -> str:
    """The remote schema's URL, from ``url`` (with ``{{VAR}}`` templates) or ``url_from_env``."""
    definition = remote_schema.definition
    if definition.url_from_env is not None:
        if definition.url_from_env not in environ:
            raise MissingVariableError(definition.url_from_env)
        return environ[definition.url_from_env]
    return resolve_template(definition.url or "", environ)


def remote_schema_headers(remote_schema: RemoteSchema, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """The headers sent with an introspection request (configured headers, admin session)."""
    configured = resolve_configured_headers([h.to_dict() for h in remote_schema.definition.headers], environ)
    return remote_schema_request_headers(configured, ADMIN_SESSION, [], False)
