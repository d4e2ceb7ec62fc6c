"""The articles' claims, each judged against the evidence it cites and the best evidence.

Every claim names an indication and an outcome. Its certainty comes twice: from the works
the article cites for it, and from the best available evidence on that indication and
outcome (curated whether or not the article cites it). :func:`verdict` then decides one of
:data:`~litkit.vocabulary.VERDICTS` and says why, naming the works that decide it. A claim
about a harm is judged only against evidence on that harm; mechanism, regulation, advice and
dosing statements are not graded. The rules are in ``docs/method.md``; each has a test.

>>> verdict(asserted="established", direction="favours", topic="efficacy", status="reviewed",
...         cited=dict(certainty="very-low", direction="favours", best_work="A 2018"),
...         best=dict(certainty="moderate", direction="favours", best_work="B 2018"),
...         has_citations=True)[0]
'overstated'
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from litkit.analysis.evidence import (
    EMPTY_BODY,
    Questions,
    question,
    question_rows,
)
from litkit.processed import columns, conform
from litkit.schema import is_missing, row_dicts, split_list
from litkit.vocabulary import (
    ASSERTION_NEEDS,
    NO_EVIDENCE,
    RANK,
    UNASSIGNED,
)

# Why a topic is not graded, said in the verdict's reason.
_NOT_GRADED_BECAUSE = {
    "mechanism": "a statement of mechanism (pharmacology): no certainty of clinical effect applies",
    "regulatory": "a regulatory fact: checked against the regulator, not graded",
    "practice": "advice or a precaution (a good-practice statement): not graded",
    "dosing": "dosing advice (a good-practice statement): not graded",
}

# Which evidence directions go against which claimed direction.
_OPPOSITE = {
    "favours": ("no-benefit", "harm"),
    "harm": ("favours", "no-benefit"),
    "no-benefit": ("favours",),
}


def _says(body: Mapping) -> str:
    """One body of evidence in words: "Brinck 2018 (moderate, favours)" or "none"."""
    if body["certainty"] == NO_EVIDENCE:
        return "none"
    work = body.get("best_work")
    direction = body.get("direction")
    return (
        f"{work if isinstance(work, str) else 'works'} ({body['certainty'].replace('-', ' ')}, "
        f"{direction if isinstance(direction, str) else 'direction not stated'})"
    )


def _levels(n: int) -> str:
    """``"1 level"``, ``"2 levels"``."""
    return f"{n} level" if n == 1 else f"{n} levels"


def _not_graded(topic: str, status: str) -> str | None:
    if status == "draft":
        return "a draft claim: not reviewed yet, so not graded"
    return _NOT_GRADED_BECAUSE.get(topic)


def _contradicts(direction: str | None, body: Mapping) -> bool:
    """Whether evidence of at least low certainty points the other way."""
    found = body.get("direction")
    return (
        isinstance(direction, str)
        and isinstance(found, str)
        and found in _OPPOSITE.get(direction, ())
        and RANK[body["certainty"]] >= RANK["low"]
    )


def _shortfall(asserted: str, body: Mapping) -> int:
    """Levels by which an assertion outruns a body of evidence (0 when in keeping).

    Mixed evidence cannot carry a firm assertion: it counts as one level short at least.
    """
    need = RANK[ASSERTION_NEEDS[asserted]]
    short = max(need - RANK[body["certainty"]], 0)
    if body.get("direction") == "mixed" and asserted in ("established", "probable"):
        short = max(short, 1)
    return short


def verdict(
    *,
    asserted: str,
    direction: str | None,
    topic: str,
    status: str,
    cited: Mapping,
    best: Mapping,
    has_citations: bool,
    has_outcome: bool = True,
) -> tuple[str, str, int]:
    """A claim's verdict, its reason in words, and by how many levels it is overstated.

    Args:
        asserted: how firmly the article asserts it (``established`` … ``against``).
        direction: what the claim says the intervention does (favours, harm, …).
        topic: efficacy, safety, mechanism, regulatory, dosing or practice.
        status: ``reviewed``, or ``draft`` (never graded).
        cited: the body of evidence the article cites for it (see :func:`combine`).
        best: the best available evidence on its indication and outcome.
        has_citations: whether the article cites any work for it.
        has_outcome: whether it names its outcome yet (without one, it is not graded).
    """
    why_not = _not_graded(topic, status) or (None if has_outcome else "no outcome assigned yet")
    if why_not:
        return "not-graded", why_not, 0
    reference = best if best["certainty"] != NO_EVIDENCE else cited
    ref_name = (
        "the best evidence"
        if reference is best
        else "the cited evidence (no best evidence curated)"
    )
    short = _shortfall(asserted, reference) if reference["certainty"] != NO_EVIDENCE else 0
    if _contradicts(direction, reference):
        return (
            "contradicted",
            (f"claims {direction}; {ref_name}, {_says(reference)}, points the other way"),
            short,
        )
    if not has_citations:
        keeping = (
            f"asserted as {asserted}, {_levels(short)} beyond it"
            if short
            else f"asserted as {asserted}, in keeping with it"
        )
        what = (
            f"{ref_name} is {_says(reference)}; {keeping}"
            if reference["certainty"] != NO_EVIDENCE
            else "no best evidence is curated for it"
        )
        return "uncited", f"the article cites nothing for it; {what}", short
    if reference["certainty"] == NO_EVIDENCE:
        return (
            "uncited",
            "none of its cited works addresses this indication and outcome, and no "
            "best evidence is curated",
            0,
        )
    if short:
        return (
            "overstated",
            (f"asserted as {asserted}; {ref_name} is {_says(reference)}: {_levels(short)} short"),
            short,
        )
    need = RANK[ASSERTION_NEEDS[asserted]]
    if (
        asserted != "against"
        and RANK[reference["certainty"]] - need >= 2
        and reference.get("direction") == direction
    ):
        return "understated", (f"asserted as {asserted}; {ref_name} is {_says(reference)}"), 0
    if reference is best and (
        _shortfall(asserted, cited)
        or cited["certainty"] == NO_EVIDENCE
        or _contradicts(direction, cited)
    ):
        return (
            "under-cited",
            (
                f"the best evidence backs it ({_says(best)}); the works the "
                f"article cites give only {_says(cited)}"
            ),
            0,
        )
    return (
        "supported",
        (
            f"asserted as {asserted}; the best evidence is {_says(best)}; the "
            f"cited evidence is {_says(cited)}"
        ),
        0,
    )


def question_key(claim: Mapping, role: str) -> tuple:
    """A claim's question of ``role`` (see :func:`~litkit.analysis.evidence.question`):
    claims with the same key rest on the same rows, so their body of evidence is combined
    once. The cited evidence is limited to the works the claim cites."""
    cited = split_list(claim["cited_dois"]) if role == "cited" else None
    return question(
        role, claim["outcome"], claim["indication"], comparator=claim["comparator"], cited=cited
    )


def claim_evidence(
    claim: Mapping, grades: pd.DataFrame, *, role: str, by_question: Mapping | None = None
) -> pd.DataFrame:
    """The graded evidence of one role bearing on a claim's indication and outcome.

    Cited evidence is limited to the works the claim cites. A claim about no single
    indication (``general``) rests on each work once, at its strongest for the outcome.
    ``by_question``, the rows of ``grades`` split by :func:`evidence_by_question`, saves
    filtering the whole table when many claims are looked up.
    """
    return question_rows(question_key(claim, role), grades, by_question)


def _assess(claim: dict, kinds: Mapping[str, str], questions: Questions) -> dict:
    """One claim with its bodies of evidence and its verdict. A claim with no outcome yet
    has no evidence to weigh: it is not graded, for the reason its topic or status gives,
    or else for want of an outcome."""
    has_outcome = not is_missing(claim["outcome"]) and claim["outcome"] != UNASSIGNED
    if has_outcome:
        cited = questions.body(question_key(claim, "cited"))
        best = questions.body(question_key(claim, "best-evidence"))
    else:
        cited = best = EMPTY_BODY | {"reasons": ""}
    value, reason, short = verdict(
        asserted=claim["asserted"],
        direction=claim["direction"] or None,
        topic=claim["topic"],
        status=claim["status"],
        cited=cited,
        best=best,
        has_citations=bool(claim["cited_dois"]),
        has_outcome=has_outcome,
    )
    return {
        **claim,
        "outcome_kind": kinds.get(claim["outcome"], pd.NA),
        "cited_certainty": cited["certainty"],
        "cited_direction": cited["direction"],
        "best_certainty": best["certainty"],
        "best_direction": best["direction"],
        "best_work": best["best_work"],
        "best_dois": best["dois"],
        "verdict": value,
        "verdict_reason": reason,
        "overstated_by": short,
        "evidence_reasons": f"cited: {cited['reasons']} | best: {best['reasons']}",
    }


def assess_claims(
    claims: pd.DataFrame,
    grades: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    questions: Questions | None = None,
) -> pd.DataFrame:
    """Each claim with its cited and best certainty, its verdict and the reason.

    ``questions``: ``grades`` looked up by question, shared with the evidence-by-outcome
    table so that a body of evidence both ask for is combined once.
    """
    kinds = dict(zip(outcomes["outcome_id"], outcomes["kind"], strict=False))
    if questions is None:
        questions = Questions(grades)
    rows = [_assess(claim, kinds, questions) for claim in row_dicts(claims)]
    frame = pd.DataFrame(rows, columns=[c for c in columns("claims") if c != "citation_flags"])
    return conform(frame.assign(citation_flags=pd.NA), "claims")
