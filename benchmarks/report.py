"""Benchmark: `make report`'s work, warm, against a baseline measured in the same run.

It times, in child processes so that each starts cold as `make report` does:

- the baseline: start a bare python3 kernel and import pandas in it, the least any report
  that executes notebooks must do;
- `litkit report --root . --root examples/...`, the whole of a warm `make report` (every
  project of the repository, in one process), with the stage lines it prints timed as
  they arrive.

Then, in this process, the stages one by one for each project (build, charts, kernel start,
each notebook, the HTML of the notebooks, the pages, the exports) so that a slow stage can
be found. The report is written into a copy of each project in a temporary folder; the
repository is not touched.

    .venv/bin/python benchmarks/report.py [--runs 3]

See benchmarks/README.md for how to read the output. This is a script, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 7.0
BASELINE = """
import time
from jupyter_client.manager import start_new_kernel
t = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3")
kc.execute_interactive("import pandas", timeout=60)
kc.stop_channels()
km.shutdown_kernel(now=True)
print(time.perf_counter() - t)
"""


def projects(folder: Path) -> list[Path]:
    """A copy of each project of the repository (the first case and the examples), with
    the report it has now, so that the runs are warm as `make report` would find them."""
    copies = []
    for source in [ROOT, *sorted(p.parent for p in (ROOT / "examples").glob("*/litkit.toml"))]:
        target = folder / ("main" if source == ROOT else source.name)
        for part in ("litkit.toml", "data", "notebooks", "reports", "docs"):
            if (source / part).is_dir():
                shutil.copytree(source / part, target / part)
            elif (source / part).is_file():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / part, target / part)
        copies.append(target)
    return copies


def baseline() -> float:
    """Seconds to start a bare kernel and import pandas in it, in a fresh process."""
    done = subprocess.run([sys.executable, "-c", BASELINE], capture_output=True, text=True)
    return float(done.stdout.split()[-1])


def whole_report(roots: list[Path]) -> tuple[float, list[tuple[float, str]]]:
    """Wall seconds of `litkit report` on every root in one process, and its lines, timed."""
    args = [sys.executable, "-m", "litkit", "report", *(f"--root={r}" for r in roots)]
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = [(time.perf_counter() - start, line.rstrip()) for line in child.stdout]
    if child.wait() != 0:
        sys.exit(f"litkit report failed ({child.returncode})")
    return time.perf_counter() - start, lines


def stages(root: Path) -> list[tuple[str, float]]:
    """Each stage of one project's report, one after the other, in this process."""
    sys.modules.setdefault("rfc3987_syntax", None)  # as `litkit report` does (cli.py)
    from litkit.config import Paths
    from litkit.pipeline import build
    from litkit.processed import read_all
    from litkit.report import figures, kernels, notebook_pages, notebooks
    from litkit.report.export import write_exports

    paths, out = Paths(root), root / "bench-out"
    times: list[tuple[str, float]] = []

    def timed(name: str, step: Callable[[], object]) -> object:
        start = time.perf_counter()
        result = step()
        times.append((name, time.perf_counter() - start))
        return result

    timed("build", lambda: build(paths))
    tables = read_all(paths=paths)
    timed("charts (kept: inputs unchanged)", lambda: figures.write_charts(tables, paths.figures))
    timed("charts (all drawn)", lambda: figures.write_charts(tables, out / "figures"))
    kernel = timed(
        "kernel start and imports", lambda: _ready(kernels.start_kernel(paths.notebooks))
    )
    try:
        executed = [
            (p, timed(f"  {p.name}", lambda p=p: notebooks.execute_notebook(p, kernel)))
            for p in paths.notebook_files
        ]
    finally:
        kernel.shutdown()
    exporter = timed("notebook exporter (first use)", notebook_pages.notebook_exporter)
    timed("notebook.css", lambda: notebook_pages.write_stylesheet(exporter, out))
    timed(
        "notebooks to HTML",
        lambda: [
            notebook_pages.render_html(nb, out / f"{p.stem}.html", exporter) for p, nb in executed
        ],
    )
    timed("pages", lambda: _pages(paths, tables, out))
    timed("exports", lambda: write_exports(paths, folder=out / "exports"))
    return times


def _ready(kernel):
    kernel.warm_up()  # ready, and the notebooks' imports done
    return kernel


def _pages(paths, tables, out: Path) -> None:
    from litkit.report import pages

    entries = pages.entries_by_claim(tables)
    pages.write_stylesheet(paths, folder=out)
    pages.write_articles(paths, tables, folder=out, entries=entries)
    pages.write_method(paths, tables, folder=out)
    pages.write_index(paths, tables, [], folder=out, entries=entries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the whole report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        roots = projects(Path(tmp))
        whole_report(roots)  # the first run makes the copies warm (charts, .pyc files)
        base = statistics.median(baseline() for _ in range(args.runs))
        runs = [whole_report(roots) for _ in range(args.runs)]
        walls = [wall for wall, _ in runs]
        median = statistics.median(walls)
        print(f"baseline: bare kernel + import pandas   {base:6.2f} s")
        print(
            f"litkit report, {len(roots)} projects, median of {args.runs}: {median:6.2f} s "
            f"({', '.join(f'{w:.2f}' for w in walls)}), {median / base:.1f} × baseline"
        )
        print("its lines, as they came (the median run):")
        for at, line in sorted(runs, key=lambda r: r[0])[len(runs) // 2][1]:
            print(f"  {at:6.2f} s  {line}")
        for root in roots:
            print(f"stages of {root.name}, one after the other, in one process:")
            for name, seconds in stages(root):
                print(f"  {name:38} {seconds:6.2f} s  {seconds / base:5.2f} × baseline")
        verdict = "PASS" if median < TARGET_SECONDS else "FAIL"
        print(f"{verdict}: whole report under {TARGET_SECONDS:.0f} s ({median:.2f} s)")
        return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
