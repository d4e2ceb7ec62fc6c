"""The cited works: each citation joined with its Crossref record, or as printed.

A citation whose DOI has a cached record takes the record's fields; one without keeps the
article's own printed fields and says ``not fetched``, so the analysis never pretends to
know what it has not fetched.

A work is named by a short "Author Year" label (:func:`work_labels`) in the grading's
reasons and on the report's pages; labels that two works would share are told apart with
a, b, c (:func:`with_suffixes`), in the citation charts and in the exports' keys alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from litkit.processed import columns, conform
from litkit.schema import is_missing

SUFFIXES = "abcdefghijklmnopqrstuvwxyz"

PRINTED = (
    "role",
    "article_id",
    "ref_no",
    "doi",
    "authors",
    "title",
    "journal",
    "volume",
    "issue",
    "pages",
    "year",
)


def works_to_check(citations: pd.DataFrame, best: pd.DataFrame) -> pd.DataFrame:
    """The cited works and the best-evidence works, as printed, each with its ``role``.

    Best-evidence works are looked up, audited and classified like cited ones; they belong
    to no article, so their ``article_id`` and ``ref_no`` are empty. A best-evidence work
    that an article also cites keeps its citation row only.
    """
    cited = citations.assign(role="cited")
    extra = best[~best["doi"].isin(set(citations["doi"].dropna()))].drop_duplicates("doi")
    extra = extra.assign(
        role="best-evidence", article_id=pd.NA, ref_no=pd.NA, volume="", issue="", pages=""
    )
    both = pd.concat([cited[list(PRINTED)], extra[list(PRINTED)]], ignore_index=True)
    return both.astype({c: "string" for c in PRINTED})


def cited_works(
    citations: pd.DataFrame, works: pd.DataFrame, fetched_at: pd.Series | None = None
) -> pd.DataFrame:
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
    found = citations["doi"].isin(records.index)
    fetched = (
        records.reindex(citations.loc[found, "doi"]).reset_index().set_index(citations.index[found])
    )
    fetched = fetched.assign(
        crossref_status="fetched",
        fetched_at=fetched["doi"].map(fetched_at) if fetched_at is not None else pd.NA,
    )
    keys = citations[["role", "article_id", "ref_no"]]
    rows = pd.concat([fetched, printed(citations[~found])]).sort_index()
    rows = rows.drop(columns=[c for c in keys if c in rows]).join(keys)
    return conform(rows.reindex(columns=columns("works")), "works")


def printed(citations: pd.DataFrame) -> pd.DataFrame:
    """Works rows from citations as the article prints them (no Crossref record yet)."""
    authors = citations["authors"].fillna("")
    names = authors.str.split(";").apply(
        lambda parts: [p.strip() for p in parts if p.strip() and p.strip() != "et al."]
    )
    n_authors = names.str.len().where(~authors.str.contains("et al.", regex=False))
    blank = lambda column: citations[column].replace("", pd.NA)  # noqa: E731
    return pd.DataFrame(
        {
            "doi": citations["doi"],
            "title": citations["title"],
            "container_title": blank("journal"),
            "year": pd.to_numeric(citations["year"], errors="coerce"),
            "volume": blank("volume"),
            "issue": blank("issue"),
            "page": blank("pages"),
            "authors": citations["authors"],
            "first_author": authors.str.split(";")
            .str[0]
            .str.split(",")
            .str[0]
            .str.strip()
            .replace("", pd.NA),
            "n_authors": n_authors,
            "crossref_status": "not fetched",
            "source": "citation",
        },
        index=citations.index,
    )


def work_labels(works: pd.DataFrame) -> dict[str, str]:
    """A short label per DOI, "Author Year", for the grading's reasons and the report.

    The author alone when the year is not known; no label for a work without a first
    author, which is then named by its DOI.

    >>> works = pd.DataFrame({"doi": ["10.1/a", "10.1/b", "10.1/c", None],
    ...                       "first_author": ["Bell", "Cohen", None, "Dunn"],
    ...                       "year": pd.array([2018, None, 2020, 2021], dtype="Int64")})
    >>> work_labels(works)
    {'10.1/a': 'Bell 2018', '10.1/b': 'Cohen'}
    """
    columns = (works[c].tolist() for c in ("doi", "first_author", "year"))
    return {
        doi: str(author) if is_missing(year) else f"{author} {year}"
        for doi, author, year in zip(*columns, strict=True)
        if not is_missing(doi) and not is_missing(author)
    }


def with_suffixes(labels: Sequence[str]) -> list[str]:
    """``labels``, with a, b, c… added in order to each label that two or more share.

    Author–year styles tell such works apart this way: "Smith 2020a", "Smith 2020b".

    >>> with_suffixes(["Smith 2020", "Bell 2018", "Smith 2020"])
    ['Smith 2020a', 'Bell 2018', 'Smith 2020b']
    """
    totals, seen = Counter(labels), Counter()
    suffixed = []
    for label in labels:
        if totals[label] > 1:
            suffixed.append(label + SUFFIXES[seen[label] % len(SUFFIXES)])
            seen[label] += 1
        else:
            suffixed.append(label)
    return suffixed
