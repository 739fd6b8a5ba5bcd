"""The right-hand side of a relationship field that crosses a boundary, planned from any left-hand side.

The caller (a table selection, an action output, a remote selection) gives ``key_alias``: where,
in each of its objects, the value of a join field sits (its own selection of that field, or a
phantom it adds). The plan of the right-hand side is the same whatever the left-hand side:

* ``JoinField`` -> ``Join``: the target table's rows, with the client's ``where``/``order_by``/
  ``limit``/``offset``/``distinct_on`` and the role's row filter, as a local relationship would;
* ``RemoteJoinField`` -> ``RemoteJoin``: the path of ``remote_field`` with its argument templates,
  the client's arguments merged into the last field's (objects key by key, lists concatenated);
* ``ActionJoinField`` -> ``ActionJoin``: the action's arguments from the templates and the client.

In list mode the right-hand side carries the key of each result object under ``key_alias``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
)

from engine.errors import Code
from engine.graphql_errors import RequestError
from engine.metadata import base_type_name
from engine.plan.join_tree import output_tree, table_tree, tree_or_none
from engine.plan.nodes import (
    ActionJoin,
    Join,
    JoinCall,
    JoinKey,
    JoinTree,
    LhsKey,
    OutputSelection,
    OutputValue,
    RemoteJoin,
    RemoteStep,
    SelectArgs,
)
from engine.plan.remote import RemoteSelections, phantom_alias, plain_field
from engine.plan.remote_presets import with_step_presets
from engine.schema.model import ActionJoinField, JoinField, RemoteJoinField, RemoteSchemaModel

if TYPE_CHECKING:
    from engine.plan.selections import SelectionPlanner

KeyAlias = Callable[[str], str]


def merge_arguments(template: Mapping[str, Any], client: Mapping[str, Any]) -> dict[str, Any]:
    """The relationship's argument values with the client's merged in (objects by key, lists appended)."""
    merged = dict(template)
    for key, value in client.items():
        fixed = merged.get(key)
        if isinstance(fixed, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_arguments(fixed, value)
        elif isinstance(fixed, list) and isinstance(value, list):
            merged[key] = fixed + value
        else:
            merged[key] = value
    return merged


class JoinPlanner:
    """Plans the calls behind relationship fields for one operation."""

    def __init__(self, planner: SelectionPlanner) -> None:
        self.planner = planner
        self.schema = planner.schema
        self.remote = RemoteSelections(planner, self.call)

    def call(
        self, parent_type: str, role: Any, nodes: list[FieldNode], path: str, key_alias: KeyAlias
    ) -> JoinCall:
        """The call filling the relationship field ``nodes`` select on ``parent_type``."""
        if isinstance(role, JoinField):
            return self.table(parent_type, role, nodes, path, key_alias)
        if isinstance(role, RemoteJoinField):
            return self.remote_field(parent_type, role, nodes, path, key_alias)
        assert isinstance(role, ActionJoinField), role
        return self.action(parent_type, role, nodes, path, key_alias)

    # --- tables -------------------------------------------------------------------------------

    def table(
        self, parent_type: str, role: JoinField, nodes: list[FieldNode], path: str, key_alias: KeyAlias
    ) -> Join:
        """Rows of the target table whose columns equal the join fields."""
        planner = self.planner
        target = self.schema.tables[role.target]
        keys = tuple(
            JoinKey(key_alias(field), column, target.column_types[column], role.many)
            for field, column in role.mapping
        )
        if role.kind == "object":
            args = SelectArgs(where=planner.reader.row_filter(target))
            selection = planner.rows(target, nodes, path)
            return Join("object", target, keys, args, selection, table_tree("object", selection))
        args = planner.reader.select_args(target, planner.field_arguments(parent_type, nodes, path), path)
        if role.aggregate:
            aggregate = planner.aggregate(target, nodes, path)
            return Join("aggregate", target, keys, args, aggregate, table_tree("aggregate", aggregate))
        rows = planner.rows(target, nodes, path)
        return Join("array", target, keys, args, rows, table_tree("array", rows))

    # --- remote schemas -----------------------------------------------------------------------

    def remote_field(
        self, parent_type: str, role: RemoteJoinField, nodes: list[FieldNode], path: str, key_alias: KeyAlias
    ) -> RemoteJoin:
        """The remote field at the end of ``remote_field``, called with each key (or all keys)."""
        target = role.target
        remote = self.schema.remote_schemas[target.remote_schema]
        client = self.planner.field_arguments(parent_type, nodes, path)
        steps = self._steps(remote, role, client)
        keys = tuple(LhsKey(key_alias(field), field) for field in target.lhs_fields)
        returned = get_named_type(self.planner.field_type(parent_type, nodes[0].name.value))
        selection, tree = None, None
        if not is_leaf_type(returned):
            selection, tree = self.remote.selection_set(remote, returned, nodes, path)  # type: ignore[arg-type]
        key = None
        if target.batch is not None:
            selection, tree, key = self._with_remote_key(selection, tree, target.batch.key_field)
        definitions = () if selection is None else self.remote.variable_definitions(remote, [selection])
        return RemoteJoin(
            target.remote_schema,
            keys,
            steps,
            selection,
            definitions,
            self.remote.variable_values(definitions),
            tree,
            target.batch,
            key,
        )

    def _steps(
        self, remote: RemoteSchemaModel, role: RemoteJoinField, client: Mapping[str, Any]
    ) -> tuple[RemoteStep, ...]:
        path = role.target.field_path()
        parent = remote.schema.query_type
        session = self.planner.reader.session
        steps = []
        for index, (field_name, arguments) in enumerate(path):
            assert parent is not None
            field = parent.fields[field_name]
            last = index == len(path) - 1
            values = merge_arguments(arguments, client) if last else dict(arguments)
            values, types = with_step_presets(remote, parent.name, field_name, values, session)
            steps.append(RemoteStep(field_name, values, types))
            parent = get_named_type(field.type)  # type: ignore[assignment]
        return tuple(steps)

    def _with_remote_key(
        self,
        selection: SelectionSetNode | None,
        tree: JoinTree | None,
        key_field: str,
    ) -> tuple[SelectionSetNode, JoinTree | None, str]:
        """The selection with the key field added under a phantom alias (list mode)."""
        present = [] if selection is None else list(selection.selections)
        alias = phantom_alias(key_field, list(_response_keys(present)))
        with_key = SelectionSetNode(selections=(*present, plain_field(key_field, alias)))
        base = tree or JoinTree()
        merged = JoinTree(
            joins=base.joins,
            children=base.children,
            phantoms=(*base.phantoms, alias),
            typenames=base.typenames,
            renames=base.renames,
            branches=base.branches,
        )
        return with_key, tree_or_none(merged), alias

    # --- actions ------------------------------------------------------------------------------

    def action(
        self, parent_type: str, role: ActionJoinField, nodes: list[FieldNode], path: str, key_alias: KeyAlias
    ) -> ActionJoin:
        """The action called with each key (or all keys) in its arguments."""
        target, action = role.target, role.action
        arguments = merge_arguments(target.arguments, self.planner.field_arguments(parent_type, nodes, path))
        output_type = self._action_output_type(role)
        output_name = base_type_name(action.definition.output_type)
        selection: OutputSelection | None = None
        if isinstance(self.schema.graphql.get_type(output_name), GraphQLObjectType):
            selection = self.planner.output(output_name, nodes, path)
        key = None
        if target.batch is not None:
            selection, key = _with_output_key(selection or (), target.batch.key_field)
        keys = tuple(LhsKey(key_alias(field), field) for field in target.lhs_fields)
        return ActionJoin(
            action, keys, arguments, output_type, selection, output_tree(selection), target.batch, key
        )

    def _action_output_type(self, role: ActionJoinField) -> Any:
        operation = OperationType.QUERY if role.action.definition.type == "query" else OperationType.MUTATION
        root = self.schema.graphql.get_root_type(operation)
        if root is None or role.action.name not in root.fields:
            raise RequestError(f'action "{role.action.name}" is not available', code=Code.UNEXPECTED)
        return root.fields[role.action.name].type


def _response_keys(selections: Sequence[SelectionNode]) -> Iterator[str]:
    """The response keys of a selection set, those inside its inline fragments included."""
    for node in selections:
        if isinstance(node, FieldNode):
            yield (node.alias or node.name).value
        elif isinstance(node, InlineFragmentNode):
            yield from _response_keys(node.selection_set.selections)


def _with_output_key(selection: OutputSelection, key_field: str) -> tuple[OutputSelection, str]:
    """The output selection carrying ``key_field``: the client's own selection of it, or a phantom."""
    for item in selection:
        if isinstance(item, OutputValue) and item.name == key_field:
            return selection, item.alias
    alias = phantom_alias(key_field, [item.alias for item in selection])
    return (*selection, OutputValue(alias, key_field, phantom=True)), alias
