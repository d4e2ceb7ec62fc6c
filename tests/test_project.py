"""litkit.toml and `litkit init`: a new project that builds with zero articles."""

import json

import pytest

from litkit.cli import main
from litkit.config import Paths
from litkit.errors import RawDataError, UsageError
from litkit.project import (
    Project,
    init_project,
    notebook_templates,
    raw_readme,
    read_project,
    require_project,
)
from litkit.raw import RAW_TABLES


def test_init_makes_every_raw_table_with_its_header(tmp_path):
    init_project(tmp_path / "p", project=Project(title="T"))
    raw = Paths(tmp_path / "p").raw
    for file_name, (table, _) in RAW_TABLES.items():
        assert (raw / file_name).read_text(encoding="utf-8") == ",".join(table.names) + "\n"
    assert (raw / "articles").is_dir()


def test_the_readme_lists_every_column_and_its_allowed_values(tmp_path):
    text = raw_readme()
    for file_name, (table, _) in RAW_TABLES.items():
        assert f"## `{file_name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
    assert "| `source_kind` | yes | one of: `health-information-site`, `clinic-blog`" in text
    assert "| `indication` | yes | an `indication_id` of indications.csv, or `general` |" in text
    assert "| `year` | no | a four-digit year |" in text


def test_init_output_builds_with_zero_articles(tmp_path, capsys):
    assert main(["init", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert "fill in title, intervention, topic, articles" in out
    assert main(["build", "--root", str(tmp_path / "p")]) == 0
    assert (tmp_path / "p/data/processed/claims.csv").is_file()


def test_init_never_overwrites_a_project(tmp_path, capsys):
    init_project(tmp_path)
    with pytest.raises(UsageError, match="exists already"):
        init_project(tmp_path)
    assert main(["init", str(tmp_path)]) == 2
    assert "exists already" in capsys.readouterr().err


def test_init_copies_the_notebooks_without_outputs(tmp_path):
    assert [p.name for p in notebook_templates()][:1] == ["01-cited-works.ipynb"]
    init_project(tmp_path)
    copies = sorted((tmp_path / "notebooks").glob("*.ipynb"))
    assert [p.name for p in copies] == [p.name for p in notebook_templates()]
    for copy in copies:
        cells = json.loads(copy.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)


def test_read_project_gives_the_metadata_and_what_is_missing(tmp_path):
    init_project(tmp_path, project=Project(title='A "quoted" title', intervention="vitamin D"))
    project = read_project(Paths(tmp_path))
    assert project.title == 'A "quoted" title' and project.intervention == "vitamin D"
    assert project.missing() == ["topic", "articles"]
    with pytest.raises(RawDataError, match=r"litkit.toml: fill in \[project\] topic, articles"):
        require_project(Paths(tmp_path), "intervention", "topic", "articles")


@pytest.mark.parametrize(
    "content, message",
    [
        ("[project\ntitle = 1", "not valid TOML"),
        ("[project]\ntitle = 1\n", "column 'title': must be a string"),
        ("[project]\nintervention_synonyms = 'x'\n", "must be a list of strings"),
        ("[project]\ncolour = 'x'\n", "unknown field"),
    ],
)
def test_a_bad_project_file_is_named_with_what_is_wrong(tmp_path, content, message):
    (tmp_path / "litkit.toml").write_text(content, encoding="utf-8")
    with pytest.raises(RawDataError, match=message):
        read_project(Paths(tmp_path))


def test_a_missing_project_file_says_how_to_make_one(tmp_path):
    with pytest.raises(RawDataError, match="file not found .*litkit init"):
        read_project(Paths(tmp_path))
