"""Certainty rules: starting levels, downgrades, combining works, score, gap map."""

import pandas as pd
import pytest

from litkit.analysis.evidence import (
    SCORE_FLOOR, combine, evidence_by_indication, gap_map, grade_appraisals, starting_certainty,
    step_down,
)
from litkit.vocabulary import CERTAINTIES, validate_certainty


def appraisal(**overrides) -> dict:
    row = dict(doi="10.1/a", indication="neuropathic-pain", design="rct", review_of="",
               population="adults", n_studies=pd.NA, n_patients=500, direction="favours",
               stated_certainty="", stated_certainty_level="", risk_of_bias="low",
               inconsistency="not-applicable", indirect="no", key_findings="k", source="s",
               verified="yes", notes="")
    return row | overrides


def grade(*rows, **options) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows)).astype({"n_patients": "Int64"})
    return grade_appraisals(frame, **options)


@pytest.mark.parametrize("design, review_of, stated, expected", [
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
])
def test_starting_certainty_by_design(design, review_of, stated, expected):
    assert starting_certainty(design, review_of, stated=stated)[0] == expected


def test_a_narrative_reviews_own_claim_of_good_evidence_does_not_raise_it():
    graded = grade(appraisal(design="narrative-review", stated_certainty_level="moderate"))
    assert graded.loc[0, "certainty"] == "very-low"


def test_a_clean_large_rct_stays_high():
    assert grade(appraisal()).loc[0, "certainty"] == "high"


@pytest.mark.parametrize("overrides, levels, words", [
    ({"risk_of_bias": "some-concerns"}, 1, "serious risk of bias"),
    ({"risk_of_bias": "high"}, 2, "very serious risk of bias"),
    ({"risk_of_bias": "not-assessed"}, 1, "not assessed"),
    ({"inconsistency": "some"}, 1, "inconsistent"),
    ({"inconsistency": "serious"}, 2, "inconsistent"),
    ({"indirect": "yes"}, 1, "indirect"),
    ({"n_patients": 399}, 1, "imprecise: 399 patients"),
    ({"n_patients": pd.NA}, 1, "number of patients not stated"),
])
def test_each_downgrade_costs_its_levels_and_says_why(overrides, levels, words):
    graded = grade(appraisal(**overrides)).iloc[0]
    assert graded["downgrades"] == levels
    assert graded["certainty"] == step_down("high", levels)
    assert words in graded["reasons"]


def test_four_hundred_patients_is_not_imprecise():
    assert grade(appraisal(n_patients=400)).loc[0, "downgrades"] == 0


def test_downgrades_add_up_and_stop_at_very_low():
    graded = grade(appraisal(risk_of_bias="high", inconsistency="some", n_patients=211)).iloc[0]
    assert graded["downgrades"] == 4 and graded["certainty"] == "very-low"


def test_observational_risk_of_bias_not_assessed_is_not_downgraded():
    graded = grade(appraisal(design="cohort", risk_of_bias="not-assessed", n_patients=1000)).iloc[0]
    assert (graded["certainty"], graded["downgrades"]) == ("low", 0)


def test_a_guideline_keeps_its_grade_and_is_downgraded_only_for_indirectness():
    direct = grade(appraisal(design="guideline", stated_certainty_level="moderate",
                             risk_of_bias="high", n_patients=pd.NA)).iloc[0]
    assert direct["certainty"] == "moderate"
    indirect = grade(appraisal(design="guideline", stated_certainty_level="moderate", indirect="yes"))
    assert indirect.loc[0, "certainty"] == "low"


def test_protocols_and_excluded_works_are_not_counted():
    graded = grade(appraisal(design="protocol"), appraisal(doi="10.1/b"),
                   excluded={"10.1/b": "retracted (10.1/notice)"})
    assert graded["counted"].tolist() == [False, False]
    assert graded["not_counted_because"].tolist() == [
        "protocol: reports no findings to grade, not counted", "retracted (10.1/notice)"]
    assert "retracted (10.1/notice)" in graded.loc[1, "reasons"]
    body = combine(graded)
    assert body["certainty"] == "none" and body["score"] == 0
    assert "not counted (retracted (10.1/notice))" in body["reasons"]


def test_the_best_rated_works_stand_for_the_body():
    graded = grade(appraisal(doi="10.1/a", design="cohort", n_patients=1000),
                   appraisal(doi="10.1/b", design="narrative-review"),
                   work_labels={"10.1/a": "Alpha 2020"})
    body = combine(graded)
    assert body["certainty"] == "low" and body["best_design"] == "cohort"
    assert body["n_works"] == 2
    assert body["n_by_design"] == "cohort: 1; narrative-review: 1"
    assert "best: Alpha 2020 (cohort)" in body["reasons"]
    assert "also cited, rated lower: 10.1/b (narrative-review, very-low)" in body["reasons"]


def test_disagreeing_best_works_lower_the_body_one_level():
    graded = grade(appraisal(doi="10.1/a"), appraisal(doi="10.1/b", direction="no-benefit"))
    body = combine(graded)
    assert body["certainty"] == "moderate"
    assert body["dominant_direction"] == "mixed"
    assert "disagree (favours vs no-benefit)" in body["reasons"]


def test_score_bands_never_overlap_so_the_score_is_monotone_in_certainty():
    best_in_band = {}
    for certainty in ("high", "moderate", "low", "very-low"):
        stated = certainty
        rows = [appraisal(doi=f"10.1/{i}", design="guideline", stated_certainty_level=stated)
                for i in range(6)]
        one = combine(grade(rows[0]))
        many = combine(grade(*rows))
        assert SCORE_FLOOR[certainty] <= one["score"] < many["score"]
        best_in_band[certainty] = (one["score"], many["score"])
    assert best_in_band["high"][0] > best_in_band["moderate"][1]
    assert best_in_band["moderate"][0] > best_in_band["low"][1]
    assert best_in_band["low"][0] > best_in_band["very-low"][1] > 0


def test_a_single_mixed_work_earns_no_agreement_bonus():
    mixed = combine(grade(appraisal(design="cohort", n_patients=1000, direction="mixed")))
    favours = combine(grade(appraisal(design="cohort", n_patients=1000)))
    assert mixed["score"] == SCORE_FLOOR["low"] < favours["score"]


def test_every_indication_appears_and_gaps_show_as_none():
    indications = pd.DataFrame({"indication_id": ["neuropathic-pain", "acute-pain"],
                                "label": ["Neuropathic pain", "Acute pain"]})
    claims = pd.DataFrame({"claim_id": ["A01", "A02"], "indication": ["neuropathic-pain", "general"]})
    table = evidence_by_indication(grade(appraisal()), indications, claims)
    assert table["indication"].tolist() == ["neuropathic-pain", "acute-pain"]
    assert table["certainty"].tolist() == ["high", "none"]
    assert table.loc[0, "claims"] == "A01" and table.loc[1, "n_claims"] == 0
    assert table["scope"].str.contains("the evidence the article cites").all()


def test_gap_map_counts_works_by_design_and_keeps_empty_indications():
    indications = pd.DataFrame({"indication_id": ["neuropathic-pain", "acute-pain"],
                                "label": ["Neuropathic pain", "Acute pain"]})
    graded = grade(appraisal(doi="10.1/a"), appraisal(doi="10.1/b", direction="mixed"),
                   appraisal(doi="10.1/c", design="cohort"))
    cells = gap_map(graded, indications)
    assert cells[["design", "n_works", "direction"]].astype(object).values.tolist() == [
        ["rct", 2, "mixed"], ["cohort", 1, "favours"], [pd.NA, 0, pd.NA]]


def test_validate_certainty_names_the_value_and_the_vocabulary():
    assert validate_certainty("low") == "low"
    with pytest.raises(ValueError, match="unknown certainty 'medium'; expected one of: high"):
        validate_certainty("medium")
    assert CERTAINTIES[-1] == "none"
