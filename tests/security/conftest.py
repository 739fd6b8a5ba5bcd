"""Fixtures for the security tests: the metadata and GraphQL clients of the integration tests."""

from tests.integration.conftest import graphql_api, metadata_api, pg_schema  # noqa: F401  (fixtures used here)
