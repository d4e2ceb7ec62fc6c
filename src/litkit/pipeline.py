"""The pipeline: raw tables and cached records in, processed tables out.

:func:`build` reads and checks every raw input first, computes every table in memory, and
only then writes them, so an invalid raw row stops the build before anything is written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from litkit.cache import CrossrefCache
from litkit.citations import check_citations_against_text, read_articles, read_citations
from litkit.paths import Paths
from litkit.works import cited_works, to_frame


@dataclass(frozen=True)
class Inputs:
    """Everything under ``data/raw``, read and checked."""

    articles: pd.DataFrame
    citations: pd.DataFrame
    records: list[dict]
    fetched_at: pd.Series


def read_inputs(paths: Paths) -> Inputs:
    """Read and check the raw tables, and load the cached record of each cited DOI."""
    articles = read_articles(paths.articles)
    citations = read_citations(paths.citations, articles=articles)
    check_citations_against_text(citations, articles, raw_folder=paths.raw,
                                 citations_file=str(paths.citations))
    cache = CrossrefCache(paths.crossref_cache)
    cached = [cache.read(doi) for doi in citations["doi"].dropna().unique() if cache.has(doi)]
    fetched_at = pd.Series({str(c.message.get("DOI", "")).lower(): c.provenance.get("fetched_at")
                            for c in cached}, dtype="string")
    return Inputs(articles, citations, [c.message for c in cached], fetched_at)


def compute_tables(inputs: Inputs) -> dict[str, pd.DataFrame]:
    """Every processed table, by name, from the checked inputs (no I/O)."""
    works = cited_works(inputs.citations, to_frame(inputs.records), inputs.fetched_at)
    return {"works": works}


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a CSV atomically, so a reader never sees half a table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    os.close(fd)
    try:
        frame.to_csv(tmp, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(paths: Paths) -> dict[str, Path]:
    """Run the pipeline for the project at ``paths``; return the tables written."""
    tables = compute_tables(read_inputs(paths))
    written = {}
    for name, frame in tables.items():
        write_table(frame, paths.table(name))
        written[name] = paths.table(name)
    return written
