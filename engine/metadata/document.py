"""The whole metadata document: sources, remote schemas, actions, custom types and pass-through keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.metadata.actions import Action, CustomObject, CustomTypes
from engine.metadata.common import QualifiedTable
from engine.metadata.database import Source, Table
from engine.metadata.reader import Node
from engine.metadata.remote_schemas import RemoteSchema

METADATA_VERSION = 3

# Top-level keys Joinery stores and exports unchanged, in Hasura's export order.
PASSTHROUGH_KEYS = (
    "query_collections",
    "allowlist",
    "cron_triggers",
    "rest_endpoints",
    "api_limits",
    "metrics_config",
    "inherited_roles",
    "graphql_schema_introspection",
    "network",
    "backend_configs",
    "opentelemetry",
)


@dataclass(frozen=True)
class Metadata:
    """An immutable metadata snapshot; every change builds a new one."""

    sources: tuple[Source, ...] = ()
    remote_schemas: tuple[RemoteSchema, ...] = ()
    actions: tuple[Action, ...] = ()
    custom_types: CustomTypes = field(default_factory=CustomTypes)
    extras: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, node: Node) -> Metadata:
        """Parse a metadata object in ``export_metadata`` shape."""
        obj = node.object()
        version = node.get("version")
        if version is not None and version.integer() != METADATA_VERSION:
            raise version.fail(f"unsupported metadata version {version.value}; expected {METADATA_VERSION}")

        def items(key: str) -> list[Node]:
            child = node.get(key)
            return [] if child is None else child.items()

        custom_types = node.get("custom_types")
        return cls(
            sources=tuple(Source.parse(n) for n in items("sources")),
            remote_schemas=tuple(RemoteSchema.parse(n) for n in items("remote_schemas")),
            actions=tuple(Action.parse(n) for n in items("actions")),
            custom_types=CustomTypes() if custom_types is None else CustomTypes.parse(custom_types),
            extras={key: obj[key] for key in PASSTHROUGH_KEYS if obj.get(key)},
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "$") -> Metadata:
        """Parse a metadata object; errors carry paths rooted at ``path``."""
        return cls.parse(Node(dict(data), path))

    def to_dict(self) -> dict[str, Any]:
        """Render in ``export_metadata`` shape, empty collections omitted."""
        out: dict[str, Any] = {"version": METADATA_VERSION}
        if self.sources:
            out["sources"] = [s.to_dict() for s in self.sources]
        if self.remote_schemas:
            out["remote_schemas"] = [r.to_dict() for r in self.remote_schemas]
        for key in PASSTHROUGH_KEYS[:2]:
            if key in self.extras:
                out[key] = self.extras[key]
        if self.actions:
            out["actions"] = [a.to_dict() for a in self.actions]
        custom_types = self.custom_types.to_dict()
        if custom_types:
            out["custom_types"] = custom_types
        for key in PASSTHROUGH_KEYS[2:]:
            if key in self.extras:
                out[key] = self.extras[key]
        return out

    def source(self, name: str) -> Source | None:
        """A source by name."""
        return next((s for s in self.sources if s.name == name), None)

    def table(self, source: str, table: QualifiedTable) -> Table | None:
        """A tracked table of a source."""
        found = self.source(source)
        return None if found is None else found.table(table)

    def action(self, name: str) -> Action | None:
        """An action by name."""
        return next((a for a in self.actions if a.name == name), None)

    def remote_schema(self, name: str) -> RemoteSchema | None:
        """A remote schema by name."""
        return next((r for r in self.remote_schemas if r.name == name), None)

    def custom_object(self, name: str) -> CustomObject | None:
        """A custom object type by name."""
        return self.custom_types.object(name)
