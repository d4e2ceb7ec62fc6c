"""Certainty rules: starting levels, downgrades, combining works, score, gap map."""

import pandas as pd
import pytest

from litkit.analysis import evidence
from litkit.analysis.claims import assess_claims
from litkit.analysis.evidence import (
    Questions,
    combine,
    crosses_no_effect,
    evidence_by_outcome,
    gap_map,
    matching,
    starting_certainty,
    step_down,
)
from litkit.vocabulary import CERTAINTIES, validate_certainty
from rows import appraisal, claim, grade, indications, outcomes, review


@pytest.mark.parametrize(
    "design, review_of, stated, expected",
    [
        ("rct", None, None, "high"),
        ("systematic-review", "rct", None, "high"),
        ("systematic-review", "non-randomised", None, "low"),
        ("systematic-review", "mixed", None, "low"),
        ("controlled-trial", None, None, "low"),
        ("cohort", None, None, "low"),
        ("case-control", None, None, "low"),
        ("cross-sectional", None, None, "low"),
        ("case-series", None, None, "very-low"),
        ("case-report", None, None, "very-low"),
        ("narrative-review", None, None, "very-low"),
        ("commentary", None, None, "very-low"),
        ("guideline", None, "moderate", "moderate"),
        ("guideline", None, None, "very-low"),
        ("protocol", None, None, None),
        ("unclassified", None, None, None),
    ],
)
def test_starting_certainty_by_design(design, review_of, stated, expected):
    assert starting_certainty(design, review_of, stated=stated)[0] == expected


def test_a_narrative_reviews_own_claim_of_good_evidence_does_not_raise_it():
    graded = grade(appraisal(design="narrative-review", stated_certainty_level="moderate"))
    assert graded.loc[0, "certainty"] == "very-low"


def test_a_clean_large_rct_stays_high():
    assert grade(appraisal()).loc[0, "certainty"] == "high"


@pytest.mark.parametrize(
    "overrides, levels, words",
    [
        ({"risk_of_bias": "some-concerns"}, 1, "serious risk of bias"),
        ({"risk_of_bias": "high"}, 2, "very serious risk of bias"),
        ({"risk_of_bias": "not-assessed"}, 1, "not assessed"),
        ({"inconsistency": "some"}, 1, "inconsistent"),
        ({"inconsistency": "serious"}, 2, "inconsistent"),
        ({"indirect": "yes"}, 1, "indirect"),
        ({"n_participants": 399}, 1, "imprecise: 399 participants"),
        (
            {"effect_measure": "RR", "estimate": "0.9", "ci_low": "0.7", "ci_high": "1.2"},
            1,
            "CI includes no effect",
        ),
        (
            {
                "effect_measure": "MD",
                "estimate": "-1.8",
                "ci_low": "-2.4",
                "ci_high": "-1.3",
                "n_participants": 211,
            },
            1,
            "imprecise: 211 participants",
        ),
    ],
)
def test_each_downgrade_costs_its_levels_and_says_why(overrides, levels, words):
    graded = grade(appraisal(**overrides)).iloc[0]
    assert graded["downgrades"] == levels
    assert graded["certainty"] == step_down("high", levels)
    assert words in graded["reasons"]


def test_a_missing_participant_count_is_not_imprecision_by_itself():
    graded = grade(appraisal(n_participants=pd.NA)).iloc[0]
    assert graded["downgrades"] == 0 and graded["certainty"] == "high"
    assert "imprecision not judged: participants not reported" in graded["reasons"]


def test_a_ci_that_excludes_no_effect_with_enough_participants_is_precise():
    graded = grade(
        appraisal(
            effect_measure="SMD",
            estimate="-0.45",
            ci_low="-0.84",
            ci_high="-0.07",
            n_participants=1613,
        )
    ).iloc[0]
    assert graded["downgrades"] == 0
    assert graded["effect"] == "SMD: -0.45 (95% CI -0.84 to -0.07)"


@pytest.mark.parametrize(
    "measure, low, high, expected",
    [
        ("RR of nausea", "0.5", "0.9", False),
        ("odds ratio", "0.8", "1.1", True),
        ("MD pain 0-10", "-0.8", "0.0", True),
        ("SMD", "0.1", "0.4", False),
        ("MD", "", "", None),
    ],
)
def test_crosses_no_effect_knows_ratios_from_differences(measure, low, high, expected):
    assert crosses_no_effect(measure, low, high) is expected


def test_a_reviews_own_grade_is_taken_as_it_is():
    graded = grade(review("low", risk_of_bias="high", n_participants=100)).iloc[0]
    assert graded["certainty"] == "low" and graded["own_grade"]
    assert "the review's own GRADE rating" in graded["reasons"]


def test_four_hundred_participants_is_not_imprecise():
    assert grade(appraisal(n_participants=400)).loc[0, "downgrades"] == 0


def test_downgrades_add_up_and_stop_at_very_low():
    graded = grade(appraisal(risk_of_bias="high", inconsistency="some", n_participants=211)).iloc[0]
    assert graded["downgrades"] == 4 and graded["certainty"] == "very-low"


def test_observational_risk_of_bias_not_assessed_is_not_downgraded():
    graded = grade(
        appraisal(design="cohort", risk_of_bias="not-assessed", n_participants=1000)
    ).iloc[0]
    assert (graded["certainty"], graded["downgrades"]) == ("low", 0)


def test_a_guideline_keeps_its_grade_and_is_downgraded_only_for_indirectness():
    direct = grade(
        appraisal(
            design="guideline",
            stated_certainty_level="moderate",
            risk_of_bias="high",
            n_participants=pd.NA,
        )
    ).iloc[0]
    assert direct["certainty"] == "moderate"
    indirect = grade(
        appraisal(design="guideline", stated_certainty_level="moderate", indirect="yes")
    )
    assert indirect.loc[0, "certainty"] == "low"


def test_protocols_and_excluded_works_are_not_counted():
    graded = grade(
        appraisal(design="protocol"),
        appraisal(doi="10.1/b"),
        excluded={"10.1/b": "retracted (10.1/notice)"},
    )
    assert graded["counted"].tolist() == [False, False]
    assert graded["not_counted_because"].tolist() == [
        "protocol: reports no findings to grade, not counted",
        "retracted (10.1/notice)",
    ]
    assert "retracted (10.1/notice)" in graded.loc[1, "reasons"]
    body = combine(graded)
    assert body["certainty"] == "none" and body["n_works"] == 0
    assert "not counted (retracted (10.1/notice))" in body["reasons"]


def test_the_best_rated_works_stand_for_the_body():
    graded = grade(
        appraisal(doi="10.1/a", design="cohort", n_participants=1000),
        appraisal(doi="10.1/b", design="narrative-review"),
        work_labels={"10.1/a": "Alpha 2020"},
    )
    body = combine(graded)
    assert body["certainty"] == "low" and body["best_design"] == "cohort"
    assert body["n_works"] == 2 and body["best_work"] == "Alpha 2020"
    assert "best: Alpha 2020 (cohort)" in body["reasons"]
    assert "also, rated lower: 10.1/b (narrative-review, very-low)" in body["reasons"]


def test_disagreeing_best_works_lower_the_body_one_level():
    graded = grade(appraisal(doi="10.1/a"), appraisal(doi="10.1/b", direction="no-benefit"))
    body = combine(graded)
    assert body["certainty"] == "moderate"
    assert body["direction"] == "mixed"
    assert "disagree (favours vs no-benefit)" in body["reasons"]


def test_works_sharing_authors_are_flagged_and_not_counted_as_agreeing():
    graded = grade(
        appraisal(doi="10.1/a", independent_of="10.1/b"),
        appraisal(doi="10.1/b", direction="no-benefit", independent_of="10.1/a"),
    )
    body = combine(graded)
    assert "share authors: counted once" in body["reasons"]
    assert body["certainty"] == "high" and body["direction"] == "favours"


def test_a_consensus_guideline_does_not_outrank_a_systematic_review():
    graded = grade(
        appraisal(doi="10.1/gl", design="guideline", stated_certainty_level="high"),
        review("low", doi="10.1/sr"),
        work_labels={"10.1/gl": "Guide 2018", "10.1/sr": "Review 2019"},
    )
    body = combine(graded)
    assert (body["certainty"], body["best_work"]) == ("low", "Review 2019")
    assert (
        "Guide 2018 not counted (a consensus guideline's grade does not outrank" in body["reasons"]
    )


def test_the_best_evidence_is_one_work_the_strongest_then_the_newest():
    graded = grade(
        review("low", doi="10.1/old", year=2018),
        review("low", doi="10.1/new", year=2025, direction="mixed"),
        appraisal(doi="10.1/rct", design="rct", risk_of_bias="high", year=2030),
        role="best-evidence",
    )
    body = combine(graded, single=True)
    assert body["best_work"] == "10.1/new" and body["direction"] == "mixed"
    assert body["certainty"] == "low"  # no step down: one work stands for the best evidence


def test_a_head_to_head_claim_uses_only_evidence_against_the_same_comparator():
    graded = grade(
        appraisal(doi="10.1/p", comparator="placebo"),
        appraisal(doi="10.1/o", comparator="Opioids"),
        appraisal(doi="10.1/n"),
    )
    assert set(matching(graded, "opioids")["doi"]) == {"10.1/o"}
    assert set(matching(graded, "")["doi"]) == {"10.1/p", "10.1/n"}


def test_evidence_by_outcome_sets_cited_and_best_side_by_side():
    graded = pd.concat(
        [
            grade(appraisal(doi="10.1/c", design="narrative-review")),
            grade(review("moderate", doi="10.1/b"), role="best-evidence"),
            grade(
                appraisal(
                    doi="10.1/h",
                    outcome="adverse-effects",
                    direction="harm",
                    indication="acute-pain",
                ),
                role="best-evidence",
            ),
        ],
        ignore_index=True,
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["A01", "A02"],
            "indication": ["neuropathic-pain", "general"],
            "outcome": ["pain-relief", "pain-relief"],
            "asserted": ["established", "possible"],
            "verdict": ["overstated", "supported"],
        }
    )
    table = evidence_by_outcome(graded, claims, indications(), outcomes())
    assert table[["indication", "outcome"]].values.tolist() == [
        ["neuropathic-pain", "pain-relief"],
        ["acute-pain", "adverse-effects"],
    ]
    first = table.iloc[0]
    assert (first["cited_certainty"], first["best_certainty"], first["asserted"]) == (
        "very-low",
        "moderate",
        "high",
    )
    assert (first["cited_dois"], first["best_dois"], first["claims"]) == ("10.1/c", "10.1/b", "A01")
    assert table.iloc[1]["outcome_kind"] == "harm" and table.iloc[1]["cited_certainty"] == "none"


def test_a_body_of_evidence_the_claims_and_the_outcome_table_share_is_combined_once(monkeypatch):
    graded = pd.concat(
        [grade(appraisal()), grade(review("moderate", doi="10.1/b"), role="best-evidence")],
        ignore_index=True,
    )
    claims = pd.DataFrame([claim(), claim(claim_id="A02", claim="again", asserted="probable")])
    combined = []
    real = evidence.combine
    monkeypatch.setattr(
        evidence,
        "combine",
        lambda rows, **options: combined.append(options) or real(rows, **options),
    )
    questions = Questions(graded)
    assessed = assess_claims(claims, graded, outcomes(), questions=questions)
    table = evidence_by_outcome(graded, assessed, indications(), outcomes(), questions=questions)
    # The claims' cited works (both cite the one trial), the best evidence (asked by both
    # claims and the table), every cited work (the table): three questions, three bodies.
    assert len(combined) == 3
    assert table.loc[0, "best_work"] == assessed.loc[0, "best_work"] == "10.1/b"


def test_a_work_without_counts_or_year_ranks_as_zero_not_as_an_error():
    graded = grade(
        review("moderate", doi="10.1/old", year=2010, n_participants=9000),
        review("moderate", doi="10.1/blank", year=pd.NA, n_participants=pd.NA),
    )
    assert combine(graded, single=True)["best_work"] == "10.1/old"


def test_gap_map_counts_works_by_design_and_keeps_empty_indications():
    graded = grade(
        appraisal(doi="10.1/a"),
        appraisal(doi="10.1/b", direction="mixed"),
        appraisal(doi="10.1/c", design="cohort"),
    )
    cells = gap_map(graded, indications())
    assert cells[["design", "n_works", "direction"]].astype(object).values.tolist() == [
        ["rct", 2, "mixed"],
        ["cohort", 1, "favours"],
        [pd.NA, 0, pd.NA],
    ]


def test_validate_certainty_names_the_value_and_the_vocabulary():
    assert validate_certainty("low") == "low"
    with pytest.raises(ValueError, match="unknown certainty 'medium'; expected one of: high"):
        validate_certainty("medium")
    assert CERTAINTIES[-1] == "none"
