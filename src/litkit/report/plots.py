"""Charts of how well an article's claims are backed by the evidence it cites.

The readers are clinicians and evidence reviewers looking at rendered notebooks in a
browser, so every chart carries a title, a short caption saying what it describes (the
evidence *the article cites*, not the whole literature), labelled axes, a legend wherever
colour means something, colour-blind-safe colours (Okabe–Ito; shades of its blue for the
ordered certainty scale) and fonts of at least 9 pt. Bars and categories are always sorted
explicitly, so the same table gives the same picture.

House style: a plot function draws on the ``ax`` it is given and returns it; saving is the
caller's job. Without an ``ax`` it makes a constrained-layout figure sized for its content.
The functions never change the table they are given, write no files and leave the global
``rcParams`` alone.

>>> import pandas as pd
>>> claims = pd.DataFrame({"claim_id": ["A01"], "article_id": ["A"],
...                        "indication": ["general"], "verdict": ["supported"]})
>>> ax = plot_claims_by_verdict(claims)
>>> ax.get_xlabel()
'Number of claims'
>>> import matplotlib.pyplot as plt; plt.close(ax.figure)
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, MultipleLocator

from litkit.vocabulary import CERTAINTIES as CERTAINTY_ORDER
from litkit.vocabulary import VERDICTS as VERDICT_ORDER
from litkit.vocabulary import DESIGNS as DESIGN_ORDER
from litkit.vocabulary import DIRECTIONS as DIRECTION_ORDER

from litkit.report.palette import (  # noqa: E402  (palettes live in one module)
    BAR_COLOUR, CERTAINTY_COLOURS, DESIGN_COLOURS, DESIGN_HATCHES, DIRECTION_COLOURS,
    EDGE_COLOUR, GRID_COLOUR, UNKNOWN_DIRECTION, UNKNOWN_DIRECTION_COLOUR, VERDICT_COLOURS,
)

# --- Typography and sizes (points and inches) ----------------------------------------

TITLE_SIZE = 12
SUBTITLE_SIZE = 9.5
LABEL_SIZE = 10
NOTE_SIZE = 9
FIG_WIDTH = 9.5
SUBTITLE_WIDTH = 90  # characters per caption line
SUBTITLE_GID = "subtitle"
MESSAGE_GID = "message"

SCOPE = "the evidence the article cites"
NICE_STEPS = (1, 2, 2.5, 5, 10)  # tick steps for counts: 1, 2, 5, 10, 20, 25, 50...
MIN_WORK_AREA = 150.0  # bubble area (pt²) per cited work in the gap map: room for "1" ...
MAX_WORK_AREA = 400.0  # ... and no bigger than this, however large the cells
SIZE_KEY = (1, 2, 4)  # works shown in the gap map's size legend
GAP_MAP_MIN_HEIGHT = 5.6  # inches: room for its two legends, one above the other


# --- Small helpers -------------------------------------------------------------------


def _text(value: object, default: str = "") -> str:
    """``value`` as a stripped string, or ``default`` when it is missing (NA/None/blank)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return default
    return str(value).strip() or default


def _count(value: object) -> int:
    """``value`` as a non-negative integer count; missing counts as 0."""
    return 0 if _text(value) == "" else max(int(float(str(value))), 0)


def _year(value: object) -> int | None:
    """A publication year as an int, or None when it is missing or not a number."""
    try:
        return int(float(_text(value)))
    except ValueError:
        return None


def _check(values: Iterable[str], allowed: Sequence[str], column: str) -> None:
    """Raise ``ValueError`` naming any value of ``column`` outside its vocabulary."""
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"unknown {column} value(s) {unknown}; expected one of: "
                         f"{', '.join(allowed)}")


def _require(table: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise ``ValueError`` when ``table`` lacks any of ``columns``."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ValueError(f"table is missing column(s): {', '.join(missing)}")


def _wrap(label: str, width: int) -> str:
    """``label`` wrapped onto lines of at most ``width`` characters."""
    return textwrap.fill(label, width, break_on_hyphens=False) or label


def _plural(n: int, noun: str) -> str:
    """``"1 work"``, ``"2 works"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG luminance)."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(c) for c in to_rgb(background))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def _row_height(labels: Sequence[str], per_line: float = 0.19, floor: float = 0.42) -> float:
    """Inches of figure height needed for horizontal rows carrying ``labels``."""
    return sum(max(floor, per_line * (label.count("\n") + 1) + 0.16) for label in labels)


def _axes(ax: Axes | None, height: float) -> Axes:
    """``ax``, or the axes of a new constrained-layout figure ``height`` inches tall."""
    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH, max(height, 3.5)), layout="constrained")
    return ax


def _titles(ax: Axes, title: str, *captions: str) -> None:
    """A bold title with smaller caption lines between it and the axes.

    Each caption starts on its own line and is wrapped to fit.
    """
    lines = [line for caption in captions if caption
             for line in textwrap.wrap(caption, SUBTITLE_WIDTH)]
    ax.set_title(title, fontsize=TITLE_SIZE, fontweight="bold",
                 pad=10 + 1.3 * SUBTITLE_SIZE * len(lines))
    if lines:
        ax.annotate("\n".join(lines), xy=(0.5, 1), xycoords="axes fraction",
                    xytext=(0, 6), textcoords="offset points", ha="center", va="bottom",
                    fontsize=SUBTITLE_SIZE, color="#333333", gid=SUBTITLE_GID)


def _message(ax: Axes, message: str) -> None:
    """A centred message in an axes that has nothing to plot; ticks are removed."""
    ax.text(0.5, 0.5, _wrap(message, 60), transform=ax.transAxes, ha="center",
            va="center", fontsize=LABEL_SIZE + 1, color="#333333", gid=MESSAGE_GID)
    ax.set_xticks([])
    ax.set_yticks([])


def _legend(ax: Axes, handles: list, title: str, *, loc: str = "upper left",
            anchor: tuple[float, float] = (1.02, 1.0), **options: float) -> None:
    """A legend outside the axes, to the right, so it never covers data.

    A second call keeps the first legend (as an artist); the newest is ``ax.get_legend()``.
    """
    previous = ax.get_legend()
    if previous is not None:
        ax.add_artist(previous)
        previous.set_clip_on(False)  # else layout treats it as clipped to the axes, ignores it
    ax.legend(handles=handles, title=title, loc=loc, bbox_to_anchor=anchor,
              borderaxespad=0, frameon=False, fontsize=LABEL_SIZE,
              title_fontsize=LABEL_SIZE, alignment="left", **options)


def _patch(colour: str, label: str, hatch: str | None = None) -> Patch:
    """A legend swatch."""
    return Patch(facecolor=colour, edgecolor=EDGE_COLOUR, linewidth=0.6, hatch=hatch,
                 label=label)


def _fit_x_to_texts(ax: Axes, texts: Sequence[Text], data_max: float) -> None:
    """Widen the x axis so labels placed after the bar ends stay inside the axes.

    The text widths are only known once the figure is laid out, so this lays it out once
    (without rendering), measures, and sets the right limit.
    """
    ax.set_xlim(0, data_max)
    ax.figure.canvas.figure.draw_without_rendering()
    width = ax.get_window_extent().width
    needed = data_max
    for text in texts:
        anchor = ax.transData.transform((text.xy[0], 0))[0]
        overhang = text.get_window_extent().x1 - anchor + 6
        room = max(width - overhang, width / 4)
        needed = max(needed, text.xy[0] * width / room)
    ax.set_xlim(0, needed)


def _hide_spines(ax: Axes, *sides: str) -> None:
    """Hide the named spines (less ink, same information)."""
    for side in sides:
        ax.spines[side].set_visible(False)


# --- 1. Evidence by indication and outcome: asserted, cited, best --------------------------

# The three marks of each row: what the article asserts, what its citations support, what
# the best evidence supports. Shape tells them apart; the certainty scale is the x axis.
MARKS = (
    ("asserted", "What the article asserts", "D", "#000000"),
    ("cited_certainty", "What its citations support", "o", "#FFFFFF"),
    ("best_certainty", "What the best evidence supports", "s", CERTAINTY_COLOURS["moderate"]),
)
_SCALE = ("none", "very-low", "low", "moderate", "high")  # left to right


def plot_evidence_by_outcome(rows: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Per indication × outcome, three marks on the certainty scale, side by side.

    ``rows`` is :func:`litkit.report.views.outcome_rows` of ``evidence_by_outcome``: a
    ``row`` label and the three certainties. The article's assertion is placed at the
    certainty it claims (asserting an effect as established claims high certainty), so a
    mark to the right of the best-evidence mark is an assertion the evidence does not carry.
    """
    _require(rows, ("row", "asserted", "cited_certainty", "best_certainty"))
    labels = [_wrap(_text(r), 44) for r in rows["row"]]
    ax = _axes(ax, _row_height(labels, per_line=0.18, floor=0.42) + 2.4)
    _titles(ax, "Certainty by indication and outcome: asserted, cited, best evidence",
            "Diamond: the certainty the article's strongest claim asserts. Circle: the "
            "certainty of the works it cites. Square: the certainty of the best available "
            "evidence, cited or not.")
    ax.set_xlabel("Certainty of evidence (GRADE)", fontsize=LABEL_SIZE)
    ax.set_ylabel("Indication · outcome", fontsize=LABEL_SIZE)
    if rows.empty:
        _message(ax, "No indication and outcome to show.")
        return ax
    positions = list(range(len(rows)))
    offsets = (-0.22, 0.0, 0.22)
    for (column, label, marker, face), dy in zip(MARKS, offsets):
        values = [_text(v) for v in rows[column]]
        shown = [i for i, v in enumerate(values) if v]
        _check((values[i] for i in shown), _SCALE, column)
        ax.scatter([_SCALE.index(values[i]) for i in shown], [positions[i] + dy for i in shown],
                   marker=marker, s=70, facecolor=face, edgecolor=EDGE_COLOUR, linewidth=1,
                   zorder=3, label=label)
    ax.set_yticks(positions, labels, fontsize=LABEL_SIZE)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xticks(range(len(_SCALE)), [s.replace("-", " ") for s in _SCALE], fontsize=LABEL_SIZE)
    ax.set_xlim(-0.5, len(_SCALE) - 0.5)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    _hide_spines(ax, "top", "right")
    handles = [Line2D([], [], linestyle="", marker=m, markersize=8, markerfacecolor=f,
                      markeredgecolor=EDGE_COLOUR, label=lab) for _, lab, m, f in MARKS]
    _legend(ax, handles, "Mark")
    return ax


# --- 2. Evidence gap map ---------------------------------------------------------------


def _gap_cells(table: pd.DataFrame) -> tuple[list[tuple[str, str]], list[str], list[tuple]]:
    """Rows (indication, label), design columns and bubbles (row, column, n, direction)."""
    _require(table, ("indication", "label", "design", "n_works", "direction"))
    labels: dict[str, str] = {}
    cells: dict[tuple[str, str], tuple[int, str]] = {}
    for indication, label, design, n_works, direction in zip(
            table["indication"], table["label"], table["design"], table["n_works"],
            table["direction"]):
        key = _text(indication, "unnamed indication")
        labels.setdefault(key, _text(label, key))
        n = _count(n_works)
        if n == 0:
            continue
        cell = (key, _text(design, "unclassified"))
        if cell in cells:
            raise ValueError(f"gap map has more than one row for {cell}")
        cells[cell] = (n, _text(direction, UNKNOWN_DIRECTION))
    _check((design for _, design in cells), DESIGN_ORDER, "design")
    _check((d for _, d in cells.values()), (*DIRECTION_ORDER, UNKNOWN_DIRECTION), "direction")
    rows = sorted(labels.items(), key=lambda item: (item[1].casefold(), item[1], item[0]))
    columns = [design for design in DESIGN_ORDER if any(c[1] == design for c in cells)]
    row_index = {key: i for i, (key, _) in enumerate(rows)}
    bubbles = [(row_index[key], columns.index(design), n, direction)
               for (key, design), (n, direction) in sorted(
                   cells.items(), key=lambda item: (row_index[item[0][0]],
                                                    columns.index(item[0][1])))]
    return rows, columns, bubbles


def _direction_colour(direction: str) -> str:
    """The colour of a direction of effect, white for "not stated"."""
    return DIRECTION_COLOURS.get(direction, UNKNOWN_DIRECTION_COLOUR)


def _draw_bubbles(ax: Axes, bubbles: list[tuple], area: float) -> None:
    """One bubble per cell, area proportional to works, with the count written inside."""
    ax.scatter([b[1] for b in bubbles], [b[0] for b in bubbles],
               s=[b[2] * area for b in bubbles],
               c=[_direction_colour(b[3]) for b in bubbles],
               edgecolors=EDGE_COLOUR, linewidths=0.6, zorder=3)
    for row, column, n, direction in bubbles:
        ax.text(column, row, str(n), ha="center", va="center", fontsize=NOTE_SIZE,
                color=_text_colour(_direction_colour(direction)), zorder=4)


def _colour_legend(ax: Axes, bubbles: list[tuple]) -> None:
    """The legend of bubble colours: every direction of effect, in vocabulary order."""
    directions = list(DIRECTION_ORDER)
    if any(b[3] == UNKNOWN_DIRECTION for b in bubbles):
        directions.append(UNKNOWN_DIRECTION)
    handles = [Line2D([], [], linestyle="", marker="o", markersize=11,
                      markerfacecolor=_direction_colour(d), markeredgecolor=EDGE_COLOUR,
                      label=d) for d in directions]
    _legend(ax, handles, "Dominant direction\nof effect")


def _size_legend(ax: Axes, largest: int, area: float) -> None:
    """The legend of bubble sizes: 1, 2 and 4 works, and the largest count if bigger."""
    sizes = [*SIZE_KEY, largest] if largest > SIZE_KEY[-1] else list(SIZE_KEY)
    handles = [Line2D([], [], linestyle="", marker="o", markersize=(n * area) ** 0.5,
                      markerfacecolor="#FFFFFF", markeredgecolor=EDGE_COLOUR,
                      label=_plural(n, "work")) for n in sizes]
    diameter = (sizes[-1] * area) ** 0.5 / LABEL_SIZE  # in font sizes, as legends measure
    _legend(ax, handles, "Cited works\n(bubble area)", loc="lower left", anchor=(1.02, 0.0),
            labelspacing=0.4 + diameter / 2, handlelength=diameter, handletextpad=0.8)


def _bubble_area(ax: Axes, rows: int, columns: int, largest: int) -> float:
    """Area (pt²) per work so that the largest bubble spans at most 70% of its cell.

    Cell size is only known after layout, so the figure is laid out once to measure it.
    """
    figure = ax.figure.canvas.figure
    figure.draw_without_rendering()
    box = ax.get_window_extent()
    cell = min(box.width / columns, box.height / rows) * 72 / figure.dpi
    return min(max((0.7 * cell) ** 2 / largest, MIN_WORK_AREA), MAX_WORK_AREA)


def _mark_empty_rows(ax: Axes, rows: list[tuple[str, str]], bubbles: list[tuple]) -> None:
    """Write "no cited works" across rows without a bubble, so a gap reads as a gap."""
    filled = {b[0] for b in bubbles}
    for i in range(len(rows)):
        if i not in filled:
            ax.text(-0.45, i, "no cited works", ha="left", va="center", fontsize=NOTE_SIZE,
                    color="#555555", style="italic")


def _gap_axes(ax: Axes, rows: list[tuple[str, str]], columns: list[str]) -> None:
    """Grid, tick labels and limits of the gap map."""
    ax.set_xticks(range(len(columns)), columns, fontsize=LABEL_SIZE)
    if len(columns) > 4:
        ax.tick_params(axis="x", labelrotation=40)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    ax.set_yticks(range(len(rows)), [_wrap(label, 28) for _, label in rows],
                  fontsize=LABEL_SIZE)
    ax.set_xlim(-0.5, max(len(columns), 1) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.xaxis.set_minor_locator(MultipleLocator(1, offset=0.5))
    ax.yaxis.set_minor_locator(MultipleLocator(1, offset=0.5))
    ax.grid(which="minor", color=GRID_COLOUR, linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    ax.tick_params(which="major", length=0)
    ax.set_axisbelow(True)


def plot_evidence_gap_map(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bubble grid of indications × study designs: where the cited evidence is, and isn't.

    One row per indication (including indications with no cited works, shown as empty
    rows: the gaps are the point), one column per design that occurs, in order from
    strongest to weakest. Bubble area is the number of cited works, colour the dominant
    direction of their findings. The two legends sit one above the other to the right of
    the grid: an ``ax`` passed in needs about 4 in of height for them.
    """
    rows, columns, bubbles = _gap_cells(table)
    labels = [_wrap(label, 28) for _, label in rows]
    ax = _axes(ax, max(_row_height(labels, floor=0.55) + 3.0, GAP_MAP_MIN_HEIGHT))
    _titles(ax, "Evidence gap map: cited works by indication and design",
            f"Scope: {SCOPE}. Bubble area and number: cited works; colour: dominant "
            "direction of effect. Empty cells and rows are gaps in what is cited.")
    ax.set_xlabel("Study design (strongest on the left)", fontsize=LABEL_SIZE)
    ax.set_ylabel("Indication", fontsize=LABEL_SIZE)
    _gap_axes(ax, rows, columns)
    _hide_spines(ax, "top", "right", "bottom", "left")
    if not bubbles:
        _message(ax, "The article cites no works for these indications.")
        return ax
    _mark_empty_rows(ax, rows, bubbles)
    _colour_legend(ax, bubbles)
    largest = max(b[2] for b in bubbles)
    area = _bubble_area(ax, len(rows), len(columns), largest)
    _draw_bubbles(ax, bubbles, area)
    _size_legend(ax, largest, area)
    return ax


# --- 3. Claims by verdict -----------------------------------------------------------


def _claim_rows(table: pd.DataFrame, labels: Mapping[str, str]) -> list[tuple]:
    """(article, y label, counts per verdict) per (article, indication), sorted."""
    _require(table, ("article_id", "indication", "verdict"))
    verdicts = [_text(c, "not-graded") for c in table["verdict"]]
    _check(verdicts, VERDICT_ORDER, "verdict")
    counts = Counter(
        (_text(article, "?"), _text(indication, "general"), verdict)
        for article, indication, verdict in zip(
            table["article_id"], table["indication"], verdicts))
    pairs = sorted({(article, indication) for article, indication, _ in counts})
    rows = []
    for article, indication in pairs:
        name = _text(labels.get(indication), indication)
        row_counts = [counts[(article, indication, c)] for c in VERDICT_ORDER]
        rows.append((article, f"{article} · {name}", row_counts))
    return sorted(rows, key=lambda row: (row[0], row[1].casefold(), row[1]))


def _grouped_positions(articles: Sequence[str], gap: float = 0.6) -> list[float]:
    """y positions with an extra ``gap`` between the bars of different articles."""
    positions, y = [], 0.0
    for i, article in enumerate(articles):
        if i and article != articles[i - 1]:
            y += gap
        positions.append(y)
        y += 1
    return positions


def _stack_claims(ax: Axes, positions: list[float], rows: list[tuple]) -> None:
    """One stacked segment per verdict, with the count written inside when it fits."""
    total = max(sum(row[2]) for row in rows)
    left = [0] * len(rows)
    for k, verdict in enumerate(VERDICT_ORDER):
        shown = [i for i, row in enumerate(rows) if row[2][k]]
        if shown:
            colour = VERDICT_COLOURS[verdict]
            bars = ax.barh([positions[i] for i in shown], [rows[i][2][k] for i in shown],
                           left=[left[i] for i in shown], height=0.7, color=colour,
                           edgecolor="white", linewidth=0.8, label=verdict)
            ax.bar_label(bars, labels=[str(rows[i][2][k]) if rows[i][2][k] / total >= 0.03
                                       else "" for i in shown],
                         label_type="center", fontsize=NOTE_SIZE, color=_text_colour(colour))
        for i in shown:
            left[i] += rows[i][2][k]


def plot_claims_by_verdict(table: pd.DataFrame, *, ax: Axes | None = None,
                               labels: Mapping[str, str] | None = None) -> Axes:
    """Stacked bars: each article's claims per indication, by how well the evidence backs them.

    One bar per (article, indication) that has claims, grouped by article; segments count
    the claims by verdict (contradicted, overstated, under-cited, uncited, understated,
    supported, not graded). ``labels`` maps indication ids to readable
    names (ids are shown when it has none).
    """
    rows = _claim_rows(table, labels or {})
    tick_labels = [_wrap(row[1], 40) for row in rows]
    ax = _axes(ax, _row_height(tick_labels, per_line=0.17, floor=0.4)
               + 0.6 * len({row[0] for row in rows}) + 2.0)
    _titles(ax, "Claims by article and indication, by verdict",
            "Each claim is judged against the works the article cites for it and against "
            "the best available evidence. Numbers in the bars count claims.")
    ax.set_xlabel("Number of claims", fontsize=LABEL_SIZE)
    ax.set_ylabel("Article · indication", fontsize=LABEL_SIZE)
    if not rows:
        _message(ax, "No claims to show.")
        return ax
    positions = _grouped_positions([row[0] for row in rows])
    _stack_claims(ax, positions, rows)
    ax.set_yticks(positions, tick_labels, fontsize=LABEL_SIZE)
    ax.set_ylim(positions[-1] + 0.5, -0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=NICE_STEPS))
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    _hide_spines(ax, "top", "right")
    _legend(ax, [_patch(VERDICT_COLOURS[c], c) for c in VERDICT_ORDER],
            "Verdict")
    return ax


# --- 4. Cited works over time ----------------------------------------------------------


def _year_design_counts(table: pd.DataFrame) -> tuple[Counter, int]:
    """Works per (year, design), and how many works have no year."""
    _require(table, ("year", "final_design"))
    pairs = [(_year(year), _text(design, "unclassified"))
             for year, design in zip(table["year"], table["final_design"])]
    _check((design for _, design in pairs), DESIGN_ORDER, "design")
    dated = Counter((year, design) for year, design in pairs if year is not None)
    return dated, sum(year is None for year, _ in pairs)


def _year_ticks(ax: Axes, first: int, last: int) -> None:
    """Integer year ticks: every year when they fit, else every 5th."""
    span = last - first + 1
    if span <= 30:
        ax.set_xticks(range(first, last + 1))
        if span > 12:
            ax.tick_params(axis="x", labelrotation=90)
    else:
        ax.xaxis.set_major_locator(MultipleLocator(5))
    ax.set_xlim(first - 0.6, last + 0.6)


def _stack_years(ax: Axes, dated: Counter, designs: list[str], years: range) -> None:
    """Bars stacked by design (strongest at the bottom), only where there are works."""
    bottom = Counter()
    for design in designs:
        shown = [year for year in years if dated[(year, design)]]
        ax.bar(shown, [dated[(year, design)] for year in shown],
               bottom=[bottom[year] for year in shown], width=0.8,
               color=DESIGN_COLOURS[design], hatch=DESIGN_HATCHES.get(design),
               edgecolor=EDGE_COLOUR, linewidth=0.6, label=design)
        for year in shown:
            bottom[year] += dated[(year, design)]


def plot_works_over_time(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stacked bars: how many cited works were published each year, by study design.

    Shows whether the article leans on old or recent evidence, and of what kind. Years run
    continuously from the first to the last, so gaps are visible. Works without a year
    cannot be placed; their number is given in the caption.
    """
    dated, undated = _year_design_counts(table)
    note = f"{_plural(undated, 'work')} without a year not shown." if undated else ""
    ax = _axes(ax, 5.0)
    _titles(ax, "Cited works over time, by study design",
            f"Publication year of each work in {SCOPE}.", note)
    ax.set_xlabel("Publication year", fontsize=LABEL_SIZE)
    ax.set_ylabel("Number of cited works", fontsize=LABEL_SIZE)
    if not dated:
        _message(ax, f"None of the {_plural(undated, 'cited work')} has a known "
                     "publication year." if undated else "No cited works to show.")
        return ax
    years = range(min(y for y, _ in dated), max(y for y, _ in dated) + 1)
    designs = [d for d in DESIGN_ORDER if any(design == d for _, design in dated)]
    _stack_years(ax, dated, designs, years)
    _year_ticks(ax, years[0], years[-1])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=NICE_STEPS))
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    _hide_spines(ax, "top", "right")
    _legend(ax, [_patch(DESIGN_COLOURS[d], d, DESIGN_HATCHES.get(d)) for d in designs],
            "Study design")
    return ax


# --- 5. Citation counts ------------------------------------------------------------------


def _work_labels(authors: Sequence[str], years: Sequence[str]) -> list[str]:
    """"Author Year" labels, with a/b/c suffixes where two works would share one."""
    base = [f"{author} {year}" for author, year in zip(authors, years)]
    totals, seen = Counter(base), Counter()
    labels = []
    for label in base:
        if totals[label] > 1:
            labels.append(label + "abcdefghijklmnopqrstuvwxyz"[seen[label] % 26])
            seen[label] += 1
        else:
            labels.append(label)
    return labels


def _unique_works(table: pd.DataFrame) -> list[tuple[str, str, int | None, int | None]]:
    """(doi, first author, year, count) per DOI, sorted by DOI; count None if not fetched.

    A work cited by both articles appears once, with its count if any row has one.
    """
    works: dict[str, tuple[str, str, int | None, int | None]] = {}
    for i, (doi, author, year, count, status) in enumerate(zip(
            table["doi"], table["first_author"], table["year"], table["cited_by_count"],
            table["crossref_status"])):
        key = _text(doi, f"(no DOI, row {i + 1})")
        fetched = _text(status) == "fetched" and _text(count) != ""
        work = (key, _text(author, key), _year(year), _count(count) if fetched else None)
        if key not in works or works[key][3] is None:
            works[key] = work
    return [works[key] for key in sorted(works)]


def _citation_rows(table: pd.DataFrame) -> tuple[list[tuple[str, int]], int]:
    """(label, count) for fetched works with a count, most cited first; and the total."""
    _require(table, ("doi", "first_author", "year", "cited_by_count", "crossref_status"))
    works = _unique_works(table)
    labels = _work_labels([author for _, author, _, _ in works],
                          ["n.d." if year is None else str(year) for _, _, year, _ in works])
    rows = [(label, work[3]) for label, work in zip(labels, works) if work[3] is not None]
    return sorted(rows, key=lambda row: (-row[1], row[0].casefold(), row[0])), len(works)


def plot_citation_counts(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars: how often each cited work has itself been cited (Crossref).

    A rough signal of how much attention a work has had, not of its quality. Works not yet
    fetched from Crossref have no count; they are left out and their number is stated, and
    when no work has a count the chart says how to fill it.
    """
    rows, total = _citation_rows(table)
    missing = total - len(rows)
    labels = [_wrap(row[0], 30) for row in rows]
    ax = _axes(ax, _row_height(labels, per_line=0.19, floor=0.32) + 2.2)
    note = (f"{missing} of {total} cited works not fetched from Crossref and not shown."
            if rows and missing else "")
    _titles(ax, "How often the works the article cites are cited",
            f"Scope: {SCOPE}. Citation counts reflect attention, not quality.", note)
    ax.set_xlabel("Times cited (Crossref count)", fontsize=LABEL_SIZE)
    ax.set_ylabel("Cited work (first author, year)", fontsize=LABEL_SIZE)
    if not rows:
        _message(ax, f"No Crossref records cached yet: {missing} of {total} cited works not "
                     "fetched. Run `litkit fetch` with network access to fill this chart."
                 if total else "No cited works to show.")
        return ax
    positions = list(range(len(rows)))
    bars = ax.barh(positions, [row[1] for row in rows], height=0.7, color=BAR_COLOUR)
    texts = ax.bar_label(bars, padding=3, fontsize=NOTE_SIZE)
    ax.set_yticks(positions, labels, fontsize=LABEL_SIZE)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=NICE_STEPS))
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    _hide_spines(ax, "top", "right")
    _fit_x_to_texts(ax, texts, max(max(row[1] for row in rows), 1))
    return ax
