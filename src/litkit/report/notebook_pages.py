"""The report's notebooks as pages: HTML of their outputs, without their code.

The pages share one stylesheet, ``notebook.css`` (JupyterLab's styles, about 7,000
lines, that nbconvert's lab template would copy into every page's head), written once
per report by :func:`write_stylesheet`; nothing is loaded from the network.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from litkit.files import atomic_write

TEMPLATES = Path(__file__).parent / "templates" / "nbconvert"
NOTEBOOK_TEMPLATE = "litkit"  # templates/nbconvert/litkit: lab, with a linked stylesheet
STYLESHEET = "notebook.css"  # beside the notebook pages; their template links it
STYLE_TAG = re.compile(r"</?style[^>]*>")
NO_ALT = "No description has been provided for this image"  # nbconvert's words


class NotebookPageExporter(HTMLExporter):
    """nbconvert's HTML exporter, with its last step done by lxml instead of BeautifulSoup.

    After rendering a page, :class:`HTMLExporter` parses all of it again with
    BeautifulSoup's pure-Python parser, only to give images without one an alt text and
    make inputs and outputs reachable by keyboard (``tabindex="0"``): five times the
    rendering's own time on pages with tables and charts. lxml does the same in a tenth of
    it. (The litkit template gives each chart its title as alt text already.)
    """

    def from_notebook_node(
        self, nb: nbformat.NotebookNode, resources: dict | None = None, **kw
    ) -> tuple[str, dict]:
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        resources = self._init_resources(resources)
        self.register_filter(
            "highlight_code",
            self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)),
        )
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            ),
        )
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _reachable(html), resources


def _reachable(html: str) -> str:
    """``html`` with what :class:`HTMLExporter` adds: alt text where an image has none, and
    inputs and outputs in the keyboard's tab order."""
    page = lxml.html.document_fromstring(html)
    for image in page.xpath("//img[not(@alt)]"):
        image.set("alt", NO_ALT)
    for area in page.xpath(f"{_class('jp-Notebook')}{_class('jp-Cell-inputWrapper', tag='div')}"):
        area.set("tabindex", "0")
    for area in page.xpath(f"{_class('jp-Notebook')}{_class('jp-OutputArea-output', tag='div')}"):
        area.set("tabindex", "0")
    return lxml.html.tostring(page, doctype="<!DOCTYPE html>", encoding="unicode")


def _class(name: str, *, tag: str = "*") -> str:
    """An XPath step to any descendant ``tag`` of class ``name`` (CSS's `` .name``)."""
    return f"//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


def notebook_exporter() -> HTMLExporter:
    """HTML for reviewers: outputs only (the notebooks keep their code), nothing from a CDN,
    the styles in :data:`STYLESHEET`. Making one is slow (templates are compiled on first
    use): a report makes one and renders every notebook with it."""
    return NotebookPageExporter(
        template_name=NOTEBOOK_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def render_html(
    notebook: nbformat.NotebookNode, target: Path, exporter: HTMLExporter | None = None
) -> Path:
    """Render an executed notebook to an HTML page that links :data:`STYLESHEET`."""
    body, _ = (exporter or notebook_exporter()).from_notebook_node(notebook)
    return atomic_write(target, lambda out: out.write(body))


def notebook_stylesheet(exporter: HTMLExporter) -> str:
    """The styles the lab template puts in every page's head, as one stylesheet: Pygments'
    (from the exporter's own preprocessing), the ``notebook_css`` block of the lab
    template (JupyterLab's CSS, light theme), then litkit's (``litkit/static/litkit.css``)."""
    _, resources = exporter.from_notebook_node(nbformat.v4.new_notebook())
    env = exporter.environment
    lab = env.get_template("lab/index.html.j2")
    lab_css = "".join(lab.blocks["notebook_css"](lab.new_context({"resources": resources})))
    parts = [
        *resources["inlining"]["css"],
        STYLE_TAG.sub("", lab_css),
        env.loader.get_source(env, "static/litkit.css")[0],
    ]
    return "\n".join(part.strip("\n") for part in parts) + "\n"


def write_stylesheet(exporter: HTMLExporter, folder: Path) -> Path:
    """``notebook.css`` in ``folder``, for the notebook pages written there."""
    css = notebook_stylesheet(exporter)
    return atomic_write(folder / STYLESHEET, lambda out: out.write(css))
