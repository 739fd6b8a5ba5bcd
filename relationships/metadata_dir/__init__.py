"""The Hasura CLI "config v3" metadata directory, read into and written from the export_metadata object.

A pure transformation between files on disk and the JSON metadata object (no Django, no database):

    metadata/
    ├── version.yaml                         version: 3
    ├── databases/databases.yaml             sources; tables/functions are "!include <path>" strings
    │   └── <source>/tables/tables.yaml      "!include public_users.yaml" lines, one file per table
    ├── actions.graphql + actions.yaml       actions and custom types, split as the CLI splits them
    ├── remote_schemas.yaml
    └── allow_list.yaml, cron_triggers.yaml, ...   passed through under their export keys

YAML is read with YAML 1.2 core scalars (as the CLI's Go reader sees them: `yes`, `on` and dates stay
strings) and written block style in Hasura's export key order, so that write -> read gives back the
same metadata and read -> write -> read -> write gives byte-identical files.

Modules: `reading` and `writing` walk the directory; `actions` and `actions_sdl` handle actions.yaml
and actions.graphql; `yaml_io` is the YAML dialect and `!include`; `shapes` the key order; `diff`
describes the change between two metadata objects.
"""

from relationships.metadata_dir.diff import metadata_dir_diff
from relationships.metadata_dir.errors import MetadataDirError
from relationships.metadata_dir.layout import METADATA_VERSION, PASSTHROUGH_FILES, TOP_LEVEL_ORDER
from relationships.metadata_dir.reading import read_metadata_dir
from relationships.metadata_dir.writing import write_metadata_dir

__all__ = [
    "METADATA_VERSION",
    "PASSTHROUGH_FILES",
    "TOP_LEVEL_ORDER",
    "MetadataDirError",
    "metadata_dir_diff",
    "read_metadata_dir",
    "write_metadata_dir",
]
