"""The raw tables' checks: numbers in range, article texts present and readable."""

import csv

import pandas as pd
import pytest

from litkit.errors import NotTextError, RawDataError, RawDataErrors
from litkit.raw import (
    check_citations_against_texts,
    read_appraisals,
    read_article_texts,
    read_articles,
    read_citations,
    whole_number,
)

ARTICLES_HEADER = (
    "article_id,title,publisher,source_kind,lists_references,medically_reviewed,"
    "text_file,url,accessed\n"
)
CITATIONS_HEADER = (
    "article_id,ref_no,type,identifier,doi,url,anchor_text,offset,authors,title,"
    "journal,volume,issue,pages,year,month,status\n"
)


def _citation(ref_no="1", year="2020", doi="10.1000/a"):
    kind = "doi" if doi else "reference"
    return (
        CITATIONS_HEADER + f"A,{ref_no},{kind},{doi},{doi},,,,Smith J,T,J,1,2,3,{year},,reviewed\n"
    )


def _articles(*text_files: str) -> str:
    return ARTICLES_HEADER + "".join(
        f"{chr(65 + i)},T,P,clinic-blog,no,no,{f},,\n" for i, f in enumerate(text_files)
    )


ARTICLES = pd.DataFrame({"article_id": ["A"]}, dtype="string")


@pytest.mark.parametrize(
    "ref_no",
    [
        "1" * 40,  # would overflow a 64-bit integer in the processed tables
        "9" * 5000,  # more digits than int() converts at all
        "0",
        "1000000",
        "\u00b2",  # a superscript two: str.isdigit() says yes, int() says no
        "1.0",
        "-3",
    ],
)
def test_a_reference_number_out_of_range_is_named(tmp_path, ref_no):
    path = tmp_path / "citations.csv"
    path.write_text(_citation(ref_no=ref_no), encoding="utf-8")
    with pytest.raises(RawDataError) as caught:
        read_citations(path, articles=ARTICLES)
    assert caught.value.line == 2 and caught.value.column == "ref_no"
    assert "is not a whole number from 1 to 999,999" in str(caught.value)


def test_a_reference_number_with_leading_zeros_is_still_in_range(tmp_path):
    path = tmp_path / "citations.csv"
    path.write_text(_citation(ref_no="0007"), encoding="utf-8")
    assert read_citations(path, articles=ARTICLES)["ref_no"].tolist() == ["0007"]


def test_a_year_in_other_digits_is_not_a_year(tmp_path):
    path = tmp_path / "citations.csv"
    path.write_text(_citation(year="\u0968\u0966\u0968\u0966"), encoding="utf-8")  # Devanagari 2020
    with pytest.raises(RawDataError, match="is not a four-digit year"):
        read_citations(path, articles=ARTICLES)


def test_citations_are_checked_on_their_own_when_the_articles_are_unknown(tmp_path):
    path = tmp_path / "citations.csv"
    path.write_text(_citation().replace("A,1,", "Z,1,"), encoding="utf-8")
    assert read_citations(path, articles=None)["article_id"].tolist() == ["Z"]
    with pytest.raises(RawDataError, match="'Z' is not allowed"):
        read_citations(path, articles=ARTICLES)


def _appraisal_with(project_root, tmp_path, column: str, value: str):
    """The project's first appraisal with one cell changed, as a file."""
    with open(project_root / "data/raw/appraisals.csv", newline="", encoding="utf-8") as handle:
        header, first = list(csv.reader(handle))[:2]
    first[header.index(column)] = value
    path = tmp_path / "appraisals.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, first])
    return path


def test_a_participant_count_that_would_overflow_is_named_not_converted(project_root, tmp_path):
    path = _appraisal_with(project_root, tmp_path, "n_participants", "9" * 40)
    with pytest.raises(RawDataError) as caught:
        read_appraisals(path, indication_ids=None, outcome_ids=None, cited_dois=None)
    assert caught.value.column == "n_participants"
    assert "is not a whole number from 1 to 1,000,000,000" in str(caught.value)


@pytest.mark.parametrize(
    "value", ["nan", "inf", "-Infinity", "1e999", "1_000", "\u0661\u0662", "0,5"]
)
def test_an_estimate_must_be_a_finite_number_in_ascii_digits(project_root, tmp_path, value):
    path = _appraisal_with(project_root, tmp_path, "estimate", value)
    with pytest.raises(RawDataError, match="column 'estimate'.* is not a number"):
        read_appraisals(path, indication_ids=None, outcome_ids=None, cited_dois=None)


@pytest.mark.parametrize("value", ["0.85", "-1.2", "+3", ".5", "12.", "1e-3", "2.5E+2"])
def test_an_estimate_in_decimal_or_exponent_form_is_accepted(project_root, tmp_path, value):
    path = _appraisal_with(project_root, tmp_path, "estimate", value)
    table = read_appraisals(path, indication_ids=None, outcome_ids=None, cited_dois=None)
    assert table["estimate"].tolist() == [value]


def test_whole_number_accepts_the_ends_of_its_range():
    check = whole_number(1, 100)
    assert check("1") == "1" and check("100") == "100"


@pytest.mark.parametrize(
    "text_file", ["../secret.txt", "/etc/hostname", "articles/../../x.txt", "C:\\texts\\a.txt"]
)
def test_an_article_text_must_be_a_path_inside_the_raw_folder(tmp_path, text_file):
    path = tmp_path / "articles.csv"
    path.write_text(_articles(text_file), encoding="utf-8")
    with pytest.raises(RawDataError, match="is not a path inside data/raw"):
        read_articles(path)


def test_every_missing_article_text_is_reported_at_its_row(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "B.txt").write_text("10.1000/b", encoding="utf-8")
    path = tmp_path / "articles.csv"
    path.write_text(
        _articles("articles/A.txt", "articles/B.txt", "articles/C.txt"), encoding="utf-8"
    )
    articles = read_articles(path, line_index=True)
    with pytest.raises(RawDataErrors) as caught:
        read_article_texts(articles, raw_folder=tmp_path, articles_file="articles.csv")
    assert [(e.line, e.column) for e in caught.value.errors] == [(2, "text_file"), (4, "text_file")]
    assert "'articles/A.txt': no such file" in str(caught.value)


def test_an_article_text_that_is_not_utf8_names_the_text_file_and_line(tmp_path):
    (tmp_path / "A.txt").write_bytes(b"Intro\nSee 10.1000/a \x96 a dash in cp1252\n")
    path = tmp_path / "articles.csv"
    path.write_text(_articles("A.txt"), encoding="utf-8")
    with pytest.raises(RawDataErrors) as caught:
        read_article_texts(
            read_articles(path, line_index=True), raw_folder=tmp_path, articles_file="articles.csv"
        )
    [error] = caught.value.errors
    assert isinstance(error, NotTextError) and error.file.endswith("A.txt") and error.line == 2


def _cited(article_ids, dois):
    """Citations printed in a reference list: a DOI each, or none."""
    return pd.DataFrame(
        {
            "article_id": article_ids,
            "ref_no": [str(i + 1) for i in range(len(dois))],
            "type": ["doi" if d else "reference" for d in dois],
            "identifier": dois,
            "doi": dois,
            "url": [""] * len(dois),
            "anchor_text": [""] * len(dois),
            "offset": [""] * len(dois),
        },
        dtype="string",
    )


def test_a_work_cited_without_a_doi_needs_no_doi_in_the_text():
    citations = _cited(["A", "A"], ["10.1000/a", ""])
    check_citations_against_texts(citations, {"A": "see 10.1000/a"}, citations_file="c.csv")


def test_every_article_whose_dois_disagree_is_reported():
    citations = _cited(["A", "B"], ["10.1000/a", "10.1000/b"])
    with pytest.raises(RawDataErrors) as caught:
        check_citations_against_texts(
            citations, {"A": "none", "B": "10.1000/c"}, citations_file="c.csv"
        )
    assert [("article A" in str(e), "article B" in str(e)) for e in caught.value.errors] == [
        (True, False),
        (False, True),
    ]
