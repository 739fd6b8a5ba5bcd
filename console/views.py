"""Console pages. Views are thin: they read through ``relationships.selectors`` and write through services."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The console's start page: where things are and how the server is configured."""
    context = {"admin_secret_set": bool(settings.ADMIN_SECRET)}
    return render(request, "console/home.html", context)
