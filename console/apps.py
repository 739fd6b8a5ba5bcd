"""Django app configuration for the console."""

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console"

    def ready(self) -> None:
        """Register the start-up checks."""
        from console import checks  # noqa: F401
