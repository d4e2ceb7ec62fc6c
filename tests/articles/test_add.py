"""`litkit add-article`: text, row and drafts written; reviewed rows never touched."""

import csv

import pytest

from litkit.articles.add import add_article
from litkit.cli import main
from litkit.config import Paths
from litkit.errors import RawDataError, UsageError
from litkit.pipeline import build
from litkit.project import Project, init_project

ARTICLE = """---
title: Vitamin X and colds
original-url: https://example.org/vitamin-x
---
# Vitamin X and colds

Vitamin X may prevent colds, as a [trial](https://pubmed.ncbi.nlm.nih.gov/32927735/) found.
A [review](https://www.bmj.com/content/356/bmj.i6583) says vitamin X reduces infections.
Read more on [our blog](https://example.org/blog).

## Safety

Vitamin X can cause kidney stones at high doses.
"""


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    init_project(
        root,
        project=Project(title="T", intervention="vitamin X", topic="colds", articles="One post"),
    )
    paths = Paths(root)
    paths.indications.write_text(
        "indication_id,label,synonyms,description\ncolds,Common colds,cold; colds,\n",
        encoding="utf-8",
    )
    paths.outcomes.write_text(
        "outcome_id,label,kind,synonyms,description\n"
        "infection,Infection,benefit,infections,\n"
        "adverse-effects,Adverse effects,harm,kidney stones,\n",
        encoding="utf-8",
    )
    source = tmp_path / "post.md"
    source.write_text(ARTICLE, encoding="utf-8")
    return paths, source


def rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_add_article_writes_text_row_and_drafts_that_build(project, capsys):
    paths, source = project
    assert (
        main(
            [
                "add-article",
                str(source),
                "--id",
                "post",
                "--root",
                str(paths.root),
                "--accessed",
                "2024-05-01",
                "--kind",
                "clinic-blog",
            ]
        )
        == 0
    )
    assert "draft citations: 2 (pmid 1, doi 1); draft claims: 3" in capsys.readouterr().out
    text = (paths.raw / "articles/post.txt").read_text(encoding="utf-8")
    assert text.startswith("Vitamin X and colds\n\nVitamin X may prevent colds")
    [article] = rows(paths.articles)
    assert article == {
        "article_id": "post",
        "title": "Vitamin X and colds",
        "publisher": "example.org",
        "source_kind": "clinic-blog",
        "lists_references": "no",
        "medically_reviewed": "no",
        "text_file": "articles/post.txt",
        "url": "https://example.org/vitamin-x",
        "accessed": "2024-05-01",
    }
    cites = rows(paths.citations)
    assert [(c["type"], c["identifier"], c["doi"], c["anchor_text"]) for c in cites] == [
        ("pmid", "32927735", "", "trial"),
        ("doi", "10.1136/bmj.i6583", "10.1136/bmj.i6583", "review"),
    ]
    claims = rows(paths.claims)
    assert [
        (c["indication"], c["outcome"], c["topic"], c["asserted"], c["cited_dois"], c["link"])
        for c in claims
    ] == [
        ("colds", "unassigned", "efficacy", "possible", "", "none"),
        ("colds", "infection", "efficacy", "established", "10.1136/bmj.i6583", "explicit"),
        ("unassigned", "adverse-effects", "safety", "established", "", "none"),
    ]
    assert all(
        text[int(c["start"]) : int(c["end"])].startswith("Vitamin X")
        or text[int(c["start"]) : int(c["end"])].startswith("A review")
        for c in claims
    )
    build(paths)  # drafts are valid raw rows


def test_a_rerun_keeps_reviewed_rows_and_replaces_only_drafts(project):
    paths, source = project
    add_article(source, paths=paths, article_id="post", accessed="2024-05-01")
    claims = rows(paths.claims)
    claims[0] |= {
        "claim": "Vitamin X prevents colds, in our words",
        "outcome": "infection",
        "direction": "favours",
        "status": "reviewed",
    }
    with open(paths.claims, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(claims[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(claims)
    before = rows(paths.claims)[0]
    added = add_article(source, paths=paths, article_id="post")
    after = rows(paths.claims)
    assert after[0] == before and added.kept_reviewed == 1
    assert len(after) == 3 and [c["claim_id"] for c in after[1:]] == [
        "post-draft-002",
        "post-draft-003",
    ]
    assert len(rows(paths.articles)) == 1 and rows(paths.articles)[0]["accessed"] == "2024-05-01"


def test_another_text_under_a_used_id_is_refused(project, tmp_path):
    paths, source = project
    add_article(source, paths=paths, article_id="post")
    other = tmp_path / "other.txt"
    other.write_text("Vitamin X is different here and it helps colds a lot.", encoding="utf-8")
    with pytest.raises(UsageError, match="holds another text"):
        add_article(other, paths=paths, article_id="post")


def test_a_project_without_an_intervention_is_named_in_one_error(tmp_path, capsys):
    init_project(tmp_path / "p")
    source = tmp_path / "a.txt"
    source.write_text("Vitamin X helps.", encoding="utf-8")
    assert main(["add-article", str(source), "--id", "a", "--root", str(tmp_path / "p")]) == 1
    assert "litkit.toml: fill in [project] intervention" in capsys.readouterr().err


@pytest.mark.parametrize(
    "options, message",
    [
        (["--id", "a b"], "use letters, digits"),
        (["--id", "a", "--kind", "tabloid"], "unknown kind 'tabloid'"),
    ],
)
def test_bad_options_are_usage_errors(project, options, message, capsys):
    paths, source = project
    assert main(["add-article", str(source), "--root", str(paths.root), *options]) == 2
    assert message in capsys.readouterr().err


def test_a_claims_table_without_the_draft_columns_is_named(project):
    paths, source = project
    paths.claims.write_text("claim_id,article_id\n", encoding="utf-8")
    with pytest.raises(RawDataError, match="claims.csv, line 1, column 'section': missing column"):
        add_article(source, paths=paths, article_id="post")


def test_dois_resolved_before_are_read_from_a_resolved_table_saved_with_a_bom(project):
    paths, source = project
    paths.resolved.write_text(
        "\ufefftype,identifier,doi,method,score,checked_at,status,reason\n"
        "pmid,32927735,10.1000/trial,ncbi-idconv,,2024-05-01T00:00:00Z,resolved,\n",
        encoding="utf-8",
    )
    add_article(source, paths=paths, article_id="post", accessed="2024-05-01")
    cited = {(r["type"], r["identifier"]): r["doi"] for r in rows(paths.citations)}
    assert cited[("pmid", "32927735")] == "10.1000/trial"


def test_a_bad_cell_in_a_raw_table_is_named_in_one_line_and_nothing_is_written(project, capsys):
    """add-article reads the raw tables through their schemas, as the build does."""
    paths, source = project
    add_article(source, paths=paths, article_id="post", accessed="2024-05-01")
    claims = rows(paths.claims)
    claims[0] |= {"status": "reviewed", "start": "\u00b2", "outcome": "infection"}
    write(paths.claims, claims)
    before = files(paths.raw)
    assert main(["add-article", str(source), "--id", "again", "--root", str(paths.root)]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "claims.csv, line 2, column 'start': '\u00b2' is not a whole number" in error
    assert files(paths.raw) == before


def test_rows_it_keeps_are_written_back_as_the_file_has_them(project):
    """Not in the form the schema check cleans them to (a DOI in lower case, a list's
    values joined by "; "): curated cells are never rewritten."""
    paths, source = project
    add_article(source, paths=paths, article_id="post", accessed="2024-05-01")
    cites = rows(paths.citations)
    cites[0] |= {"doi": "10.1000/TRIAL", "status": "reviewed"}
    write(paths.citations, cites)
    claims = rows(paths.claims)
    claims[1] |= {
        "cited_dois": "10.1136/bmj.i6583;10.1000/trial",
        "direction": "favours",
        "status": "reviewed",
    }
    write(paths.claims, claims)
    before = files(paths.raw)
    add_article(source, paths=paths, article_id="again", accessed="2024-05-02")
    after = files(paths.raw)
    for name in ("articles.csv", "citations.csv", "claims.csv"):
        assert after[name].startswith(before[name]) and len(after[name]) > len(before[name])


def write(path, table):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


def files(folder):
    """Every file under ``folder`` and its bytes, by path relative to it."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
