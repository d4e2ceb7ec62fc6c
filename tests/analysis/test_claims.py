"""Concordance rules: each claim's assertion against the certainty of its cited evidence."""

import pandas as pd
import pytest

from litkit.analysis.claims import assess_claims, concordance
from litkit.analysis.evidence import grade_appraisals


@pytest.mark.parametrize("asserted, certainty, expected", [
    ("established", "high", "supported"),
    ("established", "moderate", "overstated"),
    ("established", "very-low", "overstated"),
    ("probable", "high", "supported"),
    ("probable", "moderate", "supported"),
    ("probable", "low", "overstated"),
    ("possible", "low", "supported"),
    ("possible", "very-low", "supported"),
    ("possible", "moderate", "understated"),
    ("uncertain", "very-low", "supported"),
    ("uncertain", "low", "supported"),
    ("uncertain", "moderate", "understated"),
    ("uncertain", "high", "understated"),
])
def test_assertion_against_certainty(asserted, certainty, expected):
    value, reason = concordance(asserted=asserted, topic="efficacy", certainty=certainty,
                                direction="favours")
    assert value == expected
    assert certainty in reason


@pytest.mark.parametrize("asserted, direction, expected", [
    ("established", "mixed", "overstated"),
    ("probable", "mixed", "overstated"),
    ("possible", "mixed", "supported"),
    ("possible", "no-benefit", "overstated"),
    ("uncertain", "harm", "supported"),       # doubting an effect never overstates it
    ("uncertain", "no-benefit", "supported"),
])
def test_direction_rules_for_efficacy_claims(asserted, direction, expected):
    assert concordance(asserted=asserted, topic="efficacy", certainty="high" if asserted == "established" else "low",
                       direction=direction)[0] == expected


def test_direction_does_not_judge_a_safety_claim():
    assert concordance(asserted="possible", topic="safety", certainty="low",
                       direction="no-benefit")[0] == "supported"


@pytest.mark.parametrize("direction, certainty, expected", [
    ("mixed", "low", "supported"),
    ("no-benefit", "high", "supported"),
    ("favours", "low", "supported"),
    ("favours", "moderate", "understated"),
])
def test_advice_against(direction, certainty, expected):
    assert concordance(asserted="against", topic="efficacy", certainty=certainty,
                       direction=direction)[0] == expected


@pytest.mark.parametrize("topic", ["mechanism", "regulatory", "practice"])
def test_mechanism_regulatory_and_good_practice_statements_are_not_assessable(topic):
    assert concordance(asserted="established", topic=topic, certainty="none",
                       direction=None)[0] == "not-assessable"


def test_a_claim_without_cited_evidence_is_uncited():
    assert concordance(asserted="possible", topic="efficacy", certainty="none",
                       direction=None)[0] == "uncited"


def _grades():
    appraisals = pd.DataFrame([
        dict(doi="10.1/rct", indication="neuropathic-pain", design="rct", review_of="",
             n_patients=1000, direction="favours", stated_certainty_level="",
             risk_of_bias="low", inconsistency="none", indirect="no"),
        dict(doi="10.1/rev", indication="acute-pain", design="narrative-review", review_of="",
             n_patients=pd.NA, direction="favours", stated_certainty_level="",
             risk_of_bias="not-assessed", inconsistency="none", indirect="no"),
    ]).astype({"n_patients": "Int64"})
    return grade_appraisals(appraisals)


def _claim(**overrides):
    row = dict(claim_id="A01", article_id="A", section="s", claim="c", indication="neuropathic-pain",
               topic="efficacy", asserted="established", cited_dois="10.1/rct", link="inferred")
    return row | overrides


def test_a_claim_rests_on_its_cited_works_for_its_indication():
    claims = pd.DataFrame([
        _claim(),
        _claim(claim_id="A02", indication="acute-pain"),            # cited work is off-indication
        _claim(claim_id="A03", cited_dois="", link="none"),
        _claim(claim_id="A04", indication="general", cited_dois="10.1/rct; 10.1/rev"),
    ])
    assessed = assess_claims(claims, _grades()).set_index("claim_id")
    assert assessed.loc["A01", ["evidence_certainty", "concordance"]].tolist() == ["high", "supported"]
    assert assessed.loc["A02", "concordance"] == "uncited"
    assert "none of its cited works addresses acute-pain" in assessed.loc["A02", "concordance_reason"]
    assert assessed.loc["A03", "concordance_reason"] == "the article cites no work for it"
    assert assessed.loc["A04", "evidence_certainty"] == "high"  # general: all its cited works
    assert assessed.loc["A04", "n_evidence_works"] == 2


def test_a_general_claim_takes_each_works_best_row_so_indications_do_not_disagree():
    appraisals = pd.DataFrame([
        dict(doi="10.1/gl", indication=ind, design="guideline", review_of="", n_patients=pd.NA,
             direction=direction, stated_certainty_level=level, risk_of_bias="not-assessed",
             inconsistency="none", indirect="no")
        for ind, direction, level in (("neuropathic-pain", "favours", "moderate"),
                                      ("cancer-palliative-pain", "mixed", "low"))
    ]).astype({"n_patients": "Int64"})
    claim = pd.DataFrame([_claim(indication="general", cited_dois="10.1/gl", asserted="probable")])
    assessed = assess_claims(claim, grade_appraisals(appraisals)).iloc[0]
    assert (assessed["evidence_certainty"], assessed["evidence_direction"]) == ("moderate", "favours")
    assert assessed["concordance"] == "supported"
