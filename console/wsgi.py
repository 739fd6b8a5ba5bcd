"""WSGI entry point (gunicorn console.wsgi:application)."""

import logging
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
application = get_wsgi_application()

if not settings.ADMIN_SECRET:
    from console.checks import OPEN_MODE_MESSAGE

    logging.getLogger("joinery").warning(OPEN_MODE_MESSAGE)
