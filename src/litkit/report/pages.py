"""The report's own pages: the index, one annotated page per article, and the method.

Each page is a Jinja2 template (``litkit/report/templates``) filled from a context that this
module builds from the processed tables through :mod:`litkit.report.views`. Every word
about the articles' subject comes from the project's data (article titles, indication and
outcome labels, the claims in our words); the templates hold only the report's own wording.
The ``*_context`` functions and :func:`render` make strings; the ``write_*`` functions
write the pages (``index.html``, one page per article, ``method.html``) and their stylesheet
``report.css``, each atomically.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import jinja2
import pandas as pd
from markdown_it import MarkdownIt
from markupsafe import Markup

from litkit import __version__
from litkit.config import Paths
from litkit.files import atomic_write
from litkit.report import shared, views
from litkit.report.export import EXPORTS
from litkit.report.palette import (
    CERTAINTY_COLOURS,
    DIRECTION_SYMBOLS,
    VERDICT_COLOURS,
    ink_on,
    tint,
)
from litkit.report.shared import HEADLINE_FIGURE
from litkit.schema import is_missing
from litkit.vocabulary import (
    ASSERTION_NEEDS,
    BEST_SCOPE,
    CITED_SCOPE,
    GENERAL,
    VERDICT_MEANINGS,
    VERDICTS,
)

NO_METHOD = "# Method\n\nThis project has no method document yet (`docs/method.md`).\n"
STYLESHEET = "report.css"  # beside the report's pages, which link it
REPORT_TITLE = "How well are the articles' claims backed by the evidence?"
HIGHLIGHT_ALPHA = 0.32  # a verdict's colour behind the article's text, still readable


@cache
def environment() -> jinja2.Environment:
    """The templates, HTML-escaped, with the filters they use."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("litkit.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["words"] = shared.words
    env.filters["symbol"] = lambda d: DIRECTION_SYMBOLS.get(d, "")
    return env


def render(template: str, context: Mapping[str, object]) -> str:
    """``template`` filled with ``context``; every page ends with one newline."""
    return environment().get_template(template).render(**context).rstrip() + "\n"


def article_href(article_id: str) -> str:
    """The file name of an article's annotated page: ``article-A.html``."""
    return f"article-{re.sub(r'[^A-Za-z0-9_-]+', '-', article_id)}.html"


# --- what every page shares --------------------------------------------------------------


def style_context() -> dict:
    """What ``report.css`` needs: each verdict's and certainty's colours."""
    return {
        "verdict_styles": {
            v: {"colour": c, "ink": ink_on(c), "tint": tint(c, HIGHLIGHT_ALPHA)}
            for v, c in VERDICT_COLOURS.items()
        },
        "certainty_styles": {
            k: {"colour": c, "ink": ink_on(c)} for k, c in CERTAINTY_COLOURS.items()
        },
    }


def site_context(articles: pd.DataFrame) -> dict:
    """What every page needs: the pages to link, the version (the colours are in
    ``report.css``, see :func:`style_context`)."""
    return {
        "version": __version__,
        "report_title": REPORT_TITLE,
        "article_pages": [
            {"article_id": a, "href": article_href(a)} for a in articles["article_id"]
        ],
        "verdict_key": [(v, VERDICT_MEANINGS[v]) for v in VERDICTS],
        "cited_scope": CITED_SCOPE,
        "best_scope": BEST_SCOPE,
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, with missing values as None (templates test them as false)."""
    return [
        {k: (None if is_missing(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def claim_entries(claims: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> list[dict]:
    """Each claim as the pages show it: in our words, its question, cited works, best
    evidence, verdict and reason, and a link to it in its article's annotated page."""
    grades, works, designs = tables["evidence_by_work"], tables["works"], tables["designs"]
    cited = views.cited_evidence(claims, grades, works, designs)
    best = views.best_evidence(claims, grades, designs)
    cited_by = {k: _records(g) for k, g in cited.groupby("claim_id", sort=False)}
    best_by = {r["claim_id"]: r for r in _records(best)}
    indications = views.indication_labels(tables["indications"])
    outcomes = views.outcome_labels(tables["outcomes"])
    entries = []
    for claim in _records(claims):
        graded = claim["verdict"] != "not-graded"
        entries.append(
            claim
            | {
                "question": _question(claim, indications, outcomes),
                "graded": graded,
                "needs": ASSERTION_NEEDS.get(claim["asserted"]) if graded else None,
                "overstated_by": int(claim["overstated_by"] or 0),
                "cited": cited_by.get(claim["claim_id"], []),
                "best": best_by.get(claim["claim_id"]),
                "reason": claim["verdict_reason"],
                "href": f"{article_href(claim['article_id'])}#{claim['claim_id']}",
            }
        )
    return entries


def entries_by_claim(tables: Mapping[str, pd.DataFrame]) -> dict[str, dict]:
    """:func:`claim_entries` for every claim, by claim id: the index and the article pages
    show the same entries, which a report works out once."""
    return {e["claim_id"]: e for e in claim_entries(tables["claims"], tables)}


def _entries(
    claims: pd.DataFrame, tables: Mapping[str, pd.DataFrame], known: Mapping[str, dict] | None
) -> list[dict]:
    """The entries of ``claims``, in order: from ``known`` where given, else worked out."""
    if known is None:
        return claim_entries(claims, tables)
    return [known[claim_id] for claim_id in claims["claim_id"]]


def _question(claim: Mapping, indications: Mapping[str, str], outcomes: Mapping[str, str]) -> str:
    """ "Indication · outcome" in the data's own labels."""
    indication = indications.get(claim["indication"] or GENERAL, claim["indication"])
    outcome = outcomes.get(claim["outcome"] or "", None)
    return f"{indication} · {outcome}" if outcome else str(indication)


def _article_facts(article: Mapping, claims: pd.DataFrame, works: pd.DataFrame) -> dict:
    """An article's heading facts: how many claims, and what it cites."""
    cited = works[(works["role"] == "cited") & (works["article_id"] == article["article_id"])]
    n = cited["doi"].nunique()
    references = (
        f"cites {n} work{'s' if n != 1 else ''} in a reference list" if n else "cites no work"
    )
    return article | {
        "n_claims": len(claims),
        "references": references,
        "href": article_href(article["article_id"]),
    }


# --- the index ----------------------------------------------------------------------------


def index_context(
    tables: Mapping[str, pd.DataFrame],
    *,
    notebooks: Sequence[tuple[str, str]],
    downloads: Sequence[tuple[str, str]],
    entries: Mapping[str, dict] | None = None,
) -> dict:
    """The index: per article its headline and the claims to review; trust; chart; links.

    Args:
        tables: the processed tables, by name.
        notebooks: (file name, title) of each rendered notebook, in order.
        downloads: (path relative to ``reports/``, what it is) of each export.
        entries: every claim's entry (:func:`entries_by_claim`), if already worked out.
    """
    claims, counts = tables["claims"], views.verdict_counts(tables["claims"])
    articles = []
    for article in _records(tables["articles"]):
        own = claims[claims["article_id"] == article["article_id"]]
        mine = counts[(counts["article_id"] == article["article_id"]) & (counts["n_claims"] > 0)]
        articles.append(
            _article_facts(article, own, tables["works"])
            | {
                "counts": list(zip(mine["verdict"], mine["n_claims"], strict=False)),
                "review": _entries(views.claims_to_review(own), tables, entries),
            }
        )
    return site_context(tables["articles"]) | {
        "articles": articles,
        "trust": _records(views.trust_figures(tables)),
        "headline": {
            "src": f"figures/{HEADLINE_FIGURE}.svg",
            "png": f"figures/{HEADLINE_FIGURE}.png",
            "alt": "For each indication and outcome, three bars on the GRADE certainty scale: "
            "the certainty the article's claims assert, that of the evidence it cites, "
            "and that of the best available evidence.",
            "caption": "Bar length and colour are the certainty (darker is more certain); the "
            "hatched bar is what the article's strongest claim asserts. A hatched "
            "bar longer than the best-evidence bar is a claim the evidence does "
            "not carry.",
        },
        "notebooks": [{"href": href, "title": title} for href, title in notebooks],
        "downloads": [
            {"href": href, "name": href.rsplit("/", 1)[-1], "what": what}
            for href, what in downloads
        ],
    }


# --- the annotated article ----------------------------------------------------------------


def article_context(
    tables: Mapping[str, pd.DataFrame],
    article_id: str,
    text: str,
    *,
    entries: Mapping[str, dict] | None = None,
) -> dict:
    """One article's own text cut into blocks, each claim highlighted, its note beside it
    (``entries``: every claim's entry, if already worked out)."""
    articles = tables["articles"]
    article = _records(articles[articles["article_id"] == article_id])[0]
    own = tables["claims"][tables["claims"]["article_id"] == article_id]
    entries = {e["claim_id"]: e for e in _entries(own, tables, entries)}
    segments = views.text_segments(text, own)
    blocks = []
    for _, block in segments.groupby("block", sort=True):
        parts = [
            {"text": text, "claim": None if pd.isna(claim_id) else entries[claim_id]}
            for text, claim_id in zip(block["text"], block["claim_id"], strict=False)
        ]
        if parts[-1]["claim"] is None:  # the blank lines that end a block are its margin
            parts[-1]["text"] = parts[-1]["text"].rstrip()
        blocks.append(
            {"segments": parts, "claims": [p["claim"] for p in parts if p["claim"] is not None]}
        )
    return site_context(articles) | {
        "article": _article_facts(article, own, tables["works"]),
        "blocks": blocks,
    }


# --- the method ---------------------------------------------------------------------------


def method_context(markdown: str, articles: pd.DataFrame) -> dict:
    """``docs/method.md`` as HTML (CommonMark with tables), and its first heading."""
    # Raw HTML in the Markdown is shown as text, not passed through.
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    match = re.search(r"^#\s+(.+)$", markdown, flags=re.MULTILINE)
    return site_context(articles) | {
        "title": match.group(1).strip() if match else "Method",
        "body": Markup(body),
    }


# --- the pages as files ------------------------------------------------------------------


def _write_page(target: Path, template: str, context: dict) -> Path:
    html = render(template, context)
    return atomic_write(target, lambda out: out.write(html))


def write_stylesheet(paths: Paths, *, folder: Path | None = None) -> Path:
    """``reports/report.css``: the pages' one stylesheet, with the palette's colours."""
    return _write_page((folder or paths.reports) / STYLESHEET, "report.css.j2", style_context())


def write_articles(
    paths: Paths,
    tables: dict[str, pd.DataFrame],
    *,
    folder: Path | None = None,
    entries: dict[str, dict] | None = None,
) -> list[Path]:
    """One annotated page per article: its own text, every claim highlighted and explained
    (``entries``: :func:`entries_by_claim`, if already worked out)."""
    written = []
    for article in tables["articles"].itertuples():
        text = (paths.raw / article.text_file).read_text(encoding="utf-8")
        context = article_context(tables, article.article_id, text, entries=entries)
        written.append(
            _write_page(
                (folder or paths.reports) / article_href(article.article_id),
                "article.html.j2",
                context,
            )
        )
    return written


def write_method(
    paths: Paths, tables: dict[str, pd.DataFrame], *, folder: Path | None = None
) -> Path:
    """``reports/method.html``: ``docs/method.md`` rendered (a placeholder where there is none)."""
    source = paths.root / "docs" / "method.md"
    markdown = source.read_text(encoding="utf-8") if source.is_file() else NO_METHOD
    return _write_page(
        (folder or paths.reports) / "method.html",
        "method.html.j2",
        method_context(markdown, tables["articles"]),
    )


def write_index(
    paths: Paths,
    tables: dict[str, pd.DataFrame],
    notebooks: list[tuple[str, str]],
    *,
    folder: Path | None = None,
    entries: dict[str, dict] | None = None,
) -> Path:
    """``reports/index.html``: what the report found, how far to trust it, and the links
    (``entries``: :func:`entries_by_claim`, if already worked out)."""
    downloads = [(f"exports/{name}", what) for name, what in EXPORTS.items()]
    context = index_context(tables, notebooks=notebooks, downloads=downloads, entries=entries)
    return _write_page((folder or paths.reports) / "index.html", "index.html.j2", context)
