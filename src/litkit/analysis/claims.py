"""The articles' claims, and how each stands against the evidence it cites.

``data/raw/claims.csv`` holds every claim in our own words, with its indication, topic,
how strongly the article asserts it, and the works cited for it. :func:`assess_claims`
adds the certainty of that cited evidence and a concordance: whether the article asserts
the claim more or less strongly than its evidence allows. The rules are in
``docs/method.md``; each has a test.
"""

from __future__ import annotations

import pandas as pd

from litkit.analysis.evidence import combine
from litkit.processed import columns, conform
from litkit.schema import split_list
from litkit.vocabulary import GENERAL, NO_EVIDENCE, NOT_GRADED_TOPICS, RANK

# An assertion that commits to an effect, and so can be contradicted by the evidence.
_COMMITTED = ("established", "probable", "possible")

# The certainties an assertion is in keeping with: a claim stated as established needs
# high certainty; a hedged one ("may", "promising") or a doubtful one fits weak evidence.
IN_KEEPING = {
    "established": ("high",),
    "probable": ("moderate", "high"),
    "possible": ("very-low", "low"),
    "uncertain": ("very-low", "low"),
}


def concordance(*, asserted: str, topic: str, certainty: str,
                direction: str | None) -> tuple[str, str]:
    """How a claim's assertion compares with the certainty of its cited evidence.

    >>> concordance(asserted="established", topic="efficacy", certainty="low", direction="favours")
    ('overstated', 'asserted as established; the cited evidence is low certainty')
    """
    if topic in NOT_GRADED_TOPICS:
        return "not-assessable", f"a {topic} statement: not graded for clinical effect"
    if certainty == NO_EVIDENCE:
        return "uncited", "no cited work addresses it"
    if asserted == "against":
        if direction == "favours" and RANK[certainty] >= RANK["moderate"]:
            return "understated", f"advised against, but {certainty}-certainty cited evidence favours it"
        return "supported", f"advised against; the cited evidence is {direction}, {certainty} certainty"
    if topic == "efficacy" and asserted in _COMMITTED and direction in ("no-benefit", "harm"):
        return "overstated", f"asserted as {asserted}; the cited evidence finds {direction}"
    if topic == "efficacy" and direction == "mixed" and asserted in ("established", "probable"):
        return "overstated", f"asserted as {asserted}; the cited evidence is mixed"
    keeping = IN_KEEPING[asserted]
    if RANK[certainty] < min(RANK[c] for c in keeping):
        return "overstated", f"asserted as {asserted}; the cited evidence is {certainty} certainty"
    if RANK[certainty] > max(RANK[c] for c in keeping):
        return "understated", f"asserted as {asserted}; the cited evidence is {certainty} certainty"
    return "supported", f"asserted as {asserted}; the cited evidence is {certainty} certainty"


def claim_evidence(claim: pd.Series, grades: pd.DataFrame) -> pd.DataFrame:
    """The graded evidence a claim rests on: its cited works, for its indication.

    A claim about no single indication (``general``) rests on each cited work's best-rated
    evidence, one row per work, so that a work's results for different indications are not
    taken for a disagreement.
    """
    cited = grades[grades["doi"].isin(split_list(claim["cited_dois"]))]
    if claim["indication"] != GENERAL:
        return cited[cited["indication"] == claim["indication"]]
    best_first = cited.assign(_rank=cited["certainty"].map(RANK).fillna(-1))
    best_first = best_first.sort_values(["_rank", "indication"], ascending=[False, True])
    return best_first.drop_duplicates("doi").drop(columns="_rank").sort_index()


def assess_claims(claims: pd.DataFrame, grades: pd.DataFrame) -> pd.DataFrame:
    """Each claim with the certainty of its cited evidence and its concordance."""
    rows = []
    for _, claim in claims.iterrows():
        body = combine(claim_evidence(claim, grades))
        value, reason = concordance(asserted=claim["asserted"], topic=claim["topic"],
                                    certainty=body["certainty"],
                                    direction=body["dominant_direction"])
        if value == "uncited" and not claim["cited_dois"]:
            reason = "the article cites no work for it"
        elif value == "uncited":
            reason = f"none of its cited works addresses {claim['indication']}"
        rows.append({**claim.to_dict(), "n_evidence_works": body["n_works"],
                     "evidence_certainty": body["certainty"],
                     "evidence_direction": body["dominant_direction"],
                     "concordance": value, "concordance_reason": reason})
    frame = pd.DataFrame(rows, columns=[c for c in columns("claims") if c != "citation_flags"])
    return conform(frame.assign(citation_flags=pd.NA), "claims")
