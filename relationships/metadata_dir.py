"""The Hasura CLI "config v3" metadata directory, read into and written from the export_metadata object.

A pure transformation between files on disk and the JSON metadata object (no Django, no database):

    metadata/
    ├── version.yaml                         version: 3
    ├── databases/databases.yaml             sources; tables/functions are "!include <path>" strings
    │   └── <source>/tables/tables.yaml      "!include public_users.yaml" lines, one file per table
    ├── actions.graphql + actions.yaml       actions and custom types, split as the CLI splits them
    ├── remote_schemas.yaml
    └── allow_list.yaml, cron_triggers.yaml, ...   passed through under their export keys

YAML is read with YAML 1.2 core scalars (as the CLI's Go reader sees them: `yes`, `on` and dates stay
strings) and written block style in Hasura's export key order, so that write -> read gives back the
same metadata and read -> write -> read -> write gives byte-identical files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from graphql import GraphQLSyntaxError, parse, parse_type, parse_value, print_ast
from graphql.language import ast as gql
from graphql.language.block_string import print_block_string

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

ROOT_OPERATION_TYPES = {"Query": "query", "Mutation": "mutation"}
CUSTOM_TYPE_KINDS = ("input_objects", "objects", "scalars", "enums")  # export_metadata order
ACTIONS_YAML_TYPE_KINDS = ("enums", "input_objects", "objects", "scalars")  # the CLI's actions.yaml order
SDL_ACTION_KEYS = frozenset({"arguments", "output_type", "type"})
SDL_TYPE_KEYS = frozenset({"fields", "values"})
_GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
_INCLUDE = re.compile(r"^!include\s+(\S.*?)\s*$")


class MetadataDirError(Exception):
    """A metadata directory that cannot be read or written; `file` is relative to the directory root."""

    def __init__(self, message: str, file: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.detail = detail

    def __str__(self) -> str:
        text = f"{self.file}: {self.message}"
        return f"{text} ({self.detail})" if self.detail else text


# --- Key order ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """Key order of one kind of object, and the shapes of values (or list items) under some keys."""

    keys: tuple[str, ...] = ()
    fields: Mapping[str, _Shape] = field(default_factory=dict)


def _arrange(value: Any, shape: _Shape) -> Any:
    """A copy of `value` with known keys in `shape` order first, unknown keys after in their own order."""
    if isinstance(value, list):
        return [_arrange(item, shape) for item in value]
    if not isinstance(value, dict):
        return value
    keys = [key for key in shape.keys if key in value] + [key for key in value if key not in shape.keys]
    return {
        key: _arrange(value[key], shape.fields[key]) if key in shape.fields else value[key] for key in keys
    }


def _permission(*body_keys: str) -> _Shape:
    return _Shape(("role", "permission", "comment"), {"permission": _Shape(body_keys)})


_QUALIFIED = _Shape(("schema", "name"))
_HEADER = _Shape(("name", "value", "value_from_env"))
_RELATIONSHIP = _Shape(
    ("name", "using", "comment"),
    {
        "using": _Shape(
            ("foreign_key_constraint_on", "manual_configuration"),
            {
                "foreign_key_constraint_on": _Shape(("table", "columns", "column"), {"table": _QUALIFIED}),
                "manual_configuration": _Shape(
                    ("remote_table", "column_mapping", "insertion_order"), {"remote_table": _QUALIFIED}
                ),
            },
        )
    },
)
_REMOTE_RELATIONSHIP = _Shape(
    ("name", "definition"),
    {
        "definition": _Shape(
            ("to_source", "to_remote_schema", "remote_schema", "hasura_fields", "remote_field"),
            {
                "to_source": _Shape(
                    ("relationship_type", "source", "table", "field_mapping"), {"table": _QUALIFIED}
                ),
                "to_remote_schema": _Shape(("remote_schema", "lhs_fields", "remote_field")),
            },
        )
    },
)
_TABLE = _Shape(
    (
        "table",
        "is_enum",
        "configuration",
        "object_relationships",
        "array_relationships",
        "computed_fields",
        "remote_relationships",
        "insert_permissions",
        "select_permissions",
        "update_permissions",
        "delete_permissions",
        "event_triggers",
        "apollo_federation_config",
    ),
    {
        "table": _QUALIFIED,
        "object_relationships": _RELATIONSHIP,
        "array_relationships": _RELATIONSHIP,
        "computed_fields": _Shape(("name", "definition", "comment")),
        "remote_relationships": _REMOTE_RELATIONSHIP,
        "insert_permissions": _permission("check", "set", "columns", "backend_only"),
        "select_permissions": _permission(
            "columns",
            "computed_fields",
            "filter",
            "limit",
            "allow_aggregations",
            "query_root_fields",
            "subscription_root_fields",
        ),
        "update_permissions": _permission("columns", "filter", "check", "set", "backend_only"),
        "delete_permissions": _permission("filter", "backend_only"),
    },
)
_FUNCTION = _Shape(("function", "configuration", "permissions", "comment"), {"function": _QUALIFIED})
_SOURCE = _Shape(
    ("name", "kind", "tables", "functions", "configuration", "query_tags", "customization", "health_check"),
    {"tables": _TABLE, "functions": _FUNCTION},
)
_REMOTE_SCHEMA = _Shape(
    ("name", "definition", "comment", "permissions", "remote_relationships"),
    {
        "definition": _Shape(
            ("url", "url_from_env", "timeout_seconds", "customization", "headers", "forward_client_headers"),
            {"headers": _HEADER},
        ),
        "permissions": _Shape(("role", "definition", "comment")),
        "remote_relationships": _Shape(
            ("type_name", "relationships"), {"relationships": _REMOTE_RELATIONSHIP}
        ),
    },
)
_ACTION_PERMISSION = _Shape(("role", "comment"))
_ACTION = _Shape(
    ("name", "definition", "comment", "permissions"),
    {
        "definition": _Shape(
            (
                "handler",
                "output_type",
                "forward_client_headers",
                "headers",
                "arguments",
                "request_transform",
                "response_transform",
                "type",
                "kind",
                "timeout",
            ),
            {"headers": _HEADER, "arguments": _Shape(("name", "type", "description"))},
        ),
        "permissions": _ACTION_PERMISSION,
    },
)
_ACTIONS_YAML_ACTION = _Shape(
    ("name", "definition", "permissions", "comment"),
    {
        "definition": _Shape(
            (
                "kind",
                "handler",
                "forward_client_headers",
                "headers",
                "timeout",
                "request_transform",
                "response_transform",
            ),
            {"headers": _HEADER},
        ),
        "permissions": _ACTION_PERMISSION,
    },
)
_TYPE_RELATIONSHIP = _Shape(
    ("name", "type", "source", "remote_table", "field_mapping"), {"remote_table": _QUALIFIED}
)
_TYPE_FIELD = _Shape(("name", "type", "arguments", "description"))
_CUSTOM_TYPE = _Shape(
    ("name", "fields", "values", "description", "relationships"),
    {
        "fields": _TYPE_FIELD,
        "values": _Shape(("value", "description", "is_deprecated")),
        "relationships": _TYPE_RELATIONSHIP,
    },
)


# --- YAML dialect ----------------------------------------------------------------------------------

_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_YAML12_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_YAML12_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_KEPT_YAML11_TAGS = frozenset({"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"})


class _MetadataLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars, and `!include path` tags read as "!include path" strings."""


class _MetadataDumper(yaml.SafeDumper):
    """SafeDumper that also quotes strings a YAML 1.2 reader would take for numbers, and never aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _construct_decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if not _YAML12_INT.match(text):
        raise yaml.constructor.ConstructorError(None, None, f"invalid integer {text!r}", node.start_mark)
    return int(text)


def _construct_include(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return f"!include {loader.construct_scalar(node)}"


_MetadataLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEPT_YAML11_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_MetadataLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _YAML12_BOOL, list("tTfF"))
_MetadataLoader.add_implicit_resolver("tag:yaml.org,2002:int", _YAML12_INT, list("-+0123456789"))
_MetadataLoader.add_implicit_resolver("tag:yaml.org,2002:float", _YAML12_FLOAT, list("-+.0123456789"))
_MetadataLoader.add_constructor("tag:yaml.org,2002:int", _construct_decimal_int)
_MetadataLoader.add_constructor("!include", _construct_include)
_MetadataDumper.add_implicit_resolver("tag:yaml.org,2002:float", _YAML12_FLOAT, list("-+.0123456789"))


def _dump_yaml(value: Any) -> str:
    return yaml.dump(
        value,
        Dumper=_MetadataDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=float("inf"),
    )


def _yaml_position(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is None:
        return problem
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"


# --- Reading: files and includes -----------------------------------------------------------------


class _YamlFiles:
    """Loads YAML files under one root, replacing "!include <path>" strings by the included content."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def load(self, path: Path, default: Any) -> Any:
        """The file's content with includes resolved; `default` when the file is missing or empty."""
        if not path.is_file():
            return default
        value = self._resolve(self._parse(path), path, (path,))
        return default if value is None else value

    def _parse(self, path: Path) -> Any:
        try:
            return yaml.load(path.read_bytes(), Loader=_MetadataLoader)  # noqa: S506 (SafeLoader subclass)
        except yaml.YAMLError as error:
            raise MetadataDirError("invalid YAML", self.relative(path), _yaml_position(error))

    def _resolve(self, value: Any, path: Path, chain: tuple[Path, ...]) -> Any:
        if isinstance(value, dict):
            return {key: self._resolve(item, path, chain) for key, item in value.items()}
        if isinstance(value, list):
            return [self._resolve(item, path, chain) for item in value]
        match = _INCLUDE.match(value) if isinstance(value, str) else None
        return self._include(match.group(1), path, chain) if match else value

    def _include(self, target: str, path: Path, chain: tuple[Path, ...]) -> Any:
        included = Path(os.path.normpath(path.parent / target))
        if not included.is_relative_to(self.root):
            raise MetadataDirError(
                f"include target {target} is outside the metadata directory", self.relative(path)
            )
        if included in chain:
            cycle = " -> ".join(self.relative(step) for step in (*chain, included))
            raise MetadataDirError("include cycle", self.relative(path), cycle)
        if not included.is_file():
            raise MetadataDirError(
                f"include target not found: {target}", self.relative(path), self.relative(included)
            )
        return self._resolve(self._parse(included), included, (*chain, included))


def _expect_list(value: Any, file: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise MetadataDirError(f"{what} must be a list", file)
    return value


def _expect_mapping(value: Any, file: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MetadataDirError(f"{what} must be a mapping", file)
    return value


# --- Reading: the directory ------------------------------------------------------------------------


def read_metadata_dir(root: Path) -> dict[str, Any]:
    """Assemble the export_metadata object from a config v3 metadata directory."""
    root = Path(os.path.abspath(root))
    if not root.is_dir():
        raise MetadataDirError("metadata directory not found", ".", str(root))
    files = _YamlFiles(root)
    metadata: dict[str, Any] = {
        "version": _read_version(files),
        "sources": _read_sources(files),
        "remote_schemas": _arrange(
            _expect_list(
                files.load(root / "remote_schemas.yaml", []), "remote_schemas.yaml", "remote_schemas.yaml"
            ),
            _REMOTE_SCHEMA,
        ),
        **_read_actions(files),
    }
    for filename, key, _empty in PASSTHROUGH_FILES:
        metadata[key] = files.load(root / filename, None)
    return {
        key: metadata[key] for key in TOP_LEVEL_ORDER if key in ("version", "sources") or metadata.get(key)
    }


def _read_version(files: _YamlFiles) -> int:
    path = files.root / "version.yaml"
    if not path.is_file():
        raise MetadataDirError("version.yaml is missing", "version.yaml")
    version = files.load(path, {})
    if not isinstance(version, dict) or version.get("version") != METADATA_VERSION:
        found = version.get("version") if isinstance(version, dict) else version
        raise MetadataDirError(f"unsupported metadata version {found!r}; expected version: 3", "version.yaml")
    return METADATA_VERSION


def _read_sources(files: _YamlFiles) -> list[dict[str, Any]]:
    file = "databases/databases.yaml"
    sources = _expect_list(files.load(files.root / file, []), file, file)
    return [_read_source(source, file) for source in sources]


def _read_source(source: Any, file: str) -> dict[str, Any]:
    source = _expect_mapping(source, file, "each source")
    for key in ("tables", "functions"):
        if key in source:
            source[key] = _expect_list(source[key] or [], file, f"{key} of source {source.get('name')}")
    return _arrange(source, _SOURCE)


def _read_actions(files: _YamlFiles) -> dict[str, Any]:
    sdl_actions, sdl_types = _read_actions_sdl(files.root / "actions.graphql")
    extras = _read_actions_yaml(files)
    return {
        "actions": _merge_actions(
            sdl_actions, _expect_list(extras.get("actions") or [], "actions.yaml", "actions")
        ),
        "custom_types": _merge_custom_types(sdl_types, extras.get("custom_types") or {}),
    }


def _read_actions_yaml(files: _YamlFiles) -> dict[str, Any]:
    path = files.root / "actions.yaml"
    try:
        extras = files.load(path, {})
    except MetadataDirError as error:
        raise MetadataDirError(error.message, error.file, _with_hint(error.detail, _list_form_hint(path)))
    if not isinstance(extras, dict):
        hint = _list_form_hint(path)
        raise MetadataDirError(
            "actions.yaml must be a mapping with the keys actions and custom_types", "actions.yaml", hint
        )
    return extras


def _list_form_hint(path: Path) -> str | None:
    """A hint when actions.yaml starts with "- custom_types" / "- actions", as some docs render it."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    first = next((line for line in lines if line and not line.startswith("#")), "")
    match = re.match(r"^-\s*(actions|custom_types)\s*$", first)
    return f"write '{match.group(1)}:' (a mapping key), not '- {match.group(1)}'" if match else None


def _with_hint(detail: str | None, hint: str | None) -> str | None:
    return "; ".join(part for part in (detail, hint) if part) or None


# --- Reading: actions.graphql ---------------------------------------------------------------------

_TypesByKind = dict[str, dict[str, dict[str, Any]]]


def _read_actions_sdl(path: Path) -> tuple[dict[str, dict[str, Any]], _TypesByKind]:
    """Actions (by name) and custom types (by kind, then name) declared in actions.graphql."""
    actions: dict[str, dict[str, Any]] = {}
    types: _TypesByKind = {kind: {} for kind in CUSTOM_TYPE_KINDS}
    for node in _parse_sdl(path):
        if isinstance(node, gql.ObjectTypeDefinitionNode | gql.ObjectTypeExtensionNode) and (
            node.name.value in ROOT_OPERATION_TYPES
        ):
            _collect_actions(node, actions)
        else:
            _collect_custom_type(node, types)
    return actions, types


def _parse_sdl(path: Path) -> list[gql.DefinitionNode]:
    if not path.is_file():
        return []
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise MetadataDirError("file is not UTF-8 text", "actions.graphql", str(error))
    if not any(line.strip() and not line.strip().startswith("#") for line in text.splitlines()):
        return []
    try:
        return list(parse(text).definitions)
    except GraphQLSyntaxError as error:
        location = error.locations[0] if error.locations else None
        where = f"line {location.line}, column {location.column}: " if location else ""
        raise MetadataDirError("invalid GraphQL SDL", "actions.graphql", where + error.message)


def _node_position(node: gql.Node) -> str | None:
    token = node.loc.start_token if node.loc else None
    return f"line {token.line}, column {token.column}" if token else None


def _collect_actions(
    node: gql.ObjectTypeDefinitionNode | gql.ObjectTypeExtensionNode, actions: dict[str, dict[str, Any]]
) -> None:
    operation = ROOT_OPERATION_TYPES[node.name.value]
    for field_node in node.fields or ():
        name = field_node.name.value
        if name in actions:
            raise MetadataDirError(
                f"action {name} is defined more than once", "actions.graphql", _node_position(field_node)
            )
        definition: dict[str, Any] = {"output_type": print_ast(field_node.type)}
        arguments = [_input_value(argument) for argument in field_node.arguments or ()]
        if arguments:
            definition["arguments"] = arguments
        definition["type"] = operation
        actions[name] = {"name": name, "definition": definition}


def _collect_custom_type(node: gql.DefinitionNode, types: _TypesByKind) -> None:
    kind_and_reader = _CUSTOM_TYPE_READERS.get(type(node))
    if kind_and_reader is None:
        kind = type(node).__name__.removesuffix("Node")
        raise MetadataDirError(
            f"unsupported definition in actions.graphql: {kind}", "actions.graphql", _node_position(node)
        )
    kind, reader = kind_and_reader
    name = node.name.value
    if any(name in declared for declared in types.values()):
        raise MetadataDirError(
            f"type {name} is defined more than once", "actions.graphql", _node_position(node)
        )
    types[kind][name] = reader(node)


def _with_description(entry: dict[str, Any], node: gql.Node) -> dict[str, Any]:
    description = getattr(node, "description", None)
    if description is not None:
        entry["description"] = description.value
    return entry


def _input_value(node: gql.InputValueDefinitionNode | gql.FieldDefinitionNode) -> dict[str, Any]:
    return _with_description({"name": node.name.value, "type": print_ast(node.type)}, node)


def _enum_value(node: gql.EnumValueDefinitionNode) -> dict[str, Any]:
    value = _with_description({"value": node.name.value}, node)
    if any(directive.name.value == "deprecated" for directive in node.directives or ()):
        value["is_deprecated"] = True
    return value


def _scalar_type(node: gql.ScalarTypeDefinitionNode) -> dict[str, Any]:
    return _with_description({"name": node.name.value}, node)


def _enum_type(node: gql.EnumTypeDefinitionNode) -> dict[str, Any]:
    values = [_enum_value(value) for value in node.values or ()]
    return _with_description({"name": node.name.value, "values": values}, node)


def _fields_type(node: gql.ObjectTypeDefinitionNode | gql.InputObjectTypeDefinitionNode) -> dict[str, Any]:
    fields = [_input_value(field_node) for field_node in node.fields or ()]
    return _with_description({"name": node.name.value, "fields": fields}, node)


_CUSTOM_TYPE_READERS: dict[type, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    gql.ScalarTypeDefinitionNode: ("scalars", _scalar_type),
    gql.EnumTypeDefinitionNode: ("enums", _enum_type),
    gql.InputObjectTypeDefinitionNode: ("input_objects", _fields_type),
    gql.ObjectTypeDefinitionNode: ("objects", _fields_type),
}


# --- Reading: merging actions.yaml onto the SDL ---------------------------------------------------


def _named_entries(entries: list[Any], what: str) -> list[dict[str, Any]]:
    names: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise MetadataDirError(f"each entry of {what} needs a name", "actions.yaml")
        if entry["name"] in names:
            raise MetadataDirError(f"{entry['name']} is listed more than once in {what}", "actions.yaml")
        names.add(entry["name"])
    return entries


def _merge_actions(sdl_actions: dict[str, dict[str, Any]], entries: list[Any]) -> list[dict[str, Any]]:
    """actions.yaml order first (its runtime keys copied on), then actions only declared in the SDL."""
    merged = []
    for entry in _named_entries(entries, "actions"):
        action = sdl_actions.get(entry["name"])
        if action is None:
            raise MetadataDirError(
                f"action {entry['name']} is not present in actions.graphql", "actions.yaml"
            )
        merged.append(_with_runtime_config(action, entry))
    listed = {entry["name"] for entry in entries}
    merged += [action for name, action in sdl_actions.items() if name not in listed]
    return [_arrange(action, _ACTION) for action in merged]


def _with_runtime_config(action: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    runtime = _expect_mapping(entry.get("definition") or {}, "actions.yaml", f"definition of {entry['name']}")
    definition = {**action["definition"], **{k: v for k, v in runtime.items() if k not in SDL_ACTION_KEYS}}
    extras = {key: value for key, value in entry.items() if key not in ("name", "definition")}
    return {"name": action["name"], "definition": definition, **extras}


def _merge_custom_types(sdl_types: _TypesByKind, yaml_types: Any) -> dict[str, list[dict[str, Any]]]:
    yaml_types = _expect_mapping(yaml_types, "actions.yaml", "custom_types")
    unknown = sorted(set(yaml_types) - set(CUSTOM_TYPE_KINDS))
    if unknown:
        raise MetadataDirError(f"unknown custom_types keys: {', '.join(unknown)}", "actions.yaml")
    merged = {}
    for kind in CUSTOM_TYPE_KINDS:
        entries = _expect_list(yaml_types.get(kind) or [], "actions.yaml", f"custom_types.{kind}")
        merged[kind] = _merge_type_kind(kind, sdl_types[kind], entries)
    return {kind: entries for kind, entries in merged.items() if entries}


def _merge_type_kind(
    kind: str, sdl_entries: dict[str, dict[str, Any]], entries: list[Any]
) -> list[dict[str, Any]]:
    """Type descriptions and relationships from actions.yaml copied onto the SDL-declared types."""
    merged = []
    for entry in _named_entries(entries, f"custom_types.{kind}"):
        declared = sdl_entries.get(entry["name"])
        if declared is None:
            raise MetadataDirError(
                f"custom type {entry['name']} is not present in actions.graphql",
                "actions.yaml",
                f"custom_types.{kind}",
            )
        merged.append({**declared, **{k: v for k, v in entry.items() if k not in SDL_TYPE_KEYS}})
    listed = {entry["name"] for entry in entries}
    merged += [declared for name, declared in sdl_entries.items() if name not in listed]
    return [_arrange(entry, _CUSTOM_TYPE) for entry in merged]


# --- Writing -------------------------------------------------------------------------------------


def write_metadata_dir(metadata: dict[str, Any], root: Path) -> list[str]:
    """Export `metadata` into `root` as a config v3 directory; returns the relative paths written."""
    root = Path(root)
    files = _render_files(metadata)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    _remove_stale_files(root / "databases", {root / relative for relative in files})
    return sorted(files)


def _render_files(metadata: dict[str, Any]) -> dict[str, str]:
    """Relative path -> file text for every file of the directory."""
    actions = metadata.get("actions") or []
    custom_types = metadata.get("custom_types") or {}
    files = {
        "version.yaml": _dump_yaml({"version": metadata.get("version", METADATA_VERSION)}),
        **_render_databases(metadata.get("sources") or []),
        "actions.graphql": _render_actions_sdl(actions, custom_types),
        "actions.yaml": _dump_yaml(_actions_yaml(actions, custom_types)),
        "remote_schemas.yaml": _dump_yaml(_arrange(metadata.get("remote_schemas") or [], _REMOTE_SCHEMA)),
    }
    for filename, key, empty in PASSTHROUGH_FILES:
        files[filename] = _dump_yaml(metadata.get(key) or empty())
    return files


def _remove_stale_files(directory: Path, written: set[Path]) -> None:
    """Drop YAML files left by an earlier export (tables, functions, sources now gone), then empty folders."""
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*.yaml")):
        if path not in written:
            path.unlink()
    for folder in sorted(
        (p for p in directory.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True
    ):
        if not any(folder.iterdir()):
            folder.rmdir()


def _file_stem(*parts: str) -> str:
    return "_".join(re.sub(r"[^\w-]", "_", part) for part in parts)


def _unique(stem: str, used: set[str]) -> str:
    """`stem`, or `stem_2`, `stem_3`... when it collides (case-insensitively) with one already used."""
    name, counter = stem, 2
    while name.casefold() in used:
        name, counter = f"{stem}_{counter}", counter + 1
    used.add(name.casefold())
    return name


def _qualified_name(value: Any) -> tuple[str, str]:
    """(schema, name) of a table or function given as a string or as {schema, name}."""
    if isinstance(value, dict):
        return str(value.get("schema", "public")), str(value.get("name"))
    return "public", str(value)


def _render_databases(sources: list[dict[str, Any]]) -> dict[str, str]:
    files: dict[str, str] = {}
    entries = []
    used_directories: set[str] = set()
    for source in sources:
        directory = _unique(_file_stem(str(source.get("name"))), used_directories)
        entry = {**source, "tables": f"!include {directory}/tables/tables.yaml"}
        files.update(
            _render_included_list(
                f"databases/{directory}/tables", "tables.yaml", source.get("tables") or [], "table", _TABLE
            )
        )
        if "functions" in source:
            entry["functions"] = f"!include {directory}/functions/functions.yaml"
            files.update(
                _render_included_list(
                    f"databases/{directory}/functions",
                    "functions.yaml",
                    source["functions"] or [],
                    "function",
                    _FUNCTION,
                )
            )
        entries.append(_arrange(entry, _SOURCE))
    return {"databases/databases.yaml": _dump_yaml(entries), **files}


def _render_included_list(
    directory: str, index_name: str, items: list[dict[str, Any]], name_key: str, shape: _Shape
) -> dict[str, str]:
    """One file per item named <schema>_<name>.yaml, plus an index file of "!include" lines."""
    files: dict[str, str] = {}
    includes = []
    used: set[str] = set()
    for item in items:
        filename = _unique(_file_stem(*_qualified_name(item.get(name_key))), used) + ".yaml"
        files[f"{directory}/{filename}"] = _dump_yaml(_arrange(item, shape))
        includes.append(f"!include {filename}")
    return {f"{directory}/{index_name}": _dump_yaml(includes), **files}


def _actions_yaml(actions: list[dict[str, Any]], custom_types: dict[str, Any]) -> dict[str, Any]:
    """actions.yaml: action runtime keys, custom types reduced to name (+ description, relationships)."""
    return {
        "actions": [_arrange(_runtime_part(action), _ACTIONS_YAML_ACTION) for action in actions],
        "custom_types": {
            kind: [
                _arrange({k: v for k, v in entry.items() if k not in SDL_TYPE_KEYS}, _CUSTOM_TYPE)
                for entry in custom_types.get(kind) or []
            ]
            for kind in ACTIONS_YAML_TYPE_KINDS
        },
    }


def _runtime_part(action: dict[str, Any]) -> dict[str, Any]:
    definition = action.get("definition") or {}
    return {
        **action,
        "definition": {key: value for key, value in definition.items() if key not in SDL_ACTION_KEYS},
    }


# --- Writing: actions.graphql -------------------------------------------------------------------


def _render_actions_sdl(actions: list[dict[str, Any]], custom_types: dict[str, Any]) -> str:
    """Action fields under `type Query` / `type Mutation`, then scalars, enums, input objects, objects."""
    definitions: list[gql.DefinitionNode] = []
    for type_name, operation in ROOT_OPERATION_TYPES.items():
        fields = [_action_field(action) for action in actions if _action_operation(action) == operation]
        if fields:
            definitions.append(
                gql.ObjectTypeDefinitionNode(name=_name_node(type_name, type_name), fields=fields)
            )
    for kind, render in _CUSTOM_TYPE_RENDERERS:
        definitions += [render(entry) for entry in custom_types.get(kind) or []]
    return print_ast(gql.DocumentNode(definitions=definitions)) + "\n" if definitions else ""


def _action_operation(action: dict[str, Any]) -> str:
    operation = (action.get("definition") or {}).get("type", "mutation")
    if operation not in ROOT_OPERATION_TYPES.values():
        raise MetadataDirError(
            f"action {action.get('name')} has type {operation!r}; expected query or mutation",
            "actions.graphql",
        )
    return operation


def _name_node(name: Any, where: str) -> gql.NameNode:
    if not isinstance(name, str) or not _GRAPHQL_NAME.match(name):
        raise MetadataDirError(f"{name!r} is not a valid GraphQL name ({where})", "actions.graphql")
    return gql.NameNode(value=name)


def _type_node(type_string: Any, where: str) -> gql.TypeNode:
    try:
        return parse_type(type_string)
    except (GraphQLSyntaxError, TypeError):
        raise MetadataDirError(f"{type_string!r} is not a valid GraphQL type ({where})", "actions.graphql")


def _description_node(description: Any) -> gql.StringValueNode | None:
    """Block string when it reads back to exactly the same text, else a quoted one-line string."""
    if description is None:
        return None
    text = str(description)
    block = "\n" in text and parse_value(print_block_string(text)).value == text
    return gql.StringValueNode(value=text, block=block)


def _input_value_node(entry: dict[str, Any], where: str) -> gql.InputValueDefinitionNode:
    where = f"{where}.{entry.get('name')}"
    return gql.InputValueDefinitionNode(
        name=_name_node(entry.get("name"), where),
        type=_type_node(entry.get("type"), where),
        description=_description_node(entry.get("description")),
        directives=[],
    )


def _field_node(entry: dict[str, Any], where: str) -> gql.FieldDefinitionNode:
    where = f"{where}.{entry.get('name')}"
    return gql.FieldDefinitionNode(
        name=_name_node(entry.get("name"), where),
        type=_type_node(entry.get("type"), where),
        description=_description_node(entry.get("description")),
        arguments=[],
        directives=[],
    )


def _action_field(action: dict[str, Any]) -> gql.FieldDefinitionNode:
    name = action.get("name")
    definition = action.get("definition") or {}
    return gql.FieldDefinitionNode(
        name=_name_node(name, f"action {name}"),
        arguments=[
            _input_value_node(argument, f"action {name}") for argument in definition.get("arguments") or []
        ],
        type=_type_node(definition.get("output_type"), f"output type of action {name}"),
        directives=[],
    )


def _scalar_node(entry: dict[str, Any]) -> gql.ScalarTypeDefinitionNode:
    return gql.ScalarTypeDefinitionNode(
        name=_name_node(entry.get("name"), "scalar"),
        description=_description_node(entry.get("description")),
        directives=[],
    )


def _enum_value_node(value: dict[str, Any], where: str) -> gql.EnumValueDefinitionNode:
    deprecated = [gql.DirectiveNode(name=gql.NameNode(value="deprecated"), arguments=[])]
    return gql.EnumValueDefinitionNode(
        name=_name_node(value.get("value"), where),
        description=_description_node(value.get("description")),
        directives=deprecated if value.get("is_deprecated") else [],
    )


def _enum_node(entry: dict[str, Any]) -> gql.EnumTypeDefinitionNode:
    name = entry.get("name")
    return gql.EnumTypeDefinitionNode(
        name=_name_node(name, "enum"),
        description=_description_node(entry.get("description")),
        values=[_enum_value_node(value, f"enum {name}") for value in entry.get("values") or []],
        directives=[],
    )


def _input_object_node(entry: dict[str, Any]) -> gql.InputObjectTypeDefinitionNode:
    name = entry.get("name")
    return gql.InputObjectTypeDefinitionNode(
        name=_name_node(name, "input object"),
        description=_description_node(entry.get("description")),
        fields=[_input_value_node(item, f"input {name}") for item in entry.get("fields") or []],
        directives=[],
    )


def _object_node(entry: dict[str, Any]) -> gql.ObjectTypeDefinitionNode:
    name = entry.get("name")
    return gql.ObjectTypeDefinitionNode(
        name=_name_node(name, "object"),
        description=_description_node(entry.get("description")),
        fields=[_field_node(item, f"type {name}") for item in entry.get("fields") or []],
        interfaces=[],
        directives=[],
    )


_CUSTOM_TYPE_RENDERERS: tuple[tuple[str, Callable[[dict[str, Any]], gql.DefinitionNode]], ...] = (
    ("scalars", _scalar_node),
    ("enums", _enum_node),
    ("input_objects", _input_object_node),
    ("objects", _object_node),
)


# --- Diff ------------------------------------------------------------------------------------------

# Top-level lists whose entries are named, for per-entry lines: export key -> (label, identifying key).
_NAMED_PASSTHROUGH = {
    "query_collections": ("query collection", "name"),
    "allowlist": ("allowlist entry", "collection"),
    "cron_triggers": ("cron trigger", "name"),
    "rest_endpoints": ("rest endpoint", "name"),
    "inherited_roles": ("inherited role", "role_name"),
}
_TYPE_KIND_LABELS = {
    "input_objects": "input object",
    "objects": "object",
    "scalars": "scalar",
    "enums": "enum",
}


def metadata_dir_diff(current: dict[str, Any], desired: dict[str, Any]) -> list[str]:
    """Readable lines, object by object, for what changes when `current` is replaced by `desired`.

    "+ <object>" is added, "- <object>" removed, "~ <object>: <what> changed" modified.
    """
    return [
        *_diff_sources(current.get("sources") or [], desired.get("sources") or []),
        *_diff_remote_schemas(current.get("remote_schemas") or [], desired.get("remote_schemas") or []),
        *_diff_actions(current.get("actions") or [], desired.get("actions") or []),
        *_diff_custom_types(current.get("custom_types") or {}, desired.get("custom_types") or {}),
        *_diff_other_keys(current, desired),
    ]


def _pair_up(
    current: Iterable[Any], desired: Iterable[Any], identity: Callable[[Any], Any]
) -> list[tuple[Any, Any, Any]]:
    """(identity, current item or None, desired item or None): desired order, then removed items."""
    current_by_id = {identity(item): item for item in current}
    desired_by_id = {identity(item): item for item in desired}
    ids = list(desired_by_id) + [key for key in current_by_id if key not in desired_by_id]
    return [(key, current_by_id.get(key), desired_by_id.get(key)) for key in ids]


def _changed_keys(
    current: dict[str, Any], desired: dict[str, Any], order: Iterable[str], skip: Iterable[str] = ()
) -> list[str]:
    order = tuple(order)
    keys = [key for key in order if key in current or key in desired]
    keys += [key for key in {**current, **desired} if key not in order]
    return [key for key in keys if key not in skip and current.get(key) != desired.get(key)]


def _diff_entries(
    label: str,
    current: dict[str, Any] | None,
    desired: dict[str, Any] | None,
    order: Iterable[str],
    skip: Iterable[str] = (),
) -> list[str]:
    if current is None:
        return [f"+ {label}"]
    if desired is None:
        return [f"- {label}"]
    return [f"~ {label}: {key} changed" for key in _changed_keys(current, desired, order, skip)]


def _diff_sources(current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> list[str]:
    lines = []
    for name, before, after in _pair_up(current, desired, lambda source: source.get("name")):
        lines += _diff_entries(f"source {name}", before, after, _SOURCE.keys, skip=("tables", "functions"))
        for key, shape in (("table", _TABLE), ("function", _FUNCTION)):
            lines += _diff_source_objects(
                key, shape, name, (before or {}).get(f"{key}s") or [], (after or {}).get(f"{key}s") or []
            )
    return lines


def _diff_source_objects(
    key: str, shape: _Shape, source: str, current: list[Any], desired: list[Any]
) -> list[str]:
    lines = []
    for (schema, name), before, after in _pair_up(
        current, desired, lambda item: _qualified_name(item.get(key))
    ):
        lines += _diff_entries(
            f"{key} {schema}.{name} in source {source}", before, after, shape.keys, skip=(key,)
        )
    return lines


def _diff_remote_schemas(current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> list[str]:
    lines = []
    for name, before, after in _pair_up(current, desired, lambda schema: schema.get("name")):
        label = f"remote schema {name}"
        lines += _diff_entries(label, before, after, _REMOTE_SCHEMA.keys, skip=("remote_relationships",))
        if before is not None and after is not None:
            lines += _diff_remote_schema_relationships(label, before, after)
    return lines


def _remote_schema_relationships(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (".".join(part for part in (group.get("type_name"), relationship.get("name")) if part), relationship)
        for group in schema.get("remote_relationships") or []
        for relationship in group.get("relationships") or []
    ]


def _diff_remote_schema_relationships(
    label: str, current: dict[str, Any], desired: dict[str, Any]
) -> list[str]:
    pairs = _pair_up(
        _remote_schema_relationships(current), _remote_schema_relationships(desired), lambda item: item[0]
    )
    return _diff_named_parts(label, "remote relationship", pairs)


def _diff_named_parts(label: str, part: str, pairs: list[tuple[Any, Any, Any]]) -> list[str]:
    lines = []
    for name, before, after in pairs:
        if before is None:
            lines.append(f"~ {label}: + {part} {name}")
        elif after is None:
            lines.append(f"~ {label}: - {part} {name}")
        elif before != after:
            lines.append(f"~ {label}: {part} {name} changed")
    return lines


def _diff_actions(current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> list[str]:
    lines = []
    for name, before, after in _pair_up(current, desired, lambda action: action.get("name")):
        label = f"action {name}"
        if before is None or after is None:
            lines += _diff_entries(label, before, after, ())
            continue
        definition_keys = _ACTION.fields["definition"].keys
        lines += [
            f"~ {label}: {key} changed"
            for key in _changed_keys(
                before.get("definition") or {}, after.get("definition") or {}, definition_keys
            )
        ]
        lines += _diff_entries(label, before, after, _ACTION.keys, skip=("name", "definition"))
    return lines


def _custom_types_by_name(custom_types: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (entry.get("name"), kind, entry)
        for kind in CUSTOM_TYPE_KINDS
        for entry in custom_types.get(kind) or []
    ]


def _diff_custom_types(current: dict[str, Any], desired: dict[str, Any]) -> list[str]:
    lines = []
    pairs = _pair_up(
        _custom_types_by_name(current), _custom_types_by_name(desired), lambda item: (item[0], item[1])
    )
    for (name, kind), before, after in pairs:
        lines += _diff_custom_type(name, kind, before and before[2], after and after[2])
    return lines


def _diff_custom_type(
    name: str, kind: str, current: dict[str, Any] | None, desired: dict[str, Any] | None
) -> list[str]:
    if current is None or desired is None:
        return _diff_entries(f"custom type {name} ({_TYPE_KIND_LABELS[kind]})", current, desired, ())
    label = f"custom type {name}"
    lines = _diff_entries(label, current, desired, _CUSTOM_TYPE.keys, skip=("relationships",))
    pairs = _pair_up(
        current.get("relationships") or [], desired.get("relationships") or [], lambda rel: rel.get("name")
    )
    return lines + _diff_named_parts(label, "relationship", pairs)


def _diff_other_keys(current: dict[str, Any], desired: dict[str, Any]) -> list[str]:
    handled = {"sources", "remote_schemas", "actions", "custom_types"}
    keys = [key for key in TOP_LEVEL_ORDER if key in current or key in desired]
    keys += [key for key in {**current, **desired} if key not in TOP_LEVEL_ORDER]
    lines = []
    for key in keys:
        if key not in handled and current.get(key) != desired.get(key):
            lines += _diff_top_level_value(key, current.get(key), desired.get(key))
    return lines


def _diff_top_level_value(key: str, current: Any, desired: Any) -> list[str]:
    label, id_key = _NAMED_PASSTHROUGH.get(key, (key, None))
    items = [*(current or []), *(desired or [])] if id_key else []
    if items and all(isinstance(item, dict) and id_key in item for item in items):
        pairs = _pair_up(current or [], desired or [], lambda item: item[id_key])
        return [
            _entry_line(f"{label} {name}", before, after) for name, before, after in pairs if before != after
        ]
    return [_entry_line(key, current or None, desired or None)]


def _entry_line(label: str, current: Any, desired: Any) -> str:
    if current is None:
        return f"+ {label}"
    if desired is None:
        return f"- {label}"
    return f"~ {label} changed"
