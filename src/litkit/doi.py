"""Finding and cleaning DOIs in text, HTML and Markdown, in linear time, whole or in chunks.

A DOI is ``10.<registrant>/<suffix>``: the registrant code has four or more digits
(optionally with dotted sub-codes) and the suffix is anything up to white space, a quote,
an angle bracket, or a URL's ``?`` or ``#``. What surrounds a DOI in real text — resolver
URLs, ``doi:`` labels, HTML entities, percent escapes, closing punctuation — is removed, and
the result is lower case, because DOIs are case-insensitive and litkit keys everything on
them.

What text converted from PDF does to a DOI, and the rules litkit follows (a case the rules
do not cover is left as found, never guessed):

* **SICI DOIs** keep their angle brackets: ``<427::AID-JBM2>`` belongs to the DOI when the
  brackets hold ``::``; any other ``<`` or ``>`` ends it (HTML tags, Markdown autolinks).
* **A DOI broken at a line end** is joined with the first word of the next line when the
  break cannot be the DOI's end: the line ends with the bare prefix (``10.1016/``) or a
  hyphen (kept: breaks fall at the DOI's own punctuation), or the next line starts with
  ``.`` or ``-`` glued to a letter or digit (the style that breaks *before* punctuation),
  or the line ends with ``.`` and the next word is the numeric tail of a DOI: it starts
  with a zero followed by a digit (``0000000000002403``) or holds two separated groups of
  digits (``2012.05.017``). A break anywhere else (``10.1000/abc`` then ``2403 patients``
  or ``The``) ends the DOI: there the text cannot tell a DOI's end from a broken one.
* **A word glued on by a converter** (``10.1016/j.jclinepi.2016.07.006Received``) is
  dropped when it is one of the headings listed in ``_GLUED_WORDS``, written
  ``Capitalised`` or in capitals, right after a digit or a lower-case letter. Any other
  glued text is kept, since a DOI suffix may hold letters of any case.

>>> extract_dois('See https://doi.org/10.1097/PR9.0000000000000674. Also doi:10.4037/ccn2020419')
['10.1097/pr9.0000000000000674', '10.4037/ccn2020419']
>>> normalize_doi("https://dx.doi.org/10.1016/S0140-6736(20)30183-5).")
'10.1016/s0140-6736(20)30183-5'
>>> extract_dois("10.1016/j.biopsych.\\n2012.05.017 and 10.1002/(SICI)1097-4636(199706)35:4<427::AID-JBM2>3.0.CO;2-M")
['10.1016/j.biopsych.2012.05.017', '10.1002/(sici)1097-4636(199706)35:4<427::aid-jbm2>3.0.co;2-m']
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from urllib.parse import unquote

# The look-behind sits after the literal "10." so the regex engine can jump from one "10."
# to the next (a leading look-behind makes it try every position: 80 times slower). It
# keeps `john@10.1000.com` and `110.1000/x` out; a registrant code of at least four digits
# keeps `10.12/3` out. The suffix may be empty here: a bare prefix at a line end is joined
# with the next line, and dropped otherwise.
# Possessive quantifiers: nothing follows the suffix, so giving characters back never helps.
_SUFFIX_PART = r"""(?:[^\s"'<>?#]++|<[^\s"'<>:]*+::[^\s"'<>:]*+>)"""
_DOI = re.compile(
    r"10\.(?<![\w@.\-]10\.)[0-9]{4,9}+(?:\.[0-9]++)*+/" + _SUFFIX_PART + "*+", re.IGNORECASE
)
_WORD = re.compile(_SUFFIX_PART + "++")

# Closing punctuation that ends a sentence or a Markdown construct, never a DOI.
_TRAILING = ".,;:!'\"*_\u201d\u2019\u00bb"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_STRIPPABLE = _TRAILING + "".join(_PAIRS)

# A publisher landing page puts a view name after the DOI: /doi/full/10.x/y or
# /articles/10.x/y/full. Only those trailing view names are dropped.
_VIEW_SUFFIX = re.compile(r"/(?:full|abstract|fulltext|pdf|epdf|html|meta|references)$")
_RESOLVER = re.compile(r"(?:dx\.)?doi\.org/$", re.IGNORECASE)
_URL_CONTEXT = 200  # characters before a DOI searched for the URL it stands in

# Line breaks inside a DOI (see the module's rules).
_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")
_OPEN_BREAK = re.compile(r"[ \t]*\r?\Z")  # the end of the text may be half of a line break
_BARE_PREFIX = re.compile(r"10\.[0-9.]+/\Z")
_LEADING_PUNCTUATION = re.compile(r"[.\-][0-9a-z]", re.IGNORECASE)
_NUMERIC_TAIL = re.compile(r"0[0-9]|[0-9]+[.\-][0-9]+[.\-][0-9]")

# Headings a PDF converter glues to the DOI printed just before them.
_GLUED_WORDS = (
    "Abstract",
    "Accepted",
    "Available",
    "Background",
    "Citation",
    "Copyright",
    "Correspondence",
    "Corresponding",
    "Downloaded",
    "Keywords",
    "Published",
    "Received",
    "Revised",
    "Submitted",
)
_GLUED = re.compile(
    r"(?<=[0-9a-z])(?:{})\Z".format(
        "|".join(w for word in _GLUED_WORDS for w in (word, word.upper()))
    )
)

_MARKDOWN_ESCAPE = re.compile(r"\\([_*()\[\]])")
_NOT_PLAIN = re.compile(r"[\s&%\\]")  # what a line break, _decode or a scan would act on
_PERCENT_ESCAPES = re.compile(r"%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2})*")  # a literal first: fast


class _NeedMore(Exception):
    """The text ends where a DOI might go on: scan it again when more text has come."""


def _decode(text: str) -> str:
    """Undo what HTML and URLs do to a DOI: entities, percent escapes, Markdown escapes."""
    text = html.unescape(text)
    # As unquote() does, but only where there are escapes: "95% CI" costs nothing.
    text = _PERCENT_ESCAPES.sub(lambda m: unquote(m.group()), text)
    return _MARKDOWN_ESCAPE.sub(r"\1", text)


def _strip_trailing(candidate: str) -> str:
    """Drop closing punctuation and unbalanced closing brackets from the end.

    Read from the end, punctuation goes and a closing bracket goes while the DOI has more
    of them than opening ones. The first bracket that must stay is found by counting, not
    by walking character by character, so a megabyte of ``)`` costs a few scans.
    """
    body = candidate.rstrip(_STRIPPABLE)
    if len(body) == len(candidate):
        return candidate
    tail = candidate[len(body) :]
    keep = 0  # how much of the tail stays: up to the last bracket that is balanced
    for close, open_ in _PAIRS.items():
        in_tail = tail.count(close)
        spare = max(0, candidate.count(close) - candidate.count(open_))
        if in_tail > spare:  # the (spare + 1)-th from the end stays, with all before it
            position = -1
            for _ in range(in_tail - spare):
                position = tail.find(close, position + 1)
            keep = max(keep, position + 1)
    return body + tail[:keep]


def _joined(text: str, start: int, end: int, *, final: bool) -> tuple[str, int]:
    """The DOI text from ``start`` and where it ends, joined across line breaks by the rules.

    Raises:
        _NeedMore: unless ``final``, when the text ends before the rules can decide.
    """
    parts = [text[start:end]]
    while True:
        if not final and (end == len(text) or _OPEN_BREAK.match(text, end)):
            raise _NeedMore
        brk = _LINE_BREAK.match(text, end)
        if brk is None:
            break
        word = _WORD.match(text, brk.end())
        if not final and (brk.end() == len(text) or (word and word.end() == len(text))):
            raise _NeedMore
        if word is None or not _continues(parts, word.group()):
            break
        parts.append(word.group())
        end = word.end()
    return "".join(parts), end


def _continues(parts: list[str], word: str) -> bool:
    """Whether ``word``, first on the next line, is the rest of the DOI broken after ``parts``."""
    last = parts[-1]
    return bool(
        (len(parts) == 1 and _BARE_PREFIX.match(last))
        or last.endswith("-")
        or _LEADING_PUNCTUATION.match(word)
        or (last.endswith(".") and _NUMERIC_TAIL.match(word))
    )


def _url_before(text: str, start: int) -> str:
    """The non-blank text right before ``start``: the URL a DOI stands in, if any."""
    before = text[max(0, start - _URL_CONTEXT) : start]
    return "" if not before or before[-1].isspace() else before.split()[-1]


def _clean(candidate: str, url: str) -> str | None:
    """The DOI in ``candidate``, normalised, or None when only a prefix is left."""
    candidate = _strip_trailing(_GLUED.sub("", _strip_trailing(candidate)))
    if "://" in url and not _RESOLVER.search(url):
        candidate = _strip_trailing(_VIEW_SUFFIX.sub("", candidate))
    prefix, _, suffix = candidate.partition("/")
    return f"{prefix}/{suffix}".lower() if suffix else None


def _scan(text: str, pos: int, *, final: bool) -> tuple[list[str], int]:
    """The DOIs in ``text`` from ``pos`` on, and the position up to which ``text`` is done.

    Unless ``final``, a DOI the end of ``text`` might still continue stops the scan at its
    start; the caller scans from there again with more text.
    """
    found = []
    while match := _DOI.search(text, pos):
        try:
            candidate, end = _joined(text, match.start(), match.end(), final=final)
        except _NeedMore:
            return found, match.start()
        doi = _clean(candidate, _url_before(text, match.start()))
        if doi:
            found.append(doi)
        pos = end
    return found, len(text)


def _last_space(piece: str) -> int:
    """The position of the last ASCII white space in ``piece``, or -1."""
    return max(piece.rfind(" "), piece.rfind("\n"), piece.rfind("\t"), piece.rfind("\r"))


def iter_dois(pieces: Iterable[str]) -> Iterator[str]:
    """Every DOI in a text given in pieces (a file read in chunks), normalised, in order.

    A piece may end anywhere, even inside a DOI: what follows its last white space waits
    for the next piece, the last ``_URL_CONTEXT`` characters already scanned are kept as
    context, and a DOI that a line break at the end might continue is scanned again with
    the next piece (the overlap). Each character is decoded once and scanned about once,
    so the time is linear in the length of the text. Repeats are yielded each time.

    >>> list(iter_dois(["see 10.10", "00/ABC and 10.1000/abc"]))
    ['10.1000/abc', '10.1000/abc']
    """
    text, pos = "", 0
    waiting: list[str] = []  # pieces since the last white space
    for piece in pieces:
        cut = _last_space(piece) + 1
        if not cut:
            waiting.append(piece)
            continue
        waiting.append(piece[:cut])
        text += _decode("".join(waiting))
        waiting = [piece[cut:]]
        found, done = _scan(text, pos, final=False)
        yield from found
        keep = max(0, done - _URL_CONTEXT)
        text, pos = text[keep:], done - keep
    text += _decode("".join(waiting))
    yield from _scan(text, pos, final=True)[0]


def extract_dois(text: str) -> list[str]:
    """Every DOI in ``text``, normalised, de-duplicated, in order of first appearance.

    >>> extract_dois("<a href='https://doi.org/10.1000/ABC'>doi:10.1000/abc</a> 10.12/3")
    ['10.1000/abc']
    """
    return list(dict.fromkeys(iter_dois([text])))


# A build checks each cited DOI several times over (its column, its identifier, the text that
# prints it); remembering recent answers makes the second and third look-ups free.
@lru_cache(maxsize=1 << 16)
def normalize_doi(value: str) -> str:
    """The one DOI in ``value`` (a bare DOI, URL or labelled DOI), normalised.

    Raises:
        ValueError: naming the value, when it holds no DOI or more than one.

    >>> normalize_doi("urn:doi:10.1111/BCP.12094")
    '10.1111/bcp.12094'
    """
    plain = value.strip()
    # Most values are a bare DOI already (a table's DOI column): when the scanner would find
    # exactly the whole value, with nothing to decode and no URL around it, only the
    # cleaning is left to do. A test checks this gives what the scan gives.
    if plain.startswith("10.") and not _NOT_PLAIN.search(plain) and _DOI.fullmatch(plain):
        doi = _clean(plain, "")
        if doi:
            return doi
    dois = extract_dois(plain)
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
