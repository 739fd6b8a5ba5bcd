"""Django app configuration for the metadata store."""

from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "relationships"
    verbose_name = "Metadata"
