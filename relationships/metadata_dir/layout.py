"""What a config v3 metadata directory holds at its top: the version, the files copied verbatim, key order."""

from __future__ import annotations

METADATA_VERSION = 3

# (file name, export key, empty value) for the files copied verbatim, in Hasura's export order.
PASSTHROUGH_FILES: tuple[tuple[str, str, type], ...] = (
    ("query_collections.yaml", "query_collections", list),
    ("allow_list.yaml", "allowlist", list),
    ("cron_triggers.yaml", "cron_triggers", list),
    ("rest_endpoints.yaml", "rest_endpoints", list),
    ("api_limits.yaml", "api_limits", dict),
    ("metrics_config.yaml", "metrics_config", dict),
    ("inherited_roles.yaml", "inherited_roles", list),
    ("graphql_schema_introspection.yaml", "graphql_schema_introspection", dict),
    ("network.yaml", "network", dict),
    ("backend_configs.yaml", "backend_configs", dict),
    ("opentelemetry.yaml", "opentelemetry", dict),
)

TOP_LEVEL_ORDER = (
    "version",
    "sources",
    "remote_schemas",
    "query_collections",
    "allowlist",
    "actions",
    "custom_types",
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
