"""Builders for engine tests: the golden dataset in a SQLite file, its metadata, schemas and a runtime."""

import os
from dataclasses import dataclass

from engine.catalog import read_catalog
from engine.environment import Environment
from engine.execute import Caller, GraphQLRequest, Runtime, execute
from engine.http import HttpTransport
from engine.metadata import Metadata
from engine.schema import build_gateway_schema
from engine.sources import ConnectionProvider
from tests.integration.dataset import load_sqlite


def table(name, **parts):
    return {"table": {"schema": "public", "name": name}, **parts}


def fk_array(name, other, column):
    return {
        "name": name,
        "using": {
            "foreign_key_constraint_on": {"table": {"schema": "public", "name": other}, "column": column}
        },
    }


def fk_object(name, column):
    return {"name": name, "using": {"foreign_key_constraint_on": column}}


def dataset_metadata(url, kind="sqlite", **extra):
    """The author/article/comment tables with their relationships, plus ``extra`` top-level keys."""
    return {
        "version": 3,
        "sources": [
            {
                "name": "default",
                "kind": kind,
                "configuration": {"connection_info": {"database_url": url}},
                "tables": [
                    table("author", array_relationships=[fk_array("articles", "article", "author_id")]),
                    table(
                        "article",
                        object_relationships=[fk_object("author", "author_id")],
                        array_relationships=[fk_array("comments", "comment", "article_id")],
                    ),
                    table("comment"),
                ],
            }
        ],
        **extra,
    }


@dataclass
class Gateway:
    """A metadata snapshot with its environment and a runtime over real connections."""

    metadata: Metadata
    environment: Environment
    runtime: Runtime

    def schema(self, role="admin"):
        return build_gateway_schema(self.metadata, self.environment, role)

    def run(self, query, variables=None, role="admin", session=None, schema=None):
        caller = Caller(role, session or {"x-hasura-role": role})
        return execute(schema or self.schema(role), GraphQLRequest(query, variables), caller, self.runtime)


def sqlite_gateway(directory, **extra):
    """The golden dataset in a SQLite file under ``directory``, described by ``dataset_metadata``."""
    url = load_sqlite(directory / "engine.db")
    metadata = Metadata.from_dict(dataset_metadata(url, **extra))
    provider = ConnectionProvider(directory, {})
    with provider.connection(metadata.sources[0]) as connection:
        catalog = read_catalog(connection, "sqlite", "default")
    runtime = Runtime(provider, HttpTransport(allowed_hosts=["127.0.0.1"]), dict(os.environ))
    return Gateway(metadata, Environment(catalogs={"default": catalog}), runtime)
