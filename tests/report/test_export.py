"""The take-away files: BibTeX, RIS, CSL-JSON and the workbook, deterministic and complete."""

from __future__ import annotations

import json

import bibtexparser
import openpyxl
import pandas as pd
import pytest
import rispy

from litkit.cli import main
from litkit.config import Paths
from litkit.processed import TABLES, read_all
from litkit.report import export


@pytest.fixture
def project(built_project):
    return Paths(built_project)


def test_exports_are_identical_on_a_second_run(project):
    first = {p.name: p.read_bytes() for p in export.write_exports(project)}
    second = {p.name: p.read_bytes() for p in export.write_exports(project)}
    assert set(first) == set(export.EXPORTS) and first == second


def test_every_work_is_in_each_bibliography_once(project):
    export.write_exports(project)
    folder = project.reports / "exports"
    dois = set(read_all(paths=project)["works"]["doi"].dropna())
    bib = bibtexparser.parse_string((folder / "works.bib").read_text(encoding="utf-8"))
    assert sorted(e.fields_dict["doi"].value for e in bib.entries) == sorted(dois)
    assert len({e.key for e in bib.entries}) == len(dois)
    ris = rispy.loads((folder / "works.ris").read_text(encoding="utf-8"))
    assert sorted(r["doi"] for r in ris) == sorted(dois)
    csl = json.loads((folder / "works.json").read_text(encoding="utf-8"))
    assert sorted(i["DOI"] for i in csl) == sorted(dois)
    assert all(i["URL"] == f"https://doi.org/{i['DOI']}" and i["title"] for i in csl)


def test_the_workbook_holds_every_table_and_a_readme_of_columns(project):
    export.write_exports(project)
    book = openpyxl.load_workbook(project.reports / "exports" / "tables.xlsx")
    assert book.sheetnames == ["README", *TABLES]
    readme = list(book["README"].iter_rows(values_only=True))
    assert readme[0] == ("table", "column", "type")
    assert len(readme) - 1 == sum(len(spec) for spec in TABLES.values())
    tables = read_all(paths=project)
    for name, frame in tables.items():
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(frame.columns)
        assert len(rows) - 1 == len(frame)
        for i, column in enumerate(frame.columns):
            expected = [None if pd.isna(v) else v for v in frame[column]]
            assert [row[i] for row in rows[1:]] == expected, (name, column)


def test_a_cached_crossref_record_describes_its_work(crossref_records):
    record = next(
        r
        for r in crossref_records
        if r.get("type") == "journal-article"
        and r.get("author")
        and r.get("title")
        and r["author"][0].get("family")
    )
    doi = record["DOI"].lower()
    works = pd.DataFrame(
        {
            "role": ["cited"],
            "article_id": ["A"],
            "doi": [doi],
            "authors": ["Printed, P."],
            "title": ["As printed"],
            "container_title": [pd.NA],
            "year": [2001],
            "volume": [pd.NA],
            "issue": [pd.NA],
            "page": [pd.NA],
        }
    )
    (item,) = export.csl_items(works, {doi: record})
    assert item["title"] == record["title"][0] and item["source"] == "Crossref"
    assert item["author"][0]["family"] == record["author"][0]["family"]
    (printed,) = export.csl_items(works, {})
    assert printed["title"] == "As printed" and printed["author"] == [
        {"family": "Printed", "given": "P."}
    ]


def test_printed_authors_keep_et_al_as_a_cut_list():
    names, cut = export.printed_authors("Avidan MS; Maybrier HR; et al. (Some Research Group)")
    assert (
        names == [{"family": "Avidan", "given": "M. S."}, {"family": "Maybrier", "given": "H. R."}]
        and cut
    )
    assert export.printed_authors("Bell, Rae Frances; Kalso, Eija") == (
        [{"family": "Bell", "given": "Rae Frances"}, {"family": "Kalso", "given": "Eija"}],
        False,
    )


def test_two_works_with_the_same_author_and_year_get_distinct_keys():
    items = [{"author": [{"family": "Smith"}], "issued": {"date-parts": [[2020]]}}] * 2
    assert export.citation_keys(items) == ["Smith2020a", "Smith2020b"]


def test_the_export_command_writes_the_files(project, capsys):
    assert main(["export", "--root", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in export.EXPORTS)
