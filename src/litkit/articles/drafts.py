"""Draft rows for a new article: its cited works and the sentences that may be claims.

Drafts save a reviewer typing; they decide nothing. Every row is ``status`` = ``draft``
until a person checks it, and a draft claim's ``claim`` only points at its sentence
("draft: see B text 1234–1301"): the reviewer states the claim in their own words when
accepting it.

**Citations.** One row per cited work: each reference-list entry (its printed fields, its
identifier if it prints one, else type ``reference``), then each work linked or printed in
the text that no entry names, in order of first appearance, with the link's anchor text
and offset. A DOI is filled in where it is known offline: a DOI identifier, or one that
``litkit resolve`` found before (:class:`Reviewed`).

**Claims.** The text is split into sentences by pysbd (rule-based, no model), block by block,
leaving out headings and the reference list. A sentence is a draft claim when it names the
intervention (any of its names in ``litkit.toml``; or a pronoun among its first three words,
right after a sentence of the same paragraph that names it), is no question, and carries a topic cue from ``litkit/data/claim_cues.csv`` (an
effect, a harm, a dose, a recommendation…). Its fields:

* ``topic``: the first of regulatory, safety, dosing, mechanism, practice, efficacy with a cue;
* ``asserted``: from the hedge cues of ``litkit/data/hedges.csv``: ``against`` if any
  against-cue is there, else the weakest cue found (uncertain < possible < probable <
  established), else ``established`` (a plain statement is asserted as fact);
* ``indication`` and ``outcome``: the vocabulary entry whose label or synonym the sentence
  names (earliest, then longest), else the one its section heading names, else
  ``unassigned``; an efficacy claim takes only a benefit outcome and a safety claim only a
  harm (an outcome is ``unassigned`` only for these two, empty for other topics);
* ``cited_dois`` and ``link``: the DOIs of the works linked or marked inside the sentence,
  or by a marker right after it (``explicit``); ``none`` when no cited work has a DOI yet.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import pandas as pd
import pysbd

from litkit.articles.extract import Document
from litkit.articles.identifiers import Found, identifiers_in_document, unique
from litkit.articles.references import Marker, Reference
from litkit.articles.spans import Spans
from litkit.raw import CITATIONS, CLAIMS
from litkit.schema import split_list
from litkit.vocabulary import ASSERTED, DRAFT, GRADED_TOPICS, OUTCOME_KINDS, UNASSIGNED

TOPIC_PRIORITY = ("regulatory", "safety", "dosing", "mechanism", "practice", "efficacy")
# Weakest first: a sentence is asserted no more strongly than its weakest hedge.
STRENGTH = ("uncertain", "possible", "probable", "established")
PRONOUNS = ("it", "its", "it's", "this", "they", "these", "such")
# A pronoun among a sentence's first words ("However, its use …") refers back.
PRONOUN_REACH = 3
MIN_WORDS = 5
# A marker this close after a sentence's end (white space and punctuation between) cites it.
MARKER_REACH = 4


@dataclass(frozen=True)
class Cue:
    """A cue phrase (``*`` ends a word prefix) and what it signals."""

    cue: str
    value: str
    pattern: re.Pattern[str]


def _cue_pattern(cue: str) -> re.Pattern[str]:
    words = re.escape(cue.rstrip("*")).replace(r"\ ", r"\s+")
    tail = r"\w*" if cue.endswith("*") else r"(?!\w)"
    head = r"(?<!\w)" if cue[:1].isalnum() else ""
    # Upper-case cues (FDA, IU) are names and units: matched in that case only.
    flags = 0 if cue.isupper() else re.IGNORECASE
    return re.compile(head + words + tail, flags)


@cache
def load_cues(name: str) -> tuple[Cue, ...]:
    """The cues of ``litkit/data/<name>`` (``hedges.csv`` or ``claim_cues.csv``)."""
    text = files("litkit").joinpath("data", name).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    column = "asserted" if "asserted" in rows[0] else "topic"
    cues = []
    for row in rows:
        value = row[column]
        if column == "asserted" and value not in ASSERTED:
            raise ValueError(f"{name}: cue {row['cue']!r} has unknown strength {value!r}")
        cues.append(Cue(row["cue"], value, _cue_pattern(row["cue"])))
    return tuple(cues)


def hedge_strength(sentence: str, hedges: Sequence[Cue] | None = None) -> str:
    """How strongly ``sentence`` asserts what it says, from its hedge cues.

    >>> hedge_strength("It may help."), hedge_strength("Evidence is limited; more research is needed.")
    ('possible', 'uncertain')
    >>> hedge_strength("It works."), hedge_strength("Infusions are not recommended.")
    ('established', 'against')
    """
    found = [c.value for c in (hedges or load_cues("hedges.csv")) if c.pattern.search(sentence)]
    if "against" in found:
        return "against"
    return min(found, key=STRENGTH.index) if found else "established"


def topic_of(sentence: str, cues: Sequence[Cue] | None = None) -> str | None:
    """The sentence's topic by the first topic in :data:`TOPIC_PRIORITY` with a cue, or None.

    >>> topic_of("High doses should be avoided."), topic_of("It is a white powder.")
    ('dosing', None)
    """
    found = {c.value for c in (cues or load_cues("claim_cues.csv")) if c.pattern.search(sentence)}
    return next((t for t in TOPIC_PRIORITY if t in found), None)


# --- vocabularies -------------------------------------------------------------------------------


def vocabulary_patterns(table: pd.DataFrame, id_column: str) -> list[tuple[str, re.Pattern[str]]]:
    """Each vocabulary id with one pattern for its label and synonyms, longest first."""
    patterns = []
    for row in table.itertuples(index=False):
        names = {str(row.label), *split_list(row.synonyms)}
        names = sorted((n.strip() for n in names if n and n.strip()), key=len, reverse=True)
        if names:
            alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
            patterns.append(
                (
                    str(getattr(row, id_column)),
                    re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE),
                )
            )
    return patterns


def match_vocabulary(text: str, patterns: Sequence[tuple[str, re.Pattern[str]]]) -> str | None:
    """The id named earliest in ``text`` (the longest name on a tie), or None."""
    best: tuple[int, int, str] | None = None
    for ident, pattern in patterns:
        match = pattern.search(text)
        if match and (best is None or (match.start(), -len(match.group(0))) < best[:2]):
            best = (match.start(), -len(match.group(0)), ident)
    return best[2] if best else None


# --- citations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    """What the project already holds for an article, so that drafts add only what is new.

    Attributes:
        known_dois: DOIs found before (by ``litkit resolve``) for (type, identifier) pairs.
        cited: (type, identifier) pairs the article's reviewed citation rows hold.
        spans: (start, end) of its reviewed claims; sentences overlapping them are skipped.
        next_ref_no: the number of the first citation row drafted.
        next_claim: the number of the first draft claim (ids are ``<article>-draft-<nnn>``).
    """

    known_dois: Mapping[tuple[str, str], str] = field(default_factory=dict)
    cited: frozenset[tuple[str, str]] = frozenset()
    spans: tuple[tuple[int, int], ...] = ()
    next_ref_no: int = 1
    next_claim: int = 1

    def doi_of(self, found: Found) -> str:
        """The DOI of a work found in the text: its own, or one found before; else ''."""
        if found.type == "doi":
            return found.identifier
        return self.known_dois.get((found.type, found.identifier), "")


NOTHING_REVIEWED = Reviewed()


def draft_citations(
    document: Document,
    references: Sequence[Reference],
    *,
    article_id: str,
    reviewed: Reviewed = NOTHING_REVIEWED,
) -> pd.DataFrame:
    """Draft ``citations.csv`` rows for one article (see the module docstring).

    Args:
        document: the article.
        references: its reference list (:func:`litkit.articles.references.reference_list`).
        article_id: the article's id.
        reviewed: what is reviewed already: its works are not drafted again.
    """
    taken = reviewed.cited
    rows: list[dict[str, object]] = []
    in_entries: set[tuple[str, str]] = set()
    for entry in references:
        ids = sorted(entry.identifiers, key=lambda f: f.type != "doi")
        first = ids[0] if ids else None
        in_entries |= {(f.type, f.identifier) for f in ids}
        if first and (first.type, first.identifier) in taken:
            continue
        rows.append(
            {
                "type": first.type if first else "reference",
                "identifier": first.identifier if first else "",
                "doi": reviewed.doi_of(first) if first else "",
                "url": first.url if first else "",
                "anchor_text": entry.text,
                "offset": str(entry.start),
                **entry.fields,
            }
        )
    for found in unique(identifiers_in_document(document.text, document.links)):
        key = (found.type, found.identifier)
        if key in in_entries or key in taken:
            continue
        rows.append(
            {
                "type": found.type,
                "identifier": found.identifier,
                "doi": reviewed.doi_of(found),
                "url": found.url,
                "anchor_text": document.text[found.start : found.end],
                "offset": str(found.start),
            }
        )
    numbers = range(reviewed.next_ref_no, reviewed.next_ref_no + len(rows))
    rows = [
        {"article_id": article_id, "ref_no": str(n), **row, "status": DRAFT}
        for n, row in zip(numbers, rows, strict=False)
    ]
    return pd.DataFrame(rows, columns=CITATIONS.names, dtype="string").fillna("")


# --- claims ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(document: Document, *, skip: Iterable[tuple[int, int]] = ()) -> list[Sentence]:
    """The sentences of the document's paragraphs and list items, with their spans.

    Headings, code and the ``skip`` spans (the reference list) are left out.
    """
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    skip = Spans(skip)
    found: list[Sentence] = []
    for block in document.blocks:
        if block.kind not in ("paragraph", "item", "row"):
            continue
        if skip.covers(block.start):
            continue
        text = document.text[block.start : block.end]
        for span in segmenter.segment(text):
            start = block.start + span.start + (len(span.sent) - len(span.sent.lstrip()))
            end = block.start + span.start + len(span.sent.rstrip())
            if end > start:
                found.append(Sentence(start, end, document.text[start:end]))
    return found


def _section(document: Document, position: int, title: str) -> str:
    heading = None
    for block in document.headings:
        if block.start < position:
            heading = document.block_text(block).strip()
    return heading or f"{title} (untitled opening)"


def _cited_in(
    sentence: Sentence,
    next_start: int,
    document: Document,
    links: Sequence[Found],
    markers: Sequence[Marker],
    entry_ids: dict[int, list[Found]],
) -> list[Found]:
    """The works linked or marked in the sentence, or marked right after it."""
    cited = [f for f in links if sentence.start <= f.start < sentence.end]
    for marker in markers:
        after = document.text[sentence.end : marker.start]
        close = (
            0 <= marker.start - sentence.end <= MARKER_REACH
            and marker.start < next_start
            and not re.search(r"\w", after)
        )
        if sentence.start <= marker.start < sentence.end or close:
            for number in marker.numbers:
                cited += entry_ids.get(number, [])
    return unique(cited)


def draft_claims(
    document: Document,
    *,
    article_id: str,
    title: str,
    names: Sequence[str],
    indications: pd.DataFrame,
    outcomes: pd.DataFrame,
    references: Sequence[Reference] = (),
    markers: Sequence[Marker] = (),
    reviewed: Reviewed = NOTHING_REVIEWED,
) -> pd.DataFrame:
    """Draft ``claims.csv`` rows for one article (see the module docstring).

    Args:
        document: the article.
        article_id: its id.
        title: its title (names the section before the first heading).
        names: the intervention's names.
        indications, outcomes: the project's vocabularies (id, label, synonyms).
        references, markers: its reference list and the markers that cite entries.
        reviewed: what is reviewed already: sentences of reviewed claims are not drafted.
    """
    if not names:
        raise ValueError("no name for the intervention: fill in 'intervention' in litkit.toml")
    mention = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names), re.IGNORECASE)
    indication_patterns = vocabulary_patterns(indications, "indication_id")
    outcome_patterns = {
        kind: vocabulary_patterns(outcomes[outcomes["kind"] == kind], "outcome_id")
        for kind in OUTCOME_KINDS
    }
    outcome_patterns[None] = vocabulary_patterns(outcomes, "outcome_id")
    hedges, topic_cues = load_cues("hedges.csv"), load_cues("claim_cues.csv")
    links = identifiers_in_document(document.text, document.links)
    entry_ids = {r.number: list(r.identifiers) for r in references}
    skip = [(r.start, r.end) for r in references]
    found = sentences(document, skip=skip)
    reviewed_spans = Spans(reviewed.spans)
    rows = []
    previous_named = False
    for i, sentence in enumerate(found):
        named = bool(mention.search(sentence.text))
        opening = [w.lower().strip("\u2019'\"(,") for w in sentence.text.split()[:PRONOUN_REACH]]
        about = named or (previous_named and any(w in PRONOUNS for w in opening))
        same_block = (
            i + 1 < len(found) and "\n\n" not in document.text[sentence.end : found[i + 1].start]
        )
        previous_named = about and same_block
        topic = topic_of(sentence.text, topic_cues) if about else None
        if (
            not about
            or topic is None
            or len(sentence.text.split()) < MIN_WORDS
            or sentence.text.rstrip("\"'\u201d)").endswith("?")
            or reviewed_spans.overlaps(sentence.start, sentence.end)
        ):
            continue
        section = _section(document, sentence.start, title)
        next_start = found[i + 1].start if i + 1 < len(found) else len(document.text)
        cited = _cited_in(sentence, next_start, document, links, markers, entry_ids)
        dois = list(dict.fromkeys(d for d in (reviewed.doi_of(f) for f in cited) if d))
        # An efficacy claim names a benefit and a safety claim a harm (GRADED_TOPICS).
        patterns = outcome_patterns.get(GRADED_TOPICS.get(topic), outcome_patterns[None])
        outcome = (
            match_vocabulary(sentence.text, patterns)
            or match_vocabulary(section, patterns)
            or (UNASSIGNED if topic in GRADED_TOPICS else "")
        )
        others = [f"{f.type} {f.identifier}" for f in cited if not reviewed.doi_of(f)]
        note = f" (also cites {', '.join(others)})" if others else ""
        rows.append(
            {
                "claim_id": f"{article_id}-draft-{reviewed.next_claim + len(rows):03d}",
                "article_id": article_id,
                "section": section,
                "claim": f"draft: see {article_id} text {sentence.start}\u2013{sentence.end}{note}",
                "indication": (
                    match_vocabulary(sentence.text, indication_patterns)
                    or match_vocabulary(section, indication_patterns)
                    or UNASSIGNED
                ),
                "outcome": outcome,
                "topic": topic,
                "asserted": hedge_strength(sentence.text, hedges),
                "direction": "",
                "cited_dois": "; ".join(dois),
                "link": "explicit" if dois else "none",
                "start": str(sentence.start),
                "end": str(sentence.end),
                "status": DRAFT,
            }
        )
    return pd.DataFrame(rows, columns=CLAIMS.names, dtype="string").fillna("")
