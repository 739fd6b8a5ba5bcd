"""Whether an idle kept-alive connection is still usable, asked before it carries the next request."""

from __future__ import annotations

import select


def closed_by_peer(fileno: int) -> bool:
    """An idle connection has nothing to read unless its server closed (or is closing) it.

    ``poll`` rather than ``select``: it takes any descriptor number (``select`` refuses those past
    1,023) and, unlike a selector object, costs no descriptor of its own.
    """
    poller = select.poll()
    poller.register(fileno, select.POLLIN)
    return bool(poller.poll(0))
