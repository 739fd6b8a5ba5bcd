"""Shared fixtures: a throwaway PostgreSQL database per test session."""

import os
import uuid

import psycopg2
import pytest
from psycopg2 import sql

pytest_plugins = ["tests.support.servers"]

PG_ADMIN_URL = os.environ.get("JOINERY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin_connection():
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def pg_database_url():
    """Create an empty PostgreSQL database for this test session and drop it afterwards."""
    name = f"joinery_test_{uuid.uuid4().hex[:12]}"
    conn = _admin_connection()
    with conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    conn = _admin_connection()
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.close()
