"""The articles under analysis and the works they cite, as the articles print them.

``data/raw/articles.csv`` names each article; ``data/raw/citations.csv`` holds one row per
cited work with the bibliographic fields exactly as the article prints them. These are the
facts litkit has offline, before (or without) any Crossref record.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from litkit.doi import extract_dois, normalize_doi
from litkit.schema import Column, RawDataError, Table, read_table

YES_NO = ("yes", "no")
SOURCE_KINDS = ("health-information-site", "clinic-blog", "news", "journal-article", "other")


def _whole_number(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _year(value: str) -> str:
    if not re.fullmatch(r"(19|20)\d\d", value):
        raise ValueError(f"{value!r} is not a four-digit year")
    return value


ARTICLES = Table("articles", (
    Column("article_id", unique=True),
    Column("title"),
    Column("publisher"),
    Column("source_kind", allowed=SOURCE_KINDS),
    Column("lists_references", allowed=YES_NO),
    Column("medically_reviewed", allowed=YES_NO),
    Column("text_file"),
))

CITATIONS = Table("citations", (
    Column("article_id"),
    Column("ref_no", check=_whole_number),
    Column("doi", required=False, check=normalize_doi),
    Column("authors"),
    Column("title"),
    Column("journal"),
    Column("volume", required=False),
    Column("issue", required=False),
    Column("pages", required=False),
    Column("year", check=_year),
    Column("month", required=False),
), key=("article_id", "ref_no"))


def read_articles(path: str | Path) -> pd.DataFrame:
    """The articles table, checked."""
    return read_table(path, ARTICLES)


def read_citations(path: str | Path, *, articles: pd.DataFrame) -> pd.DataFrame:
    """The citations table, checked; each article id must be one of ``articles``."""
    return read_table(path, CITATIONS, allowed={"article_id": set(articles["article_id"])})


def check_citations_against_text(citations: pd.DataFrame, articles: pd.DataFrame, *,
                                 raw_folder: Path, citations_file: str) -> None:
    """Every article's DOIs, found in its text, must be exactly its DOIs in the citations.

    Raises:
        RawDataError: naming the article and the DOIs that are in one and not the other.
    """
    for article in articles.itertuples():
        text = (raw_folder / str(article.text_file)).read_text(encoding="utf-8")
        in_text = set(extract_dois(text))
        cited = set(citations.loc[citations["article_id"] == article.article_id, "doi"].dropna())
        if in_text != cited:
            raise RawDataError(
                citations_file, None, "doi",
                f"article {article.article_id}: DOIs in its text and in the table differ "
                f"(only in text: {sorted(in_text - cited)}; only in table: {sorted(cited - in_text)})")


def first_family_name(authors: str | None) -> str | None:
    """The family name of the first author in a printed author list ("Family, Given; …").

    >>> first_family_name("Cohen, Steven P.; et al.")
    'Cohen'
    """
    if authors is None or pd.isna(authors) or not str(authors).strip():
        return None
    return str(authors).split(";")[0].split(",")[0].strip()
