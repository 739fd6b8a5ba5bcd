"""The document of an alias-mode remote join, printed as graphql-core prints it, without building it.

    query ($client: Var) {
      f0: step1(key: "a") {
        step2 {
          <the client's selection>
        }
      }
      f1: step1(key: "b") { ... }
    }

One aliased field per key: a thousand keys are a thousand fields of several AST nodes each, and
building and printing them through graphql-core cost more than the rest of the join. The text is
the printer's, line for line: its head (operation and variables) and the client's selection are
printed once by graphql-core; each key's field follows the printer's rules for a field, which are
``alias: name(arguments) selection``, the arguments on one line unless prefix and arguments pass
80 characters (then one per line), and two more spaces of indentation inside every block.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    print_ast,
)
from graphql.language.print_string import escape_sequences, print_string

from engine.plan.nodes import RemoteStep

# graphql-core's printer puts arguments one per line past this length (prefix, arguments, parentheses).
MAX_LINE_LENGTH = 80
# A field name no schema has, printed in place of the fields to find where they go.
PLACEHOLDER = "__joinery_fields__"
# The characters graphql-core's printer escapes in a string literal (taken from its own table).
_ESCAPED = re.compile("[" + "".join(re.escape(chr(code)) for code in escape_sequences) + "]")


class AliasedDocument:
    """Prints the fields of one join level along ``path`` (all with the same selection) and their document."""

    def __init__(
        self,
        path: Sequence[RemoteStep],
        selection: SelectionSetNode | None,
        variables: Sequence[VariableDefinitionNode],
    ) -> None:
        self.path = path
        self.selection = "" if selection is None else print_ast(selection)
        placeholder = FieldNode(name=NameNode(value=PLACEHOLDER), arguments=(), directives=())
        operation = OperationDefinitionNode(
            operation=OperationType.QUERY,
            variable_definitions=tuple(variables),
            directives=(),
            selection_set=SelectionSetNode(selections=(placeholder,)),
        )
        printed = print_ast(DocumentNode(definitions=(operation,)))
        body = _block([PLACEHOLDER])
        if not printed.endswith(body):
            raise ValueError(f"unexpected operation head: {printed!r}")
        self.head = printed[: -len(body)]

    def field(self, alias: str, arguments: Sequence[Sequence[str]]) -> str:
        """``alias: step1(arguments) { step2(...) { <selection> } }``.

        ``arguments`` holds, per step of the path, its arguments as ``name: literal`` texts.
        """
        text = self.selection
        for index in range(len(self.path) - 1, -1, -1):
            step = self.path[index]
            prefix = f"{alias}: {step.name}" if index == 0 else step.name
            line = prefix + _arguments(prefix, arguments[index])
            text = f"{line} {text}" if text else line
            if index:
                text = _block([text])
        return text

    def key_fields(
        self, keys: Sequence[Sequence[Any]], arguments_of: Callable[[Sequence[Any]], Any]
    ) -> list[str]:
        """The field of each key (``[argument id, value...]``), aliased ``f<argument id>``.

        ``arguments_of(key)`` gives ``field``'s ``arguments`` of a key. A one-step path, the usual
        one, is written in one loop: a thousand keys are a thousand fields.
        """
        if len(self.path) != 1:
            return [self.field(f"f{key[0]}", arguments_of(key)) for key in keys]
        name, tail = self.path[0].name, f" {self.selection}" if self.selection else ""
        written = []
        for key in keys:
            prefix = f"f{key[0]}: {name}"
            pairs = arguments_of(key)[0]
            if len(pairs) == 1 and len(prefix) + len(pairs[0]) + 2 <= MAX_LINE_LENGTH:
                written.append(f"{prefix}({pairs[0]}){tail}")  # ``_arguments`` of one short pair
            else:
                written.append(prefix + _arguments(prefix, pairs) + tail)
        return written

    def document(self, fields: Sequence[str]) -> str:
        """The query document holding ``fields``."""
        return self.head + _block(fields)


def _arguments(prefix: str, pairs: Sequence[str]) -> str:
    if not pairs:
        return ""
    if len(prefix) + sum(map(len, pairs)) + 2 * (len(pairs) - 1) + 2 > MAX_LINE_LENGTH:
        return "(\n" + _indent("\n".join(pairs)) + "\n)"
    return "(" + ", ".join(pairs) + ")"


def _block(lines: Sequence[str]) -> str:
    joined = "\n".join(line for line in lines if line)
    return "{\n" + _indent(joined) + "\n}" if joined else ""


def _indent(text: str) -> str:
    return "  " + text.replace("\n", "\n  ")


def literal(node: ValueNode) -> str:
    """A value as the printer writes it (anything unusual is printed by graphql-core itself)."""
    if isinstance(node, IntValueNode | FloatValueNode | EnumValueNode):
        return node.value
    if isinstance(node, StringValueNode) and not node.block:
        return string_literal(node.value)
    if isinstance(node, BooleanValueNode):
        return "true" if node.value else "false"
    if isinstance(node, NullValueNode):
        return "null"
    if isinstance(node, ListValueNode):
        return "[" + ", ".join(text for text in map(literal, node.values) if text) + "]"
    if isinstance(node, ObjectValueNode):
        fields = (f"{field.name.value}: {literal(field.value)}" for field in node.fields)
        return "{" + ", ".join(fields) + "}"
    if isinstance(node, VariableNode):
        return f"${node.name.value}"
    return print_ast(node)


def string_literal(value: str) -> str:
    """``print_string(value)``: a string literal as graphql-core prints it.

    A key rarely holds a character to escape; looking for one costs a quarter of translating the
    text, which a thousand keys would otherwise each go through.
    """
    if _ESCAPED.search(value) is None:
        return f'"{value}"'
    return print_string(value)
