"""Closed-loop load with Debian's ``wrk`` (installed by ``.ci/ensure-wrk``): one POST, C connections.

wrk runs one thread holding C keep-alive connections; each sends its next request as soon as the
previous answer arrived. Its own CPU time is measured (``RUSAGE_CHILDREN`` of the benchmark) because
on two cores the load generator competes with the server it loads.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK = "wrk"
TIMEOUT_S = 60
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
LATENCY = re.compile(r"^\s+(50|90|99)(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
MAX_LATENCY = re.compile(r"^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)", re.MULTILINE)
TOTAL = re.compile(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m),", re.MULTILINE)
NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured."""

    requests: int
    duration_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    cpu_s: float

    @property
    def requests_per_s(self) -> float:
        """Completed requests per second of the run."""
        return self.requests / self.duration_s


def available() -> bool:
    """Whether wrk is on the PATH."""
    return shutil.which(WRK) is not None


def lua_script(body: bytes, headers: dict[str, str]) -> str:
    """A wrk script sending the same POST on every request."""
    text = body.decode()
    level = "=" * (max((len(run) for run in re.findall(r"\](=*)\]", text)), default=-1) + 1)
    lines = ['wrk.method = "POST"', f"wrk.body = [{level}[{text}]{level}]"]
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    return "\n".join(lines) + "\n"


def run(
    url: str, body: bytes, headers: dict[str, str], connections: int, seconds: float, workdir: Path
) -> LoadResult:
    """Load ``url`` for ``seconds`` with ``connections`` connections and parse wrk's report."""
    script = workdir / "post.lua"
    script.write_text(lua_script(body, headers))
    command = [
        WRK, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={TIMEOUT_S}s",
        "--latency", "-s", str(script), url,
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + TIMEOUT_S
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return parse(report, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))


def parse(report: str, cpu_s: float) -> LoadResult:
    """The figures of a wrk report (run with ``--latency``)."""
    total = TOTAL.search(report)
    if total is None:
        raise RuntimeError(f"unexpected wrk output:\n{report}")
    latencies = {int(found[0]): _ms(found[1], found[2]) for found in LATENCY.findall(report)}
    maximum = MAX_LATENCY.search(report)
    non_2xx = NON_2XX.search(report)
    sockets = SOCKET_ERRORS.search(report)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return LoadResult(
        requests=int(total.group(1)),
        duration_s=_ms(total.group(2), total.group(3)) / 1000,
        p50_ms=latencies.get(50, 0.0),
        p90_ms=latencies.get(90, 0.0),
        p99_ms=latencies.get(99, 0.0),
        max_ms=_ms(maximum.group(1), maximum.group(2)) if maximum else 0.0,
        errors=errors,
        cpu_s=cpu_s,
    )


def _ms(value: str, unit: str) -> float:
    return float(value) * UNITS_MS[unit]
