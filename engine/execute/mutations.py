"""Runs the table mutations of one mutation request: in document order, one transaction per source.

    transaction():  each source gets one connection the first time a root field changes it
      run(m1) ----> statements on that connection (later fields see earlier changes)
      run(m2) ...
    all ran: commit every source, then fill the joins of the answers (they read committed data)
    any error (a statement, a failed permission check, an action handler): roll back every source

A failed permission check (a changed row outside the role's ``check``) fails the whole request with
``permission-error``, as Hasura does. Sources are committed one after the other: a commit failing
after another source committed cannot undo that one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import orjson
import psycopg2

from engine.execute.database import DATABASE_ERROR, Connections, postgres_error, refused_value, sqlite_error
from engine.execute.dialects import dialect_of, regexp
from engine.execute.fragments import Sql, raw
from engine.execute.joins import Joiner
from engine.execute.mutation_sql import (
    MutationCompiler,
    counted_answer,
    empty_answer,
    needs_rows,
    reads_relationships,
)
from engine.execute.stats import ExecutionStats
from engine.graphql_errors import RequestError
from engine.plan.mutation_nodes import InsertRows, TableMutation, UpdateRows
from engine.plan.nodes import JoinTree
from engine.sources import SQLITE, SourceError, SourceLike

CHECK_FAILED = "check constraint of an insert/update permission has failed"
PERMISSION_ERROR = "permission-error"


class MutationRunner:
    """Runs table mutations inside ``transaction()``."""

    def __init__(self, connections: Connections, stats: ExecutionStats, joiner: Joiner) -> None:
        self.connections = connections
        self.stats = stats
        self.joiner = joiner
        self._stack: ExitStack | None = None
        self._open: dict[str, tuple[SourceLike, Any]] = {}
        self._pending: list[tuple[Any, JoinTree]] = []

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit every source the block changed when it ends normally, else roll them all back."""
        with ExitStack() as stack:
            self._stack = stack
            try:
                yield
            except BaseException:
                self._end(commit=False)
                raise
            self._end(commit=True)
        pending, self._pending = self._pending, []
        for value, tree in pending:
            self.joiner.fill([value], tree)

    def run(self, mutation: TableMutation) -> Any:
        """The answer of one mutation root field (its joins are filled after commit)."""
        change = mutation.change
        if (isinstance(change, InsertRows) and not change.rows) or (
            isinstance(change, UpdateRows) and change.changes_nothing
        ):
            return empty_answer(mutation)
        source = mutation.table.source
        connection = self._connection(source)
        compiler = MutationCompiler(source.kind, mutation)
        if source.kind == SQLITE:
            text = self._sqlite(connection, source, compiler, mutation)
        else:
            text = self._postgres(connection, source, compiler, mutation)
        return self._answer(text, mutation)

    # --- PostgreSQL ---------------------------------------------------------------------------

    def _postgres(
        self, connection: Any, source: SourceLike, compiler: MutationCompiler, mutation: TableMutation
    ) -> Any:
        if not reads_relationships(mutation):
            ((text, passed),) = self._execute(connection, source, compiler.postgres_answer())
            _require(passed)
            return text
        ((affected, rows, passed),) = self._execute(connection, source, compiler.postgres_change())
        _require(passed)
        ((text,),) = self._execute(connection, source, compiler.answer_from_json(rows, affected))
        return text

    # --- SQLite -------------------------------------------------------------------------------

    def _sqlite(
        self, connection: Any, source: SourceLike, compiler: MutationCompiler, mutation: TableMutation
    ) -> Any:
        changed: list[str] = []
        for statement in compiler.sqlite_changes():
            for row, passed in self._execute(connection, source, statement):
                _require(passed)
                changed.append(row)
        if not needs_rows(mutation):
            return counted_answer(mutation, len(changed))
        ((text,),) = self._execute(
            connection, source, compiler.answer_from_json(f"[{','.join(changed)}]", len(changed))
        )
        return text

    # --- shared -------------------------------------------------------------------------------

    def _answer(self, answer: Any, mutation: TableMutation) -> Any:
        """JSON text from the database goes to the client undecoded unless joins must fill it."""
        if isinstance(answer, str):
            if mutation.joins is None:
                return orjson.Fragment(answer)
            answer = orjson.loads(answer)
        if answer is not None and mutation.joins is not None:
            self._pending.append((answer, mutation.joins))
        return answer

    def _connection(self, source: SourceLike) -> Any:
        if source.name in self._open:
            return self._open[source.name][1]
        assert self._stack is not None, "table mutations run inside transaction()"
        try:
            connection = self._stack.enter_context(self.connections.connection(source))
            if source.kind == SQLITE:
                connection.create_function("regexp", 2, regexp, deterministic=True)
                connection.execute("BEGIN IMMEDIATE")
        except (SourceError, sqlite3.Error) as error:
            raise RequestError(DATABASE_ERROR, code="unexpected", internal={"error": str(error)}) from error
        self._open[source.name] = (source, connection)
        return connection

    def _execute(self, connection: Any, source: SourceLike, statement: Sql) -> list[tuple[Any, ...]]:
        text = dialect_of(source.kind).render(statement, connection)
        self.stats.count_sql()
        try:
            if source.kind == SQLITE:
                return list(connection.execute(text, statement.params).fetchall())
            with connection.cursor() as cursor:
                cursor.execute(text, statement.params)
                return list(cursor.fetchall())
        except psycopg2.Error as error:
            raise postgres_error(error, statement) from error
        except sqlite3.Error as error:
            raise sqlite_error(error) from error
        except ValueError as error:
            raise refused_value(error) from error

    def _end(self, *, commit: bool) -> None:
        opened, self._open = list(self._open.values()), {}
        failure: RequestError | None = None
        for _, connection in opened:
            try:
                if commit and failure is None:
                    connection.commit()
                else:
                    connection.rollback()
            except psycopg2.Error as error:
                failure = failure or postgres_error(error, raw("COMMIT"))
            except sqlite3.Error as error:
                failure = failure or sqlite_error(error)
        self._stack = None
        if failure is not None:
            self._pending = []
            raise failure


def _require(passed: Any) -> None:
    """Fail the request when a changed row is outside the permission's check."""
    if not passed:
        raise RequestError(CHECK_FAILED, code=PERMISSION_ERROR)
