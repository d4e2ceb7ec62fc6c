"""Finding and cleaning DOIs in text, HTML and Markdown.

A DOI is ``10.<registrant>/<suffix>``: the registrant code has four or more digits
(optionally with dotted sub-codes) and the suffix is anything up to white space. What
surrounds a DOI in real text — resolver URLs, ``doi:`` labels, HTML entities, percent
escapes, closing punctuation — is removed, and the result is lower case, because DOIs are
case-insensitive and litkit keys everything on them.

>>> extract_dois('See https://doi.org/10.1097/PR9.0000000000000674. Also doi:10.4037/ccn2020419')
['10.1097/pr9.0000000000000674', '10.4037/ccn2020419']
>>> normalize_doi("https://dx.doi.org/10.1016/S0140-6736(20)30183-5).")
'10.1016/s0140-6736(20)30183-5'
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

# A registrant code of at least four digits: `10.12/3` is not a DOI. The look-behind keeps
# `john@10.1000.com` and `110.1000/x` out; the suffix stops at white space, quotes, angle
# brackets (the ends of HTML attributes and Markdown autolinks) and URL queries/fragments.
_DOI = re.compile(
    r"(?<![\w@.\-])10\.\d{4,9}(?:\.\d+)*/[^\s\"'<>?#]+",
    re.IGNORECASE,
)

# Closing punctuation that ends a sentence or a Markdown construct, never a DOI.
_TRAILING = ".,;:!'\"*_\u201d\u2019\u00bb"
_PAIRS = {")": "(", "]": "[", "}": "{"}

# A publisher landing page puts a view name after the DOI: /doi/full/10.x/y or
# /articles/10.x/y/full. Only those trailing view names are dropped.
_VIEW_SUFFIX = re.compile(r"/(?:full|abstract|fulltext|pdf|epdf|html|meta|references)$")
_RESOLVER = re.compile(r"(?:dx\.)?doi\.org/$", re.IGNORECASE)


def _decode(text: str) -> str:
    """Undo what HTML and URLs do to a DOI: entities, percent escapes, Markdown escapes."""
    text = html.unescape(text)
    text = unquote(text)
    return re.sub(r"\\([_*()\[\]])", r"\1", text)


def _strip_trailing(candidate: str) -> str:
    """Drop closing punctuation and unbalanced closing brackets from the end of a match."""
    while candidate:
        last = candidate[-1]
        if last in _TRAILING:
            candidate = candidate[:-1]
        elif last in _PAIRS and candidate.count(last) > candidate.count(_PAIRS[last]):
            candidate = candidate[:-1]
        else:
            break
    return candidate


def _clean(match: re.Match[str], text: str) -> str | None:
    """The DOI in one regex match, or None when only a prefix is left."""
    candidate = _strip_trailing(match.group(0))
    # The URL (if any) the DOI stands in: the non-blank text right before it.
    url = re.search(r"\S*$", text[max(0, match.start() - 200) : match.start()]).group(0)
    if "://" in url and not _RESOLVER.search(url):
        candidate = _VIEW_SUFFIX.sub("", candidate)
        candidate = _strip_trailing(candidate)
    prefix, _, suffix = candidate.partition("/")
    return f"{prefix}/{suffix}".lower() if suffix else None


def extract_dois(text: str) -> list[str]:
    """Every DOI in ``text``, normalised, de-duplicated, in order of first appearance.

    >>> extract_dois("<a href='https://doi.org/10.1000/ABC'>doi:10.1000/abc</a> 10.12/3")
    ['10.1000/abc']
    """
    decoded = _decode(text)
    found: dict[str, None] = {}
    for match in _DOI.finditer(decoded):
        doi = _clean(match, decoded)
        if doi:
            found.setdefault(doi, None)
    return list(found)


def normalize_doi(value: str) -> str:
    """The one DOI in ``value`` (a bare DOI, URL or labelled DOI), normalised.

    Raises:
        ValueError: naming the value, when it holds no DOI or more than one.

    >>> normalize_doi("urn:doi:10.1111/BCP.12094")
    '10.1111/bcp.12094'
    """
    dois = extract_dois(value.strip())
    if len(dois) != 1:
        what = "no DOI" if not dois else f"{len(dois)} DOIs"
        raise ValueError(f"not a DOI: {value!r} ({what} found)")
    return dois[0]


def is_doi(value: str) -> bool:
    """Whether ``value`` is exactly one DOI (in any of the forms :func:`normalize_doi` takes).

    >>> is_doi("10.1000/xyz"), is_doi("PMID: 12345678"), is_doi("978-0-12-345678-9")
    (True, False, False)
    """
    try:
        normalize_doi(value)
    except ValueError:
        return False
    return True
