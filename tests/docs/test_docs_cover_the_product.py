"""The reference pages name exactly what the product has: every metadata command, every setting."""

import ast
import importlib
import re

import dj_database_url

from relationships import commands
from relationships.sql_runner import RUN_SQL_TYPES
from tests.docs.marked_blocks import ROOT, marked_blocks, table_rows

METADATA_API = ROOT / "docs" / "metadata-api.md"
CONFIGURATION = ROOT / "docs" / "configuration.md"
SETTINGS = ROOT / "console" / "settings.py"
ENVIRONMENT_READERS = {"env_flag", "env_list", "get", "setdefault"}


def registered_commands() -> set[str]:
    for module in commands.COMMAND_MODULES:
        importlib.import_module(f"{commands.__name__}.{module}")
    return set(commands.REGISTRY)


def command_index() -> set[str]:
    """The command names in the tables of the page's "Command index" section."""
    text = METADATA_API.read_text()
    section = text[text.index("## Command index") : text.index("\n## ", text.index("## Command index") + 1)]
    table_lines = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    return set(re.findall(r"`([a-z_]+)`", table_lines))


def variables_read_by_settings() -> set[str]:
    """The environment variables console/settings.py reads (by name, in code, not in comments)."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = (
                node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            )
            if function in ENVIRONMENT_READERS and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "config"
            and getattr(node.value, "id", "") == "dj_database_url"
        ):
            names.add(dj_database_url.DEFAULT_ENV)
    return names


def documented_settings() -> list[str]:
    (table,) = [
        block
        for block in marked_blocks(CONFIGURATION)
        if (block.kind, block.argument) == ("table", "settings")
    ]
    return [row[0] for row in table_rows(table.text)]


def test_every_registered_metadata_command_is_in_the_index_of_the_reference():
    registered = registered_commands()

    assert len(registered) > 60
    assert sorted(registered - command_index()) == []


def test_the_index_names_no_command_that_does_not_exist():
    known = registered_commands() | set(RUN_SQL_TYPES) | {"bulk"}

    assert sorted(command_index() - known) == []


def test_every_command_has_a_section_or_a_row_with_its_arguments():
    text = METADATA_API.read_text()
    headed = set(re.findall(r"^### `([a-z_]+)`", text, re.M))
    pg_headed = {name.replace("pg_", "sqlite_", 1) for name in headed if name.startswith("pg_")}
    kinds = ("insert", "select", "update", "delete")
    permissions = {
        f"{prefix}_{verb}_{kind}_permission"
        for prefix in ("pg", "sqlite")
        for verb in ("create", "drop")
        for kind in kinds
    }

    assert sorted(registered_commands() - headed - pg_headed - permissions - {"bulk"}) == []
    assert "## `bulk`" in text


def test_every_documented_setting_is_read_by_the_settings_and_the_other_way_round():
    documented = documented_settings()

    assert len(documented) == len(set(documented))
    assert sorted(set(documented) - variables_read_by_settings()) == []
    assert sorted(variables_read_by_settings() - set(documented)) == []


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]*)\)")


def anchors(path) -> set[str]:
    """GitHub's anchors for a Markdown file's headings."""
    headings = re.findall(r"^#+ (.+)$", path.read_text(), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_every_link_between_the_documents_leads_somewhere():
    broken = []
    for document in DOCUMENTS:
        for target in LINK.findall(document.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (document.parent / file_part).resolve() if file_part else document
            if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in anchors(linked)):
                broken.append(f"{document.name}: {target}")

    assert broken == []
