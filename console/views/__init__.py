"""Console pages.

Views are thin: they read through ``relationships.browse`` and write through forms that call
``relationships.services``.
"""

from console.views.home import home

__all__ = ["home"]
