"""The data every golden case runs against: the same tables and rows on PostgreSQL and on SQLite.

PostgreSQL additionally has ``doc``, whose column types SQLite lacks (uuid, timestamptz, jsonb,
numeric, text[]).
"""

import sqlite3

from tests.relationships.conftest import run_sql

COMMON_TABLES = """
CREATE TABLE author (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, is_active BOOLEAN, rating DOUBLE PRECISION
);
CREATE TABLE article (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER REFERENCES author(id),
    published BOOLEAN NOT NULL, views INTEGER
);
CREATE TABLE comment (
    id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES article(id), body TEXT NOT NULL
);
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, auth0_id TEXT);
CREATE TABLE membership (
    org TEXT NOT NULL, member TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (org, member)
);
"""

COMMON_ROWS = """
INSERT INTO author (id, name, email, is_active, rating) VALUES
    (1, 'Ann', 'ann@example.com', TRUE, 4.5),
    (2, 'Bob', NULL, FALSE, 3.0),
    (3, 'Cid', 'cid@example.com', NULL, NULL),
    (4, 'Dee', 'dee@example.com', TRUE, 5.0);
INSERT INTO article (id, title, author_id, published, views) VALUES
    (1, 'Apples', 1, TRUE, 100),
    (2, 'Bananas', 1, FALSE, 20),
    (3, 'Cherries', 1, TRUE, NULL),
    (4, 'Dates', 2, TRUE, 5),
    (5, 'apricots', 4, FALSE, 70),
    (6, 'Elderberries_100%', NULL, TRUE, 1);
INSERT INTO comment (id, article_id, body) VALUES
    (1, 1, 'Crunchy'), (2, 1, 'Sweet'), (3, 4, 'Sticky'), (4, 2, 'Yellow');
INSERT INTO users (id, name, auth0_id) VALUES
    (1, 'Arya', 'arya|1'), (2, 'Bran', NULL), (3, 'Hodor', 'hodor|hodor');
INSERT INTO membership (org, member, role) VALUES
    ('acme', 'Arya', 'admin'), ('acme', 'Bran', 'member'), ('initech', 'Arya', 'member');
"""

POSTGRES_ONLY = """
CREATE TABLE doc (
    id UUID PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL, body JSONB, price NUMERIC(10, 2), tags TEXT[]
);
INSERT INTO doc (id, created_at, body, price, tags) VALUES
    ('11111111-1111-1111-1111-111111111111', '2024-01-02T03:04:05+00:00', '{"kind": "memo", "n": 1}', 9.99, '{a,b}'),
    ('22222222-2222-2222-2222-222222222222', '2024-02-03T04:05:06+00:00', '{"kind": "note"}', 120.50, '{}'),
    ('33333333-3333-3333-3333-333333333333', '2024-03-04T05:06:07+00:00', NULL, NULL, NULL);
"""


def load_postgres(database_url):
    """Reset the public schema of a PostgreSQL database and load the dataset."""
    run_sql(database_url, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    run_sql(database_url, COMMON_TABLES + COMMON_ROWS + POSTGRES_ONLY)


def load_sqlite(path):
    """Create a SQLite database file with the dataset; return its ``sqlite:///`` URL."""
    connection = sqlite3.connect(path)
    connection.executescript(COMMON_TABLES + COMMON_ROWS)
    connection.commit()
    connection.close()
    return f"sqlite:///{path}"
