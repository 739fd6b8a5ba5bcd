"""Writing the export_metadata object out as a config v3 metadata directory.

Every file is rendered before any is written, so metadata that cannot be written leaves the directory
as it was. Tables and functions go one file each under databases/<source>/, named <schema>_<name>.yaml
and listed by "!include" lines; files an earlier export left behind there are removed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from relationships.metadata_dir.actions import render_actions_files
from relationships.metadata_dir.layout import METADATA_VERSION, PASSTHROUGH_FILES
from relationships.metadata_dir.shapes import (
    FUNCTION,
    REMOTE_SCHEMA,
    SOURCE,
    TABLE,
    Shape,
    arrange,
    qualified_name,
)
from relationships.metadata_dir.yaml_io import LiteralText, dump_yaml


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
    files = {
        "version.yaml": dump_yaml({"version": metadata.get("version", METADATA_VERSION)}),
        **_render_databases(metadata.get("sources") or []),
        **render_actions_files(metadata.get("actions") or [], metadata.get("custom_types") or {}),
        "remote_schemas.yaml": dump_yaml(_remote_schemas(metadata.get("remote_schemas") or [])),
    }
    for filename, key, empty in PASSTHROUGH_FILES:
        files[filename] = dump_yaml(metadata.get(key) or empty())
    return files


def _remote_schemas(remote_schemas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Remote schemas in export order, each permission's multi-line SDL as a literal block to edit."""
    arranged = arrange(remote_schemas, REMOTE_SCHEMA)
    for remote_schema in arranged:
        for permission in remote_schema.get("permissions") or []:
            definition = permission.get("definition")
            schema = definition.get("schema") if isinstance(definition, dict) else None
            if isinstance(schema, str) and "\n" in schema:
                permission["definition"] = {**definition, "schema": LiteralText(schema)}
    return arranged


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


def _render_databases(sources: list[dict[str, Any]]) -> dict[str, str]:
    files: dict[str, str] = {}
    entries = []
    used_directories: set[str] = set()
    for source in sources:
        directory = _unique(_file_stem(str(source.get("name"))), used_directories)
        entry, source_files = _render_source(source, directory)
        entries.append(entry)
        files.update(source_files)
    return {"databases/databases.yaml": dump_yaml(entries), **files}


def _render_source(source: dict[str, Any], directory: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The source's entry in databases.yaml, and its tables (and functions) as included files."""
    entry = {**source, "tables": f"!include {directory}/tables/tables.yaml"}
    files = _render_included_list(
        f"databases/{directory}/tables", "tables.yaml", source.get("tables") or [], "table", TABLE
    )
    if "functions" in source:
        entry["functions"] = f"!include {directory}/functions/functions.yaml"
        files.update(
            _render_included_list(
                f"databases/{directory}/functions",
                "functions.yaml",
                source["functions"] or [],
                "function",
                FUNCTION,
            )
        )
    return arrange(entry, SOURCE), files


def _render_included_list(
    directory: str, index_name: str, items: list[dict[str, Any]], name_key: str, shape: Shape
) -> dict[str, str]:
    """One file per item named <schema>_<name>.yaml, plus an index file of "!include" lines."""
    files: dict[str, str] = {}
    includes = []
    used: set[str] = set()
    for item in items:
        filename = _unique(_file_stem(*qualified_name(item.get(name_key))), used) + ".yaml"
        files[f"{directory}/{filename}"] = dump_yaml(arrange(item, shape))
        includes.append(f"!include {filename}")
    return {f"{directory}/{index_name}": dump_yaml(includes), **files}
