"""The report's notebooks: executed in a kernel and saved with their outputs.

A report runs every numbered notebook top to bottom in one of the kernels it started
first (:mod:`litkit.report.kernels`), moved to the notebook's folder and cleared before
each notebook; :mod:`litkit.report.notebook_pages` shows them as HTML.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from litkit.files import atomic_write
from litkit.report.kernels import KERNEL, TIMEOUT, Kernel, kernel_environment


def execute_notebook(path: Path, kernel: Kernel | None = None) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in its own folder; return it with its outputs (unsaved).

    With ``kernel`` (see :mod:`litkit.report.kernels`), it runs in that kernel, moved to the
    notebook's folder and cleared first: its names are removed and its cell numbering
    restarts, as in a new kernel.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
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


def notebook_title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of a notebook."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback
