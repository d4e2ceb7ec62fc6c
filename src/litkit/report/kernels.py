"""The kernels a report runs its notebooks in: started first, warmed up while the report works.

Starting a kernel and importing pandas and matplotlib in it cost more than running a
notebook, so a report starts its kernels before anything else, even before it imports the
libraries that build tables and render pages (this module imports only
``jupyter_client``). Each kernel imports the notebooks' modules as it starts
(:data:`WARM_UP`, run by IPython at start-up), so they are imported while this process
imports its own and builds the tables, with no request to wait for.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import KernelClient, KernelManager
from jupyter_client.kernelspec import NoSuchKernel

from litkit.config import Paths
from litkit.errors import ReportError

KERNEL = "python3"
KERNELS = 2  # kernels running notebooks at once: the machines this runs on have two cores
TIMEOUT = 600  # seconds per request or notebook cell; the notebooks take seconds
# What every notebook imports first, imported as the kernel starts. The notebooks still
# import it themselves, and each runs alone under nbval.
WARM_UP = "import litkit.processed, litkit.report.plots, litkit.report.views"


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
                client.wait_for_ready(timeout=TIMEOUT)
            except BaseException:
                client.stop_channels()
                raise
            client.allow_stdin = False
            self.client = client
        return self.client

    def ask(self, code: str) -> None:
        """Run ``code`` outside any notebook, once the kernel is ready; raise if it fails."""
        reply = self.ready_client().execute_interactive(code, store_history=False, timeout=TIMEOUT)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel failed to run {code!r}: {reply['content']}")

    def warm_up(self) -> None:
        """Wait until the kernel is ready, with what the notebooks use imported
        (:data:`WARM_UP`): a request sent before it is ready can hang it."""
        self.ready_client()

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
        manager.start_kernel(
            env=kernel_environment(),
            cwd=str(folder),
            extra_arguments=[f"--IPKernelApp.exec_lines={WARM_UP}"],
        )
    except BaseException:
        shutil.rmtree(sockets, ignore_errors=True)
        raise
    return Kernel(manager, sockets)


def kernel_folders(projects: Sequence[Paths]) -> list[Path]:
    """Where a report's kernels start: the notebook folders of the projects that have
    notebooks (the kernels move to each notebook's folder before running it)."""
    return [paths.notebooks for paths in projects if paths.notebook_files]


@contextmanager
def started_kernels(folders: Sequence[Path]) -> Iterator[list[Kernel]]:
    """A kernel for each of the first :data:`KERNELS` of ``folders``, shut down after.

    Raises:
        ReportError: naming the step, when a kernel cannot be started.
    """
    with ExitStack() as stack:
        kernels = []
        for folder in folders[:KERNELS]:
            try:
                kernels.append(start_kernel(folder))
            except (NoSuchKernel, OSError) as exc:
                raise ReportError("notebooks", f"cannot start a {KERNEL} kernel: {exc}") from None
            stack.callback(kernels[-1].shutdown)
        yield kernels
