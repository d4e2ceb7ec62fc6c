"""Benchmark: litkit's Fetcher against a plain one-DOI-per-request habanero loop.

Both clients run in this process against a local Crossref-compatible server that enforces
the polite pool's limits (single 10/s, list 3/s, 3 in flight) and answers after a fixed
latency. See benchmarks/README.md for how to read the output.

    .venv/bin/python benchmarks/fetch.py [--n 400] [--baseline-n 100] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from habanero import Crossref

from litkit.crossref.cache import CrossrefCache
from litkit.crossref.fetch import POLITE_POOL, Fetcher
from litkit.testing.crossref_server import CrossrefServer, load_records

DEFAULT_RECORDS = Path(__file__).resolve().parent.parent / "tests/data/crossref/works.jsonl.gz"
MAILTO = "benchmark@example.org"
TARGET_SECONDS = 3.0
BASELINE_MARGIN = 0.02  # the baseline paces 2 % under the limit (litkit keeps 10 %)
WINDOW_PAUSE = 1.1  # lets the server's rolling one-second windows empty between phases


@dataclass
class Row:
    """One line of the results table."""

    client: str
    dois: int
    seconds: float
    requests: int
    throttled: int
    note: str = ""

    def cells(self) -> list[str]:
        rate = self.dois / self.seconds if self.seconds > 0 else float("inf")
        return [self.client, str(self.dois), f"{self.seconds:.2f}", str(self.requests),
                str(self.throttled), f"{rate:.1f}", self.note]


def pick_dois(records: list[dict], n: int) -> list[str]:
    """The first ``n`` distinct DOIs of the records, sorted (deterministic)."""
    dois = sorted({r["DOI"].lower() for r in records if r.get("DOI")})
    if n > len(dois):
        sys.exit(f"asked for {n} DOIs but the records hold only {len(dois)}")
    return dois[:n]


def run_baseline(server: CrossrefServer, dois: list[str], per_second: float) -> Row:
    """A plain habanero loop, one DOI per request, sequential, sleep-paced to ``per_second``.

    This is about the best a one-DOI-per-request client can do while keeping the limits:
    requests leave ``BASELINE_MARGIN`` slower than the limit, as arrival times jitter a few
    milliseconds. A 429, should the pacing slip anyway, is counted and the DOI sent again
    one interval later (a refused request takes no place in the server's window).
    """
    client = Crossref(base_url=server.url, mailto=MAILTO)
    interval = (1.0 + BASELINE_MARGIN) / per_second
    server.reset_stats()
    start = next_send = time.monotonic()
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
    elapsed = time.monotonic() - start
    return Row("habanero, 1 DOI/request", len(dois), elapsed, server.stats.total,
               server.stats.status_counts[429])


def extrapolate(row: Row, n: int) -> Row:
    """Scale a baseline measured on fewer DOIs linearly up to ``n`` DOIs."""
    scale = n / row.dois
    return Row(row.client, n, row.seconds * scale, round(row.requests * scale),
               round(row.throttled * scale), f"extrapolated from {row.dois} DOIs")


def run_litkit(server: CrossrefServer, cache_dir: str, dois: list[str], label: str):
    """One ``Fetcher.fetch`` run on ``cache_dir``; returns its row and the report."""
    server.reset_stats()
    fetcher = Fetcher(CrossrefCache(cache_dir), base_url=server.url, mailto=MAILTO)
    start = time.monotonic()
    report = fetcher.fetch(dois)
    elapsed = time.monotonic() - start
    throttled = max(server.stats.status_counts[429], report.throttled)
    note = f"max in flight {server.stats.max_in_flight}; {report.summary()}"
    return Row(label, len(dois), elapsed, server.stats.total, throttled, note), report


def run_naive_batch(server: CrossrefServer, dois: list[str]) -> Row:
    """Plain habanero ``works(ids=[...])``: one unpaced request per DOI, no retry on 429."""
    client = Crossref(base_url=server.url, mailto=MAILTO)
    server.reset_stats()
    start = time.monotonic()
    try:
        client.works(ids=[quote(d, safe="") for d in dois])
        note = "finished"
    except Exception as exc:
        note = f"raised {type(exc).__name__} after {server.stats.status_counts[200]} records"
    elapsed = time.monotonic() - start
    return Row("habanero, works(ids=[...])", len(dois), elapsed, server.stats.total,
               server.stats.status_counts[429], note)


def print_table(rows: list[Row]) -> None:
    """Print the rows as an aligned text table."""
    header = ["client", "DOIs", "wall time (s)", "requests", "429s", "DOIs/s", "notes"]
    table = [header] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header) - 1)]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)) + "  " + line[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 0 when every target passes, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="DOIs litkit fetches (default 400)")
    parser.add_argument("--baseline-n", type=int, default=400,
                        help="DOIs the baseline fetches; fewer are extrapolated linearly to --n")
    parser.add_argument("--latency", type=float, default=0.05,
                        help="seconds the server waits before each answer (default 0.05)")
    parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS,
                        help="Crossref records to serve (.jsonl or .jsonl.gz)")
    parser.add_argument("--show-naive", action="store_true",
                        help="also show plain habanero works(ids=[100 DOIs]) hitting the limits")
    args = parser.parse_args(argv)

    dois = pick_dois(load_records(args.records), args.n)
    baseline_n = min(args.baseline_n, args.n)
    limits = dict(single_rate=POLITE_POOL.single_per_second, list_rate=POLITE_POOL.list_per_second,
                  max_concurrent=POLITE_POOL.concurrency)
    print(f"Local Crossref server: single {limits['single_rate']}/s, list {limits['list_rate']}/s,"
          f" {limits['max_concurrent']} in flight, {args.latency * 1000:.0f} ms latency;"
          f" {args.n} DOIs from {args.records.name}")

    with CrossrefServer(load_records(args.records), latency=args.latency, **limits) as server, \
            tempfile.TemporaryDirectory(prefix="litkit-bench-") as cache_dir:
        baseline = run_baseline(server, dois[:baseline_n], POLITE_POOL.single_per_second)
        if baseline_n < args.n:
            baseline = extrapolate(baseline, args.n)
        time.sleep(WINDOW_PAUSE)
        first, report = run_litkit(server, cache_dir, dois, "litkit Fetcher")
        rerun, rerun_report = run_litkit(server, cache_dir, dois, "litkit rerun (cached)")
        rows = [baseline, first, rerun]
        if args.show_naive:
            time.sleep(WINDOW_PAUSE)
            rows.append(run_naive_batch(server, dois[:100]))

    print()
    print_table(rows)
    print()
    if baseline_n < args.n:
        print(f"NOTE: the baseline ran {baseline_n} DOIs; its row is extrapolated linearly"
              f" to {args.n}.")
    print(f"litkit is {baseline.seconds / first.seconds:.1f}× faster than the one-DOI-per-request"
          f" baseline ({baseline.seconds:.2f} s / {first.seconds:.2f} s)")

    targets = [
        (f"litkit fetches all {args.n} DOIs",
         report.ok and report.count("fetched") == args.n),
        (f"litkit takes under {TARGET_SECONDS:g} s", first.seconds < TARGET_SECONDS),
        ("litkit sees no 429", first.throttled == 0),
        ("rerun makes zero requests",
         rerun.requests == 0 and rerun_report.requests == 0
         and rerun_report.count("cached") == args.n),
    ]
    print()
    for name, passed in targets:
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(passed for _, passed in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
