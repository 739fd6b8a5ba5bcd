"""Process-wide clients: the source connection pools and the one outbound HTTP transport."""

from __future__ import annotations

import os
import threading

from django.conf import settings

from engine.http import HttpTransport
from engine.sources import ConnectionProvider

_lock = threading.Lock()
_provider: ConnectionProvider | None = None
_transport: HttpTransport | None = None


def connection_provider() -> ConnectionProvider:
    """The shared connection provider for data sources (pools live for the process)."""
    global _provider
    with _lock:
        if _provider is None:
            _provider = ConnectionProvider(settings.BASE_DIR, os.environ)
        return _provider


def http_transport() -> HttpTransport:
    """The shared outbound HTTP transport."""
    global _transport
    with _lock:
        if _transport is None:
            _transport = HttpTransport(allowed_hosts=getattr(settings, "OUTBOUND_ALLOWED_HOSTS", None))
        return _transport
