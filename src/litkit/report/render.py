"""The reviewers' report: figures, executed notebooks, their HTML, and the report's own pages.

``litkit report`` (and ``make report``) runs these steps, each saying in one line what it
wrote: build the processed tables; write the report's pages (``index.html``, one annotated
page per article, the method page, with their stylesheet ``report.css``) and the take-away
files in ``reports/exports/``; execute the notebooks in place so their committed outputs
are current, and render them to ``reports/*.html`` without code cells (sharing
``notebook.css``); save every chart to ``reports/figures/`` as PNG and SVG.

The slow parts run side by side. The kernels start first, and import what the notebooks
use, while this process imports only what builds the tables and runs notebooks, and builds
them; the modules that write pages, exports, charts and notebook pages are imported after
the builds, while the kernels run the notebooks. A chart whose inputs have not changed
since its files were drawn is kept as it is (:mod:`litkit.report.figures`); the others are
drawn then too. And one ``litkit report --root A --root B`` makes several projects'
reports in one process, their notebooks shared out between two kernels, each notebook run
in its own folder.

Every page opens from the file system with nothing loaded from the network, and everything
written is deterministic: a second run changes no tracked file.

A report is never left half-updated: it is built in a temporary folder beside
``reports/`` and swapped in only when every step has succeeded, and the executed notebooks
are saved only then. When a step fails, that project's ``reports/`` and notebooks stay as
they were and a :class:`ReportError` names the step (and the project, when there are
several); reports of projects already finished are kept. (The processed tables are data,
not the report: the build step writes them whole, table by table, before the report is
drawn.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from litkit.config import Paths
from litkit.errors import LitkitError, ReportError
from litkit.pipeline import build
from litkit.processed import read_all
from litkit.report import notebooks
from litkit.report.kernels import Kernel, kernel_folders, started_kernels

# --- one project's report ------------------------------------------------------------------


@dataclass
class Run:
    """One project's report as it is made: its staging folder, its notebooks, what is done."""

    paths: Paths
    folder: Path  # the staging folder, swapped in for reports/ at the end
    label: str  # the project as failures and progress name it; "" when there is one
    sources: list[Path] = field(default_factory=list)  # the notebooks, in order
    executed: list[Future] = field(default_factory=list)  # one per source, set by a thread
    charts: tuple[list[Path], int] = ([], 0)  # chart files, and how many were drawn
    built: threading.Event = field(default_factory=threading.Event)  # its tables are written
    failed: threading.Event = field(default_factory=threading.Event)  # a notebook failed
    staged: list[Path] = field(default_factory=list)

    def step(self, name: str) -> AbstractContextManager[None]:
        return _step(f"{self.label}: {name}" if self.label else name)

    def line(self, text: str) -> str:
        return f"{self.label}: {text}" if self.label else text


def _staging(paths: Paths) -> Path:
    """A private folder beside ``reports/`` holding a copy of it, with its permissions."""
    staging = Path(tempfile.mkdtemp(dir=paths.reports.parent, prefix=f".{paths.reports.name}-"))
    staging.chmod(
        paths.reports.stat().st_mode if paths.reports.is_dir() else paths.root.stat().st_mode
    )
    if paths.reports.is_dir():  # what is not rebuilt carries over
        shutil.copytree(paths.reports, staging, dirs_exist_ok=True)
    return staging


def _charts(run: Run) -> None:
    """The run's charts in its staging folder: kept where their inputs have not changed
    (most reports), else drawn while the kernels run the notebooks."""
    from litkit.report import figures  # after the builds (see make_reports)

    with run.step("drawing the figures"):
        folder = run.folder / run.paths.figures.relative_to(run.paths.reports)
        run.charts = figures.write_charts(read_all(paths=run.paths), folder)


def _execute_all(kernel: Kernel, queue: deque[tuple[Run, int]], stop: threading.Event) -> None:
    """Warm ``kernel`` up, then execute notebooks taken from ``queue`` (a notebook of a run,
    by its index) until it is empty, each into its future, each once its project's tables
    are written; stop when ``stop`` is set. A run whose notebook failed runs no more."""
    try:
        kernel.warm_up()
    except BaseException as exc:  # handed to the main thread with the next notebook
        warm_up_failed = exc
    else:
        warm_up_failed = None
    while not stop.is_set():
        try:
            run, index = queue.popleft()
        except IndexError:
            return
        done, path = run.executed[index], run.sources[index]
        try:
            if warm_up_failed is not None:
                raise warm_up_failed
            while not run.built.wait(0.05):
                if stop.is_set():
                    return
            if run.failed.is_set():
                continue
            done.set_result(notebooks.execute_notebook(path, kernel))
        except BaseException as exc:  # handed to the main thread, which names the step
            run.failed.set()
            done.set_exception(exc)


def _pages_and_exports(run: Run, say: Callable[[str], None]) -> None:
    from litkit.report import pages  # after the builds (see make_reports)
    from litkit.report.export import write_exports

    with run.step("writing the pages"):
        tables = read_all(paths=run.paths)
        titles = [
            (f"{p.stem}.html", notebooks.notebook_title(nbformat.read(p, as_version=4), p.stem))
            for p in run.sources
        ]
        entries = pages.entries_by_claim(tables)
        articles = pages.write_articles(run.paths, tables, folder=run.folder, entries=entries)
        run.staged += [
            pages.write_stylesheet(run.paths, folder=run.folder),
            *articles,
            pages.write_method(run.paths, tables, folder=run.folder),
            pages.write_index(run.paths, tables, titles, folder=run.folder, entries=entries),
        ]
    say(run.line(f"pages: index, method and {len(articles)} annotated article(s)"))
    with run.step("writing the exports"):
        files = write_exports(run.paths, folder=run.folder / "exports", tables=tables)
        run.staged += files
    say(run.line(f"exports: {', '.join(f.name for f in files)}"))


def _notebook_pages(run: Run, exporter, say: Callable[[str], None]) -> list:
    """Render each notebook as its execution finishes (``exporter``:
    :func:`~litkit.report.notebook_pages.notebook_exporter`); return (notebook, path) pairs."""
    from litkit.report import notebook_pages  # after the builds (see make_reports)

    executed = []
    if run.sources:
        with run.step("notebooks"):
            run.staged.append(notebook_pages.write_stylesheet(exporter, run.folder))
    for path, done in zip(run.sources, run.executed, strict=True):
        with run.step(f"notebook {path.name}"):
            notebook = done.result()
            run.staged.append(
                notebook_pages.render_html(notebook, run.folder / f"{path.stem}.html", exporter)
            )
        executed.append((notebook, path))
    say(run.line(f"notebooks: {len(executed)} executed and rendered"))
    return executed


def _finish(run: Run, executed: list, say: Callable[[str], None]) -> list[Path]:
    """Swap the report in and save the executed notebooks."""
    files, drawn = run.charts
    run.staged += files
    kept = len(files) // 2 - drawn
    say(run.line(f"figures: {len(files) // 2} charts as PNG and SVG ({kept} unchanged, kept)"))
    with run.step("saving the report"):
        _swap_in(run.folder, run.paths.reports)
        saved = [notebooks.save_notebook(notebook, path) for notebook, path in executed]
    say(
        run.line(
            f"saved: the report in {_shown(run.paths, run.paths.reports)}, {len(saved)} "
            f"notebook(s) with their outputs"
        )
    )
    return [run.paths.reports / p.relative_to(run.folder) for p in run.staged] + saved


# --- the steps, for one project or several -------------------------------------------------


def make_report(paths: Paths, *, say: Callable[[str], None] = lambda line: None) -> list[Path]:
    """Tables, pages, exports, notebooks and figures; ``say`` gets one line per step.

    Returns the files written.

    Raises:
        ReportError: naming the step that failed; ``reports/`` and the notebooks are as
            they were before the run.
    """
    return make_reports([paths], say=say)


def make_reports(
    projects: Sequence[Paths],
    *,
    say: Callable[[str], None] = lambda line: None,
    kernels: Sequence[Kernel] | None = None,
) -> list[Path]:
    """:func:`make_report` for each project, at once, in one process; the lines ``say``
    gets start with the project's folder when there are several.

    ``kernels`` are kernels already started in the projects' notebook folders (``litkit report``
    starts them before it imports this module); they are started here where not given.

    Raises:
        ReportError: naming the project and the step that failed; that project's report
            and notebooks are as they were, and so are those of projects not finished.
    """
    if kernels is None:
        with started_kernels(kernel_folders(projects)) as kernels:
            return make_reports(projects, say=say, kernels=kernels)
    runs = [Run(p, Path(), str(p.root) if len(projects) > 1 else "") for p in projects]
    for run in runs:
        run.sources = run.paths.notebook_files
        run.executed = [Future() for _ in run.sources]
    if any(run.sources) and not kernels:
        raise ValueError("make_reports needs a kernel for the projects' notebooks")
    written: list[Path] = []
    with ExitStack() as stack:
        stop = threading.Event()
        # Each kernel waits until it is ready, in its own thread, while the tables are
        # built. The threads then take the notebooks of every project in turn, each in its
        # own folder, so that a project with slow notebooks shares them out.
        queue = deque(
            (run, index)
            for index in range(max((len(r.sources) for r in runs), default=0))
            for run in runs
            if index < len(run.sources)
        )
        threads = stack.enter_context(ThreadPoolExecutor(max_workers=max(len(kernels), 1)))
        for kernel in kernels:
            threads.submit(_execute_all, kernel, queue, stop)
        stack.callback(stop.set)  # on the way out: stop the threads, then the kernels
        for run in runs:
            with run.step("build"):
                tables = list(build(run.paths).values())
            run.built.set()
            say(
                run.line(f"build: {len(tables)} tables in {_shown(run.paths, run.paths.processed)}")
            )
            written += tables
            run.folder = _staging(run.paths)
            stack.callback(shutil.rmtree, run.folder, ignore_errors=True)
        # Only now are the modules that write pages, exports, charts and notebook pages
        # imported (nbconvert, Jinja, openpyxl, matplotlib: a second or more): the kernels
        # got the tables without waiting for them, and run the notebooks meanwhile.
        from litkit.report.notebook_pages import notebook_exporter

        for run in runs:
            _pages_and_exports(run, say)
        for run in runs:
            _charts(run)
        exporter = notebook_exporter()
        for run in runs:
            executed = _notebook_pages(run, exporter, say)
            written += _finish(run, executed, say)
    return written


def _shown(paths: Paths, path: Path) -> str:
    """``path`` relative to the project, as a reader would type it."""
    try:
        return f"{path.relative_to(paths.root)}/"
    except ValueError:
        return f"{path}/"


@contextmanager
def _step(name: str) -> Iterator[None]:
    """Turn an expected failure inside a step of the report into a ReportError naming it.

    Anything else is a bug and keeps its traceback; the report is kept all the same.
    """
    try:
        yield
    except ReportError:
        raise
    except CellExecutionError as exc:
        raise ReportError(name, f"{exc.ename}: {exc.evalue}") from None
    except (LitkitError, CellTimeoutError, DeadKernelError, OSError) as exc:
        raise ReportError(name, str(exc)) from None


def _swap_in(staging: Path, target: Path) -> None:
    """Put the folder ``staging`` where ``target`` is, putting ``target`` back if that fails."""
    old = staging.with_name(staging.name + "-old")
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        if old.exists():
            os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
