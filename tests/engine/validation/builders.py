"""Small builders for validation tests: catalogs from column lists, metadata from Hasura JSON."""

from typing import Any

from graphql import build_schema

from engine.catalog import ColumnInfo, ForeignKeyInfo, SourceCatalog, TableInfo
from engine.environment import Environment
from engine.metadata import Metadata
from engine.validation import Inconsistency

SCALARS = frozenset({"integer", "text", "uuid", "timestamptz", "jsonb", "boolean"})


def column(name: str, data_type: str = "integer") -> ColumnInfo:
    return ColumnInfo(name, data_type, False, False, False)


def foreign_key(
    name: str, columns: tuple[str, ...], ref_table: str, ref_columns: tuple[str, ...]
) -> ForeignKeyInfo:
    return ForeignKeyInfo(name, columns, "public", ref_table, ref_columns)


def table_info(
    name: str,
    *columns: ColumnInfo,
    schema: str = "public",
    primary_key: tuple[str, ...] = ("id",),
    foreign_keys: tuple[ForeignKeyInfo, ...] = (),
    is_view: bool = False,
) -> TableInfo:
    return TableInfo(schema, name, columns, primary_key, (), foreign_keys, is_view)


def catalog(source: str, *tables: TableInfo, scalars: frozenset[str] = SCALARS) -> SourceCatalog:
    return SourceCatalog(source, "postgres", {(t.schema, t.name): t for t in tables}, scalars)


def blog_catalog(source: str = "default") -> SourceCatalog:
    """authors(id, name); articles(id, author_id -> authors.id, title); users(id, name, auth0_id)."""
    return catalog(
        source,
        table_info("authors", column("id"), column("name", "text")),
        table_info(
            "articles",
            column("id"),
            column("author_id"),
            column("title", "text"),
            foreign_keys=(foreign_key("articles_author_id_fkey", ("author_id",), "authors", ("id",)),),
        ),
        table_info("users", column("id"), column("name", "text"), column("auth0_id", "text")),
    )


def source(name: str = "default", *tables: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "postgres",
        "configuration": {"connection_info": {"database_url": "postgresql://db/" + name}},
        "tables": list(tables),
        **extra,
    }


def metadata(**parts: Any) -> Metadata:
    return Metadata.from_dict({"version": 3, **parts})


def environment(*catalogs: SourceCatalog, **extra: Any) -> Environment:
    return Environment(catalogs={c.source_name: c for c in catalogs}, **extra)


def summary(found: list[Inconsistency]) -> list[tuple[Any, ...]]:
    """Every record as (object_id, type, name, reason, code, path)."""
    return [(i.object_id, i.type, i.name, i.reason, i.code, i.path) for i in found]


ORDERS_SDL = "type Order { id: ID! user_id: Int! } type Query { orders: [Order!]! }"

AUTH0_SDL = """
type Auth0Profile { email: String nickname: String last_login: String }
type Query { auth0_profile(id: String!): Auth0Profile  me: Auth0Profile }
"""


def schema(sdl: str):
    return build_schema(sdl)
