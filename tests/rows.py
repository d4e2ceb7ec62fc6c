"""Rows of the raw tables for tests: every column of the table, empty unless a test names it.

The columns come from :mod:`litkit.raw`, so no test re-lists a table's columns, and a cell a
test does not name is the empty cell a curator would leave. The defaults are the smallest
row the analysis reads as clean: an appraisal of a large, well-run randomised trial that
favours the treatment, and a reviewed claim that rests on it.
"""

from __future__ import annotations

import pandas as pd

from litkit.analysis.evidence import grade_appraisals
from litkit.raw import APPRAISALS, CLAIMS
from litkit.schema import Table

# Counts are numbers in the processed tables; a blank count is missing, not "".
_COUNTS = {"n_participants": "Int64", "n_studies": "Int64"}


def row(table: Table, **values: object) -> dict:
    """One row of ``table``: ``values`` where given, an empty cell elsewhere.

    >>> row(APPRAISALS, doi="10.1/a")["doi"], row(APPRAISALS)["design"]
    ('10.1/a', '')
    """
    return dict.fromkeys(table.names, "") | values


def appraisal(**values: object) -> dict:
    """An appraisal of a clean, large randomised trial for neuropathic pain relief (2020)."""
    clean_trial = {
        "doi": "10.1/a",
        "indication": "neuropathic-pain",
        "outcome": "pain-relief",
        "design": "rct",
        "n_studies": pd.NA,
        "n_participants": 500,
        "direction": "favours",
        "risk_of_bias": "low",
        "inconsistency": "not-applicable",
        "indirect": "no",
        "year": 2020,
    }
    return row(APPRAISALS, **(clean_trial | values))


def grade(*appraisals: dict, role: str = "cited", **options: object) -> pd.DataFrame:
    """The graded evidence of ``appraisals`` (rows as :func:`appraisal` makes them)."""
    frame = pd.DataFrame(list(appraisals)).astype(_COUNTS)
    return grade_appraisals(frame, role=role, **options)


def review(certainty: str, **values: object) -> dict:
    """An appraisal of a systematic review of randomised trials that grades its own evidence."""
    own_grade = {"design": "systematic-review", "review_of": "rct"}
    return appraisal(**(own_grade | {"stated_certainty_level": certainty} | values))


def claim(**values: object) -> dict:
    """A reviewed claim, citing the work of :func:`appraisal`, that its finding is established."""
    trial = appraisal()
    cites_the_trial = {name: trial[name] for name in ("indication", "outcome", "direction")}
    established = {
        "claim_id": "A01",
        "article_id": "A",
        "cited_dois": trial["doi"],
        "topic": "efficacy",
        "asserted": "established",
        "link": "inferred",
        "start": "0",
        "end": "1",
        "status": "reviewed",
    }
    return row(CLAIMS, **(cites_the_trial | established | values))


def outcomes() -> pd.DataFrame:
    """The outcome vocabulary the analysis reads: one benefit and one harm."""
    return pd.DataFrame(
        {
            "outcome_id": ["pain-relief", "adverse-effects"],
            "label": ["Pain relief", "Adverse effects"],
            "kind": ["benefit", "harm"],
        }
    )


def indications() -> pd.DataFrame:
    """The indication vocabulary the evidence tables read."""
    return pd.DataFrame(
        {
            "indication_id": ["neuropathic-pain", "acute-pain"],
            "label": ["Neuropathic pain", "Acute pain"],
        }
    )
