"""Hypothesis strategies for request bodies: odd JSON, metadata commands, raw bytes and content types.

Metadata commands are shaped like real ones: the command names come from the metadata API's
registry, and the arguments are the documented examples of docs/metadata-api.md (every command
has one) with parts deleted, retyped, oversized or swapped for names that exist in the fuzz
metadata, or arguments made up from the keys commands use. GraphQL documents are generated from a
schema in ``tests.fuzz.graphql_documents``.
"""

import json
from functools import cache

from hypothesis import strategies as st

from engine.metadata import Node
from relationships.commands import REGISTRY, lookup
from tests.docs.marked_blocks import ROOT, marked_blocks
from tests.fuzz.world import KNOWN_NAMES

ODD_STRINGS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "'",
    '"',
    "\\",
    "\ud800",
    "é€😀",
    "\u202e",
    "'; DROP TABLE author; --",
    '"; DROP TABLE author; --',
    "{{HOME}}",
    "{{",
    "$",
    "$.",
    "$id",
    "__typename",
    "x-hasura-role",
    "X-Hasura-User-Id",
    "http://127.0.0.1:1/",
    "http://example.com/",
    "file:///etc/passwd",
    "sqlite:///../db.sqlite3",
    "postgresql://postgres@127.0.0.1:1/x",
    "NaN",
    "null",
    "1e999",
    "0x10",
    "a" * 5000,
)
HUGE_NUMBERS = (
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    2**64,
    10**40,
    1e308,
    -1e308,
    5e-324,
    -0.0,
    float("inf"),
    float("nan"),
)
COMMAND_KEYS = (
    "name",
    "source",
    "table",
    "schema",
    "role",
    "permission",
    "definition",
    "using",
    "configuration",
    "connection_info",
    "database_url",
    "from_env",
    "columns",
    "filter",
    "check",
    "set",
    "action",
    "handler",
    "arguments",
    "output_type",
    "remote_schema",
    "type_name",
    "url",
    "headers",
    "value_from_env",
    "lhs_fields",
    "remote_field",
    "to_source",
    "to_remote_schema",
    "field_mapping",
    "objects",
    "sql",
    "cascade",
    "comment",
    "new_name",
    "metadata",
    "allow_inconsistent_metadata",
    "customization",
    "is_enum",
    "kind",
    "type",
    "args",
)
UNKNOWN_COMMANDS = (
    "pg_frobnicate",
    "mssql_track_table",
    "citus_add_source",
    "frobnicate",
    "pg_",
    "_",
    "bulk_",
)


def scalars() -> st.SearchStrategy:
    """JSON scalars, weighted towards the ones that break things."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(HUGE_NUMBERS),
        st.text(max_size=20),
        st.sampled_from(ODD_STRINGS),
        st.sampled_from(KNOWN_NAMES),
    )


def json_values(keys: st.SearchStrategy | None = None) -> st.SearchStrategy:
    """Any JSON value (plus NaN and Infinity, which Python writes and a server must refuse)."""
    if keys is None:
        keys = st.one_of(st.text(max_size=10), st.sampled_from(COMMAND_KEYS))
    return st.recursive(
        scalars(),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
        max_leaves=12,
    )


@st.composite
def mutated(draw, value, depth: int = 0):
    """``value`` with random parts deleted, retyped, oversized or replaced."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(json_values())
    if choice == 1:
        return draw(st.sampled_from([None, [value], str(value)[:50], {"value": value}, 0, True]))
    if choice == 2 and isinstance(value, str):
        return draw(st.sampled_from(KNOWN_NAMES + ODD_STRINGS))
    if isinstance(value, dict) and depth < 6:
        return draw(_mutated_object(value, depth))
    if isinstance(value, list) and depth < 6:
        items = [draw(mutated(item, depth + 1)) for item in value]
        return items + draw(st.lists(json_values(), max_size=1)) if choice == 3 else items
    return value


@st.composite
def _mutated_object(draw, value: dict, depth: int) -> dict:
    result = {}
    for key, item in value.items():
        if draw(st.integers(0, 7)) == 0:
            continue
        result[key] = draw(mutated(item, depth + 1))
    for key in draw(st.lists(st.sampled_from(COMMAND_KEYS), max_size=1)):
        result[key] = draw(json_values())
    return result


@cache
def documented_requests() -> dict[str, list]:
    """The request bodies of docs/metadata-api.md, by endpoint path."""
    found: dict[str, list] = {"/v1/metadata": [], "/v2/query": []}
    for block in marked_blocks(ROOT / "docs" / "metadata-api.md"):
        if block.kind == "request":
            path = block.argument.split(";")[0].split()[1]
            found[path].append(json.loads(block.text))
    return found


@cache
def command_names() -> tuple[str, ...]:
    lookup("export_metadata", Node({}, "$"))  # loads every command module into the registry
    return tuple(sorted(REGISTRY))


def commands(path: str = "/v1/metadata") -> st.SearchStrategy:
    """A metadata (or ``/v2/query``) command: documented ones mutated, or made up from real names."""
    documented = documented_requests()[path]
    made_up = st.fixed_dictionaries(
        {"type": st.sampled_from(command_names()) | st.sampled_from(UNKNOWN_COMMANDS) | st.text(max_size=12)},
        optional={
            "args": json_values(st.sampled_from(COMMAND_KEYS)),
            "version": st.sampled_from([1, 2, 3, 0, -1, "2", None, 2**70, 1.5]),
            "resource_version": st.integers() | st.sampled_from(HUGE_NUMBERS) | st.text(max_size=5),
        },
    )
    return st.one_of(st.sampled_from(documented).flatmap(mutated), made_up)


def bulk_commands(path: str = "/v1/metadata") -> st.SearchStrategy:
    """A ``bulk`` of commands (possibly nested)."""
    return st.builds(
        lambda items, nested: {
            "type": "bulk",
            "args": items + ([{"type": "bulk", "args": items}] if nested else []),
        },
        st.lists(commands(path), max_size=4),
        st.booleans(),
    )


def bodies(path: str) -> st.SearchStrategy:
    """A metadata-endpoint body: a command, a bulk, or any JSON value."""
    return st.one_of(commands(path), commands(path), bulk_commands(path), json_values())


def broken_bytes(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Bytes that are not (quite) the JSON of a valid body: truncated, flipped, padded, not UTF-8."""

    def encode(value) -> bytes:
        return json.dumps(value).encode("utf-8", "surrogatepass")

    def damage(data: bytes, how: int, position: int, junk: bytes) -> bytes:
        cut = position % (len(data) + 1)
        return [
            data[:cut],
            data[:cut] + junk + data[cut:],
            data + junk,
            junk + data,
            data.replace(b'"', b"'"),
            data.decode("utf-8", "replace").encode("utf-16"),
        ][how]

    return (
        st.builds(
            damage,
            valid.map(encode),
            st.integers(0, 5),
            st.integers(0, 10_000),
            st.binary(max_size=8) | st.sampled_from([b"\x00", b"\xff\xfe", b"}", b"]", b",", b"\\", b"\xc3"]),
        )
        | st.binary(max_size=64)
        | st.sampled_from([b"", b"null", b"[]", b"{}", b"[[]]", b'"x"', b"1e999", b"-", b"[" * 5000])
    )


CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/graphql",
    "",
    "application/json\x00",
)
