"""The console's start page: what is configured, and whether any of it is inconsistent."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console.views.common import console_page
from relationships.browse import Reader


@console_page
def home(request: HttpRequest) -> HttpResponse:
    """Counts of actions, remote schemas and sources, the inconsistent objects, and the server mode."""
    reader = Reader()
    context = {
        "admin_secret_set": bool(settings.ADMIN_SECRET),
        "metadata": reader.metadata,
        "inconsistent_count": len(reader.inconsistencies()),
    }
    return render(request, "console/home.html", context)
