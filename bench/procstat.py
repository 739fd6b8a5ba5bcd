"""CPU time and peak memory of processes, read from /proc (Linux), and stopping a server's process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants that are alive now."""
    found = [pid]
    for parent in found:
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                found.extend(int(child) for child in (task / "children").read_text().split())
            except FileNotFoundError:
                continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by the processes (those gone are skipped)."""
    return sum(cpu_seconds_by_pid(pids).values())


def cpu_seconds_by_pid(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds used so far by each process still running."""
    seconds = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        # Fields after the command name, which is in parentheses and may hold spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return seconds


def cpu_seconds_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings by the processes alive at the second one.

    A process started in between counts from zero; one that ended in between is not counted (its
    last seconds are lost), so a pool that replaces its connections is undercounted, never negative.
    """
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


def peak_rss_kib(pid: int) -> int:
    """Peak resident set size of a process so far (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"VmHWM not found for {pid}")


def stop_process_group(process: subprocess.Popen, timeout_s: float) -> None:
    """SIGTERM ``process`` (a group leader) and wait, kill it if it lingers, then kill what is left of its group.

    A server's workers are in its process group; any that outlived it go down too.
    """
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
