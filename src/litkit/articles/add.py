"""``litkit add-article``: an article's text, its row, and draft citation and claim rows.

The article (a saved web page, Markdown or plain text) is read into a document; its plain
text is written to ``data/raw/articles/<ID>.txt`` (what claims' offsets point into), its row
to ``articles.csv``, and draft rows to ``citations.csv`` and ``claims.csv``
(:mod:`litkit.articles.drafts`). Reviewed rows are never touched: a rerun replaces only the
article's drafts, skips works and sentences its reviewed rows already cover, and refuses
a different text under an id already used. The tables are read against their schemas, as
the build reads them, so a bad cell stops it with the file, line, column and value before
anything is written; rows it keeps are written back as the file had them.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from litkit.articles.drafts import Reviewed, draft_citations, draft_claims
from litkit.articles.extract import Document, read_document
from litkit.articles.references import inline_markers, reference_list
from litkit.config import Paths
from litkit.errors import UsageError
from litkit.files import atomic_write
from litkit.project import require_project
from litkit.raw import (
    ARTICLES,
    CITATIONS,
    CLAIMS,
    read_indications,
    read_outcomes,
    read_resolved,
)
from litkit.schema import Table, read_rows, row_dicts
from litkit.vocabulary import DRAFT, SOURCE_KINDS

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_MEDICALLY_REVIEWED = re.compile(r"\bmedically reviewed by\b", re.IGNORECASE)


@dataclass
class Added:
    """What ``add-article`` wrote: the text file, and the draft rows by kind."""

    text_file: Path
    new_article: bool
    citations: Counter = field(default_factory=Counter)
    claims: int = 0
    kept_reviewed: int = 0

    def summary(self) -> str:
        types = ", ".join(f"{t} {n}" for t, n in self.citations.items()) or "none"
        kept = f"; {self.kept_reviewed} reviewed rows kept" if self.kept_reviewed else ""
        return (
            f"wrote {self.text_file}; draft citations: {sum(self.citations.values())} "
            f"({types}); draft claims: {self.claims}{kept}"
        )


# --- raw tables as rows, header kept --------------------------------------------------------------


def existing_rows(path: Path, table: Table) -> tuple[list[str], list[dict[str, str]]]:
    """A raw table's header and rows, checked against its schema and each cell as the file
    has it (:func:`~litkit.schema.read_rows`); the schema's header and no rows if absent."""
    if not path.is_file():
        return list(table.names), []
    return read_rows(path, table)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    """Write rows under ``header`` atomically (cells a row lacks are empty)."""

    def dump(out):
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows({h: row.get(h, "") for h in header} for row in rows)

    return atomic_write(path, dump)


def known_dois(paths: Paths) -> dict[tuple[str, str], str]:
    """DOIs ``litkit resolve`` found before, by (type, identifier) (the table checked)."""
    resolved = read_resolved(paths.resolved)
    found = resolved[resolved["status"].eq("resolved") & resolved["doi"].notna()]
    return {
        (kind, identifier): doi
        for kind, identifier, doi in zip(
            found["type"], found["identifier"], found["doi"], strict=True
        )
        if doi
    }


# --- the article's row ------------------------------------------------------------------------------


def article_row(
    document: Document,
    *,
    article_id: str,
    text_file: str,
    url: str | None,
    title: str | None,
    kind: str,
    accessed: str,
    lists_references: bool,
) -> dict[str, str]:
    """The article's ``articles.csv`` row from what the document and the options say."""
    url = url or document.metadata.get("url", "")
    headings = document.headings
    title = (
        title
        or document.metadata.get("title")
        or (document.block_text(headings[0]) if headings else "")
        or article_id
    )
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    return {
        "article_id": article_id,
        "title": title.strip(),
        "publisher": document.metadata.get("publisher") or host or "unknown",
        "source_kind": kind,
        "lists_references": "yes" if lists_references else "no",
        "medically_reviewed": "yes" if _MEDICALLY_REVIEWED.search(document.text) else "no",
        "text_file": text_file,
        "url": url,
        "accessed": accessed,
    }


def _mine(rows: list[dict[str, str]], article_id: str) -> tuple[list[dict], list[dict]]:
    """The other rows (kept), and this article's reviewed rows (kept, never changed)."""
    others = [r for r in rows if r.get("article_id") != article_id]
    reviewed = [r for r in rows if r.get("article_id") == article_id and r.get("status") != DRAFT]
    return others, reviewed


def add_article(
    source: Path,
    *,
    paths: Paths,
    article_id: str,
    url: str | None = None,
    title: str | None = None,
    kind: str = "other",
    accessed: str | None = None,
) -> Added:
    """Add one article to the project at ``paths`` (see the module docstring).

    Raises:
        UsageError: a bad id or kind, or an id already used for another text.
        RawDataError: a project file or vocabulary that cannot be used.
    """
    if not _ID.fullmatch(article_id):
        raise UsageError(
            f"article id {article_id!r}: use letters, digits, '.', '_' or '-' (at most 64)"
        )
    if kind not in SOURCE_KINDS:
        raise UsageError(f"unknown kind {kind!r}; expected one of: {', '.join(SOURCE_KINDS)}")
    project = require_project(paths, "intervention")
    indications, outcomes = read_indications(paths.indications), read_outcomes(paths.outcomes)
    document = read_document(source)
    text_name = f"articles/{article_id}.txt"
    text_path = paths.raw / text_name
    if text_path.is_file() and text_path.read_text(encoding="utf-8") != document.text:
        raise UsageError(
            f"{text_path} holds another text; choose another --id (offsets of "
            f"reviewed claims point into the text, so it is never replaced)"
        )

    references = reference_list(document)
    markers = inline_markers(document, references)

    header, articles = existing_rows(paths.articles, ARTICLES)
    new_article = not any(r["article_id"] == article_id for r in articles)
    if new_article:
        articles.append(
            article_row(
                document,
                article_id=article_id,
                text_file=text_name,
                url=url,
                title=title,
                kind=kind,
                accessed=accessed or date.today().isoformat(),
                lists_references=bool(references),
            )
        )

    cite_header, citations = existing_rows(paths.citations, CITATIONS)
    other_cites, reviewed_cites = _mine(citations, article_id)
    claim_header, claims = existing_rows(paths.claims, CLAIMS)
    other_claims, reviewed_claims = _mine(claims, article_id)
    reviewed = _reviewed(article_id, reviewed_cites, reviewed_claims, known_dois(paths))
    cites = draft_citations(document, references, article_id=article_id, reviewed=reviewed)
    drafts = draft_claims(
        document,
        article_id=article_id,
        title=articles_title(articles, article_id),
        names=project.names,
        indications=indications,
        outcomes=outcomes,
        references=references,
        markers=markers,
        reviewed=reviewed,
    )

    atomic_write(text_path, lambda out: out.write(document.text))
    write_rows(paths.articles, header, articles)
    write_rows(paths.citations, cite_header, other_cites + reviewed_cites + _cells(cites))
    write_rows(paths.claims, claim_header, other_claims + reviewed_claims + _cells(drafts))
    return Added(
        text_path,
        new_article,
        Counter(cites["type"]),
        len(drafts),
        len(reviewed_cites) + len(reviewed_claims),
    )


def _reviewed(
    article_id: str,
    citations: list[dict[str, str]],
    claims: list[dict[str, str]],
    dois: Mapping[tuple[str, str], str],
) -> Reviewed:
    """What the article's reviewed rows hold, so a rerun drafts only what is new."""
    # The rows were checked as read: every ref_no, start and end is a whole number.
    numbers = [int(r["ref_no"]) for r in citations]
    spans = tuple((int(r["start"]), int(r["end"])) for r in claims)
    draft_id = re.compile(rf"{re.escape(article_id)}-draft-([0-9]+)")
    used = [int(m.group(1)) for r in claims if (m := draft_id.fullmatch(r["claim_id"]))]
    return Reviewed(
        known_dois=dois,
        cited=frozenset((r["type"], r["identifier"]) for r in citations),
        spans=spans,
        next_ref_no=max(numbers, default=0) + 1,
        next_claim=max(used, default=0) + 1,
    )


def articles_title(rows: list[dict[str, str]], article_id: str) -> str:
    return next(r["title"] for r in rows if r["article_id"] == article_id)


def _cells(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Draft rows as the text of their cells (a missing value is an empty cell)."""
    return [{k: ("" if pd.isna(v) else str(v)) for k, v in row.items()} for row in row_dicts(frame)]
