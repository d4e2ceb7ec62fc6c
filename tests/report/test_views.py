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


def test_claim_counts_are_in_verdict_order_with_totals():
    claims = pd.DataFrame({"article_id": ["A", "A", "B"],
                           "verdict": ["uncited", "contradicted", "uncited"]})
    table = views.claim_counts(claims)
    assert list(table.columns) == ["contradicted", "uncited", "total"]
    assert table.loc["A", "total"] == 2 and table.loc["B", "uncited"] == 1


def _evidence():
    return pd.DataFrame({
        "indication_label": ["Pain B", "Pain A", "Pain C"],
        "outcome_label": ["Relief", "Relief", "Harms"],
        "asserted": ["high", "low", pd.NA], "cited_certainty": ["very-low", "low", "none"],
        "cited_direction": ["favours", "mixed", pd.NA],
        "best_certainty": ["moderate", "high", "none"],
        "best_direction": ["favours", "favours", pd.NA], "best_work": ["X 2018", "Y 2020", pd.NA],
        "n_claims": pd.array([2, 1, 0], dtype="Int64"),
        "reasons": ["cited: a; b | best: c", "x", "y"]})


def test_evidence_summary_puts_the_best_certainty_first():
    assert views.evidence_summary(_evidence())["indication_label"].tolist() == [
        "Pain A", "Pain B", "Pain C"]


def test_outcome_rows_keep_pairs_with_claims_and_label_them():
    rows = views.outcome_rows(_evidence())
    assert rows["row"].tolist() == ["Pain A · Relief", "Pain B · Relief"]
    assert rows.loc[1, ["asserted", "cited_certainty", "best_certainty"]].tolist() == [
        "high", "very-low", "moderate"]


def test_reasons_are_shown_one_per_row_under_their_indication_and_outcome():
    table = views.evidence_reasons(_evidence().head(1))
    assert table["reason"].tolist() == ["cited: a", "b | best: c"]
    assert table["indication_label"].tolist() == ["Pain B", "Pain B"]


def test_what_would_change_names_evidence_for_every_certainty():
    evidence = pd.DataFrame({"indication_label": list("abcde"), "outcome_label": list("abcde"),
                             "best_certainty": ["high", "moderate", "low", "very-low", "none"]})
    assert views.what_would_change(evidence)["would_change_it"].notna().all()


def test_flagged_lists_only_rows_with_citation_flags():
    claims = pd.DataFrame({"claim_id": ["A01", "A02"],
                           "citation_flags": pd.array(["10.1/x retracted (10.1/n)", pd.NA], dtype="string")})
    assert views.flagged(claims, "claim_id")["claim_id"].tolist() == ["A01"]


def test_setup_display_shows_whole_cells():
    with pd.option_context("display.max_colwidth", 50):
        views.setup_display()
        assert pd.get_option("display.max_colwidth") is None
