"""Reading the examples the documentation marks, and comparing documented answers with real ones.

A marker is an HTML comment (invisible on GitHub) right before what it marks:

    <!-- request: POST /v1/metadata; X-Hasura-Role: user -->   the next fenced block is a request body
    <!-- response: 400 -->                                     the next fenced block is its answer
    <!-- tour: shell -->                                       the next fenced block (or table) in the tour

A marker's argument is the text after the colon. In a documented JSON answer the string "..."
stands for any value, a ``"...": "..."`` entry lets the object have more keys, and a trailing
``"..."`` item lets the list have more items; everything else must be equal.
"""

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!--\s*([a-z]+):\s*(.*?)\s*-->$")
FENCE = re.compile(r"^```(\w*)\s*$")
ANY = "..."


@dataclass(frozen=True)
class Marked:
    """One marked block: its marker, the fence's language ("table" for a table), its text and line."""

    kind: str
    argument: str
    language: str
    text: str
    line: int


def marked_blocks(path: Path) -> list[Marked]:
    """Every marked block of a Markdown file, in document order."""
    lines = path.read_text().splitlines()
    blocks = []
    for index, line in enumerate(lines):
        found = MARKER.match(line.strip())
        if found:
            language, text = _block_after(lines, index + 1, path)
            blocks.append(Marked(found.group(1), found.group(2), language, text, index + 1))
    return blocks


def _block_after(lines: list[str], start: int, path: Path) -> tuple[str, str]:
    """The fenced block or table after line ``start``; indented ones (in list items) are dedented."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index < len(lines) and lines[index].lstrip().startswith("|"):
        end = index
        while end < len(lines) and lines[end].lstrip().startswith("|"):
            end += 1
        return "table", "\n".join(line.strip() for line in lines[index:end])
    opening = FENCE.match(lines[index].strip()) if index < len(lines) else None
    if opening is None:
        raise AssertionError(f"{path.name}:{start}: a marker must be followed by a fenced block or a table")
    indent = len(lines[index]) - len(lines[index].lstrip())
    end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
    return opening.group(1), "\n".join(line[indent:] for line in lines[index + 1 : end])


def table_rows(text: str) -> list[list[str]]:
    """The body rows of a Markdown table, cells stripped of spaces and backticks."""
    rows = [
        [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")] for line in text.splitlines()
    ]
    return rows[2:]


def matches(documented, actual) -> bool:
    """True when ``actual`` is what ``documented`` shows, ``"..."`` standing for what it leaves out."""
    if documented == ANY:
        return True
    if isinstance(documented, dict):
        return _object_matches(documented, actual)
    if isinstance(documented, list):
        return _list_matches(documented, actual)
    return type(documented) is type(actual) and documented == actual


def _object_matches(documented: dict, actual) -> bool:
    if not isinstance(actual, dict):
        return False
    shown = {key: value for key, value in documented.items() if key != ANY}
    if ANY not in documented and set(shown) != set(actual):
        return False
    return all(key in actual and matches(value, actual[key]) for key, value in shown.items())


def _list_matches(documented: list, actual) -> bool:
    if not isinstance(actual, list):
        return False
    open_ended = bool(documented) and documented[-1] == ANY
    shown = documented[:-1] if open_ended else documented
    if len(actual) < len(shown) or (not open_ended and len(actual) != len(shown)):
        return False
    return all(matches(item, value) for item, value in zip(shown, actual, strict=False))
