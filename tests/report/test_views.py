"""The notebook summaries: small pure transforms of the processed tables."""

import pandas as pd

from litkit.report import views


def test_crossref_status_counts_and_gives_the_command_when_records_are_missing():
    works = pd.DataFrame({"crossref_status": ["fetched", "not fetched", "not fetched"]})
    table = views.crossref_status(works)
    assert table["works"].tolist() == [1, 2]
    assert views.FETCH_COMMAND in table.loc[1, "next_step"]
    done = views.crossref_status(pd.DataFrame({"crossref_status": ["fetched"]}))
    assert done.loc[1, "next_step"] == "every cited work has a Crossref record"


def test_claim_counts_are_in_concordance_order_with_totals():
    claims = pd.DataFrame({"article_id": ["A", "A", "B"],
                           "concordance": ["uncited", "supported", "uncited"]})
    table = views.claim_counts(claims)
    assert list(table.columns) == ["supported", "uncited", "total"]
    assert table.loc["A", "total"] == 2 and table.loc["B", "uncited"] == 1


def test_evidence_summary_puts_the_best_certainty_first():
    evidence = pd.DataFrame({
        "label": ["b", "a", "c"], "certainty": ["very-low", "low", "none"], "score": [11, 30, 0],
        "n_works": [1, 2, 0], "best_design": ["narrative-review", "guideline", pd.NA],
        "direction_summary": ["", "", ""], "n_claims": [1, 2, 0]})
    assert views.evidence_summary(evidence)["label"].tolist() == ["a", "b", "c"]


def test_reasons_are_shown_one_per_row_under_their_indication():
    evidence = pd.DataFrame({"label": ["x"], "certainty": ["low"], "reasons": ["first; second"]})
    table = views.evidence_reasons(evidence)
    assert table["reason"].tolist() == ["first", "second"]
    assert table["label"].tolist() == ["x", "x"]


def test_what_would_change_names_evidence_for_every_certainty():
    evidence = pd.DataFrame({"label": list("abcde"), "best_design": [pd.NA] * 5,
                             "certainty": ["high", "moderate", "low", "very-low", "none"]})
    assert views.what_would_change(evidence)["would_change_it"].notna().all()


def test_flagged_lists_only_rows_with_citation_flags():
    claims = pd.DataFrame({"claim_id": ["A01", "A02"],
                           "citation_flags": pd.array(["10.1/x retracted (10.1/n)", pd.NA], dtype="string")})
    assert views.flagged(claims, "claim_id")["claim_id"].tolist() == ["A01"]


def test_setup_display_shows_whole_cells():
    with pd.option_context("display.max_colwidth", 50):
        views.setup_display()
        assert pd.get_option("display.max_colwidth") is None
