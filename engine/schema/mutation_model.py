"""What a role may change in a tracked table, and the mutation root fields that stand for it.

Permission parts keep Hasura's shapes: ``check`` and ``filter`` are boolean expressions over column
names (values may name session variables), ``presets`` fix column values (a value or a session
variable name). Preset columns are not among the columns a client may give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class InsertAccess:
    """Which columns a role may insert, the check every inserted row must pass, and the presets."""

    columns: frozenset[str] | None = None
    check: Mapping[str, Any] = field(default_factory=dict)
    presets: Mapping[str, Any] = field(default_factory=dict)

    def allows(self, column: str) -> bool:
        """True when the client may give a value for ``column``."""
        return column not in self.presets and (self.columns is None or column in self.columns)


@dataclass(frozen=True)
class UpdateAccess:
    """Which columns a role may update, in which rows, the check after the update, and the presets."""

    columns: frozenset[str] | None = None
    filter: Mapping[str, Any] = field(default_factory=dict)
    check: Mapping[str, Any] | None = None
    presets: Mapping[str, Any] = field(default_factory=dict)

    def allows(self, column: str) -> bool:
        """True when the client may set ``column``."""
        return column not in self.presets and (self.columns is None or column in self.columns)


@dataclass(frozen=True)
class DeleteAccess:
    """Which rows a role may delete."""

    filter: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MutationAccess:
    """A role's insert, update and delete permissions on one table (None: not permitted)."""

    insert: InsertAccess | None = None
    update: UpdateAccess | None = None
    delete: DeleteAccess | None = None


@dataclass(frozen=True)
class MutationRootField:
    """A root field changing a table: ``kind`` is ``insert``, ``update_by_pk`` ...; ``table`` its type."""

    kind: str
    table: str
    access: MutationAccess
