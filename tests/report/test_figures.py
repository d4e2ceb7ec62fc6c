"""Chart files are drawn again exactly when what they are drawn from has changed."""

import ast
import pickle
import pkgutil
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

import litkit
from litkit.config import Paths
from litkit.pipeline import build
from litkit.processed import read_all
from litkit.report import figures


@pytest.fixture
def tables(scratch_project):
    build(Paths(scratch_project))
    return read_all(paths=Paths(scratch_project))


def test_charts_whose_inputs_are_unchanged_are_kept_byte_for_byte(tables, tmp_path):
    files, drawn = figures.write_charts(tables, tmp_path)
    first = {p: p.read_bytes() for p in files}
    again, redrawn = figures.write_charts(tables, tmp_path)
    assert drawn == 5 and redrawn == 0 and again == files
    assert {p: p.read_bytes() for p in again} == first


def test_a_chart_whose_data_changed_is_drawn_again(tables, tmp_path):
    figures.write_charts(tables, tmp_path)
    designs = tables["designs"].copy()
    designs["year"] = designs["year"] + 1
    changed = dict(tables, designs=designs)
    keys = {c.name: figures.chart_key(c) for c in figures.charts(changed)}
    _, drawn = figures.write_charts(changed, tmp_path)
    assert drawn == 1
    assert figures.saved_key(tmp_path / "works-over-time") == keys["works-over-time"]


@pytest.mark.parametrize("damage", ["missing svg", "png without key", "keys disagree"])
def test_a_chart_file_that_does_not_carry_its_key_is_drawn_again(tables, tmp_path, damage):
    figures.write_charts(tables, tmp_path)
    stem = tmp_path / "works-over-time"
    if damage == "missing svg":
        stem.with_suffix(".svg").unlink()
    elif damage == "png without key":
        shutil.copyfile(stem.with_suffix(".png"), tmp_path / "copy.png")
        chart = next(c for c in figures.charts(tables) if c.name == "works-over-time")
        figures.save_figure(figures.draw(chart).figure, stem)  # no key
    else:
        shutil.copyfile(tmp_path / "citation-counts.svg", stem.with_suffix(".svg"))
    assert figures.saved_key(stem) is None
    _, drawn = figures.write_charts(tables, tmp_path)
    assert drawn == 1 and figures.saved_key(stem) is not None


def test_the_key_covers_the_data_its_types_and_the_chart(tables):
    chart = figures.charts(tables)[0]
    key = figures.chart_key(chart)
    assert figures.chart_key(chart) == key
    other_types = figures.Chart(chart.name, chart.data.astype("object"), chart.plot)
    renamed = figures.Chart("another", chart.data, chart.plot)
    assert figures.chart_key(other_types) != key and figures.chart_key(renamed) != key


def test_the_key_covers_every_litkit_module_the_drawing_code_imports():
    modules = {m.name for m in pkgutil.walk_packages(litkit.__path__, "litkit.") if not m.ispkg}
    imported = set()
    for module in figures.DRAWING_CODE:
        for node in ast.walk(ast.parse(Path(find_spec(module).origin).read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
    used = imported & modules
    # views only shapes a chart's table, and the table's data is in the key itself.
    assert used - {"litkit.report.views"} <= set(figures.DRAWING_CODE)
    assert {"litkit.report.plots", "litkit.report.palette", "litkit.vocabulary"} <= used


def test_charts_that_are_current_are_kept_without_importing_pyplot(tables, tmp_path):
    figures.write_charts(tables, tmp_path)
    saved = tmp_path / "tables.pickle"
    saved.write_bytes(pickle.dumps(dict(tables)))
    code = (
        "import pickle, sys; from pathlib import Path; from litkit.report import figures; "
        f"tables = pickle.loads(Path({str(saved)!r}).read_bytes()); "
        f"files, drawn = figures.write_charts(tables, Path({str(tmp_path)!r})); "
        "print(drawn, 'matplotlib.pyplot' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False"]
