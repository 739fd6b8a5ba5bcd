"""Remote schema permissions: a role's SDL checked as a subset of the remote schema, and its presets.

A permission's ``definition.schema`` is GraphQL SDL in the remote server's own names (before any
customization, like relationships on remote types). Every type it defines must exist in the remote
schema with the same kind. Objects, interfaces and input objects may leave fields out, fields may
leave arguments out (not the non-nullable ones), enums may leave values out and unions members;
whatever is kept must be typed exactly as in the remote schema, default values included.

``@preset(value: ..., static: Boolean)`` on an argument or an input object field fixes its value for
the role: the argument (or field) disappears from the role's schema and the gateway sends the value.
A string value shaped like a session variable (``"x-hasura-user-id"``) is read from the caller's
session unless ``static: true``; only a scalar or enum position can take a session variable.

    SDL -> parse -> subset check (every reason collected) -> presets lifted out -> the role's schema

The role's schema keeps the remote's names; the schema builder copies it like a whole remote schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSyntaxError,
    GraphQLUnionType,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    NullValueNode,
    ObjectTypeDefinitionNode,
    ObjectValueNode,
    OperationType,
    OperationTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeNode,
    Undefined,
    UnionTypeDefinitionNode,
    ValueNode,
    VariableNode,
    ast_from_value,
    build_ast_schema,
    parse,
    print_ast,
    specified_scalar_types,
    validate_schema,
    value_from_ast,
)

from engine.errors import Code
from engine.metadata import RemoteSchema, RemoteSchemaPermission
from engine.validation.boolexp import is_session_variable
from engine.validation.objects import Problem, remote_schema_permission_object
from engine.validation.state import ValidationState

ADMIN_ROLE = "admin"
CONSTRAINT_VIOLATION = "constraint-violation"
SCHEMA_PATH = "$.definition.schema"
PRESET = "preset"
# Directives kept in the role's schema; others are checked against the remote's and left out.
KEPT_DIRECTIVES = ("deprecated",)
FAILED = "validation for the given role-based schema failed"
BUILTIN_SCALARS = specified_scalar_types

KINDS: dict[type, tuple[type, str]] = {
    ObjectTypeDefinitionNode: (GraphQLObjectType, "object"),
    InterfaceTypeDefinitionNode: (GraphQLInterfaceType, "interface"),
    UnionTypeDefinitionNode: (GraphQLUnionType, "union"),
    EnumTypeDefinitionNode: (GraphQLEnumType, "enum"),
    InputObjectTypeDefinitionNode: (GraphQLInputObjectType, "input object"),
    ScalarTypeDefinitionNode: (GraphQLScalarType, "scalar"),
}
ROOTS = (OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION)


@dataclass(frozen=True)
class Preset:
    """A value a permission fixes: a literal in the remote's terms whose strings may name session variables."""

    value: ValueNode
    type: GraphQLInputType
    static: bool = False


@dataclass(frozen=True)
class RemoteSchemaView:
    """What a role may use of a remote schema: its own schema (remote names) and the presets to send.

    ``argument_presets`` is keyed by (type, field), ``input_presets`` by input object type.
    """

    schema: GraphQLSchema
    argument_presets: Mapping[tuple[str, str], Mapping[str, Preset]] = field(default_factory=dict)
    input_presets: Mapping[str, Mapping[str, Preset]] = field(default_factory=dict)


class RoleSchemaError(Exception):
    """A permission's SDL is not a usable subset of the remote schema; ``reasons`` says why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons

    @property
    def message(self) -> str:
        """One sentence for one reason, a bulleted list for several."""
        if len(self.reasons) == 1:
            return f"{FAILED} because {self.reasons[0]}"
        return f"{FAILED} for the following reasons:\n" + "".join(f" • {reason}\n" for reason in self.reasons)


def remote_schema_view(sdl: str, upstream: GraphQLSchema) -> RemoteSchemaView:
    """The role's view of ``upstream`` that ``sdl`` describes; raises ``RoleSchemaError``."""
    try:
        document = parse(sdl, no_location=True)
    except GraphQLSyntaxError as error:
        raise RoleSchemaError([f"the schema is not valid GraphQL SDL: {error.message}"]) from None
    check = _SubsetCheck(document, upstream)
    check.run()
    if check.reasons:
        raise RoleSchemaError(check.reasons)
    try:
        schema = build_ast_schema(_stripped(document, check.roots), assume_valid_sdl=True)
    except (GraphQLError, TypeError) as error:
        raise RoleSchemaError([str(error)]) from None
    invalid = [error.message for error in validate_schema(schema)]
    if invalid:
        raise RoleSchemaError(invalid)
    return RemoteSchemaView(schema, check.argument_presets, check.input_presets)


def check_remote_schema_permissions(state: ValidationState) -> None:
    """Every permission of every healthy remote schema: one per role, never admin, a valid subset."""
    checked = set()
    for remote_schema in state.metadata.remote_schemas:
        upstream = state.remote_schemas.get(remote_schema.name)
        if upstream is None or remote_schema.name in checked:
            continue
        checked.add(remote_schema.name)
        _check_permissions(state, remote_schema, upstream)


def _check_permissions(state: ValidationState, remote_schema: RemoteSchema, upstream: GraphQLSchema) -> None:
    roles = set()
    for permission in remote_schema.permissions:
        obj = remote_schema_permission_object(remote_schema.name, permission)
        if permission.role in roles:
            state.report(obj.duplicated("$.role"))
            continue
        roles.add(permission.role)
        state.record(obj, permission_problems(permission, upstream))


def permission_problems(permission: RemoteSchemaPermission, upstream: GraphQLSchema) -> list[Problem]:
    """Why a permission cannot be used, if it cannot."""
    if permission.role == ADMIN_ROLE:
        return [Problem("cannot define permission for admin role", CONSTRAINT_VIOLATION, "$.role")]
    try:
        remote_schema_view(permission.schema, upstream)
    except RoleSchemaError as error:
        return [Problem(error.message, Code.VALIDATION_FAILED, SCHEMA_PATH)]
    return []


# --- the subset check -----------------------------------------------------------------------------


class _SubsetCheck:
    """Compares every definition of the role's SDL with the remote schema, collecting reasons."""

    def __init__(self, document: DocumentNode, upstream: GraphQLSchema) -> None:
        self.document = document
        self.upstream = upstream
        self.reasons: list[str] = []
        self.types: dict[str, TypeDefinitionNode] = {}
        self.roots: dict[OperationType, str] = {}
        self.argument_presets: dict[tuple[str, str], dict[str, Preset]] = {}
        self.input_presets: dict[str, dict[str, Preset]] = {}

    def run(self) -> None:
        definitions = list(self.document.definitions)
        types = [d for d in definitions if isinstance(d, TypeDefinitionNode)]
        schemas = [d for d in definitions if isinstance(d, SchemaDefinitionNode)]
        for other in definitions:
            if not isinstance(other, TypeDefinitionNode | SchemaDefinitionNode):
                self.reasons.append(
                    f"only type definitions and a schema definition may be given, not {other.kind}"
                )
        self._duplicates([t.name.value for t in types], "type names", "the schema")
        self.types = {t.name.value: t for t in types}
        self._roots(schemas)
        self._undefined_references(types)
        for definition in types:
            self._definition(definition)

    # --- document level -----------------------------------------------------------------------

    def _roots(self, schemas: list[SchemaDefinitionNode]) -> None:
        if len(schemas) > 1:
            self.reasons.append("multiple schema definitions found")
        upstream = {operation: self.upstream.get_root_type(operation) for operation in ROOTS}
        if schemas:
            given = {o.operation: o.type.name.value for o in schemas[0].operation_types}
        else:
            given = {
                op: root.name for op, root in upstream.items() if root is not None and root.name in self.types
            }
        for operation, name in given.items():
            root = upstream[operation]
            if root is None or root.name != name:
                expected = f'"{root.name}"' if root is not None else "absent"
                self.reasons.append(
                    f'the {operation.value} root "{name}" does not match the upstream remote schema\'s ({expected})'
                )
        self.roots = given
        if OperationType.QUERY not in given or given[OperationType.QUERY] not in self.types:
            self.reasons.append("query root does not exist in the schema definition")

    def _undefined_references(self, types: list[TypeDefinitionNode]) -> None:
        used = sorted({name for definition in types for name in _referenced_names(definition)})
        for name in used:
            if name not in self.types and name not in BUILTIN_SCALARS:
                self.reasons.append(f'type "{name}" is used but not defined in the role-based schema')

    def _definition(self, definition: TypeDefinitionNode) -> None:
        name = definition.name.value
        if isinstance(definition, ScalarTypeDefinitionNode) and name in BUILTIN_SCALARS:
            return
        expected_class, kind = KINDS[type(definition)]
        upstream = self.upstream.type_map.get(name)
        if not isinstance(upstream, expected_class):
            self.reasons.append(f'{kind} "{name}" does not exist in the upstream remote schema')
            return
        where = f'{kind} "{name}"'
        self._directives(definition.directives, where)
        if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            self._fields(definition, upstream, where)  # type: ignore[arg-type]
        if isinstance(definition, ObjectTypeDefinitionNode):
            self._interfaces(definition, upstream, where)  # type: ignore[arg-type]
        elif isinstance(definition, UnionTypeDefinitionNode):
            self._subset([t.name.value for t in definition.types or ()], upstream.types, where, "members")  # type: ignore[attr-defined]
        elif isinstance(definition, EnumTypeDefinitionNode):
            self._enum(definition, upstream)  # type: ignore[arg-type]
        elif isinstance(definition, InputObjectTypeDefinitionNode):
            presets = self._input_values(definition.fields or (), upstream.fields, where, "field")  # type: ignore[attr-defined]
            if presets:
                self.input_presets[name] = presets

    # --- parts of types -----------------------------------------------------------------------

    def _fields(
        self,
        definition: ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode,
        upstream: GraphQLObjectType | GraphQLInterfaceType,
        where: str,
    ) -> None:
        fields = definition.fields or ()
        self._duplicates([f.name.value for f in fields], "fields", where)
        for field_node in fields:
            name = field_node.name.value
            found = upstream.fields.get(name)
            if found is None:
                self.reasons.append(
                    f'field "{name}" does not exist in the {where} of the upstream remote schema'
                )
                continue
            field_where = f'field "{name}" of {where}'
            self._directives(field_node.directives, field_where)
            self._same_type(field_node.type, found.type, field_where)
            presets = self._input_values(field_node.arguments or (), found.args, field_where, "argument")
            if presets:
                self.argument_presets[(definition.name.value, name)] = presets

    def _interfaces(
        self, definition: ObjectTypeDefinitionNode, upstream: GraphQLObjectType, where: str
    ) -> None:
        implemented = {interface.name for interface in upstream.interfaces}
        extra = [i.name.value for i in definition.interfaces or () if i.name.value not in implemented]
        if extra:
            self.reasons.append(
                f"{where} is trying to implement the following interfaces that do not exist in the "
                f"corresponding upstream remote object: {_listed(extra)}"
            )

    def _enum(self, definition: EnumTypeDefinitionNode, upstream: GraphQLEnumType) -> None:
        where = f'enum "{definition.name.value}"'
        values = definition.values or ()
        for value in values:
            self._directives(value.directives, where)
        self._subset([v.name.value for v in values], upstream.values, where, "values")

    def _input_values(
        self,
        nodes: Sequence[InputValueDefinitionNode],
        upstream: Mapping[str, Any],
        where: str,
        noun: str,
    ) -> dict[str, Preset]:
        """Arguments of a field or fields of an input object; returns the presets among them."""
        self._duplicates([n.name.value for n in nodes], f"{noun}s", where)
        given = {n.name.value for n in nodes}
        required = [name for name, value in upstream.items() if _required(value.type) and name not in given]
        if required:
            self.reasons.append(
                f"{where} expects the following non nullable {noun}s to be present: {_listed(required)}"
            )
        presets = {}
        for node in nodes:
            name = node.name.value
            found = upstream.get(name)
            if found is None:
                self.reasons.append(
                    f'{noun} "{name}" does not exist in the {where} of the upstream remote schema'
                )
                continue
            value_where = f'{noun} "{name}" of {where}'
            self._same_type(node.type, found.type, value_where)
            self._same_default(node, found, value_where)
            preset = self._preset(node, value_where)
            if preset is not None:
                presets[name] = preset
        return presets

    def _same_type(self, given: TypeNode, upstream: Any, where: str) -> None:
        if print_ast(given) != str(upstream):
            self.reasons.append(f"expected type of {where} to be {upstream} but received {print_ast(given)}")

    def _same_default(self, node: InputValueDefinitionNode, upstream: Any, where: str) -> None:
        given = Undefined if node.default_value is None else value_from_ast(node.default_value, upstream.type)
        if given != upstream.default_value:
            expected = _printed_default(upstream.default_value, upstream.type)
            received = "none" if node.default_value is None else print_ast(node.default_value)
            self.reasons.append(f"expected default value of {where} to be {expected} but received {received}")

    def _subset(self, names: list[str], upstream: Iterable[Any], where: str, noun: str) -> None:
        self._duplicates(names, noun, where)
        known = {item if isinstance(item, str) else item.name for item in upstream}
        extra = [name for name in names if name not in known]
        if extra:
            self.reasons.append(
                f"{where} contains {noun} that do not exist in the upstream remote schema: {_listed(extra)}"
            )

    def _duplicates(self, names: list[str], noun: str, where: str) -> None:
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            self.reasons.append(f"duplicate {noun} found in the {where}: {_listed(repeated)}")

    def _directives(self, directives: Sequence[DirectiveNode] | None, where: str) -> None:
        """Directives other than ``@preset`` must be the remote's own; ``@preset`` only on input values."""
        for directive in directives or ():
            name = directive.name.value
            if name == PRESET:
                self.reasons.append(
                    f"found a preset directive at the {where}: preset directives can be defined only on "
                    "INPUT_FIELD_DEFINITION or ARGUMENT_DEFINITION"
                )
            elif name not in KEPT_DIRECTIVES and self.upstream.get_directive(name) is None:
                self.reasons.append(f'directive "@{name}" does not exist in the upstream remote schema')

    # --- presets ------------------------------------------------------------------------------

    def _preset(self, node: InputValueDefinitionNode, where: str) -> Preset | None:
        directives = list(node.directives or ())
        self._directives([d for d in directives if d.name.value != PRESET], where)
        presets = [d for d in directives if d.name.value == PRESET]
        if not presets:
            return None
        if len(presets) > 1:
            self.reasons.append(f"found multiple preset directives at the {where}")
            return None
        arguments = {argument.name.value: argument.value for argument in presets[0].arguments or ()}
        unknown = sorted(set(arguments) - {"value", "static"})
        if unknown:
            self.reasons.append(
                f"the preset directive at the {where} takes only value and static, not {_listed(unknown)}"
            )
        if "value" not in arguments:
            self.reasons.append(f'preset argument "value" not found at the {where}')
            return None
        static = arguments.get("static", BooleanValueNode(value=False))
        if not isinstance(static, BooleanValueNode):
            self.reasons.append(f"expected preset static value at the {where} to be a Boolean value")
            return None
        before = len(self.reasons)
        self._preset_value(node.type, arguments["value"], static.value, where)
        if len(self.reasons) > before:
            return None
        return Preset(arguments["value"], _upstream_type(self.upstream, node.type), static.value)

    def _preset_value(self, type_node: TypeNode, value: ValueNode, static: bool, where: str) -> None:
        """A preset value must fit the type (as the role's SDL defines it); session variables only in scalars."""
        if isinstance(value, VariableNode):
            self.reasons.append(f"the preset value at the {where} cannot be a variable")
        elif isinstance(type_node, NonNullTypeNode):
            if isinstance(value, NullValueNode):
                self.reasons.append(f"the preset value at the {where} cannot be null")
            else:
                self._preset_value(type_node.type, value, static, where)
        elif isinstance(value, NullValueNode):
            return
        elif isinstance(type_node, ListTypeNode):
            self._preset_list(type_node, value, static, where)
        else:
            assert isinstance(type_node, NamedTypeNode)
            self._preset_named(type_node.name.value, value, static, where)

    def _preset_list(self, type_node: ListTypeNode, value: ValueNode, static: bool, where: str) -> None:
        if isinstance(value, ListValueNode):
            for item in value.values:
                self._preset_value(type_node.type, item, static, where)
        elif _is_session_string(value, static):
            self.reasons.append(
                f"illegal preset value at the {where}. Session arguments can only be set for singleton values"
            )
        else:
            self._preset_value(type_node.type, value, static, where)

    def _preset_named(self, type_name: str, value: ValueNode, static: bool, where: str) -> None:
        definition = self.types.get(type_name)
        shown = print_ast(value)
        if type_name in BUILTIN_SCALARS or isinstance(definition, ScalarTypeDefinitionNode):
            if isinstance(value, EnumValueNode | ListValueNode | ObjectValueNode):
                self.reasons.append(
                    f'expected preset value {shown} of type "{type_name}" to be a scalar value'
                )
            elif type_name in BUILTIN_SCALARS and not _fits_builtin(value, type_name, static):
                self.reasons.append(f'preset value {shown} at the {where} is not a valid "{type_name}"')
        elif isinstance(definition, EnumTypeDefinitionNode):
            self._preset_enum(definition, value, static, where)
        elif isinstance(definition, InputObjectTypeDefinitionNode):
            self._preset_object(definition, value, static, where)
        else:
            self.reasons.append(f'expected "{type_name}" to be an input type, but it\'s an output type')

    def _preset_enum(
        self, definition: EnumTypeDefinitionNode, value: ValueNode, static: bool, where: str
    ) -> None:
        name = definition.name.value
        if isinstance(value, EnumValueNode):
            if value.value not in {v.name.value for v in definition.values or ()}:
                self.reasons.append(f'"{value.value}" not found in the enum: "{name}"')
        elif not _is_session_string(value, static):
            self.reasons.append(
                f'expected preset value {print_ast(value)} of type "{name}" to be an enum value'
            )

    def _preset_object(
        self, definition: InputObjectTypeDefinitionNode, value: ValueNode, static: bool, where: str
    ) -> None:
        name = definition.name.value
        if not isinstance(value, ObjectValueNode):
            self.reasons.append(
                f'expected preset value {print_ast(value)} of type "{name}" to be an input object value'
            )
            return
        fields = {f.name.value: f for f in definition.fields or ()}
        for entry in value.fields:
            found = fields.get(entry.name.value)
            if found is None:
                self.reasons.append(f'"{entry.name.value}" does not exist in the input object "{name}"')
            else:
                self._preset_value(found.type, entry.value, static, where)


# --- the role's schema ----------------------------------------------------------------------------


def _stripped(document: DocumentNode, roots: Mapping[OperationType, str]) -> DocumentNode:
    """The SDL without presets (their arguments and fields included) and foreign directives, roots named."""
    definitions: list[Any] = [
        _without_presets(d) for d in document.definitions if isinstance(d, TypeDefinitionNode)
    ]
    definitions.append(
        SchemaDefinitionNode(
            directives=(),
            operation_types=tuple(
                OperationTypeDefinitionNode(
                    operation=operation, type=NamedTypeNode(name=NameNode(value=name))
                )
                for operation, name in roots.items()
            ),
        )
    )
    return DocumentNode(definitions=tuple(definitions))


def _without_presets(definition: TypeDefinitionNode) -> TypeDefinitionNode:
    changes: dict[str, Any] = {"directives": _kept(definition.directives)}
    if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
        changes["fields"] = tuple(
            _copy(f, directives=_kept(f.directives), arguments=_input_values(f.arguments))
            for f in definition.fields or ()
        )
    elif isinstance(definition, InputObjectTypeDefinitionNode):
        changes["fields"] = _input_values(definition.fields)
    elif isinstance(definition, EnumTypeDefinitionNode):
        changes["values"] = tuple(_copy(v, directives=_kept(v.directives)) for v in definition.values or ())
    return _copy(definition, **changes)


def _input_values(nodes: Sequence[InputValueDefinitionNode] | None) -> tuple[InputValueDefinitionNode, ...]:
    return tuple(
        _copy(node, directives=_kept(node.directives))
        for node in nodes or ()
        if not any(d.name.value == PRESET for d in node.directives or ())
    )


def _kept(directives: Sequence[DirectiveNode] | None) -> tuple[DirectiveNode, ...]:
    return tuple(d for d in directives or () if d.name.value in KEPT_DIRECTIVES)


def _copy(node: Any, **changes: Any) -> Any:
    values = {key: getattr(node, key, None) for key in node.keys if key != "loc"}
    return type(node)(**{**values, **changes})


# --- helpers --------------------------------------------------------------------------------------


def _referenced_names(definition: TypeDefinitionNode) -> Iterator[str]:
    """The named types a definition refers to."""
    if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
        for field_node in definition.fields or ():
            yield _named(field_node.type)
            yield from (_named(argument.type) for argument in field_node.arguments or ())
        yield from (interface.name.value for interface in definition.interfaces or ())
    elif isinstance(definition, InputObjectTypeDefinitionNode):
        yield from (_named(f.type) for f in definition.fields or ())
    elif isinstance(definition, UnionTypeDefinitionNode):
        yield from (member.name.value for member in definition.types or ())


def _named(type_node: TypeNode) -> str:
    while not isinstance(type_node, NamedTypeNode):
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value


def _upstream_type(upstream: GraphQLSchema, type_node: TypeNode) -> GraphQLInputType:
    """A type written in the SDL, as the remote schema's own type."""
    if isinstance(type_node, NonNullTypeNode):
        return GraphQLNonNull(_upstream_type(upstream, type_node.type))  # type: ignore[arg-type]
    if isinstance(type_node, ListTypeNode):
        return GraphQLList(_upstream_type(upstream, type_node.type))
    name = _named(type_node)
    named: GraphQLNamedType | None = upstream.type_map.get(name) or BUILTIN_SCALARS.get(name)
    return named  # type: ignore[return-value]


def _required(graphql_type: Any) -> bool:
    return isinstance(graphql_type, GraphQLNonNull)


def _fits_builtin(value: ValueNode, type_name: str, static: bool) -> bool:
    """A literal a built-in scalar accepts (a session variable is checked when a request uses it)."""
    return (
        _is_session_string(value, static)
        or value_from_ast(value, BUILTIN_SCALARS[type_name]) is not Undefined
    )


def _is_session_string(value: ValueNode, static: bool) -> bool:
    return not static and isinstance(value, StringValueNode) and is_session_variable(value.value)


def _printed_default(value: Any, graphql_type: Any) -> str:
    if value is Undefined:
        return "none"
    try:
        node = ast_from_value(value, graphql_type)
    except (GraphQLError, TypeError, ValueError):
        node = None
    return repr(value) if node is None else print_ast(node)


def _listed(names: Iterable[str]) -> str:
    quoted = [f'"{name}"' for name in names]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
