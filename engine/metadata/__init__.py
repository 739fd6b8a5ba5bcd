"""Typed, immutable metadata in Hasura's shape: parse from JSON with exact error paths, render back.

``Metadata.from_dict(d).to_dict()`` is the normal form of ``d``: rendering is idempotent, so an
export -> replace -> export round trip is byte-identical.
"""

from engine.metadata.actions import (
    Action,
    ActionDefinition,
    ActionPermission,
    ArgumentDef,
    CustomEnum,
    CustomInputObject,
    CustomObject,
    CustomScalar,
    CustomTypes,
    EnumValue,
    ObjectField,
    TypeRelationship,
    base_type_name,
    is_list_type,
)
from engine.metadata.common import (
    DEFAULT_SCHEMA,
    DEFAULT_SOURCE,
    HeaderConf,
    QualifiedTable,
    RelationshipTarget,
    ToRemoteSchema,
    ToSource,
)
from engine.metadata.database import (
    ForeignKeyUsing,
    LocalRelationship,
    ManualUsing,
    Permission,
    RemoteRelationship,
    Source,
    Table,
)
from engine.metadata.document import Metadata
from engine.metadata.reader import Node
from engine.metadata.remote_schemas import (
    RemoteSchema,
    RemoteSchemaDefinition,
    RemoteSchemaPermission,
    RemoteSchemaRelationship,
    TypeRelationships,
)

__all__ = [
    "DEFAULT_SCHEMA",
    "DEFAULT_SOURCE",
    "Action",
    "ActionDefinition",
    "ActionPermission",
    "ArgumentDef",
    "CustomEnum",
    "CustomInputObject",
    "CustomObject",
    "CustomScalar",
    "CustomTypes",
    "EnumValue",
    "ForeignKeyUsing",
    "HeaderConf",
    "LocalRelationship",
    "ManualUsing",
    "Metadata",
    "Node",
    "ObjectField",
    "Permission",
    "QualifiedTable",
    "RelationshipTarget",
    "RemoteRelationship",
    "RemoteSchema",
    "RemoteSchemaDefinition",
    "RemoteSchemaPermission",
    "RemoteSchemaRelationship",
    "Source",
    "Table",
    "ToRemoteSchema",
    "ToSource",
    "TypeRelationship",
    "TypeRelationships",
    "base_type_name",
    "is_list_type",
]
