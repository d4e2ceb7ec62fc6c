"""Charts of how well an article's claims are backed by the evidence: drawing only.

Each plot function takes a table already shaped by :mod:`litkit.report.views` (one
function per chart, named in its docstring), draws it and returns the axes. The readers are
clinicians and evidence reviewers, so every chart carries a title, a short caption saying
what it describes, labelled axes, a legend wherever colour or shape means something, and
fonts of at least 9 pt. Colour means certainty or verdict and nothing else
(:mod:`litkit.report.palette`); certainties and counts are printed on the bars and marks.
Vocabulary values are written as the report's pages write them
(:func:`litkit.report.shared.words`: "RCT", "very low", "not graded").

House style: a plot function draws on the ``ax`` it is given and returns it; saving is the
caller's job. Without an ``ax`` it makes a constrained-layout figure sized for its content.
The functions never change the table they are given, write no files and leave the global
``rcParams`` alone.

>>> import pandas as pd
>>> from litkit.report import views
>>> claims = pd.DataFrame({"claim_id": ["A01"], "article_id": ["A"],
...                        "indication": ["general"], "verdict": ["supported"]})
>>> ax = plot_claims_by_verdict(views.claim_rows(claims))
>>> ax.get_xlabel()
'Number of claims'
>>> import matplotlib.pyplot as plt; plt.close(ax.figure)
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from litkit.report.palette import (
    ASSERTED_HATCH,
    CERTAINTY_COLOURS,
    DIRECTION_MARKERS,
    EDGE_COLOUR,
    GRID_COLOUR,
    HATCH_COLOUR,
    NEUTRAL,
    UNKNOWN_DIRECTION,
    UNKNOWN_DIRECTION_MARKER,
    VERDICT_COLOURS,
    ink_on,
)
from litkit.report.shared import require_columns, words
from litkit.vocabulary import CERTAINTIES, CITED_SCOPE, DIRECTIONS, VERDICTS

# --- Typography and sizes (points and inches) ----------------------------------------

TITLE_SIZE = 12
SUBTITLE_SIZE = 9.5
LABEL_SIZE = 10
NOTE_SIZE = 9
FIG_WIDTH = 9.5
SUBTITLE_WIDTH = 90  # characters per caption line
SUBTITLE_GID = "subtitle"
MESSAGE_GID = "message"
VALUE_GID = "value"  # the certainties and counts printed on bars and marks

NICE_STEPS = (1, 2, 2.5, 5, 10)  # tick steps for counts: 1, 2, 5, 10, 20, 25, 50...
MIN_WORK_AREA = 150.0  # marker area (pt²) per cited work in the gap map: room for "1" ...
MAX_WORK_AREA = 400.0  # ... and no bigger than this, however large the cells
SIZE_KEY = (1, 2, 4)  # works shown in the gap map's size legend
GAP_MAP_MIN_HEIGHT = 5.6  # inches: room for its two legends, one above the other
SCALE = tuple(reversed(CERTAINTIES))  # none, very-low, low, moderate, high: left to right


# --- Small helpers -------------------------------------------------------------------


def _wrap(label: str, width: int) -> str:
    """``label`` wrapped onto lines of at most ``width`` characters."""
    return textwrap.fill(label, width, break_on_hyphens=False) or label


def _plural(n: int, noun: str) -> str:
    """``"1 work"``, ``"2 works"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _row_height(labels: Sequence[str], per_line: float = 0.19, floor: float = 0.42) -> float:
    """Inches of figure height needed for horizontal rows carrying ``labels``."""
    return sum(max(floor, per_line * (label.count("\n") + 1) + 0.16) for label in labels)


def _axes(ax: Axes | None, height: float) -> Axes:
    """``ax``, or the axes of a new constrained-layout figure ``height`` inches tall."""
    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH, max(height, 3.5)), layout="constrained")
    return ax


def _titles(ax: Axes, title: str, *captions: str, x: str, y: str) -> None:
    """A bold title with smaller caption lines between it and the axes, and the axis labels.

    Each caption starts on its own line and is wrapped to fit; ``x`` and ``y`` label the
    axes, with their units.
    """
    ax.set_xlabel(x, fontsize=LABEL_SIZE)
    ax.set_ylabel(y, fontsize=LABEL_SIZE)
    lines = [
        line for caption in captions if caption for line in textwrap.wrap(caption, SUBTITLE_WIDTH)
    ]
    ax.set_title(
        title, fontsize=TITLE_SIZE, fontweight="bold", pad=10 + 1.3 * SUBTITLE_SIZE * len(lines)
    )
    if lines:
        ax.annotate(
            "\n".join(lines),
            xy=(0.5, 1),
            xycoords="axes fraction",
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=SUBTITLE_SIZE,
            color="#333333",
            gid=SUBTITLE_GID,
        )


def _message(ax: Axes, message: str) -> None:
    """A centred message in an axes that has nothing to plot; ticks are removed."""
    ax.text(
        0.5,
        0.5,
        _wrap(message, 60),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=LABEL_SIZE + 1,
        color="#333333",
        gid=MESSAGE_GID,
    )
    ax.set_xticks([])
    ax.set_yticks([])


def _legend(
    ax: Axes,
    handles: list,
    title: str,
    *,
    loc: str = "upper left",
    anchor: tuple[float, float] = (1.02, 1.0),
    **options: float,
) -> None:
    """A legend outside the axes, to the right, so it never covers data.

    A second call keeps the first legend (as an artist); the newest is ``ax.get_legend()``.
    """
    previous = ax.get_legend()
    if previous is not None:
        ax.add_artist(previous)
        previous.set_clip_on(False)  # else layout treats it as clipped to the axes, ignores it
    ax.legend(
        handles=handles,
        title=title,
        loc=loc,
        bbox_to_anchor=anchor,
        borderaxespad=0,
        frameon=False,
        fontsize=LABEL_SIZE,
        title_fontsize=LABEL_SIZE,
        alignment="left",
        **options,
    )


def _patch(colour: str, label: str, hatch: str | None = None) -> Patch:
    """A legend swatch."""
    return Patch(facecolor=colour, edgecolor=EDGE_COLOUR, linewidth=0.6, hatch=hatch, label=label)


def _lay_out(figure: Figure) -> None:
    """Place the axes as the figure's layout engine will when it is drawn, without drawing
    it (a texts' extents are measured as they are laid out)."""
    if (engine := figure.get_layout_engine()) is not None:
        engine.execute(figure)


def _fit_x_to_texts(ax: Axes, texts: Sequence[Text], data_max: float, data_min: float = 0) -> None:
    """Widen the x axis so labels placed after the bar ends stay inside the axes.

    The text widths are only known once the figure is laid out, so this lays it out once
    (without drawing), measures, and sets the right limit.
    """
    ax.set_xlim(data_min, data_max)
    _lay_out(ax.figure.canvas.figure)
    width = ax.get_window_extent().width
    span = data_max - data_min
    needed = span
    for text in texts:
        x = text.xy[0] if hasattr(text, "xy") else text.get_position()[0]
        anchor = ax.transData.transform((x, 0))[0]
        overhang = text.get_window_extent().x1 - anchor + 6
        room = max(width - overhang, width / 4)
        needed = max(needed, (x - data_min) * width / room)
    ax.set_xlim(data_min, data_min + needed)


def _hide_spines(ax: Axes, *sides: str) -> None:
    """Hide the named spines (less ink, same information)."""
    for side in sides:
        ax.spines[side].set_visible(False)


def _count_axis(axis) -> None:
    """Integer ticks at nice steps, for counts."""
    axis.set_major_locator(MaxNLocator(integer=True, steps=NICE_STEPS))


# --- 1. Evidence by indication and outcome: asserted, cited, best --------------------------

# The three bars of each question, top to bottom, and how each is labelled.
BARS = (
    ("asserted", "claimed by the article"),
    ("cited_certainty", "evidence it cites"),
    ("best_certainty", "best evidence"),
)
GROUP_GAP = 0.7  # bar heights between two questions
HEADING_WIDTH = 64  # characters per heading line
HEADING_LINE = 0.75  # bar heights per heading line


def _headings(rows: pd.DataFrame) -> list[str]:
    """Each question's heading: its label, and by how much the claim outruns the evidence."""
    headings = []
    for row in rows.itertuples():
        beyond = int(row.beyond_best) if pd.notna(row.beyond_best) else 0
        note = f" — claimed {_plural(beyond, 'level')} above the best evidence" if beyond else ""
        headings.append(_wrap(row.row + note, HEADING_WIDTH))
    return headings


def _bar_positions(headings: list[str]) -> tuple[list[float], list[list[float]]]:
    """y of each question's heading (its baseline) and of its three bars, one under another."""
    tops, bars, y = [], [], 0.0
    for heading in headings:
        y += HEADING_LINE * (heading.count("\n") + 1)
        tops.append(y - 0.35)
        bars.append([y + 0.2 + k for k in range(len(BARS))])
        y += len(BARS) + GROUP_GAP
    return tops, bars


def plot_evidence_by_outcome(rows: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Per indication × outcome, three bars on the certainty scale: claimed, cited, best.

    ``rows`` is :func:`litkit.report.views.outcome_rows`. Bar length and colour are the
    certainty (GRADE), printed at the bar's end; the claimed bar is hatched: the certainty the
    article's strongest claim asserts (asserting an effect as established claims high
    certainty). A claimed bar longer than the best-evidence bar is an assertion the evidence
    does not carry; the heading says by how many levels.
    """
    require_columns(
        rows,
        ("row", "asserted", "cited_certainty", "best_certainty", "beyond_best"),
        shaped_by="outcome_rows",
    )
    headings = _headings(rows)
    tops, bars = _bar_positions(headings)
    ax = _axes(ax, 0.19 * (bars[-1][-1] + 1 if bars else 1) + 2.6)
    _titles(
        ax,
        "Certainty by indication and outcome: claimed, cited, best evidence",
        "For each question the articles make a graded claim about: the certainty the "
        "strongest claim asserts (hatched), the certainty of the evidence the article cites, "
        "and of the best available evidence, cited or not.",
        x="Certainty of evidence (GRADE)",
        y="Indication · outcome",
    )
    if rows.empty:
        _message(ax, "No indication and outcome with a graded claim to show.")
        return ax
    texts = []
    for i, row in enumerate(rows.itertuples()):
        ax.text(
            0, tops[i], headings[i], fontsize=LABEL_SIZE, fontweight="bold", va="bottom", ha="left"
        )
        for (column, _), y in zip(BARS, bars[i], strict=False):
            texts.append(_certainty_bar(ax, y, getattr(row, column), hatched=column == "asserted"))
    ticks = [y for group in bars for y in group]
    ax.set_yticks(ticks, [label for _ in bars for _, label in BARS], fontsize=NOTE_SIZE)
    ax.set_ylim(bars[-1][-1] + 0.7, -0.3)
    ax.set_xticks(range(len(SCALE)), [words(s) for s in SCALE], fontsize=LABEL_SIZE)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    _hide_spines(ax, "top", "right")
    _fit_x_to_texts(ax, texts, len(SCALE) - 0.6, data_min=-0.05)
    _legend(
        ax,
        [_patch(CERTAINTY_COLOURS[c], words(c)) for c in reversed(SCALE)]
        + [_patch("#FFFFFF", "claimed by the article", ASSERTED_HATCH)],
        "Certainty",
    )
    return ax


def _certainty_bar(ax: Axes, y: float, certainty: object, *, hatched: bool) -> Text:
    """One bar from "none" to ``certainty``, coloured by it, with the certainty printed."""
    value = certainty if isinstance(certainty, str) else "none"
    if value not in SCALE:
        raise ValueError(f"unknown certainty {value!r}; expected one of: {', '.join(SCALE)}")
    length = SCALE.index(value)
    if length:
        ax.barh(
            y,
            length,
            height=0.75,
            color=CERTAINTY_COLOURS[value],
            edgecolor=EDGE_COLOUR,
            linewidth=0.6,
            hatch=ASSERTED_HATCH if hatched else None,
            hatchcolor=HATCH_COLOUR,
            gid=value,
        )
    return ax.annotate(
        words(value),
        xy=(length, y),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        ha="left",
        fontsize=NOTE_SIZE,
        gid=VALUE_GID,
    )


# --- 2. Evidence gap map ---------------------------------------------------------------


def _direction_marker(direction: str) -> str:
    return DIRECTION_MARKERS.get(direction, UNKNOWN_DIRECTION_MARKER)


def _direction_legend(ax: Axes, directions: Sequence[str]) -> None:
    """The legend of marker shapes: every direction of effect, in vocabulary order."""
    shown = list(DIRECTIONS) + ([UNKNOWN_DIRECTION] if UNKNOWN_DIRECTION in directions else [])
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker=_direction_marker(d),
            markersize=11,
            markerfacecolor=NEUTRAL,
            markeredgecolor=EDGE_COLOUR,
            label=words(d),
        )
        for d in shown
    ]
    _legend(ax, handles, "Dominant direction\nof effect (shape)")


def _size_legend(ax: Axes, largest: int, area: float) -> None:
    """The legend of marker sizes: 1, 2 and 4 works, and the largest count if bigger."""
    sizes = [*SIZE_KEY, largest] if largest > SIZE_KEY[-1] else list(SIZE_KEY)
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=(n * area) ** 0.5,
            markerfacecolor="#FFFFFF",
            markeredgecolor=EDGE_COLOUR,
            label=_plural(n, "work"),
        )
        for n in sizes
    ]
    diameter = (sizes[-1] * area) ** 0.5 / LABEL_SIZE  # in font sizes, as legends measure
    _legend(
        ax,
        handles,
        "Cited works\n(marker area)",
        loc="lower left",
        anchor=(1.02, 0.0),
        labelspacing=0.4 + diameter / 2,
        handlelength=diameter,
        handletextpad=0.8,
    )


def _cell_area(ax: Axes, rows: int, columns: int, largest: int) -> float:
    """Area (pt²) per work so that the largest marker spans at most 70% of its cell.

    Cell size is only known after layout, so the figure is laid out once to measure it.
    """
    figure = ax.figure.canvas.figure
    _lay_out(figure)
    box = ax.get_window_extent()
    cell = min(box.width / columns, box.height / rows) * 72 / figure.dpi
    return min(max((0.7 * cell) ** 2 / largest, MIN_WORK_AREA), MAX_WORK_AREA)


def _gap_axes(ax: Axes, labels: list[str], columns: list[str]) -> None:
    """Grid, tick labels and limits of the gap map."""
    ax.set_xticks(range(len(columns)), [words(c) for c in columns], fontsize=LABEL_SIZE)
    if len(columns) > 4:
        ax.tick_params(axis="x", labelrotation=40)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    ax.set_yticks(range(len(labels)), [_wrap(label, 28) for label in labels], fontsize=LABEL_SIZE)
    ax.set_xlim(-0.5, max(len(columns), 1) - 0.5)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xticks([x + 0.5 for x in range(len(columns) - 1)], minor=True)
    ax.set_yticks([y + 0.5 for y in range(len(labels) - 1)], minor=True)
    ax.grid(which="minor", color=GRID_COLOUR, linewidth=0.8)
    ax.tick_params(which="both", length=0)
    ax.set_axisbelow(True)


def plot_evidence_gap_map(cells: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Grid of indications × study designs: where the cited evidence is, and isn't.

    ``cells`` is :func:`litkit.report.views.gap_cells`. One row per indication (including
    indications with no cited works, shown as empty rows: the gaps are the point), one
    column per design that occurs, strongest on the left. Marker area and the number beside
    it count the cited works; the marker's shape is the dominant direction of their findings.
    The two legends sit one above the other to the right of the grid: an ``ax`` passed in
    needs about 4 in of height for them.
    """
    require_columns(
        cells, ("indication", "label", "design", "n_works", "direction"), shaped_by="gap_cells"
    )
    labels = list(dict.fromkeys(zip(cells["indication"], cells["label"], strict=False)))
    filled = cells[cells["design"].notna()]
    columns = list(dict.fromkeys(filled["design"]))
    wrapped = [_wrap(label, 28) for _, label in labels]
    ax = _axes(ax, max(_row_height(wrapped, floor=0.55) + 3.0, GAP_MAP_MIN_HEIGHT))
    _titles(
        ax,
        "Evidence gap map: cited works by indication and design",
        f"Scope: {CITED_SCOPE}. Marker area and number: cited works; marker shape: dominant "
        "direction of effect. Empty cells and rows are gaps in what is cited.",
        x="Study design (strongest on the left)",
        y="Indication",
    )
    _gap_axes(ax, [label for _, label in labels], columns)
    _hide_spines(ax, "top", "right", "bottom", "left")
    if filled.empty:
        _message(ax, "The article cites no works for these indications.")
        return ax
    row_of = {key: i for i, key in enumerate(labels)}
    for i, key in enumerate(labels):
        if key[0] not in set(filled["indication"]):
            ax.text(
                -0.45,
                i,
                "no cited works",
                ha="left",
                va="center",
                fontsize=NOTE_SIZE,
                color="#555555",
                style="italic",
            )
    _direction_legend(ax, list(filled["direction"]))
    largest = int(filled["n_works"].max())
    area = _cell_area(ax, len(labels), len(columns), largest)
    for cell in filled.itertuples():
        x, y, n = (
            columns.index(cell.design),
            row_of[(cell.indication, cell.label)],
            int(cell.n_works),
        )
        ax.scatter(
            [x],
            [y],
            s=[n * area],
            marker=_direction_marker(cell.direction),
            facecolor=NEUTRAL,
            edgecolors=EDGE_COLOUR,
            linewidths=0.6,
            zorder=3,
        )
        ax.annotate(
            str(n),
            xy=(x, y),
            xytext=(0.75 * (n * area) ** 0.5 + 2, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=NOTE_SIZE,
            zorder=4,
            gid=VALUE_GID,
        )
    _size_legend(ax, largest, area)
    return ax


# --- 3. Claims by verdict -----------------------------------------------------------


def _grouped_positions(articles: Sequence[str], gap: float = 0.6) -> list[float]:
    """y positions with an extra ``gap`` between the bars of different articles."""
    positions, y = [], 0.0
    for i, article in enumerate(articles):
        if i and article != articles[i - 1]:
            y += gap
        positions.append(y)
        y += 1
    return positions


def _stack_claims(ax: Axes, positions: list[float], rows: pd.DataFrame) -> None:
    """One stacked segment per verdict, with the count written inside when it fits."""
    counts = rows[list(VERDICTS)].astype(int).to_numpy()
    total = max(int(counts.sum(axis=1).max()), 1)
    left = [0] * len(rows)
    for k, verdict in enumerate(VERDICTS):
        shown = [i for i in range(len(rows)) if counts[i][k]]
        if shown:
            colour = VERDICT_COLOURS[verdict]
            bars = ax.barh(
                [positions[i] for i in shown],
                [counts[i][k] for i in shown],
                left=[left[i] for i in shown],
                height=0.7,
                color=colour,
                edgecolor="white",
                linewidth=0.8,
                label=verdict,
            )
            ax.bar_label(
                bars,
                labels=[str(counts[i][k]) if counts[i][k] / total >= 0.03 else "" for i in shown],
                label_type="center",
                fontsize=NOTE_SIZE,
                color=ink_on(colour),
                gid=VALUE_GID,
            )
        for i in shown:
            left[i] += counts[i][k]


def plot_claims_by_verdict(rows: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stacked bars: each article's claims per indication, by how well the evidence backs them.

    ``rows`` is :func:`litkit.report.views.claim_rows`: one bar per (article, indication)
    with claims, grouped by article; segments count the claims by verdict (contradicted,
    overstated, under-cited, uncited, understated, supported, not graded).
    """
    require_columns(rows, ("article_id", "row", *VERDICTS), shaped_by="claim_rows")
    tick_labels = [_wrap(row, 40) for row in rows["row"]]
    ax = _axes(
        ax,
        _row_height(tick_labels, per_line=0.17, floor=0.4)
        + 0.6 * rows["article_id"].nunique()
        + 2.0,
    )
    _titles(
        ax,
        "Claims by article and indication, by verdict",
        "Each claim is judged against the works the article cites for it and against "
        "the best available evidence. Numbers in the bars count claims.",
        x="Number of claims",
        y="Article · indication",
    )
    if rows.empty:
        _message(ax, "No claims to show.")
        return ax
    positions = _grouped_positions(list(rows["article_id"]))
    _stack_claims(ax, positions, rows)
    ax.set_yticks(positions, tick_labels, fontsize=LABEL_SIZE)
    ax.set_ylim(positions[-1] + 0.5, -0.5)
    _count_axis(ax.xaxis)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    _hide_spines(ax, "top", "right")
    _legend(ax, [_patch(VERDICT_COLOURS[v], words(v)) for v in VERDICTS], "Verdict")
    return ax


# --- 4. Cited works over time ----------------------------------------------------------


def plot_works_over_time(counts: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Dots by publication year, one row per study design: how old, and of what kind.

    ``counts`` is :func:`litkit.report.views.year_design_counts`. The strongest design is
    on top; a dot's area and the number beside it count the works of that design and year.
    Works without a year cannot be placed; their number is given in the caption.
    """
    require_columns(counts, ("year", "design", "n_works"), shaped_by="year_design_counts")
    dated = counts[counts["year"].notna()]
    undated = int(counts.loc[counts["year"].isna(), "n_works"].sum())
    designs = list(dict.fromkeys(dated["design"]))
    note = f"{_plural(undated, 'work')} without a year not shown." if undated else ""
    ax = _axes(ax, 0.45 * len(designs) + 2.6)
    _titles(
        ax,
        "Works over time, by study design",
        f"Publication year of each work in {CITED_SCOPE} and of the best-evidence works; "
        "numbers count works.",
        note,
        x="Publication year",
        y="Study design (strongest on top)",
    )
    if dated.empty:
        _message(
            ax,
            f"None of the {_plural(undated, 'work')} has a known publication year."
            if undated
            else "No cited works to show.",
        )
        return ax
    years = [int(y) for y in dated["year"]]
    ys = [designs.index(d) for d in dated["design"]]
    sizes = [40 * int(n) for n in dated["n_works"]]
    ax.scatter(years, ys, s=sizes, color=NEUTRAL, edgecolors=EDGE_COLOUR, linewidths=0.6, zorder=3)
    for x, y, n, s in zip(years, ys, dated["n_works"], sizes, strict=False):
        ax.annotate(
            str(int(n)),
            xy=(x, y),
            xytext=(0, s**0.5 / 2 + 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=NOTE_SIZE,
            gid=VALUE_GID,
        )
    ax.set_yticks(range(len(designs)), [words(d) for d in designs], fontsize=LABEL_SIZE)
    ax.set_ylim(len(designs) - 0.4, -0.7)
    first, last = min(years), max(years)
    ax.set_xlim(first - 1, last + 1)
    _count_axis(ax.xaxis)
    ax.grid(axis="both", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    _hide_spines(ax, "top", "right")
    return ax


# --- 5. Citation counts ------------------------------------------------------------------


def plot_citation_counts(rows: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars: how often each cited work has itself been cited (Crossref).

    ``rows`` is :func:`litkit.report.views.citation_rows`. A rough signal of how much
    attention a work has had, not of its quality. Works not yet fetched from Crossref have
    no count; they are left out and their number is stated, and when no work has a count
    the chart says how to fill it.
    """
    require_columns(rows, ("label", "cited_by_count"), shaped_by="citation_rows")
    shown = rows[rows["cited_by_count"].notna()]
    total, missing = len(rows), len(rows) - len(shown)
    labels = [_wrap(label, 30) for label in shown["label"]]
    ax = _axes(ax, _row_height(labels, per_line=0.19, floor=0.32) + 2.2)
    note = (
        f"{missing} of {total} cited works not fetched from Crossref and not shown."
        if len(shown) and missing
        else ""
    )
    _titles(
        ax,
        "How often the works the article cites are cited",
        f"Scope: {CITED_SCOPE}. Citation counts reflect attention, not quality.",
        note,
        x="Times cited (Crossref count)",
        y="Cited work (first author, year)",
    )
    if shown.empty:
        _message(
            ax,
            f"No Crossref records cached yet: {missing} of {total} cited works not "
            "fetched. Run `litkit fetch` with network access to fill this chart."
            if total
            else "No cited works to show.",
        )
        return ax
    positions = list(range(len(shown)))
    values = [int(v) for v in shown["cited_by_count"]]
    bars = ax.barh(positions, values, height=0.7, color=NEUTRAL)
    texts = ax.bar_label(bars, padding=3, fontsize=NOTE_SIZE, gid=VALUE_GID)
    ax.set_yticks(positions, labels, fontsize=LABEL_SIZE)
    ax.set_ylim(len(shown) - 0.5, -0.5)
    _count_axis(ax.xaxis)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    _hide_spines(ax, "top", "right")
    _fit_x_to_texts(ax, texts, max(max(values), 1))
    return ax


# --- Showing a chart in a notebook ---------------------------------------------------


class Chart:
    """A finished chart as a notebook cell's result: a PNG drawn once; its title as text."""

    def __init__(self, figure: Figure):
        self.figure = figure

    def _repr_png_(self) -> tuple[bytes, dict[str, str]]:
        # The charts are laid out to fit their figure (constrained layout, legends inside),
        # so no tight-bounding-box pass is needed: one draw makes the PNG. Its title goes
        # with it as the image's alt text (the report's notebook pages write it).
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue(), {"alt": repr(self)}

    def __repr__(self) -> str:
        titles = [ax.get_title() for ax in self.figure.axes if ax.get_title()]
        return f"Chart: {titles[0]}" if titles else "Chart"


def shown(ax: Axes) -> Chart:
    """``ax``'s figure as a notebook cell's result, drawn once.

    A figure left open in pyplot is drawn three times after its cell: by pyplot's own
    post-execute hook, then by the inline backend for the tight bounding box and again for
    the PNG. Closed here and wrapped, it is drawn once, as a PNG; the charts are the
    notebooks' slowest part.

    >>> chart = shown(plt.subplots()[1])
    >>> chart.figure in map(plt.figure, plt.get_fignums())
    False
    >>> chart._repr_png_()[0][:4]
    b'\\x89PNG'
    """
    plt.close(ax.figure)
    return Chart(ax.figure)
