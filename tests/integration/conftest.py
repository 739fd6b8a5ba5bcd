"""Fixtures for black-box tests of POST /v1/graphql: a GraphQL client that also reports the work done."""

import json
import logging
from dataclasses import dataclass

import pytest

from tests.relationships.conftest import MetadataClient, pg_schema  # noqa: F401  (a fixture)

GRAPHQL_LOGGER = "joinery.graphql"


@dataclass
class Answer:
    """One /v1/graphql answer: status, decoded body, Set-Cookie values and the work it caused."""

    status: int
    body: object
    cookies: dict
    sql_statements: int
    http_calls: int


class GraphQLClient:
    """Posts GraphQL requests through Django's test client and reads the logged execution counts."""

    def __init__(self, client, caplog):
        self.client = client
        self.caplog = caplog

    def post(self, query, variables=None, *, headers=None, operation_name=None, raw=None):
        body = (
            raw
            if raw is not None
            else {"query": query, "variables": variables, "operationName": operation_name}
        )
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
        self.caplog.clear()
        with self.caplog.at_level(logging.DEBUG, logger=GRAPHQL_LOGGER):
            response = self.client.post(
                "/v1/graphql",
                data=body if isinstance(body, str) else json.dumps(body),
                content_type="application/json",
                **extra,
            )
        records = [
            r for r in self.caplog.records if r.name == GRAPHQL_LOGGER and hasattr(r, "sql_statements")
        ]
        return Answer(
            response.status_code,
            json.loads(response.content),
            {name: morsel.value for name, morsel in response.cookies.items()},
            sum(r.sql_statements for r in records),
            sum(r.http_calls for r in records),
        )

    def data(self, query, variables=None, **kwargs):
        """Post a request that must succeed; return its ``data``."""
        answer = self.post(query, variables, **kwargs)
        assert answer.status == 200, answer
        assert "errors" not in answer.body, answer.body
        return answer.body["data"]


@pytest.fixture
def metadata_api(client, db):
    """A client for the metadata API, on a fresh metadata store."""
    return MetadataClient(client)


@pytest.fixture
def graphql_api(client, db, caplog):
    """A client for POST /v1/graphql."""
    return GraphQLClient(client, caplog)
