"""Root pytest configuration, shared by the tests and the notebooks (nbval)."""

import os

# nbval starts the notebooks' kernels with this process's environment. A backend chosen
# for scripts (MPLBACKEND=Agg) would replace the kernel's inline backend, and the charts the
# committed notebooks show would be missing from the outputs nbval compares them with.
os.environ.pop("MPLBACKEND", None)

# src/litkit/notebooks is the notebooks/ folder (a link, so that the notebooks ship as
# package data); collect them once, from notebooks/.
collect_ignore = ["src/litkit/notebooks"]
