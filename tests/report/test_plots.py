"""Tests for litkit.report.plots: the charts, read back through the axes they return.

Each chart is drawn from a raw-like table shaped by its view, as the report does.
"""

from __future__ import annotations

import html
import importlib
import itertools
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex, to_rgb  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from litkit.report import pages, palette, plots, views  # noqa: E402
from litkit.report.palette import CERTAINTY_COLOURS, NEUTRAL, VERDICT_COLOURS  # noqa: E402
from litkit.vocabulary import CERTAINTIES, DIRECTIONS, VERDICTS  # noqa: E402
from litkit.vocabulary import DESIGNS as DESIGN_ORDER  # noqa: E402


def plot_evidence_by_outcome(table, **options):
    return plots.plot_evidence_by_outcome(views.outcome_rows(table), **options)


def plot_evidence_gap_map(table, **options):
    return plots.plot_evidence_gap_map(views.gap_cells(table), **options)


def plot_claims_by_verdict(table, *, labels=None, **options):
    return plots.plot_claims_by_verdict(views.claim_rows(table, labels), **options)


def plot_works_over_time(table, **options):
    return plots.plot_works_over_time(views.year_design_counts(table), **options)


def plot_citation_counts(table, **options):
    return plots.plot_citation_counts(views.citation_rows(table), **options)


NA = pd.NA
OKABE_ITO = {
    "#e69f00",
    "#56b4e9",
    "#009e73",
    "#f0e442",
    "#0072b2",
    "#d55e00",
    "#cc79a7",
    "#000000",
    "#999999",
}
LONG = "Neuropathic pain, including CRPS and spinal cord injury pain"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def strings(values):
    return pd.array(values, dtype="string")


def ints(values):
    return pd.array(values, dtype="Int64")


# --- Sample tables -----------------------------------------------------------------------


def evidence_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indication_label": strings(
                ["Acute postoperative pain", LONG, "Chronic non-cancer pain", "Anaesthesia"]
            ),
            "outcome_label": strings(
                ["Pain relief", "Pain relief", "Adverse effects", "Adverse effects"]
            ),
            "asserted": strings(["high", "low", "high", "high"]),
            "cited_certainty": strings(["very-low", "very-low", "low", "none"]),
            "best_certainty": strings(["moderate", "low", "low", "none"]),
            "n_claims": ints([2, 1, 1, 1]),
        }
    )


def gap_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indication": strings(["cncp", "cncp", "cncp", "neuropathic-pain", "trd"]),
            "label": strings(
                ["Chronic non-cancer pain"] * 3 + [LONG, "Treatment-resistant depression"]
            ),
            "design": strings(
                ["narrative-review", "systematic-review", "cohort", "narrative-review", NA]
            ),
            "n_works": ints([4, 1, 2, 1, 0]),
            "direction": strings(["mixed", "favours", "harm", "favours", NA]),
        }
    )


def claims_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": strings(["B01", "A01", "A02", "A03", "A04", "A05", "B02", "B03"]),
            "article_id": strings(["B", "A", "A", "A", "A", "A", "B", "B"]),
            "indication": strings(
                ["cncp", "cncp", "cncp", "general", "cncp", "general", "cncp", "neuropathic-pain"]
            ),
            "verdict": strings(
                [
                    "uncited",
                    "overstated",
                    "supported",
                    "not-graded",
                    "overstated",
                    "supported",
                    "uncited",
                    "uncited",
                ]
            ),
        }
    )


CLAIM_LABELS = {"cncp": "Chronic non-cancer pain", "neuropathic-pain": LONG}


def designs_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doi": strings(["10.1/a", "10.1/b", "10.1/c", "10.1/d", "10.1/e", "10.1/f"]),
            "year": ints([2018, 2014, 2018, NA, 2021, 2018]),
            "final_design": strings(
                [
                    "narrative-review",
                    "narrative-review",
                    "guideline",
                    "cohort",
                    "systematic-review",
                    "systematic-review",
                ]
            ),
        }
    )


def works_table(fetched: bool = True) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doi": strings(["10.1/a", "10.1/b", "10.1/c", "10.1/d", "10.1/e"]),
            "first_author": strings(["Bell", "Cohen", "Smith", "Smith", NA]),
            "year": ints([2018, 2018, 2020, 2020, NA]),
            "cited_by_count": ints([120, 340, 15, 40, NA] if fetched else [NA] * 5),
            "crossref_status": strings(
                (["fetched"] * 4 if fetched else ["not fetched"] * 4) + ["not fetched"]
            ),
        }
    )


CHARTS = [
    (plot_evidence_by_outcome, evidence_table, {}),
    (plot_evidence_gap_map, gap_table, {}),
    (plot_claims_by_verdict, claims_table, {"labels": CLAIM_LABELS}),
    (plot_works_over_time, designs_table, {}),
    (plot_citation_counts, works_table, {}),
]
CHART_IDS = [chart[0].__name__ for chart in CHARTS]


# --- Reading charts back -------------------------------------------------------------------


def tick_texts(ax, axis="y") -> list[str]:
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [" ".join(t.get_text().split()) for t in ticks]


def legends(ax) -> list[Legend]:
    found = [a for a in ax.artists if isinstance(a, Legend)]
    return found + ([ax.get_legend()] if ax.get_legend() else [])


def legend_texts(legend: Legend) -> list[str]:
    return [t.get_text() for t in legend.get_texts()]


def subtitle(ax) -> str:
    texts = [t.get_text() for t in ax.texts if t.get_gid() == plots.SUBTITLE_GID]
    return " ".join(" ".join(texts).split())


def message(ax) -> str:
    texts = [t.get_text() for t in ax.texts if t.get_gid() == plots.MESSAGE_GID]
    return " ".join(" ".join(texts).split())


def bar_colours(ax) -> list[str]:
    return [to_hex(p.get_facecolor()) for p in ax.patches]


def visible_texts(figure) -> list[Text]:
    """Texts that are drawn: not empty, not hidden, not the labels of out-of-view ticks."""
    off_view = set()
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            off_view |= {
                tick.label1
                for tick in [*axis.majorTicks, *axis.minorTicks]
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9
            }
    return [
        t
        for t in figure.findobj(Text)
        if t.get_visible()
        and t.get_text().strip()
        and t.get_figure() is not None
        and t not in off_view
    ]


def overlapping(texts: list[Text], renderer) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if box_a.overlaps(box_b)
        and min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 0.5
        and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 0.5
    ]


# How the report's pages write vocabulary values: the charts must write them the same way.
MACROS = pages.environment().get_template("_macros.html.j2").module
NOT_ABOUT = " · not about this question"


def page_text(markup) -> str:
    """The text a reader sees in some rendered HTML: tags dropped, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(markup))).split())


def page_words(kind: str, value: str) -> str:
    """How the report's pages write a vocabulary value, rendered by the pages' own macros."""
    if kind == "verdict":
        return page_text(MACROS.chip(value))
    if kind == "certainty":
        return page_text(MACROS.pill(value))
    if kind == "direction":
        return page_text(MACROS.direction(value)).split(" ", 1)[1]  # after its symbol
    work = {"work": "Work", "url": None, "design": value, "addresses": False}
    return page_text(MACROS.cited_list([work])).removeprefix("Work ").removesuffix(NOT_ABOUT)


VOCABULARIES = {
    "design": DESIGN_ORDER,
    "verdict": VERDICTS,
    "certainty": CERTAINTIES,
    "direction": DIRECTIONS,
}
# Every vocabulary value the pages write otherwise than as stored ("rct" is "RCT").
REWRITTEN = {
    value
    for kind, vocabulary in VOCABULARIES.items()
    for value in vocabulary
    if page_words(kind, value) != value
}


# --- Shared contract -------------------------------------------------------------------------


@pytest.mark.parametrize(("plot", "make", "options"), CHARTS, ids=CHART_IDS)
def test_plot_leaves_input_unchanged(plot, make, options):
    table = make()
    before = table.copy(deep=True)
    plot(table, **options)
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(("plot", "make", "options"), CHARTS, ids=CHART_IDS)
def test_plot_draws_on_the_given_axes(plot, make, options):
    figure, ax = plt.subplots(figsize=(9, 6), layout="constrained")
    assert plot(make(), ax=ax, **options) is ax
    assert plt.get_fignums() == [figure.number]


@pytest.mark.parametrize(("plot", "make", "options"), CHARTS, ids=CHART_IDS)
def test_plot_has_title_labels_and_readable_fonts(plot, make, options):
    ax = plot(make(), **options)
    figure = ax.figure
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert 8 <= figure.get_figwidth() <= 10
    assert figure.get_layout_engine() is not None
    figure.canvas.draw()
    small = [
        (t.get_text(), t.get_fontsize()) for t in visible_texts(figure) if t.get_fontsize() < 9
    ]
    assert small == []


@pytest.mark.parametrize(("plot", "make", "options"), CHARTS, ids=CHART_IDS)
def test_plot_says_it_describes_the_cited_evidence(plot, make, options):
    ax = plot(make(), **options)
    words = f"{ax.get_title()} {subtitle(ax)}"
    assert any(
        w in words
        for w in (
            "the evidence the article cites",
            "the evidence they cite",
            "best available evidence",
            "the works the article cites",
        )
    )


@pytest.mark.parametrize(("plot", "make", "options"), CHARTS, ids=CHART_IDS)
def test_plot_does_not_change_rcparams(plot, make, options):
    before = dict(matplotlib.rcParams)
    plot(make(), **options)
    assert dict(matplotlib.rcParams) == before


def test_importing_the_module_creates_no_figure():
    plt.close("all")
    importlib.reload(plots)
    assert plt.get_fignums() == []


def test_every_vocabulary_value_has_a_colour_or_a_shape():
    assert tuple(CERTAINTY_COLOURS) == ("high", "moderate", "low", "very-low", "none")
    assert tuple(VERDICT_COLOURS) == VERDICTS
    assert tuple(palette.DIRECTION_MARKERS) == DIRECTIONS
    assert len(set(palette.DIRECTION_MARKERS.values())) == len(DIRECTIONS)


def test_no_colour_means_two_things():
    colours = [c.lower() for c in palette.MEANINGFUL_COLOURS]
    assert len(colours) == len(set(colours))


def test_verdicts_are_never_blue_so_never_read_as_a_certainty():
    for colour in VERDICT_COLOURS.values():
        red, green, blue = to_rgb(colour)
        assert not (blue > red and blue > green), colour


def test_certainty_colours_get_lighter_as_certainty_falls():
    graded = [CERTAINTY_COLOURS[level] for level in ("high", "moderate", "low", "very-low")]
    lightness = [sum(to_rgb(colour)) for colour in graded]
    assert lightness == sorted(lightness) and len(set(lightness)) == 4


@pytest.mark.parametrize(("plot", "make", "options"), CHARTS, ids=CHART_IDS)
def test_charts_use_colour_only_for_certainty_verdict_or_neutral(plot, make, options):
    ax = plot(make(), **options)
    allowed = {
        c.lower()
        for c in [*CERTAINTY_COLOURS.values(), *VERDICT_COLOURS.values(), NEUTRAL, "#ffffff"]
    }
    faces = {to_hex(p.get_facecolor()) for p in ax.patches}
    faces |= {to_hex(c) for coll in ax.collections for c in coll.get_facecolors()}
    assert faces <= allowed


# --- 1. Evidence by indication and outcome ------------------------------------------------


def values(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == plots.VALUE_GID]


def test_evidence_three_bars_per_question_with_the_certainty_printed():
    ax = plot_evidence_by_outcome(evidence_table())
    # Strongest best evidence first; per question: claimed, cited, best.
    assert values(ax) == [
        "high",
        "very low",
        "moderate",
        "high",
        "low",
        "low",
        "low",
        "very low",
        "low",
        "high",
        "none",
        "none",
    ]
    assert tick_texts(ax)[:3] == ["claimed by the article", "evidence it cites", "best evidence"]
    assert tick_texts(ax, "x") == ["none", "very low", "low", "moderate", "high"]


def test_evidence_bars_are_as_long_as_the_certainty_and_coloured_by_it():
    ax = plot_evidence_by_outcome(evidence_table())
    bars = [(p.get_width(), to_hex(p.get_facecolor())) for p in ax.patches]
    assert bars[:3] == [
        (4, CERTAINTY_COLOURS["high"].lower()),
        (1, CERTAINTY_COLOURS["very-low"].lower()),
        (3, CERTAINTY_COLOURS["moderate"].lower()),
    ]
    assert ax.patches[0].get_hatch() and not ax.patches[1].get_hatch()


def test_evidence_heading_says_how_far_the_claim_outruns_the_best_evidence():
    ax = plot_evidence_by_outcome(evidence_table())
    headings = [" ".join(t.get_text().split()) for t in ax.texts if t.get_fontweight() == "bold"]
    assert (
        headings[0] == "Acute postoperative pain · Pain relief — claimed 1 level above "
        "the best evidence"
    )
    assert headings[2] == f"{LONG} · Pain relief"


def test_evidence_legend_names_the_certainties_and_the_hatch():
    ax = plot_evidence_by_outcome(evidence_table())
    (legend,) = legends(ax)
    assert legend_texts(legend) == [
        "high",
        "moderate",
        "low",
        "very low",
        "none",
        "claimed by the article",
    ]


def test_evidence_rejects_an_unknown_certainty():
    table = evidence_table().assign(best_certainty=strings(["none", "low", "meh", "low"]))
    with pytest.raises(ValueError, match="meh"):
        plot_evidence_by_outcome(table)


# --- 2. Evidence gap map ----------------------------------------------------------------------


def markers(ax):
    return [(c.get_offsets()[0].tolist(), c.get_sizes()[0]) for c in ax.collections]


def test_gap_map_has_a_marker_per_cell_with_works():
    ax = plot_evidence_gap_map(gap_table())
    offsets = [xy for xy, _ in markers(ax)]
    assert len(offsets) == 4
    assert tick_texts(ax, "x") == ["systematic review", "cohort", "narrative review"]
    assert tick_texts(ax) == ["Chronic non-cancer pain", LONG, "Treatment-resistant depression"]
    # (column, row): rows sorted by label, columns in design order.
    assert offsets == [[0, 0], [1, 0], [2, 0], [2, 1]]
    assert "Evidence gap map" in ax.get_title()


def test_gap_map_marker_area_counts_works_and_shape_is_the_direction():
    ax = plot_evidence_gap_map(gap_table())
    sizes = [size for _, size in markers(ax)]
    assert [size / sizes[0] for size in sizes] == pytest.approx([1, 2, 4, 1])
    shapes = [c.get_paths()[0] for c in ax.collections]
    expected = [
        plt.matplotlib.markers.MarkerStyle(palette.DIRECTION_MARKERS[d]).get_path()
        for d in ("favours", "harm", "mixed", "favours")
    ]
    assert all(len(a.vertices) == len(b.vertices) for a, b in zip(shapes, expected, strict=False))
    assert {to_hex(c.get_facecolors()[0]) for c in ax.collections} == {NEUTRAL.lower()}
    assert values(ax) == ["1", "2", "4", "1"]


def test_gap_map_legends_for_direction_and_size():
    ax = plot_evidence_gap_map(gap_table())
    shape, size = legends(ax)
    assert legend_texts(shape) == ["favours", "mixed", "no benefit", "harm"]
    assert legend_texts(size) == ["1 work", "2 works", "4 works"]
    marker_sizes = [h.get_markersize() ** 2 for h in size.legend_handles]
    assert [m / marker_sizes[0] for m in marker_sizes] == pytest.approx([1, 2, 4])


def test_gap_map_shows_indications_without_works_as_empty_rows():
    ax = plot_evidence_gap_map(gap_table())
    assert "Treatment-resistant depression" in tick_texts(ax)
    assert [t.get_text() for t in ax.texts if "no cited works" in t.get_text()] == [
        "no cited works"
    ]
    assert max(xy[1] for xy, _ in markers(ax)) < 2


def test_gap_map_rotates_many_design_labels():
    designs = DESIGN_ORDER[:8]
    table = pd.DataFrame(
        {
            "indication": strings(["x"] * 8),
            "label": strings(["X"] * 8),
            "design": strings(list(reversed(designs))),
            "n_works": ints(range(1, 9)),
            "direction": strings(["favours"] * 8),
        }
    )
    ax = plot_evidence_gap_map(table)
    assert tick_texts(ax, "x") == [page_words("design", d) for d in designs]
    assert all(label.get_rotation() > 0 for label in ax.get_xticklabels())
    assert legend_texts(legends(ax)[1]) == ["1 work", "2 works", "4 works", "8 works"]


# --- 3. Claims by verdict ---------------------------------------------------------------------


def test_claims_one_bar_per_article_and_indication_grouped_by_article():
    ax = plot_claims_by_verdict(claims_table(), labels=CLAIM_LABELS)
    assert tick_texts(ax) == [
        "A · Chronic non-cancer pain",
        "A · general",
        "B · Chronic non-cancer pain",
        f"B · {LONG}",
    ]
    positions = [tick for tick in ax.get_yticks()]
    assert positions[2] - positions[1] > positions[1] - positions[0]  # gap between articles
    assert ax.get_xlabel() == "Number of claims"
    assert "by verdict" in ax.get_title()


def test_claims_segments_count_claims_in_vocabulary_order():
    ax = plot_claims_by_verdict(claims_table(), labels=CLAIM_LABELS)
    segments = [
        (
            round(p.get_y() + p.get_height() / 2, 6),
            p.get_x(),
            p.get_width(),
            to_hex(p.get_facecolor()),
        )
        for p in ax.patches
    ]
    rows = dict(zip(tick_texts(ax), ax.get_yticks(), strict=False))
    a_cncp = sorted(s[1:] for s in segments if s[0] == rows["A · Chronic non-cancer pain"])
    assert a_cncp == [
        (0, 2, VERDICT_COLOURS["overstated"].lower()),
        (2, 1, VERDICT_COLOURS["supported"].lower()),
    ]
    assert len(ax.patches) == 6  # only segments with claims are drawn
    assert sum(p.get_width() for p in ax.patches) == 8


def test_claims_legend_lists_verdicts_in_order():
    ax = plot_claims_by_verdict(claims_table())
    (legend,) = legends(ax)
    assert legend_texts(legend) == [page_words("verdict", v) for v in VERDICTS]
    assert tick_texts(ax)[0] == "A · cncp"  # no labels: ids are shown


# --- 4. Works over time ---------------------------------------------------------------------


def test_works_over_time_one_dot_per_design_and_year_with_its_count():
    ax = plot_works_over_time(designs_table())
    (dots,) = ax.collections
    points = [tuple(int(v) for v in xy) for xy in dots.get_offsets()]
    # Rows: systematic-review (0), guideline (1), narrative-review (2); the cohort has no year.
    assert sorted(points) == [(2014, 2), (2018, 0), (2018, 1), (2018, 2), (2021, 0)]
    assert tick_texts(ax) == ["systematic review", "guideline", "narrative review"]
    assert sorted(values(ax)) == ["1", "1", "1", "1", "1"]
    assert ax.get_xlabel() == "Publication year"
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_works_over_time_counts_works_without_a_year():
    ax = plot_works_over_time(designs_table())
    assert "1 work without a year not shown" in subtitle(ax)
    assert "over time, by study design" in ax.get_title()


# --- 5. Citation counts ---------------------------------------------------------------------


def test_citation_counts_bars_for_fetched_works_most_cited_first():
    ax = plot_citation_counts(works_table())
    assert tick_texts(ax) == ["Cohen 2018", "Bell 2018", "Smith 2020b", "Smith 2020a"]
    assert [p.get_width() for p in ax.patches] == [340, 120, 40, 15]
    assert values(ax) == ["340", "120", "40", "15"]
    assert {to_hex(p.get_facecolor()) for p in ax.patches} == {NEUTRAL.lower()}
    assert ax.get_xlabel() == "Times cited (Crossref count)"
    assert "1 of 5 cited works not fetched" in subtitle(ax)


def test_citation_counts_without_any_count_shows_how_to_fill_the_chart():
    ax = plot_citation_counts(works_table(fetched=False))
    assert len(ax.patches) == 0
    assert message(ax) == (
        "No Crossref records cached yet: 5 of 5 cited works not fetched. "
        "Run `litkit fetch` with network access to fill this chart."
    )
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_citation_counts_count_a_work_cited_twice_once():
    unfetched_copy = (
        works_table()
        .iloc[[0]]
        .assign(cited_by_count=ints([NA]), crossref_status=strings(["not fetched"]))
    )
    table = pd.concat([unfetched_copy, works_table()], ignore_index=True)
    ax = plot_citation_counts(table)
    assert tick_texts(ax).count("Bell 2018") == 1
    assert "1 of 5 cited works not fetched" in subtitle(ax)


@pytest.mark.parametrize(
    ("plot", "make", "column", "bad"),
    [
        (plot_evidence_gap_map, gap_table, "design", "anecdote"),
        (plot_evidence_gap_map, gap_table, "direction", "sideways"),
        (plot_claims_by_verdict, claims_table, "verdict", "vibes"),
        (plot_works_over_time, designs_table, "final_design", "anecdote"),
    ],
)
def test_unknown_vocabulary_values_are_named_in_the_error(plot, make, column, bad):
    table = make()
    table[column] = strings([bad] * len(table))
    with pytest.raises(ValueError, match=bad):
        plot(table)


def test_a_missing_column_is_named_in_the_error_with_the_view_to_use():
    rows = views.outcome_rows(evidence_table()).drop(columns="best_certainty")
    with pytest.raises(ValueError, match="best_certainty.*views.outcome_rows"):
        plots.plot_evidence_by_outcome(rows)


# --- The charts' words are the pages' words ----------------------------------------------------


def test_the_pages_rewrite_some_values_so_the_charts_must_too():
    assert {"rct", "very-low", "not-graded", "no-benefit", "systematic-review"} <= REWRITTEN


@pytest.mark.parametrize(("plot", "make", "options"), CHARTS, ids=CHART_IDS)
def test_no_chart_shows_a_vocabulary_value_the_pages_write_otherwise(plot, make, options):
    ax = plot(make(), **options)
    ax.figure.canvas.draw()
    texts = {" ".join(t.get_text().split()) for t in visible_texts(ax.figure)}
    assert sorted(texts & REWRITTEN) == []


def test_evidence_chart_writes_certainties_as_the_pages_do():
    ax = plot_evidence_by_outcome(evidence_table())
    scale = [page_words("certainty", c) for c in plots.SCALE]
    assert tick_texts(ax, "x") == scale
    assert legend_texts(legends(ax)[0])[:-1] == scale[::-1]
    assert set(values(ax)) <= set(scale)


def test_gap_map_writes_designs_and_directions_as_the_pages_do():
    n = len(DESIGN_ORDER)
    table = pd.DataFrame(
        {
            "indication": strings(["x"] * n),
            "label": strings(["X"] * n),
            "design": strings(list(DESIGN_ORDER)),
            "n_works": ints([1] * n),
            "direction": strings([DIRECTIONS[i % len(DIRECTIONS)] for i in range(n)]),
        }
    )
    ax = plot_evidence_gap_map(table)
    assert tick_texts(ax, "x") == [page_words("design", d) for d in DESIGN_ORDER]
    assert legend_texts(legends(ax)[0]) == [page_words("direction", d) for d in DIRECTIONS]


def test_works_over_time_writes_designs_as_the_pages_do():
    n = len(DESIGN_ORDER)
    table = pd.DataFrame(
        {
            "doi": strings([f"10.1/{i}" for i in range(n)]),
            "year": ints([2000 + i for i in range(n)]),
            "final_design": strings(list(DESIGN_ORDER)),
        }
    )
    ax = plot_works_over_time(table)
    assert tick_texts(ax) == [page_words("design", d) for d in DESIGN_ORDER]


# --- Layout: nothing overlaps -----------------------------------------------------------------


def many_indications(n: int = 10) -> pd.DataFrame:
    scale = ("none", "very-low", "low", "moderate", "high")
    return pd.DataFrame(
        {
            "indication_label": strings(
                [
                    f"{LONG} (variant {i})"
                    if i % 2
                    else f"Indication {i}: a long and very specific description"
                    for i in range(n)
                ]
            ),
            "outcome_label": strings(
                ["Pain relief" if i % 2 else "Adverse effects" for i in range(n)]
            ),
            "n_claims": ints([1] * n),
            "asserted": strings([scale[(i + 2) % 5] for i in range(n)]),
            "cited_certainty": strings([scale[i % 5] for i in range(n)]),
            "best_certainty": strings([scale[(i + 1) % 5] for i in range(n)]),
        }
    )


def many_claims(n: int = 10) -> tuple[pd.DataFrame, dict[str, str]]:
    labels = {f"ind-{i}": f"{LONG} (variant {i})" for i in range(n)}
    rows = [
        (f"{article}{i:02d}{k}", article, f"ind-{i}", VERDICTS[(i + k) % 5])
        for article in "AB"
        for i in range(n)
        for k in range(i % 3 + 1)
    ]
    table = pd.DataFrame(rows, columns=["claim_id", "article_id", "indication", "verdict"])
    return table.astype("string"), labels


def many_gap_cells(n: int = 9) -> pd.DataFrame:
    rows = [
        (f"ind-{i}", f"{LONG} (variant {i})", design, (i + j) % 4, DIRECTIONS[(i + j) % 4])
        for i in range(n)
        for j, design in enumerate(DESIGN_ORDER[:10])
    ]
    table = pd.DataFrame(rows, columns=["indication", "label", "design", "n_works", "direction"])
    return table.astype({"n_works": "Int64", "label": "string"})


def many_works(n: int = 30) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doi": strings([f"10.1/{i:03d}" for i in range(n)]),
            "first_author": strings(
                [f"Author-{chr(65 + i % 26)}{'x' * (i % 7)}" for i in range(n)]
            ),
            "year": ints([NA if i % 9 == 0 else 1990 + i for i in range(n)]),
            "cited_by_count": ints([NA if i % 4 == 0 else (i * 37) % 500 for i in range(n)]),
            "crossref_status": strings(
                ["not fetched" if i % 4 == 0 else "fetched" for i in range(n)]
            ),
        }
    )


def many_designs(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doi": strings([f"10.1/{i:03d}" for i in range(n)]),
            "year": ints([NA if i % 11 == 0 else 1995 + (i * 7) % 29 for i in range(n)]),
            "final_design": strings([DESIGN_ORDER[i % len(DESIGN_ORDER)] for i in range(n)]),
        }
    )


def big_chart(chart: str):
    if chart == "evidence":
        return plot_evidence_by_outcome(many_indications())
    if chart == "claims":
        table, labels = many_claims()
        return plot_claims_by_verdict(table, labels=labels)
    if chart == "gap":
        return plot_evidence_gap_map(many_gap_cells())
    if chart == "years":
        return plot_works_over_time(many_designs())
    return plot_citation_counts(many_works())


@pytest.mark.parametrize("chart", ["evidence", "claims", "gap", "years", "citations"])
def test_nothing_overlaps_on_charts_with_many_long_labels(chart):
    ax = big_chart(chart)
    figure = ax.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    assert overlapping(ax.get_yticklabels(), renderer) == []
    if chart in ("evidence", "claims", "gap"):
        assert len(ax.get_yticklabels()) >= 8
    # Rotated x labels have overlapping bounding boxes but not overlapping glyphs.
    rotated = {label for label in ax.get_xticklabels() if label.get_rotation()}
    texts = [t for t in visible_texts(figure) if t not in rotated]
    assert overlapping(texts, renderer) == []


def test_legends_sit_outside_the_plotting_area():
    for chart in ("evidence", "claims", "gap", "years"):
        ax = big_chart(chart)
        ax.figure.canvas.draw()
        inside = ax.get_window_extent()
        for legend in legends(ax):
            assert legend.get_window_extent().x0 >= inside.x1
        plt.close("all")


def test_question_headings_stay_inside_the_plotting_area_clear_of_the_legend():
    rows = many_indications()
    rows["beyond_best"] = 3  # the longest note: "— claimed 3 levels above the best evidence"
    ax = plot_evidence_by_outcome(rows)
    ax.figure.canvas.draw()
    right = ax.get_window_extent().x1
    headings = [t for t in ax.texts if t.get_fontweight() == "bold"]
    assert headings and all(t.get_window_extent().x1 <= right for t in headings)
    plt.close("all")


def test_gap_map_legends_do_not_overlap_with_a_single_row():
    ax = plot_evidence_gap_map(gap_table().iloc[[0]])
    ax.figure.canvas.draw()
    colour, size = (legend.get_window_extent() for legend in legends(ax))
    assert not colour.overlaps(size)


@pytest.mark.parametrize("chart", ["evidence", "claims", "gap", "years", "citations"])
def test_nothing_is_cut_off_at_the_figure_edge(chart):
    ax = big_chart(chart)
    figure = ax.figure
    figure.canvas.draw()
    edge = figure.bbox
    for artist in [*visible_texts(figure), *legends(ax)]:
        box = artist.get_window_extent()
        assert edge.x0 - 1 <= box.x0 and box.x1 <= edge.x1 + 1, artist
        assert edge.y0 - 1 <= box.y0 and box.y1 <= edge.y1 + 1, artist
