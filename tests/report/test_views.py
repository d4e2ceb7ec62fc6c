"""The views: small pure transforms of the processed tables for notebooks, charts and pages."""

import pandas as pd
import pytest

from litkit.report import views


def test_crossref_status_counts_and_gives_the_command_when_records_are_missing():
    works = pd.DataFrame({"crossref_status": ["fetched", "not fetched", "not fetched"]})
    table = views.crossref_status(works)
    assert table["works"].tolist() == [1, 2]
    assert views.FETCH_COMMAND in table.loc[1, "next_step"]
    done = views.crossref_status(pd.DataFrame({"crossref_status": ["fetched"]}))
    assert done.loc[1, "next_step"] == "every cited work has a Crossref record"


def test_claim_counts_are_in_verdict_order_with_totals():
    claims = pd.DataFrame(
        {"article_id": ["A", "A", "B"], "verdict": ["uncited", "contradicted", "uncited"]}
    )
    table = views.claim_counts(claims)
    assert list(table.columns) == ["article_id", "contradicted", "uncited", "total"]
    assert table["total"].tolist() == [2, 1] and table["uncited"].tolist() == [1, 1]


def test_claim_counts_of_no_claims_is_an_empty_table():
    claims = pd.DataFrame({"article_id": pd.array([], "string"), "verdict": pd.array([], "string")})
    table = views.claim_counts(claims)
    assert table.empty and list(table.columns) == ["article_id", "total"]


def _evidence():
    return pd.DataFrame(
        {
            "indication_label": ["Pain B", "Pain A", "Pain C"],
            "outcome_label": ["Relief", "Relief", "Harms"],
            "asserted": ["high", "low", pd.NA],
            "cited_certainty": ["very-low", "low", "none"],
            "cited_direction": ["favours", "mixed", pd.NA],
            "best_certainty": ["moderate", "high", "none"],
            "best_direction": ["favours", "favours", pd.NA],
            "best_work": ["X 2018", "Y 2020", pd.NA],
            "n_claims": pd.array([2, 1, 0], dtype="Int64"),
            "reasons": ["cited: a; b | best: c", "x", "y"],
        }
    )


def test_evidence_summary_puts_the_best_certainty_first():
    assert views.evidence_summary(_evidence())["indication_label"].tolist() == [
        "Pain A",
        "Pain B",
        "Pain C",
    ]


def test_outcome_rows_keep_pairs_with_claims_and_label_them():
    rows = views.outcome_rows(_evidence())
    assert rows["row"].tolist() == ["Pain A · Relief", "Pain B · Relief"]
    assert rows.loc[1, ["asserted", "cited_certainty", "best_certainty"]].tolist() == [
        "high",
        "very-low",
        "moderate",
    ]


def test_reasons_are_shown_one_per_row_under_their_indication_and_outcome():
    table = views.evidence_reasons(_evidence().head(1))
    assert table["reason"].tolist() == ["cited: a", "b | best: c"]
    assert table["indication_label"].tolist() == ["Pain B", "Pain B"]


def test_what_would_change_names_evidence_for_every_certainty():
    evidence = pd.DataFrame(
        {
            "indication_label": list("abcde"),
            "outcome_label": list("abcde"),
            "best_certainty": ["high", "moderate", "low", "very-low", "none"],
        }
    )
    assert views.what_would_change(evidence)["would_change_it"].notna().all()


def test_flagged_lists_only_rows_with_citation_flags():
    claims = pd.DataFrame(
        {
            "claim_id": ["A01", "A02"],
            "citation_flags": pd.array(["10.1/x retracted (10.1/n)", pd.NA], dtype="string"),
        }
    )
    assert views.flagged(claims, "claim_id")["claim_id"].tolist() == ["A01"]


def test_setup_display_shows_whole_cells():
    with pd.option_context("display.max_colwidth", 50):
        views.setup_display()
        assert pd.get_option("display.max_colwidth") is None


# --- showing tables -----------------------------------------------------------------------


def test_show_says_none_in_words_instead_of_an_empty_table():
    shown = views.show(
        pd.DataFrame({"claim": pd.Series([], dtype="string")}),
        empty="None: no claim is contradicted.",
    )
    assert repr(shown) == "None: no claim is contradicted."
    assert "<table" not in shown._repr_html_() and "no claim is contradicted" in shown._repr_html_()


def test_show_hides_the_index_and_left_aligns_text_columns():
    frame = pd.DataFrame({"claim": ["A long sentence"], "n": [3]}, index=[7])
    html = views.show(frame, empty="-", name="My table")._repr_html_()
    assert ">7<" not in html and "row_heading" not in html
    assert "T_my-table" in html  # a fixed id: committed outputs stay the same
    assert "text-align: left" in html
    assert "7" not in repr(views.show(frame, empty="-"))


def test_show_gives_the_same_html_twice():
    frame = pd.DataFrame({"a": ["x"], "b": [1.5]})
    assert views.show(frame, empty="-")._repr_html_() == views.show(frame, empty="-")._repr_html_()


# --- tables shaped for the charts ----------------------------------------------------------


def test_outcome_rows_say_how_far_the_claim_outruns_the_best_evidence():
    rows = views.outcome_rows(_evidence())
    # Pain A: asserted low, best high; Pain B: asserted high, best moderate.
    assert rows["beyond_best"].tolist() == [0, 1]


def _gap_map():
    return pd.DataFrame(
        {
            "indication": ["b", "b", "a", "c"],
            "label": ["Beta", "Beta", "Alpha", "Gamma"],
            "design": ["narrative-review", "systematic-review", "cohort", pd.NA],
            "n_works": pd.array([2, 1, 1, 0], dtype="Int64"),
            "direction": ["mixed", pd.NA, "harm", pd.NA],
        }
    ).astype({c: "string" for c in ("indication", "label", "design", "direction")})


def test_gap_cells_sorts_rows_by_label_and_designs_strongest_first():
    cells = views.gap_cells(_gap_map())
    assert cells["label"].tolist() == ["Alpha", "Beta", "Beta", "Gamma"]
    assert cells["design"].tolist()[1:3] == ["systematic-review", "narrative-review"]
    assert cells.loc[1, "direction"] == "not stated"


def test_gap_cells_keep_an_indication_without_works_as_an_empty_row():
    cells = views.gap_cells(_gap_map())
    assert cells.loc[3, "indication"] == "c" and pd.isna(cells.loc[3, "design"])


def test_gap_cells_reject_two_rows_for_one_cell():
    with pytest.raises(ValueError, match="more than one row"):
        views.gap_cells(pd.concat([_gap_map(), _gap_map().head(1)]))


def test_claim_rows_count_verdicts_per_article_and_indication():
    claims = pd.DataFrame(
        {
            "article_id": ["A", "A", "B"],
            "indication": ["x", "x", pd.NA],
            "verdict": ["overstated", "supported", "uncited"],
        }
    )
    rows = views.claim_rows(claims, {"x": "Ex"})
    assert rows["row"].tolist() == ["A · Ex", "B · general"]
    assert rows.loc[0, ["overstated", "supported", "uncited"]].tolist() == [1, 1, 0]


def test_year_design_counts_keep_undated_works_apart():
    designs = pd.DataFrame(
        {
            "year": pd.array([2018, 2018, pd.NA], dtype="Int64"),
            "final_design": ["rct", "rct", "cohort"],
        }
    )
    counts = views.year_design_counts(designs)
    assert counts["design"].tolist() == ["rct", "cohort"]
    assert counts["n_works"].tolist() == [2, 1]
    assert counts["year"].tolist()[0] == 2018 and pd.isna(counts["year"][1])


def test_citation_rows_one_per_cited_doi_most_cited_first():
    works = pd.DataFrame(
        {
            "role": ["cited", "cited", "cited", "best-evidence"],
            "doi": ["10.1/a", "10.1/b", "10.1/a", "10.1/c"],
            "first_author": ["Bell", "Cohen", "Bell", "Zed"],
            "year": pd.array([2018, 2018, 2018, 2020], dtype="Int64"),
            "cited_by_count": pd.array([pd.NA, 5, 9, 99], dtype="Int64"),
            "crossref_status": ["not fetched", "fetched", "fetched", "fetched"],
        }
    )
    rows = views.citation_rows(works)
    assert rows["label"].tolist() == ["Bell 2018", "Cohen 2018"]
    assert rows["cited_by_count"].tolist() == [9, 5]


# --- the report ------------------------------------------------------------------------------


def _claims():
    return pd.DataFrame(
        {
            "claim_id": ["A1", "A2", "A3", "A4", "A5", "A6"],
            "article_id": ["A"] * 6,
            "verdict": [
                "supported",
                "overstated",
                "contradicted",
                "overstated",
                "uncited",
                "overstated",
            ],
            "overstated_by": pd.array([0, 1, 0, 2, 0, 2], dtype="Int64"),
            "asserted": [
                "possible",
                "established",
                "probable",
                "probable",
                "possible",
                "established",
            ],
            "start": pd.array([0, 10, 20, 30, 40, 50], dtype="Int64"),
        }
    )


def test_claims_to_review_most_serious_first():
    order = views.claims_to_review(_claims())["claim_id"].tolist()
    # contradicted; overstated by 2 (established before probable), by 1; then uncited.
    assert order == ["A3", "A6", "A4", "A2", "A5"]


def test_verdict_counts_list_every_verdict_with_zeros():
    counts = views.verdict_counts(_claims())
    assert len(counts) == len(views.VERDICTS)
    assert dict(zip(counts["verdict"], counts["n_claims"], strict=False))["overstated"] == 3
    assert dict(zip(counts["verdict"], counts["n_claims"], strict=False))["understated"] == 0


def _grades():
    return pd.DataFrame(
        {
            "doi": ["10.1/a", "10.1/b", "10.1/best"],
            "work": ["Bell 2018", "Cohen 2018", "Best 2020"],
            "role": ["cited", "cited", "best-evidence"],
            "indication": ["x", "y", "x"],
            "outcome": ["pain", "pain", "pain"],
            "comparator": [pd.NA] * 3,
            "design": ["narrative-review", "guideline", "systematic-review"],
            "certainty": ["very-low", "low", "moderate"],
            "direction": ["favours"] * 3,
            "counted": [True, True, True],
            "effect": [pd.NA, pd.NA, "MD -1"],
            "year": pd.array([2018, 2018, 2020], dtype="Int64"),
            "own_grade": [False] * 3,
            "n_studies": pd.array([pd.NA] * 3, dtype="Int64"),
            "n_participants": pd.array([pd.NA] * 3, dtype="Int64"),
        }
    )


def _one_claim():
    return pd.DataFrame(
        {
            "claim_id": ["A1"],
            "indication": ["x"],
            "outcome": ["pain"],
            "comparator": [pd.NA],
            "cited_dois": ["10.1/a; 10.1/b"],
            "best_work": ["Best 2020"],
            "best_certainty": ["moderate"],
            "best_direction": ["favours"],
        }
    )


def test_cited_evidence_gives_each_cited_work_its_certainty_for_the_claims_question():
    designs = pd.DataFrame(
        {"doi": ["10.1/a", "10.1/b"], "final_design": ["narrative-review", "guideline"]}
    )
    works = pd.DataFrame(
        {"doi": ["10.1/a"], "first_author": ["Bell"], "year": pd.array([2018], dtype="Int64")}
    )
    cited = views.cited_evidence(_one_claim(), _grades(), works, designs)
    assert cited["work"].tolist() == ["Bell 2018", "Cohen 2018"]
    assert cited["url"].tolist()[0] == "https://doi.org/10.1/a"
    assert cited["certainty"].tolist()[0] == "very-low" and pd.isna(cited["certainty"][1])
    assert cited["addresses"].tolist() == [True, False]  # Cohen is about another indication


def test_best_evidence_names_the_work_its_doi_and_certainty():
    designs = pd.DataFrame({"doi": ["10.1/best"], "final_design": ["systematic-review"]})
    best = views.best_evidence(_one_claim(), _grades(), designs)
    assert best.loc[0, ["work", "doi", "design", "certainty", "effect"]].tolist() == [
        "Best 2020",
        "10.1/best",
        "systematic-review",
        "moderate",
        "MD -1",
    ]


def test_trust_figures_are_counted_from_the_tables():
    tables = {
        "works": pd.DataFrame(
            {"doi": ["a", "a", "b"], "crossref_status": ["fetched", "fetched", "not fetched"]}
        ),
        "citation_audit": pd.DataFrame(
            {"role": ["cited", "cited", "best-evidence"], "verdict": ["ok", "not-checked", "ok"]}
        ),
        "evidence_by_work": pd.DataFrame(
            {
                "role": ["cited", "cited", "best-evidence"],
                "verified": ["yes", "partly", "yes"],
                "risk_of_bias": ["low", "not-assessed", pd.NA],
            }
        ),
        "claims": pd.DataFrame(
            {"cited_dois": ["a", "b", pd.NA], "link": ["explicit", "inferred", "none"]}
        ),
    }
    figures = views.trust_figures(tables).set_index("check")
    assert figures.loc["Crossref records fetched", ["n", "of"]].tolist() == [1, 2]
    assert figures.loc["Citations audited against Crossref", ["n", "of"]].tolist() == [1, 2]
    assert figures.loc["Appraisals of cited works verified", ["n", "of"]].tolist() == [1, 2]
    assert figures.loc["Risk of bias assessed", ["n", "of"]].tolist() == [1, 3]
    links = figures.loc["Claim–reference links stated by the article"]
    assert [links["n"], links["of"]] == [1, 2] and links["meaning"].startswith("1 inferred")
    assert figures.loc["Best-evidence rows verified", ["n", "of"]].tolist() == [1, 1]


def test_text_segments_cut_blocks_at_paragraphs_no_claim_crosses():
    text = "One. Two.\n\nThree\n\nfour. Five.\n\nSix."
    claims = pd.DataFrame({"claim_id": ["A1", "A2"], "start": [5, 11], "end": [9, 23]})
    segments = views.text_segments(text, claims)
    assert "".join(segments["text"]) == text
    assert segments.loc[segments["claim_id"] == "A2", "text"].tolist() == ["Three\n\nfour."]
    blocks = segments.groupby("block")["text"].apply("".join).tolist()
    assert blocks == ["One. Two.\n\n", "Three\n\nfour. Five.\n\n", "Six."]
