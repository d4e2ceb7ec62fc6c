"""The pipeline: raw tables and cached records in, processed tables out.

:func:`build` reads and checks every raw input first, computes every table in memory, and
only then writes them, so an invalid raw row stops the build before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

from litkit.analysis.audit import audit_citations, flags_by_doi, retracted_dois
from litkit.analysis.claims import assess_claims
from litkit.analysis.designs import curated_designs, tabulate_designs
from litkit.analysis.evidence import Questions, evidence_by_outcome, gap_map, grade_appraisals
from litkit.analysis.works import cited_works, work_labels, works_to_check
from litkit.collector import collector_paused
from litkit.config import Paths
from litkit.crossref.cache import CrossrefCache
from litkit.crossref.records import to_frame
from litkit.crossref.resolve import fill_resolved_dois
from litkit.errors import RawDataError, RawDataErrors
from litkit.processed import write_processed
from litkit.raw import (
    check_citations_against_texts,
    check_claim_kinds,
    check_claim_spans,
    read_appraisals,
    read_article_texts,
    read_articles,
    read_best_evidence,
    read_citations,
    read_claims,
    read_indications,
    read_outcomes,
    read_resolved,
)
from litkit.schema import split_list
from litkit.textfile import display_name

T = TypeVar("T")


@dataclass(frozen=True)
class Inputs:
    """Everything under ``data/raw``, read and checked."""

    articles: pd.DataFrame
    citations: pd.DataFrame
    indications: pd.DataFrame
    outcomes: pd.DataFrame
    claims: pd.DataFrame
    appraisals: pd.DataFrame
    best_evidence: pd.DataFrame
    records: dict[str, dict]
    fetched_at: pd.Series
    not_found: dict[str, dict[str, str]]


def read_inputs(paths: Paths) -> Inputs:
    """Read and check the raw tables, and load the cached record of each DOI they name.

    Raises:
        RawDataErrors: listing every missing or invalid input (see :func:`read_tables`).
    """
    tables = read_tables(paths)
    articles, citations, best = tables["articles"], tables["citations"], tables["best_evidence"]
    dois = {d for d in citations["doi"].dropna() if d}
    cache = CrossrefCache(paths.crossref_cache)
    # Keyed by the DOI asked for (the cache's key), not the record's own DOI field, so that a
    # record Crossref returns under an alias still joins its citation.
    records, fetched_at = {}, {}
    with collector_paused():
        for doi, message, provenance in cache.read_many(dois | set(best["doi"]), slim=True):
            records[doi] = message
            fetched_at[doi] = provenance.get("fetched_at")
    return Inputs(
        articles,
        citations,
        tables["indications"],
        tables["outcomes"],
        tables["claims"],
        tables["appraisals"],
        best,
        records,
        pd.Series(fetched_at, dtype="string"),
        cache.not_found(),
    )


def read_tables(paths: Paths) -> dict[str, pd.DataFrame]:
    """Every raw table, read and checked, by name.

    Every table is read even when another has failed, so that one run reports every missing
    or invalid input: each table's first problem, every article text that is missing or is
    not text, every article whose DOIs disagree with the citations. A check against a table
    that could not be read is skipped until that table is fixed.

    Raises:
        RawDataErrors: listing every problem found.
    """
    problems: list[RawDataError] = []
    articles = _attempt(problems, read_articles, paths.articles, line_index=True)
    citations = _attempt(problems, read_citations, paths.citations, articles=articles)
    texts = None
    if articles is not None:
        texts = _attempt(
            problems,
            read_article_texts,
            articles,
            raw_folder=paths.raw,
            articles_file=display_name(paths.articles),
        )
        articles = articles.reset_index(drop=True)
    if texts is not None and citations is not None:
        _attempt(
            problems,
            check_citations_against_texts,
            citations,
            texts,
            citations_file=display_name(paths.citations),
        )
    if citations is not None:
        # A work known by PMID, PII or its printed reference joins by the DOI `litkit
        # resolve` found for it.
        resolved = _attempt(problems, read_resolved, paths.resolved)
        if resolved is not None:
            citations = fill_resolved_dois(citations, resolved)
    indications = _attempt(problems, read_indications, paths.indications)
    outcomes = _attempt(problems, read_outcomes, paths.outcomes)
    ids, outcome_ids = _ids(indications, "indication_id"), _ids(outcomes, "outcome_id")
    dois = None if citations is None else {d for d in citations["doi"].dropna() if d}
    claims = _attempt(
        problems,
        read_claims,
        paths.claims,
        article_ids=_ids(articles, "article_id"),
        indication_ids=ids,
        outcome_ids=outcome_ids,
        cited_dois=dois,
        line_index=True,
    )
    if claims is not None:
        claims_file = display_name(paths.claims)
        if outcomes is not None:
            _attempt(problems, check_claim_kinds, claims, outcomes, claims_file=claims_file)
        if texts is not None:
            _attempt(problems, check_claim_spans, claims, texts, claims_file=claims_file)
        claims = claims.reset_index(drop=True)
    appraisals = _attempt(
        problems,
        read_appraisals,
        paths.appraisals,
        indication_ids=ids,
        outcome_ids=outcome_ids,
        cited_dois=dois,
    )
    best = _attempt(
        problems,
        read_best_evidence,
        paths.best_evidence,
        indication_ids=ids,
        outcome_ids=outcome_ids,
    )
    if problems:
        raise RawDataErrors(problems)
    return {
        "articles": articles,
        "citations": citations,
        "indications": indications,
        "outcomes": outcomes,
        "claims": claims,
        "appraisals": appraisals,
        "best_evidence": best,
    }


def _ids(table: pd.DataFrame | None, column: str) -> set[str] | None:
    """The ids in ``column``, or None when the table could not be read."""
    return None if table is None else set(table[column])


def dois_to_fetch(paths: Paths) -> list[str]:
    """The DOIs ``litkit fetch`` gets by default: the cited works' (as resolved) and the best
    evidence's, once each, in that order. Claims and appraisals need not be valid for it.

    Raises:
        RawDataErrors: every problem in the tables it reads (each table's first).
    """
    problems: list[RawDataError] = []
    articles = _attempt(problems, read_articles, paths.articles)
    citations = _attempt(problems, read_citations, paths.citations, articles=articles)
    resolved = _attempt(problems, read_resolved, paths.resolved)
    best = _attempt(
        problems, read_best_evidence, paths.best_evidence, indication_ids=None, outcome_ids=None
    )
    if problems:
        raise RawDataErrors(problems)
    cited = fill_resolved_dois(citations, resolved)["doi"].dropna()
    return list(dict.fromkeys(d for d in [*cited, *best["doi"]] if d))


def _attempt(problems: list[RawDataError], read: Callable[..., T], *args, **kwargs) -> T | None:
    """``read(*args, **kwargs)``, or None with its problems added to ``problems``."""
    try:
        return read(*args, **kwargs)
    except RawDataErrors as exc:
        problems.extend(exc.errors)
    except RawDataError as exc:
        problems.append(exc)
    return None


def graded(inputs: Inputs, labels: dict[str, str], excluded: dict[str, str]) -> pd.DataFrame:
    """The cited works' appraisals and the best evidence, graded by the same rules."""
    best = inputs.best_evidence.rename(columns={"review_grade": "stated_certainty_level"})
    best_labels = labels | dict(zip(best["doi"], best["work"], strict=False))
    years = dict(zip(inputs.citations["doi"], inputs.citations["year"], strict=False))
    cited = inputs.appraisals.assign(year=inputs.appraisals["doi"].map(years))
    return pd.concat(
        [
            grade_appraisals(cited, role="cited", work_labels=labels, excluded=excluded),
            grade_appraisals(
                best, role="best-evidence", work_labels=best_labels, excluded=excluded
            ),
        ],
        ignore_index=True,
    )


def compute_tables(inputs: Inputs) -> dict[str, pd.DataFrame]:
    """Every processed table, by name, from the checked inputs (no I/O)."""
    records = to_frame(inputs.records.values()).assign(doi=list(inputs.records))
    printed = works_to_check(inputs.citations, inputs.best_evidence)
    works = cited_works(printed, records.astype({"doi": "string"}), inputs.fetched_at)
    audit = audit_citations(printed, inputs.records, inputs.not_found)
    grades = graded(inputs, work_labels(works), retracted_dois(audit))
    questions = Questions(grades)  # the claims and evidence_by_outcome share each body
    claims = flag_cited(
        assess_claims(inputs.claims, grades, inputs.outcomes, questions=questions),
        flags_by_doi(audit),
        column="cited_dois",
    )
    curated = curated_designs(pd.concat([inputs.appraisals, inputs.best_evidence]))
    return {
        "articles": inputs.articles,
        "indications": inputs.indications,
        "outcomes": inputs.outcomes,
        "works": works,
        "citation_audit": audit,
        "designs": tabulate_designs(works, curated),
        "evidence_by_work": grades,
        "evidence_by_outcome": evidence_by_outcome(
            grades, claims, inputs.indications, inputs.outcomes, questions=questions
        ),
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
    """Run the pipeline for the project at ``paths``; return the tables written.

    The cyclic garbage collector is paused meanwhile: the records and the tables made from
    them are millions of long-lived objects that it would otherwise scan again and again.
    """
    with collector_paused():
        tables = compute_tables(read_inputs(paths))
    return {name: write_processed(frame, name, paths=paths) for name, frame in tables.items()}
