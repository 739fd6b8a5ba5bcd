"""``POST /v2/query``: ``run_sql`` on a source, in one transaction guarded by a metadata check.

    run_sql -> open one connection to the source -> execute the SQL -> keep the last result
            -> unless read_only: read the catalog on that same connection (it sees the change)
               and validate the metadata against it
            -> objects newly inconsistent: roll back and refuse, or with ``cascade`` drop them
               from the metadata (saved in this request)
            -> commit

Results take Hasura's shapes: ``{"result_type": "CommandOk", "result": null}`` or
``{"result_type": "TuplesOk", "result": [[column names], [values as text or null], ...]}``.
A ``bulk`` runs its queries in order, each in its own transaction; the first failure stops it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import psycopg2
from psycopg2 import extensions

from engine.catalog import SourceCatalog, read_catalog
from engine.dependencies import Dependent, drop_dependents, find_dependents
from engine.environment import Environment
from engine.errors import Code, EngineError
from engine.metadata import DEFAULT_SOURCE, Metadata, Node, QualifiedTable, Source
from engine.sources import POSTGRES, SQLITE, SourceError
from engine.validation import Inconsistency, validate_metadata
from relationships import store
from relationships.commands import CommandContext
from relationships.commands.tables import without_table
from relationships.runtime import connection_provider

if TYPE_CHECKING:
    from relationships.services import MetadataRequest

COMMAND_OK = {"result_type": "CommandOk", "result": None}
# The source kind each query type runs on (None: any).
RUN_SQL_TYPES = {"run_sql": None, "pg_run_sql": POSTGRES, "sqlite_run_sql": SQLITE}


@dataclass(frozen=True)
class RunSql:
    """The arguments of one ``run_sql``; ``path`` locates the query in the request."""

    source: str
    sql: str
    cascade: bool
    check_metadata_consistency: bool
    read_only: bool
    kind: str | None
    path: str
    source_path: str

    @classmethod
    def parse(cls, query_type: str, args: Node, path: str) -> RunSql:
        """Parse ``{"source"?, "sql", "cascade"?, "check_metadata_consistency"?, "read_only"?}``."""
        source = args.get("source")
        return cls(
            source=DEFAULT_SOURCE if source is None else source.nonempty_string(),
            sql=args.key("sql").string(),
            cascade=args.optional_bool("cascade", False),
            check_metadata_consistency=args.optional_bool("check_metadata_consistency", True),
            read_only=args.optional_bool("read_only", False),
            kind=RUN_SQL_TYPES[query_type],
            path=path,
            source_path=args.path if source is None else source.path,
        )


@dataclass
class QuerySession:
    """One ``/v2/query`` request: its metadata context and the catalogs its queries have changed."""

    context: CommandContext
    catalogs: dict[str, SourceCatalog] = field(default_factory=dict)

    def environment(self) -> Environment:
        """The live environment, with the catalogs as this request's earlier queries left them."""
        environment = self.context.environment()
        for source, catalog in self.catalogs.items():
            environment = _with_catalog(environment, source, catalog)
        return environment


def run_query(context: CommandContext, request: MetadataRequest) -> tuple[Any, bool]:
    """Run a ``/v2/query`` request; return the response and whether the schema may have changed."""
    return _run(QuerySession(context), request.type, request.args, "$")


def _run(session: QuerySession, query_type: str, args: Node, path: str) -> tuple[Any, bool]:
    if query_type == "bulk":
        return _run_bulk(session, args)
    if query_type not in RUN_SQL_TYPES:
        raise EngineError(f'unknown query type "{query_type}"', code=Code.PARSE_FAILED, path=path)
    query = RunSql.parse(query_type, args, path)
    return run_sql(session, query), not query.read_only


def _run_bulk(session: QuerySession, args: Node) -> tuple[list[Any], bool]:
    responses, changed = [], False
    for item in args.items():
        body = Node(item.object(), item.path)
        item_args = body.get("args") or Node({}, f"{item.path}.args")
        response, item_changed = _run(session, body.key("type").nonempty_string(), item_args, item.path)
        responses.append(response)
        changed = changed or item_changed
    return responses, changed


def run_sql(session: QuerySession, query: RunSql) -> dict[str, Any]:
    """Run one query on its source and answer with its last result."""
    source = _source(session.context, query)
    checking = query.check_metadata_consistency and not query.read_only
    before = session.environment() if checking else None
    try:
        with connection_provider().connection(source) as connection:
            result = _execute(source.kind, connection, query)
            if not query.read_only:
                catalog = read_catalog(connection, source.kind, source.name)
                if before is not None:
                    after = _with_catalog(before, source.name, catalog)
                    _keep_metadata_consistent(session.context, query, before, after)
                session.catalogs[source.name] = catalog
            connection.commit()
    except SourceError as error:
        raise EngineError(error.message, code=error.code, path=query.source_path)
    return result


def _source(context: CommandContext, query: RunSql) -> Source:
    source = context.metadata.source(query.source)
    if source is None:
        raise EngineError(
            f'source with name "{query.source}" does not exist', code=Code.NOT_EXISTS, path=query.source_path
        )
    if query.kind is not None and source.kind != query.kind:
        raise EngineError(
            f'source with name "{source.name}" has backend type "{source.kind}" which does not match '
            f'the type of this query ("{query.kind}")',
            code=Code.NOT_SUPPORTED,
            path=query.source_path,
        )
    return source


def _execute(kind: str, connection: Any, query: RunSql) -> dict[str, Any]:
    try:
        if kind == POSTGRES:
            return _run_postgres(connection, query)
        return _run_sqlite(connection, query)
    except (psycopg2.Error, sqlite3.Error) as error:
        raise _sql_error(error, query)


# PostgreSQL --------------------------------------------------------------------------------------


def _run_postgres(connection: Any, query: RunSql) -> dict[str, Any]:
    with connection.cursor() as cursor:
        _read_values_as_text(cursor)
        if query.read_only:
            cursor.execute("SET TRANSACTION READ ONLY")
        # Without parameters psycopg2 sends the text as is: several statements run in one go and
        # the last one's result comes back, as with Hasura.
        cursor.execute(query.sql)
        return _result(cursor)


def _read_values_as_text(cursor: Any) -> None:
    """Make ``cursor`` return every value in PostgreSQL's own text form, as Hasura does.

    Types psycopg2 has no caster for already come back as text; the rest are overridden here.
    """
    as_text = extensions.new_type(tuple(extensions.string_types), "JOINERY_TEXT", lambda value, _: value)
    extensions.register_type(as_text, cursor)


# SQLite ------------------------------------------------------------------------------------------


def _run_sqlite(connection: sqlite3.Connection, query: RunSql) -> dict[str, Any]:
    # Manual transaction control: sqlite3 would otherwise run DDL outside any transaction.
    connection.isolation_level = None
    if query.read_only:
        connection.execute("PRAGMA query_only = ON")
    connection.execute("BEGIN")
    result = COMMAND_OK
    for statement in sqlite_statements(query.sql):
        result = _result(connection.execute(statement), sqlite_text)
    return result


def sqlite_statements(sql: str) -> list[str]:
    """Split SQL text into SQLite statements (semicolons inside literals and triggers stay put)."""
    statements, pending = [], ""
    pieces = sql.split(";")
    for index, piece in enumerate(pieces):
        pending += piece if index == len(pieces) - 1 else piece + ";"
        if sqlite3.complete_statement(pending) or index == len(pieces) - 1:
            if pending.strip().strip(";").strip():
                statements.append(pending)
            pending = ""
    return statements


def sqlite_text(value: Any) -> str | None:
    """A SQLite value in the text form PostgreSQL would give it (blobs as hex after a backslash-x)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    return str(value)


# Results and errors ------------------------------------------------------------------------------


def _result(cursor: Any, as_text: Any = None) -> dict[str, Any]:
    if cursor.description is None:
        return dict(COMMAND_OK)
    header = [column[0] for column in cursor.description]
    rows = [[value if as_text is None else as_text(value) for value in row] for row in cursor.fetchall()]
    return {"result_type": "TuplesOk", "result": [header, *rows]}


def _sql_error(error: Exception, query: RunSql) -> EngineError:
    """Hasura's ``postgres-error``: the database's message, its details under ``internal``."""
    if isinstance(error, psycopg2.Error):
        diag = error.diag
        message = diag.message_primary or str(error).strip()
        detail = {"status_code": error.pgcode, "hint": diag.message_hint, "description": diag.message_detail}
    else:
        message = str(error)
        detail = {"status_code": getattr(error, "sqlite_errorname", None), "hint": None, "description": None}
    internal = {
        "statement": query.sql,
        "prepared": False,
        "arguments": [],
        "error": {"exec_status": "FatalError", "message": message, **detail},
    }
    return EngineError(message, code=Code.POSTGRES_ERROR, path=query.path, internal=internal)


# Metadata consistency ----------------------------------------------------------------------------


def _with_catalog(environment: Environment, source: str, catalog: SourceCatalog) -> Environment:
    """``environment`` as it is once the query's changes to ``source`` are in place."""
    errors = {name: error for name, error in environment.source_errors.items() if name != source}
    return replace(environment, catalogs={**environment.catalogs, source: catalog}, source_errors=errors)


def _keep_metadata_consistent(
    context: CommandContext, query: RunSql, environment: Environment, after: Environment
) -> None:
    """Refuse a change that breaks metadata objects, or drop them from the metadata with ``cascade``."""
    before = {i.object_id for i in validate_metadata(context.metadata, environment)}
    metadata = context.metadata
    broken = _newly_inconsistent(metadata, after, before)
    while broken and query.cascade:
        pruned = _without_broken(metadata, broken, environment)
        if pruned == metadata:
            break
        metadata = pruned
        broken = _newly_inconsistent(metadata, after, before)
    if broken:
        raise EngineError(
            "cannot continue due to new inconsistent metadata",
            code=Code.UNEXPECTED,
            path=query.path,
            internal=[i.to_dict() for i in broken],
        )
    if metadata != context.metadata:
        store.save_metadata(metadata)
        context.metadata = metadata


def _newly_inconsistent(
    metadata: Metadata, environment: Environment, before: set[Any]
) -> list[Inconsistency]:
    return [i for i in validate_metadata(metadata, environment) if i.object_id not in before]


def _without_broken(metadata: Metadata, broken: list[Inconsistency], environment: Environment) -> Metadata:
    """``metadata`` without the broken objects: broken tables are untracked with their dependents.

    Dependents are found with the catalogs as they were, since a dropped table takes the foreign keys
    that led to it along.
    """
    for inconsistency in broken:
        kind, *rest = inconsistency.object_id
        if kind == "table":
            source, schema, name = rest
            metadata = drop_dependents(
                metadata, find_dependents(metadata, inconsistency.object_id, environment)
            )
            metadata = without_table(metadata, source, QualifiedTable(schema, name))
    others = [Dependent(i.object_id, i.name) for i in broken if i.object_id[0] != "table"]
    return drop_dependents(metadata, others)
