"""Joinery's own work per request, counted in CPU instructions: a figure that does not drift.

The peer and floor benchmarks time requests, and on a machine whose speed drifts by half within
minutes two versions of the code can only be told apart side by side, and then roughly. This counts
what Joinery itself executes for one request: each cell's requests go to Joinery's WSGI application
in-process (no gunicorn, no client), under valgrind's callgrind, which counts the instructions run
between two toggles. Database, webhook stub, remote stub and metadata are bench.compare's. The same
code and inputs give the same count to within a fraction of a percent whatever else the machine is
doing. The count leaves out the stubs, PostgreSQL, gunicorn and what an instruction costs (cache
misses, a slower core), so it compares code with code, never with the floor or with a peer.

Each cell runs in its own process under callgrind: Django starts on a fresh metadata database, the
metadata is loaded, requests are checked and sent until the engine's state has settled (its objects
are then frozen out of garbage collection, as in a server), and only then is counting turned on for
``--requests`` requests. Hash randomisation is off so that dictionaries are laid out alike each run.

    .venv/bin/python -m bench.instructions [--cells 'W1:1000,W4:1'] [--requests 20] [--remote-stub node]
        [--callgrind-out DIR]   # then: callgrind_annotate DIR/callgrind.W1.1000.out
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from contextlib import ExitStack
from pathlib import Path

import orjson

from bench.remote_stub import NodeRemoteStubProcess, RemoteStubProcess
from bench.webhook_stub import StubProcess

DEFAULT_CELLS = "W1:1,W1:1000,W3 alias:1000,W3 list:1000,W4:1,W4:1000"
SMALL_CELL = 100  # cells up to this N count more requests: the toggles' own few instructions weigh less
REQUESTS_SMALL, REQUESTS_LARGE = 100, 20
WARM_UP_REQUESTS = 10
CELL_TIMEOUT_S = 600
ADMIN_SECRET = "bench-instructions"
PROJECT = Path(__file__).resolve().parent.parent
ENVIRONMENT = "JOINERY_BENCH_INSTRUCTIONS"  # the child's JSON: database, webhook and remote URLs
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def parse_cells(spec: str, workloads: Collection[str]) -> list[tuple[str, int]]:
    """``'W1:1000,W4:1'`` as (workload, N) pairs; workloads other than ``workloads`` are refused."""
    cells = []
    for part in spec.split(","):
        name, _, size = part.strip().rpartition(":")
        if name not in workloads or not size.isdigit():
            raise ValueError(f"not a cell: {part!r} (workloads: {', '.join(workloads)})")
        cells.append((name, int(size)))
    return cells


def collected_instructions(valgrind_output: str) -> int:
    """The instructions callgrind counted while collection was on, from its closing summary."""
    found = _COLLECTED.findall(valgrind_output)
    if not found:
        raise RuntimeError(f"callgrind printed no count:\n{valgrind_output[-2000:]}")
    return int(found[-1])


# --- the child: Joinery in-process, under callgrind ------------------------------------------------


def _wsgi_caller(application: Callable) -> Callable[[str, bytes], bytes]:
    def call(path: str, body: bytes) -> bytes:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            "HTTP_X_HASURA_ADMIN_SECRET": ADMIN_SECRET,
        }
        chunks = application(environ, lambda status, headers, exc_info=None: None)
        try:
            return b"".join(chunks)
        finally:
            chunks.close()

    return call


def _collection(on: bool) -> None:
    """Turn callgrind's counting on or off for this process."""
    switch = "on" if on else "off"
    subprocess.run(["callgrind_control", "-i", switch, str(os.getpid())], check=True, capture_output=True)


def run_child(cell: tuple[str, int], requests: int) -> None:
    """Start Django, load the metadata, settle, then count ``requests`` requests of ``cell``."""
    with tempfile.TemporaryDirectory(prefix="joinery-instructions-") as workdir:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "console.settings",
                "DATABASE_URL": f"sqlite:///{workdir}/metadata.sqlite3",
                "ADMIN_SECRET": ADMIN_SECRET,
                "DEBUG": "0",
                "LOG_LEVEL": "WARNING",
            }
        )
        _count_requests(cell, requests, json.loads(os.environ[ENVIRONMENT]))


def _count_requests(cell: tuple[str, int], requests: int, urls: dict[str, str]) -> None:
    import django

    from bench.compare import WORKLOADS, canonical, joinery_metadata

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from relationships.selectors import SETTLE_AFTER_S

    call_command("migrate", verbosity=0, interactive=False)
    call = _wsgi_caller(get_wsgi_application())
    metadata = joinery_metadata(urls["database"], urls["webhook"], urls["remote"])
    answer = orjson.loads(call("/v1/metadata", orjson.dumps({"type": "replace_metadata", "args": metadata})))
    if answer != {"message": "success"}:
        raise RuntimeError(f"replace_metadata failed: {answer}")
    name, n = cell
    body = orjson.dumps({"query": WORKLOADS[name].query(n)})
    if canonical(call("/v1/graphql", body)) != canonical(WORKLOADS[name].expected(n)):
        raise RuntimeError(f"wrong response for {name} N={n}")
    for _ in range(WARM_UP_REQUESTS):
        call("/v1/graphql", body)
    time.sleep(SETTLE_AFTER_S + 0.5)
    call("/v1/graphql", body)  # the state has been served long enough: this one freezes it
    _collection(on=True)
    for _ in range(requests):
        call("/v1/graphql", body)
    _collection(on=False)


# --- the parent: fixture, stubs, one callgrind run per cell -------------------------------------------


def requests_of(n: int, requests: int | None) -> int:
    """How many requests of a cell of size ``n`` are counted."""
    if requests is not None:
        return requests
    return REQUESTS_SMALL if n <= SMALL_CELL else REQUESTS_LARGE


def count_cell(cell: tuple[str, int], requests: int, urls: dict[str, str], keep: Path | None) -> float:
    """Instructions per request of one cell; callgrind's profile goes to ``keep`` if given."""
    name, n = cell
    with tempfile.TemporaryDirectory(prefix="joinery-callgrind-") as out:
        profile = (keep or Path(out)) / f"callgrind.{name.replace(' ', '_')}.{n}.out"
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={profile}",
            sys.executable, "-m", "bench.instructions", "--child", f"{name}:{n}", "--requests", str(requests),
        ]  # fmt: skip
        environment = {**os.environ, ENVIRONMENT: json.dumps(urls), "PYTHONHASHSEED": "0"}
        finished = subprocess.run(
            command, cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=CELL_TIMEOUT_S
        )
    if finished.returncode != 0:
        raise RuntimeError(f"{name} N={n} failed under callgrind:\n{finished.stderr[-3000:]}")
    return collected_instructions(finished.stderr) / requests


def run(cells: list[tuple[str, int]], requests: int | None, remote_flavour: str, keep: Path | None) -> None:
    """Set up the fixture and stubs, count every cell, print the table, tear everything down."""
    from bench.compare import load_fixture, webhook_sizes

    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("valgrind is missing; install it (Debian: apt-get install -y valgrind)")
    with ExitStack() as cleanup:
        database = load_fixture(cleanup)
        webhook = StubProcess(webhook_sizes(cells), PROJECT)
        cleanup.callback(webhook.stop)
        webhook.start()
        remote = (NodeRemoteStubProcess if remote_flavour == "node" else RemoteStubProcess)(PROJECT)
        cleanup.callback(remote.stop)
        remote.start()
        urls = {"database": database.url, "webhook": webhook.action_url, "remote": remote.url}
        print("Instructions per request, in-process under callgrind:\n")
        print("| cell | requests counted | million instructions per request |")
        print("|---|---:|---:|")
        for name, n in cells:
            counted = requests_of(n, requests)
            per_request = count_cell((name, n), counted, urls, keep)
            print(f"| {name} N={n:,} | {counted} | {per_request / 1e6:.3f} |", flush=True)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cells", default=DEFAULT_CELLS, help=f"workload:N pairs (default {DEFAULT_CELLS!r})"
    )
    parser.add_argument(
        "--requests",
        type=int,
        help=f"requests counted per cell (default {REQUESTS_SMALL} up to N={SMALL_CELL}, else {REQUESTS_LARGE})",
    )
    parser.add_argument(
        "--callgrind-out", type=Path, help="keep each cell's callgrind profile in this folder"
    )
    parser.add_argument("--remote-stub", choices=("python", "node"), default="python")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from bench.compare import WORKLOADS  # the peer benchmark's packages: imported only to run

    try:
        cells = parse_cells(args.child or args.cells, WORKLOADS)
    except ValueError as error:
        parser.error(str(error))
    if args.requests is not None and args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.child:
        run_child(cells[0], requests_of(cells[0][1], args.requests))
    else:
        if args.callgrind_out is not None:
            args.callgrind_out.mkdir(parents=True, exist_ok=True)
            args.callgrind_out = args.callgrind_out.resolve()
        run(cells, args.requests, args.remote_stub, args.callgrind_out)


if __name__ == "__main__":
    main()
