"""Fixtures for the demo tests: the metadata API client of the metadata tests."""

from tests.relationships.conftest import metadata_api  # noqa: F401
