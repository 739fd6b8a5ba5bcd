"""The live facts metadata is checked against: source catalogs, remote schemas, environment variables.

Built by the caller (which does the I/O); validation and schema building only read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.http import display_url

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


_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class MissingVariableError(KeyError):
    """A ``{{VAR}}`` template or ``*_from_env`` reference names an unset environment variable."""

    def __init__(self, variable: str) -> None:
        super().__init__(variable)
        self.variable = variable

    def __str__(self) -> str:
        return f"environment variable '{self.variable}' not set"


def resolve_template(text: str, environ: Mapping[str, str]) -> str:
    """Replace every ``{{VAR}}`` in ``text`` with the variable's value."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise MissingVariableError(name)
        return environ[name]

    return _TEMPLATE.sub(value, text)


def configured_url(template: str | None, from_env: str | None = None) -> str:
    """A URL as the metadata gives it (``{{VAR}}`` for ``url_from_env``), for messages to show."""
    return "{{" + from_env + "}}" if from_env is not None else template or ""


def hide_resolved_url(text: str, url: str, configured: str) -> str:
    """``text`` with the resolved ``url`` written as configured, so no environment value shows."""
    return text.replace(display_url(url), display_url(configured)) if url else text


def template_variables(text: str) -> list[str]:
    """The variable names a ``{{VAR}}`` template refers to."""
    return _TEMPLATE.findall(text)
