"""Verdict rules: each claim against the evidence it cites and the best evidence."""

import pandas as pd
import pytest

from litkit.analysis.claims import assess_claims, verdict
from litkit.vocabulary import VERDICTS
from rows import appraisal, claim, grade, outcomes, review

NONE = {"certainty": "none", "direction": pd.NA, "best_work": pd.NA}


def body(certainty, direction="favours", work="Work 2020"):
    return {"certainty": certainty, "direction": direction, "best_work": work}


# An established claim of benefit on efficacy, reviewed, citing works, with no evidence yet.
BASELINE = dict(
    asserted="established",
    direction="favours",
    topic="efficacy",
    status="reviewed",
    cited=NONE,
    best=NONE,
    has_citations=True,
)


def judge(**changes):
    """The verdict on :data:`BASELINE` with ``changes``."""
    return verdict(**(BASELINE | changes))


# --- one test per rule -----------------------------------------------------------------------


@pytest.mark.parametrize("topic", ["mechanism", "regulatory", "practice", "dosing"])
def test_mechanism_regulation_advice_and_dosing_are_not_graded(topic):
    value, reason, _ = judge(topic=topic, best=body("high", "harm"))
    assert value == "not-graded" and ("not graded" in reason or "no certainty" in reason)


def test_a_draft_claim_is_not_graded():
    assert judge(status="draft", best=body("high"))[:2] == (
        "not-graded",
        "a draft claim: not reviewed yet, so not graded",
    )


def test_a_claim_without_an_outcome_is_not_graded_for_want_of_one():
    assert judge(best=body("high"), has_outcome=False) == (
        "not-graded",
        "no outcome assigned yet",
        0,
    )
    assert judge(status="draft", has_outcome=False)[1] == (
        "a draft claim: not reviewed yet, so not graded"
    )


def test_best_evidence_the_other_way_contradicts():
    value, reason, _ = judge(
        asserted="possible",
        cited=body("very-low"),
        best=body("moderate", "no-benefit", "Hardy 2012"),
    )
    assert value == "contradicted"
    assert "Hardy 2012 (moderate, no-benefit), points the other way" in reason


def test_very_low_evidence_the_other_way_does_not_contradict():
    assert (
        judge(
            asserted="possible",
            best=body("very-low", "no-benefit"),
            cited=body("very-low", "no-benefit"),
        )[0]
        == "overstated"
    )


def test_asserted_beyond_the_best_evidence_is_overstated_by_the_levels_it_lacks():
    value, reason, levels = judge(
        asserted="established", cited=body("very-low"), best=body("moderate", work="Brinck 2018")
    )
    assert (value, levels) == ("overstated", 1)
    assert "asserted as established; the best evidence is Brinck 2018 (moderate, favours)" in reason


def test_mixed_best_evidence_cannot_carry_a_firm_assertion():
    assert judge(asserted="probable", best=body("high", "mixed"), cited=body("high", "mixed"))[
        :3:2
    ] == ("overstated", 1)


def test_backed_by_the_literature_but_not_by_the_citations_is_under_cited():
    value, reason, _ = judge(
        asserted="probable",
        cited=body("very-low", work="Bell 2018"),
        best=body("moderate", work="Brinck 2018"),
    )
    assert value == "under-cited"
    assert (
        "backs it (Brinck 2018 (moderate, favours))" in reason and "Bell 2018 (very low" in reason
    )


def test_a_claim_the_article_cites_nothing_for_is_uncited_and_says_what_the_best_evidence_shows():
    value, reason, levels = judge(
        asserted="established", has_citations=False, best=body("low", work="Review 2022")
    )
    assert (value, levels) == ("uncited", 2)
    assert "the article cites nothing for it" in reason
    assert "Review 2022 (low, favours)" in reason and "2 levels beyond it" in reason


def test_cited_works_that_miss_the_question_with_no_best_evidence_leave_it_uncited():
    assert judge(cited=NONE, best=NONE)[0] == "uncited"


def test_asserted_two_levels_below_the_best_evidence_is_understated():
    assert (
        judge(asserted="uncertain", cited=body("high"), best=body("moderate"))[0] == "understated"
    )


def test_a_doubtful_claim_is_not_understated_by_evidence_pointing_elsewhere():
    assert (
        judge(
            asserted="uncertain",
            direction="mixed",
            cited=body("very-low", "mixed"),
            best=body("moderate", "no-benefit"),
        )[0]
        != "understated"
    )


def test_in_keeping_with_both_bodies_is_supported():
    value, reason, _ = judge(asserted="probable", cited=body("moderate"), best=body("moderate"))
    assert value == "supported" and "the cited evidence is Work 2020 (moderate" in reason


def test_without_best_evidence_the_cited_evidence_decides_and_says_so():
    value, reason, _ = judge(asserted="established", cited=body("low"), best=NONE)
    assert value == "overstated" and "the cited evidence (no best evidence curated)" in reason


def test_every_verdict_is_reachable():
    reached = {
        judge(topic="practice")[0],
        judge(status="draft")[0],
        judge(best=body("high", "harm"))[0],
        judge(best=body("low"))[0],
        judge(asserted="probable", cited=body("low"), best=body("high"))[0],
        judge(has_citations=False, best=body("high"))[0],
        judge(asserted="uncertain", best=body("high"), cited=body("high"))[0],
        judge(best=body("high"), cited=body("high"))[0],
    }
    assert reached == set(VERDICTS)


# --- harms are judged on harm evidence only ---------------------------------------------------


def test_no_harm_or_precaution_claim_is_judged_on_efficacy_certainty():
    # Strong efficacy evidence and weak harm evidence for the same work and indication.
    grades = pd.concat(
        [
            grade(appraisal(design="narrative-review")),  # efficacy: very low
            grade(appraisal(outcome="adverse-effects", direction="harm")),  # harm: high
            grade(
                appraisal(doi="10.1/best", outcome="adverse-effects", direction="harm"),
                role="best-evidence",
            ),
        ],
        ignore_index=True,
    )
    claims = pd.DataFrame(
        [
            claim(claim_id="H1", topic="safety", outcome="adverse-effects", direction="harm"),
            claim(claim_id="P1", topic="practice", outcome="adverse-effects", direction=""),
            claim(claim_id="D1", topic="dosing", outcome="adverse-effects", direction="harm"),
        ]
    )
    assessed = assess_claims(claims, grades, outcomes()).set_index("claim_id")
    harm = assessed.loc["H1"]
    assert (harm["cited_certainty"], harm["outcome_kind"]) == ("high", "harm")
    assert harm["verdict"] == "supported"
    assert (assessed.loc[["P1", "D1"], "verdict"] == "not-graded").all()
    assert not (assessed["verdict"] == "overstated").any()


def test_a_claim_rests_on_its_cited_works_for_its_indication_and_outcome():
    grades = pd.concat(
        [
            grade(appraisal()),
            grade(review("moderate", doi="10.1/sr"), role="best-evidence"),
        ],
        ignore_index=True,
    )
    claims = pd.DataFrame(
        [
            claim(),
            claim(claim_id="A02", indication="acute-pain"),  # cited work is off-indication
            claim(claim_id="A03", cited_dois="", link="none", asserted="probable"),
            claim(claim_id="A04", indication="general", asserted="probable"),
        ]
    )
    assessed = assess_claims(claims, grades, outcomes()).set_index("claim_id")
    assert assessed.loc["A01", ["cited_certainty", "best_certainty", "verdict"]].tolist() == [
        "high",
        "moderate",
        "overstated",
    ]
    assert assessed.loc["A02", ["cited_certainty", "verdict"]].tolist() == ["none", "uncited"]
    assert assessed.loc["A03", "verdict"] == "uncited"
    assert assessed.loc["A04", ["best_certainty", "verdict"]].tolist() == ["moderate", "supported"]
    assert assessed.loc["A01", "overstated_by"] == 1


def test_a_general_claim_takes_each_works_best_row_so_indications_do_not_disagree():
    grades = grade(
        appraisal(
            doi="10.1/gl",
            design="guideline",
            stated_certainty_level="moderate",
            indication="neuropathic-pain",
        ),
        appraisal(
            doi="10.1/gl",
            design="guideline",
            stated_certainty_level="low",
            indication="cancer-palliative-pain",
            direction="mixed",
        ),
    )
    claims = pd.DataFrame([claim(indication="general", cited_dois="10.1/gl", asserted="probable")])
    assessed = assess_claims(claims, grades, outcomes()).iloc[0]
    assert (assessed["cited_certainty"], assessed["cited_direction"]) == ("moderate", "favours")


def test_a_claim_without_an_outcome_is_weighed_against_no_evidence():
    grades = pd.concat(
        [grade(appraisal()), grade(review("moderate"), role="best-evidence")], ignore_index=True
    )
    claims = pd.DataFrame(
        [
            claim(claim_id="U1", outcome="unassigned"),
            claim(claim_id="U2", outcome="unassigned", status="draft", topic="mechanism"),
        ]
    )
    assessed = assess_claims(claims, grades, outcomes()).set_index("claim_id")
    assert assessed.loc["U1", ["verdict", "verdict_reason", "overstated_by"]].tolist() == [
        "not-graded",
        "no outcome assigned yet",
        0,
    ]
    assert assessed.loc["U2", "verdict_reason"] == "a draft claim: not reviewed yet, so not graded"
    assert (assessed["best_certainty"] == "none").all()
    assert (assessed["evidence_reasons"] == "cited:  | best: ").all()
