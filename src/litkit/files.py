"""Writing files so that a reader, or a run killed at any instant, never sees half of one."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

TEMP_PREFIX, TEMP_SUFFIX = ".", ".tmp"
# Temporary names: this process's id and a counter (no random bytes to ask the kernel for);
# O_EXCL settles any clash with a file another process left.
_NAMES = itertools.count()


def _create_temporary(folder: Path) -> tuple[int, Path]:
    """A new, empty temporary file in ``folder``, opened for writing.

    Created with mode ``0o666`` so that the umask decides its permissions, as for any file
    the user creates (``tempfile.mkstemp`` would make it private, ``0o600``).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        path = folder / f"{TEMP_PREFIX}{os.getpid()}-{next(_NAMES)}{TEMP_SUFFIX}"
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue


def atomic_write(path: Path, write: Callable[[TextIO], None], *, durable: bool = True) -> Path:
    """Call ``write`` on a temporary file beside ``path``, then rename it into place.

    The old file, if any, stays whole until the rename; on any failure the temporary file
    is removed and the old file is untouched. The file's permissions follow the umask.

    Args:
        durable: flush the file to disk before the rename (``fsync``). Writers of many
            small files pass ``False`` and call :func:`sync_folder` once for the lot.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            write(out)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` as :func:`atomic_write` does; the folder must exist.

    The lean path for writers of many small files (one ``open``, ``write``, ``rename``).
    """
    fd, tmp = _create_temporary(path.parent)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def sync_folder(folder: Path) -> None:
    """Make the renames done in ``folder`` durable (``fsync`` on the folder itself)."""
    if os.name == "nt":  # Windows cannot open a folder; its renames are journalled anyway
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_temporary_files(folder: Path) -> list[Path]:
    """Delete the temporary files :func:`atomic_write` left in ``folder`` when killed.

    Call it only when no writer can be at work in ``folder`` (e.g. under a lock).
    """
    if not folder.is_dir():
        return []
    leftovers = sorted(folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"))
    for path in leftovers:
        path.unlink(missing_ok=True)
    return leftovers
