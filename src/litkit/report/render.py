"""The reviewers' report: figures, executed notebooks, and their HTML.

``litkit report`` (and ``make report``) runs the pipeline, saves every chart to
``reports/figures/`` as PNG and SVG, executes the notebooks in place so their committed
outputs are current, and renders them to ``reports/*.html`` with an ``index.html``.
Everything written is deterministic: a second run changes no tracked file.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import pandas as pd
from matplotlib.axes import Axes
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from litkit.config import Paths
from litkit.pipeline import build
from litkit.processed import read_all, read_processed
from litkit.report import plots, views
from litkit.report.views import indication_labels

HEADLINE = "evidence-by-outcome"
KERNEL = "python3"
NOTEBOOK_TIMEOUT = 600  # seconds per cell; the notebooks take seconds


def figure_makers(paths: Paths) -> dict[str, tuple[str, Callable[[pd.DataFrame], Axes]]]:
    """Each figure's file name → (the table it draws, the function that draws it)."""
    labels = indication_labels(read_processed("indications", paths=paths))
    return {
        HEADLINE: ("evidence_by_outcome",
                   lambda t: plots.plot_evidence_by_outcome(views.outcome_rows(t))),
        "evidence-gap-map": ("evidence_gap_map", plots.plot_evidence_gap_map),
        "claims-by-verdict": (
            "claims", lambda t: plots.plot_claims_by_verdict(t, labels=labels)),
        "works-over-time": ("designs", plots.plot_works_over_time),
        "citation-counts": ("works", plots.plot_citation_counts),
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


def write_figures(paths: Paths) -> list[Path]:
    """Draw every chart from the processed tables and save it to ``reports/figures``."""
    tables = read_all(paths=paths)
    written = []
    for name, (table, draw) in figure_makers(paths).items():
        ax = draw(tables[table])
        written += save_figure(ax.figure, paths.figures / name)
        plt.close(ax.figure)
    return written


def notebook_files(paths: Paths) -> list[Path]:
    """The numbered notebooks, in order."""
    return sorted(paths.notebooks.glob("[0-9][0-9]-*.ipynb"))


def kernel_environment() -> dict[str, str]:
    """This process's environment without ``MPLBACKEND``: a backend set for scripts (Agg)
    would stop the kernel's inline backend, and the notebooks would lose their charts."""
    return {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}


def execute_notebook(path: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in its own folder and save it with its outputs."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=NOTEBOOK_TIMEOUT, kernel_name=KERNEL,
                            record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=kernel_environment())
    nbformat.write(notebook, path)
    return notebook


def render_html(notebook: nbformat.NotebookNode, target: Path) -> Path:
    """Render an executed notebook to a standalone HTML page."""
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target


def notebook_title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of a notebook."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def write_index(paths: Paths, pages: list[tuple[str, str]]) -> Path:
    """``reports/index.html``: the headline chart and a link to each rendered notebook."""
    items = "\n".join(f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>'
                      for href, title in pages)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>litkit report</title>
  <style>
    body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
    img {{ max-width: 100%; height: auto; border: 1px solid #ddd; }}
  </style>
</head>
<body>
  <h1>How well are the articles' claims backed by what they cite?</h1>
  <p>litkit's report on the articles under review. For each indication and outcome the
  chart sets side by side the certainty an article's claims assert, the certainty of the
  evidence it cites, and the certainty of the best available evidence, graded with a
  GRADE-based method (see <code>docs/method.md</code>).</p>
  <figure>
    <img src="figures/{HEADLINE}.svg" alt="Certainty by indication and outcome: asserted, cited, best evidence">
    <figcaption>Certainty by indication and outcome: what the articles assert (diamond),
    what their citations support (circle), what the best evidence supports (square).</figcaption>
  </figure>
  <h2>The notebooks, in the order of the argument</h2>
  <ol>
{items}
  </ol>
  <p>Regenerate everything with <code>make report</code>.</p>
</body>
</html>
"""
    target = paths.reports / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target


def make_report(paths: Paths) -> list[Path]:
    """Tables, figures, executed notebooks, HTML pages and the index; the files written."""
    written = list(build(paths).values())
    written += write_figures(paths)
    pages = []
    for path in notebook_files(paths):
        notebook = execute_notebook(path)
        html_path = render_html(notebook, paths.reports / f"{path.stem}.html")
        pages.append((html_path.name, notebook_title(notebook, path.stem)))
        written += [path, html_path]
    written.append(write_index(paths, pages))
    return written
