"""The citation audit: each verdict, and how a retraction carries through to the evidence."""

import copy

import pandas as pd
import pytest

from litkit.analysis.audit import audit_citations, flags_by_doi, normalise_pages, retracted_dois
from litkit.config import Paths
from litkit.crossref.cache import CrossrefCache
from litkit.pipeline import build

ASPIRIN = "10.1046/j.1365-2710.2002.00408.x"  # J Clin Pharm Ther 27(3):157-160, 2002
SYSTEMS = "10.1002/sys.21414"  # issued 2017 (print), online 2018
ECOLOGY = "10.1002/ece3.2314"  # Ecology and Evolution 6(18):6425-6434
CORRECTED = "10.1371/journal.pbio.0050002"  # carries a real `updated-by` correction


@pytest.fixture
def records(crossref_records):
    return {r["DOI"].lower(): r for r in crossref_records}


def citation(**fields) -> dict:
    base = dict(
        article_id="A",
        ref_no="1",
        doi=ASPIRIN,
        authors="Smith, J.; et al.",
        title="Aspirin and Reye's syndrome: is the response appropriate?",
        journal="Journal of Clinical Pharmacy and Therapeutics",
        volume="27",
        issue="3",
        pages="157–60",
        year="2002",
        month="",
    )
    return base | fields


def audit(records, *rows, not_found=None) -> pd.DataFrame:
    return audit_citations(pd.DataFrame(list(rows), dtype="string"), records, not_found)


def one(records, **fields) -> pd.Series:
    first = records[fields.get("doi", ASPIRIN)]["author"][0]["family"]
    return audit(records, citation(authors=f"{first}, X.", **fields)).iloc[0]


def cite(records, doi, journal, volume, issue, pages, year) -> pd.Series:
    """The audit of a citation of ``doi`` under its own title, printed as given."""
    title = records[doi]["title"][0]
    where = dict(journal=journal, volume=volume, issue=issue, pages=pages, year=year)
    return one(records, doi=doi, title=title, **where)


def test_a_correct_citation_is_ok(records):
    row = one(records)
    assert row["verdict"] == "ok" and row["reasons"] == "matches its Crossref record"
    assert row["pages_check"] == "ok: pages match"  # 157–60 is 157-160


def test_a_missing_subtitle_is_a_note_not_an_error(records):
    row = one(records, title="Aspirin and Reye's syndrome")
    assert row["verdict"] == "ok"
    assert row["title_check"] == "note: subtitle missing in the citation"


def test_an_abbreviated_journal_is_allowed(records):
    row = one(records, journal="J. Clin. Pharm. Ther.")
    assert row["verdict"] == "ok" and row["journal_check"].startswith(("ok", "note"))
    row = one(records, journal="J Clin Pharmacy Therap")
    assert row["journal_check"] == "note: journal abbreviated"


def test_a_wrong_year_is_major(records):
    row = one(records, year="1999")
    assert row["verdict"] == "major" and "year is 2002 in the record, not 1999" in row["reasons"]


def test_the_online_year_of_a_later_issue_is_minor(records):
    row = cite(records, SYSTEMS, "Systems Engineering", "20", "6", "483-496", "2018")
    assert row["verdict"] == "minor" and "published online date; issued 2017" in row["year_check"]


def test_wrong_title_and_journal_are_major(records):
    row = one(records, title="Paracetamol in children", journal="The Lancet")
    assert row["verdict"] == "major"
    assert row["title_check"].startswith("major") and row["journal_check"].startswith("major")


def test_an_ahead_of_print_citation_whose_work_now_has_an_issue_is_minor(records):
    row = cite(records, ECOLOGY, "Ecology and Evolution", "Publish Ahead of Print", "", "", "2016")
    assert row["verdict"] == "minor"
    assert (
        "cited ahead of print; now published (volume 6, issue 18, page 6425-6434, 2016)"
        in row["reasons"]
    )


def test_a_real_correction_notice_is_reported_with_its_doi_date_and_source(records):
    row = cite(records, CORRECTED, "PLoS Biology", "5", "1", "e2", "2006")
    assert row["verdict"] == "minor" and not row["retracted"]
    assert (
        row["notices_check"]
        == "minor: correction 10.1371/journal.pbio.0060304 (2008-11-25, publisher)"
    )


def _with_notice(record, kind, notice="10.9999/notice.1", source="retraction-watch"):
    changed = copy.deepcopy(record)
    changed["updated-by"] = [
        {
            "DOI": notice,
            "type": kind,
            "source": source,
            "label": kind,
            "updated": {"date-parts": [[2024, 5, 2]], "date-time": "2024-05-02T00:00:00Z"},
        }
    ]
    return changed


def test_a_retracted_work_gets_the_retracted_verdict(records):
    records = dict(records, **{ASPIRIN: _with_notice(records[ASPIRIN], "retraction")})
    table = audit(records, citation())
    assert table.loc[0, "verdict"] == "retracted" and table.loc[0, "retracted"]
    assert "retraction 10.9999/notice.1 (2024-05-02, retraction-watch)" in table.loc[0, "reasons"]
    assert retracted_dois(table) == {ASPIRIN: "retracted (10.9999/notice.1)"}


def test_an_expression_of_concern_is_major_and_flagged_but_not_retracted(records):
    records = dict(records, **{ASPIRIN: _with_notice(records[ASPIRIN], "expression_of_concern")})
    table = audit(records, citation())
    assert table.loc[0, "verdict"] == "major" and table.loc[0, "concern"]
    assert flags_by_doi(table) == {ASPIRIN: "expression of concern (10.9999/notice.1)"}
    assert retracted_dois(table) == {}


def test_a_work_cited_by_a_link_is_checked_for_notices_only(records):
    link = citation(authors="", title="", journal="", volume="", issue="", pages="", year="")
    row = audit(records, link).iloc[0]
    assert row["verdict"] == "ok" and row["title_check"] is pd.NA
    assert row["reasons"] == "cited by a link: no printed fields to check"
    records = dict(records, **{ASPIRIN: _with_notice(records[ASPIRIN], "retraction")})
    assert audit(records, link).loc[0, "verdict"] == "retracted"


def test_a_doi_crossref_does_not_know_is_major(records):
    table = audit(
        records,
        citation(doi="10.9999/unknown"),
        not_found={"10.9999/unknown": {"reason": "registered with DataCite, not Crossref"}},
    )
    assert table.loc[0, "verdict"] == "major"
    assert table.loc[0, "doi_check"] == "major: DOI registered with DataCite, not Crossref"


def test_a_record_registered_under_another_doi_is_never_a_found_doi(records):
    alias = "10.9999/alias-of-aspirin"
    by_alias = {alias: records[ASPIRIN]}  # Crossref answers an alias with its primary record
    first = records[ASPIRIN]["author"][0]["family"]
    row = audit(by_alias, citation(doi=alias, authors=f"{first}, X.")).iloc[0]
    assert row["doi_check"] == (
        f"minor: the record is registered under another DOI, {ASPIRIN}; cite that DOI"
    )
    assert row["verdict"] == "minor"
    assert "DOI found" not in row["reasons"]


def test_without_a_record_the_audit_says_not_checked_and_never_pretends(records):
    table = audit({}, citation())
    assert table.loc[0, "verdict"] == "not-checked"
    assert "no Crossref record cached" in table.loc[0, "reasons"]
    assert table.loc[0, ["title_check", "year_check"]].isna().all()


@pytest.mark.parametrize(
    "printed, expected",
    [
        pytest.param("357–67", "357-367", id="en dash, end shortened"),
        pytest.param("e26–32", "e26-e32", id="electronic pages, prefix carried to the end"),
        pytest.param("pp. 241-54", "241-254", id="pp. dropped"),
        pytest.param("e674", "e674", id="one electronic page"),
        pytest.param("1704-6", "1704-1706", id="end shortened to one digit"),
        pytest.param("599721", "599721", id="article number"),
    ],
)
def test_page_ranges_are_expanded(printed, expected):
    assert normalise_pages(printed) == expected


def test_offline_every_project_citation_is_not_checked(scratch_project):
    build(Paths(scratch_project))  # the scratch copy has no cached record
    audit_table = pd.read_csv(Paths(scratch_project).table("citation_audit"))
    assert (audit_table["verdict"] == "not-checked").all()
    assert audit_table["role"].value_counts().to_dict() == {"best-evidence": 16, "cited": 7}


def test_a_retraction_carries_through_to_claims_and_certainty(scratch_project, crossref_records):
    """Orhurhu 2019 (the systematic review) made retracted in a scratch copy of the project."""
    doi = "10.1213/ane.0000000000004185"
    record = _with_notice(next(r for r in crossref_records if r["DOI"] == ASPIRIN), "retraction")
    record["DOI"] = doi
    CrossrefCache(Paths(scratch_project).crossref_cache).write(
        doi, record, message_version="1.0.0", api_url="test-fixture", via="single"
    )
    build(Paths(scratch_project))
    tables = {
        name: pd.read_csv(Paths(scratch_project).table(name))
        for name in ("citation_audit", "evidence_by_work", "evidence_by_outcome", "claims")
    }
    assert tables["citation_audit"].set_index("doi").loc[doi, "verdict"] == "retracted"
    graded = tables["evidence_by_work"][tables["evidence_by_work"]["doi"] == doi]
    assert not graded["counted"].any()
    assert graded["reasons"].str.contains("not counted: retracted").all()
    by_outcome = tables["evidence_by_outcome"].set_index(["indication", "outcome"])
    chronic = by_outcome.loc[("chronic-non-cancer-pain", "pain-relief")]
    assert doi not in chronic["cited_dois"] and doi not in chronic["best_dois"]
    assert "not counted (retracted" in chronic["reasons"]
    flagged = tables["claims"][tables["claims"]["cited_dois"].str.contains(doi, na=False)]
    assert len(flagged) > 0 and flagged["citation_flags"].str.contains("retracted").all()
