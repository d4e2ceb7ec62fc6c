"""The report's own pages, rendered from a scratch copy of the project's data."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from litkit.config import Paths
from litkit.processed import read_all
from litkit.report import pages
from litkit.report.views import claims_to_review

REPORT_SOURCES = Path(pages.__file__).parent


@pytest.fixture
def project(built_project):
    paths = Paths(built_project)
    return paths, read_all(paths=paths)


def _text_only(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_the_index_lists_each_articles_claims_to_review_most_serious_first(project):
    paths, tables = project
    page = pages.write_index(paths, tables, []).read_text(encoding="utf-8")
    for _, claims in tables["claims"].groupby("article_id"):
        expected = claims_to_review(claims)["claim_id"].tolist()
        shown = re.findall(r'<tr class="v-[a-z-]+" data-claim="([^"]+)"', page)
        assert [c for c in shown if c in set(claims["claim_id"])] == expected


def test_the_index_headline_counts_each_verdict(project):
    paths, tables = project
    text = _text_only(pages.write_index(paths, tables, []).read_text(encoding="utf-8"))
    for _, claims in tables["claims"].groupby("article_id"):
        assert f"{len(claims)} claims:" in text
        for verdict, n in claims["verdict"].value_counts().items():
            assert (
                f"{n} {verdict.replace('-', ' ') if verdict != 'under-cited' else verdict}" in text
            )


def test_the_index_links_each_cited_work_to_its_doi(project):
    paths, tables = project
    page = pages.write_index(paths, tables, []).read_text(encoding="utf-8")
    overstated = tables["claims"][tables["claims"]["verdict"] == "overstated"]
    for dois in overstated["cited_dois"].dropna():
        for doi in dois.split("; "):
            assert f'href="https://doi.org/{html.escape(doi)}"' in page


def test_the_trust_figures_on_the_index_are_the_counted_ones(project):
    paths, tables = project
    text = _text_only(pages.write_index(paths, tables, []).read_text(encoding="utf-8"))
    fetched = tables["works"].drop_duplicates("doi")
    n = (fetched["crossref_status"] == "fetched").sum()
    assert re.search(rf"Crossref records fetched\s*{n} of {len(fetched)}", text)


def test_an_annotated_article_is_its_own_text_with_every_claim_marked(project):
    paths, tables = project
    for path in pages.write_articles(paths, tables):
        page = path.read_text(encoding="utf-8")
        article_id = path.stem.removeprefix("article-")
        article = tables["articles"].set_index("article_id").loc[article_id]
        text = (paths.raw / article["text_file"]).read_text(encoding="utf-8")
        claims = tables["claims"][tables["claims"]["article_id"] == article_id]
        marks = re.findall(
            r'<mark class="claim v-([a-z-]+)" id="([^"]+)" data-claim="\2"[^>]*>'
            r'<a class="cid"[^>]*>[^<]*</a>(.*?)</mark>',
            page,
            flags=re.DOTALL,
        )
        assert sorted(m[1] for m in marks) == sorted(claims["claim_id"])
        for verdict, claim_id, inner in marks:
            claim = claims.set_index("claim_id").loc[claim_id]
            assert verdict == claim["verdict"]
            assert html.unescape(inner) == text[claim["start"] : claim["end"]]
        body = page.split('<div class="annotated">')[1].split('<p class="meta">Made by')[0]
        shown = re.sub(r'<aside class="notes">.*?</aside>', "", body, flags=re.DOTALL)
        shown = re.sub(r'<a class="cid"[^>]*>[^<]*</a>', "", shown)
        assert " ".join(_text_only(shown).split()) == " ".join(text.split())


def test_the_method_is_rendered_with_its_tables(project):
    paths, tables = project
    (paths.root / "docs").mkdir()
    (paths.root / "docs" / "method.md").write_text(
        "# How it works\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n"
    )
    page = pages.write_method(paths, tables).read_text(encoding="utf-8")
    assert "<title>Method: How it works</title>" in page and "<table>" in page
    assert "<script>alert" not in page  # raw HTML in the Markdown is shown as text


def test_no_article_topic_is_written_into_the_report_code_or_templates(project):
    _, tables = project
    sources = "\n".join(
        p.read_text(encoding="utf-8").lower()
        for p in REPORT_SOURCES.rglob("*")
        if p.suffix in (".py", ".j2", ".css")
    )
    words = {t.split()[0].lower() for t in tables["articles"]["title"]}
    words |= {
        label.lower()
        for label in pd.concat([tables["indications"]["label"], tables["outcomes"]["label"]])
    }
    words -= {"the", "a", "an", "general"}
    assert sorted(w for w in words if w in sources) == []
