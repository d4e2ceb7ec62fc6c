"""Which scholarly works a text cites: DOIs, PubMed, PMC, Elsevier PII, arXiv, ISBN, Bookshelf ids.

An identifier is found in two ways. In a link's URL, through the rules of the data table
``litkit/data/identifier_patterns.csv`` (rows with ``where`` = ``url``): each names the
hosts it applies to, a pattern for the URL's path and query, and how the pattern's groups
make the identifier, with the publisher's documentation of the rule; a URL no rule
matches gives the DOI it carries in its path or query, if any. In running text, through
the rows with ``where`` = ``text`` (``PMID: 123``, ``arXiv:2101.00001``, ``ISBN …``) and
:func:`litkit.doi.extract_dois`. Every DOI found either way then passes the rows with
``where`` = ``doi`` (a preprint's version, a figure's component DOI → the work).

Proxies and mirrors are unwrapped first: a URL whose path or query holds another full URL
(``https://mirror.example/https://pubmed.ncbi.nlm.nih.gov/1/``, ``…/login?url=…``) stands for
that URL, and an EZproxy host (``www-nature-com.ezproxy.uni.edu``) for the host it spells.

Each identifier is in its normal form (see :func:`normalize`); a link that yields none is
not a scholarly work as far as litkit knows (news, blogs, shops, images, social media).

>>> [(c.type, c.identifier) for c in identifiers_in_url("https://www.nature.com/articles/s41586-020-2012-7")]
[('doi', '10.1038/s41586-020-2012-7')]
>>> normalize("pii", "S0006-3223(12)00557-4")
'S0006322312005574'
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from urllib.parse import parse_qsl, unquote, urlsplit

from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

from litkit.articles.spans import Spans
from litkit.doi import extract_dois, normalize_doi
from litkit.vocabulary import IDENTIFIER_TYPES

PATTERNS_FILE = "identifier_patterns.csv"

# A URL in running text: up to white space or a closing bracket or quote; the closing
# punctuation of a sentence is not part of it.
_BARE_URL = re.compile(r"https?://[^\s<>\"'\]]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)*_\u201d\u2019"
_EMBEDDED_URL = re.compile(r"https?:/{1,2}[^\s]+", re.IGNORECASE)
_EZPROXY_HOST = re.compile(r"^(?P<host>[a-z0-9\-]+)\.(?:[a-z0-9\-]+\.)*?ezproxy\.", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    """One row of the patterns table: where it looks, what it matches, what it makes."""

    rule: str
    where: str
    host: re.Pattern[str] | None
    pattern: re.Pattern[str]
    type: str
    template: str
    source: str

    def identifier(self, match: re.Match[str]) -> str:
        """The identifier this rule makes of ``match`` (its groups filled into the template)."""
        return self.template.format(**{k: v or "" for k, v in match.groupdict().items()})


@dataclass(frozen=True)
class Found:
    """An identifier found in a text: its type, its normal form, and where it came from.

    ``url`` is the link it came from (empty when it was printed in the text); ``start`` and
    ``end`` are its place in the text (the link's anchor for a link).
    """

    type: str
    identifier: str
    url: str
    start: int
    end: int


@cache
def rules() -> tuple[Rule, ...]:
    """The rules of ``litkit/data/identifier_patterns.csv``, in table order."""
    text = files("litkit").joinpath("data", PATTERNS_FILE).read_text(encoding="utf-8")
    loaded = []
    for row in csv.DictReader(text.splitlines()):
        if row["type"] not in IDENTIFIER_TYPES:
            raise ValueError(
                f"{PATTERNS_FILE}: rule {row['rule']!r} has unknown type {row['type']!r}"
            )
        # PMC and NBK ids are printed in capitals; matching them in any case would find
        # them inside ordinary words.
        flags = 0 if row["where"] == "url" or row["type"] in ("pmcid", "nbk") else re.IGNORECASE
        loaded.append(
            Rule(
                rule=row["rule"],
                where=row["where"],
                host=re.compile(row["host"], re.IGNORECASE) if row["host"] else None,
                pattern=re.compile(row["pattern"], flags),
                type=row["type"],
                template=row["template"],
                source=row["source"],
            )
        )
    return tuple(loaded)


# --- normal forms -----------------------------------------------------------------------------


def _doi(value: str) -> str:
    doi = normalize_doi(value)
    for rule in rules():
        if rule.where == "doi":
            match = rule.pattern.fullmatch(doi)
            if match:
                doi = rule.identifier(match).lower()
    return doi


def _pmid(value: str) -> str:
    digits = value.strip()
    if not digits.isdigit() or int(digits) == 0:
        raise ValueError(f"not a PMID: {value!r}")
    return str(int(digits))


def _pmcid(value: str) -> str:
    match = re.fullmatch(r"(?:PMC)?(\d{1,9})", value.strip(), re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"not a PMCID: {value!r}")
    return f"PMC{int(match.group(1))}"


def _pii(value: str) -> str:
    compact = re.sub(r"[\s()\-]", "", value).upper()
    if not re.fullmatch(r"S\d{7}[\dX]\d{7}[\dX]", compact):
        raise ValueError(f"not a PII: {value!r}")
    # The ISSN inside a PII carries its own check digit: a cheap guard against look-alikes.
    if not stdnum_issn.is_valid(compact[1:9]):
        raise ValueError(f"not a PII (ISSN {compact[1:9]} fails its check digit): {value!r}")
    return compact


def _arxiv(value: str) -> str:
    match = re.fullmatch(
        r"(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z][a-z\-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?",
        value.strip(),
        re.IGNORECASE,
    )
    if not match:
        raise ValueError(f"not an arXiv id: {value!r}")
    ident = match.group(1)
    if "/" in ident:  # old style: archive lower case, subject class upper case
        archive, number = ident.split("/")
        head, _, subject = archive.partition(".")
        ident = f"{head.lower()}{'.' + subject.upper() if subject else ''}/{number}"
    return ident


def _isbn(value: str) -> str:
    if not stdnum_isbn.is_valid(value):
        raise ValueError(f"not an ISBN: {value!r}")
    return stdnum_isbn.to_isbn13(stdnum_isbn.compact(value))


def _nbk(value: str) -> str:
    match = re.fullmatch(r"NBK(\d{1,9})", value.strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"not an NCBI Bookshelf id: {value!r}")
    return f"NBK{match.group(1)}"


_NORMALIZERS = {
    "doi": _doi,
    "pmid": _pmid,
    "pmcid": _pmcid,
    "pii": _pii,
    "arxiv": _arxiv,
    "isbn": _isbn,
    "nbk": _nbk,
}


def normalize(type_: str, value: str) -> str:
    """The normal form of an identifier of ``type_``; ``ValueError`` when it is not one.

    DOIs: lower case, as :func:`litkit.doi.normalize_doi`, preprint versions dropped. PMIDs:
    digits. PMCIDs: ``PMC`` + digits. PIIs: ``S`` + 16 characters, upper case, no
    punctuation. arXiv: the id without its version. ISBNs: the 13 digits of ISBN-13.
    Bookshelf: ``NBK`` + digits.

    >>> normalize("doi", "https://doi.org/10.1101/2020.11.16.20232397v1")
    '10.1101/2020.11.16.20232397'
    >>> normalize("isbn", "0-306-40615-2"), normalize("pmcid", "pmc0123")
    ('9780306406157', 'PMC123')
    """
    if type_ not in _NORMALIZERS:
        raise ValueError(
            f"unknown identifier type {type_!r}; expected one of: {', '.join(_NORMALIZERS)}"
        )
    return _NORMALIZERS[type_](value)


# --- URLs ---------------------------------------------------------------------------------


def unwrap(url: str) -> str:
    """The URL a proxy or mirror URL stands for (``url`` itself when it wraps none).

    >>> unwrap("https://sci-hub.example/https://www.mdpi.com/2072-6643/12/11/3377")
    'https://www.mdpi.com/2072-6643/12/11/3377'
    >>> unwrap("https://login.proxy.example/login?url=https://doi.org/10.1000/x")
    'https://doi.org/10.1000/x'
    >>> unwrap("https://www-nature-com.ezproxy.uni.example/articles/nature12373")
    'https://www.nature.com/articles/nature12373'
    """
    for _ in range(5):  # wrappers can nest; five levels is more than any real link has
        parts = urlsplit(url)
        inner = _EMBEDDED_URL.search(parts.path)
        if inner is None:
            inner_value = next(
                (unquote(v) for _, v in parse_qsl(parts.query) if _EMBEDDED_URL.match(unquote(v))),
                None,
            )
        else:
            inner_value = unquote(url[url.index(inner.group(0)) :])
        if inner_value:
            url = re.sub(r"^(https?):/(?!/)", r"\1://", inner_value, flags=re.IGNORECASE)
            continue
        proxied = _EZPROXY_HOST.match(parts.hostname or "")
        if proxied:
            # EZproxy writes a host's dots as hyphens and its hyphens as double hyphens.
            host = proxied.group("host").replace("--", "\0").replace("-", ".").replace("\0", "-")
            url = parts._replace(netloc=host).geturl()
        return url
    return url


def identifiers_in_url(url: str) -> list[Found]:
    """The identifiers a link's URL names (usually one, or none for a non-scholarly link).

    >>> [(f.type, f.identifier) for f in identifiers_in_url("https://pubmed.ncbi.nlm.nih.gov/32927735/")]
    [('pmid', '32927735')]
    >>> identifiers_in_url("https://twitter.com/someone/status/1303666136261832707")
    []
    """
    target = unwrap(url.strip())
    parts = urlsplit(target)
    host = (parts.hostname or "").lower()
    where = parts.path + (f"?{parts.query}" if parts.query else "")
    for rule in rules():
        if rule.where != "url" or not (rule.host and rule.host.fullmatch(host)):
            continue
        match = rule.pattern.search(where)
        if match:
            try:
                return [Found(rule.type, normalize(rule.type, rule.identifier(match)), url, 0, 0)]
            except ValueError:
                continue  # e.g. a PII look-alike whose ISSN check digit fails
    found = []
    for doi in extract_dois(target):
        found.append(Found("doi", normalize("doi", doi), url, 0, 0))
    return found


def bare_urls(text: str) -> Iterator[tuple[int, int]]:
    """The spans of the URLs written out in running text, closing punctuation left out."""
    for match in _BARE_URL.finditer(text):
        url = match.group(0)
        while url and url[-1] in _URL_TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        yield match.start(), match.start() + len(url)


def identifiers_in_text(text: str, *, skip: Iterable[tuple[int, int]] = ()) -> list[Found]:
    """The identifiers printed in running ``text``, by position, not overlapping ``skip`` spans.

    >>> [(f.type, f.identifier) for f in identifiers_in_text("PMID: 32927735; doi:10.1000/ABC")]
    [('pmid', '32927735'), ('doi', '10.1000/abc')]
    """
    skip = Spans(skip)
    found: list[Found] = []
    for rule in rules():
        if rule.where != "text":
            continue
        for match in rule.pattern.finditer(text):
            if skip.overlaps(match.start(), match.end()):
                continue
            try:
                ident = normalize(rule.type, rule.identifier(match))
            except ValueError:
                continue
            found.append(Found(rule.type, ident, "", match.start(), match.end()))
    for match in _doi_spans(text):
        if not skip.overlaps(*match[1:]):
            try:
                found.append(Found("doi", normalize("doi", match[0]), "", *match[1:]))
            except ValueError:
                continue
    return sorted(found, key=lambda f: (f.start, f.end))


def _doi_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Each DOI in ``text`` with the span of the word that carries it."""
    for word in re.finditer(r"\S+", text):
        if "10." not in word.group(0):
            continue
        for doi in extract_dois(word.group(0)):
            yield doi, word.start(), word.end()


def unique(found: Iterable[Found]) -> list[Found]:
    """One per (type, identifier), in order of first appearance, with a link's URL if any.

    An identifier printed first and linked later keeps its first place and takes the URL.
    """
    first: dict[tuple[str, str], Found] = {}
    for f in found:
        key = (f.type, f.identifier)
        if key not in first:
            first[key] = f
        elif not first[key].url and f.url:
            first[key] = Found(f.type, f.identifier, f.url, first[key].start, first[key].end)
    return list(first.values())


def identifiers_in_document(text: str, links: Iterable) -> list[Found]:
    """Every identifier of a document, by position: its links' and its printed ones.

    Args:
        text: the document's plain text.
        links: its links (objects with ``url``, ``text``, ``start`` and ``end``); a URL
            written out in the text is a link whose anchor is the URL itself.

    Returns:
        One :class:`Found` per occurrence (not de-duplicated; see :func:`unique`), the
        link's anchor span for a link.
    """
    found: list[Found] = []
    written_out = []
    for link in links:
        for f in identifiers_in_url(link.url):
            found.append(Found(f.type, f.identifier, link.url, link.start, link.end))
        if link.text == link.url:
            written_out.append((link.start, link.end))
    found += identifiers_in_text(text, skip=written_out)
    return sorted(found, key=lambda f: (f.start, f.end))
