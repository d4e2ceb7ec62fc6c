"""A litkit project: its metadata file, and making a new project folder.

A project is a folder with ``litkit.toml`` (what the project is about: its title, the
intervention, the topic and the articles, from which the notebooks and the report take
their wording), the raw tables under ``data/raw`` and the notebooks. :func:`init_project`
makes one with every raw table's header, a README generated from the schemas in
:mod:`litkit.raw` and the vocabularies in :mod:`litkit.vocabulary`, empty vocabularies to
fill, and the notebooks without outputs.

The notebooks ship inside the package (``litkit/notebooks`` is the repository's
``notebooks/`` folder, included in the wheel as package data), so an installed litkit makes
projects as well as a source checkout does.

>>> Project(title="T", intervention="drug X", topic="colds", articles="One essay").names
('drug X',)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from importlib.resources import files
from pathlib import Path

import nbformat

from litkit.config import PROJECT_FILE, Paths, numbered_notebooks
from litkit.errors import RawDataError, UsageError
from litkit.files import atomic_write
from litkit.raw import RAW_TABLES, RUNTIME_VOCABULARIES
from litkit.schema import Column, Table

# The fields of litkit.toml's [project] table that the notebooks and report need.
REQUIRED = ("title", "intervention", "topic", "articles")

TEMPLATE = """\
# litkit project: what this project is about. The notebooks and the report take their
# wording from here; `litkit add-article` finds claims by the intervention's names.
[project]
# The report's title.
title = {title}
# What the articles' claims are about, as the articles name it.
intervention = {intervention}
# Other names of the intervention in the articles' text (brands, chemical names).
intervention_synonyms = []
# The condition or question the articles discuss.
topic = {topic}
# One sentence on the articles under analysis.
articles = {articles}
"""


@dataclass(frozen=True)
class Project:
    """What ``litkit.toml`` says: title, intervention (and its other names), topic, articles."""

    title: str = ""
    intervention: str = ""
    topic: str = ""
    articles: str = ""
    intervention_synonyms: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the intervention, the main one first."""
        return tuple(n for n in (self.intervention, *self.intervention_synonyms) if n)

    def missing(self) -> list[str]:
        """The required fields still empty."""
        return [name for name in REQUIRED if not getattr(self, name).strip()]


def read_project(paths: Paths) -> Project:
    """The project's ``litkit.toml``.

    Raises:
        RawDataError: naming the file when it is missing, is not TOML, or has a value of the
            wrong kind.
    """
    path = paths.project_file
    if not path.is_file():
        raise RawDataError(
            str(path),
            None,
            None,
            f"file not found (make a project with `litkit init`, or write {PROJECT_FILE})",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RawDataError(
            str(path), getattr(exc, "lineno", None), None, f"not valid TOML ({exc})"
        ) from None
    table = data.get("project", {})
    known = {f.name for f in fields(Project)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise RawDataError(
            str(path),
            None,
            unknown[0],
            f"unknown field in [project]; expected: {', '.join(sorted(known))}",
        )
    values = {}
    for name in known & set(table):
        value = table[name]
        if name == "intervention_synonyms":
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise RawDataError(str(path), None, name, "must be a list of strings")
            values[name] = tuple(v.strip() for v in value if v.strip())
        elif not isinstance(value, str):
            raise RawDataError(str(path), None, name, f"must be a string, not {value!r}")
        else:
            values[name] = value.strip()
    return Project(**values)


def require_project(paths: Paths, *needed: str) -> Project:
    """The project, with every field in ``needed`` filled; else one error naming them all."""
    project = read_project(paths)
    empty = [name for name in needed if not getattr(project, name)]
    if empty:
        raise RawDataError(
            str(paths.project_file), None, None, f"fill in [project] {', '.join(empty)}"
        )
    return project


# --- the README of data/raw --------------------------------------------------------------------


def _allowed(table: Table, column: Column) -> str:
    """What a column may hold, in words, from its schema."""
    if (table.name, column.name) in RUNTIME_VOCABULARIES:
        what = RUNTIME_VOCABULARIES[(table.name, column.name)]
    elif column.allowed is not None:
        what = "one of: " + ", ".join(f"`{v}`" for v in column.allowed)
    elif column.check is not None and column.check.__doc__:
        what = column.check.__doc__.strip().splitlines()[0]
    else:
        what = "text"
    if column.many:
        what = f"`;`-separated list; each {what}"
    return what


def raw_readme(tables: dict[str, tuple[Table, str]] = RAW_TABLES) -> str:
    """The README of ``data/raw``: every table, every column and its allowed values.

    Generated from the schemas, so it says exactly what ``litkit build`` checks.
    """
    lines = [
        "# data/raw: this project's inputs",
        "",
        "Generated by `litkit init` from litkit's table schemas. Every table is checked "
        "when `litkit build` reads it; a bad value stops the build with the file, line, "
        "column and value.",
        "",
    ]
    for file_name, (table, description) in tables.items():
        lines += [
            f"## `{file_name}`",
            "",
            description,
            "",
            "| column | required | allowed values |",
            "|---|---|---|",
        ]
        for column in table.columns:
            required = "yes" if column.required else "no"
            unique = " (unique)" if column.unique else ""
            lines.append(f"| `{column.name}` | {required}{unique} | {_allowed(table, column)} |")
        if table.key:
            lines += ["", f"Each row's ({', '.join(table.key)}) is unique."]
        if table.row_check is not None and table.row_check.__doc__:
            lines += ["", f"Across columns: {table.row_check.__doc__.strip().splitlines()[0]}"]
        lines.append("")
    lines += [
        "## `articles/`",
        "",
        "The text of each article, one file each, named in "
        "`articles.csv`; claims' `start` and `end` are character offsets into it.",
        "",
    ]
    return "\n".join(lines)


# --- notebooks -------------------------------------------------------------------------------------


def notebook_templates() -> list[Path]:
    """The numbered notebooks that ship with litkit (package data, or the source checkout)."""
    shipped = Path(str(files("litkit").joinpath("notebooks")))
    folder = shipped if shipped.is_dir() else Path(__file__).resolve().parents[2] / "notebooks"
    return numbered_notebooks(folder)


def _write_clean_notebook(source: Path, target: Path) -> None:
    """Copy a notebook without outputs or execution counts: a new project runs its own."""
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    atomic_write(target, lambda out: nbformat.write(notebook, out))


# --- init ----------------------------------------------------------------------------------------------


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_project(root: str | Path, *, project: Project = Project()) -> list[Path]:
    """Make a new project folder at ``root``; return the files written.

    Raises:
        UsageError: when ``root`` already holds a project or raw tables (nothing is
            overwritten).
    """
    paths = Paths(root)
    existing = [p for p in (paths.project_file, paths.raw) if p.exists()]
    if existing:
        raise UsageError(f"{existing[0]} exists already; litkit init only makes new projects")
    written = [
        atomic_write(
            paths.project_file,
            lambda out: out.write(
                TEMPLATE.format(**{name: _toml_string(getattr(project, name)) for name in REQUIRED})
            ),
        )
    ]
    for file_name, (table, _) in RAW_TABLES.items():
        written.append(
            atomic_write(
                paths.raw / file_name, lambda out, t=table: out.write(",".join(t.names) + "\n")
            )
        )
    written.append(atomic_write(paths.raw / "README.md", lambda out: out.write(raw_readme())))
    paths.article_texts.mkdir(parents=True, exist_ok=True)
    for notebook in notebook_templates():
        target = paths.notebooks / notebook.name
        _write_clean_notebook(notebook, target)
        written.append(target)
    return written
