"""The raw tables under ``data/raw``: their columns, their checks, and reading them.

``articles.csv`` names each article; ``citations.csv`` holds one row per cited work with the
bibliographic fields exactly as the article prints them; ``indications.csv`` and
``outcomes.csv`` are the vocabularies of indications and outcomes (benefits and harms);
``claims.csv`` holds every claim in our own words, with its place in the article's text;
``appraisals.csv`` holds what each cited work shows for each indication and outcome, and
``best_evidence.csv`` the best available evidence on each, cited or not, each fact with its
``source``. Each table is read against its schema, so a bad value is reported with the file,
line, column and value; numbers are checked against ranges no real value leaves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from pathlib import Path, PurePosixPath

import pandas as pd

from litkit.articles.identifiers import normalize as normalize_identifier
from litkit.doi import extract_dois, normalize_doi
from litkit.errors import RawDataError, RawDataErrors
from litkit.schema import Column, Table, read_table
from litkit.textfile import display_name, read_text
from litkit.vocabulary import (
    ASSERTED,
    CERTAINTY_LEVELS,
    CITATION_STATUSES,
    CITATION_TYPES,
    CLAIM_STATUSES,
    DESIGNS,
    DIRECTIONS,
    GENERAL,
    GRADED_TOPICS,
    INCONSISTENCY,
    LINKS,
    OUTCOME_KINDS,
    REJECTED_SOURCE_HOSTS,
    RESOLVE_METHODS,
    RESOLVE_STATUSES,
    REVIEW_OF,
    RISK_OF_BIAS,
    SOURCE_KINDS,
    TOPICS,
    UNASSIGNED,
    VERIFIED,
    YES_NO,
)

# --- cell checks ---------------------------------------------------------------------------

# Ranges that no real value leaves, so that a typo (or 40 digits pasted by mistake) stops
# the build here, not later as an integer overflow in a processed table.
REF_NO_RANGE = (1, 999_999)  # a reference list, or a whole reading list
STUDIES_RANGE = (1, 100_000)  # studies in one review
PARTICIPANTS_RANGE = (1, 1_000_000_000)  # participants in one work, registries included
OFFSET_RANGE = (0, 999_999_999)  # a character in an article's text


def whole_number(low: int, high: int) -> Callable[[str], str]:
    """A cell check: a whole number written in the digits 0-9, from ``low`` to ``high``.

    >>> whole_number(1, 99)("100")
    Traceback (most recent call last):
    ...
    ValueError: '100' is not a whole number from 1 to 99
    """

    def check(value: str) -> str:
        # Only ASCII digits: str.isdigit() also takes '²', which int() then refuses.
        # The length test comes first, so a thousand-digit value is never converted.
        if (
            not re.fullmatch(r"[0-9]+", value)
            or len(value.lstrip("0")) > len(str(high))
            or not low <= int(value) <= high
        ):
            raise ValueError(f"{value!r} is not a whole number from {low:,} to {high:,}")
        return value

    check.__doc__ = f"a whole number from {low:,} to {high:,}"  # for the generated README
    return check


_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?")


def _matches(pattern: str, what: str) -> Callable[[str], str]:
    """A cell check: the whole value matches ``pattern``; ``what`` names the form expected.

    >>> _matches(r"[0-9]{4}", "a four-digit year")("20x1")
    Traceback (most recent call last):
    ...
    ValueError: '20x1' is not a four-digit year
    """
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    check.__doc__ = what  # for the generated README
    return check


_YEAR = r"(19|20)[0-9][0-9]"
_MONTH = r"(0[1-9]|1[0-2])"
_DAY = r"(0[1-9]|[12][0-9]|3[01])"
_year = _matches(_YEAR, "a four-digit year")
_date = _matches(rf"{_YEAR}-{_MONTH}-{_DAY}", "a date (YYYY-MM-DD)")
_month = _matches(rf"{_YEAR}-{_MONTH}(-{_DAY})?", "a date as YYYY-MM or YYYY-MM-DD")


def _slug(value: str) -> str:
    """an id: lower-case words joined by hyphens"""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise ValueError(f"{value!r} is not an id (lower-case words joined by hyphens)")
    if value in (GENERAL, UNASSIGNED):
        raise ValueError(f"{value!r} is reserved (claims about no single indication, drafts)")
    return value


def _decimal(value: str) -> str:
    """a number, with a decimal point"""
    # ASCII digits only, and finite: float() also takes 'nan', 'inf', '1e999' and '١٢'.
    if not _DECIMAL.fullmatch(value) or not math.isfinite(float(value)):
        raise ValueError(
            f"{value!r} is not a number (digits 0-9, a decimal point, an optional exponent)"
        )
    return value


def _source(value: str) -> str:
    """an http(s) URL of a source page, not a mirror or aggregator"""
    if not re.match(r"https?://[^\s/]+", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    host = value.split("/")[2].lower()
    rejected = [h for h in REJECTED_SOURCE_HOSTS if h in value.lower() or host.endswith(h)]
    if rejected:
        raise ValueError(
            f"{value!r} is a mirror or aggregator ({rejected[0]}); cite PubMed, "
            f"PMC, the Cochrane Library or the publisher"
        )
    return value


def _relative_path(value: str) -> str:
    """A path inside ``data/raw``: relative, and never climbing out with ``..``."""
    path = PurePosixPath(value.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"[A-Za-z]:", value):
        raise ValueError(f"{value!r} is not a path inside data/raw (e.g. articles/A.txt)")
    return value


# --- row checks ------------------------------------------------------------------------------


def _doi(value: str) -> str:
    """a DOI, written lower case (10.xxxx/…)"""
    return normalize_doi(value)


def _check_review_of(row: dict[str, str]) -> None:
    """What a systematic review must say, and what only one may say."""
    if row["design"] == "systematic-review" and not row["review_of"]:
        raise ValueError("a systematic-review row needs 'review_of' (rct, non-randomised or mixed)")
    if row["design"] != "systematic-review" and row["review_of"]:
        raise ValueError(f"'review_of' is only for systematic reviews, not {row['design']!r}")


def _check_claim(row: dict[str, str]) -> None:
    """Links say how cited works were tied; spans run forward; reviewed claims are complete."""
    if row["cited_dois"] and row["link"] == "none":
        raise ValueError("cited_dois are given, so 'link' must be explicit or inferred, not 'none'")
    if not row["cited_dois"] and row["link"] != "none":
        raise ValueError(f"no cited_dois, so 'link' must be 'none', not {row['link']!r}")
    if int(row["end"]) <= int(row["start"]):
        raise ValueError(f"the span is empty or backwards (start {row['start']}, end {row['end']})")
    if row["status"] == "reviewed":
        for column in ("indication", "outcome"):
            if row[column] == UNASSIGNED:
                raise ValueError(f"a reviewed claim needs its {column} (not {UNASSIGNED!r})")
        if row["topic"] in GRADED_TOPICS and not row["direction"]:
            raise ValueError(f"a reviewed {row['topic']} claim needs its 'direction'")
    if row["topic"] in GRADED_TOPICS and not row["outcome"]:
        raise ValueError(f"a {row['topic']} claim needs its 'outcome'")


def _check_citation(row: dict[str, str]) -> None:
    """A cited work's identifier is in its normal form, and a DOI row names its DOI twice."""
    kind, identifier = row["type"], row["identifier"]
    if kind == "reference":
        if identifier:
            raise ValueError(f"a 'reference' row prints no identifier, but has {identifier!r}")
        if not (row["title"] or row["anchor_text"]):
            raise ValueError("a 'reference' row needs its printed 'title' or 'anchor_text'")
    else:
        if not identifier:
            raise ValueError(f"a {kind!r} row needs its 'identifier'")
        normal = normalize_identifier(kind, identifier)
        if normal != identifier:
            raise ValueError(f"identifier {identifier!r} is not in its normal form {normal!r}")
    if kind == "doi" and row["doi"] != identifier:
        raise ValueError(
            f"a 'doi' row has its DOI in 'doi' too ({identifier!r}, not {row['doi']!r})"
        )
    if bool(row["anchor_text"]) != bool(row["offset"]):
        raise ValueError("'anchor_text' and 'offset' go together: give both or neither")


# --- the schemas -----------------------------------------------------------------------------

ARTICLES = Table(
    "articles",
    (
        Column("article_id", unique=True),
        Column("title"),
        Column("publisher"),
        Column("source_kind", allowed=SOURCE_KINDS),
        Column("lists_references", allowed=YES_NO),  # no list: citations are links only
        Column("medically_reviewed", allowed=YES_NO),  # the page names a clinical reviewer
        Column("text_file", check=_relative_path),
        Column("url", required=False),
        Column("accessed", required=False, check=_date),
    ),
)

# One row per cited work of an article: a link (url, anchor_text, offset) or a reference-list
# entry (the printed fields), or both. ``identifier`` is empty only for a "reference" that
# prints none; ``doi`` is the work's DOI where known.
CITATIONS = Table(
    "citations",
    (
        Column("article_id"),
        Column("ref_no", check=whole_number(*REF_NO_RANGE)),
        Column("type", allowed=CITATION_TYPES),
        Column("identifier", required=False),
        Column("doi", required=False, check=_doi),
        Column("url", required=False),
        Column("anchor_text", required=False),
        Column("offset", required=False, check=whole_number(*OFFSET_RANGE)),
        Column("authors", required=False),
        Column("title", required=False),
        Column("journal", required=False),
        Column("volume", required=False),
        Column("issue", required=False),
        Column("pages", required=False),
        Column("year", required=False, check=_year),
        Column("month", required=False),
        Column("status", allowed=CITATION_STATUSES),
    ),
    key=("article_id", "ref_no"),
    row_check=_check_citation,
)

OUTCOMES = Table(
    "outcomes",
    (
        Column("outcome_id", unique=True, check=_slug),
        Column("label", unique=True),
        Column("kind", allowed=OUTCOME_KINDS),
        Column("synonyms", required=False, many=True),
        Column("description", required=False),
    ),
)

INDICATIONS = Table(
    "indications",
    (
        Column("indication_id", unique=True, check=_slug),
        Column("label", unique=True),
        Column("synonyms", required=False, many=True),
        Column("description", required=False),
    ),
)

# ``start`` and ``end`` are 0-based offsets into the article's text file, end exclusive.
CLAIMS = Table(
    "claims",
    (
        Column("claim_id", unique=True),
        Column("article_id"),
        Column("section"),  # the heading the claim stands under
        Column("claim", unique=True),  # in our own words, never the article's sentence
        Column("indication"),
        Column("outcome", required=False),
        Column("comparator", required=False),  # only for a head-to-head claim
        Column("topic", allowed=TOPICS),
        Column("asserted", allowed=ASSERTED),
        Column("direction", required=False, allowed=DIRECTIONS),
        Column("cited_dois", required=False, many=True),
        Column("link", allowed=LINKS),
        Column("start", check=whole_number(*OFFSET_RANGE)),
        Column("end", check=whole_number(*OFFSET_RANGE)),
        Column("status", allowed=CLAIM_STATUSES),
    ),
    row_check=_check_claim,
)

# What a work shows for one indication and outcome: the facts GRADE's domains need. The
# appraisals of cited works and the best-evidence table share these columns.
_APPRAISAL_COLUMNS = (
    Column("indication"),
    Column("outcome"),
    Column("design", allowed=DESIGNS),
    Column("review_of", required=False, allowed=REVIEW_OF),
    Column("n_studies", required=False, check=whole_number(*STUDIES_RANGE)),
    Column("n_participants", required=False, check=whole_number(*PARTICIPANTS_RANGE)),
    Column("comparator", required=False),
    Column("effect_measure", required=False),
    Column("estimate", required=False, check=_decimal),
    Column("ci_low", required=False, check=_decimal),
    Column("ci_high", required=False, check=_decimal),
    Column("heterogeneity", required=False),
    Column("direction", allowed=DIRECTIONS),
    Column("risk_of_bias", allowed=RISK_OF_BIAS),
    Column("inconsistency", allowed=INCONSISTENCY),
    Column("indirect", allowed=YES_NO),
    Column("independent_of", required=False, many=True, check=normalize_doi),
    Column("key_findings"),
    Column("source", many=True, check=_source),
    Column("verified", allowed=VERIFIED),
    Column("notes", required=False),
)


def _appraisal_table(name: str, key: tuple[str, ...], *columns: Column) -> Table:
    """An appraisal-shaped table keyed by DOI: one design per DOI, and a review says what
    it reviews."""
    return Table(
        name,
        (Column("doi", check=normalize_doi), *columns),
        key=key,
        consistent=(("doi", "design"),),
        row_check=_check_review_of,
    )


APPRAISALS = _appraisal_table(
    "appraisals",
    ("doi", "indication", "outcome"),
    *_APPRAISAL_COLUMNS[:4],
    Column("population"),
    *_APPRAISAL_COLUMNS[4:],
    Column("stated_certainty", required=False),
    Column("stated_certainty_level", required=False, allowed=CERTAINTY_LEVELS),
)

# The best available evidence names its work in full: it need not be in the cache.
BEST_EVIDENCE = _appraisal_table(
    "best_evidence",
    ("indication", "outcome", "doi"),
    *(Column(name) for name in ("work", "authors", "title", "journal")),
    Column("year", check=_year),
    *_APPRAISAL_COLUMNS,
    Column("review_grade", required=False, allowed=CERTAINTY_LEVELS),
    Column("search_date", required=False, check=_month),
)


# Written by `litkit resolve`, never by hand: what became of each cited work without a DOI.
RESOLVED = Table(
    "resolved",
    (
        Column("type", allowed=CITATION_TYPES),
        Column("identifier"),
        Column("doi", required=False, check=_doi),
        Column("method", allowed=RESOLVE_METHODS),
        Column("score", required=False),
        Column("checked_at"),
        Column("status", allowed=RESOLVE_STATUSES),
        Column("reason", required=False),
    ),
    key=("type", "identifier"),
)

# Every raw table a project has, by file name under data/raw, with what it holds.
RAW_TABLES: dict[str, tuple[Table, str]] = {
    "articles.csv": (
        ARTICLES,
        "One row per article under analysis; its text is in `text_file` (under data/raw).",
    ),
    "citations.csv": (
        CITATIONS,
        "One row per work an article cites: a link or a reference-list "
        "entry, with its identifier and the fields as printed.",
    ),
    "indications.csv": (
        INDICATIONS,
        "The vocabulary of indications (what the intervention is "
        "used for); `synonyms` are the words that name each in a text.",
    ),
    "outcomes.csv": (
        OUTCOMES,
        "The vocabulary of outcomes (what a claim says improves or "
        "harms); `synonyms` are the words that name each in a text.",
    ),
    "claims.csv": (
        CLAIMS,
        "Every claim of each article, in the reviewer's own words, with its "
        "indication, topic, strength and cited works.",
    ),
    "appraisals.csv": (
        APPRAISALS,
        "What each cited work shows for each indication and outcome, with its `source`.",
    ),
    "best_evidence.csv": (
        BEST_EVIDENCE,
        "The best available evidence for each indication and "
        "outcome, cited or not, with its `source`.",
    ),
}

# Columns whose values come from another table, checked when the tables are read together.
RUNTIME_VOCABULARIES: dict[tuple[str, str], str] = {
    ("citations", "article_id"): "an `article_id` of articles.csv",
    ("claims", "article_id"): "an `article_id` of articles.csv",
    ("claims", "indication"): f"an `indication_id` of indications.csv, or `{GENERAL}`",
    ("claims", "outcome"): "an `outcome_id` of outcomes.csv",
    ("claims", "cited_dois"): "DOIs of citations.csv",
    ("appraisals", "indication"): "an `indication_id` of indications.csv",
    ("appraisals", "outcome"): "an `outcome_id` of outcomes.csv",
    ("appraisals", "doi"): "a DOI of citations.csv",
    ("best_evidence", "indication"): "an `indication_id` of indications.csv",
    ("best_evidence", "outcome"): "an `outcome_id` of outcomes.csv",
}


# --- readers ---------------------------------------------------------------------------------


def read_articles(path: str | Path, *, line_index: bool = False) -> pd.DataFrame:
    """The articles table, checked (``line_index``: rows indexed by their line, see read_table)."""
    return read_table(path, ARTICLES, line_index=line_index)


def read_citations(path: str | Path, *, articles: pd.DataFrame | None) -> pd.DataFrame:
    """The citations table, checked; each article id must be one of ``articles``.

    ``articles`` is None when the articles table could not be read: the citations are then
    checked on their own, so that one run still reports their problems too.
    """
    ids = None if articles is None else set(articles["article_id"])
    return read_table(path, CITATIONS, allowed={"article_id": ids})


def read_indications(path: str | Path) -> pd.DataFrame:
    """The indications vocabulary, checked."""
    return read_table(path, INDICATIONS)


def read_resolved(path: str | Path) -> pd.DataFrame:
    """``resolved.csv``, checked; an empty table when ``litkit resolve`` has not run yet."""
    if not Path(path).is_file():
        return pd.DataFrame(columns=RESOLVED.names, dtype="string")
    return read_table(path, RESOLVED)


def read_outcomes(path: str | Path) -> pd.DataFrame:
    """The outcomes vocabulary, checked."""
    return read_table(path, OUTCOMES)


def read_claims(
    path: str | Path,
    *,
    article_ids: Collection[str] | None,
    indication_ids: Collection[str] | None,
    outcome_ids: Collection[str] | None,
    cited_dois: Collection[str] | None,
    line_index: bool = False,
) -> pd.DataFrame:
    """The claims, checked against the articles, the vocabularies and the citations.

    A ``None`` vocabulary (its table could not be read) leaves that column unchecked.
    ``line_index``: rows indexed by their line, for the checks across tables below.
    """
    return read_table(
        path,
        CLAIMS,
        line_index=line_index,
        allowed={
            "article_id": article_ids,
            "indication": None
            if indication_ids is None
            else {*indication_ids, GENERAL, UNASSIGNED},
            "outcome": None if outcome_ids is None else {*outcome_ids, UNASSIGNED},
            "cited_dois": cited_dois,
        },
    )


def _typed_appraisals(table: pd.DataFrame) -> pd.DataFrame:
    counts = {
        c: table[c].replace("", pd.NA).astype("Int64") for c in ("n_studies", "n_participants")
    }
    return table.assign(**counts)


def read_appraisals(
    path: str | Path,
    *,
    indication_ids: Collection[str] | None,
    outcome_ids: Collection[str] | None,
    cited_dois: Collection[str] | None,
) -> pd.DataFrame:
    """The appraisals, checked: vocabularies, and DOIs among the citations."""
    table = read_table(
        path,
        APPRAISALS,
        allowed={"indication": indication_ids, "outcome": outcome_ids, "doi": cited_dois},
    )
    return _typed_appraisals(table)


def read_best_evidence(
    path: str | Path, *, indication_ids: Collection[str] | None, outcome_ids: Collection[str] | None
) -> pd.DataFrame:
    """The best-evidence table, checked; typed like the appraisals it is graded with."""
    table = read_table(
        path, BEST_EVIDENCE, allowed={"indication": indication_ids, "outcome": outcome_ids}
    )
    return _typed_appraisals(table)


def check_claim_kinds(claims: pd.DataFrame, outcomes: pd.DataFrame, *, claims_file: str) -> None:
    """An efficacy claim names a benefit outcome and a safety claim a harm outcome.

    So that a claim about harms is never judged on the certainty of a benefit, and the
    reverse. ``claims`` is indexed by line (``read_claims(..., line_index=True)``).
    """
    kinds = dict(zip(outcomes["outcome_id"], outcomes["kind"], strict=False))
    for line, claim in claims.iterrows():
        wanted = GRADED_TOPICS.get(claim["topic"])
        kind = kinds.get(claim["outcome"])
        if wanted and kind and kind != wanted:
            raise RawDataError(
                claims_file,
                line,
                "outcome",
                f"{claim['outcome']!r} is a {kind} outcome, but a {claim['topic']} "
                f"claim needs a {wanted} outcome",
            )


def check_claim_spans(claims: pd.DataFrame, texts: dict[str, str], *, claims_file: str) -> None:
    """Each claim's span lies inside its article's text, and no two claims of one overlap.

    ``claims`` is indexed by line (``read_claims(..., line_index=True)``).
    """
    for article_id, group in claims.groupby("article_id", sort=False):
        size = len(texts.get(article_id, ""))
        spans = sorted(
            (int(c["start"]), int(c["end"]), c["claim_id"], line) for line, c in group.iterrows()
        )
        for start, end, claim_id, line in spans:
            if end > size:
                raise RawDataError(
                    claims_file,
                    line,
                    "end",
                    f"claim {claim_id}: span {start}–{end} "
                    f"runs past the end of article {article_id}'s text ({size} characters)",
                )
        for (s1, e1, c1, _), (s2, _, c2, line) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                raise RawDataError(
                    claims_file,
                    line,
                    "start",
                    f"claims {c1} ({s1}–{e1}) and {c2} (from {s2}) of article {article_id} overlap",
                )


def read_article_texts(
    articles: pd.DataFrame, *, raw_folder: Path, articles_file: str
) -> dict[str, str]:
    """Each article's text, by article id, read from its ``text_file`` under ``raw_folder``.

    ``articles`` is indexed by line (``read_articles(..., line_index=True)``), so that a
    missing file is reported at its row.

    Raises:
        RawDataErrors: one entry per text file that is missing or is not UTF-8 text.
    """
    texts: dict[str, str] = {}
    problems: list[RawDataError] = []
    for line, article in articles.iterrows():
        path = raw_folder / str(article["text_file"])
        if not path.is_file():
            problems.append(
                RawDataError(
                    articles_file,
                    line,
                    "text_file",
                    f"{article['text_file']!r}: no such file (looked for {display_name(path)})",
                )
            )
            continue
        try:
            texts[article["article_id"]] = read_text(path)
        except RawDataError as exc:
            problems.append(exc)
    if problems:
        raise RawDataErrors(problems)
    return texts


def check_citations_against_texts(
    citations: pd.DataFrame, texts: dict[str, str], *, citations_file: str
) -> None:
    """Each article's citations agree with its text.

    Every DOI printed in the text has a citation row; a DOI row without a URL (printed, not
    linked) is printed in the text; and each link's ``anchor_text`` stands at its ``offset``.

    Raises:
        RawDataErrors: one entry per article whose text and citations disagree.
    """
    problems = []
    for article_id, text in texts.items():
        in_text = {normalize_identifier("doi", d) for d in extract_dois(text)}
        rows = citations[citations["article_id"] == article_id]
        # Whole columns as lists: pandas boxes each value of a row apart, slowly.
        cited = {d for d in rows["doi"].tolist() if isinstance(d, str) and d}
        kinds, identifiers, urls = (rows[c].tolist() for c in ("type", "identifier", "url"))
        printed = {
            i for t, i, u in zip(kinds, identifiers, urls, strict=True) if t == "doi" and not u
        }
        if in_text - cited or printed - in_text:
            problems.append(
                RawDataError(
                    citations_file,
                    None,
                    "doi",
                    f"article {article_id}: DOIs in its text and in the table differ "
                    f"(only in text: {sorted(in_text - cited)}; "
                    f"printed only in the table: {sorted(printed - in_text)})",
                )
            )
        links = (rows[c].tolist() for c in ("anchor_text", "offset", "ref_no"))
        for anchor, offset, ref_no in zip(*links, strict=True):
            if anchor and text[int(offset) : int(offset) + len(anchor)] != anchor:
                problems.append(
                    RawDataError(
                        citations_file,
                        None,
                        "offset",
                        f"article {article_id}, ref_no {ref_no}: {anchor!r} is not at "
                        f"offset {offset} of its text",
                    )
                )
    if problems:
        raise RawDataErrors(problems)
