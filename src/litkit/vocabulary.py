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
INCONSISTENCY = ("none", "some", "serious", "not-applicable", "not-assessed")
VERIFIED = ("yes", "partly", "no")

# --- certainty (GRADE) ------------------------------------------------------------------------

CERTAINTY_LEVELS = ("high", "moderate", "low", "very-low")  # best to worst
NO_EVIDENCE = "none"
CERTAINTIES = (*CERTAINTY_LEVELS, NO_EVIDENCE)  # then: no evidence at all
RANK = {"high": 4, "moderate": 3, "low": 2, "very-low": 1, NO_EVIDENCE: 0}


def validate_certainty(value: str) -> str:
    """``value`` if it is a certainty (a GRADE level or ``none``)."""
    return validate(value, CERTAINTIES, "certainty")


# The certainty an assertion claims, in GRADE's own wording of findings: high certainty
# "reduces", moderate "probably reduces", low "may reduce", very low "very uncertain".
# An assertion is in keeping with evidence of at least this certainty.
ASSERTION_NEEDS = {
    "established": "high",
    "probable": "moderate",
    "possible": "low",
    "uncertain": "very-low",
    "against": "low",
}

# What the two certainties describe, said wherever they are shown.
CITED_SCOPE = "the evidence the article cites"
BEST_SCOPE = "the best available evidence, cited or not (curated; see its sources)"

# --- indications and claims ---------------------------------------------------------------

# A claim about no single indication.
GENERAL = "general"
GENERAL_LABEL = "General (no single indication)"

# A claim not yet tied to an indication or outcome (drafts only).
UNASSIGNED = "unassigned"

# Outcomes are benefits (symptom relief) or harms (adverse effects); a claim about a harm is
# judged only against evidence on that harm.
OUTCOME_KINDS = ("benefit", "harm")

ASSERTED = ("established", "probable", "possible", "uncertain", "against")
TOPICS = ("efficacy", "safety", "mechanism", "regulatory", "dosing", "practice")
# The topics whose claims are graded, and the kind of outcome each must name.
GRADED_TOPICS = {"efficacy": "benefit", "safety": "harm"}
LINKS = ("explicit", "inferred", "none")
CLAIM_STATUSES = ("draft", "reviewed")
DRAFT, REVIEWED = CLAIM_STATUSES

# A claim's verdict, in the order a reviewer reads them (docs/method.md has one worked
# example of each):
VERDICTS = (
    "contradicted",  # the best evidence points the other way
    "overstated",  # asserted more firmly than even the best evidence allows
    "under-cited",  # the literature backs it; the article's own citations do not
    "uncited",  # the article cites nothing for it (the reason says what the best evidence shows)
    "understated",  # asserted two or more levels more weakly than same-direction best evidence
    "supported",  # in keeping with the best evidence (or, where none is curated, the cited)
    "not-graded",  # mechanism, regulation, advice or dosing, or a draft: no certainty applies
)

# Each verdict in a reader's words, for legends and keys.
VERDICT_MEANINGS = {
    "contradicted": "the best evidence points the other way",
    "overstated": "asserted more firmly than even the best evidence allows",
    "under-cited": "the literature backs it; the works the article cites do not",
    "uncited": "the article cites nothing for it",
    "understated": "asserted more weakly than the best evidence allows",
    "supported": "in keeping with the best evidence and with what the article cites",
    "not-graded": "mechanism, regulation, advice or dosing: no certainty applies",
}

# Mechanism and regulatory statements are facts of pharmacology and law; practice and
# dosing statements (monitor, select, avoid high doses) are what GRADE calls good practice
# statements: a certainty of clinical effect applies to none of them.
NOT_GRADED_TOPICS = ("mechanism", "regulatory", "practice", "dosing")

# Comparators that make a finding absolute (does it work, does it harm) rather than a
# head-to-head comparison with another treatment.
ABSOLUTE_COMPARATORS = ("placebo", "usual care", "standard care", "no treatment", "control")


# Pages that repeat others' content (document-sharing sites, aggregators, mirrors): never a
# source of a curated fact.
REJECTED_SOURCE_HOSTS = tuple(
    "zendy.io scribd.com doczz.net abcdocz.com researchgate.net semanticscholar.org medscape.com"
    " guidelinecentral.com basespace.illumina.com sci-hub europepmc.org/abstract/MED/mirror".split()
)

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
