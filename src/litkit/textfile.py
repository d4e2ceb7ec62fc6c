"""Reading input files as UTF-8 text, whole or in chunks, with every failure located.

Every text litkit reads (raw tables, article texts, files given to ``litkit dois``) goes
through here, so a file that is not UTF-8 text stops with one clear line instead of a
``UnicodeDecodeError``: binary data and UTF-16 (with or without a byte-order mark) are named
as such, and a stray byte is located by line and column, so the curator can go straight to
it. A UTF-8 byte-order mark, as spreadsheet programs write, is dropped.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "claims.csv"
>>> _ = path.write_bytes(b"id,claim\\n1,caf\\xe9\\n")
>>> read_text(path, label="claims.csv")
Traceback (most recent call last):
...
litkit.errors.NotTextError: claims.csv, line 2: not UTF-8 text (byte 0xe9 at column 6); save the file as UTF-8
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from litkit.errors import NotTextError, RawDataError

CHUNK_BYTES = 1 << 20  # read 1 MiB at a time: large files never sit in memory twice
_SAMPLE = 4096  # bytes looked at to tell UTF-16 from binary data
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def display_name(path: str | Path) -> str:
    """``path`` as the user would write it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_text(path: str | Path, *, label: str | None = None) -> str:
    """The whole file as text.

    Raises:
        NotTextError: the file is binary, UTF-16 or not UTF-8 (located by line and column).
        RawDataError: the file is missing, a folder, or cannot be read.
    """
    return "".join(iter_text(path, label=label))


def iter_text(
    path: str | Path, *, label: str | None = None, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[str]:
    """The file's text in pieces of about ``chunk_bytes`` bytes (a character is never split).

    Raises the errors of :func:`read_text`, when the reader comes to the bad part.
    """
    label = label or display_name(path)
    handle = _open(path, label)
    with handle:
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0  # where in the file ``data`` starts
        data = handle.read(chunk_bytes)
        _check_start(data[:_SAMPLE], label)
        if data.startswith(codecs.BOM_UTF8):
            data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
        while True:
            if b"\0" in data:
                line, column = _locate(path, offset + data.index(b"\0"))
                raise NotTextError(
                    label,
                    line,
                    None,
                    f"binary data, not text (byte 0x00 at "
                    f"column {column}); expected a UTF-8 text file",
                )
            held = len(decoder.getstate()[0])  # bytes of a character the last chunk cut
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                position = offset - held + exc.start
                line, column = _locate(path, position)
                raise NotTextError(
                    label,
                    line,
                    None,
                    f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x}"
                    f" at column {column}); save the file as UTF-8",
                ) from None
            if text:
                yield text
            if not data:
                return
            offset += len(data)
            data = handle.read(chunk_bytes)


def _open(path: str | Path, label: str):
    """The file opened for reading bytes, or a RawDataError saying why it cannot be."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise RawDataError(label, None, None, "file not found") from None
    except IsADirectoryError:
        raise RawDataError(label, None, None, "a folder, not a file") from None
    except OSError as exc:
        raise RawDataError(label, None, None, f"cannot be read ({exc.strerror})") from None


def _check_start(sample: bytes, label: str) -> None:
    """Stop at once on a file that starts as UTF-16 text rather than UTF-8."""
    for bom in _UTF16_BOMS:
        if sample.startswith(bom) and not sample.startswith(codecs.BOM_UTF32_LE):
            raise NotTextError(
                label,
                None,
                None,
                "UTF-16 text, not UTF-8 (it starts with the "
                f"byte-order mark 0x{bom[0]:02x} 0x{bom[1]:02x}); save the file as UTF-8",
            )
    if b"\0" not in sample:
        return
    # UTF-16 of mostly Latin text has a zero byte in every other place, on one side only.
    half = max(1, len(sample) // 2)
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) > 0.6 * half and min(even, odd) < 0.1 * half:
        raise NotTextError(
            label,
            None,
            None,
            "UTF-16 text without a byte-order mark, not UTF-8 "
            "(every other byte is 0x00); save the file as UTF-8",
        )


def _locate(path: str | Path, position: int) -> tuple[int, int]:
    """The line and column (both from 1) of the byte at ``position`` in the file.

    Only called on the way to an error, so reading the file again costs nothing in the
    common case.
    """
    with open(path, "rb") as handle:
        head = handle.read(position)
    line_start = head.rfind(b"\n") + 1
    before = head[line_start:].decode("utf-8", errors="replace").lstrip("\ufeff")
    return head.count(b"\n") + 1, len(before) + 1
