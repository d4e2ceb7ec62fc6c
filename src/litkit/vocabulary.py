"""Every controlled vocabulary of litkit, each beside the one validator that checks it.

A vocabulary is a tuple in display order (best or strongest first where there is an order).
Raw tables, transforms, views and plots all take their lists from here, so a new value is
added once. :func:`validate` raises a ``ValueError`` that names the value and what is
allowed, which the raw-table reader turns into a located error.

>>> validate("rct", DESIGNS, "design")
'rct'
>>> validate("RCT", DIRECTIONS, "direction")
Traceback (most recent call last):
...
ValueError: unknown direction 'RCT'; expected one of: favours, mixed, no-benefit, harm
"""

from __future__ import annotations

from collections.abc import Collection


def validate(value: str, vocabulary: Collection[str], name: str) -> str:
    """``value`` if it belongs to ``vocabulary``, else a ``ValueError`` naming both."""
    if value not in vocabulary:
        raise ValueError(f"unknown {name} {value!r}; expected one of: {', '.join(vocabulary)}")
    return value


YES_NO = ("yes", "no")

# --- the articles --------------------------------------------------------------------------

SOURCE_KINDS = ("health-information-site", "clinic-blog", "news", "journal-article", "other")

# --- what an article cites ---------------------------------------------------------------

# The kinds of identifier litkit finds in a text or a link, and "reference" for an entry of
# a reference list that prints none.
IDENTIFIER_TYPES = ("doi", "pmid", "pmcid", "pii", "arxiv", "isbn", "nbk")
CITATION_TYPES = (*IDENTIFIER_TYPES, "reference")
# A row written by `litkit add-article` is a draft until a person has checked it.
CITATION_STATUSES = ("draft", "reviewed")
# The printed styles of reference-list entries that litkit parses field by field.
REFERENCE_STYLES = ("mla", "apa", "harvard", "vancouver", "unparsed")

# --- study designs ------------------------------------------------------------------------

# Ordered roughly by strength of evidence, strongest first; a guideline weighs what it
# grades itself, and protocols and unclassified works are not graded at all.
DESIGNS = (
    "systematic-review",
    "rct",
    "controlled-trial",
    "cohort",
    "case-control",
    "cross-sectional",
    "case-series",
    "case-report",
    "guideline",
    "narrative-review",
    "protocol",
    "commentary",
    "unclassified",
)
UNCLASSIFIED = "unclassified"

# Oxford CEBM-style levels. A guideline is as strong as the grades of its own statements,
# so it gets "GL" rather than a number; a protocol has no results to grade.
EVIDENCE_LEVELS = {
    "systematic-review": "1",
    "rct": "2",
    "controlled-trial": "3",
    "cohort": "3",
    "case-control": "4",
    "cross-sectional": "4",
    "case-series": "4",
    "case-report": "5",
    "guideline": "GL",
    "narrative-review": "5",
    "protocol": "n/a",
    "commentary": "5",
    "unclassified": "n/a",
}

# Where a design came from in the designs table.
DESIGN_SOURCES = ("curated", "classifier")


def validate_design(value: str) -> str:
    """``value`` if it is one of :data:`DESIGNS`.

    >>> validate_design("RCT")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown design 'RCT'; expected one of: systematic-review, rct, ..., unclassified
    """
    return validate(value, DESIGNS, "design")


# --- appraisals: what a work shows -----------------------------------------------------------

DIRECTIONS = ("favours", "mixed", "no-benefit", "harm")
REVIEW_OF = ("rct", "non-randomised", "mixed")
RISK_OF_BIAS = ("low", "some-concerns", "high", "not-assessed")
INCONSISTENCY = ("none", "some", "serious", "not-applicable")
VERIFIED = ("yes", "partly", "no")

# --- certainty (GRADE) ------------------------------------------------------------------------

CERTAINTY_LEVELS = ("high", "moderate", "low", "very-low")  # best to worst
NO_EVIDENCE = "none"
CERTAINTIES = (*CERTAINTY_LEVELS, NO_EVIDENCE)  # then: no evidence at all
RANK = {"high": 4, "moderate": 3, "low": 2, "very-low": 1, NO_EVIDENCE: 0}


def validate_certainty(value: str) -> str:
    """``value`` if it is a certainty (a GRADE level or ``none``)."""
    return validate(value, CERTAINTIES, "certainty")


# What the certainties of the cited evidence describe, said on every evidence row.
SCOPE = "the evidence the article cites (not a systematic search of the literature)"

# --- indications and claims ---------------------------------------------------------------

# A claim about no single indication.
GENERAL = "general"
GENERAL_LABEL = "General (no single indication)"

# An outcome is a benefit (pain relief, fewer infections) or a harm (adverse effects).
OUTCOME_KINDS = ("benefit", "harm")
# Claims found by `litkit add-article` name these until a reviewer assigns them.
UNASSIGNED = "unassigned"

# A claim drafted by `litkit add-article` is a draft until a reviewer writes it in their
# own words and checks its fields.
CLAIM_STATUSES = ("draft", "reviewed")
DRAFT, REVIEWED = CLAIM_STATUSES

ASSERTED = ("established", "probable", "possible", "uncertain", "against")
TOPICS = ("efficacy", "safety", "mechanism", "regulatory", "dosing", "practice")
LINKS = ("explicit", "inferred", "none")
CONCORDANCES = ("supported", "overstated", "understated", "uncited", "not-assessable")

# Mechanism and regulatory statements are facts of pharmacology and law, and practice
# statements (monitor, select, supervise) are what GRADE calls good practice statements:
# a certainty of clinical effect does not apply to any of them.
NOT_GRADED_TOPICS = ("mechanism", "regulatory", "practice")

# --- the citation audit ----------------------------------------------------------------------

AUDIT_VERDICTS = ("ok", "minor", "major", "retracted", "not-checked")
# Per-check outcomes, mildest first; a note is worth knowing but is no error.
AUDIT_LEVELS = ("ok", "note", "minor", "major")
RETRACTION_TYPES = ("retraction", "partial_retraction", "withdrawal", "removal")
CONCERN_TYPES = ("expression_of_concern",)
CORRECTION_TYPES = ("correction", "erratum", "corrigendum", "addendum", "clarification")

# --- Crossref ----------------------------------------------------------------------------------

# What each DOI of a fetch ends as. "fetched" and "cached" mean it is in the cache afterwards.
FETCH_STATUSES = ("fetched", "cached", "invalid", "not-found", "failed", "not-cached")
FETCHED_STATUSES = ("fetched", "cached")
# What `litkit resolve` made of a cited work without a DOI, and how it looked.
RESOLVE_STATUSES = ("resolved", "not-found", "unresolved", "failed")
RESOLVE_METHODS = ("crossref-alternative-id", "ncbi-idconv", "crossref-bibliographic")
# Whether a cited work's row comes from its Crossref record or from the printed citation.
CROSSREF_STATUSES = ("fetched", "not fetched")
