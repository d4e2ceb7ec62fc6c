"""The reviewers' report: figures, executed notebooks, their HTML, and the report's own pages.

``litkit report`` (and ``make report``) runs these steps in order, each saying in one line
what it wrote: build the processed tables; save every chart to ``reports/figures/`` as PNG
and SVG; execute the notebooks in place so their committed outputs are current; render them
to ``reports/*.html`` without code cells; write one annotated page per article, the method
page and ``index.html``; write the take-away files to ``reports/exports/``.

Every page opens from the file system with nothing loaded from the network, and everything
written is deterministic: a second run changes no tracked file.

The report is never left half-updated: it is built in a temporary folder beside
``reports/`` and swapped in only when every step has succeeded, and the executed notebooks
are saved only then. When a step fails, ``reports/`` and the notebooks stay as they were and
a :class:`ReportError` names the step. (The processed tables are data, not the report: the
build step writes them whole, table by table, before the report is drawn.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import pandas as pd
from jupyter_client import KernelManager
from matplotlib.axes import Axes
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter

from litkit.config import Paths
from litkit.errors import LitkitError, ReportError
from litkit.files import atomic_write
from litkit.pipeline import build
from litkit.processed import read_all
from litkit.report import pages, plots, views
from litkit.report.export import EXPORTS, write_exports

HEADLINE = pages.HEADLINE_FIGURE
KERNEL = "python3"
NOTEBOOK_TIMEOUT = 600  # seconds per cell; the notebooks take seconds
TEMPLATES = Path(__file__).parent / "templates"
NOTEBOOK_TEMPLATE = "litkit"  # templates/nbconvert/litkit: lab, minus every CDN script
NO_METHOD = "# Method\n\nThis project has no method document yet (`docs/method.md`).\n"


def figure_makers(tables: dict[str, pd.DataFrame]) -> dict[str, Callable[[], Axes]]:
    """Each figure's file name → a function that draws it from the processed tables."""
    labels = views.indication_labels(tables["indications"])
    return {
        HEADLINE: lambda: plots.plot_evidence_by_outcome(
            views.outcome_rows(tables["evidence_by_outcome"])
        ),
        "evidence-gap-map": lambda: plots.plot_evidence_gap_map(
            views.gap_cells(tables["evidence_gap_map"])
        ),
        "claims-by-verdict": lambda: plots.plot_claims_by_verdict(
            views.claim_rows(tables["claims"], labels)
        ),
        "works-over-time": lambda: plots.plot_works_over_time(
            views.year_design_counts(tables["designs"])
        ),
        "citation-counts": lambda: plots.plot_citation_counts(views.citation_rows(tables["works"])),
    }


def save_figure(fig: plt.Figure, stem: Path) -> list[Path]:
    """Save ``fig`` as PNG and SVG, without dates or random ids, so reruns are identical."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context({"svg.hashsalt": "litkit", "svg.fonttype": "none"}):
        for suffix, metadata in ((".png", {"Software": None}), (".svg", {"Date": None})):
            path = stem.with_suffix(suffix)
            fig.savefig(path, dpi=150, metadata=metadata)
            written.append(path)
    return written


def write_figures(paths: Paths, *, folder: Path | None = None) -> list[Path]:
    """Draw every chart from the processed tables and save it to ``folder``
    (``reports/figures`` by default)."""
    written = []
    for name, draw in figure_makers(read_all(paths=paths)).items():
        ax = draw()
        written += save_figure(ax.figure, (folder or paths.figures) / name)
        plt.close(ax.figure)
    return written


# --- notebooks -----------------------------------------------------------------------------


def notebook_files(paths: Paths) -> list[Path]:
    """The numbered notebooks, in order."""
    return sorted(paths.notebooks.glob("[0-9][0-9]-*.ipynb"))


def kernel_environment() -> dict[str, str]:
    """This process's environment without ``MPLBACKEND``: a backend set for scripts (Agg)
    would stop the kernel's inline backend, and the notebooks would lose their charts."""
    return {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}


@contextmanager
def one_kernel(folder: Path) -> Iterator[KernelManager]:
    """One kernel, started in ``folder``, for every notebook of a report.

    Starting a kernel (and importing pandas and matplotlib in it) costs more than running
    the notebooks, so the report starts one and clears it between notebooks.
    """
    km = KernelManager(kernel_name=KERNEL)
    km.start_kernel(env=kernel_environment(), cwd=str(folder))
    try:
        yield km
    finally:
        km.shutdown_kernel(now=True)


def _fresh(km: KernelManager) -> None:
    """Clear the kernel's names and restart its cell numbering, as a new kernel would be."""
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=NOTEBOOK_TIMEOUT)
        reply = client.execute_interactive(
            "get_ipython().reset(new_session=True)", store_history=False, timeout=NOTEBOOK_TIMEOUT
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel could not be cleared: {reply['content']}")
    finally:
        client.stop_channels()


def execute_notebook(path: Path, km: KernelManager | None = None) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in its own folder; return it with its outputs (unsaved).

    With ``km`` (see :func:`one_kernel`), it runs in that kernel, cleared first.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=NOTEBOOK_TIMEOUT,
        kernel_name=KERNEL,
        record_timing=False,
        km=km,
        resources={"metadata": {"path": str(path.parent)}},
    )
    if km is not None:
        _fresh(km)
    client.execute(env=kernel_environment())
    return notebook


def save_notebook(notebook: nbformat.NotebookNode, path: Path) -> Path:
    """Write an executed notebook over its file, atomically, keeping the file's permissions."""
    mode = path.stat().st_mode
    atomic_write(path, lambda out: nbformat.write(notebook, out))
    path.chmod(mode)
    return path


def notebook_exporter() -> HTMLExporter:
    """HTML for reviewers: outputs only (the notebooks keep their code), nothing from a CDN."""
    return HTMLExporter(
        template_name=NOTEBOOK_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def render_html(notebook: nbformat.NotebookNode, target: Path) -> Path:
    """Render an executed notebook to a standalone HTML page."""
    body, _ = notebook_exporter().from_notebook_node(notebook)
    return atomic_write(target, lambda out: out.write(body))


def notebook_title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of a notebook."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


# --- the report's own pages ----------------------------------------------------------------


def _write_page(target: Path, template: str, context: dict) -> Path:
    html = pages.render(template, context)
    return atomic_write(target, lambda out: out.write(html))


def write_articles(
    paths: Paths, tables: dict[str, pd.DataFrame], *, folder: Path | None = None
) -> list[Path]:
    """One annotated page per article: its own text, every claim highlighted and explained."""
    written = []
    for article in tables["articles"].itertuples():
        text = (paths.raw / article.text_file).read_text(encoding="utf-8")
        context = pages.article_context(tables, article.article_id, text)
        written.append(
            _write_page(
                (folder or paths.reports) / pages.article_href(article.article_id),
                "article.html.j2",
                context,
            )
        )
    return written


def write_method(
    paths: Paths, tables: dict[str, pd.DataFrame], *, folder: Path | None = None
) -> Path:
    """``reports/method.html``: ``docs/method.md`` rendered (a placeholder where there is none)."""
    source = paths.root / "docs" / "method.md"
    markdown = source.read_text(encoding="utf-8") if source.is_file() else NO_METHOD
    return _write_page(
        (folder or paths.reports) / "method.html",
        "method.html.j2",
        pages.method_context(markdown, tables["articles"]),
    )


def write_index(
    paths: Paths,
    tables: dict[str, pd.DataFrame],
    notebooks: list[tuple[str, str]],
    *,
    folder: Path | None = None,
) -> Path:
    """``reports/index.html``: what the report found, how far to trust it, and the links."""
    downloads = [(f"exports/{name}", what) for name, what in EXPORTS.items()]
    context = pages.index_context(tables, notebooks=notebooks, downloads=downloads)
    return _write_page((folder or paths.reports) / "index.html", "index.html.j2", context)


# --- the steps -----------------------------------------------------------------------------


@dataclass
class Run:
    """What the steps share: the project, the folder the report is staged in, what is done."""

    paths: Paths
    folder: Path
    notebooks: list[tuple[str, str]] = field(default_factory=list)
    executed: list[tuple[nbformat.NotebookNode, Path]] = field(default_factory=list)
    staged: list[Path] = field(default_factory=list)


def _step_notebooks(run: Run) -> str:
    # First: the likeliest step to fail, and the longest.
    with one_kernel(run.paths.notebooks) as km:
        for path in notebook_files(run.paths):
            with _step(f"notebook {path.name}"):
                notebook = execute_notebook(path, km)
                run.staged.append(render_html(notebook, run.folder / f"{path.stem}.html"))
            run.notebooks.append((run.staged[-1].name, notebook_title(notebook, path.stem)))
            run.executed.append((notebook, path))
    return f"notebooks: {len(run.notebooks)} executed and rendered"


def _draw_figures(run: Run) -> list[Path]:
    return write_figures(
        run.paths, folder=run.folder / run.paths.figures.relative_to(run.paths.reports)
    )


def _step_figures(run: Run, drawn: Future | None = None) -> str:
    """The figures: drawn already in the background (``drawn``), or drawn now."""
    files = drawn.result() if drawn is not None else _draw_figures(run)
    run.staged += files
    return f"figures: {len(files) // 2} charts as PNG and SVG"


def _step_pages(run: Run) -> str:
    tables = read_all(paths=run.paths)
    articles = write_articles(run.paths, tables, folder=run.folder)
    run.staged += [
        *articles,
        write_method(run.paths, tables, folder=run.folder),
        write_index(run.paths, tables, run.notebooks, folder=run.folder),
    ]
    return f"pages: index, method and {len(articles)} annotated article(s)"


def _step_exports(run: Run) -> str:
    files = write_exports(run.paths, folder=run.folder / "exports")
    run.staged += files
    return f"exports: {', '.join(f.name for f in files)}"


# Each step's name (as a failure names it) and what it does.
STEPS = (
    ("notebooks", _step_notebooks),
    ("drawing the figures", _step_figures),
    ("writing the pages", _step_pages),
    ("writing the exports", _step_exports),
)


def make_report(paths: Paths, *, say: Callable[[str], None] = lambda line: None) -> list[Path]:
    """Tables, notebooks, figures, pages and exports; ``say`` gets one line per step.

    Returns the files written.

    Raises:
        ReportError: naming the step that failed; ``reports/`` and the notebooks are as
            they were before the run.
    """
    with _step("build"):
        tables = list(build(paths).values())
    say(f"build: {len(tables)} tables in {_shown(paths, paths.processed)}")
    staging = Path(tempfile.mkdtemp(dir=paths.reports.parent, prefix=f".{paths.reports.name}-"))
    # mkdtemp makes a private folder; the report keeps the permissions of the one it replaces.
    staging.chmod(
        paths.reports.stat().st_mode if paths.reports.is_dir() else paths.root.stat().st_mode
    )
    try:
        if paths.reports.is_dir():  # what is not rebuilt carries over
            shutil.copytree(paths.reports, staging, dirs_exist_ok=True)
        run = Run(paths, staging)
        # The figures are drawn in a second process while the notebooks run in their kernel,
        # so the two use both cores (a thread would share pyplot with this one's imports).
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as pool:
            drawn = pool.submit(_draw_figures, run)
            for name, step in STEPS:
                with _step(name):
                    say(_step_figures(run, drawn) if step is _step_figures else step(run))
        with _step("saving the report"):
            _swap_in(staging, paths.reports)
            saved = [save_notebook(notebook, path) for notebook, path in run.executed]
        say(
            f"saved: the report in {_shown(paths, paths.reports)}, {len(saved)} notebook(s) "
            f"with their outputs"
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return tables + [paths.reports / p.relative_to(staging) for p in run.staged] + saved


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
