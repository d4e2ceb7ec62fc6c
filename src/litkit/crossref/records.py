"""Flattening Crossref work records into one tidy row per work.

Crossref records are deep and irregular: titles carry inline HTML or MathML, abstracts are
JATS XML, dates are ``{"date-parts": [[year, month, day]]}`` with parts missing or ``null``,
authors are people or organisations, and partial records (``select=``) lack most fields.
:func:`to_frame` turns any of them into the same columns, never guessing a value.

>>> rec = {"DOI": "10.1000/ABC", "title": ["Drug X for <i>fever</i>"],
...        "issued": {"date-parts": [[None]]}, "created": {"date-parts": [[2019, 3, 1]]},
...        "author": [{"family": "Bell", "given": "Rae"}, {"name": "TRIAL Group"}]}
>>> row = to_frame([rec]).iloc[0]
>>> row["doi"], row["title"], int(row["year"]), row["authors"], int(row["n_authors"])
('10.1000/abc', 'Drug X for fever', 2019, 'Bell, Rae; TRIAL Group', 2)
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

import pandas as pd
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from litkit.processed import RECORD, conform


# Crossref's date fields, in the order that best gives the year of publication.
DATE_FIELDS = ("issued", "published-print", "published-online", "published", "created")

# Tags that end a block of text in JATS or HTML: their text must not run into the next.
_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = re.compile(r"^(jats:)?(p|title|sec|list-item|li|div|br|h\d|tr|td|label)$")


def plain_text(markup: str | None) -> str | None:
    """Text without tags, entities decoded and white space collapsed.

    Inline tags (``<i>``, ``<sub>``, MathML) vanish without a space, block tags (``<jats:p>``)
    leave one; a ``<`` that starts no tag (``p < 0.05``) is text and is kept.

    >>> plain_text("<jats:title>Abstract</jats:title><jats:p>H<sub>2</sub>O, p &lt; 0.05</jats:p>")
    'Abstract H2O, p < 0.05'
    """
    if markup is None or not str(markup).strip():
        return None
    markup = str(markup)
    if "<" not in markup and "&" not in markup:  # most titles: no markup, no entities
        return _SPACE.sub(" ", markup).strip() or None
    with warnings.catch_warnings():
        # A bare title such as "http.client" looks like a URL to BeautifulSoup; it is text.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(str(markup), "html.parser")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_after(" ")
    text = _SPACE.sub(" ", soup.get_text()).strip()
    return text or None


def _first(values) -> str | None:
    """The first non-empty string of a Crossref list field (titles are lists)."""
    if isinstance(values, str):
        values = [values]
    for value in values or []:
        if isinstance(value, str) and value.strip():
            return value
    return None


def year_of(record: dict) -> int | None:
    """The publication year: from ``issued``, else the next date field that has one.

    >>> year_of({"issued": {"date-parts": [[None]]}, "published-online": {"date-parts": [[2021]]}})
    2021
    """
    for name in DATE_FIELDS:
        parts = (record.get(name) or {}).get("date-parts") or []
        first = parts[0] if parts and isinstance(parts[0], list) else []
        year = first[0] if first else None
        if isinstance(year, int) or (isinstance(year, str) and year.isdigit()):
            return int(year)
    return None


def _author_name(author: dict) -> str | None:
    """"Family, Given" for a person; an organisation by its name."""
    if author.get("name"):
        return str(author["name"]).strip()
    family, given = author.get("family"), author.get("given")
    if family and given:
        return f"{family.strip()}, {given.strip()}"
    return (family or given or "").strip() or None


def _authors(record: dict) -> list[str]:
    return [name for a in record.get("author") or [] if (name := _author_name(a))]


def _updated_by(record: dict) -> str | None:
    """The update notices (retraction, correction…) as ``type:DOI``, ``;``-separated."""
    notices = [f"{u.get('type', 'update')}:{str(u.get('DOI', '')).lower()}"
               for u in record.get("updated-by") or []]
    return "; ".join(notices) or None


def _license_url(record: dict) -> str | None:
    licences = record.get("license") or []
    # The version of record's licence is the one a reader meets.
    preferred = [lic for lic in licences if lic.get("content-version") == "vor"] or licences
    return preferred[0].get("URL") if preferred else None


def flatten(record: dict) -> dict:
    """One Crossref work record as a flat dict with the columns of :data:`~litkit.processed.RECORD`."""
    authors = _authors(record)
    first_author = (record.get("author") or [{}])[0]
    return {
        "doi": str(record.get("DOI", "")).lower() or None,
        "title": plain_text(_first(record.get("title"))),
        "container_title": plain_text(_first(record.get("container-title"))),
        "publisher": record.get("publisher"),
        "type": record.get("type"),
        "year": year_of(record),
        "volume": record.get("volume"),
        "issue": record.get("issue"),
        "page": record.get("page") or record.get("article-number"),
        "authors": "; ".join(authors) or None,
        "first_author": (first_author.get("family") or first_author.get("name")
                         or first_family_name(authors[0] if authors else None)),
        "n_authors": len(authors),
        "abstract": plain_text(record.get("abstract")),
        "references_count": record.get("references-count", record.get("reference-count")),
        "cited_by_count": record.get("is-referenced-by-count"),
        "license_url": _license_url(record),
        "updated_by": _updated_by(record),
        "source": "crossref",
    }


def to_frame(records: Iterable[dict]) -> pd.DataFrame:
    """Crossref work records (the API's ``message`` objects) as one tidy row per work."""
    rows = [flatten(r) for r in records]
    return conform(pd.DataFrame(rows, columns=list(RECORD)), RECORD)


def first_family_name(authors: str | None) -> str | None:
    """The family name of the first author in a printed author list ("Family, Given; …").

    >>> first_family_name("Cohen, Steven P.; et al.")
    'Cohen'
    """
    if authors is None or pd.isna(authors) or not str(authors).strip():
        return None
    return str(authors).split(";")[0].split(",")[0].strip()
