"""What is sent to a remote schema for a client's selection, and the join tree for what comes back.

The client's fields are collected as graphql-core executes them (fragments merged, ``@skip`` and
``@include`` decided with the request's variables), then written again in the remote's own terms:

    client (gateway names)                       sent to the remote (its names)
    forum_messages(limit: $n) {                  forum_messages: messages(limit: $n) {
      text                                         text: body
      author {  ...  }      <- relationship        author: __typename            <- placeholder
      ... on Forum_Post { tags }                   user_id_join_column: user_id  <- phantom key
    }                                              ... on Post { tags }
                                                 }

Aliases are the client's response keys, so the answer needs no renaming but for ``__typename``
values of customized types. On an abstract type each possible type gets its own inline fragment
unless all of them select alike; when joins sit below, ``__hasura_internal_typename: __typename``
tells the executor which concrete type's join tree applies (reference §5.2, §5.3). Arguments keep
the client's literals and variables; the variables used are forwarded with their definitions. The
presets of a role's remote schema permission are added to them (``engine.plan.remote_presets``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLAbstractType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLUnionType,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    SelectionNode,
    SelectionSetNode,
    TypeNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.collect_fields import collect_sub_fields
from graphql.language import Node

from engine.naming import remote_root
from engine.plan.join_tree import tree_or_none
from engine.plan.nodes import JoinCall, JoinTree
from engine.plan.remote_presets import has_presets, with_argument_presets
from engine.schema.model import GatewaySchema, RemoteField, RemoteRootField, RemoteSchemaModel

if TYPE_CHECKING:
    from engine.plan.selections import SelectionPlanner

TYPENAME = "__typename"
INTERNAL_TYPENAME = "__hasura_internal_typename"
Fields = dict[str, list[FieldNode]]
# Plans the call of a relationship field: (parent type, role, nodes, path, join field -> alias).
PlanJoin = Callable[[str, Any, list[FieldNode], str, Callable[[str], str]], JoinCall]


def name(value: str) -> NameNode:
    """A name node."""
    return NameNode(value=value)


def plain_field(field_name: str, alias: str | None = None) -> FieldNode:
    """``alias: field`` without arguments or sub-selection."""
    return FieldNode(
        alias=None if alias is None or alias == field_name else name(alias),
        name=name(field_name),
        arguments=(),
        directives=(),
    )


def phantom_alias(field_name: str, taken: Sequence[str]) -> str:
    """``<field>_join_column`` padded with ``_`` until it is longer than every key in ``taken``."""
    alias = f"{field_name}_join_column"
    longest = max((len(key) for key in taken), default=0)
    return alias + "_" * max(0, longest + 1 - len(alias))


def variables_in(node: Node) -> Iterator[str]:
    """The names of the variables a node uses."""
    if isinstance(node, VariableNode):
        yield node.name.value
        return
    for key in node.keys:
        value = getattr(node, key, None)
        children = value if isinstance(value, tuple | list) else (value,)
        for child in children:
            if isinstance(child, Node):
                yield from variables_in(child)


def remote_type_node(node: TypeNode, remote: RemoteSchemaModel) -> TypeNode:
    """A variable's type written with the remote's type names."""
    if isinstance(node, NonNullTypeNode):
        return NonNullTypeNode(type=remote_type_node(node.type, remote))
    if isinstance(node, ListTypeNode):
        return ListTypeNode(type=remote_type_node(node.type, remote))
    assert isinstance(node, NamedTypeNode)
    return NamedTypeNode(name=name(remote.original_types.get(node.name.value, node.name.value)))


class RemoteSelections:
    """Writes client selections for one operation in a remote schema's terms."""

    def __init__(self, planner: SelectionPlanner, plan_join: PlanJoin) -> None:
        self.planner = planner
        self.schema: GatewaySchema = planner.schema
        self.plan_join = plan_join

    def field(
        self,
        remote: RemoteSchemaModel,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        key: str,
        nodes: list[FieldNode],
        path: str,
    ) -> tuple[FieldNode, JoinTree | None]:
        """The field sent for a remote field the client selected under ``key``, and its answer's tree."""
        role = self.schema.role_of(parent.name, nodes[0].name.value)
        assert isinstance(role, RemoteField | RemoteRootField)
        returned = get_named_type(parent.fields[nodes[0].name.value].type)
        selection, tree = None, None
        if isinstance(returned, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            selection, tree = self.selection_set(remote, returned, nodes, path)
        field = FieldNode(
            alias=None if key == role.field else name(key),
            name=name(role.field),
            arguments=self._arguments(remote, _remote_parent(remote, parent, role), role.field, nodes[0]),
            directives=(),
            selection_set=selection,
        )
        return field, tree

    def _arguments(
        self, remote: RemoteSchemaModel, parent: str, field_name: str, node: FieldNode
    ) -> tuple[ArgumentNode, ...]:
        """The client's arguments, with the presets of the role's permission when it has some."""
        if not has_presets(remote):
            return tuple(node.arguments or ())
        planner = self.planner
        return with_argument_presets(
            remote, parent, field_name, tuple(node.arguments or ()), planner.reader.session, planner.variables
        )

    def variable_definitions(
        self, remote: RemoteSchemaModel, nodes: Sequence[Node]
    ) -> tuple[VariableDefinitionNode, ...]:
        """The definitions of the client variables ``nodes`` use, in remote type names."""
        used = {variable for node in nodes for variable in variables_in(node)}
        return tuple(
            VariableDefinitionNode(
                variable=definition.variable,
                type=remote_type_node(definition.type, remote),
                default_value=definition.default_value,
                directives=(),
            )
            for definition in self.planner.variable_definitions
            if definition.variable.name.value in used
        )

    def variable_values(self, definitions: Sequence[VariableDefinitionNode]) -> dict[str, Any]:
        """The client's values of the given variables (those it sent)."""
        raw = self.planner.raw_variables
        names = [definition.variable.name.value for definition in definitions]
        return {variable: raw[variable] for variable in names if variable in raw}

    def selection_set(
        self, remote: RemoteSchemaModel, returned: GraphQLNamedType, nodes: list[FieldNode], path: str
    ) -> tuple[SelectionSetNode, JoinTree | None]:
        """The sub-selection sent for fields of type ``returned`` (an object, interface or union)."""
        if isinstance(returned, GraphQLObjectType):
            selections, tree = self._object(remote, returned, self._fields(returned, nodes), path)
            return SelectionSetNode(selections=tuple(selections)), tree
        assert isinstance(returned, GraphQLAbstractType)
        return self._abstract(remote, returned, nodes, path)

    def _fields(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> Fields:
        planner = self.planner
        return collect_sub_fields(
            self.schema.graphql, planner.fragments, planner.variables, object_type, nodes
        )

    def _abstract(
        self, remote: RemoteSchemaModel, returned: GraphQLAbstractType, nodes: list[FieldNode], path: str
    ) -> tuple[SelectionSetNode, JoinTree | None]:
        possible = self.schema.graphql.get_possible_types(returned)
        per_type = {object_type.name: self._fields(object_type, nodes) for object_type in possible}
        written = {t.name: self._object(remote, t, per_type[t.name], path) for t in possible}
        shapes = {tuple((key, tuple(map(id, found))) for key, found in f.items()) for f in per_type.values()}
        if len(shapes) == 1 and possible and not _joins_at_top(written[possible[0].name][1]):
            if isinstance(returned, GraphQLInterfaceType):
                # Written against the interface, whose field types the remote checks them with.
                return _selection_set(*self._object(remote, returned, per_type[possible[0].name], path))
            if all(_is_typename(selection) for selection in written[possible[0].name][0]):
                # A union takes no field but __typename outside a fragment (and the remote may have
                # more members than the role sees).
                return _selection_set(*written[possible[0].name])
        fragments: list[SelectionNode] = []
        branches = []
        for object_type in possible:
            selections, tree = written[object_type.name]
            original = remote.original_types[object_type.name]
            if selections:
                fragments.append(
                    InlineFragmentNode(
                        type_condition=NamedTypeNode(name=name(original)),
                        directives=(),
                        selection_set=SelectionSetNode(selections=tuple(selections)),
                    )
                )
            if tree is not None:
                branches.append((original, tree))
        if not branches or all(tree == branches[0][1] for _, tree in branches):
            # One tree serves every type (or none is needed): no need to tell the types apart.
            return _selection_set(fragments, branches[0][1] if branches else None)
        typename = plain_field(TYPENAME, INTERNAL_TYPENAME)
        return SelectionSetNode(selections=(typename, *fragments)), JoinTree(branches=tuple(branches))

    def _object(
        self,
        remote: RemoteSchemaModel,
        object_type: GraphQLObjectType | GraphQLInterfaceType,
        fields: Fields,
        path: str,
    ) -> tuple[list[SelectionNode], JoinTree | None]:
        writer = _ObjectWriter(self, remote, object_type, fields)
        for key, field_nodes in fields.items():
            writer.add(key, field_nodes, f"{path}.selectionSet.{key}")
        return writer.selections, writer.tree()


def _remote_parent(
    remote: RemoteSchemaModel, parent: GraphQLNamedType, role: RemoteField | RemoteRootField
) -> str:
    """The remote's name of the type a field belongs to (a root field's is the remote's root type)."""
    original = remote.original_types.get(parent.name)
    if original is None and isinstance(role, RemoteRootField):
        root = remote_root(remote.schema, role.operation)
        original = None if root is None else root.name
    return original or parent.name


def _is_typename(selection: SelectionNode) -> bool:
    return isinstance(selection, FieldNode) and selection.name.value == TYPENAME


def _joins_at_top(tree: JoinTree | None) -> bool:
    return tree is not None and bool(tree.joins)


def _selection_set(
    selections: Sequence[SelectionNode], tree: JoinTree | None
) -> tuple[SelectionSetNode, JoinTree | None]:
    """A selection set; one that selects nothing for the types at hand asks a phantom ``__typename``."""
    if selections:
        return SelectionSetNode(selections=tuple(selections)), tree
    return SelectionSetNode(selections=(plain_field(TYPENAME, INTERNAL_TYPENAME),)), JoinTree(
        phantoms=(INTERNAL_TYPENAME,)
    )


class _ObjectWriter:
    """Writes the selections on one object type, placeholders and phantom join fields included."""

    def __init__(
        self,
        owner: RemoteSelections,
        remote: RemoteSchemaModel,
        object_type: GraphQLObjectType | GraphQLInterfaceType,
        fields: Fields,
    ) -> None:
        self.owner = owner
        self.remote = remote
        self.object_type = object_type
        self.taken = list(fields)
        self.selected = self._plainly_selected(fields)
        self.selections: list[SelectionNode] = []
        self.joins: list[tuple[str, JoinCall]] = []
        self.children: list[tuple[str, JoinTree]] = []
        self.phantoms: dict[str, str] = {}
        self.typenames: list[str] = []

    def _plainly_selected(self, fields: Fields) -> dict[str, str]:
        """Remote field name -> response key, for fields selected without arguments (join keys reuse them)."""
        selected = {}
        for key, nodes in fields.items():
            role = self.owner.schema.role_of(self.object_type.name, nodes[0].name.value)
            if isinstance(role, RemoteField) and not any(node.arguments for node in nodes):
                selected.setdefault(role.field, key)
        return selected

    def add(self, key: str, nodes: list[FieldNode], path: str) -> None:
        field_name = nodes[0].name.value
        if field_name == TYPENAME:
            self.selections.append(plain_field(TYPENAME, key))
            if self.remote.renames_types:
                self.typenames.append(key)
            return
        role = self.owner.schema.role_of(self.object_type.name, field_name)
        if isinstance(role, RemoteField | RemoteRootField):
            field, tree = self.owner.field(self.remote, self.object_type, key, nodes, path)
            self.selections.append(field)
            if tree is not None:
                self.children.append((key, tree))
            return
        self.selections.append(plain_field(TYPENAME, key))
        call = self.owner.plan_join(self.object_type.name, role, nodes, path, self.key_alias)
        self.joins.append((key, call))

    def key_alias(self, field_name: str) -> str:
        """Where a join field's value sits: the client's own selection, or a phantom field."""
        if field_name in self.selected:
            return self.selected[field_name]
        if field_name not in self.phantoms:
            alias = phantom_alias(field_name, self.taken)
            self.taken.append(alias)
            self.phantoms[field_name] = alias
            self.selections.append(plain_field(field_name, alias))
        return self.phantoms[field_name]

    def tree(self) -> JoinTree | None:
        return tree_or_none(
            JoinTree(
                joins=tuple(self.joins),
                children=tuple(self.children),
                phantoms=tuple(self.phantoms.values()),
                typenames=tuple(self.typenames),
                renames=self._renames() if self.typenames else {},
            )
        )

    def _renames(self) -> Mapping[str, str]:
        return {
            original: renamed for original, renamed in self.remote.type_names.items() if original != renamed
        }
