"""``manage.py metadata apply|export|diff|reload|inconsistency`` over a Hasura v3 metadata directory.

Every subcommand goes through ``relationships.services`` like the metadata API, so a directory is
applied atomically with the same validation and the same error messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from engine.errors import EngineError
from relationships import services
from relationships.metadata_dir import (
    MetadataDirError,
    metadata_dir_diff,
    read_metadata_dir,
    write_metadata_dir,
)

DEFAULT_DIR = "metadata"


class Command(BaseCommand):
    help = "Apply, export, diff or reload metadata kept in a Hasura v3 metadata directory."

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the subcommands and their options."""
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        apply = actions.add_parser("apply", help="replace the stored metadata with the directory's")
        apply.add_argument(
            "--allow-inconsistent", action="store_true", help="store it even if objects are inconsistent"
        )
        apply.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
        actions.add_parser("export", help="write the stored metadata into the directory")
        actions.add_parser("diff", help="show how the directory differs from the stored metadata")
        actions.add_parser("reload", help="re-read databases and re-introspect remote schemas")
        inconsistency = actions.add_parser("inconsistency", help="list (or drop) inconsistent objects")
        inconsistency.add_argument("what", nargs="?", choices=["list", "drop"], default="list")
        for sub in (apply, actions.choices["export"], actions.choices["diff"]):
            sub.add_argument(
                "--dir", default=DEFAULT_DIR, help=f"metadata directory (default: {DEFAULT_DIR})"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen subcommand."""
        handler = getattr(self, f"_{options['action']}")
        try:
            handler(options)
        except MetadataDirError as error:
            raise CommandError(str(error))
        except EngineError as error:
            raise CommandError(_describe_error(error))

    def _apply(self, options: dict[str, Any]) -> None:
        desired = read_metadata_dir(Path(options["dir"]))
        changes = metadata_dir_diff(_export(), desired)
        if not changes:
            self.stdout.write("Nothing to apply: the stored metadata already matches the directory.")
            return
        self._print_changes("Changes:" if not options["dry_run"] else "Would change:", changes)
        if options["dry_run"]:
            return
        args = {"allow_inconsistent_metadata": options["allow_inconsistent"], "metadata": desired}
        result = _run("replace_metadata", args, version=2)
        self.stdout.write(self.style.SUCCESS(f"Applied {len(changes)} change(s)."))
        self._print_inconsistencies(result.get("inconsistent_objects", []))

    def _export(self, options: dict[str, Any]) -> None:
        written = write_metadata_dir(_export(), Path(options["dir"]))
        self.stdout.write(f"Exported metadata to {options['dir']} ({len(written)} files).")

    def _diff(self, options: dict[str, Any]) -> None:
        changes = metadata_dir_diff(_export(), read_metadata_dir(Path(options["dir"])))
        if changes:
            self._print_changes("Differences (stored -> directory):", changes)
        else:
            self.stdout.write("No differences.")

    def _reload(self, options: dict[str, Any]) -> None:
        result = _run("reload_metadata", {"reload_remote_schemas": True, "reload_sources": True})
        self.stdout.write("Metadata reloaded.")
        self._print_inconsistencies(result.get("inconsistent_objects", []))

    def _inconsistency(self, options: dict[str, Any]) -> None:
        if options["what"] == "drop":
            _run("drop_inconsistent_metadata", {})
            self.stdout.write("Dropped every inconsistent object.")
            return
        result = _run("get_inconsistent_metadata", {})
        if result["is_consistent"]:
            self.stdout.write("The metadata is consistent.")
        self._print_inconsistencies(result["inconsistent_objects"])

    def _print_changes(self, title: str, changes: list[str]) -> None:
        self.stdout.write(title)
        for line in changes:
            self.stdout.write(f"  {line}")

    def _print_inconsistencies(self, objects: list[dict[str, Any]]) -> None:
        if not objects:
            return
        self.stdout.write(self.style.WARNING(f"{len(objects)} inconsistent object(s):"))
        for item in objects:
            self.stdout.write(f"  {item['name']}: {item['reason']}")


def _run(command_type: str, args: dict[str, Any], *, version: int = 1) -> Any:
    return services.metadata_request_run(body={"type": command_type, "args": args, "version": version})


def _export() -> dict[str, Any]:
    return _run("export_metadata", {})


def _describe_error(error: EngineError) -> str:
    lines = [f"{error.message} (code {error.code}, at {error.path})"]
    for item in error.internal if isinstance(error.internal, list) else []:
        if isinstance(item, dict) and "reason" in item:
            lines.append(f"  {item.get('name', '')}: {item['reason']}")
    if error.internal and not isinstance(error.internal, list):
        lines.append(json.dumps(error.internal))
    return "\n".join(lines)
