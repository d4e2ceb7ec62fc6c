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

from litkit.appraisals import curated_designs, read_appraisals
from litkit.cache import CrossrefCache
from litkit.citations import check_citations_against_text, read_articles, read_citations
from litkit.claims import assess_claims, read_claims
from litkit.designs import tabulate_designs
from litkit.evidence import evidence_by_indication, gap_map, grade_appraisals
from litkit.indications import read_indications
from litkit.paths import Paths
from litkit.works import cited_works, to_frame


@dataclass(frozen=True)
class Inputs:
    """Everything under ``data/raw``, read and checked."""

    articles: pd.DataFrame
    citations: pd.DataFrame
    indications: pd.DataFrame
    claims: pd.DataFrame
    appraisals: pd.DataFrame
    records: list[dict]
    fetched_at: pd.Series


def read_inputs(paths: Paths) -> Inputs:
    """Read and check the raw tables, and load the cached record of each cited DOI."""
    articles = read_articles(paths.articles)
    citations = read_citations(paths.citations, articles=articles)
    check_citations_against_text(citations, articles, raw_folder=paths.raw,
                                 citations_file=str(paths.citations))
    indications = read_indications(paths.indications)
    ids, dois = set(indications["indication_id"]), set(citations["doi"].dropna())
    claims = read_claims(paths.claims, article_ids=set(articles["article_id"]),
                         indication_ids=ids, cited_dois=dois)
    appraisals = read_appraisals(paths.appraisals, indication_ids=ids, cited_dois=dois)
    cache = CrossrefCache(paths.crossref_cache)
    cached = [cache.read(doi) for doi in sorted(dois) if cache.has(doi)]
    fetched_at = pd.Series({str(c.message.get("DOI", "")).lower(): c.provenance.get("fetched_at")
                            for c in cached}, dtype="string")
    return Inputs(articles, citations, indications, claims, appraisals,
                  [c.message for c in cached], fetched_at)


def work_labels(works: pd.DataFrame) -> dict[str, str]:
    """A short label per cited DOI, "Author Year", for reasons and charts."""
    return {w.doi: f"{w.first_author} {w.year}" for w in works.itertuples() if pd.notna(w.doi)}


def compute_tables(inputs: Inputs) -> dict[str, pd.DataFrame]:
    """Every processed table, by name, from the checked inputs (no I/O)."""
    works = cited_works(inputs.citations, to_frame(inputs.records), inputs.fetched_at)
    grades = grade_appraisals(inputs.appraisals, work_labels=work_labels(works))
    claims = assess_claims(inputs.claims, grades)
    return {
        "works": works,
        "designs": tabulate_designs(works, curated_designs(inputs.appraisals)),
        "evidence_by_work": grades,
        "evidence_by_indication": evidence_by_indication(grades, inputs.indications, claims),
        "evidence_gap_map": gap_map(grades, inputs.indications),
        "claims": claims,
    }


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
