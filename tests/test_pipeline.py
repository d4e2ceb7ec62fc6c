"""`litkit build`: every table from the raw data, and nothing written from invalid data."""

import re

import pandas as pd
import pytest

from litkit.config import Paths
from litkit.crossref.cache import CrossrefCache
from litkit.errors import RawDataErrors
from litkit.pipeline import build
from litkit.processed import TABLE_NAMES

TABLES = set(TABLE_NAMES)


def _edit(path, old, new) -> int:
    """Replace the first ``old`` in a file; return the line number of the edit."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_build_writes_every_table(scratch_project):
    written = build(Paths(scratch_project))
    assert set(written) == TABLES
    claims = pd.read_csv(written["claims"])
    assert set(claims["article_id"]) == {"A", "B"}
    works = pd.read_csv(written["works"])
    assert (works["role"] == "cited").sum() == 7
    assert (works["crossref_status"] == "not fetched").all()


def test_the_real_project_tables_cover_both_articles_and_all_seven_works(project_root):
    evidence = pd.read_csv(project_root / "data/processed/evidence_by_outcome.csv")
    assert {
        "acute-postoperative-pain",
        "chronic-non-cancer-pain",
        "neuropathic-pain",
        "cancer-palliative-pain",
    } <= set(evidence["indication"])
    assert {"pain-relief", "opioid-use", "adverse-effects"} <= set(evidence["outcome"])
    best = pd.read_csv(project_root / "data/raw/best_evidence.csv")
    assert best["source"].notna().all() and best["verified"].notna().all()
    appraised = pd.read_csv(project_root / "data/raw/appraisals.csv")
    assert appraised["doi"].nunique() == 7 and appraised["source"].notna().all()
    claims = pd.read_csv(project_root / "data/raw/claims.csv")
    assert 20 <= (claims["article_id"] == "A").sum() <= 45
    assert 8 <= (claims["article_id"] == "B").sum() <= 12


@pytest.mark.parametrize(
    "file, old, new, column, message",
    [
        (
            "claims.csv",
            ",neuropathic-pain,pain-relief,,efficacy,possible,favours,10.1097/aap",
            ",nerve-pain,pain-relief,,efficacy,possible,favours,10.1097/aap",
            "indication",
            "'nerve-pain' is not allowed",
        ),
        (
            "claims.csv",
            ",neuropathic-pain,pain-relief,,efficacy,possible,favours,10.1097/aap",
            ",neuropathic-pain,pain-relief,,efficacy,possible,helps,10.1097/aap",
            "direction",
            "'helps' is not allowed",
        ),
        (
            "outcomes.csv",
            "adverse-effects,Adverse effects,harm",
            "adverse-effects,Adverse effects,bad",
            "kind",
            "'bad' is not allowed",
        ),
        (
            "best_evidence.csv",
            "https://pubmed.ncbi.nlm.nih.gov/22965960/",
            "https://www.scribd.com/x",
            "source",
            "mirror or aggregator",
        ),
        (
            "claims.csv",
            "10.1097/aap.0000000000000808; 10.1097/j.pain",
            "10.1097/aap.0000000000009999; 10.1097/j.pain",
            "cited_dois",
            "'10.1097/aap.0000000000009999' is not allowed",
        ),
        (
            "claims.csv",
            ",efficacy,possible,favours,10.1097/aap",
            ",efficacy,likely,favours,10.1097/aap",
            "asserted",
            "'likely' is not allowed",
        ),
        ("claims.csv", "A11,A,", "A10,A,", "claim_id", "duplicate 'A10'"),
        (
            "claims.csv",
            "A11,A,Ketamine Helps Pain: How Effectively?,",
            "A11,A,,",
            "section",
            "a value is required",
        ),
        (
            "appraisals.csv",
            "10.1213/ane.0000000000004185,neuropathic-pain,pain-relief,,systematic-review",
            "10.1213/ane.0000000000004185,neuropathic-pain,pain-relief,,cohort",
            "design",
            "disagrees with 'systematic-review'",
        ),
        (
            "appraisals.csv",
            "10.1111/bcp.12094,neuropathic-pain",
            "10.1111/bcp.12095,neuropathic-pain",
            "doi",
            "'10.1111/bcp.12095' is not allowed",
        ),
        (
            "citations.csv",
            "A,6,doi,10.1111/bcp.12094,10.1111/bcp.12094",
            "A,6,doi,10.1111/bcp.12094,PMID 24117458",
            "doi",
            "not a DOI: 'PMID 24117458'",
        ),
        ("citations.csv", "A,6,doi,", "A,6,book,", "type", "'book' is not allowed"),
        ("indications.csv", "acute-pain,", "Acute Pain,", "indication_id", "is not an id"),
    ],
)
def test_an_invalid_raw_row_stops_the_build_naming_file_line_column_and_value(
    scratch_project, file, old, new, column, message
):
    path = scratch_project / "data/raw" / file
    line = _edit(path, old, new)
    with pytest.raises(RawDataErrors) as caught:
        build(Paths(scratch_project))
    [error] = caught.value.errors
    assert error.file.endswith(file) and error.column == column and error.line == line
    assert message in str(error)
    assert re.search(rf"{file}, line {line}, column '{column}'", str(error))
    assert not (scratch_project / "data/processed").exists()  # nothing written half-way


def test_an_invalid_row_leaves_earlier_tables_untouched(scratch_project):
    build(Paths(scratch_project))
    before = {p.name: p.read_bytes() for p in (scratch_project / "data/processed").iterdir()}
    _edit(scratch_project / "data/raw/claims.csv", ",efficacy,possible,", ",efficacy,maybe,")
    with pytest.raises(RawDataErrors):
        build(Paths(scratch_project))
    after = {p.name: p.read_bytes() for p in (scratch_project / "data/processed").iterdir()}
    assert after == before


def test_a_claim_with_cited_works_must_say_how_they_were_linked(scratch_project):
    path = scratch_project / "data/raw/claims.csv"
    _edit(path, "10.1097/j.pain.0000000000002403,inferred", "10.1097/j.pain.0000000000002403,none")
    with pytest.raises(RawDataErrors, match="'link' must be explicit or inferred"):
        build(Paths(scratch_project))


def test_citations_must_match_the_dois_in_the_article_text(scratch_project):
    path = scratch_project / "data/raw/citations.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")  # drop the last citation
    with pytest.raises(RawDataErrors, match=r"only in text: \['10.1213/ane.0000000000004185'\]"):
        build(Paths(scratch_project))


def test_a_cited_identifier_must_be_in_its_normal_form(scratch_project):
    path = scratch_project / "data/raw/citations.csv"
    _edit(path, "A,6,doi,10.1111/bcp.12094,", "A,6,doi,10.1111/BCP.12094,")
    with pytest.raises(
        RawDataErrors,
        match=r"line 7: identifier '10.1111/BCP.12094' is not in its "
        r"normal form '10.1111/bcp.12094'",
    ):
        build(Paths(scratch_project))


def _append_citation(project, **values) -> None:
    from litkit.raw import CITATIONS

    path = project / "data/raw/citations.csv"
    row = ",".join(f'"{values.get(name, "")}"' for name in CITATIONS.names)
    path.write_text(path.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")


def test_a_link_citation_builds_and_its_anchor_must_stand_at_its_offset(scratch_project):
    text = (scratch_project / "data/raw/articles/B-clinic-blog.txt").read_text(encoding="utf-8")
    offset = text.index("Neuropathic Pain:")
    _append_citation(
        scratch_project,
        article_id="B",
        ref_no=1,
        type="pmid",
        identifier="24117458",
        url="https://pubmed.ncbi.nlm.nih.gov/24117458/",
        anchor_text="Neuropathic Pain",
        offset=offset,
        status="draft",
    )
    works = pd.read_csv(build(Paths(scratch_project))["works"])
    assert works.query("article_id == 'B'")["crossref_status"].tolist() == ["not fetched"]
    path = scratch_project / "data/raw/citations.csv"
    _edit(path, f'"{offset}"', f'"{offset + 1}"')
    with pytest.raises(
        RawDataErrors, match="article B, ref_no 1: 'Neuropathic Pain' is not at offset"
    ):
        build(Paths(scratch_project))


def test_a_reference_without_identifier_needs_its_printed_text(scratch_project):
    _append_citation(scratch_project, article_id="B", ref_no=1, type="reference", status="draft")
    with pytest.raises(RawDataErrors, match="needs its printed 'title' or 'anchor_text'"):
        build(Paths(scratch_project))


def test_a_record_returned_under_an_alias_doi_still_joins_its_citation(
    scratch_project, crossref_records
):
    cited = "10.1111/bcp.12094"
    record = dict(crossref_records[0], DOI="10.1111/BCP.ALIAS")  # Crossref's DOI differs
    CrossrefCache(Paths(scratch_project).crossref_cache).write(
        cited, record, message_version="1.0.0", api_url="test-fixture", via="single"
    )
    written = build(Paths(scratch_project))
    works = pd.read_csv(written["works"]).set_index("doi")
    assert works.loc[cited, "crossref_status"] == "fetched"
    audit = pd.read_csv(written["citation_audit"]).set_index("doi")
    assert audit.loc[cited, "verdict"] != "not-checked"


def test_a_safety_claim_must_name_a_harm_outcome(scratch_project):
    path = scratch_project / "data/raw/claims.csv"
    _edit(
        path,
        "chronic-non-cancer-pain,adverse-effects,,safety,established,harm",
        "chronic-non-cancer-pain,pain-relief,,safety,established,harm",
    )
    with pytest.raises(
        RawDataErrors,
        match="'pain-relief' is a benefit outcome, but a safety claim needs a harm outcome",
    ):
        build(Paths(scratch_project))


def test_claim_spans_must_lie_inside_the_text_and_not_overlap(scratch_project):
    path = scratch_project / "data/raw/claims.csv"
    line = _edit(path, ",inferred,2793,2863,", ",inferred,2700,2863,")  # A11 now overlaps A10
    with pytest.raises(RawDataErrors, match="claims A11 .* and A10 .* of article A overlap"):
        build(Paths(scratch_project))
    _edit(path, ",inferred,2700,2863,", ",inferred,2793,99999,")
    with pytest.raises(
        RawDataErrors,
        match=rf"line {line}, column 'end': claim A11: span .* "
        "runs past the end of article A's text",
    ):
        build(Paths(scratch_project))


def test_a_claim_checked_against_the_outcomes_is_located_at_its_line(scratch_project):
    path = scratch_project / "data/raw/claims.csv"
    line = _edit(
        path,
        "chronic-non-cancer-pain,adverse-effects,,safety,established,harm",
        "chronic-non-cancer-pain,pain-relief,,safety,established,harm",
    )
    with pytest.raises(RawDataErrors, match=rf"claims.csv, line {line}, column 'outcome'"):
        build(Paths(scratch_project))


# --- every problem in one run ----------------------------------------------------------------

RAW_TABLES = (
    "articles.csv",
    "citations.csv",
    "indications.csv",
    "outcomes.csv",
    "claims.csv",
    "appraisals.csv",
    "best_evidence.csv",
)


def test_an_empty_project_reports_every_missing_table_at_once(tmp_path):
    with pytest.raises(RawDataErrors) as caught:
        build(Paths(tmp_path))
    errors = caught.value.errors
    assert [e.file.rsplit("/", 1)[-1] for e in errors] == list(RAW_TABLES)
    assert all(str(e).endswith("file not found") for e in errors)
    assert str(caught.value).startswith("7 problems in the input files:\n")


def test_a_problem_in_each_table_is_reported_in_one_run(scratch_project):
    raw = scratch_project / "data/raw"
    _edit(raw / "articles.csv", "clinic-blog", "blog")
    _edit(raw / "citations.csv", "A,2,", "A,99999999999999999999999999999999999999,")
    _edit(raw / "indications.csv", "acute-pain,", "Acute Pain,")
    (raw / "claims.csv").write_bytes(
        (raw / "claims.csv").read_bytes().replace(b"Ketamine", b"K\xe9tamine", 1)
    )
    _edit(raw / "outcomes.csv", "Pain relief,benefit,", "Pain relief,gain,")
    (raw / "appraisals.csv").unlink()
    best = raw / "best_evidence.csv"
    best.write_bytes(best.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(RawDataErrors) as caught:
        build(Paths(scratch_project))
    found = {e.file.rsplit("/", 1)[-1]: str(e) for e in caught.value.errors}
    assert list(found) == list(RAW_TABLES)
    assert "'blog' is not allowed" in found["articles.csv"]
    assert "column 'ref_no'" in found["citations.csv"]
    assert "is not an id" in found["indications.csv"]
    assert "'gain' is not allowed" in found["outcomes.csv"]
    assert "not UTF-8 text (byte 0xe9" in found["claims.csv"]
    assert "file not found" in found["appraisals.csv"]
    assert "UTF-16 text" in found["best_evidence.csv"]


def test_every_missing_article_text_is_reported_with_the_other_problems(scratch_project):
    raw = scratch_project / "data/raw"
    for text in (raw / "articles").iterdir():
        text.unlink()
    _edit(raw / "claims.csv", ",efficacy,uncertain,", ",efficacy,maybe,")
    with pytest.raises(RawDataErrors) as caught:
        build(Paths(scratch_project))
    messages = [str(e) for e in caught.value.errors]
    assert len(messages) == 3
    assert (
        "line 2, column 'text_file'" in messages[0] and "line 3, column 'text_file'" in messages[1]
    )
    assert "no such file" in messages[0] and "'maybe' is not allowed" in messages[2]
