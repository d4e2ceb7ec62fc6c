"""The pipeline: raw tables and cached records in, processed tables out.

:func:`build` reads and checks every raw input first, computes every table in memory, and
only then writes them, so an invalid raw row stops the build before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from litkit.analysis.audit import audit_citations, flags_by_doi, retracted_dois
from litkit.analysis.claims import assess_claims
from litkit.analysis.designs import curated_designs, tabulate_designs
from litkit.analysis.evidence import evidence_by_indication, gap_map, grade_appraisals
from litkit.analysis.works import cited_works
from litkit.config import Paths
from litkit.crossref.cache import CrossrefCache
from litkit.crossref.records import to_frame
from litkit.raw import (
    check_citations_against_text, read_appraisals, read_articles, read_citations, read_claims,
    read_indications, read_outcomes, read_resolved,
)
from litkit.crossref.resolve import fill_resolved_dois
from litkit.processed import write_processed
from litkit.schema import split_list
from litkit.vocabulary import REVIEWED


@dataclass(frozen=True)
class Inputs:
    """Everything under ``data/raw``, read and checked."""

    articles: pd.DataFrame
    citations: pd.DataFrame
    indications: pd.DataFrame
    claims: pd.DataFrame
    appraisals: pd.DataFrame
    records: dict[str, dict]
    fetched_at: pd.Series
    not_found: dict[str, dict[str, str]]


def read_inputs(paths: Paths) -> Inputs:
    """Read and check the raw tables, and load the cached record of each cited DOI."""
    articles = read_articles(paths.articles)
    citations = read_citations(paths.citations, articles=articles)
    check_citations_against_text(citations, articles, raw_folder=paths.raw,
                                 citations_file=str(paths.citations))
    # A work known by PMID, PII or its printed reference joins by the DOI `litkit resolve` found.
    citations = fill_resolved_dois(citations, read_resolved(paths.resolved))
    indications = read_indications(paths.indications)
    ids = set(indications["indication_id"])
    dois = {d for d in citations["doi"].dropna() if d}  # works known only by PMID etc. have none
    outcomes = read_outcomes(paths.outcomes)
    claims = read_claims(paths.claims, article_ids=set(articles["article_id"]),
                         indication_ids=ids, cited_dois=dois,
                         outcome_ids=set(outcomes["outcome_id"]))
    appraisals = read_appraisals(paths.appraisals, indication_ids=ids, cited_dois=dois)
    cache = CrossrefCache(paths.crossref_cache)
    # Keyed by the cited DOI (the cache's key), not the record's own DOI field, so that a
    # record Crossref returns under an alias still joins its citation.
    cached = {doi: cache.read(doi) for doi in sorted(dois) if cache.has(doi)}
    fetched_at = pd.Series({d: c.provenance.get("fetched_at") for d, c in cached.items()},
                           dtype="string")
    return Inputs(articles, citations, indications, claims, appraisals,
                  {d: c.message for d, c in cached.items()}, fetched_at, cache.not_found())


def work_labels(works: pd.DataFrame) -> dict[str, str]:
    """A short label per cited DOI, "Author Year", for reasons and charts."""
    return {w.doi: f"{w.first_author} {w.year}" for w in works.itertuples() if pd.notna(w.doi)}


def compute_tables(inputs: Inputs) -> dict[str, pd.DataFrame]:
    """Every processed table, by name, from the checked inputs (no I/O)."""
    records = to_frame(inputs.records.values()).assign(doi=list(inputs.records))
    works = cited_works(inputs.citations, records.astype({"doi": "string"}), inputs.fetched_at)
    audit = audit_citations(inputs.citations, inputs.records, inputs.not_found)
    grades = grade_appraisals(inputs.appraisals, work_labels=work_labels(works),
                              excluded=retracted_dois(audit))
    flags = flags_by_doi(audit)
    # Draft claims (from `litkit add-article`) are not claims until a reviewer accepts them.
    reviewed = inputs.claims[inputs.claims["status"] == REVIEWED]
    claims = flag_cited(assess_claims(reviewed, grades), flags, column="cited_dois")
    evidence = flag_cited(evidence_by_indication(grades, inputs.indications, claims), flags,
                          column="dois")
    return {
        "articles": inputs.articles,
        "indications": inputs.indications,
        "works": works,
        "citation_audit": audit,
        "designs": tabulate_designs(works, curated_designs(inputs.appraisals)),
        "evidence_by_work": grades,
        "evidence_by_indication": evidence,
        "evidence_gap_map": gap_map(grades, inputs.indications),
        "claims": claims,
    }


def flag_cited(table: pd.DataFrame, flags: dict[str, str], *, column: str) -> pd.DataFrame:
    """Add ``citation_flags``: the retracted or concern-flagged works among ``column``'s DOIs."""
    marked = [
        "; ".join(f"{doi} {flags[doi]}" for doi in split_list(cell) if doi in flags)
        for cell in table[column]
    ]
    return table.assign(citation_flags=pd.Series(marked, index=table.index, dtype="string"))


def build(paths: Paths) -> dict[str, Path]:
    """Run the pipeline for the project at ``paths``; return the tables written."""
    tables = compute_tables(read_inputs(paths))
    return {name: write_processed(frame, name, paths=paths) for name, frame in tables.items()}
