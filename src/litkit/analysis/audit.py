"""The citation audit: is each citation right, current, and not retracted?

Each citation as the article prints it is compared, field by field, with its cached
Crossref record: title (fuzzy; a missing subtitle is only a note), first author, journal
(abbreviations allowed), year, volume, issue, pages or article number, the DOI itself, an
ahead-of-print citation whose work now has a final issue, and the update notices Crossref
lists in ``updated-by`` (retractions, expressions of concern, corrections). Each citation
gets a verdict and its reasons in words; a citation with no cached record is
``not-checked``, never passed.

>>> normalise_pages("357–67"), normalise_pages("e26–32"), normalise_pages("p. 1")
('357-367', 'e26-e32', '1')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import pandas as pd
from rapidfuzz import fuzz

from litkit.crossref.records import first_family_name, plain_text, year_of
from litkit.processed import AUDIT_CHECKS as CHECKS
from litkit.processed import columns, conform
from litkit.schema import is_missing, row_dicts
from litkit.vocabulary import (
    AUDIT_LEVELS as LEVELS,
)
from litkit.vocabulary import (
    CONCERN_TYPES,
    CORRECTION_TYPES,
    RETRACTION_TYPES,
)

TITLE_SAME, TITLE_CLOSE = 95, 85  # rapidfuzz ratios (0-100) for "same" and "close"
AUTHOR_CLOSE = 85
_STOPWORDS = {"of", "the", "and", "for", "in", "on", "a", "an", "de", "la", "und", "fur", "&"}
_AHEAD_OF_PRINT = re.compile(r"ahead of print|online first|early view|epub|in press", re.I)


def _fold(text: object) -> str:
    """Lower case, accents and punctuation removed, white space collapsed."""
    text = "" if is_missing(text) else (plain_text(str(text)) or "")
    text = unicodedata.normalize("NFKD", text.replace("&", " and "))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def check_title(printed: str, record: dict) -> tuple[str, str]:
    """Fuzzy title match; a citation that drops the record's subtitle gets a note."""
    title = _fold((record.get("title") or [""])[0])
    cited = _fold(printed)
    if not title:
        return "ok", "record has no title to compare"
    if fuzz.ratio(cited, title) >= TITLE_SAME:
        return "ok", "title matches"
    main = _fold(
        re.split(r"[:?.!]\s|\s[-—–]\s", plain_text((record.get("title") or [""])[0]) or "")[0]
    )
    if main and fuzz.ratio(cited, main) >= TITLE_SAME:
        return "note", "subtitle missing in the citation"
    if fuzz.token_set_ratio(cited, title) >= TITLE_CLOSE:
        return "minor", "title differs slightly from the record"
    return "major", f"title does not match the record ({plain_text(record['title'][0])!r})"


def check_first_author(printed_first: str | None, record: dict) -> tuple[str, str]:
    """The first author's family name (or organisation) against the record's first author."""
    authors = record.get("author") or []
    if not authors:
        return "ok", "record lists no authors"
    first = authors[0].get("family") or authors[0].get("name") or ""
    if is_missing(printed_first):
        return "minor", "first author missing in the citation"
    cited, actual = _fold(printed_first), _fold(first)
    if cited == actual:
        return "ok", "first author matches"
    if fuzz.ratio(cited, actual) >= AUTHOR_CLOSE:
        return "minor", f"first author spelled differently ({first})"
    return "major", f"first author is {first} in the record"


def _is_abbreviation(cited: str, full: str) -> bool:
    """Whether each word of ``cited`` starts the matching significant word of ``full``."""
    short = [w for w in cited.split() if w not in _STOPWORDS]
    words = [w for w in full.split() if w not in _STOPWORDS]
    return (
        bool(short)
        and len(short) == len(words)
        and all(w.startswith(s) for s, w in zip(short, words, strict=False))
    )


def check_journal(printed: str, record: dict) -> tuple[str, str]:
    """The journal name, allowing ISO-style abbreviations and the short title."""
    names = [
        _fold(n)
        for n in (record.get("container-title") or []) + (record.get("short-container-title") or [])
        if n
    ]
    cited = _fold(printed)
    if not names:
        return "ok", "record has no journal name"
    if cited in names:
        return "ok", "journal matches"
    if any(_is_abbreviation(cited, n) or _is_abbreviation(n, cited) for n in names):
        return "note", "journal abbreviated"
    if max(fuzz.token_set_ratio(cited, n) for n in names) >= TITLE_CLOSE:
        return "minor", "journal name differs slightly"
    return "major", f"journal is {plain_text(record['container-title'][0])!r} in the record"


def _date_years(record: dict) -> dict[str, int]:
    years = {}
    for name in ("published-online", "published-print", "issued"):
        year = year_of({name: record.get(name)}) if record.get(name) else None
        if year:
            years[name] = year
    return years


def check_year(printed: str, record: dict) -> tuple[str, str]:
    """The year; an online-first year where the issue year differs is minor, not major."""
    year = year_of(record)
    if year is None or is_missing(printed):
        return "ok", "no year to compare"
    if int(printed) == year:
        return "ok", "year matches"
    other = {n: y for n, y in _date_years(record).items() if y == int(printed)}
    if other:
        return (
            "minor",
            f"year {printed} is the {next(iter(other)).replace('-', ' ')} date; issued {year}",
        )
    return "major", f"year is {year} in the record, not {printed}"


def _field(name: str, printed: object, actual: object) -> tuple[str, str]:
    if is_missing(actual):
        return "ok", f"record has no {name}"
    if is_missing(printed):
        return "minor", f"{name} missing in the citation (record: {actual})"
    if str(printed).strip().lower() == str(actual).strip().lower():
        return "ok", f"{name} matches"
    return "minor", f"{name} is {actual} in the record, not {printed}"


def normalise_pages(pages: object) -> str:
    """A page range with abbreviated end pages expanded: ``357–67`` → ``357-367``."""
    text = (
        re.sub(r"^pp?\.\s*", "", str(pages).strip(), flags=re.I).replace("–", "-").replace("—", "-")
    )
    match = re.fullmatch(r"([a-z]*)(\d+)\s*-\s*([a-z]*)(\d+)", text, flags=re.I)
    if not match:
        return text.lower()
    prefix, start, end_prefix, end = match.groups()
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{prefix}{start}-{end_prefix or prefix}{end}".lower()


def check_pages(printed: object, record: dict) -> tuple[str, str]:
    """Pages or article number; ranges compared after expanding abbreviations."""
    actual = record.get("page") or record.get("article-number")
    if is_missing(actual):
        return "ok", "record has no pages"
    if is_missing(printed):
        return "minor", f"pages missing in the citation (record: {actual})"
    cited, real = normalise_pages(printed), normalise_pages(actual)
    if cited == real:
        return "ok", "pages match"
    if cited.split("-")[0] == real.split("-")[0]:
        return "minor", f"page range is {actual} in the record"
    return "minor", f"pages are {actual} in the record, not {printed}"


def check_ahead_of_print(citation: pd.Series, record: dict) -> tuple[str, str]:
    """A citation to an ahead-of-print version of a work that now has its final issue."""
    printed = " ".join(str(citation.get(c) or "") for c in ("volume", "issue", "pages"))
    if not _AHEAD_OF_PRINT.search(printed):
        return "ok", "not cited ahead of print"
    if record.get("volume") and (record.get("issue") or record.get("page")):
        where = ", ".join(f"{k} {record[k]}" for k in ("volume", "issue", "page") if record.get(k))
        return "minor", f"cited ahead of print; now published ({where}, {year_of(record)})"
    return "note", "cited ahead of print; the record has no final issue yet"


def notices(record: dict) -> list[dict]:
    """The update notices on a record, each with its kind, notice DOI, date and source."""
    found = []
    for update in record.get("updated-by") or []:
        date = (update.get("updated") or {}).get("date-time", "")[:10]
        found.append(
            {
                "type": str(update.get("type", "update")).lower(),
                "doi": str(update.get("DOI", "")).lower(),
                "date": date,
                "source": update.get("source", "publisher"),
            }
        )
    return found


def check_notices(record: dict) -> tuple[str, str]:
    """Retractions, expressions of concern and corrections Crossref lists for the work."""
    found = notices(record)
    if not found:
        return "ok", "no update notices"
    worst = "note"
    words = []
    for n in found:
        kind = n["type"].replace("_", " ")
        words.append(f"{kind} {n['doi']} ({n['date'] or 'undated'}, {n['source']})")
        if n["type"] in RETRACTION_TYPES or n["type"] in CONCERN_TYPES:
            worst = "major"
        elif n["type"] in CORRECTION_TYPES and worst == "note":
            worst = "minor"
    return worst, "; ".join(words)


def check_doi(cited: str, record: dict) -> tuple[str, str]:
    """Whether the record is registered under the cited DOI itself.

    Crossref answers an alias DOI with the record of its primary DOI; the cited DOI then
    still leads to the work, so this is minor, but the citation should give the primary
    DOI (and a record that is the wrong work fails the title and author checks as well).
    """
    registered = str(record.get("DOI", "")).strip().lower()
    if registered == str(cited).strip().lower():
        return "ok", "DOI found at Crossref"
    return "minor", f"the record is registered under another DOI, {registered}; cite that DOI"


def _verdict(results: dict[str, tuple[str, str]], retracted: bool) -> str:
    if retracted:
        return "retracted"
    worst = max((level for level, _ in results.values()), key=LEVELS.index)
    return {"ok": "ok", "note": "ok", "minor": "minor", "major": "major"}[worst]


def audit_citation(
    citation: Mapping[str, object], record: dict | None, lookup: Mapping[str, str] | None = None
) -> dict:
    """Audit one citation against its Crossref record (or what the DOI look-up said)."""
    base = {
        "role": citation.get("role", "cited"),
        "article_id": citation["article_id"],
        "ref_no": citation["ref_no"],
        "doi": citation["doi"],
    }
    if record is None:
        if lookup:
            reason = f"DOI {lookup.get('reason') or 'not found at Crossref'}"
            checks = {f"{c}_check": pd.NA for c in CHECKS} | {"doi_check": f"major: {reason}"}
            return (
                base
                | checks
                | {
                    "verdict": "major",
                    "reasons": reason,
                    "retracted": False,
                    "concern": False,
                    "notice_dois": "",
                }
            )
        return (
            base
            | {f"{c}_check": pd.NA for c in CHECKS}
            | {
                "verdict": "not-checked",
                "retracted": False,
                "concern": False,
                "notice_dois": "",
                "reasons": "no Crossref record cached for this DOI yet: run `litkit fetch` with network access",
            }
        )
    if is_missing(citation["title"]) and is_missing(citation["authors"]):
        return base | _audit_link(citation["doi"], record)
    first = first_family_name(citation["authors"])
    results = {
        "title": check_title(citation["title"], record),
        "first_author": check_first_author(first, record),
        "journal": check_journal(citation["journal"], record),
        "year": check_year(citation["year"], record),
        "volume": _field(
            "volume",
            None if _AHEAD_OF_PRINT.search(str(citation["volume"] or "")) else citation["volume"],
            record.get("volume"),
        ),
        "issue": _field("issue", citation["issue"], record.get("issue")),
        "pages": check_pages(citation["pages"], record),
        "doi": check_doi(citation["doi"], record),
        "ahead_of_print": check_ahead_of_print(citation, record),
        "notices": check_notices(record),
    }
    if citation.get("role") == "best-evidence":
        # Only author, title, journal and year are curated for best-evidence works.
        for name in ("volume", "issue", "pages", "ahead_of_print"):
            results[name] = ("ok", f"{name.replace('_', ' ')} not recorded for best evidence")
    kinds = {n["type"] for n in notices(record)}
    retracted = bool(kinds & set(RETRACTION_TYPES))
    reasons = [text for level, text in results.values() if level != "ok"]
    return (
        base
        | {f"{c}_check": f"{level}: {text}" for c, (level, text) in results.items()}
        | {
            "verdict": _verdict(results, retracted),
            "reasons": "; ".join(reasons) or "matches its Crossref record",
            "retracted": retracted,
            "concern": bool(kinds & set(CONCERN_TYPES)),
            "notice_dois": "; ".join(n["doi"] for n in notices(record)),
        }
    )


def _audit_link(cited_doi: str, record: dict) -> dict:
    """A work cited by a link prints no fields to compare: only its DOI and notices are checked."""
    results = {"doi": check_doi(cited_doi, record), "notices": check_notices(record)}
    kinds = {n["type"] for n in notices(record)}
    retracted = bool(kinds & set(RETRACTION_TYPES))
    reasons = [text for level, text in results.values() if level != "ok"]
    return (
        {f"{c}_check": pd.NA for c in CHECKS}
        | {f"{c}_check": f"{level}: {text}" for c, (level, text) in results.items()}
        | {
            "verdict": _verdict(results, retracted),
            "reasons": "; ".join(["cited by a link: no printed fields to check", *reasons]),
            "retracted": retracted,
            "concern": bool(kinds & set(CONCERN_TYPES)),
            "notice_dois": "; ".join(n["doi"] for n in notices(record)),
        }
    )


def audit_citations(
    citations: pd.DataFrame,
    records: Mapping[str, dict],
    not_found: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """One audit row per citation.

    Args:
        citations: the citations as printed.
        records: cached Crossref records by lower-case DOI.
        not_found: DOIs Crossref did not know at the last look, with the reason.
    """
    not_found = not_found or {}
    rows = [
        audit_citation(c, records.get(c["doi"]), not_found.get(c["doi"]))
        for c in row_dicts(citations)
    ]
    return conform(pd.DataFrame(rows, columns=columns("citation_audit")), "citation_audit")


def flags_by_doi(audit: pd.DataFrame) -> dict[str, str]:
    """DOIs whose record carries a retraction or an expression of concern, in words."""
    flagged = audit[
        audit["retracted"].fillna(False).astype(bool) | audit["concern"].fillna(False).astype(bool)
    ]
    flags = {}
    for row in row_dicts(flagged, ["doi", "retracted", "notice_dois"]):
        kind = "retracted" if row["retracted"] else "expression of concern"
        flags[row["doi"]] = f"{kind} ({row['notice_dois']})"
    return flags


def retracted_dois(audit: pd.DataFrame) -> dict[str, str]:
    """Retracted DOIs with the reason they are left out of the certainty."""
    retracted = audit[audit["retracted"].fillna(False).astype(bool)]
    return {
        row["doi"]: f"retracted ({row['notice_dois']})"
        for row in row_dicts(retracted, ["doi", "notice_dois"])
    }
