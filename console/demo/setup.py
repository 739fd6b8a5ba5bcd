"""Setting the demo up: the demo database, the demo metadata and, in open mode, a first console user.

Registering a remote schema introspects it over HTTP, and the demo's remote schemas are served by
this project; the server proper is not running yet when ``make run`` sets the demo up. So while the
metadata is registered, the project is served on a free local port and ``JOINERY_DEMO_URL`` points
there; the stored metadata keeps the ``{{JOINERY_DEMO_URL}}`` template either way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from console.demo.database import ensure_demo_database
from console.demo.metadata import (
    DEMO_URL_VARIABLE,
    current_export,
    missing_commands,
    register_demo_metadata,
    source_conflict,
)

FIRST_USER = ("admin", "admin")
LOOPBACK = "127.0.0.1"


@dataclass
class SetupOutcome:
    """What ``demo_setup`` did."""

    database_created: bool = False
    registered: list[str] = field(default_factory=list)
    skipped_because: str | None = None
    first_user: tuple[str, str] | None = None


def demo_setup() -> SetupOutcome:
    """Create what the demo lacks; change nothing that exists. Raises ``EngineError`` or ``sqlite3.Error``."""
    outcome = SetupOutcome(database_created=ensure_demo_database())
    export = current_export()
    outcome.skipped_because = source_conflict(export)
    if outcome.skipped_because is None:
        outcome.registered = _register(export)
    outcome.first_user = ensure_first_user()
    return outcome


def _register(export: dict[str, Any]) -> list[str]:
    if not missing_commands(export):
        return []
    with serving_this_project() as url, environment_variable(DEMO_URL_VARIABLE, url):
        return register_demo_metadata(export)


def ensure_first_user() -> tuple[str, str] | None:
    """In open development mode with no user at all, create the superuser admin/admin; return its credentials."""
    user_model = get_user_model()
    if settings.ADMIN_SECRET or user_model.objects.exists():
        return None
    username, password = FIRST_USER
    user_model.objects.create_superuser(username=username, email="", password=password)
    return FIRST_USER


@contextmanager
def serving_this_project() -> Iterator[str]:
    """Serve this project on a free local port for the duration of the block; yield its base URL."""
    server = ThreadedWSGIServer((LOOPBACK, 0), _QuietRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, name="demo-setup-server", daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def environment_variable(name: str, value: str) -> Iterator[None]:
    """Set an environment variable for the duration of the block."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


class _QuietRequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the set-up's own requests out of the output."""
