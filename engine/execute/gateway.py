"""The engine's entry point for ``POST /v1/graphql``: request in, response body, cookies and counts out.

    document (cached parse + validate) -> plan -> run root fields -> {"data"} | {"errors"}

Root fields of a query run concurrently on a bounded thread pool, each on its own pooled
connection; mutation root fields run one after the other in document order, the table mutations
of each source in one transaction (``engine.execute.mutations``). A remote schema's root
fields share one request (``engine.plan.remote_requests``). Joins across boundaries are filled by
``engine.execute.joins``. Any failing root field fails the whole request (no partial data), as in
Hasura; a remote schema's own errors for its root fields become the response's errors as they are.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute_sync,
)

from engine.errors import Code, EngineError
from engine.execute.action_joins import ActionJoinCaller
from engine.execute.actions import ActionCaller, CallContext
from engine.execute.compiler import SelectCompiler, TableStatement
from engine.execute.database import Connections, Database
from engine.execute.dialects import dialect_of
from engine.execute.joins import Joiner
from engine.execute.mutations import MutationRunner
from engine.execute.output import OutputChecker
from engine.execute.remote import RemoteCaller, RemoteErrors
from engine.execute.stats import Counts, ExecutionStats
from engine.graphql_errors import RequestError, RequestErrors, errors_body
from engine.http import Transport
from engine.limits import QueryLimits, check_limits
from engine.lru import LruCache
from engine.plan.document import checked_document
from engine.plan.mutation_nodes import TableMutation
from engine.plan.nodes import (
    ActionQuery,
    IntrospectionRoot,
    LiteralRoot,
    NamespaceRoot,
    OperationPlan,
    RemoteRootQuery,
    RootPlan,
    TableQuery,
)
from engine.plan.operation import planned_operation, select_operation
from engine.schema.model import GatewaySchema
from engine.schema.tables_model import ADMIN_ROLE

ROOT_FIELD_WORKERS = 8
# Statements of the table root fields of kept plans (``engine.plan.operation``), compiled once each.
_TABLE_STATEMENTS: LruCache[tuple[TableQuery, TableStatement]] = LruCache(256)
_pool_lock = threading.Lock()
_default_pool: ThreadPoolExecutor | None = None


def default_pool() -> Executor:
    """The process-wide pool that runs independent root fields."""
    global _default_pool
    with _pool_lock:
        if _default_pool is None:
            _default_pool = ThreadPoolExecutor(ROOT_FIELD_WORKERS, thread_name_prefix="joinery-root")
        return _default_pool


@dataclass(frozen=True)
class GraphQLRequest:
    """One ``{"query", "variables", "operationName"}`` request."""

    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None


@dataclass(frozen=True)
class Caller:
    """Who is asking: role, session variables (lower-case ``x-hasura-*``) and the client's headers."""

    role: str = ADMIN_ROLE
    session_variables: Mapping[str, str] = field(default_factory=lambda: {"x-hasura-role": ADMIN_ROLE})
    client_headers: Sequence[tuple[str, str]] = ()

    @property
    def is_admin(self) -> bool:
        """Admins see ``extensions.internal``."""
        return self.role == ADMIN_ROLE


@dataclass(frozen=True)
class Runtime:
    """The engine's ways out (connections, HTTP transport, environment, thread pool) and request limits."""

    connections: Connections
    transport: Transport
    environ: Mapping[str, str]
    pool: Executor | None = None
    limits: QueryLimits = QueryLimits()


@dataclass(frozen=True)
class GraphQLResponse:
    """The body to send (JSON from the database spliced in as fragments), cookies to set, work done."""

    body: dict[str, Any]
    cookies: tuple[str, ...]
    counts: Counts

    def encode(self) -> bytes:
        """The body as JSON bytes."""
        try:
            return orjson.dumps(self.body)
        except TypeError:  # orjson.JSONEncodeError
            return _encode_unusual(self.body)


def _encode_unusual(body: dict[str, Any]) -> bytes:
    """What orjson refuses (integers past 64 bits, nesting past 254 levels, lone surrogates), by ``json``."""
    try:
        return json.dumps(body, default=_fragment_value, separators=(",", ":")).encode()
    except RecursionError:
        too_deep = RequestError("the response is nested too deeply to be sent", code=Code.UNEXPECTED)
        return orjson.dumps(errors_body([too_deep], include_internal=False))


def _fragment_value(value: object) -> Any:
    if isinstance(value, orjson.Fragment):
        return json.loads(orjson.dumps(value))
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def execute(
    schema: GatewaySchema, request: GraphQLRequest, caller: Caller, runtime: Runtime
) -> GraphQLResponse:
    """Answer one GraphQL request with the schema of the caller's role."""
    stats = ExecutionStats()
    try:
        document = checked_document(schema, request.query)
        if not caller.is_admin:
            check_limits(document, runtime.limits)
        plan = planned_operation(
            schema,
            request.query,
            document,
            request.operation_name,
            request.variables,
            caller.session_variables,
        )
        runner = OperationRunner(schema, request, caller, runtime, stats, document)
        data, cookies = runner.run(plan)
    except RequestErrors as failure:
        return GraphQLResponse(
            errors_body(failure.errors, include_internal=caller.is_admin), (), stats.snapshot()
        )
    except RemoteErrors as failure:
        return GraphQLResponse(errors_body(failure.errors, include_internal=False), (), stats.snapshot())
    except EngineError as error:
        return GraphQLResponse(errors_body([error], include_internal=caller.is_admin), (), stats.snapshot())
    return GraphQLResponse({"data": data}, cookies, stats.snapshot())


class OperationRunner:
    """Runs the root fields of one planned operation."""

    def __init__(
        self,
        schema: GatewaySchema,
        request: GraphQLRequest,
        caller: Caller,
        runtime: Runtime,
        stats: ExecutionStats,
        document: DocumentNode,
    ) -> None:
        self.schema = schema
        self.request = request
        self.runtime = runtime
        self.document = document
        self.database = Database(runtime.connections, stats)
        context = CallContext(
            caller.session_variables, tuple(caller.client_headers), request.query, runtime.environ
        )
        self.actions = ActionCaller(runtime.transport, context, OutputChecker(schema), stats)
        self.remote = RemoteCaller(schema, runtime.transport, context, stats)
        pool = runtime.pool or default_pool()
        self.joiner = Joiner(self.database, self.remote, ActionJoinCaller(self.actions, pool), pool)
        self.mutations = MutationRunner(runtime.connections, stats, self.joiner)

    def run(self, plan: OperationPlan) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The ``data`` object and the cookies handlers set."""
        roots = plan.roots
        if plan.operation == "mutation":
            with self.mutations.transaction():
                results = [self.run_root(root) for root in roots]
        elif len(roots) < 2:
            results = [self.run_root(root) for root in roots]
        else:
            results = self._concurrently(roots)
        return assemble(roots, results)

    def _concurrently(self, roots: Sequence[RootPlan]) -> list[tuple[Any, tuple[str, ...]]]:
        pool = self.runtime.pool or default_pool()
        futures = [pool.submit(self.run_root, root) for root in roots]
        wait(futures)
        return [future.result() for future in futures]

    def run_root(self, root: RootPlan) -> tuple[Any, tuple[str, ...]]:
        """The value of one root field and the cookies it brought."""
        if isinstance(root, TableQuery):
            return self._table(root), ()
        if isinstance(root, TableMutation):
            return self.mutations.run(root), ()
        if isinstance(root, ActionQuery):
            return self._action(root)
        if isinstance(root, RemoteRootQuery):
            return self._remote(root)
        if isinstance(root, IntrospectionRoot):
            return self._introspection(root), ()
        if isinstance(root, NamespaceRoot):
            return assemble(root.roots, [self.run_root(child) for child in root.roots])
        assert isinstance(root, LiteralRoot)
        return root.value, ()

    def _table(self, query: TableQuery) -> Any:
        source = query.table.source
        # Keyed by the query's identity: the entry holds the query, so no other can have that id meanwhile.
        _, compiled = _TABLE_STATEMENTS.get_or_build(
            id(query), lambda: (query, SelectCompiler(dialect_of(source.kind)).table_statement(query))
        )
        rows = self.database.fetch(source, compiled.statement)
        if compiled.row is not None:
            row = compiled.row
            found = row.values(rows) if query.joins is None else self.joiner.fill_rows(rows, row, query.joins)
            return found if query.kind == "rows" else next(iter(found), None)
        ((text,),) = rows
        if text is None or query.joins is None:
            return None if text is None else orjson.Fragment(text)
        value = orjson.loads(text)
        self.joiner.fill([value], query.joins)
        return value

    def _action(self, query: ActionQuery) -> tuple[Any, tuple[str, ...]]:
        root_type = self.schema.graphql.get_root_type(
            OperationType.QUERY if query.action.definition.type == "query" else OperationType.MUTATION
        )
        assert root_type is not None
        output_type = root_type.fields[query.action.name].type
        answer = self.actions.call(query.action, query.arguments, output_type)
        return self.joiner.fill_output(answer.value, query.selection, query.joins), answer.cookies

    def _remote(self, query: RemoteRootQuery) -> tuple[Any, tuple[str, ...]]:
        assert query.request is not None
        answer = self.remote.root(query.request)
        if query.key not in answer.data:
            raise RequestError(f"expecting key {query.key}", code=Code.REMOTE_SCHEMA_ERROR)
        value = answer.data[query.key]
        self.joiner.fill([value], query.joins)
        first = query.request.keys[:1] == (query.key,)
        return value, answer.cookies if first else ()

    def _introspection(self, root: IntrospectionRoot) -> Any:
        operation = select_operation(self.document, self.request.operation_name)
        fragments = [d for d in self.document.definitions if isinstance(d, FragmentDefinitionNode)]
        only_this = OperationDefinitionNode(
            operation=OperationType.QUERY,
            variable_definitions=operation.variable_definitions,
            directives=(),
            selection_set=SelectionSetNode(selections=root.nodes),
        )
        result = execute_sync(
            self.schema.graphql,
            DocumentNode(definitions=(only_this, *fragments)),
            variable_values=self.request.variables,
        )
        return _introspection_data(result, root.alias)


def assemble(
    roots: Sequence[RootPlan], results: Sequence[tuple[Any, tuple[str, ...]]]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Root values under their aliases, in document order, and every cookie they brought."""
    data = {root.alias: value for root, (value, _) in zip(roots, results, strict=True)}
    return data, tuple(cookie for _, found in results for cookie in found)


def _introspection_data(result: ExecutionResult, alias: str) -> Any:
    if result.errors:
        raise RequestError(result.errors[0].message, code=Code.UNEXPECTED)
    assert result.data is not None
    return result.data[alias]
