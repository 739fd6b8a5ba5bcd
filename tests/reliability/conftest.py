"""Fixtures of the reliability tests: a migrated metadata database that each server's database copies."""

import pytest

from tests.reliability.cluster import fresh_database, migrate


@pytest.fixture(scope="session")
def migrated_template():
    """The name of a PostgreSQL database holding Django's and the metadata's tables, to copy with
    ``CREATE DATABASE ... TEMPLATE`` (much faster than migrating each database)."""
    with fresh_database("joinery_test_migrated") as url:
        migrate(url)
        yield url.rsplit("/", 1)[1]
