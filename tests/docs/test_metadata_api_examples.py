"""docs/metadata-api.md as a script: every example request, in page order, against a fresh demo server.

Each request marked in the page is sent to a demo server started from a clean state (with an empty
PostgreSQL database as ``SHOP_DATABASE_URL``, as the page says) and its status and body must be the
documented answer. Every mismatch is reported with its line, so a stale example is easy to find.
"""

import json

import pytest
import requests

from tests.docs.conftest import demo_server
from tests.docs.marked_blocks import ROOT, Marked, marked_blocks, matches

pytestmark = pytest.mark.postgres

DOC = ROOT / "docs" / "metadata-api.md"
TIMEOUT_SECONDS = 60


def examples(blocks: list[Marked]) -> list[tuple[Marked, Marked]]:
    """The (request, response) pairs of the page; every request must be followed by its response."""
    pairs = []
    for index, block in enumerate(blocks):
        if block.kind != "request":
            continue
        answer = blocks[index + 1] if index + 1 < len(blocks) else None
        assert answer is not None, f"line {block.line}: a request needs a response"
        assert answer.kind == "response", f"line {block.line}: a request needs a response"
        pairs.append((block, answer))
    return pairs


def send(server, request: Marked) -> requests.Response:
    """POST the request's body to the path and with the headers its marker names."""
    method_and_path, *header_lines = [part.strip() for part in request.argument.split(";")]
    method, path = method_and_path.split()
    headers = dict(line.split(": ", 1) for line in header_lines)
    assert method == "POST", f"line {request.line}: only POST requests are documented"
    return requests.post(
        server.url + path,
        data=request.text,
        headers={"Content-Type": "application/json", **headers},
        timeout=TIMEOUT_SECONDS,
    )


def mismatch(request: Marked, response: Marked, actual: requests.Response) -> str | None:
    """What differs between the documented answer and the real one, or None."""
    documented = json.loads(response.text)
    body = actual.json()
    if actual.status_code == int(response.argument) and matches(documented, body):
        return None
    return (
        f"line {request.line}: documented {response.argument} {json.dumps(documented)}\n"
        f"    but got {actual.status_code} {json.dumps(body)}"
    )


def test_every_example_is_valid_json():
    for block in marked_blocks(DOC):
        try:
            json.loads(block.text)
        except ValueError as error:
            pytest.fail(f"line {block.line}: {error}")


def test_every_example_answers_as_documented(tmp_path, empty_pg_database):
    pairs = examples(marked_blocks(DOC))
    with demo_server(tmp_path, SHOP_DATABASE_URL=empty_pg_database) as server:
        found = [mismatch(request, response, send(server, request)) for request, response in pairs]

    problems = [problem for problem in found if problem]
    assert len(pairs) > 80
    assert not problems, "\n".join(problems)
