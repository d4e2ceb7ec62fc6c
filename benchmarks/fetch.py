"""Benchmark: litkit's Fetcher against Crossref's pacing floor, and a one-DOI-per-request client.

A local Crossref-compatible server runs in a child process (so that the CPU time measured
here is the client's alone) and enforces the polite pool's limits (single 10/s, list 3/s,
3 in flight) with a fixed latency. Beyond the 520 recorded records it serves synthesised
ones: copies of real records under new, distinct DOIs, made in memory and served only by
that server (never written to data/raw). See benchmarks/README.md for how to read the
output.

    .venv/bin/python benchmarks/fetch.py [--dois 400] [--runs 1] [--baseline-n 100] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from habanero import Crossref

from litkit.crossref.api import POLITE_POOL, CrossrefApi
from litkit.crossref.cache import CrossrefCache
from litkit.crossref.fetch import Fetcher
from litkit.testing.crossref_server import CrossrefServer, load_records

DEFAULT_RECORDS = Path(__file__).resolve().parent.parent / "tests/data/crossref/works.jsonl.gz"
MAILTO = "benchmark@example.org"
TARGET_FLOOR_RATIO = 1.15  # litkit's time over the pacing floor
TARGET_CPU_MS = 0.5  # client CPU per record, first run
# The CPU target is judged at scale: a run's fixed costs (an HTTP client and its CA bundle,
# threads, the first answers' imports) take about 0.5 s, which is over 1 ms a record at 400.
CPU_JUDGED_FROM = 10_000
TARGET_RERUN_SECONDS = 1.0
BASELINE_MARGIN = 0.02  # the baseline paces 2 % under the limit (litkit keeps 10 %)
WINDOW_PAUSE = 1.1  # lets the server's rolling one-second windows empty between phases


# -- the records -----------------------------------------------------------------------------


def synthesise(records: list[dict], n: int) -> list[dict]:
    """``n`` records with distinct DOIs: the real ones first, then copies of them under new DOIs.

    Copy ``k`` of a record gets the DOI ``{its DOI}.bench{k}``, so lengths stay realistic.
    DOIs with a comma (which no filter can carry) are left out.
    """
    real = sorted(
        (r for r in records if r.get("DOI") and "," not in r["DOI"]), key=lambda r: r["DOI"].lower()
    )
    chosen = []
    for i in range(n):
        record, copy = real[i % len(real)], i // len(real)
        chosen.append(record if copy == 0 else {**record, "DOI": f"{record['DOI']}.bench{copy}"})
    return chosen


# -- the server, in its own process ----------------------------------------------------------


def _serve(conn, records_file: str, n: int, latency: float, limits: dict) -> None:
    """Child process: run a CrossrefServer and answer the parent's commands over ``conn``."""
    records = synthesise(load_records(records_file), n)
    with CrossrefServer(records, latency=latency, **limits) as server:
        conn.send(server.url)
        while True:
            command = conn.recv()
            if command == "reset":
                server.reset_stats()
                conn.send(None)
            elif command == "stats":
                stats = server.stats
                conn.send(
                    {
                        "total": stats.total,
                        "list": stats.requests["list"],
                        "single": stats.requests["single"],
                        "throttled": stats.status_counts[429],
                        "max_in_flight": stats.max_in_flight,
                        "errors": len(stats.errors),
                    }
                )
            elif command == "log":  # (arrival, route, status) of every request, for diagnosis
                conn.send([(e.time, e.route, e.status) for e in server.stats.log])
            else:
                conn.send(None)
                return


class RemoteServer:
    """A CrossrefServer in a child process, with its statistics fetched on demand."""

    def __init__(self, records_file: Path, n: int, latency: float, limits: dict):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, str(records_file), n, latency, limits), daemon=True
        )

    def __enter__(self) -> RemoteServer:
        self.process.start()
        self.url = self.conn.recv()
        return self

    def __exit__(self, *exc_info) -> None:
        self.conn.send("stop")
        self.conn.recv()
        self.process.join(timeout=10)

    def ask(self, command: str):
        self.conn.send(command)
        return self.conn.recv()


# -- the clients -----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table."""

    client: str
    dois: int
    seconds: float
    cpu: float
    requests: int
    lists: int
    throttled: int
    note: str = ""

    @property
    def floor(self) -> float:
        """The pacing floor: 3 list requests a second at most, so ceil(lists / 3) seconds."""
        return math.ceil(self.lists / POLITE_POOL.list_per_second)

    def cells(self) -> list[str]:
        ratio = f"{self.seconds / self.floor:.2f}" if self.floor else "-"
        cpu_ms = f"{1000 * self.cpu / self.dois:.3f}" if self.cpu == self.cpu else "-"
        return [
            self.client,
            str(self.dois),
            f"{self.seconds:.2f}",
            f"{self.floor:g}" if self.lists else "-",
            ratio,
            cpu_ms,
            str(self.requests),
            str(self.lists),
            str(self.throttled),
            self.note,
        ]


HEADER = [
    "client",
    "DOIs",
    "wall (s)",
    "floor (s)",
    "wall/floor",
    "CPU ms/record",
    "requests",
    "list requests",
    "429s",
    "notes",
]


def run_litkit(
    server: RemoteServer, cache_dir: str, dois: list[str], label: str
) -> tuple[Row, object]:
    """One ``Fetcher.fetch`` run on ``cache_dir``: wall and client CPU time, the server's counts."""
    server.ask("reset")
    fetcher = Fetcher(CrossrefCache(cache_dir), api=CrossrefApi(server.url, MAILTO))
    start, times = time.perf_counter(), os.times()
    report = fetcher.fetch(dois)
    elapsed, after = time.perf_counter() - start, os.times()
    user, system = after.user - times.user, after.system - times.system
    cpu = user + system
    stats = server.ask("stats")
    throttled = max(stats["throttled"], report.throttled)
    note = (
        f"CPU user {1000 * user / len(dois):.3f} + system {1000 * system / len(dois):.3f}"
        f" ms/record; max in flight {stats['max_in_flight']}; {report.summary()}"
    )
    return Row(
        label, len(dois), elapsed, cpu, stats["total"], stats["list"], throttled, note
    ), report


def run_baseline(server: RemoteServer, dois: list[str], per_second: float) -> Row:
    """A plain habanero loop, one DOI per request, sequential, sleep-paced to ``per_second``.

    This is about the best a one-DOI-per-request client can do while keeping the limits. A
    429, should the pacing slip anyway, is counted and the DOI sent again one interval later.
    """
    client = Crossref(base_url=server.url, mailto=MAILTO)
    interval = (1.0 + BASELINE_MARGIN) / per_second
    server.ask("reset")
    start, cpu = time.perf_counter(), time.process_time()
    next_send = time.monotonic()
    for doi in dois:
        while True:
            time.sleep(max(0.0, next_send - time.monotonic()))
            next_send = time.monotonic() + interval
            try:
                client.works(ids=quote(doi, safe=""))
                break
            except Exception as exc:  # habanero raises httpx2.HTTPStatusError on a 429
                if getattr(getattr(exc, "response", None), "status_code", None) != 429:
                    raise
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    stats = server.ask("stats")
    return Row(
        "habanero, 1 DOI/request", len(dois), elapsed, cpu, stats["total"], 0, stats["throttled"]
    )


def extrapolate(row: Row, n: int) -> Row:
    """Scale a baseline measured on fewer DOIs linearly up to ``n`` DOIs."""
    scale = n / row.dois
    return Row(
        row.client,
        n,
        row.seconds * scale,
        row.cpu * scale,
        round(row.requests * scale),
        0,
        round(row.throttled * scale),
        f"extrapolated from {row.dois} DOIs",
    )


def median_row(rows: list[Row], label: str) -> Row:
    """Medians over the runs: wall time, CPU time and requests; 429s summed over all runs."""
    if len(rows) == 1:
        return rows[0]
    spread = ", ".join(f"{r.seconds:.2f}" for r in rows)
    return Row(
        label,
        rows[0].dois,
        statistics.median(r.seconds for r in rows),
        statistics.median(r.cpu for r in rows),
        round(statistics.median(r.requests for r in rows)),
        round(statistics.median(r.lists for r in rows)),
        sum(r.throttled for r in rows),
        f"medians of {len(rows)} runs (wall {spread} s); 429s of all runs",
    )


def print_table(rows: list[Row]) -> None:
    """Print the rows as an aligned text table."""
    table = [HEADER] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER) - 1)]
    for line in table:
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=False))
            + "  "
            + line[-1]
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 0 when every target passes, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dois",
        "--n",
        dest="dois",
        type=int,
        default=400,
        help="DOIs litkit fetches; beyond the recorded ones, synthesised (default 400)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="first runs on fresh caches; the median is reported (default 1)",
    )
    parser.add_argument(
        "--baseline-n",
        type=int,
        default=100,
        help="DOIs the one-DOI-per-request baseline fetches, extrapolated to"
        " --dois (default 100; 0 skips it)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="seconds the server waits before each answer (default 0.05)",
    )
    parser.add_argument(
        "--records",
        type=Path,
        default=DEFAULT_RECORDS,
        help="Crossref records to serve (.jsonl or .jsonl.gz)",
    )
    args = parser.parse_args(argv)

    dois = [r["DOI"].lower() for r in synthesise(load_records(args.records), args.dois)]
    limits = dict(
        single_rate=POLITE_POOL.single_per_second,
        list_rate=POLITE_POOL.list_per_second,
        max_concurrent=POLITE_POOL.concurrency,
    )
    print(
        f"Load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on"
        f" {os.cpu_count()} CPUs (other work on the machine inflates the times)"
    )
    print(
        f"Local Crossref server (child process): single {limits['single_rate']}/s, list"
        f" {limits['list_rate']}/s, {limits['max_concurrent']} in flight,"
        f" {args.latency * 1000:.0f} ms latency; {args.dois} DOIs"
        f" ({min(args.dois, 520)} recorded, {max(0, args.dois - 520)} synthesised)"
    )

    rows: list[Row] = []
    with RemoteServer(args.records, args.dois, args.latency, limits) as server:
        if args.baseline_n:
            baseline = run_baseline(
                server, dois[: min(args.baseline_n, args.dois)], POLITE_POOL.single_per_second
            )
            rows.append(extrapolate(baseline, args.dois) if baseline.dois < args.dois else baseline)
            time.sleep(WINDOW_PAUSE)
        firsts, reports = [], []
        for run in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="litkit-bench-") as cache_dir:
                row, report = run_litkit(server, cache_dir, dois, "litkit Fetcher")
                print(
                    f"run {run + 1}: {row.seconds:.2f} s, {row.lists} list requests,"
                    f" {row.throttled} 429s, CPU {1000 * row.cpu / row.dois:.3f} ms/record"
                    f" ({row.note})",
                    flush=True,
                )
                firsts.append(row)
                reports.append(report)
                time.sleep(WINDOW_PAUSE)
                if run == args.runs - 1:
                    rerun, rerun_report = run_litkit(
                        server, cache_dir, dois, "litkit rerun (cached)"
                    )
            if run < args.runs - 1:
                time.sleep(WINDOW_PAUSE)
        first = median_row(firsts, "litkit Fetcher")
        rows += [first, rerun]
        server_errors = server.ask("stats")["errors"]

    print()
    print_table(rows)
    print()
    if args.runs > 1:
        print(
            "(each run's own floor is ceil(its list requests / 3); the ratio below uses the"
            " medians)"
        )
    print(
        f"pacing floor: ceil({first.lists} list requests / {POLITE_POOL.list_per_second:g} per s)"
        f" = {first.floor:g} s; litkit took {first.seconds:.2f} s ="
        f" {first.seconds / first.floor:.2f}× the floor"
    )
    print(
        f"client CPU: {1000 * first.cpu / first.dois:.3f} ms per record"
        f" ({first.cpu:.2f} s for {first.dois}); cached rerun {rerun.seconds:.2f} s,"
        f" {rerun.requests} requests"
    )
    if args.baseline_n:
        print(
            f"litkit is {rows[0].seconds / first.seconds:.1f}× faster than the"
            f" one-DOI-per-request baseline ({rows[0].seconds:.2f} s / {first.seconds:.2f} s)"
        )

    judged_cpu = args.dois >= CPU_JUDGED_FROM
    targets = [
        (
            f"litkit fetches all {args.dois} DOIs",
            all(r.ok and r.count("fetched") == args.dois for r in reports),
        ),
        (
            f"within {TARGET_FLOOR_RATIO:g}× the pacing floor",
            first.seconds <= TARGET_FLOOR_RATIO * first.floor,
        ),
        ("no 429 in any run", all(r.throttled == 0 for r in firsts)),
        (
            f"under {TARGET_CPU_MS:g} ms of client CPU per record"
            + ("" if judged_cpu else f" (judged from --dois {CPU_JUDGED_FROM})"),
            1000 * first.cpu / first.dois < TARGET_CPU_MS if judged_cpu else None,
        ),
        (
            f"cached rerun makes no request, under {TARGET_RERUN_SECONDS:g} s",
            rerun.requests == 0
            and rerun_report.requests == 0
            and rerun_report.count("cached") == args.dois
            and rerun.seconds < TARGET_RERUN_SECONDS,
        ),
        ("no server errors", server_errors == 0),
    ]
    print()
    for name, passed in targets:
        print(f"{({True: 'PASS', False: 'FAIL', None: 'SKIP'})[passed]}  {name}")
    return 0 if all(passed is not False for _, passed in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
