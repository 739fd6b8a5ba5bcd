"""Execution: SQL compilation per dialect, action handler calls, joins, and the ``execute`` entry point."""

from engine.execute.gateway import Caller, GraphQLRequest, GraphQLResponse, Runtime, execute

__all__ = ["Caller", "GraphQLRequest", "GraphQLResponse", "Runtime", "execute"]
