"""The colours of every chart and page, in one place: one meaning per colour.

Colour-blind-safe (Okabe–Ito hues; shades of its blue for the ordered certainty scale).
"""

# Okabe–Ito: orange #E69F00, sky blue #56B4E9, bluish green #009E73, yellow #F0E442,
# blue #0072B2, vermillion #D55E00, reddish purple #CC79A7, black #000000, grey #999999.

# Certainty is ordered, so it gets one hue (Okabe–Ito blue) from dark (high) to pale
# (very low); "none" (no cited evidence) is off the scale and grey.
CERTAINTY_COLOURS = {
    "high": "#00446B",
    "moderate": "#0072B2",
    "low": "#66AAD1",
    "very-low": "#B2D5E8",
    "none": "#999999",
}
# A claim's verdict: warm colours for the verdicts a reviewer must act on.
VERDICT_COLOURS = {
    "contradicted": "#D55E00",
    "overstated": "#E69F00",
    "under-cited": "#CC79A7",
    "uncited": "#F0E442",
    "understated": "#56B4E9",
    "supported": "#009E73",
    "not-graded": "#DDDDDD",
}
DIRECTION_COLOURS = {
    "favours": "#009E73",
    "mixed": "#E69F00",
    "no-benefit": "#56B4E9",
    "harm": "#D55E00",
}
# The eight graded designs get the eight Okabe–Ito colours; the ungraded ones are greys,
# told apart by hatching.
DESIGN_COLOURS = {
    "systematic-review": "#0072B2",
    "rct": "#56B4E9",
    "controlled-trial": "#009E73",
    "cohort": "#F0E442",
    "case-control": "#E69F00",
    "cross-sectional": "#D55E00",
    "case-series": "#CC79A7",
    "case-report": "#000000",
    "guideline": "#999999",
    "narrative-review": "#999999",
    "protocol": "#DDDDDD",
    "commentary": "#DDDDDD",
    "unclassified": "#FFFFFF",
}
DESIGN_HATCHES = {"guideline": "//", "protocol": "..", "unclassified": "xx"}

UNKNOWN_DIRECTION = "not stated"
UNKNOWN_DIRECTION_COLOUR = "#FFFFFF"
BAR_COLOUR = "#0072B2"  # single-series bars, where colour carries no meaning
EDGE_COLOUR = "#333333"
GRID_COLOUR = "#DDDDDD"

