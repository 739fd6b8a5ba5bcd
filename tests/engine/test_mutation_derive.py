"""Deriving actions from the gateway's mutations, and the handler code and TypeScript types scaffolded for actions."""

import io
import json

import pytest

from engine.derive import (
    DeriveError,
    action_name_for,
    default_operation,
    delegation_for,
    derive_action,
    pascal_case,
)
from engine.metadata import Action, ActionDefinition, CustomTypes, Node
from engine.scaffold import sample_output, scaffold, snake_case, typescript_types
from tests.engine.gateway_support import sqlite_gateway

CUSTOM_TYPES = CustomTypes.parse(
    Node(
        {
            "enums": [{"name": "Kind", "values": [{"value": "PERSON"}, {"value": "ROBOT"}]}],
            "input_objects": [{"name": "UserInput", "fields": [{"name": "name", "type": "String!"}]}],
            "objects": [
                {
                    "name": "UserOutput",
                    "fields": [
                        {"name": "id", "type": "Int!"},
                        {"name": "kind", "type": "Kind"},
                        {"name": "tags", "type": "[String!]"},
                        {"name": "created_at", "type": "timestamptz"},
                    ],
                }
            ],
        }
    )
)


def action(name="createUser", output_type="UserOutput!", arguments=None, operation="mutation"):
    definition = {
        "handler": "http://127.0.0.1/create",
        "type": operation,
        "output_type": output_type,
        "arguments": arguments if arguments is not None else [{"name": "user", "type": "UserInput!"}],
    }
    return Action(name, ActionDefinition.parse(Node(definition)))


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    return sqlite_gateway(tmp_path_factory.mktemp("derive")).schema()


def test_names():
    assert pascal_case("users_insert_input") == "UsersInsertInput"
    assert pascal_case("insertUser") == "InsertUser"
    assert action_name_for("insert_users_one") == "insertUsersOneAction"
    assert snake_case("insertUserAction") == "insert_user_action"


def test_the_default_operation_passes_required_arguments_and_those_without_filters(schema):
    assert default_operation(schema, "insert_author_one", "addAuthor") == (
        "mutation addAuthor($object: author_insert_input!) {\n"
        "  insert_author_one(object: $object) {\n    id\n    name\n    email\n    is_active\n    rating\n  }\n}\n"
    )
    assert default_operation(schema, "update_author", "editAuthors") == (
        "mutation editAuthors($_inc: author_inc_input, $_set: author_set_input, $where: author_bool_exp!) {\n"
        "  update_author(_inc: $_inc, _set: $_set, where: $where) {\n    affected_rows\n  }\n}\n"
    )
    with pytest.raises(DeriveError, match='no mutation root field "nothing" exists'):
        default_operation(schema, "nothing", "x")


def test_a_recursive_filter_refers_to_its_own_copy(schema):
    derived = derive_action(schema, CustomTypes(), default_operation(schema, "delete_comment", "purge"))

    inputs = {entry["name"]: entry["fields"] for entry in derived.custom_types["input_objects"]}
    assert derived.arguments == ({"name": "where", "type": "PurgeCommentBoolExp!"},)
    assert {"name": "_and", "type": "[PurgeCommentBoolExp!]"} in inputs["PurgeCommentBoolExp"]
    assert {"name": "id", "type": "PurgeIntComparisonExp"} in inputs["PurgeCommentBoolExp"]
    assert {"name": "_in", "type": "[Int!]"} in inputs["PurgeIntComparisonExp"]
    assert derived.custom_types["objects"] == [
        {"name": "PurgeOutput", "fields": [{"name": "affected_rows", "type": "Int!"}]}
    ]


def test_enums_are_copied_and_database_scalars_kept(schema):
    derived = derive_action(
        schema,
        CustomTypes(),
        'mutation fix($c: author_constraint!, $r: float8) { insert_author(objects: [{name: "x", rating: $r}], '
        "on_conflict: {constraint: $c}) { affected_rows } }",
    )

    assert derived.arguments == (
        {"name": "c", "type": "FixAuthorConstraint!"},
        {"name": "r", "type": "float8"},
    )
    assert derived.custom_types["enums"] == [
        {"name": "FixAuthorConstraint", "values": [{"value": "author_pkey"}]}
    ]
    assert derived.field == "insert_author"
    assert derived.delegation == delegation_for(schema, derived.document, "fix", "mutation")


def test_a_query_derives_a_query_action(schema):
    derived = derive_action(
        schema, CustomTypes(), "query one($id: Int!) { author_by_pk(id: $id) { id } }", "lookUp"
    )

    assert (derived.name, derived.operation, derived.output_type) == ("lookUp", "query", "LookUpOutput")
    assert derived.definition("http://h")["type"] == "query"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("subscription { author { id } }", "the document must hold exactly one query or mutation"),
        ("mutation { nope }", "Cannot query field 'nope' on type 'mutation_root'."),
        ("{ author { id } author_by_pk(id: 1) { id } }", "the operation must call exactly one root field"),
    ],
)
def test_operations_that_cannot_become_an_action(schema, document, message):
    with pytest.raises(DeriveError) as raised:
        derive_action(schema, CustomTypes(), document)

    assert raised.value.message == message


def test_typescript_types_of_input_output_and_request():
    assert typescript_types(action(), CUSTOM_TYPES) == (
        "// Types of the action createUser: what its handler receives and answers.\n"
        "\n"
        "type Maybe<T> = T | null;\n"
        "\n"
        "export type UserOutput = {\n"
        "  id: number;\n"
        "  kind?: Maybe<Kind>;\n"
        "  tags?: Maybe<Array<string>>;\n"
        "  created_at?: Maybe<timestamptz>;\n"
        "};\n"
        "\n"
        "export type UserInput = {\n"
        "  name: string;\n"
        "};\n"
        "\n"
        'export type Kind = "PERSON" | "ROBOT";\n'
        "\n"
        "export type timestamptz = string;\n"
        "\n"
        "export type CreateUserArgs = {\n"
        "  user: UserInput;\n"
        "};\n"
        "\n"
        "export type CreateUserResponse = UserOutput;\n"
        "\n"
        "export type CreateUserRequest = {\n"
        '  action: { name: "createUser" };\n'
        "  input: CreateUserArgs;\n"
        "  session_variables: Record<string, string>;\n"
        "  request_query: string;\n"
        "};\n"
    )


def test_sample_output_fills_every_field():
    assert sample_output("[UserOutput!]!", CUSTOM_TYPES) == [
        {"id": 0, "kind": "PERSON", "tags": [""], "created_at": None}
    ]


def call(application, body, method="POST"):
    """Run a WSGI application once; return (status, decoded JSON body)."""
    raw = json.dumps(body).encode()
    environ = {"REQUEST_METHOD": method, "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw)}
    started = {}
    chunks = application(environ, lambda status, headers: started.update(status=status))
    return started["status"], json.loads(b"".join(chunks))


def load_handler(source):
    namespace = {"__name__": "generated_handler"}
    exec(compile(source, "generated_handler.py", "exec"), namespace)  # noqa: S102 - the code under test
    return namespace


def test_the_python_handler_of_a_plain_action_answers_a_sample_output():
    generated = scaffold(action(), CUSTOM_TYPES, "python")
    handler = load_handler(generated.content)

    assert generated.name == "create_user.py"
    assert call(handler["application"], {"input": {"user": {"name": "Ann"}}}) == (
        "200 OK",
        {"id": 0, "kind": "PERSON", "tags": [""], "created_at": None},
    )
    assert call(handler["application"], {}, method="GET")[0] == "405 Method Not Allowed"


def test_the_python_handler_of_a_derived_action_sends_the_operation_as_the_caller(schema):
    delegation = delegation_for(schema, "insert_author_one", "addAuthor", "mutation")
    handler = load_handler(scaffold(action("addAuthor"), CUSTOM_TYPES, "python", delegation).content)
    sent = []

    def run_graphql(query, variables, session_variables):
        sent.append((query, variables, session_variables))
        return {"insert_author_one": {"id": 7}}

    handler["run_graphql"] = run_graphql
    answer = call(
        handler["application"],
        {"input": {"object": {"name": "Eve"}}, "session_variables": {"x-hasura-role": "editor"}},
    )

    assert answer == ("200 OK", {"id": 7})
    assert [(query.strip(), variables, session) for query, variables, session in sent] == [
        (delegation.document.strip(), {"object": {"name": "Eve"}}, {"x-hasura-role": "editor"})
    ]


def test_a_graphql_error_becomes_a_400_with_its_extensions(schema):
    delegation = delegation_for(schema, "insert_author_one", "addAuthor", "mutation")
    handler = load_handler(scaffold(action("addAuthor"), CUSTOM_TYPES, "python", delegation).content)

    def refuse(query, variables, session_variables):
        raise handler["ActionError"]("Uniqueness violation", {"code": "constraint-violation"})

    handler["run_graphql"] = refuse

    assert call(handler["application"], {"input": {}}) == (
        "400 Bad Request",
        {"message": "Uniqueness violation", "extensions": {"code": "constraint-violation"}},
    )
