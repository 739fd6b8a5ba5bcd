"""PostgreSQL array literals (``{1,2,"a b"}``): how a session variable carries a list for ``_in``/``_nin``.

Session variables are strings; a JWT claim holding a list arrives as such a literal. Only
one-dimensional arrays are read: elements separated by commas, double-quoted ones with backslash
escapes, and a bare ``NULL`` for null.
"""

from __future__ import annotations

from engine.errors import Code
from engine.graphql_errors import RequestError

NULL = "null"


def parse_array_literal(text: str) -> list[str | None]:
    """The elements of a one-dimensional array literal; raises RequestError when ``text`` is not one."""
    inner = text.strip()
    if len(inner) < 2 or inner[0] != "{" or inner[-1] != "}":
        raise _not_an_array()
    body = inner[1:-1]
    if not body.strip():
        return []
    elements: list[str | None] = []
    position = 0
    while True:
        element, position = _element(body, position)
        elements.append(element)
        if position == len(body):
            return elements
        if body[position] != ",":
            raise _not_an_array()
        position += 1


def _element(body: str, position: int) -> tuple[str | None, int]:
    """One element starting at ``position`` (leading blanks skipped) and where it ends."""
    while position < len(body) and body[position].isspace():
        position += 1
    if position < len(body) and body[position] == '"':
        return _quoted(body, position + 1)
    end = body.find(",", position)
    end = len(body) if end == -1 else end
    bare = body[position:end].strip()
    if not bare or any(character in bare for character in '"{}\\'):
        raise _not_an_array()
    return (None if bare.lower() == NULL else bare), end


def _quoted(body: str, position: int) -> tuple[str, int]:
    characters: list[str] = []
    while position < len(body):
        character = body[position]
        if character == "\\" and position + 1 < len(body):
            characters.append(body[position + 1])
            position += 2
        elif character == '"':
            return "".join(characters), _after_blanks(body, position + 1)
        else:
            characters.append(character)
            position += 1
    raise _not_an_array()


def _after_blanks(body: str, position: int) -> int:
    while position < len(body) and body[position].isspace():
        position += 1
    return position


def _not_an_array() -> RequestError:
    return RequestError(
        'a session variable used with "_in" or "_nin" must be an array literal such as "{1,2}"',
        code=Code.PARSE_FAILED,
    )
