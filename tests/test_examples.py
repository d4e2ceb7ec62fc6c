"""The example projects build, and their drafted tables are what their README's commands make."""

import shutil
from pathlib import Path

from litkit.articles.add import add_article
from litkit.config import Paths
from litkit.pipeline import build
from litkit.project import Project, init_project, read_project

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "vitamin-d-covid"


def test_the_vitamin_d_example_builds(tmp_path):
    copy = tmp_path / "example"
    shutil.copytree(EXAMPLE, copy)
    written = build(Paths(copy))
    assert written["claims"].is_file()


def test_the_example_drafts_are_what_its_readme_commands_make(tmp_path):
    """init + the hand-filled vocabularies + add-article give the committed raw tables."""
    ours = Paths(EXAMPLE)
    project = read_project(ours)
    fresh = Paths(tmp_path / "fresh")
    init_project(
        fresh.root,
        project=Project(
            title=project.title,
            intervention=project.intervention,
            topic=project.topic,
            articles=project.articles,
        ),
    )
    shutil.copy(ours.project_file, fresh.project_file)  # the synonyms, added by hand
    for table in (ours.indications, ours.outcomes):
        shutil.copy(table, fresh.raw / table.name)
    add_article(
        EXAMPLE / "sources" / "vitamin-d-covid-essay.md",
        paths=fresh,
        article_id="vitamin-d-essay",
        kind="other",
        accessed="2026-12-01",
    )
    for name in ("articles.csv", "citations.csv", "claims.csv", "articles/vitamin-d-essay.txt"):
        assert (fresh.raw / name).read_text(encoding="utf-8") == (ours.raw / name).read_text(
            encoding="utf-8"
        ), name


def test_the_example_claims_stay_drafts():
    text = (EXAMPLE / "data/raw/claims.csv").read_text(encoding="utf-8").splitlines()
    assert len(text) > 1 and all(line.endswith(",draft") for line in text[1:])


def test_the_example_is_offline_and_says_so():
    assert not (EXAMPLE / "data/raw/crossref").exists()
    resolved = (EXAMPLE / "data/raw/resolved.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert resolved and all(",unresolved,offline: not looked up" in line for line in resolved)
