"""Study design of a cited work, from its title and abstract, by transparent rules.

Every label comes with the name of the rule that produced it, so a curator can see why a
work was called a cohort study and overrule it. The classifier never guesses: a title and
abstract with no design cue are ``"unclassified"``, not the most likely design.

How it decides
--------------
:data:`RULES` is an ordered tuple of named regular expressions. The title is tried against
every rule first, then the abstract; the first rule that fires wins, so a title cue always
beats an abstract cue. The order of the rules is the order of :data:`RULE_ORDER`:

1. commentary and errata: a letter *about* a meta-analysis is a letter;
2. protocol: a protocol *for* a randomised trial is a protocol, not a trial;
3. systematic review / meta-analysis: "a systematic review of randomised controlled
   trials" mentions trials but is a review;
4. guideline / consensus statement;
5. randomised controlled trial;
6. non-randomised controlled trial;
7. cohort;
8. case-control;
9. cross-sectional;
10. case series;
11. case report;
12. narrative review: the bare word "review" comes last, after everything more specific.

Titles are short and written to announce the design, so title rules may be broad ("cohort"
anywhere). Abstracts also describe *other* studies ("previous meta-analyses found...",
"randomised trials are needed"), so most abstract rules only fire on a self-reference: a
singular design noun after "this", "we", "our", "the present", a structured "Design:" label,
or "A ..." at the start of a sentence. For the same reason the background section of a
structured abstract is ignored when a later section (Methods, Design, Results...) follows it.

>>> classify_design("Infusions for refractory chronic illness: a 1-year follow-up study")
('cohort', 'title:follow-up')
>>> classify_design("Drug X in practice", "This clinical update reviews the evidence.")
('narrative-review', 'abstract:narrative-review')
>>> classify_design("Drug X in practice")
('unclassified', 'no-cue')
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from litkit.analysis.design_rules import RULES
from litkit.crossref.records import plain_text
from litkit.processed import conform
from litkit.vocabulary import EVIDENCE_LEVELS, UNCLASSIFIED, validate_design

NO_CUE = "no-cue"


def evidence_level(design: str) -> str:
    """The CEBM-style evidence level of a design ("1" strongest to "5"; "GL"; "n/a").

    >>> evidence_level("cohort")
    '3'
    """
    return EVIDENCE_LEVELS[validate_design(design)]


# --- classifying --------------------------------------------------------------------------

# Hyphens, dashes and minus signs all become "-"; curly apostrophes become "'".
_PUNCTUATION = tuple(
    [(c, "-") for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"]
    + [("\u2018", "'"), ("\u2019", "'")]
)
# A JATS section title ("<jats:title>Methods</jats:title>") becomes a label ("Methods:").
_SECTION_TITLE_END = re.compile(r"</(?:jats:)?title>", re.IGNORECASE)
# The background of a structured abstract describes earlier work ("A meta-analysis
# suggested..."), not this study, so it is dropped when a later section follows it.
_BACKGROUND = re.compile(
    r"\b(?:background|introduction|context|rationale)\s*:.*?"
    r"(?=\b(?:objectives?|aims?|purpose|methods?|materials and methods|design|study design"
    r"|setting|participants|results)\s*:)",
    re.IGNORECASE | re.DOTALL,
)


def clean_text(text: object) -> str:
    """Plain, single-spaced text with dashes unified; ``""`` for None, NaN or NA.

    Markup goes through the one :func:`~litkit.crossref.records.plain_text`, so a decoded
    ``&lt;`` in an abstract is text, never the start of a tag.

    >>> clean_text("A <i>case\u2013control</i>  study")
    'A case-control study'
    >>> clean_text("scores &lt;4 in this randomised controlled trial of adults &gt;18")
    'scores <4 in this randomised controlled trial of adults >18'
    >>> clean_text(float("nan"))
    ''
    """
    if not isinstance(text, str):
        return ""
    # Each step is skipped where it cannot change the text: most texts are plain ASCII.
    labelled = _SECTION_TITLE_END.sub(r":\g<0>", text) if "<" in text else text
    plain = plain_text(labelled) or ""
    if not plain.isascii():
        # One replace per mark: far quicker than str.translate with a dict on long texts.
        for mark, plain_mark in _PUNCTUATION:
            plain = plain.replace(mark, plain_mark)
    return plain


def _abstract_text(abstract: object) -> str:
    """The abstract as :func:`clean_text`, without its background section.

    >>> _abstract_text("Background: A meta-analysis found X. Methods: We randomised 80 adults.")
    'Methods: We randomised 80 adults.'
    """
    text = clean_text(abstract)
    return (_BACKGROUND.sub("", text) if ":" in text else text).strip()


def classify_design(title: str | None, abstract: str | None = None) -> tuple[str, str]:
    """The design of a work and the rule that decided it, as ``(design, rule_name)``.

    The rule name says where it fired (``"title:meta-analysis"``,
    ``"abstract:randomly-assigned"``); no cue anywhere gives ``("unclassified", "no-cue")``.

    >>> classify_design("Study protocol for a randomised controlled trial of drug X")
    ('protocol', 'title:study-protocol')
    >>> classify_design("Drug X and mood", "Adults were randomly assigned to ...")
    ('rct', 'abstract:randomly-assigned')
    """
    for where, text in (("title", clean_text(title)), ("abstract", _abstract_text(abstract))):
        if not text:
            continue
        lowered = text.lower()
        for rule in _READING[where]:
            if rule.fires(text, lowered):
                return rule.design, f"{where}:{rule.name}"
    return UNCLASSIFIED, NO_CUE


# The rules that read each text, in order.
_READING = {where: tuple(r for r in RULES if r.reads(where)) for where in ("title", "abstract")}


# Below this many works one process is quicker than starting others.
PARALLEL_FROM = 4000


def _classify_chunk(pairs: list[tuple[object, object]]) -> list[tuple[str, str]]:
    return [classify_design(title, abstract) for title, abstract in pairs]


def _classify_all(pairs: list[tuple[object, object]]) -> list[tuple[str, str]]:
    """:func:`classify_design` for each pair, spread over the machine's cores when many.

    The classifier is pure and the order of the result is the order of ``pairs``, so the
    table is the same however many processes made it.
    """
    workers = min(os.cpu_count() or 1, 8)
    if len(pairs) < PARALLEL_FROM or workers < 2:
        return _classify_chunk(pairs)
    size = -(-len(pairs) // (workers * 4))
    chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [label for chunk in pool.map(_classify_chunk, chunks) for label in chunk]


def classify_designs(works: pd.DataFrame) -> pd.DataFrame:
    """One row per work: ``doi``, ``classifier_design``, ``classifier_rule``.

    ``works`` needs ``doi`` and ``title``; ``abstract`` is optional. Missing values are
    fine. The result keeps the index of ``works``; ``works`` is not changed.

    >>> works = pd.DataFrame({"doi": ["10.1/a"], "title": ["A birth cohort study"]})
    >>> classify_designs(works).iloc[0].tolist()
    ['10.1/a', 'cohort', 'title:cohort']
    """
    missing = [column for column in ("doi", "title") if column not in works.columns]
    if missing:
        raise ValueError(f"works is missing column(s): {', '.join(missing)}")
    abstracts = works["abstract"] if "abstract" in works.columns else [None] * len(works)
    labels = _classify_all(list(zip(works["title"].tolist(), list(abstracts), strict=True)))
    return pd.DataFrame(
        {
            "doi": works["doi"].copy(),
            "classifier_design": [design for design, _ in labels],
            "classifier_rule": [rule for _, rule in labels],
        },
        index=works.index,
    )


def tabulate_designs(works: pd.DataFrame, curated: pd.DataFrame) -> pd.DataFrame:
    """The design of each work (cited or best evidence): the classifier's, the curated one,
    and the final one.

    Curated designs win; where there is none the classifier's stands. ``agrees`` is False
    wherever the two differ, so every disagreement can be listed and checked.

    Args:
        works: cited works (``doi``, ``title``, optional ``abstract`` and ``year``).
        curated: ``doi`` and ``curated_design``.
    """
    unique = works.drop_duplicates("doi").reset_index(drop=True)
    table = unique[["doi"]].join(classify_designs(unique).drop(columns="doi"))
    table = table.merge(curated[["doi", "curated_design"]], on="doi", how="left")
    has_curated = table["curated_design"].notna()
    table["final_design"] = table["curated_design"].where(has_curated, table["classifier_design"])
    table["design_source"] = pd.Series(
        ["curated" if c else "classifier" for c in has_curated], dtype="string"
    )
    table["evidence_level"] = table["final_design"].map(evidence_level).astype("string")
    table["agrees"] = (~has_curated) | (table["curated_design"] == table["classifier_design"])
    table["title"] = unique["title"]
    table["year"] = unique["year"] if "year" in unique else pd.NA
    return conform(table, "designs")


def design_disagreements(designs: pd.DataFrame) -> pd.DataFrame:
    """The works whose classifier design differs from the curated one."""
    return designs.loc[
        ~designs["agrees"].fillna(True).astype(bool),
        ["doi", "title", "classifier_design", "classifier_rule", "curated_design"],
    ].reset_index(drop=True)


def curated_designs(appraisals: pd.DataFrame) -> pd.DataFrame:
    """One curated design per appraised DOI (rows of one DOI agree, checked on reading)."""
    return (
        appraisals[["doi", "design"]]
        .drop_duplicates("doi")
        .rename(columns={"design": "curated_design"})
        .reset_index(drop=True)
    )
