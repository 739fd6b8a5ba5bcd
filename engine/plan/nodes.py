"""The plan of one GraphQL operation: a tree of table selects, action calls and joins, free of I/O.

    OperationPlan
      roots: TableQuery      one SQL statement for the whole database subtree
             ActionQuery     one handler call; its output shaped by an OutputSelection, whose
                             OutputJoin nodes each become one SQL statement for all rows
             RemoteRootQuery a remote schema's root field, sent with its siblings of the same
                             remote schema in one RemoteRequest
             LiteralRoot     __typename and friends
             IntrospectionRoot  __schema / __type, answered from the schema
             NamespaceRoot   root fields of a source (or remote schema) grouped under its namespace

Relationship fields that cross a boundary are placeholders in their left-hand side's answer; a
JoinTree says where they sit and which call fills them: a Join (SQL), a RemoteJoin (a GraphQL
request) or an ActionJoin (webhook calls). See ``engine.execute.joins``.

Every name the client chose (aliases) is kept; values come from coerced arguments and variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode, GraphQLInputType, SelectionSetNode, VariableDefinitionNode

from engine.metadata import Action, ListBatch
from engine.schema.model import TableModel

# --- boolean expressions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    """From rows of one table to the related rows of another: (column here, column there) pairs.

    ``filter`` is the target's row filter for the caller's role, already applied to the hop.
    """

    target: TableModel
    mapping: tuple[tuple[str, str], ...]
    filter: BoolExp | None = None


@dataclass(frozen=True)
class Compare:
    """``column <operator> value``; ``operator`` is the GraphQL name (``_eq``, ``_in``, ``_is_null`` ...)."""

    column: str
    data_type: str
    operator: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    """Every item holds (true when empty)."""

    items: tuple[BoolExp, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one item holds (false when empty)."""

    items: tuple[BoolExp, ...]


@dataclass(frozen=True)
class Negation:
    """The item does not hold."""

    item: BoolExp


@dataclass(frozen=True)
class RelatedExists:
    """Some related row (through ``hop``, within its filter) satisfies ``where``."""

    hop: Hop
    where: BoolExp


@dataclass(frozen=True)
class CompareColumns:
    """``column <operator> other`` for two columns (``_ceq``, ``_cgt`` ...), from a permission filter.

    ``other`` is a column of the same row, or with ``of_root`` (``["$", column]``) of the row of the
    table whose permission the filter is.
    """

    column: str
    operator: str
    other: str
    of_root: bool = False


BoolExp = Compare | CompareColumns | AllOf | AnyOf | Negation | RelatedExists

# --- ordering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Direction:
    """``ASC``/``DESC`` with ``FIRST``/``LAST`` for nulls."""

    order: str
    nulls: str


@dataclass(frozen=True)
class OrderColumn:
    """Order by a column of the table."""

    column: str
    direction: Direction


@dataclass(frozen=True)
class OrderThrough:
    """Order by a key of the row an object relationship leads to."""

    hop: Hop
    key: OrderKey


@dataclass(frozen=True)
class OrderAggregate:
    """Order by an aggregate (``count``, or ``function`` of ``column``) of an array relationship's rows."""

    hop: Hop
    function: str
    column: str | None
    direction: Direction


OrderKey = OrderColumn | OrderThrough | OrderAggregate


@dataclass(frozen=True)
class SelectArgs:
    """Which rows to read: ``where`` already includes the role's row filter; ``limit`` its row limit."""

    where: BoolExp | None = None
    order_by: tuple[OrderKey, ...] = ()
    limit: int | None = None
    offset: int | None = None
    distinct_on: tuple[str, ...] = ()


# --- database selections -----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnOut:
    """A column value under the client's alias."""

    alias: str
    column: str
    data_type: str


@dataclass(frozen=True)
class PhantomColumnOut(ColumnOut):
    """A join column the client did not select: read for a join, removed from the answer after it."""


@dataclass(frozen=True)
class LiteralOut:
    """A constant under the client's alias (``__typename``)."""

    alias: str
    value: str


@dataclass(frozen=True)
class ObjectRelOut:
    """The related row (or null) of an object relationship."""

    alias: str
    hop: Hop
    selection: RowSelection


@dataclass(frozen=True)
class ArrayRelOut:
    """The related rows of an array relationship."""

    alias: str
    hop: Hop
    args: SelectArgs
    selection: RowSelection


@dataclass(frozen=True)
class AggregateRelOut:
    """Aggregates over the related rows of an array relationship."""

    alias: str
    hop: Hop
    args: SelectArgs
    selection: AggregateSelection


@dataclass(frozen=True)
class JoinOut:
    """A relationship field of a row filled by a join after the statement ran (null until then)."""

    alias: str
    call: JoinCall


RowItem = ColumnOut | LiteralOut | ObjectRelOut | ArrayRelOut | AggregateRelOut | JoinOut
RowSelection = tuple[RowItem, ...]


@dataclass(frozen=True)
class CountOut:
    """``count``, of rows or of non-null (optionally distinct) values of columns."""

    alias: str
    columns: tuple[str, ...] = ()
    distinct: bool = False


@dataclass(frozen=True)
class FunctionOut:
    """``max { a b }``: one aggregate function over several columns."""

    alias: str
    function: str
    fields: tuple[ColumnOut | LiteralOut, ...]


@dataclass(frozen=True)
class AggregateFieldsOut:
    """The ``aggregate { ... }`` part of an aggregate selection."""

    alias: str
    fields: tuple[CountOut | FunctionOut | LiteralOut, ...]


@dataclass(frozen=True)
class NodesOut:
    """The ``nodes { ... }`` part of an aggregate selection."""

    alias: str
    selection: RowSelection


AggregateSelection = tuple[AggregateFieldsOut | NodesOut | LiteralOut, ...]

# --- action outputs and joins ------------------------------------------------------------------


@dataclass(frozen=True)
class JoinKey:
    """One join column: where its value sits in the left-hand object, and the target column it must equal.

    With ``many`` the value is a list of keys: the rows whose column is in the list.
    """

    alias: str
    column: str
    data_type: str
    many: bool = False


@dataclass(frozen=True)
class Join:
    """A relationship from left-hand objects to rows of a table: one SQL statement per plan node.

    ``kind`` is ``object``, ``array`` or ``aggregate``; ``selection`` is a RowSelection, or an
    AggregateSelection for ``aggregate``; ``joins`` are the joins inside the rows it returns.
    """

    kind: str
    target: TableModel
    keys: tuple[JoinKey, ...]
    args: SelectArgs
    selection: RowSelection | AggregateSelection
    joins: JoinTree | None = None


@dataclass(frozen=True)
class LhsKey:
    """A join field of the left-hand side: where its value sits (``alias``) and its name in templates."""

    alias: str
    name: str


@dataclass(frozen=True)
class RemoteStep:
    """A field on the path into a remote schema, with its arguments (``$name`` templates) and their types."""

    name: str
    arguments: Mapping[str, Any]
    types: Mapping[str, GraphQLInputType]


@dataclass(frozen=True)
class RemoteJoin:
    """A relationship to a remote schema field: one request for all keys of a join level.

    By default one aliased field (``f<argument id>``) per distinct key; with ``batch`` one field
    whose list argument carries every key, the result objects matched back by ``key_alias``.
    ``selection`` is what is asked of the last field of ``path`` (remote names), ``variables``
    the client's variables it uses, ``joins`` the joins inside each result.
    """

    remote_schema: str
    keys: tuple[LhsKey, ...]
    path: tuple[RemoteStep, ...]
    selection: SelectionSetNode | None
    variables: tuple[VariableDefinitionNode, ...] = ()
    variable_values: Mapping[str, Any] = field(default_factory=dict)
    joins: JoinTree | None = None
    batch: ListBatch | None = None
    key_alias: str | None = None


@dataclass(frozen=True)
class ActionJoin:
    """A relationship to an action: one handler call per distinct key, or with ``batch`` one for all.

    ``arguments`` are the relationship's templates merged with the client's arguments;
    ``output_type`` is the action's output type, which every answer must fit.
    """

    action: Action
    keys: tuple[LhsKey, ...]
    arguments: Mapping[str, Any]
    output_type: Any
    selection: OutputSelection | None
    joins: JoinTree | None = None
    batch: ListBatch | None = None
    key_alias: str | None = None


JoinCall = Join | RemoteJoin | ActionJoin


@dataclass(frozen=True)
class JoinTree:
    """Where the joins of one left-hand answer sit, by response key (the client's aliases).

    ``joins`` are fields of this object filled by a call; ``children`` the trees of nested objects
    (lists are walked item by item); ``phantoms`` keys to delete once the joins are done;
    ``typenames`` keys holding a remote type name to rename through ``renames``; ``branches`` the
    trees per concrete type (as the remote names it) of an abstract type's objects, told apart by
    the ``__hasura_internal_typename`` key.
    """

    joins: tuple[tuple[str, JoinCall], ...] = ()
    children: tuple[tuple[str, JoinTree], ...] = ()
    phantoms: tuple[str, ...] = ()
    typenames: tuple[str, ...] = ()
    renames: Mapping[str, str] = field(default_factory=dict)
    branches: tuple[tuple[str, JoinTree], ...] = ()


@dataclass(frozen=True)
class OutputValue:
    """A scalar or enum field of the answer, read by ``name``; ``phantom`` ones exist only for joins."""

    alias: str
    name: str
    phantom: bool = False


@dataclass(frozen=True)
class OutputObject:
    """A nested custom object field (an object, a list of them, or null), read by ``name``."""

    alias: str
    name: str
    selection: OutputSelection


@dataclass(frozen=True)
class OutputPath:
    """A phantom join field read from a path into nested objects (lists along it give a list of keys)."""

    alias: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class OutputJoin:
    """A relationship field: a placeholder until its join fills it."""

    alias: str
    join: JoinCall


OutputItem = OutputValue | OutputObject | OutputJoin | OutputPath | LiteralOut
OutputSelection = tuple[OutputItem, ...]

# --- roots -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableQuery:
    """A root table field: ``rows`` (a list), ``object`` (by primary key) or ``aggregate``."""

    alias: str
    kind: str
    table: TableModel
    args: SelectArgs
    selection: RowSelection | AggregateSelection
    joins: JoinTree | None = None


@dataclass(frozen=True)
class ActionQuery:
    """A root action field: the handler is called with ``arguments``; ``selection`` is None for scalars."""

    alias: str
    action: Action
    arguments: dict[str, Any]
    selection: OutputSelection | None
    joins: JoinTree | None = None


@dataclass(frozen=True, eq=False)
class RemoteRequest:
    """One request to a remote schema carrying one or more of the operation's root fields (``keys``)."""

    remote_schema: str
    operation: str
    document: str
    variables: Mapping[str, Any]
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemoteRootQuery:
    """A remote schema's root field: read under ``key`` from the answer to ``request``, then joined.

    ``field`` is what is sent (remote names, relationship placeholders, phantom join fields);
    ``variables`` the client's variable definitions it uses.
    """

    alias: str
    remote_schema: str
    operation: str
    field: FieldNode
    variables: tuple[VariableDefinitionNode, ...] = ()
    joins: JoinTree | None = None
    request: RemoteRequest | None = None
    key: str = ""


@dataclass(frozen=True)
class LiteralRoot:
    """A root field with a constant answer."""

    alias: str
    value: Any


@dataclass(frozen=True)
class IntrospectionRoot:
    """``__schema`` / ``__type``: answered by graphql-core's introspection over the schema."""

    alias: str
    nodes: tuple[FieldNode, ...]


@dataclass(frozen=True)
class NamespaceRoot:
    """A source namespace: an object whose fields are root fields of that source."""

    alias: str
    roots: tuple[RootPlan, ...]


RootPlan = TableQuery | ActionQuery | RemoteRootQuery | LiteralRoot | IntrospectionRoot | NamespaceRoot


@dataclass(frozen=True)
class OperationPlan:
    """What to run for one operation; mutations run their roots one after the other."""

    operation: str
    roots: tuple[RootPlan, ...]
    variables: dict[str, Any] = field(default_factory=dict)
