"""Writing files so that a reader, or a run killed at any instant, never sees half of one."""

from __future__ import annotations

import os
import tempfile
from functools import cache
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

TEMP_SUFFIX = ".tmp"


@cache
def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back; read
    once, as setting it for an instant could touch files other threads create)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[TextIO], None]) -> Path:
    """Call ``write`` on a temporary file beside ``path``, then rename it into place.

    The old file, if any, stays whole until the rename; on any failure the temporary file
    is removed and the old file is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=TEMP_SUFFIX)
    try:
        # mkstemp makes the file private (0600); give it the mode open() would have given.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
