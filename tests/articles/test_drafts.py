"""Draft citation and claim rows: what is drafted, and how each field is decided."""

import pandas as pd
import pytest

from litkit.articles.drafts import (
    Reviewed,
    draft_citations,
    draft_claims,
    hedge_strength,
    load_cues,
    match_vocabulary,
    sentences,
    topic_of,
    vocabulary_patterns,
)
from litkit.articles.extract import from_markdown, from_text
from litkit.articles.references import inline_markers, reference_list
from litkit.raw import CITATIONS, CLAIMS

INDICATIONS = pd.DataFrame(
    {
        "indication_id": ["colds", "flu"],
        "label": ["Common colds", "Influenza"],
        "synonyms": ["cold; colds; common cold", "flu"],
    },
    dtype="string",
)
OUTCOMES = pd.DataFrame(
    {
        "outcome_id": ["infection", "adverse-effects"],
        "label": ["Infection", "Adverse effects"],
        "kind": ["benefit", "harm"],
        "synonyms": ["infections; catching", "side effects; kidney stones"],
    },
    dtype="string",
)


def drafts(markdown: str, **options):
    doc = from_markdown(markdown)
    refs = reference_list(doc)
    table = draft_claims(
        doc,
        article_id="X",
        title="The essay",
        names=("vitamin X", "xcalciferol"),
        indications=INDICATIONS,
        outcomes=OUTCOMES,
        references=refs,
        markers=inline_markers(doc, refs),
        **options,
    )
    return doc, table


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Vitamin X is effective against colds.", "established"),
        ("Vitamin X cures colds.", "established"),
        ("Vitamin X may prevent colds.", "possible"),
        ("Vitamin X has shown promise for colds.", "possible"),
        ("Vitamin X is likely to help.", "probable"),
        ("There is limited evidence that vitamin X helps, and it may.", "uncertain"),
        ("Vitamin X infusions are not recommended.", "against"),
        ("The trial found no effect of vitamin X.", "against"),
        ("Vitamin X MAY help.", "possible"),
    ],
)
def test_hedge_cues_set_how_strongly_a_claim_is_asserted(sentence, expected):
    assert hedge_strength(sentence) == expected


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Vitamin X was approved by the FDA in 1970.", "regulatory"),
        ("Vitamin X can cause side effects.", "safety"),
        ("High doses of vitamin X should be avoided.", "dosing"),
        ("Vitamin X acts on a receptor.", "mechanism"),
        ("Patients should consult a doctor first.", "practice"),
        ("Vitamin X prevents colds.", "efficacy"),
        ("Vitamin X is a white powder.", None),
        ("The IU is a unit; the iu is not.", "dosing"),
    ],
)
def test_topic_cues_set_the_topic_by_priority(sentence, expected):
    assert topic_of(sentence) == expected


def test_every_cue_file_row_is_usable():
    assert len(load_cues("hedges.csv")) > 20 and len(load_cues("claim_cues.csv")) > 40


def test_vocabulary_match_is_earliest_then_longest():
    patterns = vocabulary_patterns(INDICATIONS, "indication_id")
    assert match_vocabulary("the flu and the common cold", patterns) == "flu"
    assert match_vocabulary("Common colds are common", patterns) == "colds"
    assert match_vocabulary("nothing here", patterns) is None


def test_sentences_are_split_by_block_and_leave_out_headings():
    doc = from_markdown(
        "# Heading here\n\nOne sentence here. Dr. Smith wrote e.g. two.\n\n- an item\n"
    )
    assert [s.text for s in sentences(doc)] == [
        "One sentence here.",
        "Dr. Smith wrote e.g. two.",
        "an item",
    ]
    assert all(doc.text[s.start : s.end] == s.text for s in sentences(doc))


def test_a_sentence_about_the_intervention_with_a_cue_is_a_draft_claim():
    doc, table = drafts(
        "Vitamin X may prevent colds in children. It is also said to reduce the "
        "flu a lot. The weather was nice today and it helps.\n"
    )
    assert len(table) == 2
    first, second = table.iloc[0], table.iloc[1]
    assert (
        doc.text[int(first["start"]) : int(first["end"])]
        == "Vitamin X may prevent colds in children."
    )
    assert (first["indication"], first["topic"], first["asserted"], first["status"]) == (
        "colds",
        "efficacy",
        "possible",
        "draft",
    )
    assert first["claim"] == f"draft: see X text {first['start']}\u2013{first['end']}"
    assert first["outcome"] == "unassigned" and first["direction"] == ""
    assert second["indication"] == "flu"  # "It" right after a sentence that names it
    assert list(table.columns) == CLAIMS.names


def test_an_efficacy_claim_takes_a_benefit_outcome_and_a_safety_claim_a_harm():
    _, table = drafts(
        "Vitamin X reduces kidney stones in most adults. "
        "Vitamin X can cause kidney stones in most adults.\n"
    )
    assert table[["topic", "outcome"]].values.tolist() == [
        ["efficacy", "unassigned"],
        ["safety", "adverse-effects"],
    ]


def test_a_pronoun_does_not_carry_over_a_paragraph_break():
    _, table = drafts("Vitamin X is a powder.\n\nIt reduces colds in most people.\n")
    assert table.empty


def test_questions_and_sentences_without_cues_are_not_claims():
    _, table = drafts("Does vitamin X prevent colds? Vitamin X is a yellow powder sold in jars.\n")
    assert table.empty


def test_indication_falls_back_to_the_section_heading_else_unassigned():
    _, table = drafts(
        "## Vitamin X for the flu\n\nVitamin X lowers fever in most adults.\n\n"
        "## Other\n\nVitamin X improves mood in most adults.\n"
    )
    assert table["indication"].tolist() == ["flu", "unassigned"]
    assert table["section"].tolist() == ["Vitamin X for the flu", "Other"]


def test_works_linked_in_a_sentence_or_marked_after_it_are_cited_explicitly():
    _, table = drafts(
        "Vitamin X reduces colds, says a [trial](https://doi.org/10.1000/A). "
        "Vitamin X lowers infections in adults.[1] Vitamin X helps, says "
        "[PubMed](https://pubmed.ncbi.nlm.nih.gov/123/).\n\n## References\n\n"
        "1. Smith J. A trial. J Things. 2020;1:2. doi:10.1000/b\n"
    )
    assert table["cited_dois"].tolist() == ["10.1000/a", "10.1000/b", ""]
    assert table["link"].tolist() == ["explicit", "explicit", "none"]
    assert table.iloc[1]["outcome"] == "infection"
    assert table.iloc[2]["claim"].endswith("(also cites pmid 123)")


def test_a_doi_resolved_before_is_used_offline():
    _, table = drafts(
        "Vitamin X helps, says [PubMed](https://pubmed.ncbi.nlm.nih.gov/123/).\n",
        reviewed=Reviewed(known_dois={("pmid", "123"): "10.1000/c"}),
    )
    assert table.iloc[0][["cited_dois", "link"]].tolist() == ["10.1000/c", "explicit"]


def test_sentences_of_reviewed_claims_are_not_drafted_again():
    doc, table = drafts("Vitamin X may prevent colds in children. Vitamin X reduces the flu.\n")
    reviewed = (int(table.iloc[0]["start"]), int(table.iloc[0]["end"]))
    _, again = drafts(
        "Vitamin X may prevent colds in children. Vitamin X reduces the flu.\n",
        reviewed=Reviewed(spans=(reviewed,), next_claim=5),
    )
    assert again["claim_id"].tolist() == ["X-draft-005"]
    assert again.iloc[0]["indication"] == "flu"


def test_without_a_name_for_the_intervention_nothing_is_drafted():
    with pytest.raises(ValueError, match="intervention"):
        draft_claims(
            from_text("x"),
            article_id="X",
            title="T",
            names=(),
            indications=INDICATIONS,
            outcomes=OUTCOMES,
        )


def test_draft_citations_list_entries_then_other_works_once_each():
    doc = from_markdown(
        "A [trial](https://pubmed.ncbi.nlm.nih.gov/123/) and [again](https://pubmed.ncbi.nlm.nih.gov/123/), "
        "a [blog](https://example.org/b), doi:10.1000/B and [one](https://doi.org/10.1000/a).\n\n"
        "## References\n\n1. Smith, J. (2020). A. Journal, 1(2), 3. https://doi.org/10.1000/a\n"
        "2. Doe B. No identifier here. J Things. 2019;5:6.\n"
    )
    table = draft_citations(
        doc,
        reference_list(doc),
        article_id="X",
        reviewed=Reviewed(known_dois={("pmid", "123"): "10.1000/c"}, next_ref_no=3),
    )
    assert list(table.columns) == CITATIONS.names
    assert table[["ref_no", "type", "identifier", "doi"]].values.tolist() == [
        ["3", "doi", "10.1000/a", "10.1000/a"],
        ["4", "reference", "", ""],
        ["5", "pmid", "123", "10.1000/c"],
        ["6", "doi", "10.1000/b", "10.1000/b"],
    ]
    pmid = table.iloc[2]
    assert (pmid["anchor_text"], doc.text[int(pmid["offset"]) :].startswith("trial")) == (
        "trial",
        True,
    )
    assert table.iloc[1][["authors", "year", "journal"]].tolist() == ["Doe, B", "2019", "J Things"]
    assert set(table["status"]) == {"draft"}
    again = draft_citations(
        doc,
        reference_list(doc),
        article_id="X",
        reviewed=Reviewed(cited=frozenset({("pmid", "123")})),
    )
    assert "123" not in set(again["identifier"])
