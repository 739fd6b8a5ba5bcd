"""Fixtures for metadata tests: a client for POST /v1/metadata and a PostgreSQL source to point at."""

import json

import psycopg2
import pytest


class MetadataClient:
    """Posts metadata commands through Django's test client and decodes the answer."""

    def __init__(self, client):
        self.client = client

    def post(self, body, *, headers=None, path="/v1/metadata"):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
        response = self.client.post(path, data=json.dumps(body), content_type="application/json", **extra)
        return response.status_code, response.json()

    def ok(self, command_type, args=None, **envelope):
        """Run a command that must succeed; return its response body."""
        status, body = self.post({"type": command_type, "args": args if args is not None else {}, **envelope})
        assert status == 200, body
        return body

    def fails(self, command_type, args=None, **envelope):
        """Run a command that must fail; return (status, error body)."""
        status, body = self.post({"type": command_type, "args": args if args is not None else {}, **envelope})
        assert status != 200, body
        return status, body

    def export(self):
        """The current metadata in export shape."""
        return self.ok("export_metadata")


@pytest.fixture
def metadata_api(client, db):
    """A client for the metadata API, on a fresh metadata store."""
    return MetadataClient(client)


def run_sql(database_url, statements):
    """Run SQL directly against a database (test set-up)."""
    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statements)
    conn.close()


@pytest.fixture
def pg_schema(pg_database_url):
    """A PostgreSQL database with the seed tables (users, user, author, article), reset per test."""
    run_sql(
        pg_database_url,
        """
        DROP SCHEMA IF EXISTS public CASCADE;
        CREATE SCHEMA public;
        CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, auth0_id text);
        CREATE TABLE "user" (id serial PRIMARY KEY, name text NOT NULL);
        CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL);
        CREATE TABLE article (
            id serial PRIMARY KEY, title text NOT NULL, author_id integer REFERENCES author(id), tags text[]
        );
        """,
    )
    return pg_database_url


def pg_source_args(name, database_url):
    """``pg_add_source`` args for a database URL."""
    return {"name": name, "configuration": {"connection_info": {"database_url": database_url}}}
