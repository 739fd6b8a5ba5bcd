"""What every console view shares: the sign-in requirement, feedback messages and 404s for missing objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import user_passes_test
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from console.forms.submit import attempt

LOGIN_URL = "console:login"
View = Callable[..., HttpResponse]


def is_console_user(user: Any) -> bool:
    """Only active staff may use the console: it changes metadata and runs SQL."""
    return bool(user.is_active and user.is_staff)


def console_page(view: View) -> View:
    """Require a signed-in staff user; never cache (pages show configuration that may hold secrets)."""
    return never_cache(user_passes_test(is_console_user, login_url=LOGIN_URL)(view))


def run_and_report(request: HttpRequest, body: dict[str, Any], success: str, *, query: bool = False) -> Any:
    """Run one request for a button; tell the user how it went. Returns the response (None if refused)."""
    response, problems = attempt(body, query=query)
    if problems:
        for line in problems:
            messages.error(request, line)
    else:
        messages.success(request, success)
    return response


def found(value: Any, what: str) -> Any:
    """``value``, or a 404 saying which object does not exist."""
    if value is None:
        raise Http404(f"{what} does not exist")
    return value
