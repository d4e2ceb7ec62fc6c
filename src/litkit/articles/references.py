"""Reference lists: finding the entries, reading their printed fields, tying markers to them.

No light, well-kept Python library parses a single printed reference into fields
(refextract needs a PDF tool chain and a large knowledge base; GROBID and AnyStyle are
services in Java and Ruby), so each citation style litkit reads has one documented regular
expression below, tried in turn: MLA, APA, Harvard, Vancouver/AMA. An entry none of them
fits is kept whole with style ``unparsed``, for a person to split.

The reference list is the blocks under a heading such as "References" or "Sources", or
else a run of two or more list items that each print a year and either a title in quotes,
a DOI, URL or PMID, a ``(year)``, or a ``year;volume`` or ``volume(issue)`` group. Markers in the text — ``[1]``, ``[2, 3]``,
``[4-6]``, superscripts, and ``(Author, Year)`` or ``(Author et al. Year)`` — are tied to
the entries they name.

>>> fields = parse_reference('Smith J, Doe A. Vitamin X for colds. BMJ. 2017;356:i6583.')
>>> fields["style"], fields["authors"], fields["journal"], fields["year"], fields["pages"]
('vancouver', 'Smith, J; Doe, A', 'BMJ', '2017', 'i6583')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from litkit.articles.extract import Block, Document
from litkit.articles.identifiers import Found, identifiers_in_document, unique
from litkit.articles.spans import starting_within

FIELDS = ("authors", "title", "journal", "volume", "issue", "pages", "year", "month")

_YEAR = r"(?:19|20)\d\d"
_QUOTE_OPEN, _QUOTE_CLOSE = "[\"\u201c\u2018']", "[\"\u201d\u2019']"

# MLA 9: Family, Given, and Given Family. "Title." Container, vol. V, no. N, Mon. Year, pp. P, DOI.
MLA = re.compile(
    r"^(?P<authors>.+?)\.\s+\u201c(?P<title>.+?)[.?!]?\u201d\s+(?P<journal>[^,]+),(?P<rest>.*)$"
)
_MLA_VOLUME = re.compile(r"\bvol\.\s*(?P<volume>[^,]+)")
_MLA_ISSUE = re.compile(r"\bno\.\s*(?P<issue>[^,]+)")
_MLA_DATE = re.compile(
    rf"(?:(?P<month>[A-Z][a-z]{{2,8}}\.?)\s+)?(?:\d{{1,2}}\s+)?(?P<year>{_YEAR})"
)
_MLA_PAGES = re.compile(r"\bpp?\.\s*(?P<pages>[^,\s]+)")

# APA 7: Family, A. B., & Family, C. (Year). Title. Journal, Volume(Issue), Pages. DOI
APA = re.compile(
    rf"^(?P<authors>.+?)\s+\((?P<year>{_YEAR})[a-z]?(?:,\s*(?P<month>[A-Z][a-z]+)[^)]*)?\)\.\s+"
    rf"(?P<title>[^{_QUOTE_OPEN[1:-1]}].+?[.?!])\s+(?P<journal>[^,.]+(?:\.[^,.\d]+)*),\s*"
    r"(?P<volume>\d+)(?:\((?P<issue>[^)]+)\))?(?:,\s*(?P<pages>[A-Za-z]?\d+(?:[\u2013\-][A-Za-z]?\d+)?))?"
)

# Harvard (Cite Them Right): Family, A. and Family, B. (Year) 'Title', Journal, Vol(Issue), pp. P.
HARVARD = re.compile(
    rf"^(?P<authors>.+?)\s+\(?(?P<year>{_YEAR})[a-z]?\)?[.,]?\s+{_QUOTE_OPEN}(?P<title>.+?)"
    rf"{_QUOTE_CLOSE},?\s+(?P<journal>[^,]+),\s*(?P<volume>\d+)(?:\((?P<issue>[^)]+)\))?"
    r"(?:,\s*(?:pp?\.\s*)?(?P<pages>[A-Za-z]?\d+(?:[\u2013\-][A-Za-z]?\d+)?))?"
)

# Vancouver / AMA: Family AB, Family C. Title. Journal. Year Mon Day;Vol(Issue):Pages. doi:...
VANCOUVER = re.compile(
    rf"^(?P<authors>[^.]+?)\.\s+(?P<title>.+?[.?!])\s+(?P<journal>[A-Z][^.;]*?)\.?\s+"
    rf"(?P<year>{_YEAR})(?:\s+(?P<month>[A-Z][a-z]{{2}})[a-z]*\.?(?:\s+\d{{1,2}})?)?;\s*"
    r"(?P<volume>[^(:;.\s]+)?(?:\s*\((?P<issue>[^)]+)\))?(?::\s*(?P<pages>[A-Za-z]?\d+(?:[\u2013\-][A-Za-z]?\d+)?))?"
)

STYLES = (("mla", MLA), ("apa", APA), ("harvard", HARVARD), ("vancouver", VANCOUVER))

_LIST_HEADING = re.compile(
    r"^(?:references?|bibliography|sources|works cited|literature cited|citations|"
    r"further reading|notes and references)\s*:?$",
    re.IGNORECASE,
)
_ENTRY_MARKER = re.compile(r"^\s*(?:[\u2022\u25cf\u25aa*\-\u2013]|\d{1,6}[.)]|\[\d{1,6}\])\s+")
_LOOKS_CITED = re.compile(
    rf"{_QUOTE_OPEN}.+{_QUOTE_CLOSE}|10\.\d{{4,}}/|https?://|{_YEAR}\s*;\s*\d|\({_YEAR}[a-z]?\)"
    r"|\b\d+\s*\(\d+\)|\bPMID\b"
)
_NUMBERED_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,\u2013\-]\s*\d{1,3})*)\]")
_AUTHOR_YEAR = re.compile(
    rf"\((?P<inner>[A-Z][^()]{{0,120}}?{_YEAR}[a-z]?(?:;\s*[A-Z][^();]{{0,80}}?{_YEAR}[a-z]?)*)\)"
)
_ONE_AUTHOR_YEAR = re.compile(
    rf"(?P<name>[A-Z][\w'\-]+)(?:\s+(?:et al\.?|and|&)\s*(?:[A-Z][\w'\-]+)?)?,?\s+(?P<year>{_YEAR})"
)


@dataclass(frozen=True)
class Reference:
    """One entry of a reference list, with its printed fields and identifiers.

    ``number`` is its printed number, else its place in the list (from 1). ``start`` and
    ``end`` are the entry's span in the document's text (its list marker left out).
    """

    number: int
    text: str
    start: int
    end: int
    style: str
    fields: dict[str, str]
    identifiers: tuple[Found, ...] = field(default=())


@dataclass(frozen=True)
class Marker:
    """A citation marker in the text and the reference numbers it names."""

    start: int
    end: int
    numbers: tuple[int, ...]


# --- parsing one entry -------------------------------------------------------------------------


def parse_reference(text: str) -> dict[str, str]:
    """The printed fields of one reference (empty strings where absent), and its ``style``.

    >>> parse_reference("Brown, K., & Tucker, C. (2020). Drug X for colds. Crit Care Nurse, 40(5), e26-e32.")["issue"]
    '5'
    """
    entry = " ".join(text.split())
    for style, pattern in STYLES:
        match = pattern.match(entry)
        if match:
            groups = {k: (v or "").strip() for k, v in match.groupdict().items()}
            if style == "mla":
                groups |= _mla_rest(groups.pop("rest"))
            fields = {name: groups.get(name, "") for name in FIELDS}
            fields["authors"] = _authors(fields["authors"], style)
            fields["title"] = fields["title"].rstrip(".").strip()
            fields["month"] = fields["month"].rstrip(".")
            if fields["year"]:
                return fields | {"style": style}
    return {name: "" for name in FIELDS} | {"style": "unparsed"}


def _mla_rest(rest: str) -> dict[str, str]:
    """Volume, issue, date and pages from the comma-separated tail of an MLA entry."""
    found: dict[str, str] = {}
    for part in (p.strip() for p in rest.split(",")):
        for pattern in (_MLA_VOLUME, _MLA_ISSUE, _MLA_PAGES):
            match = pattern.match(part)
            if match and not set(match.groupdict()) & set(found):
                found |= match.groupdict()
                break
        else:
            match = _MLA_DATE.fullmatch(part.rstrip("."))
            if match and "year" not in found:
                found |= {k: v or "" for k, v in match.groupdict().items()}
    return found


def _authors(printed: str, style: str) -> str:
    """The authors as ``Family, Given; Family, Given`` (``et al.`` kept), from any style.

    >>> _authors("Bell, Rae Frances, and Eija Anneli Kalso", "mla")
    'Bell, Rae Frances; Kalso, Eija Anneli'
    >>> _authors("Smith, J. A., Doe, B., & Roe, C.", "apa")
    'Smith, J. A.; Doe, B.; Roe, C.'
    """
    printed = printed.strip().rstrip(",")
    et_al = bool(re.search(r",?\s*et al\.?$", printed))
    printed = re.sub(r",?\s*et al\.?$", "", printed)
    if style == "mla":
        first, _, others = (
            printed.partition(", and ") if ", and " in printed else printed.partition(" and ")
        )
        head = first.split(", ")
        names = [", ".join(head[:2])] + [
            ", ".join(reversed(n.rsplit(" ", 1))) for n in [*head[2:], *filter(None, [others])]
        ]
    elif style in ("apa", "harvard"):
        joined = re.sub(r",?\s+(?:and|&)\s+", ", ", printed)
        names = [
            m.group(0).strip().rstrip(",")
            for m in re.finditer(r"[^,]+?,\s*(?:[A-Z][a-z]?\.\s*-?\s*)+", joined)
        ]
        if not names:
            names = [
                n.strip()
                for n in re.split(r",\s*(?:and|&)\s*|\s+(?:and|&)\s+|,\s*", printed)
                if n.strip()
            ]
    else:  # Vancouver / AMA: Family AB, Family C
        names = []
        for name in (n.strip() for n in printed.split(",") if n.strip()):
            family, _, initials = name.rpartition(" ")
            names.append(f"{family}, {initials}" if family and initials.isupper() else name)
    return "; ".join([*names, *(["et al."] if et_al else [])])


# --- the list in a document --------------------------------------------------------------------


def _candidate_runs(document: Document) -> list[list[Block]]:
    """Blocks that may form reference lists: under a references heading, or runs of items."""
    runs: list[list[Block]] = []
    under_heading: list[Block] | None = None
    items: list[Block] = []
    for block in document.blocks:
        if block.kind == "heading":
            if under_heading:
                runs.append(under_heading)
            under_heading = [] if _LIST_HEADING.match(document.block_text(block).strip()) else None
            if items:
                runs.append(items)
            items = []
            continue
        if under_heading is not None and block.kind in ("item", "paragraph"):
            under_heading.append(block)
        elif block.kind == "item":
            if items and "\n\n" in document.text[items[-1].end : block.start]:
                runs.append(items)  # a blank line ends a list
                items = []
            items.append(block)
        else:
            if items:
                runs.append(items)
            items = []
    runs += [r for r in (under_heading, items) if r]
    return runs


def _is_reference_run(document: Document, run: list[Block], *, headed: bool) -> bool:
    texts = [document.block_text(b) for b in run]
    cited = [t for t in texts if re.search(_YEAR, t) and _LOOKS_CITED.search(t)]
    return bool(cited) and (headed or (len(run) >= 2 and len(cited) == len(run)))


def reference_list(document: Document) -> list[Reference]:
    """The entries of the document's reference list(s), each parsed and with its identifiers."""
    entries: list[Reference] = []
    headed_starts = _headed_blocks(document)
    links_by_start = sorted(document.links, key=lambda link: link.start)
    link_starts = [link.start for link in links_by_start]
    for run in _candidate_runs(document):
        if not _is_reference_run(document, run, headed=run[0].start in headed_starts):
            continue
        for position, block in enumerate(run, start=len(entries) + 1):
            raw = document.block_text(block)
            marker = _ENTRY_MARKER.match(raw)
            start = block.start + (marker.end() if marker else len(raw) - len(raw.lstrip()))
            text = document.text[start : block.end].rstrip()
            number_match = re.match(r"\s*\[?(\d{1,6})[.)\]]", raw)
            number = block.number or (int(number_match.group(1)) if number_match else position)
            local = [
                type(link)(link.url, link.text, link.start - start, link.end - start)
                for link in links_by_start[starting_within(link_starts, start, block.end)]
            ]
            found = unique(identifiers_in_document(text, local))
            identifiers = tuple(
                Found(f.type, f.identifier, f.url, f.start + start, f.end + start) for f in found
            )
            fields = parse_reference(text)
            entries.append(
                Reference(
                    number, text, start, start + len(text), fields.pop("style"), fields, identifiers
                )
            )
    return entries


def _headed_blocks(document: Document) -> set[int]:
    """Starts of the first blocks that follow a references heading."""
    starts, after = set(), False
    for block in document.blocks:
        if block.kind == "heading":
            after = bool(_LIST_HEADING.match(document.block_text(block).strip()))
        elif after:
            starts.add(block.start)
            after = False
    return starts


# --- markers in the text ----------------------------------------------------------------------------


def _numbers(inner: str) -> tuple[int, ...]:
    """``"1, 3-5"`` → ``(1, 3, 4, 5)``."""
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", inner.strip()):
        low, _, high = part.replace("\u2013", "-").partition("-")
        if low.strip().isdigit() and high.strip().isdigit() and int(high) - int(low) < 50:
            numbers += range(int(low), int(high) + 1)
        elif low.strip().isdigit():
            numbers.append(int(low))
    return tuple(numbers)


def _family(authors: str) -> str:
    return authors.split(";")[0].split(",")[0].strip().lower()


def inline_markers(document: Document, references: list[Reference]) -> list[Marker]:
    """The citation markers in the text before the list, each with the entries it names."""
    if not references:
        return []
    end_of_text = min(r.start for r in references)
    known = {r.number for r in references}
    markers: list[Marker] = []
    for match in _NUMBERED_MARKER.finditer(document.text, 0, end_of_text):
        numbers = tuple(n for n in _numbers(match.group(1)) if n in known)
        if numbers:
            markers.append(Marker(match.start(), match.end(), numbers))
    for start, end in document.markers:
        if end <= end_of_text:
            numbers = tuple(n for n in _numbers(document.text[start:end]) if n in known)
            if numbers:
                markers.append(Marker(start, end, numbers))
    by_author_year = {
        (_family(r.fields["authors"]), r.fields["year"]): r.number
        for r in references
        if r.fields["authors"] and r.fields["year"]
    }
    for match in _AUTHOR_YEAR.finditer(document.text, 0, end_of_text):
        numbers = tuple(
            by_author_year[key]
            for one in _ONE_AUTHOR_YEAR.finditer(match.group("inner"))
            if (key := (one.group("name").lower(), one.group("year"))) in by_author_year
        )
        if numbers:
            markers.append(Marker(match.start(), match.end(), numbers))
    return sorted(markers, key=lambda m: m.start)
