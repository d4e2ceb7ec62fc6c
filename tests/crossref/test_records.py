"""Flattening Crossref records into the works table."""

import json

import pandas as pd
import pytest

from litkit.analysis.works import cited_works
from litkit.crossref.records import (
    decode_slim,
    plain_text,
    slim,
    to_frame,
    work_problem,
    year_of,
)
from litkit.processed import RECORD
from litkit.raw import read_articles, read_citations


def test_every_recorded_crossref_record_flattens(crossref_records):
    frame = to_frame(crossref_records)
    assert len(frame) == len(crossref_records) == 520
    assert list(frame.columns) == list(tuple(RECORD))
    assert frame["doi"].str.fullmatch(r"10\.\d+.*/.*").all()
    assert (frame["doi"] == frame["doi"].str.lower()).all()
    assert not frame["title"].str.contains(r"<[a-z/]", na=False).any()
    assert not frame["abstract"].str.contains(r"<jats:", na=False).any()
    assert frame["year"].dropna().between(1800, 2030).all()
    assert (frame["source"] == "crossref").all()


def test_titles_with_inline_html_become_plain_text(crossref_records):
    with_html = [r for r in crossref_records if "<" in (r.get("title") or [""])[0]]
    assert with_html, "the recorded records include titles with inline HTML"
    for title in to_frame(with_html)["title"]:
        assert "<" not in title and "  " not in title


def test_plain_text_keeps_less_than_signs_and_separates_paragraphs():
    jats = (
        "<jats:sec><jats:title>Results</jats:title><jats:p>Pain fell (p &lt; 0.05; "
        "p<0.01 in CRPS).</jats:p></jats:sec><jats:p>Second\n  paragraph.</jats:p>"
    )
    assert plain_text(jats) == "Results Pain fell (p < 0.05; p<0.01 in CRPS). Second paragraph."
    assert plain_text("CO<sub>2</sub> and <mml:math><mml:mi>x</mml:mi></mml:math>") == "CO2 and x"
    assert plain_text("   ") is None
    assert plain_text(None) is None


@pytest.mark.parametrize(
    "record, year",
    [
        ({"issued": {"date-parts": [[2019, 7]]}}, 2019),
        ({"issued": {"date-parts": [[None]]}, "published-print": {"date-parts": [[2020]]}}, 2020),
        ({"issued": {"date-parts": [[]]}, "created": {"date-parts": [[2018, 1, 2]]}}, 2018),
        ({"issued": {"date-parts": []}, "published-online": {"date-parts": [[2021, 2]]}}, 2021),
        ({"published": {"date-parts": [["2017"]]}}, 2017),
        ({"issued": {}}, None),
        ({}, None),
    ],
)
def test_year_comes_from_the_first_date_that_has_one(record, year):
    assert year_of(record) == year


def test_authors_people_and_organisations():
    record = {
        "DOI": "10.1/x",
        "author": [
            {"given": "Steven P.", "family": "Cohen"},
            {"name": "ASRA Working Group"},
            {"family": "Solo"},
        ],
    }
    row = to_frame([record]).iloc[0]
    assert row["authors"] == "Cohen, Steven P.; ASRA Working Group; Solo"
    assert row["first_author"] == "Cohen"
    assert row["n_authors"] == 3


def test_update_notices_article_numbers_and_licence():
    record = {
        "DOI": "10.1/X",
        "article-number": "599721",
        "updated-by": [
            {"type": "retraction", "DOI": "10.1/RETRACT"},
            {"type": "correction", "DOI": "10.1/fix"},
        ],
        "license": [
            {"URL": "http://tdm", "content-version": "tdm"},
            {"URL": "http://cc-by", "content-version": "vor"},
        ],
    }
    row = to_frame([record]).iloc[0]
    assert row["page"] == "599721"
    assert row["updated_by"] == "retraction:10.1/retract; correction:10.1/fix"
    assert row["license_url"] == "http://cc-by"


def test_a_partial_record_gives_empty_cells_not_errors():
    row = to_frame([{"DOI": "10.1/x"}]).iloc[0]
    assert pd.isna(row["title"]) and pd.isna(row["year"]) and row["n_authors"] == 0


def test_cited_works_uses_printed_fields_where_no_record_is_cached(project_root, crossref_records):
    articles = read_articles(project_root / "data/raw/articles.csv")
    citations = read_citations(project_root / "data/raw/citations.csv", articles=articles)
    record = dict(crossref_records[0], DOI="10.1111/BCP.12094", title=["Fetched title"])
    table = cited_works(
        citations.assign(role="cited"),
        to_frame([record]),
        pd.Series({"10.1111/bcp.12094": "2026-11-21T00:00:00Z"}),
    )
    assert len(table) == len(citations) == 7
    fetched = table[table["crossref_status"] == "fetched"]
    assert fetched["doi"].tolist() == ["10.1111/bcp.12094"]
    assert fetched["title"].tolist() == ["Fetched title"]
    assert fetched["fetched_at"].tolist() == ["2026-11-21T00:00:00Z"]
    printed = table[table["crossref_status"] == "not fetched"]
    assert len(printed) == 6 and (printed["source"] == "citation").all()
    bell = printed[printed["ref_no"] == 1].iloc[0]
    assert (bell["title"], bell["container_title"], bell["year"]) == (
        "Ketamine for Pain Management",
        "PAIN Reports",
        2018,
    )


def test_plain_text_collapses_every_kind_of_white_space_as_the_regex_does():
    import re
    import sys

    spaces = "".join(chr(i) for i in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(i)))
    assert all(c.isspace() for c in spaces)
    text = f"{spaces}A{spaces}&amp;{spaces}b <jats:p>c{spaces}d</jats:p>{spaces}"
    assert plain_text(text.replace("<jats:p>", "").replace("</jats:p>", "")) == "A & b c d"
    assert plain_text(text) == "A & b c d"


PROVENANCE = {"requested_doi": "10.1000/x", "via": "list"}


def _file(message) -> bytes:
    return json.dumps({"message": message, "provenance": PROVENANCE}).encode()


def test_every_recorded_record_is_read_cut_as_slim_cuts_it(crossref_records):
    for record in crossref_records:
        assert decode_slim(_file(record)) == (slim(record), PROVENANCE), record["DOI"]


DAMAGE = {
    "no DOI": lambda r: {k: v for k, v in r.items() if k != "DOI"},
    "blank DOI": lambda r: r | {"DOI": "  "},
    "numeric DOI": lambda r: r | {"DOI": 10},
    "no title, no type": lambda r: {k: v for k, v in r.items() if k not in ("title", "type")},
    "title a string": lambda r: r | {"title": "One title"},
    "title of numbers": lambda r: r | {"title": [1]},
    "author a string": lambda r: r | {"author": "A"},
    "author items strings": lambda r: r | {"author": ["A"]},
    "licence items lists": lambda r: r | {"license": [[]]},
    "update items numbers": lambda r: r | {"updated-by": [1]},
    "date a list": lambda r: r | {"issued": [2020]},
    "count a string": lambda r: r | {"is-referenced-by-count": "5"},
    "count true": lambda r: r | {"references-count": True},
    "count a float": lambda r: r | {"reference-count": 2.5},
    "page a number": lambda r: r | {"page": 12},
    "nulls": lambda r: r | {"title": None, "author": None, "issued": None, "page": None},
    "not an object": lambda r: [r],
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_record_is_read_cut_only_when_it_is_a_work_and_then_as_slim_cuts_it(
    crossref_records, damage
):
    # The fast read may send a record the long way (which then says what is wrong or keeps
    # it), but never accepts one the long way refuses, nor cuts it otherwise.
    for record in crossref_records[:50]:
        message = DAMAGE[damage](record)
        read = decode_slim(_file(message))
        if read is not None:
            assert work_problem(message) is None and read == (slim(message), PROVENANCE)
        if work_problem(message) is not None:
            assert read is None


@pytest.mark.parametrize(
    "data",
    [b"", b"{not json", b"[]", b'{"message": {"DOI": "10.1/x", "type": "t"}}', b"\xff"],
)
def test_a_file_that_is_not_a_cached_record_is_left_to_the_long_way(data):
    assert decode_slim(data) is None
