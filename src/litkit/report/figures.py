"""The report's charts as files: ``reports/figures/<name>.png`` and ``.svg``.

Each chart is drawn from one table that :mod:`litkit.report.views` shapes from the
processed tables. Drawing is the slowest part of a report after the notebooks, and most
reports would redraw charts whose data has not changed, so every file carries the key of
what it was drawn from: a hash of that table's data and of everything else that decides
the pixels (litkit's drawing code, the versions of matplotlib, Pillow, NumPy and pandas,
matplotlib's settings and the fonts it can choose from). A chart is drawn again unless
both of its files carry the key its inputs have now: a file is never kept for data or code
it was not drawn from.

Every file is deterministic (no date, no random id), so a rerun that draws changes nothing.

matplotlib's drawing side (pyplot, the plot functions) is imported only when a chart is
drawn: a report whose charts are all current imports only what the keys need
(matplotlib's settings and font list).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from litkit.report import views
from litkit.report.shared import HEADLINE_FIGURE

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 150
KEY_FIELD = "Identifier"  # the metadata field that holds the key, in the PNG and the SVG
KEY_PREFIX = "litkit-figure-inputs:"
# matplotlib settings that do not change a saved file (and the backend, which reading
# would choose).
NOT_DRAWING = ("backend", "interactive", "keymap.", "webagg.", "toolbar", "savefig.directory")
# The code that turns a chart's table into pixels: the plot functions, every litkit module
# they use (a test checks that none is missing), and this module, which saves the files.
# The rest of litkit shapes the tables, whose data is in the key itself.
DRAWING_CODE = (
    "litkit.report.plots",
    "litkit.report.palette",
    "litkit.report.shared",
    "litkit.vocabulary",
    __name__,
)
SVG_KEY = re.compile(r"<dc:identifier>" + KEY_PREFIX + r"([0-9a-f]{64})</dc:identifier>")


@dataclass(frozen=True)
class Chart:
    """One chart: the table it shows and the plot function (of :mod:`litkit.report.plots`,
    by name) that draws that table."""

    name: str
    data: pd.DataFrame
    plot: str


def draw(chart: Chart) -> Axes:
    """The chart drawn on a new figure."""
    from litkit.report import plots

    return getattr(plots, chart.plot)(chart.data)


def charts(tables: Mapping[str, pd.DataFrame]) -> list[Chart]:
    """Every chart of the report, each with its table, shaped from the processed tables."""
    labels = views.indication_labels(tables["indications"])
    return [
        Chart(
            HEADLINE_FIGURE,  # the chart the index shows
            views.outcome_rows(tables["evidence_by_outcome"]),
            "plot_evidence_by_outcome",
        ),
        Chart(
            "evidence-gap-map",
            views.gap_cells(tables["evidence_gap_map"]),
            "plot_evidence_gap_map",
        ),
        Chart(
            "claims-by-verdict",
            views.claim_rows(tables["claims"], labels),
            "plot_claims_by_verdict",
        ),
        Chart(
            "works-over-time",
            views.year_design_counts(tables["designs"]),
            "plot_works_over_time",
        ),
        Chart("citation-counts", views.citation_rows(tables["works"]), "plot_citation_counts"),
    ]


@cache
def _code_digest() -> str:
    """What decides a chart's pixels besides its data, as one hash: the drawing code
    (:data:`DRAWING_CODE`), the drawing libraries' versions, matplotlib's settings and the
    fonts it can choose from."""
    import matplotlib
    from matplotlib import font_manager

    digest = hashlib.sha256()
    for module in DRAWING_CODE:
        digest.update(module.encode() + b"\0" + Path(find_spec(module).origin).read_bytes())
    versions = [version(name) for name in ("matplotlib", "pillow", "numpy", "pandas")]
    digest.update(repr(versions).encode())
    settings = sorted(
        (k, matplotlib.rcParams[k]) for k in matplotlib.rcParams if not k.startswith(NOT_DRAWING)
    )
    digest.update(repr(settings).encode())
    # By file name, not path: the same fonts installed elsewhere draw the same pixels.
    fonts = sorted(
        (Path(f.fname).name, f.name, f.style, f.weight, str(f.stretch))
        for f in font_manager.fontManager.ttflist
    )
    digest.update(repr(fonts).encode())
    return digest.hexdigest()


def chart_key(chart: Chart) -> str:
    """The hash of everything a chart's files are made from: its name, its table (values,
    columns, index and types) and :func:`_code_digest`."""
    frame = chart.data
    digest = hashlib.sha256(_code_digest().encode())
    digest.update(chart.name.encode() + b"\0")
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(frame.to_csv(lineterminator="\n").encode())
    return digest.hexdigest()


def saved_key(stem: Path) -> str | None:
    """The key both files of a saved chart carry, or None when they are missing, carry no
    key or disagree."""
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    if not (png.is_file() and svg.is_file()):
        return None
    found = SVG_KEY.search(svg.read_text(encoding="utf-8", errors="replace"))
    # In the PNG the key is a tEXt chunk, stored as written: keyword, NUL, text.
    if found is None or _png_text(found.group(1)) not in png.read_bytes():
        return None
    return found.group(1)


def _png_text(key: str) -> bytes:
    return f"{KEY_FIELD}\0{KEY_PREFIX}{key}".encode("latin-1")


def save_figure(fig: Figure, stem: Path, *, key: str | None = None) -> list[Path]:
    """Save ``fig`` as PNG and SVG, without dates or random ids, so reruns are identical;
    ``key`` (see :func:`chart_key`) is written into both files' metadata."""
    import matplotlib

    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    mark = {KEY_FIELD: KEY_PREFIX + key} if key else {}
    with matplotlib.rc_context({"svg.hashsalt": "litkit", "svg.fonttype": "none"}):
        for suffix, metadata in ((".png", {"Software": None}), (".svg", {"Date": None})):
            path = stem.with_suffix(suffix)
            fig.savefig(path, dpi=DPI, metadata=metadata | mark)
            written.append(path)
    return written


def write_charts(tables: Mapping[str, pd.DataFrame], folder: Path) -> tuple[list[Path], int]:
    """Save every chart to ``folder``, drawing only those whose files do not carry the key
    of their inputs now. Returns the chart files (drawn or kept) and how many were drawn."""
    files, drawn = [], 0
    for chart in charts(tables):
        stem, key = folder / chart.name, chart_key(chart)
        if saved_key(stem) != key:
            import matplotlib.pyplot as plt

            ax = draw(chart)
            save_figure(ax.figure, stem, key=key)
            plt.close(ax.figure)
            drawn += 1
        files += [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    return files, drawn
