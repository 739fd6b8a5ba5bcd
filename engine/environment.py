"""The live facts metadata is checked against: source catalogs, remote schemas, environment variables.

Built by the caller (which does the I/O); validation and schema building only read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphql import GraphQLSchema

    from engine.catalog import SourceCatalog


@dataclass(frozen=True)
class Environment:
    """What exists outside the metadata right now.

    ``catalogs`` holds the table facts of every reachable source; ``source_errors`` says why a source
    could not be read. ``remote_schemas`` holds the parsed schema of every remote schema whose
    introspection is available; ``remote_schema_errors`` says why one is not. ``environ`` resolves
    ``from_env`` / ``value_from_env`` / ``{{VAR}}`` references.
    """

    catalogs: Mapping[str, SourceCatalog] = field(default_factory=dict)
    source_errors: Mapping[str, str] = field(default_factory=dict)
    remote_schemas: Mapping[str, GraphQLSchema] = field(default_factory=dict)
    remote_schema_errors: Mapping[str, str] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)
