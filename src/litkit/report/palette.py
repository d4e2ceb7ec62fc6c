"""The colours and marks of every chart and page, in one place: one meaning per colour.

Colour carries exactly two meanings across the report, so a reader learns them once:

* **certainty** (GRADE), an ordered scale: one hue, Okabe–Ito blue, from dark (high) to
  pale (very low); no evidence at all is left unfilled;
* **verdict** of a claim: Okabe–Ito's non-blue hues, warm for the verdicts a reviewer must
  act on, green for the ones that need nothing, grey for claims not graded.

Everything else is told apart without colour: directions of effect by marker shape and in
words, study designs by name on an axis, the three certainties of one question by their
place and label, and a chart with a single series uses one neutral grey.

>>> len(set(MEANINGFUL_COLOURS)) == len(MEANINGFUL_COLOURS)
True
"""

from __future__ import annotations

# Okabe–Ito: orange #E69F00, sky blue #56B4E9, bluish green #009E73, yellow #F0E442,
# blue #0072B2, vermillion #D55E00, reddish purple #CC79A7, black #000000, grey #999999.

# Certainty is ordered, so it gets one hue from dark (high) to pale (very low); "none"
# (no evidence) is off the scale: white, drawn with an outline.
CERTAINTY_COLOURS = {
    "high": "#00446B",
    "moderate": "#0072B2",
    "low": "#66AAD1",
    "very-low": "#C6E0EF",
    "none": "#FFFFFF",
}

# A claim's verdict: no blue, so a verdict is never read as a certainty.
VERDICT_COLOURS = {
    "contradicted": "#D55E00",  # vermillion
    "overstated": "#E69F00",  # orange
    "under-cited": "#CC79A7",  # reddish purple
    "uncited": "#F0E442",  # yellow
    "understated": "#9AD9C2",  # pale bluish green: nothing to correct, but worth knowing
    "supported": "#009E73",  # bluish green
    "not-graded": "#CCCCCC",  # grey: no verdict applies
}

# Directions of effect are shapes (matplotlib markers) and symbols (pages), never colours.
DIRECTION_MARKERS = {"favours": "^", "mixed": "D", "no-benefit": "o", "harm": "v"}
DIRECTION_SYMBOLS = {"favours": "▲", "mixed": "◆", "no-benefit": "●", "harm": "▼"}
UNKNOWN_DIRECTION = "not stated"
UNKNOWN_DIRECTION_MARKER = "s"

# The certainty a claim asserts is drawn in its certainty's colour, hatched: claimed, not
# found in evidence.
ASSERTED_HATCH = "////"
HATCH_COLOUR = "#9A9A9A"  # mid grey: visible on the darkest and the palest blue

NEUTRAL = "#8C8C8C"  # single-series bars and marks: colour carries no meaning
EDGE_COLOUR = "#333333"  # outlines and text
GRID_COLOUR = "#E6E6E6"  # structure, not data
BACKGROUND = "#FFFFFF"

# Every colour that carries a meaning; a test checks each appears once.
MEANINGFUL_COLOURS = [
    *(c for level, c in CERTAINTY_COLOURS.items() if level != "none"),
    *VERDICT_COLOURS.values(),
    NEUTRAL,
]


def _rgb(colour: str) -> tuple[float, float, float]:
    """``#RRGGBB`` as three channels from 0 to 1."""
    value = colour.lstrip("#")
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def ink_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG luminance).

    >>> ink_on("#00446B"), ink_on("#F0E442")
    ('white', 'black')
    """

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in _rgb(background))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def tint(colour: str, alpha: float) -> str:
    """``colour`` at ``alpha`` opacity, as CSS: a highlight that keeps text readable.

    >>> tint("#E69F00", 0.3)
    'rgba(230, 159, 0, 0.3)'
    """
    red, green, blue = (round(c * 255) for c in _rgb(colour))
    return f"rgba({red}, {green}, {blue}, {alpha:g})"
