"""The metadata store: one model per metadata object, normalised, with stable ordering.

Rows are written only by ``relationships.store`` on behalf of ``relationships.services``; every row
maps to a piece of Hasura-shaped metadata. ``position`` keeps the document order of siblings so an
export reproduces what was applied.
"""

from django.db import models


class MetadataState(models.Model):
    """The single row holding the metadata ``resource_version``."""

    resource_version = models.PositiveBigIntegerField(default=1)
    extras = models.JSONField(default=dict, blank=True, help_text="Top-level metadata keys kept as they are.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "metadata state"
        verbose_name_plural = "metadata state"

    def __str__(self) -> str:
        return f"resource_version {self.resource_version}"


class Ordered(models.Model):
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Source(Ordered):
    """A connected database."""

    KINDS = [("postgres", "PostgreSQL"), ("sqlite", "SQLite")]

    name = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=20, choices=KINDS, default="postgres")
    configuration = models.JSONField(
        help_text='Hasura source configuration: {"connection_info": {"database_url": ...}}'
    )
    customization = models.JSONField(null=True, blank=True)
    extras = models.JSONField(default=dict, blank=True)

    class Meta(Ordered.Meta):
        pass

    def __str__(self) -> str:
        return self.name


class TrackedTable(Ordered):
    """A table or view exposed through GraphQL."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="tables")
    schema = models.CharField(max_length=255, default="public")
    name = models.CharField(max_length=255)
    configuration = models.JSONField(default=dict, blank=True)
    is_enum = models.BooleanField(default=False)
    extras = models.JSONField(default=dict, blank=True)

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(fields=["source", "schema", "name"], name="unique_tracked_table")
        ]

    def __str__(self) -> str:
        return f"{self.schema}.{self.name} ({self.source.name})"


class TableRelationship(Ordered):
    """An object or array relationship between two tables of one source."""

    KINDS = [("object", "object"), ("array", "array")]

    table = models.ForeignKey(TrackedTable, on_delete=models.CASCADE, related_name="relationships")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=KINDS)
    using = models.JSONField(help_text="foreign_key_constraint_on or manual_configuration")
    comment = models.TextField(null=True, blank=True)

    class Meta(Ordered.Meta):
        constraints = [models.UniqueConstraint(fields=["table", "name"], name="unique_table_relationship")]

    def __str__(self) -> str:
        return self.name


class TableRemoteRelationship(Ordered):
    """A relationship from a table to another source's table or a remote schema field."""

    table = models.ForeignKey(TrackedTable, on_delete=models.CASCADE, related_name="remote_relationships")
    name = models.CharField(max_length=255)
    definition = models.JSONField(help_text="to_source, to_remote_schema, or the legacy form")

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(fields=["table", "name"], name="unique_table_remote_relationship")
        ]

    def __str__(self) -> str:
        return self.name


class TablePermission(Ordered):
    """A role's insert, select, update or delete permission on a table."""

    KINDS = [("insert", "insert"), ("select", "select"), ("update", "update"), ("delete", "delete")]

    table = models.ForeignKey(TrackedTable, on_delete=models.CASCADE, related_name="permissions")
    kind = models.CharField(max_length=10, choices=KINDS, default="select")
    role = models.CharField(max_length=255)
    permission = models.JSONField(help_text='e.g. {"columns": ["id"], "filter": {}, "limit": 10}')
    comment = models.TextField(null=True, blank=True)

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(fields=["table", "kind", "role"], name="unique_table_permission")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.role}"


class Action(Ordered):
    """A custom query or mutation resolved by an HTTP handler."""

    TYPES = [("mutation", "mutation"), ("query", "query")]
    KINDS = [("synchronous", "synchronous"), ("asynchronous", "asynchronous")]

    name = models.CharField(max_length=255, unique=True)
    action_type = models.CharField("type", max_length=10, choices=TYPES, default="mutation")
    kind = models.CharField(max_length=20, choices=KINDS, default="synchronous")
    arguments = models.JSONField(default=list, blank=True, help_text='[{"name": "name", "type": "String!"}]')
    output_type = models.CharField(max_length=255)
    handler = models.CharField(max_length=2000)
    headers = models.JSONField(default=list, blank=True)
    forward_client_headers = models.BooleanField(default=False)
    timeout = models.PositiveIntegerField(default=30)
    transforms = models.JSONField(default=dict, blank=True)
    comment = models.TextField(null=True, blank=True)

    class Meta(Ordered.Meta):
        pass

    def __str__(self) -> str:
        return self.name


class ActionPermission(Ordered):
    """Permission for a role to see and call an action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="permissions")
    role = models.CharField(max_length=255)
    comment = models.TextField(null=True, blank=True)

    class Meta(Ordered.Meta):
        constraints = [models.UniqueConstraint(fields=["action", "role"], name="unique_action_permission")]

    def __str__(self) -> str:
        return self.role


class CustomType(Ordered):
    """A custom scalar, enum, input object or object type."""

    KINDS = [("scalar", "scalar"), ("enum", "enum"), ("input_object", "input object"), ("object", "object")]

    kind = models.CharField(max_length=20, choices=KINDS)
    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(null=True, blank=True)
    fields = models.JSONField(
        default=list, blank=True, help_text="Fields (input objects, objects) or values (enums)."
    )

    class Meta(Ordered.Meta):
        pass

    def __str__(self) -> str:
        return self.name


class CustomTypeRelationship(Ordered):
    """A relationship from a custom object type (an action output) to a database table.

    ``definition`` holds the unified form instead (``{"to_remote_schema": ...}`` or
    ``{"to_action": ...}``) for a relationship to a remote schema field or an action; the table
    columns are unused then.
    """

    KINDS = [("object", "object"), ("array", "array")]

    custom_type = models.ForeignKey(CustomType, on_delete=models.CASCADE, related_name="relationships")
    name = models.CharField(max_length=255)
    kind = models.CharField("type", max_length=10, choices=KINDS, default="object")
    source = models.CharField(max_length=255, default="default")
    remote_schema_name = models.CharField("reference schema", max_length=255, default="public")
    remote_table_name = models.CharField("reference table", max_length=255)
    field_mapping = models.JSONField(help_text='From field → To column, e.g. {"id": "id"}')
    definition = models.JSONField(
        null=True, blank=True, help_text="A relationship to a remote schema field or an action."
    )

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(fields=["custom_type", "name"], name="unique_custom_type_relationship")
        ]

    def __str__(self) -> str:
        return self.name


class RemoteSchema(Ordered):
    """Another GraphQL server whose fields join the schema."""

    name = models.CharField(max_length=255, unique=True)
    definition = models.JSONField(help_text="url or url_from_env, headers, timeout_seconds, customization")
    comment = models.TextField(null=True, blank=True)
    introspection = models.JSONField(
        null=True, blank=True, help_text="The server's last introspection answer."
    )
    introspection_error = models.TextField(
        null=True,
        blank=True,
        help_text="Why the last introspection failed (the remote schema is inconsistent).",
    )
    introspected_at = models.DateTimeField(null=True, blank=True)

    class Meta(Ordered.Meta):
        pass

    def __str__(self) -> str:
        return self.name


class RemoteSchemaPermission(Ordered):
    """A role's view of a remote schema."""

    remote_schema = models.ForeignKey(RemoteSchema, on_delete=models.CASCADE, related_name="permissions")
    role = models.CharField(max_length=255)
    definition = models.JSONField()
    comment = models.TextField(null=True, blank=True)

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(fields=["remote_schema", "role"], name="unique_remote_schema_permission")
        ]

    def __str__(self) -> str:
        return self.role


class RemoteSchemaRelationship(Ordered):
    """A relationship from a remote schema object type to a table or a remote schema field.

    An empty ``type_name`` means the type is inferred from the remote schema.
    """

    remote_schema = models.ForeignKey(RemoteSchema, on_delete=models.CASCADE, related_name="relationships")
    type_name = models.CharField(max_length=255, blank=True, default="")
    name = models.CharField(max_length=255)
    definition = models.JSONField(help_text="to_source or to_remote_schema")

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["remote_schema", "type_name", "name"], name="unique_remote_schema_rel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type_name or '?'}.{self.name}"
