"""Generated ``/v1/graphql`` requests built from a role's real schema: mostly valid, often not quite.

A request is written field by field from the root types, using the schema's own field, argument,
enum and input-object names: aliases, arguments with right and wrong values (huge numbers, odd
strings, nulls where they are not allowed), variables declared with right and wrong types and sent
with right and wrong values, inline fragments and named fragment spreads, ``@include``/``@skip``,
introspection, several operations with a right or wrong ``operationName``, nesting up to ten
levels deep, and now and then an unknown field or argument, a missing selection set, or a
document cut short.
"""

import json

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_composite_type,
)
from hypothesis import strategies as st

from tests.fuzz.strategies import HUGE_NUMBERS, ODD_STRINGS, json_values
from tests.fuzz.world import KNOWN_NAMES

FIELD_BUDGET = 40
WRONG_TYPES = (
    "Int",
    "Int!",
    "String",
    "[Int!]!",
    "Boolean",
    "Float",
    "ID!",
    "Foo",
    "ArticleInput",
    "[[String]]",
)
INTROSPECTION = (
    "__schema { queryType { name } types { name kind fields { name args { name } type { name kind ofType { name } } } } }",
    '__type(name: "author") { name fields { name type { name } } }',
    "__schema { directives { name locations args { name } } mutationType { name } }",
    "__type(name: 1) { name }",
)
DIRECTIVES = (
    "@include(if: true)",
    "@include(if: false)",
    "@skip(if: true)",
    "@skip(if: null)",
    "@deprecated",
    "@foo",
)


class DocumentWriter:
    """Writes one request, drawing every choice from hypothesis."""

    def __init__(self, draw, schema: GraphQLSchema) -> None:
        self.draw = draw
        self.schema = schema
        self.max_depth = draw(st.integers(1, 10))
        self.budget = FIELD_BUDGET
        self.variables: list[tuple[str, str, object]] = []
        self.fragments: list[str] = []

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) < percent

    def request(self) -> dict:
        operations = [self.operation(index) for index in range(self.draw(st.integers(1, 3)))]
        names = [name for name, _ in operations if name]
        text = " ".join([text for _, text in operations] + self.fragments)
        if self.chance(5):
            text = text[: self.draw(st.integers(0, len(text)))]
        body: dict = {"query": text}
        if self.variables or self.chance(10):
            body["variables"] = {name: value for name, _, value in self.variables}
        if names or self.chance(10):
            body["operationName"] = self.draw(st.sampled_from([*names, None, "missing", ""]))
        return body

    def operation(self, index: int) -> tuple[str | None, str]:
        kinds = ["query", "query", "mutation"] if self.schema.mutation_type else ["query"]
        kind = self.draw(st.sampled_from([*kinds, "subscription"] if self.chance(3) else kinds))
        root = self.schema.mutation_type if kind == "mutation" else self.schema.query_type
        start = len(self.variables)
        selection = self.selection_set(root, 1) if root is not None else "{ __typename }"
        name = f"Op{index}" if index or self.chance(30) else None
        declared = ", ".join(f"${n}: {t}" for n, t, _ in self.variables[start:])
        header = f"{kind} {name or ''}{f'({declared})' if declared else ''}"
        if header.strip() == "query" and self.chance(50):
            return name, selection
        return name, f"{header} {selection}"

    def selection_set(self, parent, depth: int) -> str:
        count = self.draw(st.integers(1, 4))
        return "{ " + " ".join(self.selection(parent, depth) for _ in range(count)) + " }"

    def selection(self, parent, depth: int) -> str:
        kind = self.draw(st.integers(0, 20))
        fields = getattr(parent, "fields", None) or {}
        if kind <= 11 and fields and self.budget > 0:
            self.budget -= 1
            return self.field(parent, self.draw(st.sampled_from(sorted(fields))), depth)
        if kind == 13 and depth < self.max_depth:
            return f"... on {self.fragment_type(parent)} {self.selection_set(parent, depth + 1)}"
        if kind == 14 and depth < self.max_depth:
            return self.fragment_spread(parent, depth)
        if kind == 15:
            return self.draw(st.sampled_from([*KNOWN_NAMES, "nope", "__nope", "KeyError"])).replace("-", "_")
        if kind == 16 and depth == 1 and parent is self.schema.query_type:
            return self.draw(st.sampled_from(INTROSPECTION))
        if kind == 17:
            return f"__typename {self.draw(st.sampled_from(DIRECTIVES))}"
        return "__typename" if not fields or self.chance(30) else self.leaf(parent)

    def leaf(self, parent) -> str:
        leaves = sorted(n for n, f in parent.fields.items() if not is_composite_type(get_named_type(f.type)))
        return self.draw(st.sampled_from(leaves)) if leaves else "__typename"

    def field(self, parent, name: str, depth: int) -> str:
        definition = parent.fields[name]
        alias = f"a{self.draw(st.integers(0, 3))}: " if self.chance(20) else ""
        arguments = [
            f"{arg_name}: {self.literal(arg.type, 0)}"
            for arg_name, arg in sorted(definition.args.items())
            if self.chance(60 if isinstance(arg.type, GraphQLNonNull) else 35)
        ]
        if self.chance(4):
            arguments.append(f"bogus: {self.any_literal()}")
        args = f"({', '.join(arguments)})" if arguments else ""
        directive = f" {self.draw(st.sampled_from(DIRECTIVES))}" if self.chance(5) else ""
        named = get_named_type(definition.type)
        text = f"{alias}{name}{args}{directive}"
        if is_composite_type(named):
            if self.chance(3):
                return text
            inner = self.selection_set(named, depth + 1) if depth < self.max_depth else "{ __typename }"
            return f"{text} {inner}"
        return f"{text} {{ id }}" if self.chance(3) else text

    def fragment_type(self, parent) -> str:
        if isinstance(parent, GraphQLUnionType | GraphQLInterfaceType) and self.chance(70):
            return self.draw(st.sampled_from(sorted(t.name for t in self.schema.get_possible_types(parent))))
        if self.chance(10):
            return self.draw(st.sampled_from(["Person", "author", "Nope", "String", "query_root"]))
        return parent.name

    def fragment_spread(self, parent, depth: int) -> str:
        name = f"F{len(self.fragments)}"
        self.fragments.append("")
        index = len(self.fragments) - 1
        self.fragments[index] = (
            f"fragment {name} on {self.fragment_type(parent)} {self.selection_set(parent, depth + 1)}"
        )
        return f"...{name}"

    # --- values -------------------------------------------------------------------------------

    def literal(self, type_, depth: int) -> str:
        """A GraphQL literal for an input type: usually valid, sometimes a variable, sometimes wrong."""
        if self.chance(12):
            return self.variable(type_)
        if self.chance(8):
            return self.any_literal()
        if isinstance(type_, GraphQLNonNull):
            return "null" if self.chance(5) else self.literal(type_.of_type, depth)
        if isinstance(type_, GraphQLList):
            if self.chance(20):
                return self.literal(type_.of_type, depth)
            items = [self.literal(type_.of_type, depth) for _ in range(self.draw(st.integers(0, 3)))]
            return "[" + ", ".join(items) + "]"
        if isinstance(type_, GraphQLInputObjectType):
            return self.input_object(type_, depth)
        if isinstance(type_, GraphQLEnumType):
            return self.draw(st.sampled_from([*sorted(type_.values), "NOPE", '"HAPPY"']))
        return self.scalar_literal(type_.name)

    def input_object(self, type_: GraphQLInputObjectType, depth: int) -> str:
        if depth >= 3:
            return "{}"
        fields = [
            f"{name}: {self.literal(field.type, depth + 1)}"
            for name, field in sorted(type_.fields.items())
            if self.chance(90 if isinstance(field.type, GraphQLNonNull) else 20)
        ]
        return "{" + ", ".join(fields) + "}"

    def scalar_literal(self, name: str) -> str:
        value = self.draw(scalar_values(name))
        return graphql_literal(value)

    def any_literal(self) -> str:
        return graphql_literal(self.draw(json_values()))

    def variable(self, type_) -> str:
        name = f"v{len(self.variables)}"
        declared = str(type_) if self.chance(80) else self.draw(st.sampled_from(WRONG_TYPES))
        value = self.json_value(type_, 0) if self.chance(75) else self.draw(json_values())
        if not self.chance(95):
            declared = ""  # an undeclared variable
        else:
            self.variables.append((name, declared, value))
        return f"${name}"

    def json_value(self, type_, depth: int):
        """A JSON variable value for an input type (valid unless the draws say otherwise)."""
        if isinstance(type_, GraphQLNonNull):
            return None if self.chance(5) else self.json_value(type_.of_type, depth)
        if isinstance(type_, GraphQLList):
            return [self.json_value(type_.of_type, depth) for _ in range(self.draw(st.integers(0, 3)))]
        if isinstance(type_, GraphQLInputObjectType):
            if depth >= 3:
                return {}
            return {
                name: self.json_value(field.type, depth + 1)
                for name, field in sorted(type_.fields.items())
                if self.chance(90 if isinstance(field.type, GraphQLNonNull) else 20)
            }
        if isinstance(type_, GraphQLEnumType):
            return self.draw(st.sampled_from([*sorted(type_.values), "NOPE", 1]))
        return self.draw(scalar_values(type_.name))


def scalar_values(name: str) -> st.SearchStrategy:
    """Python values for a scalar: right for its type most of the time."""
    odd = st.sampled_from(ODD_STRINGS) | st.sampled_from(HUGE_NUMBERS)
    right = {
        "Int": st.integers(-(2**31), 2**31 - 1) | st.integers(),
        "Float": st.floats(allow_nan=False, allow_infinity=False),
        "Boolean": st.booleans(),
        "String": st.text(max_size=20),
        "ID": st.text(max_size=5) | st.integers(0, 5).map(str),
    }.get(name, json_values())
    return st.one_of(right, right, right, odd, st.none())


def graphql_literal(value) -> str:
    """``value`` written as a GraphQL literal (object keys as names, as far as they can be)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(graphql_literal(item) for item in value) + "]"
    return "{" + ", ".join(f"{_name(key)}: {graphql_literal(item)}" for key, item in value.items()) + "}"


def _name(key: str) -> str:
    cleaned = "".join(c for c in key if c.isascii() and (c.isalnum() or c == "_"))
    return cleaned if cleaned and not cleaned[0].isdigit() else f"k{cleaned}"


@st.composite
def graphql_requests(draw, schema: GraphQLSchema) -> dict:
    """One generated ``{"query", "variables"?, "operationName"?}`` body for ``schema``."""
    return DocumentWriter(draw, schema).request()


def odd_requests(schema: GraphQLSchema) -> st.SearchStrategy:
    """A body of any shape: a generated request, a batch of them, one with odd-typed keys, any JSON."""
    one = graphql_requests(schema)
    odd_keys = one.flatmap(
        lambda body: st.fixed_dictionaries(
            {"query": st.just(body["query"]) | json_values()},
            optional={
                "variables": json_values(),
                "operationName": json_values(),
                "extensions": json_values(),
            },
        )
    )
    return st.one_of(one, one, one, st.lists(one, max_size=3), odd_keys, json_values())
