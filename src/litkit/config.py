"""Where litkit's files live and which environment variables it reads: defined once.

Every module asks a :class:`Paths` for its files, so the whole pipeline can be pointed at
another project folder (``litkit build --root DIR``). Environment variables are named here
and read once, by :func:`settings`.

>>> p = Paths("proj")
>>> p.citations.as_posix()
'proj/data/raw/citations.csv'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# A project's metadata file, at its root.
PROJECT_FILE = "litkit.toml"

# Environment variables litkit reads.
MAILTO_VARIABLE = "LITKIT_MAILTO"
URL_VARIABLE = "LITKIT_CROSSREF_URL"

IDCONV_URL_VARIABLE = "LITKIT_IDCONV_URL"

DEFAULT_CROSSREF_URL = "https://api.crossref.org"
# NCBI's PMC ID converter (PMIDs and PMCIDs to DOIs).
DEFAULT_IDCONV_URL = "https://www.ncbi.nlm.nih.gov/pmc/utils/idconv/v1.0/"
# A project's notebooks are numbered, run and shown in that order: 01-cited-works.ipynb, …
NOTEBOOK_FILES = "[0-9][0-9]-*.ipynb"


def numbered_notebooks(folder: Path) -> list[Path]:
    """The numbered notebooks of ``folder`` (:data:`NOTEBOOK_FILES`), in order."""
    return sorted(folder.glob(NOTEBOOK_FILES))


@dataclass(frozen=True)
class Settings:
    """What the environment says: the Crossref and ID converter addresses, the contact address."""

    crossref_url: str = DEFAULT_CROSSREF_URL
    mailto: str | None = None
    idconv_url: str = DEFAULT_IDCONV_URL


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``environ`` (``os.environ`` by default), read once per call site."""
    env = os.environ if environ is None else environ
    return Settings(
        crossref_url=(env.get(URL_VARIABLE) or DEFAULT_CROSSREF_URL).rstrip("/"),
        mailto=env.get(MAILTO_VARIABLE) or None,
        idconv_url=env.get(IDCONV_URL_VARIABLE) or DEFAULT_IDCONV_URL,
    )


def default_root() -> Path:
    """The project folder: the nearest parent of the working directory with ``data/raw``."""
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw").is_dir():
            return folder
    return here


@dataclass(frozen=True)
class Paths:
    """The files of one litkit project."""

    root: Path

    def __init__(self, root: str | Path | None = None):
        object.__setattr__(self, "root", Path(root) if root is not None else default_root())

    # data/raw: inputs, never edited by code
    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def project_file(self) -> Path:
        """``litkit.toml``: the project's title, intervention, topic and articles."""
        return self.root / PROJECT_FILE

    @property
    def articles(self) -> Path:
        return self.raw / "articles.csv"

    @property
    def article_texts(self) -> Path:
        """The folder of article texts (``data/raw/articles``)."""
        return self.raw / "articles"

    @property
    def citations(self) -> Path:
        return self.raw / "citations.csv"

    @property
    def indications(self) -> Path:
        return self.raw / "indications.csv"

    @property
    def outcomes(self) -> Path:
        return self.raw / "outcomes.csv"

    @property
    def claims(self) -> Path:
        return self.raw / "claims.csv"

    @property
    def appraisals(self) -> Path:
        return self.raw / "appraisals.csv"

    @property
    def best_evidence(self) -> Path:
        return self.raw / "best_evidence.csv"

    @property
    def crossref_cache(self) -> Path:
        return self.raw / "crossref"

    @property
    def resolved(self) -> Path:
        """Identifiers resolved to DOIs by ``litkit resolve`` (written by code, never by hand)."""
        return self.raw / "resolved.csv"

    # data/processed: tables the pipeline writes
    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    def table(self, name: str) -> Path:
        """A processed table, e.g. ``table("works")`` → ``data/processed/works.csv``."""
        return self.processed / f"{name}.csv"

    # notebooks and reports
    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def notebook_files(self) -> list[Path]:
        """The project's numbered notebooks, in order."""
        return numbered_notebooks(self.notebooks)

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def figures(self) -> Path:
        return self.reports / "figures"
