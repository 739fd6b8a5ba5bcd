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
    TypeRemoteRelationship,
    base_type_name,
    is_list_type,
)
from engine.metadata.common import (
    DEFAULT_SCHEMA,
    DEFAULT_SOURCE,
    HeaderConf,
    ListBatch,
    QualifiedTable,
    RelationshipTarget,
    ToAction,
    ToRemoteSchema,
    ToSource,
    lhs_fields_of,
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
    "ListBatch",
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
    "ToAction",
    "ToRemoteSchema",
    "ToSource",
    "TypeRelationship",
    "TypeRemoteRelationship",
    "TypeRelationships",
    "base_type_name",
    "is_list_type",
    "lhs_fields_of",
]
