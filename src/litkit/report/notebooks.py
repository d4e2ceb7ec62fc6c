"""The report's notebooks: executed in a kernel, saved with their outputs, shown as HTML.

A report runs every numbered notebook top to bottom in a kernel that it moves to the
notebook's folder and clears before each notebook, and renders each to a page without its
code. Starting a kernel and importing pandas and matplotlib in it cost more than running a
notebook, so a report starts its kernels first and has them import the report's modules
(:meth:`Kernel.warm_up`) while the tables are built.

The pages share one stylesheet, ``notebook.css`` (JupyterLab's styles, about 7,000
lines, that nbconvert's lab template would copy into every page's head), written once
per report by :func:`notebook_stylesheet`; nothing is loaded from the network.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client import KernelClient, KernelManager
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from litkit.files import atomic_write

KERNEL = "python3"
NOTEBOOK_TIMEOUT = 600  # seconds per cell; the notebooks take seconds
TEMPLATES = Path(__file__).parent / "templates" / "nbconvert"
NOTEBOOK_TEMPLATE = "litkit"  # templates/nbconvert/litkit: lab, with a linked stylesheet
STYLESHEET = "notebook.css"  # beside the notebook pages; their template links it
# What every notebook imports first, imported while the report builds its tables. The
# notebooks still import it themselves, and each runs alone under nbval.
WARM_UP = "import litkit.processed, litkit.report.plots, litkit.report.views"
STYLE_TAG = re.compile(r"</?style[^>]*>")


def notebook_files(folder: Path) -> list[Path]:
    """The numbered notebooks of ``folder``, in order."""
    return sorted(folder.glob("[0-9][0-9]-*.ipynb"))


def kernel_environment() -> dict[str, str]:
    """This process's environment without ``MPLBACKEND``: a backend set for scripts (Agg)
    would stop the kernel's inline backend, and the notebooks would lose their charts."""
    return {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}


@dataclass
class Kernel:
    """A running kernel, and the one client that talks to it once it is ready.

    Every request and every notebook goes through that client, from the one thread that
    runs them: a new client waits for the kernel to be ready and then for its output
    channel to stay quiet for 0.2 s, twice per notebook otherwise.
    """

    manager: KernelManager
    sockets: Path | None = None
    client: KernelClient | None = None

    def ready_client(self) -> KernelClient:
        """The kernel's client, started (and the kernel waited for) on first use."""
        if self.client is None:
            client = self.manager.client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=NOTEBOOK_TIMEOUT)
            except BaseException:
                client.stop_channels()
                raise
            client.allow_stdin = False
            self.client = client
        return self.client

    def ask(self, code: str) -> None:
        """Run ``code`` outside any notebook, once the kernel is ready; raise if it fails."""
        reply = self.ready_client().execute_interactive(
            code, store_history=False, timeout=NOTEBOOK_TIMEOUT
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel failed to run {code!r}: {reply['content']}")

    def warm_up(self) -> None:
        """Import what the notebooks use (:data:`WARM_UP`), waiting until the kernel is ready:
        a request sent before it is ready can hang it."""
        self.ask(WARM_UP)

    def shutdown(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
        if self.sockets is not None:
            shutil.rmtree(self.sockets, ignore_errors=True)


def start_kernel(folder: Path) -> Kernel:
    """A kernel started in ``folder``. Returns at once: the kernel starts while this process
    goes on (see :meth:`Kernel.warm_up`)."""
    # Local sockets in a private folder rather than TCP on 127.0.0.1: nothing else on the
    # machine can reach the kernel, and ipykernel has no plain-text warning to print.
    sockets = Path(tempfile.mkdtemp(prefix="litkit-kernel-"))
    manager = KernelManager(kernel_name=KERNEL, transport="ipc", ip=str(sockets / "kernel"))
    try:
        manager.start_kernel(env=kernel_environment(), cwd=str(folder))
    except BaseException:
        shutil.rmtree(sockets, ignore_errors=True)
        raise
    return Kernel(manager, sockets)


@contextmanager
def one_kernel(folder: Path) -> Iterator[Kernel]:
    """One kernel (see :func:`start_kernel`) for every notebook of a report, shut down after."""
    kernel = start_kernel(folder)
    try:
        yield kernel
    finally:
        kernel.shutdown()


def execute_notebook(path: Path, kernel: Kernel | None = None) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in its own folder; return it with its outputs (unsaved).

    With ``kernel`` (see :func:`one_kernel`), it runs in that kernel, moved to the
    notebook's folder and cleared first: its names are removed and its cell numbering
    restarts, as in a new kernel.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=NOTEBOOK_TIMEOUT,
        kernel_name=KERNEL,
        record_timing=False,
        km=kernel.manager if kernel is not None else None,
        resources={"metadata": {"path": str(path.parent)}},
    )
    if kernel is not None:
        kernel.ask(
            f"import os; os.chdir({str(path.parent.resolve())!r}); get_ipython().reset(new_session=True)"
        )
        client.kc = kernel.ready_client()
    client.execute(env=kernel_environment())
    return notebook


def save_notebook(notebook: nbformat.NotebookNode, path: Path) -> Path:
    """Write an executed notebook over its file, atomically, keeping the file's permissions."""
    mode = path.stat().st_mode
    atomic_write(path, lambda out: nbformat.write(notebook, out))
    path.chmod(mode)
    return path


def notebook_exporter() -> HTMLExporter:
    """HTML for reviewers: outputs only (the notebooks keep their code), nothing from a CDN,
    the styles in :data:`STYLESHEET`. Making one is slow (templates are compiled on first
    use): a report makes one and renders every notebook with it."""
    return HTMLExporter(
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


def notebook_title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of a notebook."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback
