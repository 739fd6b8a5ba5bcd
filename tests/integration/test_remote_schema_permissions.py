"""Remote schema permissions over POST /v1/graphql, against real local GraphQL servers and PostgreSQL.

Two remote servers: ``people`` (users, a mutation taking an input object) and ``accounts`` (customized
with the type prefix ``Acc_``; its ``Account`` joins to ``people`` and to the ``author`` table). The
table ``users`` joins to ``people`` (``person``: ``user(id:)``, ``team``: ``team(lead:)``). With
``REMOTE_SCHEMA_PERMISSIONS`` on, the roles see:

    reader   people: User {id name}, user(id), hello     accounts: Account {id user_id author_id}
    user     people: user/people/team/send with presets   accounts: version only (no Account type)
    literal  people: user(id) preset static, people(limit, role) preset from session variables
    guest    no people permission                         accounts: Account {id}
"""

import pytest

from tests.integration.remote_servers import normalised
from tests.relationships.conftest import run_sql
from tests.support.servers import GraphQLServer

PEOPLE_SDL = """
enum Role { ADMIN MEMBER }
input MessageInput { to: ID! text: String! from: ID }
type User { id: ID! name: String! email: String role: Role }
type Query {
  user(id: ID!): User
  people(limit: Int = 10, role: Role): [User!]!
  team(lead: ID!, limit: Int = 10): [User!]!
  hello: String
}
type Mutation { send(message: MessageInput!): String }
"""
PEOPLE = [
    {"id": "1", "name": "Ann", "email": "ann@example.com", "role": "ADMIN"},
    {"id": "2", "name": "Bob", "email": "bob@example.com", "role": "MEMBER"},
    {"id": "3", "name": "Cid", "email": "cid@example.com", "role": "MEMBER"},
]
ACCOUNTS_SDL = """
type Account { id: ID! user_id: ID! author_id: Int! }
type Query { accounts: [Account!]! version: String }
"""
ACCOUNTS = [{"id": "a1", "user_id": "2", "author_id": 1}, {"id": "a2", "user_id": "3", "author_id": 2}]

READER_PEOPLE = """
type User { id: ID! name: String! }
type Query { user(id: ID!): User hello: String }
"""
USER_PEOPLE = """
enum Role { ADMIN MEMBER }
input MessageInput { to: ID! text: String! from: ID @preset(value: "x-hasura-user-id") }
type User { id: ID! name: String! role: Role }
type Query {
  user(id: ID! @preset(value: "x-hasura-user-id")): User
  people(limit: Int = 10 @preset(value: 2), role: Role): [User!]!
  team(lead: ID!, limit: Int = 10 @preset(value: 1)): [User!]!
}
type Mutation { send(message: MessageInput!): String }
"""
LITERAL_PEOPLE = """
enum Role { ADMIN MEMBER }
type User { id: ID! name: String! }
type Query {
  user(id: ID! @preset(value: "x-hasura-user-id", static: true)): User
  people(
    limit: Int = 10 @preset(value: "x-hasura-page-size")
    role: Role @preset(value: "x-hasura-people-role")
  ): [User!]!
}
"""
READER_ACCOUNTS = """
type Account { id: ID! user_id: ID! author_id: Int! }
type Query { accounts: [Account!]! }
"""
GUEST_ACCOUNTS = """
type Account { id: ID! }
type Query { accounts: [Account!]! }
"""
USER_ACCOUNTS = "type Query { version: String }"

READER = {"x-hasura-role": "reader"}
GUEST = {"x-hasura-role": "guest"}
USER = {"x-hasura-role": "user", "x-hasura-user-id": "2"}


def send(obj, info, message):
    return f"{message.get('from')}->{message['to']}: {message['text']}"


def people_of(obj, info, limit=10, role=None):
    return [p for p in PEOPLE if role is None or p["role"] == role][:limit]


def team_of(obj, info, lead, limit=10):
    return [p for p in PEOPLE if p["id"] != lead][:limit]


@pytest.fixture
def people():
    resolvers = {
        "Query": {
            "user": lambda obj, info, id: next((p for p in PEOPLE if p["id"] == id), None),
            "people": people_of,
            "team": team_of,
            "hello": lambda obj, info: "hello",
        },
        "Mutation": {"send": send},
    }
    with GraphQLServer(PEOPLE_SDL, resolvers) as server:
        yield server


@pytest.fixture
def accounts():
    resolvers = {"Query": {"accounts": lambda obj, info: ACCOUNTS, "version": lambda obj, info: "1"}}
    with GraphQLServer(ACCOUNTS_SDL, resolvers) as server:
        yield server


def select(*roles, columns=("id", "name")):
    return [{"role": role, "permission": {"columns": list(columns), "filter": {}}} for role in roles]


def permission(role, schema):
    return {"role": role, "definition": {"schema": schema}}


def to_people(name, lhs_field, field="user", argument="id"):
    return {
        "name": name,
        "definition": {
            "to_remote_schema": {
                "remote_schema": "people",
                "lhs_fields": [lhs_field],
                "remote_field": {field: {"arguments": {argument: f"${lhs_field}"}}},
            }
        },
    }


def world_metadata(database_url, people_url, accounts_url):
    users_table = {
        "table": {"schema": "public", "name": "users"},
        "remote_relationships": [to_people("person", "id"), to_people("team", "id", "team", "lead")],
        "select_permissions": select("reader", "user", "guest", "literal"),
    }
    author_table = {
        "table": {"schema": "public", "name": "author"},
        "select_permissions": select("reader", "guest"),
    }
    to_author = {
        "to_source": {
            "source": "default",
            "table": {"schema": "public", "name": "author"},
            "relationship_type": "object",
            "field_mapping": {"author_id": "id"},
        }
    }
    return {
        "version": 3,
        "sources": [
            {
                "name": "default",
                "kind": "postgres",
                "configuration": {"connection_info": {"database_url": database_url}},
                "tables": [users_table, author_table],
            }
        ],
        "remote_schemas": [
            {
                "name": "people",
                "definition": {"url": people_url},
                "permissions": [
                    permission("reader", READER_PEOPLE),
                    permission("user", USER_PEOPLE),
                    permission("literal", LITERAL_PEOPLE),
                ],
            },
            {
                "name": "accounts",
                "definition": {"url": accounts_url, "customization": {"type_names": {"prefix": "Acc_"}}},
                "permissions": [
                    permission("reader", READER_ACCOUNTS),
                    permission("guest", GUEST_ACCOUNTS),
                    permission("user", USER_ACCOUNTS),
                ],
                "remote_relationships": [
                    {
                        "type_name": "Account",
                        "relationships": [
                            to_people("owner", "user_id"),
                            {"name": "author", "definition": to_author},
                        ],
                    }
                ],
            },
        ],
    }


@pytest.fixture
def world(pg_schema, metadata_api, people, accounts, settings):
    """The tables, both remote schemas and their permissions, enforced, in open mode (trusted role headers)."""
    settings.ADMIN_SECRET = settings.JWT_SECRET = settings.AUTH_HOOK = settings.UNAUTHORIZED_ROLE = None
    settings.REMOTE_SCHEMA_PERMISSIONS = True
    run_sql(
        pg_schema,
        "INSERT INTO users (id, name) VALUES (1, 'Ann'), (2, 'Bob'), (3, 'Cid');"
        "INSERT INTO author (id, name) VALUES (1, 'Octavia'), (2, 'Ursula');",
    )
    metadata_api.ok("replace_metadata", world_metadata(pg_schema, people.endpoint, accounts.endpoint))
    return people


def sent(server):
    """The documents a server received (introspection aside), printed the one way, with their variables."""
    return [
        (normalised(call.query), call.variables or {}) for call in server.calls(include_introspection=False)
    ]


def not_found(field, type_name, path):
    return {
        "errors": [
            {
                "message": f"field '{field}' not found in type: '{type_name}'",
                "extensions": {"path": path, "code": "validation-failed"},
            }
        ]
    }


def field_names(entries):
    return sorted(entry["name"] for entry in entries or ())


INTROSPECTION = """{
  __schema { queryType { fields { name args { name } } } mutationType { fields { name } } }
  user: __type(name: "User") { fields { name } }
  users: __type(name: "users") { fields { name } }
  account: __type(name: "Acc_Account") { fields { name } }
  input: __type(name: "MessageInput") { inputFields { name } }
}"""
TABLE_ROOT_FIELDS = {"author", "author_by_pk", "author_aggregate", "users", "users_by_pk", "users_aggregate"}


def seen(graphql_api, headers=None):
    """Per type, the field names the role's introspection shows (remote root fields with their arguments)."""
    data = graphql_api.data(INTROSPECTION, headers=headers)
    roots = data["__schema"]["queryType"]["fields"]
    mutation = data["__schema"]["mutationType"]
    return {
        "query_root": {
            f["name"]: field_names(f["args"]) for f in roots if f["name"] not in TABLE_ROOT_FIELDS
        },
        "mutation_root": [
            name for name in field_names((mutation or {}).get("fields")) if not _of_a_table(name)
        ],
        "User": field_names((data["user"] or {}).get("fields")),
        "users": field_names(data["users"]["fields"]),
        "Acc_Account": field_names((data["account"] or {}).get("fields")),
        "MessageInput": field_names((data["input"] or {}).get("inputFields")),
    }


def _of_a_table(mutation_name):
    return mutation_name.endswith(("_author", "_users", "_by_pk", "_one"))


EVERYTHING = {
    "query_root": {
        "user": ["id"],
        "people": ["limit", "role"],
        "team": ["lead", "limit"],
        "hello": [],
        "accounts": [],
        "version": [],
    },
    "mutation_root": ["send"],
    "User": ["email", "id", "name", "role"],
    "users": ["auth0_id", "id", "name", "person", "team"],
    "Acc_Account": ["author", "author_id", "id", "owner", "user_id"],
    "MessageInput": ["from", "text", "to"],
}


# --- what each role sees ----------------------------------------------------------------------------


@pytest.mark.postgres
def test_introspection_shows_each_role_exactly_its_permitted_part(world, graphql_api):
    assert seen(graphql_api, READER) == {
        "query_root": {"user": ["id"], "hello": [], "accounts": []},
        "mutation_root": [],
        "User": ["id", "name"],
        "users": ["id", "name", "person"],
        "Acc_Account": ["author", "author_id", "id", "owner", "user_id"],
        "MessageInput": [],
    }
    assert seen(graphql_api, USER) == {
        "query_root": {"user": [], "people": ["role"], "team": ["lead"], "version": []},
        "mutation_root": ["send"],
        "User": ["id", "name", "role"],
        "users": ["id", "name", "team"],
        "Acc_Account": [],
        "MessageInput": ["text", "to"],
    }
    assert seen(graphql_api, GUEST) == {
        "query_root": {"accounts": []},
        "mutation_root": [],
        "User": [],
        "users": ["id", "name"],
        "Acc_Account": ["author", "id"],
        "MessageInput": [],
    }
    assert seen(graphql_api) == EVERYTHING


@pytest.mark.postgres
def test_with_the_setting_off_every_role_sees_every_remote_schema(world, graphql_api, settings):
    settings.REMOTE_SCHEMA_PERMISSIONS = False

    assert seen(graphql_api, GUEST) == {**EVERYTHING, "users": ["id", "name", "person", "team"]}
    assert seen(graphql_api, USER) == {
        **EVERYTHING,
        "users": ["id", "name", "person", "team"],
        "Acc_Account": ["author_id", "id", "owner", "user_id"],
    }
    assert graphql_api.data('{ user(id: "3") { name email } }', headers=USER) == {
        "user": {"name": "Cid", "email": "cid@example.com"}
    }
    assert sent(world) == [(normalised('{ user(id: "3") { name email } }'), {})]


# --- hidden parts cannot be reached ---------------------------------------------------------------


@pytest.mark.postgres
def test_a_hidden_field_is_a_validation_error_and_reaches_no_server(world, graphql_api):
    def answer(query, headers, variables=None):
        return graphql_api.post(query, variables, headers=headers).body

    assert answer('{ user(id: "1") { email } }', READER) == not_found(
        "email", "User", "$.selectionSet.user.selectionSet.email"
    )
    assert answer("{ people { id } }", READER) == not_found("people", "query_root", "$.selectionSet.people")
    assert answer("{ users { person { email } } }", READER) == not_found(
        "email", "User", "$.selectionSet.users.selectionSet.person.selectionSet.email"
    )
    assert answer("{ hello }", GUEST) == not_found("hello", "query_root", "$.selectionSet.hello")
    assert (
        answer('{ user(id: "3") { name } }', USER)["errors"][0]["extensions"]["code"] == "validation-failed"
    )
    assert sent(world) == []


@pytest.mark.postgres
def test_a_preset_input_field_cannot_be_given_by_the_client(world, graphql_api):
    literal = 'mutation { send(message: {to: "3", text: "hi", from: "1"}) }'
    in_variable = "mutation($m: MessageInput!) { send(message: $m) }"

    by_literal = graphql_api.post(literal, headers=USER).body
    by_variable = graphql_api.post(
        in_variable, {"m": {"to": "3", "text": "hi", "from": "1"}}, headers=USER
    ).body

    assert by_literal["errors"][0]["extensions"]["code"] == "validation-failed"
    assert "from" in by_literal["errors"][0]["message"]
    assert by_variable["errors"][0]["extensions"] == {"path": "$.variableValues", "code": "validation-failed"}
    assert "from" in by_variable["errors"][0]["message"]
    assert sent(world) == []


# --- presets --------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_preset_arguments_are_sent_with_the_callers_session_values(world, graphql_api):
    data = graphql_api.data("{ user { id name } people { name } }", headers=USER)
    with_variable = graphql_api.data(
        "query($r: Role) { people(role: $r) { name role } }", {"r": "MEMBER"}, headers=USER
    )

    assert data == {"user": {"id": "2", "name": "Bob"}, "people": [{"name": "Ann"}, {"name": "Bob"}]}
    assert with_variable == {"people": [{"name": "Bob", "role": "MEMBER"}, {"name": "Cid", "role": "MEMBER"}]}
    assert sent(world) == [
        (normalised('{ user(id: "2") { id name } people(limit: 2) { name } }'), {}),
        (normalised("query($r: Role) { people(role: $r, limit: 2) { name role } }"), {"r": "MEMBER"}),
    ]


@pytest.mark.postgres
def test_preset_input_fields_are_added_to_literals_and_to_variables(world, graphql_api):
    literal = graphql_api.data('mutation { send(message: {to: "3", text: "hi"}) }', headers=USER)
    in_variable = graphql_api.data(
        "mutation($m: MessageInput!) { send(message: $m) }", {"m": {"to": "1", "text": "yo"}}, headers=USER
    )

    assert literal == {"send": "2->3: hi"}
    assert in_variable == {"send": "2->1: yo"}
    assert sent(world) == [
        (normalised('mutation { send(message: {to: "3", text: "hi", from: "2"}) }'), {}),
        (normalised('mutation { send(message: {to: "1", text: "yo", from: "2"}) }'), {}),
    ]


@pytest.mark.postgres
def test_session_presets_take_their_positions_type_and_static_ones_are_literal(world, graphql_api):
    headers = {"x-hasura-role": "literal", "x-hasura-page-size": "1", "x-hasura-people-role": "MEMBER"}

    data = graphql_api.data("{ user { name } people { name } }", headers=headers)

    assert data == {"user": None, "people": [{"name": "Bob"}]}
    assert sent(world) == [
        (normalised('{ user(id: "x-hasura-user-id") { name } people(limit: 1, role: MEMBER) { name } }'), {})
    ]


@pytest.mark.postgres
def test_a_missing_or_unfit_session_variable_fails_the_request(world, graphql_api):
    missing = graphql_api.post("{ people { name } }", headers={"x-hasura-role": "literal"}).body
    unfit = graphql_api.post(
        "{ people { name } }",
        headers={"x-hasura-role": "literal", "x-hasura-page-size": "many", "x-hasura-people-role": "MEMBER"},
    ).body

    assert missing["errors"][0]["message"] == 'missing session variable: "x-hasura-page-size"'
    assert missing["errors"][0]["extensions"]["code"] == "not-found"
    assert unfit["errors"][0]["message"] == 'expected Int in session variable "x-hasura-page-size"'
    assert sent(world) == []


@pytest.mark.postgres
def test_presets_apply_to_a_relationships_remote_field_too(world, graphql_api):
    data = graphql_api.data("{ users(where: {id: {_eq: 1}}) { name team { name } } }", headers=USER)

    assert data == {"users": [{"name": "Ann", "team": [{"name": "Bob"}]}]}
    assert sent(world) == [(normalised("query { f0: team(lead: 1, limit: 1) { name } }"), {})]


# --- relationships --------------------------------------------------------------------------------


@pytest.mark.postgres
def test_relationships_to_a_remote_schema_work_for_a_role_that_sees_it(world, graphql_api):
    tables = graphql_api.data("{ users(order_by: {id: asc}) { name person { name } } }", headers=READER)
    remote = graphql_api.data("{ accounts { id owner { name } author { name } } }", headers=READER)

    assert tables == {
        "users": [
            {"name": "Ann", "person": {"name": "Ann"}},
            {"name": "Bob", "person": {"name": "Bob"}},
            {"name": "Cid", "person": {"name": "Cid"}},
        ]
    }
    assert remote == {
        "accounts": [
            {"id": "a1", "owner": {"name": "Bob"}, "author": {"name": "Octavia"}},
            {"id": "a2", "owner": {"name": "Cid"}, "author": {"name": "Ursula"}},
        ]
    }


@pytest.mark.postgres
def test_relationships_to_a_hidden_remote_schema_disappear(world, graphql_api):
    def answer(query, headers):
        return graphql_api.post(query, headers=headers).body

    assert answer("{ users { person { name } } }", GUEST) == not_found(
        "person", "users", "$.selectionSet.users.selectionSet.person"
    )
    assert answer("{ accounts { owner { name } } }", GUEST) == not_found(
        "owner", "Acc_Account", "$.selectionSet.accounts.selectionSet.owner"
    )
    assert answer("{ accounts { id } }", USER) == not_found(
        "accounts", "query_root", "$.selectionSet.accounts"
    )
    assert graphql_api.data("{ accounts { id author { name } } }", headers=GUEST) == {
        "accounts": [{"id": "a1", "author": {"name": "Octavia"}}, {"id": "a2", "author": {"name": "Ursula"}}]
    }
    assert sent(world) == []


@pytest.mark.postgres
def test_admin_sees_and_reaches_everything(world, graphql_api):
    query = '{ user(id: "1") { email role } people(limit: 1) { name } accounts { owner { email } } }'

    assert graphql_api.data(query) == {
        "user": {"email": "ann@example.com", "role": "ADMIN"},
        "people": [{"name": "Ann"}],
        "accounts": [{"owner": {"email": "bob@example.com"}}, {"owner": {"email": "cid@example.com"}}],
    }
