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
from litkit.processed import read_all
from litkit.report import figures


@pytest.fixture(scope="module")
def tables(_built_once):
    """The first case's processed tables, built once (tests that change one copy it)."""
    return read_all(paths=Paths(_built_once))


@pytest.fixture(scope="module")
def _drawn_once(tables, tmp_path_factory) -> tuple[Path, list[Path], int]:
    """write_charts into an empty folder: the folder, the files it names, the count drawn."""
    folder = tmp_path_factory.mktemp("charts")
    files, drawn = figures.write_charts(tables, folder)
    return folder, files, drawn


@pytest.fixture
def charts_folder(_drawn_once, tmp_path) -> Path:
    """A folder of every chart as write_charts leaves it: drawn once, copied per test."""
    shutil.copytree(_drawn_once[0], tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_charts_whose_inputs_are_unchanged_are_kept_byte_for_byte(
    tables, _drawn_once, charts_folder
):
    folder, files, drawn = _drawn_once
    assert drawn == 5 and sorted(files) == sorted(folder.iterdir())
    first = {p.name: p.read_bytes() for p in files}
    again, redrawn = figures.write_charts(tables, charts_folder)
    assert redrawn == 0 and [p.name for p in again] == [p.name for p in files]
    assert {p.name: p.read_bytes() for p in again} == first


def test_a_chart_whose_data_changed_is_drawn_again(tables, charts_folder):
    designs = tables["designs"].copy()
    designs["year"] = designs["year"] + 1
    changed = dict(tables, designs=designs)
    keys = {c.name: figures.chart_key(c) for c in figures.charts(changed)}
    _, drawn = figures.write_charts(changed, charts_folder)
    assert drawn == 1
    assert figures.saved_key(charts_folder / "works-over-time") == keys["works-over-time"]


@pytest.mark.parametrize("damage", ["missing svg", "png without key", "keys disagree"])
def test_a_chart_file_that_does_not_carry_its_key_is_drawn_again(tables, charts_folder, damage):
    stem = charts_folder / "works-over-time"
    if damage == "missing svg":
        stem.with_suffix(".svg").unlink()
    elif damage == "png without key":
        shutil.copyfile(stem.with_suffix(".png"), charts_folder / "copy.png")
        chart = next(c for c in figures.charts(tables) if c.name == "works-over-time")
        figures.save_figure(figures.draw(chart).figure, stem)  # no key
    else:
        shutil.copyfile(charts_folder / "citation-counts.svg", stem.with_suffix(".svg"))
    assert figures.saved_key(stem) is None
    _, drawn = figures.write_charts(tables, charts_folder)
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


def test_charts_that_are_current_are_kept_without_importing_pyplot(tables, charts_folder):
    saved = charts_folder / "tables.pickle"
    saved.write_bytes(pickle.dumps(dict(tables)))
    code = (
        "import pickle, sys; from pathlib import Path; from litkit.report import figures; "
        f"tables = pickle.loads(Path({str(saved)!r}).read_bytes()); "
        f"files, drawn = figures.write_charts(tables, Path({str(charts_folder)!r})); "
        "print(drawn, 'matplotlib.pyplot' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False"]
