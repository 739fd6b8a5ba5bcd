"""The engine package stays pure: it never imports Django or the Django apps."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
FORBIDDEN = ("django", "rest_framework", "graphene_django", "relationships", "console")


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_engine_imports_nothing_from_django_or_the_apps():
    offenders = [
        f"{path.relative_to(ENGINE.parent)} imports {module}"
        for path in sorted(ENGINE.rglob("*.py"))
        for module in _imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []
