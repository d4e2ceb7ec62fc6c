"""The columns of litkit's raw tables, and reading them with every value checked.

Each raw table has a :class:`Table` schema: its columns, which are required, which must be
unique, and which hold values from a vocabulary. :func:`read_table` reads a CSV against it
and stops at the first bad value with a :class:`RawDataError` that names the file, the line,
the column and the value, so a curator can go straight to it. A file that is not UTF-8 text
(see :mod:`litkit.textfile`) or not valid CSV (a header naming a column twice, a quote left
open, a field over the CSV field limit) stops it the same way. The pipeline reads every
table even when one fails, and reports them all at once. :func:`read_rows` checks a table
the same way for a command that writes it back, and keeps each cell as the file has it.

>>> import io
>>> t = Table("demo", (Column("id", unique=True), Column("kind", allowed=("a", "b"))))
>>> read_table(io.StringIO("id,kind\\n1,a\\n2,c\\n"), t, name="demo.csv")
Traceback (most recent call last):
...
litkit.errors.RawDataError: demo.csv, line 3, column 'kind': 'c' is not allowed; expected one of: a, b
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from litkit.errors import RawDataError
from litkit.textfile import display_name, read_text

# Multi-valued cells (cited DOIs, synonyms) separate their values with a semicolon.
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    """One column of a raw table and what its values may be.

    Args:
        name: the header.
        required: an empty cell is an error.
        unique: a repeated value is an error.
        allowed: the vocabulary, when the column has one.
        many: the cell holds ``;``-separated values, each checked against ``allowed``.
        check: a function that returns the cleaned value or raises ``ValueError``.
    """

    name: str
    required: bool = True
    unique: bool = False
    allowed: Collection[str] | None = None
    many: bool = False
    check: Callable[[str], str] | None = None


@dataclass(frozen=True)
class Table:
    """A raw table's schema.

    Args:
        name: the table's name.
        columns: its columns, in order.
        key: columns that together identify a row (a repeat is an error).
        consistent: pairs ``(key, column)``: rows with the same ``key`` must agree on ``column``.
        row_check: a check of one whole row that raises ``ValueError`` (rules across columns).
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default=())
    consistent: tuple[tuple[str, str], ...] = field(default=())
    row_check: Callable[[dict[str, str]], None] | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def is_missing(value: object) -> bool:
    """Whether a cell is empty: None, NA, NaN or blank text.

    >>> [is_missing(v) for v in (None, pd.NA, float("nan"), "  ", "x", 0, False)]
    [True, True, True, True, False, False, False]
    """
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and value != value)
        or (isinstance(value, str) and not value.strip())
    )


def split_list(cell: str | None) -> list[str]:
    """The values of a multi-valued cell, stripped, empties dropped.

    >>> split_list(" a; b ;; c")
    ['a', 'b', 'c']
    """
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [v.strip() for v in str(cell).split(LIST_SEPARATOR) if v.strip()]


def _check_cell(value: str, column: Column, allowed: Collection[str] | None) -> str:
    """The cleaned cell, or a ``ValueError`` saying what is wrong with it."""
    if not value:
        if column.required:
            raise ValueError("a value is required")
        return value
    values = split_list(value) if column.many else [value]
    if column.check:
        values = [column.check(v) for v in values]
    if allowed is not None:
        for v in values:
            if v not in allowed:
                raise ValueError(
                    f"{v!r} is not allowed; expected one of: {', '.join(sorted(allowed))}"
                )
    return "; ".join(values) if column.many else values[0]


def read_table(
    source: str | Path | io.TextIOBase,
    table: Table,
    *,
    name: str | None = None,
    allowed: Mapping[str, Collection[str] | None] | None = None,
    line_index: bool = False,
) -> pd.DataFrame:
    """Read a raw CSV table, checking every cell against ``table``.

    Args:
        source: a path or an open text file.
        table: the schema.
        name: how to name the file in errors (defaults to the path).
        allowed: vocabularies known only at run time (e.g. the indication ids), by column;
            they replace the column's own ``allowed``. ``None`` for a column leaves it
            unchecked (a table it depends on could not be read).
        line_index: index the rows by their line in the file, for checks made later that
            must still point at the row.

    Returns:
        The table with string columns, in the schema's column order (extra columns follow),
        each cell as its check cleaned it (stripped, a DOI in its normal form, the values
        of a multi-valued cell joined by ``"; "``).

    Raises:
        RawDataError: naming the file, line, column and value of the first problem; the
            file missing, not UTF-8 text, or not valid CSV are problems too.
    """
    reader, header, label = _open(source, table, name)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    for line, _, row in _checked(reader, header, table, label, allowed or {}):
        rows.append(row)
        lines.append(line)
    extra = [h for h in header if h not in table.names]
    return pd.DataFrame(
        rows,
        columns=table.names + extra,
        dtype="string",
        index=pd.Index(lines, name="line") if line_index else None,
    )


def read_rows(
    source: str | Path | io.TextIOBase,
    table: Table,
    *,
    name: str | None = None,
    allowed: Mapping[str, Collection[str] | None] | None = None,
) -> tuple[list[str], list[dict[str, str]]]:
    """A raw table's header and rows, checked as :func:`read_table` checks them, but each
    cell as the file has it, for a command that writes the table back (``add-article``):
    rows it does not change are written as they were, not in their cleaned form.

    >>> read_rows(io.StringIO("id,kind\\n 1 ,a\\n"), Table("demo", (Column("id"), Column("kind"))))
    (['id', 'kind'], [{'id': ' 1 ', 'kind': 'a'}])

    Raises:
        RawDataError: as :func:`read_table` does.
    """
    reader, header, label = _open(source, table, name)
    checked = _checked(reader, header, table, label, allowed or {})
    return header, [dict(zip(header, values, strict=True)) for _, values, _ in checked]


def row_dicts(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> list[dict]:
    """The rows of ``frame`` (of its ``columns``, if given) as dicts, one per row, in order.

    Made column by column: ``tolist`` converts a whole column at once, where
    ``to_dict("records")`` and ``iterrows`` box each row's values (about three times
    slower on the small frames the analysis works through). A missing value stays as its
    column holds it (``pd.NA`` in a nullable column), so test it with :func:`is_missing`.

    >>> row_dicts(pd.DataFrame({"id": [1, 2], "kind": ["a", "b"]}))
    [{'id': 1, 'kind': 'a'}, {'id': 2, 'kind': 'b'}]
    """
    names = list(frame.columns if columns is None else columns)
    values = [frame[name].tolist() for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _open(source: str | Path | io.TextIOBase, table: Table, name: str | None):
    """A CSV reader on ``source`` past its checked header, the header, and the file's label."""
    if isinstance(source, (str, Path)):
        label = name or display_name(source)
        source = io.StringIO(read_text(source, label=label), newline="")
    else:
        label = name or str(source)
    reader = csv.reader(source, strict=True)
    return reader, _header(reader, table, label), label


def _header(reader, table: Table, label: str) -> list[str]:
    """The header row, checked: no column twice, every column of the schema present."""
    header = [h.strip() for h in next(_csv_records(reader, label), (0, []))[1]]
    if not header:
        raise RawDataError(
            label, None, None, f"empty file; expected a header row: {', '.join(table.names)}"
        )
    for place, name in enumerate(header, 1):
        first = header.index(name) + 1
        if name and first != place:
            raise RawDataError(
                label,
                1,
                name,
                f"appears twice in the header (fields {first} "
                f"and {place}); each column must appear once",
            )
    missing = [c for c in table.names if c not in header]
    if missing:
        raise RawDataError(
            label, 1, missing[0], f"missing column (header has: {', '.join(header)})"
        )
    return header


def _csv_records(reader, label: str):
    """Each CSV record with the line it starts on; malformed CSV becomes a located error."""
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RawDataError(label, start, None, _csv_problem(str(exc))) from None
        yield start, values


def _csv_problem(message: str) -> str:
    """What a ``csv.Error`` means for the person who edits the file."""
    if message.startswith("field larger than field limit"):
        return (
            f"a field longer than {csv.field_size_limit():,} characters, the CSV field "
            "limit (a quote left open makes the rest of the file one field)"
        )
    if message == "unexpected end of data":
        return "a quoted field is not closed before the end of the file; close the quote"
    return f'not valid CSV ({message}); a quote inside a field is written twice ("")'


def _checked(
    reader,
    header: list[str],
    table: Table,
    label: str,
    allowed: Mapping[str, Collection[str] | None],
) -> Iterator[tuple[int, list[str], dict[str, str]]]:
    """Each non-blank record checked: its line, its cells as written, and its cleaned row."""
    seen: dict[str, dict[str, int]] = {c.name: {} for c in table.columns if c.unique}
    keys: dict[tuple, int] = {}
    agreed: dict[tuple[str, str], tuple[str, int]] = {}
    for line, line_values in _csv_records(reader, label):
        if not any(v.strip() for v in line_values):
            continue
        if len(line_values) != len(header):
            raise RawDataError(
                label, line, None, f"{len(line_values)} fields where the header has {len(header)}"
            )
        row = {h: v.strip() for h, v in zip(header, line_values, strict=False)}
        for column in table.columns:
            vocabulary = allowed[column.name] if column.name in allowed else column.allowed
            try:
                row[column.name] = _check_cell(row[column.name], column, vocabulary)
            except ValueError as exc:
                value = row[column.name]
                text = str(exc) if repr(value) in str(exc) else f"{value!r}: {exc}"
                raise RawDataError(label, line, column.name, text) from None
            if column.unique and row[column.name]:
                first = seen[column.name].setdefault(row[column.name], line)
                if first != line:
                    raise RawDataError(
                        label,
                        line,
                        column.name,
                        f"duplicate {row[column.name]!r} (first on line {first})",
                    )
        if table.key:
            key = tuple(row[k] for k in table.key)
            first = keys.setdefault(key, line)
            if first != line:
                raise RawDataError(
                    label, line, ", ".join(table.key), f"duplicate {key!r} (first on line {first})"
                )
        for key_column, column in table.consistent:
            value, first = agreed.setdefault((key_column, row[key_column]), (row[column], line))
            if value != row[column]:
                raise RawDataError(
                    label,
                    line,
                    column,
                    f"{row[column]!r} disagrees with {value!r} on line {first} "
                    f"for the same {key_column} {row[key_column]!r}",
                )
        if table.row_check:
            try:
                table.row_check(row)
            except ValueError as exc:
                raise RawDataError(label, line, None, str(exc)) from None
        yield line, line_values, row
