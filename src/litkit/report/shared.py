"""What the views and the plots both need, written once so that a chart and a page agree.

A reader meets the same vocabulary values (certainties, verdicts, designs, directions) on
the report's pages, in the notebooks' charts and in the figures; :func:`words` writes each
the one way a clinician reads it, everywhere. :func:`require_columns` is the one check that
a table handed to a view or a chart has the columns it needs.

The plots import this module and not :mod:`litkit.report.views`: what decides a chart's
pixels is hashed into its files' key (:mod:`litkit.report.figures`), and this module is
small enough to be part of that key without every change to the views redrawing every chart.

>>> [words(v) for v in ("very-low", "rct", "not-graded", "under-cited", "case-control")]
['very low', 'RCT', 'not graded', 'under-cited', 'case-control']
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

# The chart the index shows, by its files' name (reports/figures/<name>.svg).
HEADLINE_FIGURE = "evidence-by-outcome"
# Values written otherwise than by turning hyphens into spaces: an abbreviation, and words
# whose hyphen is part of their English spelling.
SPELLED = {
    "rct": "RCT",
    "under-cited": "under-cited",
    "case-control": "case-control",
    "cross-sectional": "cross-sectional",
}


def words(value: object) -> str:
    """A vocabulary value as a clinician reads it: ``very-low`` → ``very low``; missing → ``""``.

    >>> words("no-benefit"), words(None), words(pd.NA)
    ('no benefit', '', '')
    """
    # Not litkit.schema.is_missing: this module imports no other part of litkit, so the
    # charts' key (litkit.report.figures) covers all the code that draws them.
    if value is None or pd.isna(value) or not str(value).strip():
        return ""
    return SPELLED.get(str(value), str(value).replace("-", " "))


def require_columns(
    table: pd.DataFrame, columns: Sequence[str], *, shaped_by: str | None = None
) -> None:
    """Raise ``ValueError`` when ``table`` lacks any of ``columns``.

    ``shaped_by`` names the view that shapes a chart's table, for the message to point to.

    >>> require_columns(pd.DataFrame({"row": []}), ("row", "asserted"), shaped_by="outcome_rows")
    Traceback (most recent call last):
    ...
    ValueError: table is missing column(s): asserted; shape it with litkit.report.views.outcome_rows
    """
    missing = [column for column in columns if column not in table.columns]
    if missing:
        hint = f"; shape it with litkit.report.views.{shaped_by}" if shaped_by else ""
        raise ValueError(f"table is missing column(s): {', '.join(missing)}{hint}")
