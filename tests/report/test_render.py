"""The report: figures saved reproducibly, notebooks whose outputs are clean and complete."""

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

from litkit.config import Paths
from litkit.pipeline import build
from litkit.processed import read_processed
from litkit.report.render import kernel_environment, save_figure, write_figures, write_index

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def test_figures_are_saved_as_png_and_svg_identically_twice(tmp_path):
    fig, ax = plt.subplots()
    ax.bar([1, 2], [3, 4])
    ax.set_title("t")
    first = {p.suffix: p.read_bytes() for p in save_figure(fig, tmp_path / "a" / "chart")}
    second = {p.suffix: p.read_bytes() for p in save_figure(fig, tmp_path / "a" / "chart")}
    plt.close(fig)
    assert set(first) == {".png", ".svg"} and first == second
    assert b"<dc:date>" not in first[".svg"]


def test_every_chart_is_written_from_the_project_tables(scratch_project):
    paths = Paths(scratch_project)
    build(paths)
    written = write_figures(paths)
    assert len(written) == 10 and all(p.stat().st_size > 1000 for p in written)


def test_index_links_each_notebook_and_shows_the_headline_chart(tmp_path):
    page = write_index(Paths(tmp_path), [("01-a.html", "1. A"), ("02-b.html", "2. B")]).read_text()
    assert 'href="01-a.html"' in page and 'href="02-b.html"' in page
    assert 'src="figures/evidence-by-outcome.svg"' in page
    assert "the best available evidence" in page


def test_the_kernel_does_not_inherit_a_script_backend_that_hides_charts(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    assert "MPLBACKEND" not in kernel_environment()


def test_an_empty_text_column_is_read_back_as_text(scratch_project):
    build(Paths(scratch_project))  # no citation is flagged: citation_flags is empty
    claims = read_processed("claims", paths=Paths(scratch_project))
    assert claims["citation_flags"].dtype == "string"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_are_executed_clean_and_show_their_charts(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count == i for i, c in enumerate(code, 1)), "run top to bottom"
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type in ("error", "stream") and o.get("name") != "stdout"]
    text = json.dumps([o for o in outputs], default=str)
    assert not re.search(r"/(work|tmp|root|home)/", text), "absolute path in outputs"
    assert not re.search(r"0x[0-9a-f]{6,}", text), "memory address in outputs"
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", text), "timestamp in outputs"
    for cell in code:
        assert "def " not in cell.source, "logic belongs in litkit"
        if "plots.plot_" in cell.source:
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source
