"""Django app configuration for the demo (its URLs, template tags and the ``demo`` command)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "console.demo"
    label = "console_demo"
    verbose_name = "Demo"
