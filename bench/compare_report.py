"""Reporting of the peer comparison: printed ratio tables, one CSV row per run and a PNG plot.

Every run is repeated (``bench.compare``); the tables and the plot show the median of the
repetitions of each server × cell × concurrency, and list the cells whose repetitions differ by more
than 10 % (``bench.repetitions``). Ratios follow performance.md §5.5: against the floor (Joinery
p50 / floor p50, and the overhead in ms, each taken within one repetition, where the floor was
measured right after Joinery's run, then the median), against each peer and the best peer of the
cell (latency: < 1 means Joinery is faster; throughput: > 1 means Joinery is faster), aggregated
per workload with the geometric mean. The CSV keeps one row per repetition.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: the plot is only written to a file
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

from bench.repetitions import SPREAD_LIMIT, median_record, spread, spread_mark  # noqa: E402

OURS = "Joinery"
# Figures of one run that are not typical of it: the largest of the repetitions is kept.
PEAKS = ("max_ms", "worker_peak_rss_kib")


@dataclass(frozen=True)
class Floor:
    """The floor of one cell: the p50 of each of its parts.

    Each exact call Joinery made, replayed with raw clients; the request and its response through a
    null app on the same server stack; encoding the response.
    """

    webhook_p50_ms: float
    sql_p50_ms: float
    remote_p50_ms: float
    http_p50_ms: float
    encode_p50_ms: float

    @property
    def p50_ms(self) -> float:
        """The parts of a cell happen one after the other, so their times add up."""
        return (
            self.webhook_p50_ms + self.sql_p50_ms + self.remote_p50_ms + self.http_p50_ms + self.encode_p50_ms
        )


@dataclass
class Run:
    """One server × cell × concurrency: timing and work per request."""

    server: str
    workload: str
    n: int
    concurrency: int
    valid: bool
    note: str = ""
    repetition: int = 0
    requests: int = 0
    errors: int = 0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    requests_per_s: float = 0.0
    sql_statements: float = 0.0
    pg_round_trips: float = 0.0
    webhook_calls: float = 0.0
    remote_calls: float = 0.0
    expected_sql: int = 0
    expected_webhook: int = 0
    expected_remote: int = 0
    gateway_cpu_ms: float = 0.0
    postgres_cpu_ms: float = 0.0
    webhook_stub_cpu_ms: float = 0.0
    remote_stub_cpu_ms: float = 0.0
    loadgen_cpu_share: float = 0.0
    response_bytes: int = 0
    worker_peak_rss_kib: int = 0

    @property
    def cell(self) -> tuple[str, int]:
        """(workload, N)."""
        return self.workload, self.n

    @property
    def label(self) -> str:
        """The cell's name in tables and plots."""
        return f"{self.workload} N={self.n:,}"

    @property
    def headline(self) -> float:
        """The figure a repetition is judged by: p50 at c = 1, requests/s under load."""
        return self.p50_ms if self.concurrency == 1 else self.requests_per_s


RunKey = tuple[str, tuple[str, int], int]
FloorKey = tuple[tuple[str, int], int]


@dataclass(frozen=True)
class VsFloor:
    """Joinery against the floor in one cell: medians over the repetitions of the ratio and the overhead."""

    floor: Floor  # each part the median of the repetitions'
    ratio: float
    overhead_ms: float
    floor_spread: float


def summarise(runs: list[Run]) -> tuple[list[Run], dict[RunKey, float]]:
    """One run per server × cell × concurrency, the median of its repetitions; the spread of each.

    A cell is valid only if every repetition was; the notes of all repetitions are kept.
    """
    groups: dict[RunKey, list[Run]] = {}
    for run in runs:
        groups.setdefault((run.server, run.cell, run.concurrency), []).append(run)
    summary, spreads = [], {}
    for key, group in groups.items():
        valid = [run for run in group if run.valid]
        merged = median_record(valid, keep_max=PEAKS) if valid else group[0]
        notes = "; ".join(dict.fromkeys(run.note for run in group if run.note))
        summary.append(replace(merged, valid=len(valid) == len(group), note=notes))
        spreads[key] = spread([run.headline for run in valid])
    return summary, spreads


def against_floor(runs: list[Run], floors: dict[FloorKey, Floor]) -> dict[tuple[str, int], VsFloor]:
    """Per cell, Joinery's c = 1 p50 against the floor measured in the same repetition."""
    pairs: dict[tuple[str, int], list[tuple[Run, Floor]]] = {}
    for run in runs:
        floor = floors.get((run.cell, run.repetition))
        if run.server == OURS and run.concurrency == 1 and run.valid and floor is not None:
            pairs.setdefault(run.cell, []).append((run, floor))
    return {
        cell: VsFloor(
            floor=median_record([floor for _, floor in found]),
            ratio=statistics.median(run.p50_ms / floor.p50_ms for run, floor in found),
            overhead_ms=statistics.median(run.p50_ms - floor.p50_ms for run, floor in found),
            floor_spread=spread([floor.p50_ms for _, floor in found]),
        )
        for cell, found in pairs.items()
    }


class Table:
    """The runs (medians of their repetitions) indexed by server, cell and concurrency."""

    def __init__(self, runs: list[Run], servers: list[str], spreads: dict[RunKey, float]) -> None:
        self.servers = servers
        self.spreads = spreads
        self.peers = [server for server in servers if server != OURS]
        self.by_key = {(run.server, run.cell, run.concurrency): run for run in runs}
        self.cells = list(dict.fromkeys(run.cell for run in runs))
        self.concurrencies = sorted({run.concurrency for run in runs})

    def get(self, server: str, cell: tuple[str, int], concurrency: int) -> Run | None:
        """The valid run, or None (not run or invalid)."""
        run = self.by_key.get((server, cell, concurrency))
        return run if run is not None and run.valid else None

    def mark(self, run: Run) -> str:
        """``spread_mark`` of the repetitions of ``run``."""
        return spread_mark(self.spreads.get((run.server, run.cell, run.concurrency), 0.0))

    def best_peer(self, cell: tuple[str, int], concurrency: int, faster: str) -> Run | None:
        """The peer with the lowest p50 (``faster="latency"``) or the most requests/s."""
        candidates = [run for peer in self.peers if (run := self.get(peer, cell, concurrency))]
        if not candidates:
            return None
        if faster == "latency":
            return min(candidates, key=lambda run: run.p50_ms)
        return max(candidates, key=lambda run: run.requests_per_s)


def report(
    runs: list[Run], floors: dict[FloorKey, Floor], servers: list[str], folder: Path, note: str
) -> None:
    """Print the tables, write compare.csv and compare.png into ``folder``.

    ``runs`` hold every repetition; ``floors`` the floor of each cell in each repetition.
    """
    summary, spreads = summarise(runs)
    table = Table(summary, servers, spreads)
    vs_floor = against_floor(runs, floors)
    folder.mkdir(parents=True, exist_ok=True)
    print_latency(table, vs_floor)
    print_throughput(table)
    print_work(table)
    print_means(table, vs_floor)
    print_spread(table, vs_floor)
    print_invalid(summary)
    print(f"\n{note}")
    write_csv(runs, floors, folder / "compare.csv")
    plot(table, vs_floor, folder / "compare.png", note)
    print(f"results: {folder / 'compare.csv'}, {folder / 'compare.png'}")


def _cell_text(table: Table, run: Run | None, key: str = "latency") -> str:
    if run is None:
        return "invalid"
    mark = table.mark(run)
    if key == "latency":
        return f"{run.p50_ms:.2f} ({run.p99_ms:.1f}){mark}"
    rate = f"{run.requests_per_s:,.0f}" if run.requests_per_s >= 10 else f"{run.requests_per_s:.2g}"
    return rate + mark


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if ours and theirs else "–"


def _header(columns: list[str]) -> None:
    print("| " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * (len(columns) - 1))


def print_latency(table: Table, vs_floor: dict[tuple[str, int], VsFloor]) -> None:
    """Latency at c = 1: p50 (p99) per server, Joinery against the floor and against each peer."""
    print(
        "\n### c = 1: latency p50 (p99), ms, median of the repetitions (~: they differ by more than "
        f"{SPREAD_LIMIT:.0%}); ratios are Joinery p50 / other p50 (< 1: Joinery faster)\n"
    )
    _header(
        ["cell", "floor p50", *table.servers, "Joinery / floor", "overhead ms"]
        + [f"J / {peer}" for peer in table.peers]
        + ["J / best peer"]
    )
    for cell in table.cells:
        ours = table.get(OURS, cell, 1)
        paired = vs_floor.get(cell)
        row = [f"{cell[0]} N={cell[1]:,}", f"{paired.floor.p50_ms:.2f}" if paired else "–"]
        row += [_cell_text(table, table.get(server, cell, 1)) for server in table.servers]
        row.append(f"{paired.ratio:.2f}" if paired else "–")
        row.append(f"{paired.overhead_ms:.2f}" if paired else "–")
        for peer in table.peers:
            theirs = table.get(peer, cell, 1)
            row.append(_ratio(ours.p50_ms, theirs.p50_ms) if ours and theirs else "–")
        best = table.best_peer(cell, 1, "latency")
        row.append(f"{_ratio(ours.p50_ms, best.p50_ms)} ({best.server})" if ours and best else "–")
        print("| " + " | ".join(row) + " |")


def print_throughput(table: Table) -> None:
    """Throughput at c > 1: requests/s per server, Joinery against each peer (> 1: Joinery faster)."""
    for concurrency in (c for c in table.concurrencies if c > 1):
        print(
            f"\n### c = {concurrency}: requests/s (wrk); ratios are Joinery rps / other rps (> 1: Joinery faster)\n"
        )
        _header(
            ["cell", *table.servers] + [f"J / {peer}" for peer in table.peers] + ["J / best peer", "wrk CPU"]
        )
        for cell in table.cells:
            runs = [table.by_key.get((server, cell, concurrency)) for server in table.servers]
            if not any(runs):
                continue
            ours = table.get(OURS, cell, concurrency)
            row = [f"{cell[0]} N={cell[1]:,}"] + [
                _cell_text(table, table.get(s, cell, concurrency), "rps") for s in table.servers
            ]
            for peer in table.peers:
                theirs = table.get(peer, cell, concurrency)
                row.append(_ratio(ours.requests_per_s, theirs.requests_per_s) if ours and theirs else "–")
            best = table.best_peer(cell, concurrency, "throughput")
            row.append(
                f"{_ratio(ours.requests_per_s, best.requests_per_s)} ({best.server})"
                if ours and best
                else "–"
            )
            shares = [run.loadgen_cpu_share for run in runs if run and run.valid]
            row.append(f"{max(shares):.0%}" if shares else "–")
            print("| " + " | ".join(row) + " |")


def _calls(made: float, expected: int) -> str:
    return f"{made:g}" + (" *" if made > expected else "")


def print_work(table: Table) -> None:
    """Calls and CPU per request, and the worker's peak memory."""
    top = max(table.concurrencies)
    print(
        f"\n### Work per request: SQL statements, webhook and remote calls (* more than one per join level, "
        f"Hasura's count); CPU ms per request at c = 1 (gateway also at c = {top}); peak RSS of the worker\n"
    )
    _header(
        ["cell", "server", "SQL", "webhook", "remote", "gateway CPU", f"gateway CPU c={top}", "PostgreSQL CPU",
         "stubs CPU", "peak RSS MiB"]
    )  # fmt: skip
    for cell in table.cells:
        for server in table.servers:
            run = table.get(server, cell, 1)
            if run is None:
                continue
            loaded = table.get(server, cell, top)
            print(
                f"| {run.label} | {server} | {_calls(run.sql_statements, run.expected_sql)} "
                f"| {_calls(run.webhook_calls, run.expected_webhook)} | {_calls(run.remote_calls, run.expected_remote)} "
                f"| {run.gateway_cpu_ms:.2f} | {f'{loaded.gateway_cpu_ms:.2f}' if loaded else '–'} "
                f"| {run.postgres_cpu_ms:.2f} | {run.webhook_stub_cpu_ms + run.remote_stub_cpu_ms:.2f} "
                f"| {run.worker_peak_rss_kib / 1024:.0f} |"
            )


def _geomean(values: list[float]) -> float:
    return math.exp(sum(map(math.log, values)) / len(values)) if values else 0.0


def print_means(table: Table, vs_floor: dict[tuple[str, int], VsFloor]) -> None:
    """Per workload, geometric means over sizes of Joinery's ratios, and the worst cell against the best peer."""
    print(
        "\n### Per workload: geometric mean over N of Joinery's ratios (latency at c = 1, throughput at c > 1)\n"
    )
    loaded = [c for c in table.concurrencies if c > 1]
    _header(
        ["workload", "Joinery / floor"]
        + [f"latency J / {peer}" for peer in table.peers]
        + [f"rps J / {peer} (c={c})" for c in loaded for peer in table.peers]
        + ["worst cell, latency J / best peer"]
    )
    for workload in dict.fromkeys(cell[0] for cell in table.cells):
        cells = [cell for cell in table.cells if cell[0] == workload]
        ours = {cell: table.get(OURS, cell, 1) for cell in cells}
        floor_ratios = [vs_floor[cell].ratio for cell in cells if cell in vs_floor]
        row = [workload, f"{_geomean(floor_ratios):.2f}" if floor_ratios else "–"]
        for peer in table.peers:
            ratios = [
                run.p50_ms / theirs.p50_ms
                for cell, run in ours.items()
                if run and (theirs := table.get(peer, cell, 1))
            ]
            row.append(f"{_geomean(ratios):.2f}" if ratios else "–")
        for concurrency in loaded:
            for peer in table.peers:
                ratios = [
                    mine.requests_per_s / theirs.requests_per_s
                    for cell in cells
                    if (mine := table.get(OURS, cell, concurrency))
                    and (theirs := table.get(peer, cell, concurrency))
                ]
                row.append(f"{_geomean(ratios):.2f}" if ratios else "–")
        worst = [
            (run.p50_ms / best.p50_ms, run.label)
            for cell, run in ours.items()
            if run and (best := table.best_peer(cell, 1, "latency"))
        ]
        row.append(f"{max(worst)[0]:.2f} ({max(worst)[1]})" if worst else "–")
        print("| " + " | ".join(row) + " |")


def print_spread(table: Table, vs_floor: dict[tuple[str, int], VsFloor]) -> None:
    """The runs and floors whose repetitions differ by more than the spread limit."""
    noisy = [
        f"- {server} {cell[0]} N={cell[1]:,} c={concurrency}: {value:.0%}"
        for (server, cell, concurrency), value in table.spreads.items()
        if value > SPREAD_LIMIT
    ]
    noisy += [
        f"- floor {cell[0]} N={cell[1]:,}: {paired.floor_spread:.0%}"
        for cell, paired in vs_floor.items()
        if paired.floor_spread > SPREAD_LIMIT
    ]
    if noisy:
        print(f"\nRepetitions differing by more than {SPREAD_LIMIT:.0%} ((largest − smallest) / median):")
        print("\n".join(noisy))


def print_invalid(runs: list[Run]) -> None:
    """Cells whose response differed from the expected one, and runs with failed requests."""
    flagged = [run for run in runs if not run.valid or run.note]
    if flagged:
        print("\nNot timed or flagged:")
        for run in flagged:
            print(f"- {run.server} {run.label} c={run.concurrency}: {run.note}")


def write_csv(runs: list[Run], floors: dict[FloorKey, Floor], path: Path) -> None:
    """One row per run and repetition, with the floor of its cell in that repetition."""
    names = [f.name for f in fields(Run)] + ["floor_webhook_p50_ms", "floor_sql_p50_ms", "floor_remote_p50_ms",
                                             "floor_http_p50_ms", "floor_encode_p50_ms", "floor_p50_ms",
                                             "ratio_p50_floor"]  # fmt: skip
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=names)
        writer.writeheader()
        for run in runs:
            row = {
                key: round(value, 3) if isinstance(value, float) else value
                for key, value in asdict(run).items()
            }
            floor = floors.get((run.cell, run.repetition))
            if floor:
                row.update({f"floor_{key}": round(value, 3) for key, value in asdict(floor).items()})
                row["floor_p50_ms"] = round(floor.p50_ms, 3)
                row["ratio_p50_floor"] = (
                    round(run.p50_ms / floor.p50_ms, 3) if run.valid and run.concurrency == 1 else ""
                )
            writer.writerow(row)


def plot(table: Table, vs_floor: dict[tuple[str, int], VsFloor], path: Path, note: str) -> None:
    """Four panels: c = 1 p50 with the floor, requests/s at the lowest c > 1, gateway CPU per request, peak RSS.

    Each bar is the median of the repetitions.
    """
    loaded = min((c for c in table.concurrencies if c > 1), default=1)
    labels = [f"{workload}\nN={n:,}" for workload, n in table.cells]
    figure, axes = plt.subplots(2, 2, figsize=(max(12, 1.6 * len(labels) + 4), 10))
    width = 0.8 / len(table.servers)
    positions = range(len(table.cells))

    def bars(axis: plt.Axes, value: Callable[[Run], float], concurrency: int) -> None:
        for index, server in enumerate(table.servers):
            heights = [
                value(run) if (run := table.get(server, cell, concurrency)) else 0.0 for cell in table.cells
            ]
            axis.bar(
                [p + (index - (len(table.servers) - 1) / 2) * width for p in positions],
                heights,
                width,
                label=server,
            )
        axis.set_xticks(list(positions), labels, fontsize=8)

    latency, throughput, cpu, memory = axes.flat
    bars(latency, lambda run: run.p50_ms, 1)
    floor_values = [vs_floor[cell].floor.p50_ms if cell in vs_floor else math.nan for cell in table.cells]
    latency.scatter(list(positions), floor_values, marker="_", s=900, color="black", zorder=3, label="floor")
    latency.set_yscale("log")
    latency.set_title("c = 1: latency p50 (ms, log scale; black: floor)")
    latency.legend(fontsize=8)
    bars(throughput, lambda run: run.requests_per_s, loaded)
    throughput.set_title(f"c = {loaded}: requests/s (wrk)")
    bars(cpu, lambda run: run.gateway_cpu_ms, loaded)
    cpu.set_yscale("log")
    cpu.set_title(f"c = {loaded}: gateway CPU per request (ms, log scale)")
    peaks = []
    for server in table.servers:
        found = [
            run.worker_peak_rss_kib for run in table.by_key.values() if run.server == server and run.valid
        ]
        peaks.append(max(found) / 1024 if found else 0.0)
    memory.bar(table.servers, peaks, color=[f"C{i}" for i in range(len(table.servers))])
    memory.set_title("peak RSS of the worker process (MiB)")
    figure.suptitle(f"Joinery and peers, medians of the repetitions of one run — {note}", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
