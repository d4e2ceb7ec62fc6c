"""Grading the certainty of the evidence an article cites, by indication.

The method is GRADE's, applied to the cited works as appraised (``docs/method.md`` says it
in full for reviewers): each work's evidence for an indication starts at a level set by its
design, is downgraded for risk of bias, inconsistency, indirectness and imprecision, and the
works on one indication are combined by their best-rated evidence. The result describes the
evidence *the article cites*, not the whole literature.

>>> starting_certainty("rct", None)
('high', 'randomised trial: starts high')
>>> step_down("high", 3)
'very-low'
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from litkit.processed import columns, conform
from litkit.vocabulary import (
    CERTAINTY_LEVELS, DESIGNS, DIRECTIONS, NO_EVIDENCE, RANK, SCOPE,
)


# The 0-100 score for charts: a band per certainty (they never overlap, so the score is
# monotone in certainty) plus a bonus within the band for more and more consistent works.
SCORE_FLOOR = {"high": 80, "moderate": 55, "low": 30, "very-low": 5, NO_EVIDENCE: 0}
_BONUS_PER_EXTRA_WORK, _MAX_EXTRA_WORKS, _AGREEMENT_BONUS = 3, 3, 6

# GRADE's rule of thumb: a body of evidence under ~400 patients rarely reaches an optimal
# information size for a continuous outcome such as a pain score.
OPTIMAL_INFORMATION_SIZE = 400

_OBSERVATIONAL = ("controlled-trial", "cohort", "case-control", "cross-sectional")
_DOMAIN_RATED = ("rct", "systematic-review", *_OBSERVATIONAL)


def step_down(certainty: str, levels: int) -> str:
    """``certainty`` lowered by ``levels``, never below very low."""
    order = list(CERTAINTY_LEVELS)
    return order[min(order.index(certainty) + max(levels, 0), len(order) - 1)]


def starting_certainty(design: str, review_of: str | None, *,
                       stated: str | None = None) -> tuple[str | None, str]:
    """Where a work's evidence starts, by design (GRADE and Oxford CEBM), and why.

    Returns ``(None, reason)`` for works that carry no findings to grade.
    """
    if design == "rct":
        return "high", "randomised trial: starts high"
    if design == "systematic-review":
        if review_of == "rct":
            return "high", "systematic review of randomised trials: starts high"
        return "low", f"systematic review of {review_of or 'unstated'} studies: starts low"
    if design in _OBSERVATIONAL:
        return "low", f"{design} (non-randomised): starts low"
    if design in ("case-series", "case-report"):
        return "very-low", f"{design}: very low"
    if design in ("narrative-review", "commentary"):
        return "very-low", f"{design} (expert opinion): very low"
    if design == "guideline":
        if stated:
            return stated, f"guideline's own graded certainty: {stated}"
        return "very-low", "guideline without a graded certainty (consensus): very low"
    return None, f"{design}: reports no findings to grade, not counted"


def _rated_downgrades(row: pd.Series, start: str) -> list[tuple[int, str]]:
    """GRADE's domains for designs rated through them: (levels, reason) per concern."""
    concerns = []
    bias = row["risk_of_bias"]
    if bias == "some-concerns":
        concerns.append((1, "serious risk of bias (some concerns)"))
    elif bias == "high":
        concerns.append((2, "very serious risk of bias (most evidence at high risk)"))
    elif bias == "not-assessed" and start == "high":
        concerns.append((1, "risk of bias of randomised evidence not assessed"))
    if row["inconsistency"] == "some":
        concerns.append((1, "inconsistent results (some)"))
    elif row["inconsistency"] == "serious":
        concerns.append((2, "inconsistent results (serious)"))
    n = row["n_patients"]
    if pd.isna(n):
        concerns.append((1, "imprecision cannot be judged: number of patients not stated"))
    elif n < OPTIMAL_INFORMATION_SIZE:
        concerns.append((1, f"imprecise: {n} patients, under the ~{OPTIMAL_INFORMATION_SIZE} needed"))
    return concerns


def downgrades(row: pd.Series, start: str) -> list[tuple[int, str]]:
    """The downgrades one appraisal earns, each with its number of levels and reason.

    Designs rated through GRADE's domains (trials, reviews, observational studies) can lose
    levels for each; a guideline's own grade already weighs them, so only indirectness
    applies; works that start very low cannot go lower.
    """
    if start == "very-low":
        return []
    concerns = _rated_downgrades(row, start) if row["design"] in _DOMAIN_RATED else []
    if row["indirect"] == "yes":
        concerns.append((1, "indirect: population or outcome differs from the indication"))
    return concerns


def grade_appraisals(appraisals: pd.DataFrame, *, work_labels: Mapping[str, str] | None = None,
                     excluded: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The certainty of each work's evidence for each indication it addresses.

    Args:
        appraisals: the curated appraisals.
        work_labels: a short label per DOI for reasons ("Orhurhu 2019"); the DOI otherwise.
        excluded: DOIs left out of the grading, with the reason (e.g. a retraction).
    """
    work_labels, excluded = work_labels or {}, excluded or {}
    rows = []
    for _, row in appraisals.iterrows():
        stated = row["stated_certainty_level"] if pd.notna(row["stated_certainty_level"]) else None
        start, why = starting_certainty(row["design"], row["review_of"] or None, stated=stated)
        concerns = downgrades(row, start) if start else []
        levels = sum(n for n, _ in concerns)
        certainty = step_down(start, levels) if start else None
        reasons = [why, *(f"−{n} {text}" for n, text in concerns)]
        left_out = excluded.get(row["doi"]) or (None if start else why)
        if row["doi"] in excluded:
            reasons.append(f"not counted: {excluded[row['doi']]}")
        rows.append({
            "doi": row["doi"], "work": work_labels.get(row["doi"], row["doi"]),
            "indication": row["indication"], "design": row["design"], "start": start,
            "downgrades": levels, "certainty": certainty, "counted": left_out is None,
            "not_counted_because": left_out, "direction": row["direction"],
            "reasons": "; ".join(reasons) + (f" → {certainty}" if certainty else ""),
        })
    return conform(pd.DataFrame(rows, columns=columns("evidence_by_work")), "evidence_by_work")


def _count_summary(values: pd.Series, order: tuple[str, ...]) -> str:
    """``"a: 2; b: 1"`` in vocabulary order."""
    counts = values.value_counts()
    return "; ".join(f"{v}: {counts[v]}" for v in order if v in counts)


def combine(grades: pd.DataFrame) -> dict:
    """The certainty of a body of cited evidence: its best-rated works, and why.

    The best certainty among the counted works stands for the body; if the works at that
    level disagree in direction, it is lowered one level for inconsistency across works.
    """
    counted = grades[grades["counted"].fillna(False).astype(bool)]
    left_out = [f"{r.work} not counted ({r.not_counted_because})"
                for r in grades[~grades["counted"].fillna(False).astype(bool)].itertuples()]
    if counted.empty:
        return {"certainty": NO_EVIDENCE, "score": 0, "n_works": 0, "n_by_design": "",
                "best_design": pd.NA, "direction_summary": "", "dominant_direction": pd.NA,
                "reasons": "; ".join(["no cited work addresses it", *left_out])}
    ranks = counted["certainty"].map(RANK)
    top = counted[ranks == ranks.max()]
    directions = sorted(set(top["direction"]), key=DIRECTIONS.index)
    certainty = top["certainty"].iloc[0]
    reasons = [f"best: {w.work} ({w.design}): {w.reasons}" for w in top.itertuples()]
    if len(directions) > 1:
        certainty = step_down(certainty, 1)
        reasons.append(f"−1 the best-rated works disagree ({' vs '.join(directions)}) → {certainty}")
    others = counted[ranks < ranks.max()]
    if not others.empty:
        reasons.append("also cited, rated lower: " + ", ".join(
            f"{w.work} ({w.design}, {w.certainty})" for w in others.itertuples()))
    bonus = _BONUS_PER_EXTRA_WORK * min(len(top) - 1, _MAX_EXTRA_WORKS)
    bonus += _AGREEMENT_BONUS if directions in (["favours"], ["no-benefit"], ["harm"]) else 0
    best_design = min(top["design"], key=DESIGNS.index)
    return {
        "certainty": certainty, "score": SCORE_FLOOR[certainty] + bonus,
        "n_works": counted["doi"].nunique(),
        "n_by_design": _count_summary(counted.drop_duplicates("doi")["design"], DESIGNS),
        "best_design": best_design,
        "direction_summary": _count_summary(counted["direction"], DIRECTIONS),
        "dominant_direction": directions[0] if len(directions) == 1 else "mixed",
        "reasons": "; ".join([*reasons, *left_out]),
    }


def evidence_by_indication(grades: pd.DataFrame, indications: pd.DataFrame,
                           claims: pd.DataFrame) -> pd.DataFrame:
    """One row per indication of the vocabulary: the certainty of the evidence cited for it.

    Indications with no cited work are kept (certainty ``none``): they are gaps.
    """
    rows = []
    for ind in indications.itertuples():
        here = grades[grades["indication"] == ind.indication_id]
        resting = claims.loc[claims["indication"] == ind.indication_id, "claim_id"]
        rows.append({
            "indication": ind.indication_id, "label": ind.label, **combine(here),
            "claims": "; ".join(resting), "n_claims": len(resting),
            "dois": "; ".join(here["doi"].drop_duplicates()), "scope": SCOPE,
        })
    frame = pd.DataFrame(rows, columns=columns("evidence_by_indication")[:-1])
    frame = frame.assign(citation_flags=pd.NA)
    return conform(frame, "evidence_by_indication")


def gap_map(grades: pd.DataFrame, indications: pd.DataFrame) -> pd.DataFrame:
    """Indications × designs: how many cited works, and the direction they point.

    Indications with no cited work get one row with ``n_works`` 0, so the gap shows.
    """
    counted = grades[grades["counted"].fillna(False).astype(bool)]
    rows = []
    for ind in indications.itertuples():
        here = counted[counted["indication"] == ind.indication_id]
        if here.empty:
            rows.append({"indication": ind.indication_id, "label": ind.label,
                         "design": pd.NA, "n_works": 0, "direction": pd.NA})
        for design in [d for d in DESIGNS if d in set(here["design"])]:
            cell = here[here["design"] == design]
            directions = set(cell["direction"])
            rows.append({"indication": ind.indication_id, "label": ind.label, "design": design,
                         "n_works": cell["doi"].nunique(),
                         "direction": directions.pop() if len(directions) == 1 else "mixed"})
    return conform(pd.DataFrame(rows, columns=columns("evidence_gap_map")), "evidence_gap_map")
