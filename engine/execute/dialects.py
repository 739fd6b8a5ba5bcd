"""How each kind of source spells what the compiler needs: JSON building, comparisons, casts, join keys.

PostgreSQL builds JSON with ``json_build_object``/``json_agg`` and casts every parameter to the
column's type; join keys arrive as one array parameter per key column, unpacked by ``unnest``
(as one JSONB parameter unpacked by ``jsonb_to_recordset`` when a key is a list of keys). SQLite
builds JSON with ``json_object``/``json_group_array`` (re-reading nested values with ``json()``,
because a JSON value loses its JSON-ness when it leaves a subquery) and unpacks join keys with
``json_each`` over one JSON text parameter. A join key may be a list of keys (rows whose column is in
the list): an array column of the recordset on PostgreSQL, a JSON array on SQLite.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from engine.errors import Code
from engine.execute.fragments import Sql, compose, join, raw
from engine.graphql_errors import RequestError
from engine.sources import SQLITE

COMPARISONS = {"_eq": "=", "_neq": "<>", "_gt": ">", "_gte": ">=", "_lt": "<", "_lte": "<="}
JSON_TYPES = ("json", "jsonb")


class _Keys:
    """The type of ``KEYS``."""

    def __repr__(self) -> str:
        return "KEYS"


KEYS = _Keys()
"""The parameter a join statement compiles in place of its keys (``encode_keys`` gives its value)."""


@dataclass(frozen=True)
class KeyColumn:
    """The parameter a PostgreSQL join statement compiles in place of one column of its keys.

    Its value is an array literal of that column's values, in argument order (argument ids count
    from 0, so an element's position gives its id).
    """

    index: int


class SqlDialect(ABC):
    """The dialect-specific half of the SQL compiler."""

    # How a parameter is spelled in statement text.
    placeholder: str
    # Whether json_array_agg orders by a row number (else rows keep the derived table's order).
    orders_aggregates: bool = True
    # Column types whose values the driver hands over as the very values the database's JSON holds
    # (same JSON once encoded), so an object join may return them as plain columns.
    plain_types: frozenset[str] = frozenset()

    def ident(self, name: str) -> Sql:
        """A quoted identifier."""
        return Sql(self.quote(name))

    @staticmethod
    def quote(name: str) -> str:
        """``name`` as a quoted identifier (as PostgreSQL's ``quote_ident`` and SQLite quote it)."""
        return '"' + name.replace('"', '""') + '"'

    def column(self, alias: str, name: str) -> Sql:
        """``alias.column``."""
        return compose("{}.{}", self.ident(alias), self.ident(name))

    def table(self, schema: str, name: str) -> Sql:
        """A table name, qualified where the dialect has schemas."""
        return Sql(f"{self.quote(schema)}.{self.quote(name)}")

    def value(self, value: Any) -> Sql:
        """A plain parameter."""
        return Sql(self.placeholder, (value,))

    def text(self, value: str) -> Sql:
        """A text parameter (JSON keys, ``__typename`` values)."""
        return self.value(value)

    def render(self, statement: Sql, connection: Any) -> str:
        """The statement text to execute on ``connection`` (always with a parameter sequence)."""
        return statement.text

    @abstractmethod
    def json_object(self, pairs: Sequence[tuple[str, Sql]]) -> Sql:
        """A JSON object with the given keys, in order."""

    @abstractmethod
    def nested(self, subquery: Sql) -> Sql:
        """A JSON value produced by a scalar subquery, usable inside ``json_object``."""

    @abstractmethod
    def json_array_agg(self, row: Sql, order: Sql | None) -> Sql:
        """The aggregate collecting ``row`` values into a JSON array (``[]`` for no rows)."""

    @abstractmethod
    def output(self, column: Sql, data_type: str) -> Sql:
        """A column value as it appears in JSON output."""

    @abstractmethod
    def compare(self, column: Sql, operator: str, value: Any, data_type: str) -> Sql:
        """A comparison of a column with a value."""

    @abstractmethod
    def count(self, columns: Sequence[Sql], distinct: bool) -> Sql:
        """``count`` of non-null (optionally distinct) column values."""

    @abstractmethod
    def as_text(self, expression: Sql) -> Sql:
        """A JSON expression returned as text to the client."""

    @abstractmethod
    def key_source(self, key_types: Sequence[str], lists: Sequence[bool] = ()) -> tuple[Sql, Sql, list[Sql]]:
        """For join keys: (FROM item, argument id expr, key exprs); the keys are the parameter ``KEYS``.

        ``lists`` marks the keys whose values are lists of keys.
        """

    @abstractmethod
    def encode_keys(self, keys: list[list[Any]], count: int) -> str:
        """The ``KEYS`` parameter for join keys ``[[argument id, value...], ...]`` of ``count`` values each."""

    def bind_keys(self, params: tuple[Any, ...], keys: list[list[Any]], count: int) -> tuple[Any, ...]:
        """A join statement's parameters, its key placeholders given ``keys``.

        ``keys`` are ``[[argument id, value...], ...]`` with ids 0, 1, 2... in order (as a batch
        numbers them).
        """
        encoded = self.encode_keys(keys, count)
        return tuple(encoded if p is KEYS else p for p in params)

    @abstractmethod
    def in_keys(self, column: Sql, keys: Sql) -> Sql:
        """The column's value is one of the list of keys ``keys`` (a key expression of ``key_source``)."""

    def limit_offset(self, limit: int | None, offset: int | None) -> Sql | None:
        """``LIMIT``/``OFFSET`` clauses, or None."""
        parts = []
        if limit is not None:
            parts.append(compose("LIMIT {}", self.value(limit)))
        if offset is not None:
            parts.append(compose("OFFSET {}", self.value(offset)))
        return join(" ", parts) if parts else None

    def _null_check(self, column: Sql, is_null: bool) -> Sql:
        return compose("{} IS NULL" if is_null else "{} IS NOT NULL", column)


# --- PostgreSQL --------------------------------------------------------------------------------

POSTGRES_PATTERN_OPERATORS = {
    "_like": "LIKE",
    "_nlike": "NOT LIKE",
    "_ilike": "ILIKE",
    "_nilike": "NOT ILIKE",
    "_similar": "SIMILAR TO",
    "_nsimilar": "NOT SIMILAR TO",
    "_regex": "~",
    "_iregex": "~*",
    "_nregex": "!~",
    "_niregex": "!~*",
}
POSTGRES_JSON_OPERATORS = {
    "_contains": ("@>", "jsonb"),
    "_contained_in": ("<@", "jsonb"),
    "_has_key": ("?", "text"),
    "_has_keys_any": ("?|", "_text"),
    "_has_keys_all": ("?&", "_text"),
}
# Hasura's names of built-in types, back to the names PostgreSQL accepts quoted.
POSTGRES_TYPE_NAMES = {
    "integer": "int4",
    "bigint": "int8",
    "smallint": "int2",
    "boolean": "bool",
    "real": "float4",
}
# PostgreSQL refuses functions with more than 100 arguments.
MAX_OBJECT_PAIRS = 50


class PostgresSql(SqlDialect):
    """PostgreSQL spelling."""

    # int2/int4/int8 arrive as int, text and varchar as str, bool as bool: encoded, the same JSON.
    plain_types = frozenset({"smallint", "integer", "bigint", "text", "varchar", "boolean"})

    placeholder = "%s"

    @staticmethod
    def quote(name: str) -> str:
        """A quoted identifier whose ``%`` is doubled: psycopg2 would read it as a placeholder."""
        return SqlDialect.quote(name).replace("%", "%%")

    def type_name(self, data_type: str) -> Sql:
        """A column type as a (quoted) type name."""
        return self.ident(POSTGRES_TYPE_NAMES.get(data_type, data_type))

    def typed(self, value: Any, data_type: str) -> Sql:
        """A parameter cast to a column type (JSON values encoded first)."""
        if data_type in JSON_TYPES:
            value = json.dumps(value)
        return compose("{}::{}", self.value(value), self.type_name(data_type))

    def typed_array(self, values: list[Any], data_type: str) -> Sql:
        """An array parameter cast to an array of the column type."""
        if data_type in JSON_TYPES:
            values = [json.dumps(value) for value in values]
        return compose("{}::{}[]", self.value(list(values)), self.type_name(data_type))

    def text(self, value: str) -> Sql:
        """A text parameter."""
        return compose("{}::text", self.value(value))

    def json_object(self, pairs: Sequence[tuple[str, Sql]]) -> Sql:
        """``json_build_object`` (``row_to_json`` over a row for more keys than it takes)."""
        if len(pairs) <= MAX_OBJECT_PAIRS:
            return compose(
                "json_build_object({})", join(", ", (compose("{}, {}", self.text(k), v) for k, v in pairs))
            )
        columns = join(", ", (compose("{} AS {}", value, self.ident(key)) for key, value in pairs))
        return compose('(SELECT row_to_json("_o") FROM (SELECT {}) AS "_o")', columns)

    def nested(self, subquery: Sql) -> Sql:
        """PostgreSQL keeps the JSON type of a subquery's value."""
        return compose("({})", subquery)

    def json_array_agg(self, row: Sql, order: Sql | None) -> Sql:
        """``coalesce(json_agg(row ORDER BY ...), '[]')``."""
        if order is None:
            return compose("coalesce(json_agg({}), '[]'::json)", row)
        return compose("coalesce(json_agg({} ORDER BY {}), '[]'::json)", row, order)

    def output(self, column: Sql, data_type: str) -> Sql:
        """``json_build_object`` renders every type itself."""
        return column

    def compare(self, column: Sql, operator: str, value: Any, data_type: str) -> Sql:
        """A comparison with the value cast to the column's type."""
        if operator in COMPARISONS:
            return compose(f"{{}} {COMPARISONS[operator]} {{}}", column, self.typed(value, data_type))
        if operator == "_in":
            return compose("{} = ANY({})", column, self.typed_array(value, data_type))
        if operator == "_nin":
            return compose("{} <> ALL({})", column, self.typed_array(value, data_type))
        if operator == "_is_null":
            return self._null_check(column, bool(value))
        if operator in POSTGRES_PATTERN_OPERATORS:
            return compose(
                f"{{}} {POSTGRES_PATTERN_OPERATORS[operator]} {{}}", column, self.typed(value, "text")
            )
        symbol, operand_type = POSTGRES_JSON_OPERATORS[operator]
        return compose(f"{{}} {symbol} {{}}", column, self.typed(value, operand_type))

    def count(self, columns: Sequence[Sql], distinct: bool) -> Sql:
        """``count(*)``, ``count(col)``, ``count(DISTINCT (a, b))``."""
        if not columns:
            return raw("count(*)")
        listed = columns[0] if len(columns) == 1 else compose("({})", join(", ", columns))
        return compose("count(DISTINCT {})" if distinct else "count({})", listed)

    def as_text(self, expression: Sql) -> Sql:
        """``(expr)::text``, so the driver hands over the JSON text untouched."""
        return compose("({})::text", expression)

    def key_source(self, key_types: Sequence[str], lists: Sequence[bool] = ()) -> tuple[Sql, Sql, list[Sql]]:
        """``unnest($1::<type>[], ...) WITH ORDINALITY AS "_k"("k0", ..., "__argument_id__")``.

        Each column of keys is one array literal: the database reads it in a fraction of the time
        it takes to take apart the same keys as JSON objects. Keys that are lists of keys go as
        ``jsonb_to_recordset($1) AS "_k"("__argument_id__" int8, "k0" <type>, "k1" <type>[] ...)``.
        """
        names = _key_names(len(key_types))
        many = list(lists) or [False] * len(key_types)
        if not any(many):
            arrays = join(
                ", ",
                [
                    compose("{}::{}[]", self.value(KeyColumn(index)), self.type_name(t))
                    for index, t in enumerate(key_types)
                ],
            )
            columns = join(", ", [self.ident(name) for name in (*names, "__argument_id__")])
            source = compose('unnest({}) WITH ORDINALITY AS "_k"({})', arrays, columns)
            argument = compose("({} - 1)", self.column("_k", "__argument_id__"))
            return source, argument, [self.column("_k", name) for name in names]
        columns = join(
            ", ",
            [raw('"__argument_id__" int8')]
            + [
                compose("{} {}[]" if is_list else "{} {}", self.ident(name), self.type_name(t))
                for name, t, is_list in zip(names, key_types, many, strict=True)
            ],
        )
        source = compose('jsonb_to_recordset({}::jsonb) AS "_k"({})', self.value(KEYS), columns)
        return source, self.column("_k", "__argument_id__"), [self.column("_k", name) for name in names]

    def encode_keys(self, keys: list[list[Any]], count: int) -> str:
        """``[{"__argument_id__": 0, "k0": ...}, ...]``."""
        if count == 1:
            # One key per object is the common case; spelled out, it costs a fraction per key.
            return _json_text([{"__argument_id__": argument, "k0": value} for argument, value in keys])
        names = _key_names(count)
        return _json_text(
            [{"__argument_id__": key[0], **dict(zip(names, key[1:], strict=True))} for key in keys]
        )

    def bind_keys(self, params: tuple[Any, ...], keys: list[list[Any]], count: int) -> tuple[Any, ...]:
        """The parameters with each key column as an array literal (or all keys as JSON, for lists)."""
        if any(p is KEYS for p in params):
            return super().bind_keys(params, keys, count)
        columns = [_array_literal([key[index] for key in keys]) for index in range(1, count + 1)]
        return tuple(columns[p.index] if type(p) is KeyColumn else p for p in params)

    def in_keys(self, column: Sql, keys: Sql) -> Sql:
        """``column = ANY(keys)``."""
        return compose("{} = ANY({})", column, keys)


# --- SQLite ------------------------------------------------------------------------------------

SQLITE_AFFINITIES = {
    "integer": "INTEGER",
    "bigint": "INTEGER",
    "smallint": "INTEGER",
    "boolean": "INTEGER",
    "float8": "REAL",
    "real": "REAL",
    "numeric": "NUMERIC",
}
# LIKE is case-insensitive in SQLite, GLOB case-sensitive: _like runs as GLOB on a translated pattern.
SQLITE_PATTERN_OPERATORS = {
    "_like": "{} GLOB {}",
    "_nlike": "{} NOT GLOB {}",
    "_ilike": "{} LIKE {} ESCAPE '\\'",
    "_nilike": "{} NOT LIKE {} ESCAPE '\\'",
    "_regex": "{} REGEXP {}",
    "_nregex": "{} NOT REGEXP {}",
    "_iregex": "{} REGEXP {}",
    "_niregex": "{} NOT REGEXP {}",
}
SQLITE_LIST_OPERATORS = {
    "_in": "{} IN (SELECT value FROM json_each({}))",
    "_nin": "{} NOT IN (SELECT value FROM json_each({}))",
}
# Conservative: SQLite builds before 3.48 take at most 127 function arguments.
SQLITE_OBJECT_PAIRS = 60


def like_to_glob(pattern: str) -> str:
    """A case-sensitive SQL LIKE pattern (``%``, ``_``, backslash escapes) as the equivalent GLOB pattern."""
    out = []
    characters = iter(pattern)
    for character in characters:
        if character == "\\":
            out.append(_glob_literal(next(characters, "\\")))
        elif character == "%":
            out.append("*")
        elif character == "_":
            out.append("?")
        else:
            out.append(_glob_literal(character))
    return "".join(out)


def _glob_literal(character: str) -> str:
    return f"[{character}]" if character in "*?[" else character


class SqliteSql(SqlDialect):
    """SQLite spelling."""

    placeholder = "?"
    orders_aggregates = False

    def table(self, schema: str, name: str) -> Sql:
        """The table name alone: a SQLite file has one schema, exposed to metadata as "public"."""
        return self.ident(name)

    def json_object(self, pairs: Sequence[tuple[str, Sql]]) -> Sql:
        """``json_object``; keys beyond what one call takes are added with ``json_insert``."""
        head, rest = pairs[:SQLITE_OBJECT_PAIRS], pairs[SQLITE_OBJECT_PAIRS:]
        built = compose("json_object({})", join(", ", (compose("{}, {}", self.text(k), v) for k, v in head)))
        while rest:
            chunk, rest = rest[:SQLITE_OBJECT_PAIRS], rest[SQLITE_OBJECT_PAIRS:]
            paths = join(", ", (compose("{}, {}", self.text(f"$.{k}"), v) for k, v in chunk))
            built = compose("json_insert({}, {})", built, paths)
        return built

    def limit_offset(self, limit: int | None, offset: int | None) -> Sql | None:
        """SQLite takes OFFSET only after a LIMIT (-1: no limit)."""
        if offset is not None and limit is None:
            return compose("LIMIT -1 OFFSET {}", self.value(offset))
        return super().limit_offset(limit, offset)

    def nested(self, subquery: Sql) -> Sql:
        """``json((subquery))``: re-read the text as JSON."""
        return compose("json(({}))", subquery)

    def json_array_agg(self, row: Sql, order: Sql | None) -> Sql:
        """``json_group_array``; rows arrive in the derived table's order."""
        return compose("coalesce(json_group_array(json({})), json_array())", row)

    def output(self, column: Sql, data_type: str) -> Sql:
        """Booleans (stored as 0/1) become true/false; JSON text becomes JSON."""
        if data_type == "boolean":
            return compose(
                "CASE WHEN {} IS NULL THEN NULL WHEN {} THEN json('true') ELSE json('false') END",
                column,
                column,
            )
        if data_type in JSON_TYPES:
            return compose("json({})", column)
        return column

    def compare(self, column: Sql, operator: str, value: Any, data_type: str) -> Sql:
        """A comparison; lists travel as one JSON parameter."""
        if operator in COMPARISONS:
            return compose(f"{{}} {COMPARISONS[operator]} {{}}", column, self._value(value, data_type))
        if operator in SQLITE_LIST_OPERATORS:
            encoded = json.dumps([self._plain(item, data_type) for item in value])
            return compose(SQLITE_LIST_OPERATORS[operator], column, self.value(encoded))
        if operator == "_is_null":
            return self._null_check(column, bool(value))
        if operator in SQLITE_PATTERN_OPERATORS:
            return compose(SQLITE_PATTERN_OPERATORS[operator], column, self.value(_pattern(operator, value)))
        raise RequestError(
            f'the operator "{operator}" is not supported on SQLite sources', code=Code.NOT_SUPPORTED
        )

    def _value(self, value: Any, data_type: str) -> Sql:
        if data_type in JSON_TYPES:
            return compose("json({})", self.value(json.dumps(value)))
        return self.value(self._plain(value, data_type))

    @staticmethod
    def _plain(value: Any, data_type: str) -> Any:
        return json.dumps(value) if data_type in JSON_TYPES else value

    def count(self, columns: Sequence[Sql], distinct: bool) -> Sql:
        """``count(*)``, ``count(col)``, ``count(DISTINCT json_array(a, b))``."""
        if not columns:
            return raw("count(*)")
        if len(columns) == 1:
            return compose("count(DISTINCT {})" if distinct else "count({})", columns[0])
        listed = join(", ", columns)
        if distinct:
            return compose("count(DISTINCT json_array({}))", listed)
        return compose(
            "count(CASE WHEN {} THEN 1 END)", join(" AND ", (compose("{} IS NOT NULL", c) for c in columns))
        )

    def as_text(self, expression: Sql) -> Sql:
        """SQLite returns JSON as text already."""
        return expression

    def key_source(self, key_types: Sequence[str], lists: Sequence[bool] = ()) -> tuple[Sql, Sql, list[Sql]]:
        """``json_each(?) AS "_k"`` over ``[[argument id, value...], ...]``, each value cast to its column's affinity.

        A list of keys stays JSON text, for ``in_keys``.
        """
        element = self.column("_k", "value")
        argument = compose("json_extract({}, {})", element, self.value("$[0]"))
        many = list(lists) or [False] * len(key_types)
        exprs = [
            compose(
                "json_extract({}, {})"
                if is_list
                else f"CAST(json_extract({{}}, {{}}) AS {SQLITE_AFFINITIES.get(t, 'TEXT')})",
                element,
                self.value(f"$[{i + 1}]"),
            )
            for i, (t, is_list) in enumerate(zip(key_types, many, strict=True))
        ]
        source = compose('json_each({}) AS "_k"', self.value(KEYS))
        return source, argument, exprs

    def encode_keys(self, keys: list[list[Any]], count: int) -> str:
        """The keys as they are: ``[[argument id, value...], ...]``."""
        return _json_text(keys)

    def in_keys(self, column: Sql, keys: Sql) -> Sql:
        """``column IN (SELECT value FROM json_each(keys))``."""
        return compose("{} IN (SELECT value FROM json_each({}))", column, keys)


def _array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal of JSON key values, each converted by the element type's input."""
    if set(map(type, values)) <= {int}:
        try:
            # orjson spells integers as PostgreSQL reads them, a dozen times faster than str() each.
            return "{" + orjson.dumps(values)[1:-1].decode() + "}"
        except orjson.JSONEncodeError:  # an integer beyond 64 bits
            return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(map(_array_element, values)) + "}"


def _array_element(value: Any) -> str:
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return repr(value)
    text = value if kind is str else _json_text(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key_names(count: int) -> list[str]:
    return [f"k{index}" for index in range(count)]


def _json_text(value: Any) -> str:
    """Compact JSON text of join keys (one parameter, however many keys)."""
    return orjson.dumps(value).decode()


def _pattern(operator: str, value: str) -> str:
    if operator in ("_like", "_nlike"):
        return like_to_glob(value)
    if operator in ("_iregex", "_niregex"):
        return f"(?i){value}"
    return value


def regexp(pattern: str, value: Any) -> bool:
    """SQLite's ``REGEXP`` operator (``value REGEXP pattern`` calls ``regexp(pattern, value)``)."""
    return value is not None and re.search(pattern, str(value)) is not None


def dialect_of(kind: str) -> SqlDialect:
    """The SQL dialect of a source kind."""
    return SqliteSql() if kind == SQLITE else PostgresSql()
