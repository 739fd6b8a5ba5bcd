"""The mutation root fields and types a role sees for a table, by its insert/update/delete/select permissions."""

import sqlite3

import pytest
from graphql import get_named_type

from engine.catalog import read_catalog
from engine.environment import Environment
from engine.execute import Runtime
from engine.http import HttpTransport
from engine.metadata import Metadata
from engine.schema.mutation_model import (
    DeleteAccess,
    InsertAccess,
    MutationAccess,
    MutationRootField,
    UpdateAccess,
)
from engine.sources import ConnectionProvider
from tests.engine.gateway_support import Gateway, table

ACCOUNTS = """
CREATE TABLE account (
    id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, owner TEXT, note TEXT, credits INTEGER
);
CREATE VIEW big_account AS SELECT * FROM account WHERE credits > 100;
INSERT INTO account (id, email, owner, note, credits) VALUES
    (1, 'a@example.com', 'u1', 'first', 10), (2, 'b@example.com', 'u2', 'second', 500);
"""


def accounts_gateway(directory, **permissions):
    """The ``account`` table (and a view over it) in a SQLite file, with the given permission lists."""
    directory.mkdir(exist_ok=True)
    path = directory / "accounts.db"
    connection = sqlite3.connect(path)
    connection.executescript(ACCOUNTS)
    connection.commit()
    connection.close()
    metadata = Metadata.from_dict(
        {
            "version": 3,
            "sources": [
                {
                    "name": "default",
                    "kind": "sqlite",
                    "configuration": {"connection_info": {"database_url": f"sqlite:///{path}"}},
                    "tables": [table("account", **permissions), table("big_account")],
                }
            ],
        }
    )
    provider = ConnectionProvider(directory, {})
    with provider.connection(metadata.sources[0]) as connection:
        catalog = read_catalog(connection, "sqlite", "default")
    runtime = Runtime(provider, HttpTransport(allowed_hosts=["127.0.0.1"]), {})
    return Gateway(metadata, Environment(catalogs={"default": catalog}), runtime)


def mutation_fields(schema):
    mutation = schema.graphql.mutation_type
    return {} if mutation is None else mutation.fields


def input_fields(schema, name):
    return list(schema.graphql.get_type(name).fields)


def argument_names(field):
    return sorted(field.args)


def permission(role, **body):
    return [{"role": role, "permission": body}]


def test_admin_gets_every_mutation_of_a_table_and_none_of_a_view(tmp_path):
    schema = accounts_gateway(tmp_path).schema()
    fields = mutation_fields(schema)

    assert list(fields) == [
        "insert_account",
        "insert_account_one",
        "update_account",
        "update_account_by_pk",
        "delete_account",
        "delete_account_by_pk",
    ]
    assert argument_names(fields["insert_account"]) == ["objects", "on_conflict"]
    assert argument_names(fields["update_account"]) == ["_inc", "_set", "where"]
    assert argument_names(fields["update_account_by_pk"]) == ["_inc", "_set", "pk_columns"]
    assert argument_names(fields["delete_account_by_pk"]) == ["id"]
    assert str(fields["insert_account"].type) == "account_mutation_response"
    assert str(fields["insert_account_one"].type) == "account"
    constraint = schema.graphql.get_type("account_constraint")
    assert {name: value.value for name, value in constraint.values.items()} == {
        "account_pkey": ("id",),
        "account_email_key": ("email",),
    }
    assert input_fields(schema, "account_inc_input") == ["id", "credits"]
    assert schema.role_of("mutation_root", "delete_account") == MutationRootField(
        "delete", "account", MutationAccess(InsertAccess(), UpdateAccess(), DeleteAccess())
    )


def test_a_role_without_permissions_has_no_mutations(tmp_path):
    assert accounts_gateway(tmp_path).schema("user").graphql.mutation_type is None


def test_insert_without_select_counts_rows_only(tmp_path):
    gateway = accounts_gateway(
        tmp_path,
        insert_permissions=permission(
            "writer", columns=["email", "note", "owner"], check={}, set={"owner": "X-Hasura-User-Id"}
        ),
    )
    schema = gateway.schema("writer")

    assert list(mutation_fields(schema)) == ["insert_account"]
    assert argument_names(mutation_fields(schema)["insert_account"]) == ["objects"]
    # A preset column is not the client's to give.
    assert input_fields(schema, "account_insert_input") == ["email", "note"]
    assert list(schema.graphql.get_type("account_mutation_response").fields) == ["affected_rows"]


def test_update_and_delete_follow_their_columns_and_the_readable_key(tmp_path):
    gateway = accounts_gateway(
        tmp_path,
        select_permissions=permission("user", columns=["email", "note", "credits"], filter={}),
        update_permissions=permission("user", columns=["note", "credits"], filter={}),
        delete_permissions=permission("user", filter={}),
    )
    schema = gateway.schema("user")

    # The primary key is not readable: no _by_pk fields.
    assert list(mutation_fields(schema)) == ["update_account", "delete_account"]
    assert input_fields(schema, "account_set_input") == ["note", "credits"]
    assert input_fields(schema, "account_inc_input") == ["credits"]
    assert list(schema.graphql.get_type("account_mutation_response").fields) == ["affected_rows", "returning"]


def test_on_conflict_needs_the_update_and_select_permissions(tmp_path):
    insert = permission("user", columns=["id", "email", "note"], check={})
    select = permission("user", columns=["id", "email", "note"], filter={})
    update = permission("user", columns=["note"], filter={"owner": {"_eq": "X-Hasura-User-Id"}})
    without_update = accounts_gateway(tmp_path / "a", insert_permissions=insert, select_permissions=select)
    with_update = accounts_gateway(
        tmp_path / "b", insert_permissions=insert, select_permissions=select, update_permissions=update
    )

    assert argument_names(mutation_fields(without_update.schema("user"))["insert_account_one"]) == ["object"]
    schema = with_update.schema("user")
    assert argument_names(mutation_fields(schema)["insert_account_one"]) == ["object", "on_conflict"]
    assert list(schema.graphql.get_type("account_update_column").values) == ["note"]
    assert list(mutation_fields(schema)) == [
        "insert_account",
        "insert_account_one",
        "update_account",
        "update_account_by_pk",
    ]


def test_a_role_that_cannot_read_filters_with_connectives_only(tmp_path):
    gateway = accounts_gateway(
        tmp_path, delete_permissions=permission("cleaner", filter={"credits": {"_lt": 100}})
    )
    schema = gateway.schema("cleaner")

    where = mutation_fields(schema)["delete_account"].args["where"]
    assert input_fields(schema, get_named_type(where.type).name) == ["_and", "_not", "_or"]


def test_backend_only_permissions_are_not_served(tmp_path):
    gateway = accounts_gateway(
        tmp_path, insert_permissions=permission("backend", columns="*", check={}, backend_only=True)
    )

    assert gateway.schema("backend").graphql.mutation_type is None


@pytest.mark.parametrize(
    ("configuration", "expected"),
    [
        ({"custom_name": "wallet"}, "insert_wallet_one"),
        ({"custom_root_fields": {"insert_one": "addAccount"}}, "addAccount"),
    ],
)
def test_custom_names_rename_mutation_root_fields(tmp_path, configuration, expected):
    schema = accounts_gateway(tmp_path, configuration=configuration).schema()

    assert expected in mutation_fields(schema)
