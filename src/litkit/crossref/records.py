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

import html
import re
from collections.abc import Iterable
from typing import Any

import msgspec
import pandas as pd
from lxml import etree
from lxml import html as lxml_html

from litkit.processed import RECORD, conform

# The fields of a Crossref work record that litkit reads, and the JSON type each has when
# present. A build keeps only these, so that tens of thousands of records (most of whose
# bytes are reference lists) fit in memory.
WORK_FIELD_TYPES = {
    "DOI": str,
    "type": str,
    "title": list,
    "subtitle": list,
    "container-title": list,
    "short-container-title": list,
    "author": list,
    "publisher": str,
    "volume": str,
    "issue": str,
    "page": str,
    "article-number": str,
    "abstract": str,
    "updated-by": list,
    "license": list,
    "issued": dict,
    "published-print": dict,
    "published-online": dict,
    "published": dict,
    "created": dict,
    "references-count": int,
    "reference-count": int,
    "is-referenced-by-count": int,
}
USED_FIELDS = frozenset(WORK_FIELD_TYPES)

# Within those fields, the keys read from each item (authors carry affiliations, ORCIDs and
# more; licences and dates carry timestamps).
_USED_KEYS = {
    "author": ("family", "given", "name"),
    "license": ("URL", "content-version"),
}
_DATE_KEYS = ("date-parts",)
# Crossref's date fields, in the order that best gives the year of publication.
DATE_FIELDS = ("issued", "published-print", "published-online", "published", "created")


def slim(record: dict) -> dict:
    """``record`` with only the fields litkit's tables read (:data:`USED_FIELDS`), and of
    authors, licences and dates only the parts they read.

    >>> slim({"DOI": "10.1/x", "reference": [{"key": "r1"}],
    ...       "author": [{"family": "Bell", "affiliation": [{"name": "U"}]}],
    ...       "created": {"date-parts": [[2019]], "timestamp": 1546300800000}})
    {'DOI': '10.1/x', 'author': [{'family': 'Bell'}], 'created': {'date-parts': [[2019]]}}
    """
    kept = {}
    for name, value in record.items():
        if name not in USED_FIELDS:
            continue
        if name in _USED_KEYS and isinstance(value, list):
            keys = _USED_KEYS[name]
            value = [{k: item[k] for k in keys if k in item} for item in value]
        elif name in DATE_FIELDS and isinstance(value, dict):
            value = {k: value[k] for k in _DATE_KEYS if k in value}
        kept[name] = value
    return kept


# The end of a block of JATS or HTML text: its text must not run into the next block's.
_BLOCK_END = re.compile(
    r"</(?:jats:)?(?:p|title|sec|list-item|li|div|h\d|tr|td|label)\s*>|<br\s*/?>", re.IGNORECASE
)


def plain_text(markup: str | None) -> str | None:
    """Text without tags, entities decoded and white space collapsed.

    Inline tags (``<i>``, ``<sub>``, MathML) vanish without a space, block tags (``<jats:p>``)
    leave one; a ``<`` that starts no tag (``p < 0.05``) is text and is kept. Markup is
    parsed by lxml's HTML parser; text without a ``<`` (most titles) only has its entities
    decoded, which is much faster.

    >>> plain_text("<jats:title>Abstract</jats:title><jats:p>H<sub>2</sub>O, p &lt; 0.05</jats:p>")
    'Abstract H2O, p < 0.05'
    >>> plain_text("Tom &amp; Jerry  at p < 0.05")
    'Tom & Jerry at p < 0.05'
    """
    if markup is None or not str(markup).strip():
        return None
    markup = str(markup)
    if "<" not in markup:
        return _collapse(html.unescape(markup)) or None
    try:
        body = lxml_html.document_fromstring(_BLOCK_END.sub(_space_after, markup)).body
    except etree.ParserError:  # nothing but comments or processing instructions
        return None
    return _collapse(body.text_content() if body is not None else "") or None


def _collapse(text: str) -> str:
    """``text`` with each run of white space one space, and none at either end.

    ``str.split`` and the regex ``\\s`` know the same white space; splitting is much faster.
    """
    return " ".join(text.split())


def _space_after(match: re.Match[str]) -> str:
    return match.group() + " "


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
    """ "Family, Given" for a person; an organisation by its name."""
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
    notices = [
        f"{u.get('type', 'update')}:{str(u.get('DOI', '')).lower()}"
        for u in record.get("updated-by") or []
    ]
    return "; ".join(notices) or None


def _license_url(record: dict) -> str | None:
    licences = record.get("license") or []
    # The version of record's licence is the one a reader meets.
    preferred = [lic for lic in licences if lic.get("content-version") == "vor"] or licences
    return preferred[0].get("URL") if preferred else None


def first_author(record: dict) -> str | None:
    """The family name of a record's first author, or the organisation's name.

    >>> first_author({"author": [{"family": "Bell", "given": "Rae"}, {"family": "Ng"}]})
    'Bell'
    >>> first_author({"author": [{"given": "Rae"}]}) is None
    True
    """
    first = (record.get("author") or [{}])[0]
    return first.get("family") or first.get("name") or None


def flatten(record: dict) -> dict:
    """One Crossref work record as a flat dict with the columns of :data:`~litkit.processed.RECORD`."""
    authors = _authors(record)
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
        "first_author": first_author(record) or first_family_name(authors[0] if authors else None),
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


# List fields whose items are objects (the others hold strings).
_OBJECT_LISTS = ("author", "updated-by", "license")
_JSON_NAMES = {
    str: "a string",
    list: "a list",
    dict: "an object",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


def work_problem(record: object) -> str | None:
    """Why ``record`` is not a Crossref work record, in words; None when it is one.

    A work is a JSON object with a ``DOI`` string and a ``title`` or a ``type`` (full
    records have both; partial ``select=`` records may have only the DOI and title), and the
    fields litkit reads have Crossref's types. A record that fails this is never cached.

    >>> work_problem({"DOI": "10.1000/x", "type": "journal-article"}) is None
    True
    >>> work_problem({}), work_problem("Resource not found.")
    ('no DOI', 'a string, not a JSON object')
    >>> work_problem({"DOI": "10.1000/x", "title": "One title"})
    "'title' is a string, not a list"
    """
    if not isinstance(record, dict):
        return f"{_JSON_NAMES.get(type(record), type(record).__name__)}, not a JSON object"
    doi = record.get("DOI")
    if doi is None:
        return "no DOI"
    if not isinstance(doi, str) or not doi.strip():
        return f"'DOI' is {_json_name(doi)}, not a DOI"
    for name, kind in WORK_FIELD_TYPES.items():
        value = record.get(name)
        if value is not None and not isinstance(value, kind):
            return f"{name!r} is {_json_name(value)}, not {_JSON_NAMES[kind]}"
    if "title" not in record and "type" not in record:
        return "neither a title nor a type"
    for name in _OBJECT_LISTS:
        if not all(isinstance(item, dict) for item in record.get(name) or []):
            return f"{name!r} holds items that are not objects"
    if not all(isinstance(t, str) for t in record.get("title") or []):
        return "'title' holds items that are not strings"
    return None


# The fields a refreshed record must keep when the cached one has them.
CORE_WORK_FIELDS = ("title", "type", "author", "container-title", "issued")


def worse_record(new: dict, old: dict, *, doi: str) -> str | None:
    """Why the work record ``new`` is worse than ``old`` for ``doi``, in words; None if it is not.

    A refresh may change any value (a retraction notice arrives, a title is corrected), but
    ``new`` is worse when it lacks a core field (:data:`CORE_WORK_FIELDS`) that ``old`` has,
    or when ``old`` is registered under ``doi`` itself and ``new`` under another DOI.

    >>> old = {"DOI": "10.1000/x", "type": "journal-article", "title": ["T"], "author": [{}]}
    >>> worse_record({"DOI": "10.1000/x", "title": ["T"]}, old, doi="10.1000/x")
    'lacks type, author that the cached record has'
    >>> worse_record(dict(old, title=["T, corrected"]), old, doi="10.1000/x") is None
    True
    """
    lost = [name for name in CORE_WORK_FIELDS if old.get(name) and not new.get(name)]
    if lost:
        return f"lacks {', '.join(lost)} that the cached record has"
    wanted = doi.strip().lower()
    if str(old.get("DOI", "")).lower() == wanted and str(new["DOI"]).lower() != wanted:
        return f"is registered under {new['DOI']}, the cached record under {wanted}"
    return None


def _json_name(value: object) -> str:
    if isinstance(value, str) and not value.strip():
        return "empty"
    return _JSON_NAMES.get(type(value), type(value).__name__)


def first_family_name(authors: str | None) -> str | None:
    """The family name of the first author in a printed author list ("Family, Given; …").

    >>> first_family_name("Cohen, Steven P.; et al.")
    'Cohen'
    """
    if authors is None or pd.isna(authors) or not str(authors).strip():
        return None
    return str(authors).split(";")[0].split(",")[0].strip()


# --- reading a cached record's kept fields only ---------------------------------------------


def _typed_struct(name: str, fields: dict[str, object]) -> type:
    """A msgspec Struct of optional ``fields`` (JSON name: type): a field absent from the
    JSON stays unset, so that turning the Struct back into a dict leaves it out."""
    return msgspec.defstruct(
        name,
        [
            (
                key.replace("-", "_"),
                kind | None | msgspec.UnsetType,
                msgspec.field(default=msgspec.UNSET, name=key),
            )
            for key, kind in fields.items()
        ],
    )


def _kept_type(name: str, kind: type) -> object:
    """The type a kept field is decoded as: its JSON type, with the cuts :func:`slim`
    makes (only some keys of authors, licences and dates) and the checks
    :func:`work_problem` makes (titles are strings, the object lists hold objects)."""
    if name in _USED_KEYS:
        return list[_typed_struct(name.title(), {k: Any for k in _USED_KEYS[name]})]
    if name in DATE_FIELDS:
        return _typed_struct("Date", {k: Any for k in _DATE_KEYS})
    if name == "title":
        return list[str]
    if name in _OBJECT_LISTS:
        return list[dict[str, Any]]
    return list[Any] if kind is list else kind


_KEPT_WORK = _typed_struct("KeptWork", {n: _kept_type(n, k) for n, k in WORK_FIELD_TYPES.items()})
_CACHED_FILE = msgspec.json.Decoder(
    msgspec.defstruct("CachedFile", [("message", _KEPT_WORK), ("provenance", dict[str, Any])])
)


def decode_slim(data: bytes) -> tuple[dict, dict] | None:
    """The ``message`` of a cached record file cut as :func:`slim` cuts it, and its
    ``provenance``; None when the file is not a well-formed work record.

    Only the kept fields are built (a reference list is skipped, not decoded), several
    times faster than decoding the whole file and cutting it. None means: read the file
    the long way (``json`` then :func:`work_problem`), which says what is wrong with it;
    this never accepts a record :func:`work_problem` would refuse (a test checks both ways
    on the recorded records and on damaged ones).

    >>> decode_slim(b'{"message": {"DOI": "10.1/x", "title": ["T"], "reference": [1, 2]},'
    ...             b' "provenance": {"via": "list"}}')
    ({'DOI': '10.1/x', 'title': ['T']}, {'via': 'list'})
    >>> decode_slim(b'{"message": {"DOI": "10.1/x", "title": "T"}, "provenance": {}}') is None
    True
    """
    try:
        cached = _CACHED_FILE.decode(data)
    except msgspec.DecodeError:  # malformed JSON, or a field of the wrong type
        return None
    work = cached.message
    if not isinstance(work.DOI, str) or not work.DOI.strip():
        return None
    if work.title is msgspec.UNSET and work.type is msgspec.UNSET:
        return None
    return msgspec.to_builtins(work), cached.provenance
