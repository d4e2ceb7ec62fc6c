"""Curated appraisals: what each cited work shows for each indication it addresses.

``data/raw/appraisals.csv`` has one row per cited work and indication: the work's design,
population, numbers, direction of findings, its own statement of certainty where it gives
one, the facts that bear on GRADE's domains (risk of bias, inconsistency, indirectness,
number of patients) and the ``source`` of those facts. Facts are recorded in our own words.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from litkit.designs import DESIGNS
from litkit.schema import Column, Table, read_table

DIRECTIONS = ("favours", "mixed", "no-benefit", "harm")
CERTAINTY_LEVELS = ("high", "moderate", "low", "very-low")
RISK_OF_BIAS = ("low", "some-concerns", "high", "not-assessed")
INCONSISTENCY = ("none", "some", "serious", "not-applicable")
REVIEW_OF = ("rct", "non-randomised", "mixed")
YES_NO = ("yes", "no")
VERIFIED = ("yes", "partly", "no")


def _count(value: str) -> str:
    if not value.isdigit() or int(value) == 0:
        raise ValueError(f"{value!r} is not a positive whole number")
    return value


def _check_row(row: dict[str, str]) -> None:
    """Rules across columns: what a systematic review must say, and what only one may say."""
    if row["design"] == "systematic-review" and not row["review_of"]:
        raise ValueError("a systematic-review row needs 'review_of' (rct, non-randomised or mixed)")
    if row["design"] != "systematic-review" and row["review_of"]:
        raise ValueError(f"'review_of' is only for systematic reviews, not {row['design']!r}")


APPRAISALS = Table("appraisals", (
    Column("doi"),
    Column("indication"),
    Column("design", allowed=DESIGNS),
    Column("review_of", required=False, allowed=REVIEW_OF),
    Column("population"),
    Column("n_studies", required=False, check=_count),
    Column("n_patients", required=False, check=_count),
    Column("direction", allowed=DIRECTIONS),
    Column("stated_certainty", required=False),
    Column("stated_certainty_level", required=False, allowed=CERTAINTY_LEVELS),
    Column("risk_of_bias", allowed=RISK_OF_BIAS),
    Column("inconsistency", allowed=INCONSISTENCY),
    Column("indirect", allowed=YES_NO),
    Column("key_findings"),
    Column("source"),
    Column("verified", allowed=VERIFIED),
    Column("notes", required=False),
), key=("doi", "indication"), consistent=(("doi", "design"),), row_check=_check_row)


def read_appraisals(path: str | Path, *, indication_ids: Collection[str],
                    cited_dois: Collection[str]) -> pd.DataFrame:
    """The appraisals, checked: indications from the vocabulary, DOIs among the citations."""
    table = read_table(path, APPRAISALS,
                       allowed={"indication": indication_ids, "doi": cited_dois})
    counts = {c: table[c].replace("", pd.NA).astype("Int64") for c in ("n_studies", "n_patients")}
    return table.assign(**counts)


def curated_designs(appraisals: pd.DataFrame) -> pd.DataFrame:
    """One curated design per appraised DOI (rows of one DOI agree, checked on reading)."""
    return (appraisals[["doi", "design"]].drop_duplicates("doi")
            .rename(columns={"design": "curated_design"}).reset_index(drop=True))
