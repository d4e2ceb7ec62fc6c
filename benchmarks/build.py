"""Benchmark: `litkit build` on a project of N cached Crossref records.

The project is made through the public commands, as a reviewer would make it: `litkit init`,
`litkit add-article` on a text that lists N DOIs, and `litkit fetch` against a local
Crossref-compatible server (no pacing: the fetch is not what is measured here) that serves
real recorded records copied under N distinct DOIs. Then, in this process, each stage of the
build is timed beside a baseline measured in the same run: `json.load` of each of the same
cache files, one after another, each dropped once parsed (keeping them all would put the
garbage collector's passes over them in the baseline): the least any build must do. The
whole `litkit build` runs in a child process, whose peak memory is read from the kernel.

    .venv/bin/python benchmarks/build.py [--records 50000] [--runs 3] [--keep DIR]

See benchmarks/README.md for how to read the output. This is a script, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fetch import synthesise  # noqa: E402  (benchmarks/fetch.py, beside this file)
from litkit import pipeline
from litkit.analysis.audit import audit_citations
from litkit.analysis.designs import classify_designs
from litkit.analysis.works import works_to_check
from litkit.config import Paths
from litkit.crossref.records import to_frame
from litkit.processed import write_processed
from litkit.testing.crossref_server import CrossrefServer, load_records

RECORDS = Path(__file__).resolve().parent.parent / "tests/data/crossref/works.jsonl.gz"
TARGET_SECONDS, TARGET_BYTES = 15.0, 1 << 30


def litkit(*args: str) -> None:
    """Run a litkit command as a user would; stop the benchmark if it fails."""
    done = subprocess.run([sys.executable, "-m", "litkit", *args], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"litkit {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def make_project(folder: Path, records: list[dict]) -> Paths:
    """A project with one article citing every record's DOI, fetched from a local server."""
    litkit(
        "init",
        str(folder),
        "--title",
        "Benchmark",
        "--intervention",
        "an intervention",
        "--topic",
        "a question",
        "--articles",
        "one list of DOIs",
    )
    listing = folder / "listing.txt"
    listing.write_text(
        "References\n\n"
        + "".join(f"{i}. https://doi.org/{r['DOI']}\n" for i, r in enumerate(records, 1)),
        encoding="utf-8",
    )
    litkit(
        "add-article",
        str(listing),
        "--id",
        "Z",
        "--root",
        str(folder),
        "--title",
        "List",
        "--kind",
        "other",
    )
    with CrossrefServer(records, single_rate=None, list_rate=None, max_concurrent=None) as server:
        litkit(
            "fetch",
            "--root",
            str(folder),
            "--base-url",
            server.url,
            "--mailto",
            "bench@example.org",
            "--list-rate",
            "100",
            "--single-rate",
            "100",
            "--concurrency",
            "4",
        )
    return Paths(folder)


def timed(step: Callable[[], object], runs: int) -> tuple[float, object]:
    """The median wall time of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def parse_each(files: list[Path]) -> int:
    """Parse every file with the standard library, keeping none: the baseline."""
    for file in files:
        json.loads(file.read_bytes())
    return len(files)


def build_in_child(paths: Paths) -> tuple[float, int, float]:
    """Wall time, peak resident memory (bytes) and CPU time of `litkit build` in a child process.

    The peak is that child's own (and its worker processes'), from ``wait4``: the
    ``RUSAGE_CHILDREN`` total would also count the fetch and the server run before it. The
    CPU time (user and system, the build's worker processes included) varies less than the
    wall time when other work shares the machine.
    """
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "litkit", "build", "--root", str(paths.root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"litkit build failed ({child.returncode}):\n{stderr.decode()[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss * 1024, cpu  # Linux reports kilobytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--keep",
        type=Path,
        help="make the project here and keep it; a project already there is reused",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "project"
        if (folder / "litkit.toml").is_file():
            print(f"reusing the project in {folder}")
            paths = Paths(folder)
        else:
            records = synthesise(load_records(RECORDS), args.records)
            print(f"making a project of {len(records):,} records (init, add-article, fetch) ...")
            paths = make_project(folder, records)
        files = sorted(paths.crossref_cache.glob("*.json"))
        print(f"{len(files):,} records cached\n")
        # The whole build first, while this process is small: a child forked from a big
        # process would count the parent's pages in its peak until it runs litkit.
        whole = [build_in_child(paths) for _ in range(args.runs)]
        seconds = statistics.median(s for s, _, _ in whole)
        peak = max(b for _, b, _ in whole)
        cpu = statistics.median(c for _, _, c in whole)
        base, _ = timed(lambda: parse_each(files), args.runs)
        raw, _ = timed(lambda: pipeline.read_tables(paths), args.runs)
        read, inputs = timed(lambda: pipeline.read_inputs(paths), args.runs)
        frame, works = timed(lambda: to_frame(inputs.records.values()), args.runs)
        printed = works_to_check(inputs.citations, inputs.best_evidence)
        audit, _ = timed(
            lambda: audit_citations(printed, inputs.records, inputs.not_found), args.runs
        )
        designs, _ = timed(lambda: classify_designs(works), args.runs)
        tables_time, tables = timed(lambda: pipeline.compute_tables(inputs), args.runs)
        write, _ = timed(
            lambda: [write_processed(t, name, paths=paths) for name, t in tables.items()],
            args.runs,
        )
    rows = [
        ("json.load of every cache file (baseline)", base),
        ("read inputs (raw tables and cache)", read),
        ("  of which the raw tables", raw),
        ("records to a table", frame),
        ("citation audit", audit),
        ("design classifier", designs),
        ("every table (the three above and the rest)", tables_time),
        ("write the tables", write),
        ("litkit build, whole, in a child process", seconds),
    ]
    print(f"{'stage':45} {'seconds':>8} {'× baseline':>11}")
    for name, value in rows:
        print(f"{name:45} {value:8.2f} {value / base:11.2f}")
    print(f"\nlitkit build, each run: {', '.join(f'{s:.2f}' for s, _, _ in whole)} s")
    print(f"CPU time of litkit build (all its processes): {cpu:.2f} s")
    print(f"peak memory of litkit build: {peak / 2**20:,.0f} MiB")
    ok = seconds < TARGET_SECONDS and peak < TARGET_BYTES
    print(
        f"{'PASS' if seconds < TARGET_SECONDS else 'FAIL'}: build under {TARGET_SECONDS:.0f} s; "
        f"{'PASS' if peak < TARGET_BYTES else 'FAIL'}: peak memory under 1 GiB "
        f"({len(files):,} records cached, median of {args.runs})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
