"""The cited works: each citation joined with its Crossref record, or as printed.

A citation whose DOI has a cached record takes the record's fields; one without keeps the
article's own printed fields and says ``not fetched``, so the analysis never pretends to
know what it has not fetched.
"""

from __future__ import annotations

import pandas as pd

from litkit.crossref.records import first_family_name
from litkit.processed import columns, conform

def cited_works(citations: pd.DataFrame, works: pd.DataFrame,
                fetched_at: pd.Series | None = None) -> pd.DataFrame:
    """Each citation joined with its Crossref record; the printed fields where there is none.

    Args:
        citations: the citations table (article_id, ref_no, doi and printed fields).
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
        rows.append(row | {"article_id": cite.article_id, "ref_no": cite.ref_no})
    return conform(pd.DataFrame(rows, columns=columns("works")), "works")


def _printed(cite) -> dict:
    """A works row from a citation as the article prints it (no Crossref record yet)."""
    authors = [a.strip() for a in str(cite.authors).split(";") if a.strip() and a.strip() != "et al."]
    return {
        "doi": cite.doi, "title": cite.title, "container_title": cite.journal,
        "year": int(cite.year) if str(cite.year).isdigit() else None,
        "volume": cite.volume or None, "issue": cite.issue or None, "page": cite.pages or None,
        "authors": cite.authors, "first_author": first_family_name(cite.authors),
        "n_authors": None if "et al." in str(cite.authors) else len(authors),
        "crossref_status": "not fetched", "source": "citation",
    }
