"""The report: figures saved reproducibly, notebooks whose outputs are clean and complete."""

import base64
import json
import re
import shutil
from pathlib import Path

import lxml.html
import matplotlib.pyplot as plt
import nbformat
import pytest
from nbconvert import HTMLExporter

from litkit.cli import main
from litkit.config import Paths, numbered_notebooks
from litkit.pipeline import build
from litkit.processed import read_all, read_processed
from litkit.report.figures import save_figure, write_charts
from litkit.report.kernels import kernel_environment, start_kernel
from litkit.report.notebook_pages import (
    NO_ALT,
    NOTEBOOK_TEMPLATE,
    TEMPLATES,
    notebook_exporter,
    write_stylesheet,
)
from litkit.report.pages import write_index
from litkit.report.render import make_report, make_reports

NOTEBOOKS = numbered_notebooks(Path(__file__).resolve().parents[2] / "notebooks")


def test_figures_are_saved_as_png_and_svg_identically_twice(tmp_path):
    fig, ax = plt.subplots()
    ax.bar([1, 2], [3, 4])
    ax.set_title("t")
    first = {p.suffix: p.read_bytes() for p in save_figure(fig, tmp_path / "a" / "chart")}
    second = {p.suffix: p.read_bytes() for p in save_figure(fig, tmp_path / "a" / "chart")}
    plt.close(fig)
    assert set(first) == {".png", ".svg"} and first == second
    assert b"<dc:date>" not in first[".svg"]


def test_every_chart_is_written_from_the_project_tables(built_project):
    paths = Paths(built_project)
    written, _ = write_charts(read_all(paths=paths), paths.figures)
    assert len(written) == 10 and all(p.stat().st_size > 1000 for p in written)


def test_index_links_each_notebook_and_shows_the_headline_chart(built_project):
    paths = Paths(built_project)
    notebooks = [("01-a.html", "1. A"), ("02-b.html", "2. B")]
    page = write_index(paths, read_all(paths=paths), notebooks).read_text()
    assert 'href="01-a.html"' in page and 'href="02-b.html"' in page
    assert 'src="figures/evidence-by-outcome.svg"' in page
    assert 'href="method.html"' in page and 'href="exports/works.bib"' in page
    assert "the best available evidence" in page


def _executed(markdown: str, code: str, *outputs) -> nbformat.NotebookNode:
    """A notebook of one Markdown cell and one executed code cell with ``outputs``."""
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(markdown),
            nbformat.v4.new_code_cell(code, outputs=list(outputs), execution_count=1),
        ]
    )


def test_notebook_pages_show_no_code_and_load_nothing_from_the_network():
    notebook = _executed(
        "# Title",
        "secret_code_line = 1",
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": "shown output"}, execution_count=1
        ),
    )
    body, _ = notebook_exporter().from_notebook_node(notebook)
    assert "shown output" in body and "secret_code_line" not in body
    assert not re.search(r"<script[^>]+src=[\"']https?:", body)
    assert not re.search(r"<link[^>]+href=[\"']https?:", body)
    assert not re.search(r"import\s[^;]*from\s+[\"']https?:", body)  # ES modules (mermaid)
    assert 'href="index.html"' in body


def _page_elements(html: str) -> list[tuple[str, dict]]:
    """Every element of a page, in order, with its attributes (alt texts aside; an empty
    class is no class, and the order and spacing of classes do not count)."""
    page = lxml.html.document_fromstring(html)
    return [
        (
            e.tag,
            {
                k: sorted(v.split()) if k == "class" else v
                for k, v in e.attrib.items()
                if k != "alt" and (k != "class" or v.strip())
            },
        )
        for e in page.iter()
        if isinstance(e.tag, str)
    ]


def test_notebook_pages_are_what_nbconvert_makes_each_chart_with_its_title_as_alt_text():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    notebook = _executed(
        "# Title\n\nSome *words*.",
        "plots.shown(...)",
        nbformat.v4.new_output(
            "execute_result",
            data={"image/png": png, "text/plain": "Chart: Claims by verdict"},
            metadata={"image/png": {"alt": "Chart: Claims by verdict"}},
            execution_count=1,
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": png},
            metadata={"image/png": {"needs_background": "light", "width": 300}},
        ),
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<table><tr><td>1</td></tr></table>"}
        ),
    )
    ours, _ = notebook_exporter().from_notebook_node(notebook)
    theirs, _ = HTMLExporter(
        template_name=NOTEBOOK_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    ).from_notebook_node(notebook)
    assert _page_elements(ours) == _page_elements(theirs)
    assert 'tabindex="0"' in ours
    alts = lxml.html.document_fromstring(ours).xpath("//img/@alt")
    assert alts == ["Chart: Claims by verdict", NO_ALT]


def test_notebook_pages_link_one_stylesheet_that_holds_the_lab_styles(tmp_path):
    exporter = notebook_exporter()
    body, _ = exporter.from_notebook_node(nbformat.v4.new_notebook())
    assert re.search(r'<link rel="stylesheet" href="notebook.css"/?>', body)
    assert "<style" not in body and "--jp-" not in body
    css = write_stylesheet(exporter, tmp_path).read_text()
    assert "--jp-content-font-color1" in css and ".highlight" in css and ".litkit-nav" in css
    assert "<style" not in css and "</style" not in css


def test_report_kernels_talk_over_private_local_sockets_and_print_no_warning(tmp_path, capfd):
    kernel = start_kernel(tmp_path)
    try:
        kernel.ask("x = 1")
        assert kernel.manager.transport == "ipc" and kernel.sockets.is_dir()
    finally:
        kernel.shutdown()
    assert not kernel.sockets.exists() and list(tmp_path.iterdir()) == []
    assert "WARNING" not in capfd.readouterr().err


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
    assert not [
        o for o in outputs if o.output_type in ("error", "stream") and o.get("name") != "stdout"
    ]
    text = json.dumps([o for o in outputs], default=str)
    assert not re.search(r"/(work|tmp|root|home)/", text), "absolute path in outputs"
    assert not re.search(r"0x[0-9a-f]{6,}", text), "memory address in outputs"
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", text), "timestamp in outputs"
    for cell in code:
        assert "def " not in cell.source, "logic belongs in litkit"
        if "plots.plot_" in cell.source:
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source


# --- the report is swapped in whole, or not at all -----------------------------------------------


def _notebook(path: Path, *cells: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(f"# {path.stem}"),
        *(nbformat.v4.new_code_cell(c) for c in cells),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def reported_project(scratch_project: Path) -> Path:
    """A project whose last good report is in reports/, with a file no step writes."""
    reports = scratch_project / "reports"
    (reports / "exports").mkdir(parents=True)
    (reports / "index.html").write_text("the last good report")
    (reports / "exports" / "kept.csv").write_text("a,b\n")
    return scratch_project


def test_a_failing_notebook_keeps_the_last_good_report_and_names_the_step(reported_project, capsys):
    good = _notebook(reported_project / "notebooks/01-good.ipynb", "print('fine')")
    _notebook(reported_project / "notebooks/02-broken.ipynb", "1 / 0")
    before = good.read_bytes()
    assert main(["report", "--root", str(reported_project)]) == 1
    err = capsys.readouterr().err
    assert "notebook 02-broken.ipynb failed" in err and "ZeroDivisionError" in err
    assert "the last good one is kept" in err and "Traceback" not in err
    reports = reported_project / "reports"
    assert sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*")) == [
        "exports",
        "exports/kept.csv",
        "index.html",
    ]
    assert (reports / "index.html").read_text() == "the last good report"
    assert good.read_bytes() == before  # the notebook that ran is not saved either
    assert not list(reported_project.glob(".reports*"))


def test_a_kernel_that_cannot_start_is_named_and_the_report_kept(
    reported_project, capsys, monkeypatch
):
    import litkit.report.kernels

    monkeypatch.setattr(litkit.report.kernels, "KERNEL", "no-such-kernel")
    _notebook(reported_project / "notebooks/01-good.ipynb", "print('fine')")
    assert main(["report", "--root", str(reported_project)]) == 1
    err = capsys.readouterr().err
    assert "notebooks failed" in err and "no-such-kernel" in err and "Traceback" not in err
    assert (reported_project / "reports" / "index.html").read_text() == "the last good report"


def test_reports_with_notebooks_and_no_kernel_to_run_them_are_refused(reported_project):
    _notebook(reported_project / "notebooks/01-good.ipynb", "print('fine')")
    with pytest.raises(ValueError, match="needs a kernel"):
        make_reports([Paths(reported_project)], kernels=[])


def test_a_report_that_succeeds_is_swapped_in_whole(reported_project):
    notebook = _notebook(reported_project / "notebooks/01-good.ipynb", "print('fine')")
    reports = reported_project / "reports"
    reports.chmod(0o755)
    notebook.chmod(0o644)
    written = make_report(Paths(reported_project))
    assert reports.stat().st_mode & 0o777 == 0o755 and notebook.stat().st_mode & 0o777 == 0o644
    assert (reports / "01-good.html").is_file() and (reports / "exports/kept.csv").is_file()
    assert 'href="01-good.html"' in (reports / "index.html").read_text()
    assert len(list((reports / "figures").glob("*.svg"))) == 5
    assert all(p.is_file() for p in written) and notebook in written
    assert nbformat.read(notebook, as_version=4).cells[1].outputs[0].text == "fine\n"
    assert {"method.html", "article-A.html", "exports/works.bib"} <= {
        p.relative_to(reports).as_posix() for p in written if reports in p.parents
    }


def test_the_report_says_one_line_per_step(reported_project, capsys):
    _notebook(reported_project / "notebooks/01-good.ipynb", "print('fine')")
    assert main(["report", "--root", str(reported_project)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "build",
        "pages",
        "exports",
        "notebooks",
        "figures",
        "saved",
    ]
    assert not list(reported_project.glob(".reports*"))


def test_one_command_makes_several_projects_reports_each_notebook_in_its_folder(
    reported_project, tmp_path, capsys
):
    where = "import os; print(os.getcwd())"
    mine = [_notebook(reported_project / f"notebooks/0{i}-good.ipynb", where) for i in (1, 2)]
    other = tmp_path / "other"
    shutil.copytree(reported_project / "data", other / "data")
    theirs = [_notebook(other / f"notebooks/0{i}-other.ipynb", where) for i in (1, 2, 3)]
    assert main(["report", "--root", str(reported_project), "--root", str(other)]) == 0
    out = capsys.readouterr().out
    assert f"{other}: saved" in out and f"{reported_project}: saved" in out
    for notebook in mine + theirs:
        printed = nbformat.read(notebook, as_version=4).cells[1].outputs[0].text
        assert printed == f"{notebook.parent.resolve()}\n"
        assert (notebook.parent.parent / f"reports/{notebook.stem}.html").is_file()
    assert not (other / "reports/01-good.html").exists()


def test_the_same_project_twice_is_a_usage_error(reported_project, capsys):
    args = ["report", "--root", str(reported_project), "--root", f"{reported_project}/."]
    assert main(args) == 2
    assert "different project folder" in capsys.readouterr().err
