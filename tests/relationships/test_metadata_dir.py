"""The config v3 metadata directory: reading, writing, round trips, the doc seeds, errors and the diff."""

import copy
import json
from pathlib import Path

import pytest

from relationships.metadata_dir import (
    MetadataDirError,
    metadata_dir_diff,
    read_metadata_dir,
    write_metadata_dir,
)

DIRS = Path(__file__).parent / "metadata_dirs"


@pytest.fixture
def rich_metadata():
    return json.loads((DIRS / "rich_metadata.json").read_text())


def _directory(root: Path, files: dict[str, str]) -> Path:
    for relative, text in {"version.yaml": "version: 3\n", **files}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _file_bytes(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _read_error(root: Path) -> MetadataDirError:
    with pytest.raises(MetadataDirError) as caught:
        read_metadata_dir(root)
    return caught.value


# --- Round trips -----------------------------------------------------------------------------------


def test_write_then_read_gives_back_the_same_metadata(rich_metadata, tmp_path):
    write_metadata_dir(rich_metadata, tmp_path)

    assert read_metadata_dir(tmp_path) == rich_metadata


def test_write_does_not_modify_the_metadata_it_is_given(rich_metadata, tmp_path):
    before = copy.deepcopy(rich_metadata)

    write_metadata_dir(rich_metadata, tmp_path)

    assert rich_metadata == before


@pytest.mark.parametrize(
    "fixture", ["project", "seed_action_relationship", "seed_remote_schema_relationship"]
)
def test_read_write_read_write_gives_byte_identical_directories(fixture, tmp_path):
    first = read_metadata_dir(DIRS / fixture)
    write_metadata_dir(first, tmp_path / "a")
    second = read_metadata_dir(tmp_path / "a")
    write_metadata_dir(second, tmp_path / "b")

    assert second == first
    assert _file_bytes(tmp_path / "b") == _file_bytes(tmp_path / "a")


def test_rich_metadata_rewritten_from_its_own_export_is_byte_identical(rich_metadata, tmp_path):
    write_metadata_dir(rich_metadata, tmp_path / "a")
    write_metadata_dir(read_metadata_dir(tmp_path / "a"), tmp_path / "b")

    assert _file_bytes(tmp_path / "b") == _file_bytes(tmp_path / "a")


# --- Writing ---------------------------------------------------------------------------------------


def test_write_returns_every_file_it_wrote(rich_metadata, tmp_path):
    written = write_metadata_dir(rich_metadata, tmp_path)

    assert written == [
        "actions.graphql",
        "actions.yaml",
        "allow_list.yaml",
        "api_limits.yaml",
        "backend_configs.yaml",
        "cron_triggers.yaml",
        "databases/databases.yaml",
        "databases/default/functions/functions.yaml",
        "databases/default/functions/public_search_users.yaml",
        "databases/default/tables/audit_users.yaml",
        "databases/default/tables/public_articles.yaml",
        "databases/default/tables/public_profiles.yaml",
        "databases/default/tables/public_users.yaml",
        "databases/default/tables/tables.yaml",
        "databases/store_db/tables/public_orders.yaml",
        "databases/store_db/tables/tables.yaml",
        "graphql_schema_introspection.yaml",
        "inherited_roles.yaml",
        "metrics_config.yaml",
        "network.yaml",
        "opentelemetry.yaml",
        "query_collections.yaml",
        "remote_schemas.yaml",
        "rest_endpoints.yaml",
        "version.yaml",
    ]
    assert sorted(_file_bytes(tmp_path)) == written


def test_write_splits_sources_into_include_files(rich_metadata, tmp_path):
    write_metadata_dir(rich_metadata, tmp_path)

    databases = (tmp_path / "databases/databases.yaml").read_text()
    assert "  tables: '!include default/tables/tables.yaml'\n" in databases
    assert "  functions: '!include default/functions/functions.yaml'\n" in databases
    assert "  tables: '!include store_db/tables/tables.yaml'\n" in databases
    assert (tmp_path / "databases/default/tables/tables.yaml").read_text() == (
        "- '!include public_users.yaml'\n"
        "- '!include public_articles.yaml'\n"
        "- '!include public_profiles.yaml'\n"
        "- '!include audit_users.yaml'\n"
    )


def test_write_orders_keys_as_hasura_exports_them(tmp_path):
    table = {
        "select_permissions": [{"permission": {"filter": {}, "columns": ["id"]}, "role": "user"}],
        "object_relationships": [{"using": {"foreign_key_constraint_on": "author_id"}, "name": "author"}],
        "table": {"name": "articles", "schema": "public"},
    }
    source = {"configuration": {}, "tables": [table], "kind": "postgres", "name": "default"}

    write_metadata_dir({"version": 3, "sources": [source]}, tmp_path)

    assert (tmp_path / "databases/default/tables/public_articles.yaml").read_text() == (
        "table:\n"
        "  schema: public\n"
        "  name: articles\n"
        "object_relationships:\n"
        "- name: author\n"
        "  using:\n"
        "    foreign_key_constraint_on: author_id\n"
        "select_permissions:\n"
        "- role: user\n"
        "  permission:\n"
        "    columns:\n"
        "    - id\n"
        "    filter: {}\n"
    )
    assert (tmp_path / "databases/databases.yaml").read_text() == (
        "- name: default\n  kind: postgres\n  tables: '!include default/tables/tables.yaml'\n  configuration: {}\n"
    )


def test_write_splits_actions_between_sdl_and_yaml(tmp_path):
    metadata = {
        "version": 3,
        "actions": [
            {
                "name": "createUser",
                "definition": {
                    "handler": "https://actions.example.com/create-user",
                    "output_type": "UserOutput!",
                    "arguments": [{"name": "email", "type": "String!", "description": "e-mail"}],
                    "type": "mutation",
                    "kind": "synchronous",
                    "timeout": 10,
                },
                "permissions": [{"role": "user"}],
            },
            {
                "name": "userById",
                "definition": {
                    "handler": "https://actions.example.com/user",
                    "output_type": "[UserOutput]",
                    "type": "query",
                },
            },
        ],
        "custom_types": {
            "objects": [
                {
                    "name": "UserOutput",
                    "fields": [{"name": "id", "type": "Int!"}],
                    "description": "a user",
                    "relationships": [
                        {
                            "name": "user",
                            "type": "object",
                            "remote_table": "users",
                            "field_mapping": {"id": "id"},
                        }
                    ],
                }
            ],
            "enums": [
                {"name": "Mood", "values": [{"value": "HAPPY"}, {"value": "SAD", "is_deprecated": True}]}
            ],
        },
    }

    write_metadata_dir(metadata, tmp_path)

    assert (tmp_path / "actions.graphql").read_text() == (
        "type Query {\n"
        "  userById: [UserOutput]\n"
        "}\n"
        "\n"
        "type Mutation {\n"
        "  createUser(\n"
        '    "e-mail"\n'
        "    email: String!\n"
        "  ): UserOutput!\n"
        "}\n"
        "\n"
        "enum Mood {\n"
        "  HAPPY\n"
        "  SAD @deprecated\n"
        "}\n"
        "\n"
        '"a user"\n'
        "type UserOutput {\n"
        "  id: Int!\n"
        "}\n"
    )
    assert (tmp_path / "actions.yaml").read_text() == (
        "actions:\n"
        "- name: createUser\n"
        "  definition:\n"
        "    kind: synchronous\n"
        "    handler: https://actions.example.com/create-user\n"
        "    timeout: 10\n"
        "  permissions:\n"
        "  - role: user\n"
        "- name: userById\n"
        "  definition:\n"
        "    handler: https://actions.example.com/user\n"
        "custom_types:\n"
        "  enums:\n"
        "  - name: Mood\n"
        "  input_objects: []\n"
        "  objects:\n"
        "  - name: UserOutput\n"
        "    description: a user\n"
        "    relationships:\n"
        "    - name: user\n"
        "      type: object\n"
        "      remote_table: users\n"
        "      field_mapping:\n"
        "        id: id\n"
        "  scalars: []\n"
    )


def test_write_of_empty_metadata_gives_empty_files(tmp_path):
    write_metadata_dir({"version": 3, "sources": []}, tmp_path)

    files = {name: content.decode() for name, content in _file_bytes(tmp_path).items()}
    assert files["actions.graphql"] == ""
    assert files["remote_schemas.yaml"] == "[]\n"
    assert files["network.yaml"] == "{}\n"
    assert files["databases/databases.yaml"] == "[]\n"
    assert read_metadata_dir(tmp_path) == {"version": 3, "sources": []}


def test_write_removes_table_files_left_by_a_previous_export(rich_metadata, tmp_path):
    write_metadata_dir(rich_metadata, tmp_path)
    smaller = copy.deepcopy(rich_metadata)
    smaller["sources"] = smaller["sources"][:1]
    smaller["sources"][0]["tables"] = smaller["sources"][0]["tables"][:1]

    written = write_metadata_dir(smaller, tmp_path)

    tables = tmp_path / "databases/default/tables"
    assert sorted(path.name for path in tables.iterdir()) == ["public_users.yaml", "tables.yaml"]
    assert not (tmp_path / "databases/store_db").exists()
    assert sorted(_file_bytes(tmp_path)) == written
    assert read_metadata_dir(tmp_path) == smaller


def test_table_file_names_stay_unique(tmp_path):
    tables = [
        {"table": {"schema": "a_b", "name": "c"}},
        {"table": {"schema": "a", "name": "b_c"}},
        {"table": "Users"},
    ]
    metadata = {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": tables}]}

    write_metadata_dir(metadata, tmp_path)

    assert (tmp_path / "databases/default/tables/tables.yaml").read_text() == (
        "- '!include a_b_c.yaml'\n- '!include a_b_c_2.yaml'\n- '!include public_Users.yaml'\n"
    )
    assert read_metadata_dir(tmp_path) == metadata


def test_numbers_looking_strings_stay_strings_through_a_round_trip(tmp_path):
    payload = {
        "a": "1e3",
        "b": "yes",
        "c": "2024-01-01",
        "d": "0123",
        "e": "1:20",
        "f": 7,
        "g": 0.5,
        "h": None,
    }
    metadata = {"version": 3, "sources": [], "cron_triggers": [{"name": "t", "payload": payload}]}

    write_metadata_dir(metadata, tmp_path)

    assert read_metadata_dir(tmp_path)["cron_triggers"][0]["payload"] == payload


# --- Reading ---------------------------------------------------------------------------------------


def test_seed_action_relationship_loads():
    metadata = read_metadata_dir(DIRS / "seed_action_relationship")

    assert metadata["actions"] == [
        {
            "name": "createUser",
            "definition": {
                "handler": "https://actions.example.com/create-user",
                "output_type": "UserOutput",
                "arguments": [{"name": "username", "type": "String!"}, {"name": "email", "type": "String!"}],
                "type": "mutation",
                "kind": "synchronous",
            },
        }
    ]
    assert metadata["custom_types"] == {
        "objects": [
            {
                "name": "UserOutput",
                "fields": [{"name": "id", "type": "Int!"}],
                "relationships": [
                    {
                        "remote_table": {"schema": "public", "name": "users"},
                        "name": "user",
                        "type": "object",
                        "field_mapping": {"id": "id"},
                    }
                ],
            }
        ]
    }


def test_seed_remote_schema_relationship_loads_without_a_type_name():
    metadata = read_metadata_dir(DIRS / "seed_remote_schema_relationship")

    assert metadata == {
        "version": 3,
        "sources": [],
        "remote_schemas": [
            {
                "name": "order-remote-schema",
                "definition": {"url": "https://remote-schema-endpoint.com"},
                "remote_relationships": [
                    {
                        "relationships": [
                            {
                                "name": "user",
                                "definition": {
                                    "to_source": {
                                        "relationship_type": "object",
                                        "source": "pg1",
                                        "table": {"schema": "public", "name": "user"},
                                        "field_mapping": {"user_id": "id"},
                                    }
                                },
                            }
                        ]
                    }
                ],
            }
        ],
    }


def test_literal_custom_types_list_form_is_rejected_with_a_hint():
    error = _read_error(DIRS / "literal_custom_types_list")

    assert error.file == "actions.yaml"
    assert error.message == "invalid YAML"
    assert error.detail == (
        "line 3, column 11: mapping values are not allowed here; "
        "write 'custom_types:' (a mapping key), not '- custom_types'"
    )


def test_project_resolves_nested_includes_tag_includes_and_value_includes():
    metadata = read_metadata_dir(DIRS / "project")

    default, store = metadata["sources"]
    users = default["tables"][0]
    assert users["select_permissions"] == [
        {
            "role": "user",
            "permission": {
                "columns": ["id", "name"],
                "filter": {"id": {"_eq": "X-Hasura-User-Id"}},
                "limit": 10,
            },
        }
    ]
    assert [table["table"] for table in default["tables"]] == [
        {"schema": "public", "name": "users"},
        {"schema": "public", "name": "articles"},
        {"schema": "audit", "name": "users"},
    ]
    assert default["functions"] == [{"function": {"schema": "public", "name": "search_users"}}]
    assert store["tables"] == [{"table": {"schema": "public", "name": "orders"}}]
    assert metadata["remote_schemas"][0]["definition"]["customization"] == {
        "root_fields_namespace": "forum",
        "type_names": {"prefix": "Forum_", "mapping": {"User": "ForumUser"}},
    }


def test_project_merges_actions_yaml_onto_the_sdl():
    metadata = read_metadata_dir(DIRS / "project")

    assert metadata["actions"] == [
        {
            "name": "createUser",
            "definition": {
                "handler": "{{ACTION_BASE_URL}}/create-user",
                "output_type": "UserOutput",
                "forward_client_headers": True,
                "headers": [
                    {"name": "X-Action-Secret", "value_from_env": "ACTION_SECRET"},
                    {"name": "X-Feature", "value": "on"},
                ],
                "arguments": [
                    {"name": "email", "type": "String!", "description": "the e-mail address"},
                    {"name": "profile", "type": "UserInput"},
                ],
                "type": "mutation",
                "kind": "synchronous",
                "timeout": 45,
            },
            "comment": "creates a user",
            "permissions": [{"role": "user"}],
        },
        {
            "name": "usersByColor",
            "definition": {
                "handler": "https://actions.example.com/users-by-color",
                "output_type": "[UserOutput!]!",
                "arguments": [{"name": "color", "type": "Color!"}, {"name": "since", "type": "Date"}],
                "type": "query",
                "kind": "",
            },
            "permissions": [{"role": "user"}, {"role": "guest"}],
        },
        {"name": "ping", "definition": {"output_type": "String", "type": "query"}},
    ]


def test_project_custom_types_come_from_the_sdl_with_yaml_extras():
    custom_types = read_metadata_dir(DIRS / "project")["custom_types"]

    assert custom_types["scalars"] == [{"name": "Date", "description": "A calendar date"}]
    assert custom_types["enums"] == [
        {
            "name": "Color",
            "values": [
                {"value": "RED"},
                {"value": "GREEN", "description": "the colour of grass", "is_deprecated": True},
                {"value": "BLUE"},
            ],
        }
    ]
    assert custom_types["input_objects"] == [
        {
            "name": "UserInput",
            "fields": [{"name": "name", "type": "String!"}, {"name": "parent", "type": "UserInput"}],
        }
    ]
    (user_output,) = custom_types["objects"]
    assert user_output["description"] == "Returned by createUser"
    assert user_output["fields"] == [
        {"name": "id", "type": "Int!"},
        {"name": "email", "type": "String", "description": "may be hidden"},
    ]
    assert [relationship["name"] for relationship in user_output["relationships"]] == ["user", "articles"]


def test_project_passes_other_files_through_and_omits_empty_ones():
    metadata = read_metadata_dir(DIRS / "project")

    assert list(metadata) == [
        "version",
        "sources",
        "remote_schemas",
        "actions",
        "custom_types",
        "cron_triggers",
        "network",
    ]
    assert metadata["cron_triggers"][0]["payload"] == {
        "day": "2024-01-01",
        "verbose": "yes",
        "batch": 500,
        "ratio": 0.25,
    }
    assert metadata["network"] == {"tls_allowlist": [{"host": "forum.example.com"}]}


def test_read_puts_keys_in_export_order(tmp_path):
    root = _directory(
        tmp_path,
        {
            "databases/databases.yaml": "- tables: []\n  configuration: {}\n  kind: postgres\n  name: db\n",
            "remote_schemas.yaml": "- definition: {url: 'http://x'}\n  name: rs\n",
        },
    )

    metadata = read_metadata_dir(root)

    assert list(metadata["sources"][0]) == ["name", "kind", "tables", "configuration"]
    assert list(metadata["remote_schemas"][0]) == ["name", "definition"]


def test_an_empty_actions_graphql_as_the_cli_writes_it_is_no_actions(tmp_path):
    root = _directory(
        tmp_path, {"actions.graphql": "# nothing yet\n", "actions.yaml": "actions: []\ncustom_types: {}\n"}
    )

    assert read_metadata_dir(root) == {"version": 3, "sources": []}


# --- Errors ----------------------------------------------------------------------------------------


def test_bad_yaml_names_the_file_and_the_line(tmp_path):
    root = _directory(tmp_path, {"remote_schemas.yaml": "- name: forum\n  definition: [url\n"})

    error = _read_error(root)

    assert error.file == "remote_schemas.yaml"
    assert error.message == "invalid YAML"
    assert error.detail.startswith("line 3, column 1: ")
    assert str(error).startswith("remote_schemas.yaml: invalid YAML (line 3, column 1: ")


def test_bad_yaml_in_an_included_file_names_that_file(tmp_path):
    root = _directory(
        tmp_path,
        {
            "databases/databases.yaml": "- name: default\n  tables: '!include default/tables/tables.yaml'\n",
            "databases/default/tables/tables.yaml": "- '!include public_users.yaml'\n",
            "databases/default/tables/public_users.yaml": "table:\n  name: users\n   schema: public\n",
        },
    )

    error = _read_error(root)

    assert error.file == "databases/default/tables/public_users.yaml"
    assert error.detail.startswith("line 3, column 10: ")


def test_bad_sdl_names_actions_graphql_and_the_position(tmp_path):
    root = _directory(tmp_path, {"actions.graphql": "type Mutation {\n  createUser(: UserOutput\n}\n"})

    error = _read_error(root)

    assert (error.file, error.message) == ("actions.graphql", "invalid GraphQL SDL")
    assert error.detail == "line 2, column 14: Syntax Error: Expected Name, found ':'."


def test_unsupported_sdl_definition_is_reported_with_its_position(tmp_path):
    root = _directory(tmp_path, {"actions.graphql": "scalar Date\n\ninterface Node {\n  id: ID!\n}\n"})

    error = _read_error(root)

    assert (error.file, error.message, error.detail) == (
        "actions.graphql",
        "unsupported definition in actions.graphql: InterfaceTypeDefinition",
        "line 3, column 1",
    )


def test_action_missing_from_actions_graphql_is_an_error(tmp_path):
    root = _directory(
        tmp_path,
        {
            "actions.graphql": "type Query {\n  ping: String\n}\n",
            "actions.yaml": "actions:\n- name: createUser\n  definition:\n    handler: http://x\n",
        },
    )

    error = _read_error(root)

    assert (error.file, error.message) == (
        "actions.yaml",
        "action createUser is not present in actions.graphql",
    )


def test_custom_type_missing_from_actions_graphql_is_an_error(tmp_path):
    root = _directory(
        tmp_path,
        {
            "actions.graphql": "input UserOutput {\n  id: Int!\n}\n",
            "actions.yaml": "custom_types:\n  objects:\n  - name: UserOutput\n",
        },
    )

    error = _read_error(root)

    assert (error.file, error.message, error.detail) == (
        "actions.yaml",
        "custom type UserOutput is not present in actions.graphql",
        "custom_types.objects",
    )


def test_missing_include_target_names_the_including_file(tmp_path):
    root = _directory(
        tmp_path, {"databases/databases.yaml": "- name: default\n  tables: '!include default/tables.yaml'\n"}
    )

    error = _read_error(root)

    assert (error.file, error.message, error.detail) == (
        "databases/databases.yaml",
        "include target not found: default/tables.yaml",
        "databases/default/tables.yaml",
    )


def test_include_outside_the_directory_is_refused(tmp_path):
    (tmp_path / "secret.yaml").write_text("password: x\n")
    root = _directory(tmp_path / "metadata", {"network.yaml": "'!include ../secret.yaml'\n"})

    error = _read_error(root)

    assert (error.file, error.message) == (
        "network.yaml",
        "include target ../secret.yaml is outside the metadata directory",
    )


def test_include_cycle_is_an_error(tmp_path):
    root = _directory(
        tmp_path, {"network.yaml": "a: '!include a.yaml'\n", "a.yaml": "- '!include network.yaml'\n"}
    )

    error = _read_error(root)

    assert (error.file, error.message, error.detail) == (
        "a.yaml",
        "include cycle",
        "network.yaml -> a.yaml -> network.yaml",
    )


def test_missing_version_file_is_an_error(tmp_path):
    (tmp_path / "network.yaml").write_text("{}\n")

    error = _read_error(tmp_path)

    assert (error.file, error.message) == ("version.yaml", "version.yaml is missing")


def test_other_metadata_versions_are_refused(tmp_path):
    (tmp_path / "version.yaml").write_text("version: 2\n")

    assert _read_error(tmp_path).message == "unsupported metadata version 2; expected version: 3"


def test_missing_directory_is_an_error(tmp_path):
    error = _read_error(tmp_path / "nowhere")

    assert (error.file, error.message, error.detail) == (
        ".",
        "metadata directory not found",
        str(tmp_path / "nowhere"),
    )


def test_write_refuses_an_invalid_output_type(tmp_path):
    metadata = {
        "version": 3,
        "actions": [{"name": "a", "definition": {"output_type": "[Broken", "type": "query"}}],
    }

    with pytest.raises(MetadataDirError) as caught:
        write_metadata_dir(metadata, tmp_path)

    assert (caught.value.file, caught.value.message) == (
        "actions.graphql",
        "'[Broken' is not a valid GraphQL type (output type of action a)",
    )


# --- Diff ------------------------------------------------------------------------------------------


def test_diff_of_identical_metadata_is_empty(rich_metadata):
    assert metadata_dir_diff(rich_metadata, copy.deepcopy(rich_metadata)) == []


def test_diff_names_each_changed_object(rich_metadata):
    desired = copy.deepcopy(rich_metadata)
    default = desired["sources"][0]
    users = default["tables"][0]
    users["object_relationships"][0]["using"] = {"foreign_key_constraint_on": "profile_id"}
    default["tables"].pop(2)
    default["tables"].append({"table": {"schema": "public", "name": "tags"}})
    default["configuration"]["connection_info"]["isolation_level"] = "serializable"
    desired["sources"].pop(1)
    desired["actions"][0]["definition"]["handler"] = "https://new.example.com"
    desired["actions"].pop(2)
    desired["actions"].append(
        {"name": "ping", "definition": {"handler": "h", "output_type": "String", "type": "query"}}
    )
    user_output = desired["custom_types"]["objects"][0]
    user_output["relationships"] = [user_output["relationships"][1]] + [
        {"name": "orders", "type": "array", "remote_table": "orders", "field_mapping": {"id": "user_id"}}
    ]
    desired["custom_types"]["scalars"].append({"name": "Money"})
    desired["remote_schemas"].pop(1)
    desired["remote_schemas"][0]["remote_relationships"][0]["relationships"].pop(0)
    desired["remote_schemas"][0]["definition"]["timeout_seconds"] = 10
    desired["remote_schemas"].append({"name": "foo", "definition": {"url": "http://foo"}})
    desired["cron_triggers"] = []
    desired["network"] = {}
    desired["allowlist"] = [{"collection": "allowed-queries"}]

    assert metadata_dir_diff(rich_metadata, desired) == [
        "~ source default: configuration changed",
        "~ table public.users in source default: object_relationships changed",
        "+ table public.tags in source default",
        "- table public.profiles in source default",
        "- source store_db",
        "- table public.orders in source store_db",
        "~ remote schema forum_api: definition changed",
        "~ remote schema forum_api: - remote relationship Message.author",
        "+ remote schema foo",
        "- remote schema auth0",
        "~ action createUser: handler changed",
        "+ action ping",
        "- action archiveUser",
        "~ custom type UserOutput: + relationship orders",
        "~ custom type UserOutput: - relationship user",
        "+ custom type Money (scalar)",
        "+ allowlist entry allowed-queries",
        "- cron trigger nightly",
        "- network",
    ]


def test_diff_reports_a_custom_type_changing_kind_and_its_field_changes(rich_metadata):
    desired = copy.deepcopy(rich_metadata)
    desired["custom_types"]["scalars"] = []
    desired["custom_types"]["objects"].append(
        {"name": "Date", "fields": [{"name": "iso", "type": "String!"}]}
    )
    desired["custom_types"]["objects"][0]["fields"].append({"name": "name", "type": "String"})
    desired["custom_types"]["objects"][0]["relationships"][0]["field_mapping"] = {"id": "user_id"}

    assert metadata_dir_diff(rich_metadata, desired) == [
        "~ custom type UserOutput: fields changed",
        "~ custom type UserOutput: relationship user changed",
        "+ custom type Date (object)",
        "- custom type Date (scalar)",
    ]
