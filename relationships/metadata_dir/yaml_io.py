"""YAML as the metadata directory speaks it: YAML 1.2 core scalars, block-style dumps, `!include` files.

Scalars are read as the CLI's Go reader sees them (`yes`, `on` and dates stay strings); strings a YAML
1.2 reader would take for numbers are quoted on write. `YamlFiles` loads files under one root and
replaces each "!include <path>" string by the content of the included file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from relationships.metadata_dir.errors import MetadataDirError

_INCLUDE = re.compile(r"^!include\s+(\S.*?)\s*$")

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


class LiteralText(str):
    """A multi-line string dumped as a literal block (`|`), as the CLI writes GraphQL SDL.

    The emitter falls back to a quoted string when a block cannot hold the text exactly.
    """


def _represent_literal(dumper: yaml.SafeDumper, data: LiteralText) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="|")


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
_MetadataDumper.add_representer(LiteralText, _represent_literal)


def dump_yaml(value: Any) -> str:
    """Block style, keys in the order given, no line wrapping, no anchors."""
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


class YamlFiles:
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


def expect_list(value: Any, file: str, what: str) -> list[Any]:
    """`value`, or an error saying `what` in `file` must be a list."""
    if not isinstance(value, list):
        raise MetadataDirError(f"{what} must be a list", file)
    return value


def expect_mapping(value: Any, file: str, what: str) -> dict[str, Any]:
    """`value`, or an error saying `what` in `file` must be a mapping."""
    if not isinstance(value, dict):
        raise MetadataDirError(f"{what} must be a mapping", file)
    return value
