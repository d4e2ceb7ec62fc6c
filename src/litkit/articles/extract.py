"""An article's main text, with its headings, links and blocks, from HTML, Markdown or text.

Every input becomes a :class:`Document`: the plain text a reviewer reads (and that claims'
offsets point into), the links with their anchor text and place in that text, the
headings, and the blocks (paragraphs, list items) that reference lists are made of.

* HTML goes through trafilatura, which drops navigation and boilerplate and gives the main
  text back as Markdown with its links and a front matter (title, URL, site name).
* Markdown is parsed by markdown-it-py (CommonMark, with tables and the YAML front matter
  plugin); the tokens are written out as plain text: headings and paragraphs as blocks
  separated by a blank line, list items one a line behind ``•`` or their number, links by
  their anchor text, images left out. Front matter fields (``title``, ``url`` or
  ``original-url``, ``sitename``) become the document's metadata.
* Plain text is kept exactly as it is; URLs written out in it are its links, and a short
  line standing alone (at most 12 words, not ending in ``.``, ``:`` or ``,``) is a heading.

>>> doc = from_markdown("# Title\\n\\nIt [works](https://doi.org/10.1000/x).\\n")
>>> doc.text
'Title\\n\\nIt works.'
>>> [(l.url, l.text, doc.text[l.start:l.end]) for l in doc.links]
[('https://doi.org/10.1000/x', 'works', 'works')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from litkit.articles.identifiers import bare_urls
from litkit.articles.spans import Spans
from litkit.errors import UsageError

BULLET = "\u2022"
HEADING_MAX_WORDS = 12


@dataclass(frozen=True)
class Link:
    """A link: its target, its anchor text, and the anchor's span in the document's text."""

    url: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    """A paragraph, heading or list item: its kind and its span in the document's text.

    ``level`` is a heading's level; ``number`` an ordered list item's printed number.
    """

    kind: str
    start: int
    end: int
    level: int = 0
    number: int | None = None


@dataclass(frozen=True)
class Document:
    """An article's text and what is known about its structure.

    ``markers`` are the spans of superscripts (citation markers such as ``²`` or
    ``<sup>2</sup>``); ``metadata`` holds ``title``, ``url``, ``publisher`` when the source
    says them.
    """

    text: str
    links: tuple[Link, ...] = ()
    blocks: tuple[Block, ...] = ()
    markers: tuple[tuple[int, int], ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def headings(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "heading"]

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]


# --- Markdown -----------------------------------------------------------------------------


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin)


class _Writer:
    """Writes markdown-it tokens out as plain text, keeping the spans of what it writes."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.tail = ""  # the last two characters written
        self.links: list[Link] = []
        self.blocks: list[Block] = []
        self.markers: list[tuple[int, int]] = []
        self.metadata: dict[str, str] = {}
        self._lists: list[list] = []  # per open list: [ordered, next number]
        self._open: list[tuple[str, int, int, int | None] | None] = []  # blocks being written
        self._items = 0  # list items open
        self._fresh_item = False  # an item's marker was just written
        self._cells = 0

    def write(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.length += len(text)
            self.tail = (self.tail + text)[-2:]
            self._fresh_item = False

    def separate(self, separator: str) -> None:
        """End the previous block with ``separator`` (a line break or a blank line)."""
        if not self.length or self.tail.endswith(separator):
            return
        self.write("\n" if self.tail.endswith("\n") else separator)

    def open_block(self, kind: str, level: int = 0, number: int | None = None) -> None:
        self._open.append((kind, self.length, level, number))

    def close_block(self, token: Token | None = None) -> None:
        opened = self._open.pop() if self._open else None
        if opened is not None:
            kind, start, level, number = opened
            self.blocks.append(Block(kind, start, self.length, level, number))

    def tokens(self, tokens: list[Token]) -> None:
        for token in tokens:
            handler = getattr(self, f"_{token.type}", None)
            if handler:
                handler(token)

    # block tokens
    def _front_matter(self, token: Token) -> None:
        try:
            data = yaml.safe_load(token.content) or {}
        except yaml.YAMLError:
            data = {}
        if isinstance(data, dict):
            for key, names in (
                ("title", ("title",)),
                ("url", ("url", "original-url", "canonical")),
                ("publisher", ("sitename", "publisher", "site_name")),
            ):
                value = next((data[n] for n in names if data.get(n)), None)
                if value:
                    self.metadata[key] = str(value).strip()

    def _heading_open(self, token: Token) -> None:
        self.separate("\n\n")
        self.open_block("heading", int(token.tag[1]))

    _heading_close = close_block

    def _paragraph_open(self, token: Token) -> None:
        if self._items and (token.hidden or self._fresh_item):
            self._open.append(None)  # the item itself is the block
            return
        self.separate("\n" if self._items else "\n\n")
        self.open_block("paragraph")

    _paragraph_close = close_block

    def _bullet_list_open(self, token: Token) -> None:
        self.separate("\n" if self._items else "\n\n")
        self._lists.append([False, 0])

    def _ordered_list_open(self, token: Token) -> None:
        self.separate("\n" if self._items else "\n\n")
        self._lists.append([True, int(token.attrGet("start") or 1)])

    def _bullet_list_close(self, token: Token) -> None:
        self._lists.pop()

    _ordered_list_close = _bullet_list_close

    def _list_item_open(self, token: Token) -> None:
        ordered, number = self._lists[-1] if self._lists else (False, 0)
        self.separate("\n")
        indent = "  " * len(self._lists)
        printed = None
        if ordered:
            printed = int(token.info) if token.info.isdigit() else number
            self._lists[-1][1] = printed + 1
            self.write(f"{indent}{printed}. ")
        else:
            self.write(f"{indent}{BULLET} ")
        self.open_block("item", number=printed)
        self._items += 1
        self._fresh_item = True

    def _list_item_close(self, token: Token) -> None:
        self._items -= 1
        self.close_block()

    def _fence(self, token: Token) -> None:
        self.separate("\n\n")
        start = self.length
        self.write(token.content.rstrip("\n"))
        self.blocks.append(Block("code", start, self.length))

    _code_block = _fence

    def _table_open(self, token: Token) -> None:
        self.separate("\n\n")

    def _tr_open(self, token: Token) -> None:
        if not self.tail.endswith("\n") and self.length:
            self.write("\n")
        self.open_block("row")
        self._cells = 0

    _tr_close = close_block

    def _th_open(self, token: Token) -> None:
        if self._cells:
            self.write(" | ")
        self._cells += 1

    _td_open = _th_open

    def _inline(self, token: Token) -> None:
        self._inline_children(token.children or [])

    # inline tokens
    def _inline_children(self, children: list[Token]) -> None:
        links: list[tuple[str, int]] = []
        sup: list[int] = []
        for child in children:
            kind = child.type
            if kind == "text" or kind == "code_inline":
                self.write(child.content)
            elif kind == "softbreak":
                self.write(" ")
            elif kind == "hardbreak":
                self.write("\n")
            elif kind == "link_open":
                links.append((str(child.attrGet("href") or ""), self.length))
            elif kind == "link_close" and links:
                href, start = links.pop()
                anchor = "".join(self.parts)[start:] if start < self.length else ""
                self.links.append(Link(href, anchor, start, self.length))
            elif kind == "html_inline":
                tag = child.content.strip().lower()
                if tag.startswith("<sup"):
                    sup.append(self.length)
                elif tag.startswith("</sup") and sup:
                    self.markers.append((sup.pop(), self.length))
                elif tag.startswith("<br"):
                    self.write("\n")

    def document(self) -> Document:
        text = "".join(self.parts)
        blocks = sorted(self.blocks, key=lambda b: (b.start, b.end))
        return Document(
            text,
            tuple(sorted(self.links, key=lambda link: link.start)),
            tuple(blocks),
            tuple(sorted(self.markers)),
            dict(self.metadata),
        )


def from_markdown(markdown: str) -> Document:
    """The document a Markdown text shows: plain text, links, headings, blocks, metadata."""
    writer = _Writer()
    writer.tokens(_parser().parse(markdown))
    document = writer.document()
    return _with_bare_urls(document)


def _with_bare_urls(document: Document) -> Document:
    """Add as links the URLs written out in the text that are not inside a link already."""
    taken = Spans((link.start, link.end) for link in document.links)
    extra = [
        Link(document.text[s:e], document.text[s:e], s, e)
        for s, e in bare_urls(document.text)
        if not taken.covers(s)
    ]
    if not extra:
        return document
    links = tuple(sorted((*document.links, *extra), key=lambda link: link.start))
    return Document(document.text, links, document.blocks, document.markers, document.metadata)


# --- HTML ---------------------------------------------------------------------------------


# Markdown keeps the links (where the cited works are), emphasis, headings and tables; the
# title comes with the metadata; recall over precision, since a missed paragraph loses claims.
TRAFILATURA_OPTIONS = {
    "output_format": "markdown",
    "include_links": True,
    "include_formatting": True,
    "include_tables": True,
    "include_images": False,
    "with_metadata": True,
    "favor_recall": True,
}


def from_html(html: str, *, url: str | None = None) -> Document:
    """The main text of a saved web page, through trafilatura (boilerplate left out).

    Raises:
        UsageError: when trafilatura finds no main text in the page.
    """
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    markdown = trafilatura.extract(html, url=url, **TRAFILATURA_OPTIONS)
    if not markdown:
        raise UsageError("no main text found in the HTML page")
    return from_markdown(markdown)


# --- plain text -----------------------------------------------------------------------------

_ITEM = re.compile(
    r"^[ \t]*(?:(?P<bullet>[\u2022\u25cf\u25aa*\-\u2013])|(?P<number>\d{1,6})[.)]|\[(?P<bracket>\d{1,6})\])[ \t]+\S"
)


def from_text(text: str) -> Document:
    """A plain text as it is: its paragraphs, list items, stand-alone headings and URLs."""
    blocks: list[Block] = []
    for paragraph in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        lines = list(re.finditer(r"[^\n]+", paragraph.group(0)))
        items = [line for line in lines if _ITEM.match(line.group(0))]
        if items and len(items) == len(lines):
            for line in lines:
                item = _ITEM.match(line.group(0))
                number = item.group("number") or item.group("bracket")
                start = paragraph.start() + line.start()
                blocks.append(
                    Block(
                        "item",
                        start,
                        paragraph.start() + line.end(),
                        0,
                        int(number) if number else None,
                    )
                )
            continue
        start, end = _strip_span(text, paragraph.start(), paragraph.end())
        kind = (
            "heading" if len(lines) == 1 and _looks_like_heading(text[start:end]) else "paragraph"
        )
        blocks.append(Block(kind, start, end, 2 if kind == "heading" else 0))
    document = Document(text, (), tuple(blocks))
    return _with_bare_urls(document)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= HEADING_MAX_WORDS
        and line[:1].isupper()
        and not line.rstrip().endswith((".", ":", ",", ";"))
        and "://" not in line
    )


# --- files ------------------------------------------------------------------------------------

KINDS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}


def kind_of(path: Path, text: str) -> str:
    """``html``, ``markdown`` or ``text``: by the file's suffix, else by a look at the text."""
    if path.suffix.lower() in KINDS:
        return KINDS[path.suffix.lower()]
    head = text.lstrip()[:500].lower()
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return "html"
    return "text"


def read_document(path: Path) -> Document:
    """The document in a file: HTML, Markdown or plain text (see :func:`kind_of`).

    Raises:
        UsageError: when the file cannot be read.
    """
    try:
        raw = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    kind = kind_of(Path(path), raw)
    if kind == "html":
        return from_html(raw)
    if kind == "markdown":
        return from_markdown(raw)
    return from_text(raw)
