"""``manage.py metadata``: applying, exporting and diffing a Hasura v3 metadata directory."""

import filecmp
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from relationships import store
from tests.relationships.conftest import pg_source_args

SEED_DIRS = Path(__file__).parent / "metadata_dirs"

# The seed 000 actions.yaml fragment, as a user types it (the seed page renders it from HTML).
SEED_ACTIONS_YAML = (SEED_DIRS / "seed_action_relationship" / "actions.yaml").read_text()
SEED_REMOTE_SCHEMAS_YAML = (SEED_DIRS / "seed_remote_schema_relationship" / "remote_schemas.yaml").read_text()

DATABASES_YAML = """\
- name: default
  kind: postgres
  configuration:
    connection_info:
      database_url:
        from_env: JOINERY_TEST_DATABASE_URL
  tables: "!include default/tables/tables.yaml"
"""

ACTIONS_GRAPHQL = """\
type Mutation {
  createUser(name: String!): UserOutput
}

type UserOutput {
  id: Int!
}
"""


def metadata(*args):
    out = io.StringIO()
    call_command("metadata", *args, stdout=out)
    return out.getvalue()


def write_project(root: Path, *, actions_yaml: str = SEED_ACTIONS_YAML) -> Path:
    (root / "databases" / "default" / "tables").mkdir(parents=True)
    (root / "version.yaml").write_text("version: 3\n")
    (root / "databases" / "databases.yaml").write_text(DATABASES_YAML)
    (root / "databases" / "default" / "tables" / "tables.yaml").write_text('- "!include public_users.yaml"\n')
    (root / "databases" / "default" / "tables" / "public_users.yaml").write_text(
        "table:\n  schema: public\n  name: users\n"
    )
    (root / "actions.graphql").write_text(ACTIONS_GRAPHQL)
    (root / "actions.yaml").write_text(actions_yaml)
    return root


@pytest.fixture
def database_env(pg_schema, monkeypatch):
    monkeypatch.setenv("JOINERY_TEST_DATABASE_URL", pg_schema)
    return pg_schema


@pytest.mark.django_db
def test_apply_seed_actions_yaml_fragment_verbatim(tmp_path, database_env, metadata_api):
    project = write_project(tmp_path / "metadata")

    output = metadata("apply", "--dir", str(project))

    assert "+ action createUser" in output
    assert "Applied" in output
    exported = metadata_api.export()
    assert exported["custom_types"]["objects"] == [
        {
            "name": "UserOutput",
            "fields": [{"name": "id", "type": "Int!"}],
            "relationships": [
                {
                    "name": "user",
                    "type": "object",
                    "source": "default",
                    "remote_table": {"name": "users", "schema": "public"},
                    "field_mapping": {"id": "id"},
                }
            ],
        }
    ]
    assert exported["actions"][0]["name"] == "createUser"


@pytest.mark.django_db
def test_directory_round_trip_is_byte_identical(tmp_path, database_env):
    metadata("apply", "--dir", str(write_project(tmp_path / "source")))
    metadata("export", "--dir", str(tmp_path / "first"))
    version_after_apply = store.load_state().resource_version

    store.save_metadata(store.load_metadata().__class__())  # an empty store
    metadata("apply", "--dir", str(tmp_path / "first"))
    metadata("export", "--dir", str(tmp_path / "second"))

    comparison = filecmp.dircmp(tmp_path / "first", tmp_path / "second")
    assert _differences(comparison) == []
    assert store.load_state().resource_version > version_after_apply


def _differences(comparison):
    found = comparison.left_only + comparison.right_only + comparison.diff_files + comparison.funny_files
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found


@pytest.mark.django_db
def test_apply_refuses_a_broken_directory_and_saves_nothing(tmp_path, database_env, metadata_api):
    broken = SEED_ACTIONS_YAML.replace("id: id", "id: no_such_column")
    project = write_project(tmp_path / "metadata", actions_yaml=broken)
    before = metadata_api.export()
    version = store.load_state().resource_version

    with pytest.raises(CommandError) as caught:
        metadata("apply", "--dir", str(project))

    assert "no_such_column" in str(caught.value)
    assert metadata_api.export() == before
    assert store.load_state().resource_version == version


@pytest.mark.django_db
def test_diff_and_dry_run_change_nothing(tmp_path, database_env, metadata_api):
    project = write_project(tmp_path / "metadata")

    assert "+ action createUser" in metadata("diff", "--dir", str(project))
    assert "Would change:" in metadata("apply", "--dry-run", "--dir", str(project))
    assert "actions" not in metadata_api.export()


def remote_schema_project(root: Path, remote_schemas_yaml: str) -> Path:
    (root / "databases").mkdir(parents=True)
    (root / "version.yaml").write_text("version: 3\n")
    (root / "databases" / "databases.yaml").write_text(
        DATABASES_YAML.replace("name: default", "name: pg1").replace("default/tables", "pg1/tables")
    )
    (root / "databases" / "pg1" / "tables").mkdir(parents=True)
    (root / "databases" / "pg1" / "tables" / "tables.yaml").write_text('- "!include public_user.yaml"\n')
    (root / "databases" / "pg1" / "tables" / "public_user.yaml").write_text(
        "table:\n  schema: public\n  name: user\n"
    )
    (root / "remote_schemas.yaml").write_text(remote_schemas_yaml)
    return root


ORDER_SDL = "type Order { id: ID! user_id: Int! } type Query { orders: [Order!]! }"


@pytest.mark.django_db
def test_seed_remote_schemas_fragment_verbatim_reports_the_unreachable_server(
    tmp_path, database_env, metadata_api
):
    project = remote_schema_project(tmp_path / "metadata", SEED_REMOTE_SCHEMAS_YAML)

    with pytest.raises(CommandError) as caught:
        metadata("apply", "--dir", str(project))
    assert "remote-schema-endpoint.com" in str(caught.value)
    assert "remote_schemas" not in metadata_api.export()

    output = metadata("apply", "--allow-inconsistent", "--dir", str(project))
    assert "remote_schema order-remote-schema" in output
    assert metadata_api.export()["remote_schemas"][0]["name"] == "order-remote-schema"


@pytest.mark.django_db
def test_seed_remote_schemas_fragment_applies_against_a_live_server(
    tmp_path, database_env, metadata_api, make_graphql_server
):
    server = make_graphql_server(ORDER_SDL)
    fragment = SEED_REMOTE_SCHEMAS_YAML.replace("https://remote-schema-endpoint.com", server.endpoint)
    project = remote_schema_project(tmp_path / "metadata", fragment)

    metadata("apply", "--dir", str(project))

    remote_schema = metadata_api.export()["remote_schemas"][0]
    assert remote_schema["remote_relationships"] == [
        {
            "relationships": [
                {
                    "name": "user",
                    "definition": {
                        "to_source": {
                            "relationship_type": "object",
                            "source": "pg1",
                            "table": {"name": "user", "schema": "public"},
                            "field_mapping": {"user_id": "id"},
                        }
                    },
                }
            ]
        }
    ]
    assert metadata_api.ok("get_inconsistent_metadata")["is_consistent"] is True


@pytest.mark.django_db
def test_reload_and_inconsistency_report(tmp_path, database_env, metadata_api, make_graphql_server):
    server = make_graphql_server(ORDER_SDL)
    metadata_api.ok("pg_add_source", pg_source_args("pg1", database_env))
    metadata_api.ok("add_remote_schema", {"name": "orders", "definition": {"url": server.endpoint}})
    server.down()

    output = metadata("reload")

    assert "remote_schema orders" in output
    assert "The metadata is consistent." not in metadata("inconsistency")
    server.up()
    metadata("reload")
    assert "The metadata is consistent." in metadata("inconsistency")
