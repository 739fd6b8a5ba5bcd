"""Derives an action from a mutation (or query) the gateway serves: a table's, a remote schema's, an action's.

An operation calling one root field gives the action: its variables become the action's arguments
and the field's output type its output, with custom types for every type they reach:

    mutation insertUserAction($object: users_insert_input!) {     type Mutation {
      insert_users_one(object: $object) { id name }          ->      insertUserAction(object: InsertUserActionUsersInsertInput!): InsertUserActionOutput
    }                                                              }
                                                                   input InsertUserActionUsersInsertInput { id: Int  name: String ... }
                                                                   type InsertUserActionOutput { id: Int!  name: String! ... }

As in Hasura, the output type follows the field's type, not the operation's selection, and keeps only
its scalar and enum fields (nested objects are dropped). Input objects and enums are copied under the
action's name as a prefix (``users_insert_input`` -> ``InsertUserActionUsersInsertInput``), so they
never clash with the gateway's own types; custom types already declared are used as they are, and so
are built-in and database scalars. Without an operation, ``default_operation`` writes one for a root
field: its required arguments and the optional ones that take no filter (a recursive input type such
as ``<table>_bool_exp``), each from a variable of the same name, selecting the derived output's fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLType,
    OperationDefinitionNode,
    get_named_type,
    is_enum_type,
    is_leaf_type,
    is_specified_scalar_type,
    parse,
    type_from_ast,
    validate,
)

from engine.errors import Code, EngineError
from engine.metadata import CustomTypes
from engine.naming import is_graphql_name
from engine.schema.model import GatewaySchema, NamespaceField, RemoteNamespaceField
from engine.schema.scalars import scalar_name

OPERATIONS = ("mutation", "query")


class DeriveError(EngineError):
    """The operation (or root field) cannot become an action; the caller locates it."""

    default_code = Code.VALIDATION_FAILED


@dataclass(frozen=True)
class DerivedAction:
    """An action derived from an operation: its signature, the custom types it adds, what it calls.

    ``arguments`` are ``{name, type}`` entries; ``custom_types`` holds only the types to add, in
    ``set_custom_types`` shape; ``document`` is the operation a handler sends to call ``field``, with
    the action's input as its variables.
    """

    name: str
    operation: str
    arguments: tuple[dict[str, str], ...]
    output_type: str
    custom_types: dict[str, list[dict[str, Any]]]
    field: str
    document: str

    @property
    def delegation(self) -> Delegation:
        """What the action's handler calls."""
        return Delegation(self.document, self.field)

    def definition(self, handler: str) -> dict[str, Any]:
        """A ``create_action`` definition calling ``handler``."""
        return {
            "type": self.operation,
            "arguments": [dict(argument) for argument in self.arguments],
            "output_type": self.output_type,
            "handler": handler,
        }


def pascal_case(name: str) -> str:
    """``users_insert_input`` -> ``UsersInsertInput``; ``insertUser`` -> ``InsertUser``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"_+", name) if part)


def action_name_for(field_name: str) -> str:
    """A default action name for a root field: ``insert_users_one`` -> ``insertUsersOneAction``."""
    pascal = pascal_case(field_name)
    return f"{pascal[:1].lower()}{pascal[1:]}Action"


def mutation_fields(schema: GatewaySchema, operation: str = "mutation") -> list[str]:
    """The root fields of an operation type (namespace fields left out: they hold no single field)."""
    root = _root_type(schema, operation)
    if root is None:
        return []
    return [name for name in root.fields if not _is_namespace(schema, root, name)]


def default_operation(
    schema: GatewaySchema, field_name: str, action_name: str, operation: str = "mutation"
) -> str:
    """An operation named ``action_name`` calling root field ``field_name`` (see the module docstring)."""
    root = _root_type(schema, operation)
    field = root.fields.get(field_name) if root is not None else None
    if field is None:
        raise DeriveError(f'no {operation} root field "{field_name}" exists')
    arguments = [(name, argument.type) for name, argument in field.args.items() if _passed(argument.type)]
    variables = ", ".join(f"${name}: {argument_type}" for name, argument_type in arguments)
    passing = ", ".join(f"{name}: ${name}" for name, _ in arguments)
    head = f"{operation} {action_name}" + (f"({variables})" if variables else "")
    call = field_name + (f"({passing})" if passing else "")
    return f"{head} {{\n  {call}{_selection(field.type, '  ')}\n}}\n"


@dataclass(frozen=True)
class Delegation:
    """What a derived action's handler calls: ``document`` (the action's input as its variables) and its root field."""

    document: str
    field: str


def delegation_for(schema: GatewaySchema, derive_from: str, action_name: str, operation: str) -> Delegation:
    """The call behind an action derived from ``derive_from``: a root field name or a whole operation."""
    document = (
        default_operation(schema, derive_from, action_name, operation)
        if is_graphql_name(derive_from)
        else derive_from
    )
    _, field = _single_field(schema, document)
    return Delegation(document, field.name.value)


def derive_action(
    schema: GatewaySchema, custom_types: CustomTypes, document: str, name: str | None = None
) -> DerivedAction:
    """The action ``document`` (one operation calling one root field) describes; ``name`` overrides its name."""
    operation, root_field = _single_field(schema, document)
    action_name = (
        name or (operation.name.value if operation.name else None) or action_name_for(root_field.name.value)
    )
    root = _root_type(schema, operation.operation.value)
    assert root is not None
    field = root.fields[root_field.name.value]
    types = _TypeCopier(schema, custom_types, pascal_case(action_name))
    arguments = tuple(
        {
            "name": definition.variable.name.value,
            "type": types.input_reference(type_from_ast(schema.graphql, definition.type)),  # type: ignore[arg-type]
        }
        for definition in operation.variable_definitions or ()
    )
    return DerivedAction(
        name=action_name,
        operation=operation.operation.value,
        arguments=arguments,
        output_type=types.output_reference(field.type),
        custom_types=types.declared(),
        field=root_field.name.value,
        document=document,
    )


def _root_type(schema: GatewaySchema, operation: str) -> GraphQLObjectType | None:
    return schema.graphql.mutation_type if operation == "mutation" else schema.graphql.query_type


def _is_namespace(schema: GatewaySchema, root: GraphQLObjectType, name: str) -> bool:
    return isinstance(schema.role_of(root.name, name), NamespaceField | RemoteNamespaceField)


def _single_field(schema: GatewaySchema, document: str) -> tuple[OperationDefinitionNode, FieldNode]:
    try:
        parsed = parse(document)
    except GraphQLError as error:
        raise DeriveError(f"not a valid GraphQL operation: {error.message}") from None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation.value not in OPERATIONS:
        raise DeriveError("the document must hold exactly one query or mutation")
    problems = validate(schema.graphql, DocumentNode(definitions=parsed.definitions))
    if problems:
        raise DeriveError(problems[0].message)
    fields = [s for s in operations[0].selection_set.selections if isinstance(s, FieldNode)]
    called = [f for f in fields if not f.name.value.startswith("__")]
    if len(called) != 1 or len(fields) != len(operations[0].selection_set.selections):
        raise DeriveError("the operation must call exactly one root field")
    root = _root_type(schema, operations[0].operation.value)
    assert root is not None
    if _is_namespace(schema, root, called[0].name.value):
        raise DeriveError("derive from a field inside the namespace, not the namespace itself")
    return operations[0], called[0]


def _passed(argument_type: GraphQLInputType) -> bool:
    """Required arguments, and optional ones that take no filter (a recursive input type)."""
    return isinstance(argument_type, GraphQLNonNull) or not _recursive(get_named_type(argument_type), [])


def _recursive(named: GraphQLNamedType, path: list[str]) -> bool:
    if not isinstance(named, GraphQLInputObjectType):
        return False
    if named.name in path:
        return True
    return any(_recursive(get_named_type(f.type), [*path, named.name]) for f in named.fields.values())


def _selection(output: GraphQLOutputType, indent: str) -> str:
    named = get_named_type(output)
    if not isinstance(named, GraphQLObjectType):
        return ""
    leaves = [name for name, field in named.fields.items() if is_leaf_type(get_named_type(field.type))]
    lines = "".join(f"\n{indent}  {name}" for name in leaves)
    return f" {{{lines}\n{indent}}}"


@dataclass
class _TypeCopier:
    """Names and declares the custom types an action needs, copying the gateway's types it reaches."""

    schema: GatewaySchema
    custom_types: CustomTypes
    prefix: str
    kinds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kinds = {"scalars": [], "enums": [], "input_objects": [], "objects": []}
        self.existing = set(self.custom_types.type_names())
        self.database_scalars = {
            scalar_name(column.data_type)
            for model in self.schema.all_tables.values()
            for column in model.columns
        }

    def declared(self) -> dict[str, list[dict[str, Any]]]:
        """The types to add, by kind."""
        return {kind: entries for kind, entries in self.kinds.items() if entries}

    def input_reference(self, graphql_type: GraphQLInputType) -> str:
        """A type reference (``[X!]!``) for an argument or input field."""
        return _reference(graphql_type, self._input_name)

    def output_reference(self, graphql_type: GraphQLOutputType) -> str:
        """A type reference for the action's output."""
        return _reference(graphql_type, self._output_name)

    def _input_name(self, named: GraphQLNamedType) -> str:
        if isinstance(named, GraphQLInputObjectType):
            return self._copy(named, "input_objects", self._input_object)
        return self._leaf_name(named)

    def _output_name(self, named: GraphQLNamedType) -> str:
        if not isinstance(named, GraphQLObjectType):
            return self._leaf_name(named)
        fields = [
            {"name": name, "type": _reference(f.type, self._leaf_name)}
            for name, f in named.fields.items()
            if is_leaf_type(get_named_type(f.type))
        ]
        if not fields:
            raise DeriveError(f'the type "{named.name}" has no scalar or enum fields to return')
        output = f"{self.prefix}Output"
        self.kinds["objects"].append({"name": output, "fields": fields})
        return output

    def _leaf_name(self, named: GraphQLNamedType) -> str:
        if is_enum_type(named):
            return self._copy(named, "enums", self._enum)
        assert isinstance(named, GraphQLScalarType)
        if (
            is_specified_scalar_type(named)
            or named.name in self.existing
            or named.name in self.database_scalars
        ):
            return named.name
        return self._copy(named, "scalars", lambda scalar, name: {"name": name})

    def _copy(self, named: GraphQLNamedType, kind: str, build: Any) -> str:
        if named.name in self.existing:
            return named.name
        # Named before its fields are copied, so that a recursive input type refers to itself.
        if named.name not in self.names:
            self.names[named.name] = f"{self.prefix}{pascal_case(named.name)}"
            self.kinds[kind].append(build(named, self.names[named.name]))
        return self.names[named.name]

    def _input_object(self, named: GraphQLInputObjectType, name: str) -> dict[str, Any]:
        fields = [
            {"name": field_name, "type": self.input_reference(f.type)}
            for field_name, f in named.fields.items()
        ]
        return {"name": name, "fields": fields}

    @staticmethod
    def _enum(named: GraphQLEnumType, name: str) -> dict[str, Any]:
        return {"name": name, "values": [{"value": value} for value in named.values]}


def _reference(graphql_type: GraphQLType, name_of: Any) -> str:
    if isinstance(graphql_type, GraphQLNonNull):
        return f"{_reference(graphql_type.of_type, name_of)}!"
    if isinstance(graphql_type, GraphQLList):
        return f"[{_reference(graphql_type.of_type, name_of)}]"
    return name_of(graphql_type)
