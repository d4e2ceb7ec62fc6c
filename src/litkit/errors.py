"""litkit's exceptions: one small hierarchy, so the command line can catch what it expects.

Every expected failure is a :class:`LitkitError`; the command line prints its message (which
names the file, line, column and value where there are some) and exits with the documented
status, never with a traceback.
"""

from __future__ import annotations


class LitkitError(Exception):
    """Any failure litkit expects and can explain."""


class UsageError(LitkitError):
    """A command line that cannot be carried out as given (exit status 2)."""


class RawDataError(LitkitError, ValueError):
    """A bad value in an input file, located by file, line, column and value."""

    def __init__(self, file: str, line: int | None, column: str | None, message: str):
        self.file, self.line, self.column = str(file), line, column
        where = ", ".join(
            part
            for part in (
                str(file),
                f"line {line}" if line is not None else "",
                f"column {column!r}" if column else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}")


class NotTextError(RawDataError):
    """A file that should be UTF-8 text and is not: binary, UTF-16, or another encoding."""


class RawDataErrors(LitkitError):
    """Every input problem found in one run, reported together so that one run lists them all."""

    def __init__(self, errors: list[RawDataError]):
        self.errors = list(errors)
        count = len(self.errors)
        heading = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(
            f"{heading} in the input files:\n" + "\n".join(f"  {e}" for e in self.errors)
        )


class CacheError(LitkitError):
    """A cache folder or file that cannot be used (names the path and why)."""


class FetchError(LitkitError):
    """A fetch that cannot go on at all (no network, a server that cannot be reached)."""


class ReportError(LitkitError):
    """A step of ``litkit report`` that failed; the last good report was kept as it was."""

    def __init__(self, step: str, detail: str):
        self.step = step
        super().__init__(
            f"{step} failed, so the report was not changed (the last good one is kept): {detail}"
        )
