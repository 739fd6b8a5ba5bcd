"""Watching a real Joinery server through a fault: raw answers, Hasura-shaped errors, workers, recovery time.

A fault test takes a dependency away, checks that requests needing it fail with the documented
error (HTTP 200, ``{"errors": [...]}``, never an HTML page or a stack trace) while the rest is
still served, gives the dependency back and measures the time from that moment to the first
successful answer, which the product promises to be at most ``RECOVERY_LIMIT_S``. No gunicorn
worker may die on the way.
"""

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.reliability.cluster import ADMIN_SECRET, JoineryProcess

RECOVERY_LIMIT_S = 1.0
POLL_INTERVAL_S = 0.02
GIVE_UP_S = 15.0
REQUEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Answer:
    """One HTTP answer as it came: status, content type, text, and the JSON body (None if not JSON)."""

    status: int
    content_type: str
    text: str
    body: Any

    @classmethod
    def of(cls, response: requests.Response) -> "Answer":
        try:
            body = response.json()
        except ValueError:
            body = None
        return cls(response.status_code, response.headers.get("Content-Type", ""), response.text, body)

    @property
    def succeeded(self) -> bool:
        return self.status == 200 and isinstance(self.body, dict) and set(self.body) == {"data"}

    @property
    def data(self) -> Any:
        """The ``data`` of a successful answer; None for any other."""
        return self.body["data"] if self.succeeded else None


def post_graphql(url: str, query: str, *, timeout: float = REQUEST_TIMEOUT_S) -> Answer:
    """POST one GraphQL query as admin on a new connection (so any worker may take it)."""
    response = requests.post(
        f"{url}/v1/graphql",
        data=json.dumps({"query": query}),
        headers={"X-Hasura-Admin-Secret": ADMIN_SECRET, "Content-Type": "application/json"},
        timeout=timeout,
    )
    return Answer.of(response)


def hasura_error(answer: Answer) -> dict[str, Any]:
    """The one error of a failed request, checked for Hasura's shape: 200, JSON, no ``data``."""
    assert answer.status == 200, answer.text[:2000]
    assert answer.content_type.startswith("application/json"), answer.text[:2000]
    assert "Traceback" not in answer.text, answer.text[:2000]
    assert isinstance(answer.body, dict), answer.text[:2000]
    assert set(answer.body) == {"errors"}, answer.body
    [error] = answer.body["errors"]
    assert isinstance(error["message"], str), error
    assert error["extensions"]["path"].startswith("$"), error
    assert isinstance(error["extensions"]["code"], str), error
    return error


def worker_pids(process: JoineryProcess) -> set[int]:
    """The pids of the gunicorn master's children: its workers."""
    assert process.process is not None
    master = process.process.pid
    return {int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def wait_for_workers(process: JoineryProcess, count: int) -> set[int]:
    """The worker pids, once all ``count`` workers have been forked."""
    deadline = time.monotonic() + GIVE_UP_S
    while len(pids := worker_pids(process)) < count:
        assert time.monotonic() < deadline, f"only {len(pids)} of {count} workers started"
        time.sleep(POLL_INTERVAL_S)
    assert len(pids) == count, pids
    return pids


def seconds_until(succeeds: Callable[[], bool], since: float) -> float:
    """Poll ``succeeds`` until it is true; the seconds from ``since`` (a monotonic time) to then."""
    while not succeeds():
        assert time.monotonic() - since < GIVE_UP_S, (
            f"still failing {GIVE_UP_S} s after the dependency returned"
        )
        time.sleep(POLL_INTERVAL_S)
    return time.monotonic() - since


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` (for an ordering, not a timing) until it holds."""
    deadline = time.monotonic() + GIVE_UP_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(POLL_INTERVAL_S)


def concurrently(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same time, each on a thread of its own; their results in order."""
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]
