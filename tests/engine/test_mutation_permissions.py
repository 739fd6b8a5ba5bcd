"""Insert, update and delete permissions enforced on a SQLite source: columns, filters, checks and presets.

Accounts: 1 a@example.com owned by u1 (10 credits), 2 b@example.com owned by u2 (500 credits).
"""

import orjson

from tests.engine.test_mutation_schema import accounts_gateway, permission

CHECK_FAILED = {
    "errors": [
        {
            "message": "check constraint of an insert/update permission has failed",
            "extensions": {"path": "$", "code": "permission-error"},
        }
    ]
}
OWN = {"owner": {"_eq": "X-Hasura-User-Id"}}
READ_ALL = permission("user", columns="*", filter={})


def run(gateway, query, user="u1", role="user"):
    response = gateway.run(query, role=role, session={"x-hasura-role": role, "x-hasura-user-id": user})
    return orjson.loads(response.encode())


def accounts(gateway):
    body = orjson.loads(
        gateway.run("{ account(order_by: {id: asc}) { id email owner note credits } }").encode()
    )
    return body["data"]["account"]


def test_insert_presets_come_from_the_session_and_rows_must_pass_the_check(tmp_path):
    gateway = accounts_gateway(
        tmp_path,
        insert_permissions=permission(
            "user",
            columns=["email", "note"],
            check={"note": {"_neq": "forbidden"}},
            set={"owner": "X-Hasura-User-Id"},
        ),
    )

    assert run(
        gateway,
        'mutation { insert_account(objects: [{email: "c@example.com", note: "ok"}]) { affected_rows } }',
    ) == {"data": {"insert_account": {"affected_rows": 1}}}
    refused = run(
        gateway,
        'mutation { insert_account(objects: [{email: "d@example.com", note: "ok"}, '
        '{email: "e@example.com", note: "forbidden"}]) '
        "{ affected_rows } }",
    )

    assert refused == CHECK_FAILED
    assert [(row["email"], row["owner"]) for row in accounts(gateway)][2:] == [("c@example.com", "u1")]


def test_a_preset_needs_its_session_variable(tmp_path):
    gateway = accounts_gateway(
        tmp_path,
        insert_permissions=permission("user", columns=["email"], check={}, set={"owner": "X-Hasura-User-Id"}),
    )
    response = gateway.run(
        'mutation { insert_account(objects: [{email: "c@example.com"}]) { affected_rows } }',
        role="user",
        session={"x-hasura-role": "user"},
    )

    assert orjson.loads(response.encode()) == {
        "errors": [
            {
                "message": 'missing session variable: "x-hasura-user-id"',
                "extensions": {"path": "$", "code": "not-found"},
            }
        ]
    }
    assert response.counts.sql_statements == 0


def test_update_changes_only_permitted_rows_applies_presets_and_checks(tmp_path):
    gateway = accounts_gateway(
        tmp_path,
        select_permissions=READ_ALL,
        update_permissions=permission(
            "user", columns=["note"], filter=OWN, check={"note": {"_nlike": "%!%"}}, set={"credits": 0}
        ),
    )

    assert run(
        gateway,
        'mutation { update_account(where: {}, _set: {note: "mine"}) { returning { id note credits } } }',
    ) == {"data": {"update_account": {"returning": [{"id": 1, "note": "mine", "credits": 0}]}}}
    assert run(
        gateway, 'mutation { update_account_by_pk(pk_columns: {id: 2}, _set: {note: "theirs"}) { id } }'
    ) == {"data": {"update_account_by_pk": None}}
    assert (
        run(gateway, 'mutation { update_account(where: {}, _set: {note: "loud!"}) { affected_rows } }')
        == CHECK_FAILED
    )
    assert [(row["note"], row["credits"]) for row in accounts(gateway)] == [("mine", 0), ("second", 500)]


def test_delete_removes_only_rows_within_its_filter(tmp_path):
    gateway = accounts_gateway(
        tmp_path, delete_permissions=permission("cleaner", filter={"credits": {"_lt": 100}})
    )

    assert run(gateway, "mutation { delete_account(where: {}) { affected_rows } }", role="cleaner") == {
        "data": {"delete_account": {"affected_rows": 1}}
    }
    assert [row["id"] for row in accounts(gateway)] == [2]


def test_an_upsert_updates_only_rows_the_update_filter_allows(tmp_path):
    gateway = accounts_gateway(
        tmp_path,
        select_permissions=READ_ALL,
        insert_permissions=permission(
            "user", columns=["id", "email", "note"], check={}, set={"owner": "X-Hasura-User-Id"}
        ),
        update_permissions=permission("user", columns=["note"], filter=OWN),
    )
    query = (
        'mutation { insert_account(objects: [{id: 1, email: "a@example.com", note: "one"}, '
        '{id: 2, email: "b@example.com", note: "two"}], on_conflict: {constraint: account_pkey, '
        "update_columns: [note]}) { affected_rows returning { id note owner } } }"
    )

    assert run(gateway, query) == {
        "data": {
            "insert_account": {"affected_rows": 1, "returning": [{"id": 1, "note": "one", "owner": "u1"}]}
        }
    }
    assert [row["note"] for row in accounts(gateway)] == ["one", "second"]
