"""The cited works: each citation joined with its Crossref record, or as printed.

A citation whose DOI has a cached record takes the record's fields; one without keeps the
article's own printed fields and says ``not fetched``, so the analysis never pretends to
know what it has not fetched.
"""

from __future__ import annotations

import pandas as pd

from litkit.crossref.records import first_family_name
from litkit.processed import columns, conform

PRINTED = ("role", "article_id", "ref_no", "doi", "authors", "title", "journal", "volume",
           "issue", "pages", "year")


def works_to_check(citations: pd.DataFrame, best: pd.DataFrame) -> pd.DataFrame:
    """The cited works and the best-evidence works, as printed, each with its ``role``.

    Best-evidence works are looked up, audited and classified like cited ones; they belong
    to no article, so their ``article_id`` and ``ref_no`` are empty. A best-evidence work
    that an article also cites keeps its citation row only.
    """
    cited = citations.assign(role="cited")
    extra = best[~best["doi"].isin(set(citations["doi"].dropna()))].drop_duplicates("doi")
    extra = extra.assign(role="best-evidence", article_id=pd.NA, ref_no=pd.NA, volume="",
                         issue="", pages="")
    both = pd.concat([cited[list(PRINTED)], extra[list(PRINTED)]], ignore_index=True)
    return both.astype({c: "string" for c in PRINTED})


def cited_works(citations: pd.DataFrame, works: pd.DataFrame,
                fetched_at: pd.Series | None = None) -> pd.DataFrame:
    """Each citation joined with its Crossref record; the printed fields where there is none.

    Args:
        citations: works as printed (:func:`works_to_check`: role, article_id, ref_no, doi
            and printed fields).
        works: :func:`to_frame` of the cached records.
        fetched_at: when each cached record was fetched, indexed by DOI.

    Returns:
        One row per citation with ``crossref_status`` ``fetched`` or ``not fetched``; a row
        not fetched carries the article's own fields and ``source`` = ``citation``.
    """
    records = works.drop_duplicates("doi").set_index("doi")
    rows = []
    for cite in citations.itertuples(index=False):
        doi = cite.doi if isinstance(cite.doi, str) else None
        if doi and doi in records.index:
            row = records.loc[doi].to_dict() | {"doi": doi, "crossref_status": "fetched"}
            if fetched_at is not None and doi in fetched_at.index:
                row["fetched_at"] = fetched_at[doi]
        else:
            row = _printed(cite)
        rows.append(row | {"role": cite.role, "article_id": cite.article_id,
                           "ref_no": cite.ref_no})
    return conform(pd.DataFrame(rows, columns=columns("works")), "works")


def _printed(cite) -> dict:
    """A works row from a citation as the article prints it (no Crossref record yet)."""
    authors = [a.strip() for a in str(cite.authors).split(";") if a.strip() and a.strip() != "et al."]
    return {
        "doi": cite.doi, "title": cite.title, "container_title": cite.journal,
        "year": int(cite.year) if str(cite.year).isdigit() else None,
        "volume": _text(cite.volume), "issue": _text(cite.issue), "page": _text(cite.pages),
        "authors": cite.authors, "first_author": first_family_name(cite.authors),
        "n_authors": None if "et al." in str(cite.authors) else len(authors),
        "crossref_status": "not fetched", "source": "citation",
    }


def _text(value: object) -> str | None:
    """A printed field, or None when it is empty or missing (NA cannot be tested with ``or``)."""
    return value if isinstance(value, str) and value.strip() else None
