"""Helpers for the database command and run_sql tests: a SQLite copy of the seed tables, refusal checks."""

import sqlite3

SQLITE_SEED = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, auth0_id TEXT);
CREATE TABLE "user" (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE article (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER REFERENCES author(id), tags TEXT
);
"""


def sqlite_database(directory):
    """Create a SQLite database file with the seed tables; return its ``sqlite:////abs/path.db`` URL."""
    path = directory / "seed.db"
    connection = sqlite3.connect(path)
    connection.executescript(SQLITE_SEED)
    connection.close()
    return f"sqlite:///{path}"


def source_args(name, url, namespace=None):
    """``*_add_source`` args for a database URL; a namespace keeps root fields apart from other sources'."""
    args = {"name": name, "configuration": {"connection_info": {"database_url": url}}}
    if namespace is not None:
        args["customization"] = {"root_fields": {"namespace": namespace}}
    return args


def snapshot(metadata_api):
    """The exported metadata together with its resource_version."""
    return metadata_api.ok("export_metadata", {}, version=2)


def assert_refused(metadata_api, command_type, args, expected, *, status=400):
    """The command fails with exactly ``expected`` and leaves the metadata and its version as they were."""
    before = snapshot(metadata_api)
    answer = metadata_api.fails(command_type, args)
    assert answer == (status, expected), answer
    assert snapshot(metadata_api) == before
