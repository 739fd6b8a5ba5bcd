"""URL map of the web console, mounted under /console/."""

from django.urls import path
from django.views.generic import RedirectView

from console.views import (
    access,
    action_relationships,
    actions,
    choices,
    data,
    derive,
    metadata,
    remote_schemas,
    sql,
    tables,
)

app_name = "console"

TABLE = "data/sources/<str:source>/tables/<str:schema>/<str:table>/"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="console-home"), name="index"),
    path("login/", access.SignInView.as_view(), name="login"),
    path("logout/", access.SignOutView.as_view(), name="logout"),
    # Actions
    path("actions/", actions.action_list, name="actions"),
    path("actions/add/", actions.action_create, name="action-add"),
    path("actions/derive/", derive.action_derive, name="action-derive"),
    path("actions/<str:name>/", actions.action_definition, name="action"),
    path("actions/<str:name>/delete/", actions.action_delete, name="action-delete"),
    path("actions/<str:name>/codegen/", derive.action_codegen, name="action-codegen"),
    path("actions/<str:name>/permissions/", actions.action_permissions, name="action-permissions"),
    path(
        "actions/<str:name>/permissions/<str:role>/delete/",
        actions.action_permission_delete,
        name="action-permission-delete",
    ),
    path(
        "actions/<str:name>/relationships/",
        action_relationships.relationship_list,
        name="action-relationships",
    ),
    path(
        "actions/<str:name>/relationships/add/",
        action_relationships.relationship_add,
        name="action-relationship-add",
    ),
    path(
        "actions/<str:name>/relationships/<str:relationship>/edit/",
        action_relationships.relationship_edit,
        name="action-relationship-edit",
    ),
    path(
        "actions/<str:name>/relationships/<str:relationship>/delete/",
        action_relationships.relationship_delete,
        name="action-relationship-delete",
    ),
    # Remote schemas
    path("remote-schemas/", remote_schemas.remote_schema_list, name="remote-schemas"),
    path("remote-schemas/add/", remote_schemas.remote_schema_add, name="remote-schema-add"),
    path("remote-schemas/<str:name>/", remote_schemas.remote_schema_detail, name="remote-schema"),
    path(
        "remote-schemas/<str:name>/reload/", remote_schemas.remote_schema_reload, name="remote-schema-reload"
    ),
    path(
        "remote-schemas/<str:name>/delete/", remote_schemas.remote_schema_delete, name="remote-schema-delete"
    ),
    path(
        "remote-schemas/<str:name>/relationships/",
        remote_schemas.relationship_list,
        name="remote-schema-relationships",
    ),
    path(
        "remote-schemas/<str:name>/relationships/add/",
        remote_schemas.relationship_add,
        name="remote-schema-relationship-add",
    ),
    path(
        "remote-schemas/<str:name>/relationships/<str:type_name>/<str:relationship>/delete/",
        remote_schemas.relationship_delete,
        name="remote-schema-relationship-delete",
    ),
    # Data
    path("data/", data.source_list, name="sources"),
    path("data/sql/", sql.run_sql, name="sql"),
    path("data/sources/<str:source>/", data.source_detail, name="source"),
    path("data/sources/<str:source>/track/", data.table_track, name="table-track"),
    path("data/sources/<str:source>/untrack/", data.table_untrack, name="table-untrack"),
    path("data/sources/<str:source>/delete/", data.source_delete, name="source-delete"),
    path(TABLE, tables.table_relationships, name="table"),
    path(TABLE + "relationships/add/", tables.table_relationship_add, name="table-relationship-add"),
    path(
        TABLE + "remote-schema-relationships/add/",
        tables.table_remote_schema_relationship_add,
        name="table-remote-schema-relationship-add",
    ),
    path(
        TABLE + "relationships/<str:name>/delete/",
        tables.table_relationship_delete,
        name="table-relationship-delete",
    ),
    path(TABLE + "permissions/", tables.table_permissions, name="table-permissions"),
    path(
        TABLE + "permissions/<str:role>/delete/",
        tables.table_permission_delete,
        name="table-permission-delete",
    ),
    # Metadata
    path("metadata/", metadata.metadata_page, name="metadata"),
    path("metadata/export/", metadata.metadata_export, name="metadata-export"),
    path("metadata/reload/", metadata.metadata_reload, name="metadata-reload"),
    path(
        "metadata/drop-inconsistent/", metadata.metadata_drop_inconsistent, name="metadata-drop-inconsistent"
    ),
    # Choices for dependent selects
    path("choices/sources", choices.sources, name="choices-sources"),
    path("choices/schemas", choices.schemas, name="choices-schemas"),
    path("choices/tables", choices.tables, name="choices-tables"),
    path("choices/columns", choices.columns, name="choices-columns"),
    path("choices/type-fields", choices.type_fields, name="choices-type-fields"),
    path("choices/remote-types", choices.remote_types, name="choices-remote-types"),
    path("choices/remote-fields", choices.remote_fields, name="choices-remote-fields"),
    path("choices/remote-arguments", choices.remote_arguments, name="choices-remote-arguments"),
]
