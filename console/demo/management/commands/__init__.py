"""The ``demo`` management command."""
