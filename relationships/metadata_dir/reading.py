"""Reading a config v3 metadata directory into the export_metadata object."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from relationships.metadata_dir.actions import read_actions
from relationships.metadata_dir.errors import MetadataDirError
from relationships.metadata_dir.layout import METADATA_VERSION, PASSTHROUGH_FILES, TOP_LEVEL_ORDER
from relationships.metadata_dir.shapes import REMOTE_SCHEMA, SOURCE, arrange
from relationships.metadata_dir.yaml_io import YamlFiles, expect_list, expect_mapping


def read_metadata_dir(root: Path) -> dict[str, Any]:
    """Assemble the export_metadata object from a config v3 metadata directory."""
    root = Path(os.path.abspath(root))
    if not root.is_dir():
        raise MetadataDirError("metadata directory not found", ".", str(root))
    files = YamlFiles(root)
    metadata: dict[str, Any] = {
        "version": _read_version(files),
        "sources": _read_sources(files),
        "remote_schemas": _read_remote_schemas(files),
        **read_actions(files),
    }
    for filename, key, _empty in PASSTHROUGH_FILES:
        metadata[key] = files.load(root / filename, None)
    return {
        key: metadata[key] for key in TOP_LEVEL_ORDER if key in ("version", "sources") or metadata.get(key)
    }


def _read_version(files: YamlFiles) -> int:
    path = files.root / "version.yaml"
    if not path.is_file():
        raise MetadataDirError("version.yaml is missing", "version.yaml")
    version = files.load(path, {})
    if not isinstance(version, dict) or version.get("version") != METADATA_VERSION:
        found = version.get("version") if isinstance(version, dict) else version
        raise MetadataDirError(f"unsupported metadata version {found!r}; expected version: 3", "version.yaml")
    return METADATA_VERSION


def _read_sources(files: YamlFiles) -> list[dict[str, Any]]:
    file = "databases/databases.yaml"
    sources = expect_list(files.load(files.root / file, []), file, file)
    return [_read_source(source, file) for source in sources]


def _read_remote_schemas(files: YamlFiles) -> list[dict[str, Any]]:
    file = "remote_schemas.yaml"
    return arrange(expect_list(files.load(files.root / file, []), file, file), REMOTE_SCHEMA)


def _read_source(source: Any, file: str) -> dict[str, Any]:
    source = expect_mapping(source, file, "each source")
    for key in ("tables", "functions"):
        if key in source:
            source[key] = expect_list(source[key] or [], file, f"{key} of source {source.get('name')}")
    return arrange(source, SOURCE)
