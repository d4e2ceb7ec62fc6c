"""The design classifier's rules: named regular expressions, in the order they are tried.

This module is data: :data:`RULES` is an ordered tuple of :class:`Rule` objects, and
:mod:`litkit.analysis.designs` applies them (the title first, then the abstract; the first
rule that fires wins). See that module's docstring for why the rules come in this order
and why most abstract rules need a self-reference ("this randomised trial", "we ...").
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the standard library's own regex parser (stable since 3.11)
from dataclasses import dataclass, field
from itertools import product
from typing import NamedTuple

from litkit.vocabulary import validate_design

# Which text a rule reads.
WHERE = ("title", "abstract", "both")

_C = sre_parse  # opcodes: LITERAL, SUBPATTERN, BRANCH, MAX_REPEAT, MIN_REPEAT


# A cue that must open the text ("Re: …") is marked with this prefix.
ANCHOR = "^"
# How many sets of cues a rule keeps: the most selective ones.
_MOST_CLAUSES = 4
_SHORTEST_CUE = 3


def required_literals(pattern: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Sets of lower-case strings: every match of ``pattern`` contains one string of each set.

    Cheap ``in`` tests on these rule a pattern out before its regex runs, which is what
    makes classifying tens of thousands of abstracts fast. Each set is a necessary condition,
    so a text that lacks every string of any one set cannot match; the most selective sets
    come first. A cue that must open the text starts with :data:`ANCHOR`. An empty tuple
    when nothing is required.

    >>> [sorted(c) for c in required_literals(re.compile(r"\\brandomi[sz]ed (?:trial|study)", re.I))]
    [['randomi'], ['study', 'trial'], ['ed ']]
    >>> [sorted(c) for c in required_literals(re.compile(r"cohort|registr(?:y|ies)|^re:", re.I))]
    [['^re:', 'cohort', 'registr']]
    >>> [sorted(c) for c in required_literals(re.compile(r"\\bwe (?:describe|report) a case", re.I))]
    [[' a case'], ['describe', 'report'], ['we ']]
    """
    return _required(sre_parse.parse(pattern.pattern, pattern.flags))


def _selectivity(options: frozenset[str]) -> tuple[int, int]:
    return min(len(o) + 50 * o.startswith(ANCHOR) for o in options), -len(options)


def _implies(cue: str, other: str) -> bool:
    """Whether a text that holds ``cue`` always holds ``other`` too."""
    if other.startswith(ANCHOR):
        return cue.startswith(other)
    return other in cue.removeprefix(ANCHOR)


def _simplest(clause: frozenset[str]) -> frozenset[str]:
    """``clause`` without the cues that another of its cues is found in ("a or ab" is "a")."""
    return frozenset(
        cue for cue in clause if not any(o != cue and _implies(cue, o) for o in clause)
    )


def _most_selective(clauses) -> tuple[frozenset[str], ...]:
    """The most selective few of ``clauses``; beyond the first, none that a short cue
    (a letter, a space) would let through almost every text."""
    unique = dict.fromkeys(_simplest(clause) for clause in clauses)
    ranked = sorted(unique, key=_selectivity, reverse=True)[:_MOST_CLAUSES]
    return tuple(ranked[:1] + [c for c in ranked[1:] if _selectivity(c)[0] >= _SHORTEST_CUE])


def _required(items) -> tuple[frozenset[str], ...]:
    """What a sequence requires: what each of its items requires (its literal runs, its groups)."""
    clauses: list[frozenset[str]] = []
    run: list[str] = []
    items = list(items)
    if (
        items
        and items[0] == (_C.AT, _C.AT_BEGINNING)
        and len(items) > 1
        and items[1][0] is _C.LITERAL
    ):
        run.append(ANCHOR)
        items = items[1:]
    for op, arg in items:
        if op is _C.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            clauses.append(frozenset(["".join(run).lower()]))
            run = []
        clauses.extend(_required_of(op, arg))
    if run:
        clauses.append(frozenset(["".join(run).lower()]))
    return _most_selective(clauses)


def _required_of(op, arg) -> tuple[frozenset[str], ...]:
    """What one regex item (a group, an alternation, a repeat) requires, if anything."""
    if op is _C.SUBPATTERN:
        return _required(arg[-1])
    if op is _C.BRANCH:
        # (a1 and a2) or (b1 and b2) is (a1 or b1) and (a1 or b2) and (a2 or b1) and (a2 or b2).
        branches = [_required(branch) for branch in arg[1]]
        if not all(branches):
            return ()
        return _most_selective(frozenset().union(*pick) for pick in product(*branches))
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT) and arg[0] >= 1:
        return _required(arg[2])
    return ()  # anchors, look-arounds, classes, optional parts: no requirement


@dataclass(frozen=True)
class Rule:
    """A named cue: if ``pattern`` is found (and ``unless`` is not), the work is ``design``.

    ``where`` says which text the rule reads: ``"title"``, ``"abstract"`` or ``"both"``.
    ``cues`` are the sets of strings of :func:`required_literals`.
    """

    name: str
    design: str
    pattern: re.Pattern[str]
    where: str = "both"
    unless: re.Pattern[str] | None = None
    # A quicker pattern that every match of ``pattern`` holds a match of, tried first.
    core: re.Pattern[str] | None = field(default=None, compare=False)
    cues: tuple[frozenset[str], ...] = field(default=(), compare=False)
    # Each set of cues split for quick tests: (strings found anywhere, strings opening the text).
    _tests: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = field(
        default=(), compare=False, repr=False
    )

    def __post_init__(self) -> None:
        validate_design(self.design)
        if self.where not in WHERE:
            raise ValueError(f"unknown where {self.where!r}; expected one of: {', '.join(WHERE)}")
        cues = required_literals(self.pattern)
        tests = tuple(
            (
                tuple(sorted(c for c in clause if not c.startswith(ANCHOR))),
                tuple(sorted(c.removeprefix(ANCHOR) for c in clause if c.startswith(ANCHOR))),
            )
            for clause in cues
        )
        object.__setattr__(self, "cues", cues)
        object.__setattr__(self, "_tests", tests)

    def reads(self, where: str) -> bool:
        return self.where in (where, "both")

    def fires(self, text: str, lowered: str | None = None) -> bool:
        """Whether the rule fires on ``text`` (``lowered`` is ``text.lower()``, if known).

        A text that lacks every cue of one of the rule's sets of cues, or any match of its
        ``core``, is ruled out without running the whole regex.
        """
        if self._tests:
            lowered = text.lower() if lowered is None else lowered
            holds = lowered.__contains__
            for anywhere, opening in self._tests:
                if not (any(map(holds, anywhere)) or (opening and lowered.startswith(opening))):
                    return False
        if self.core is not None and not self.core.search(text):
            return False
        if not self.pattern.search(text):
            return False
        return self.unless is None or not self.unless.search(text)


class _SelfReference(NamedTuple):
    """A pattern for a design noun used by an abstract about its own study (see :func:`_self`)."""

    pattern: str
    noun: str


def _rule(
    name: str,
    design: str,
    *patterns: str | _SelfReference,
    where: str = "both",
    unless: str | None = None,
) -> Rule:
    """A :class:`Rule` whose case-insensitive pattern matches any of ``patterns``.

    When some of them are self-references, the rule's ``core`` looks for their nouns alone
    (every match holds one), which rules most abstracts out far sooner than the whole pattern.
    """
    compiled_unless = re.compile(unless, re.IGNORECASE) if unless else None
    whole = [p.pattern if isinstance(p, _SelfReference) else p for p in patterns]
    pattern = re.compile("|".join(whole), re.IGNORECASE)
    core = None
    if any(isinstance(p, _SelfReference) for p in patterns):
        parts = [p.noun if isinstance(p, _SelfReference) else p for p in patterns]
        core = re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE)
    return Rule(name, design, pattern, where, compiled_unless, core)


# --- building blocks --------------------------------------------------------------------

# Small counts written as words, for "two cases", "a series of twelve patients".
_NUM = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|several|multiple)"
)

# "randomised" that is not "non-randomised", "quasi-randomised" or "pseudo-randomised"
# (but "cluster-randomised" is still randomised).
_RANDOMISED = (
    r"(?<!non)(?<!non-)(?<!non )(?<!quasi)(?<!quasi-)(?<!quasi )"
    r"(?<!pseudo)(?<!pseudo-)(?<!pseudo )\brandomi[sz]ed"
)

# A self-reference in an abstract: "this ...", "we ...", "Design: ...", "A ..." opening a
# sentence, then up to four words, but not words that point at someone else's study.
_LEAD = (
    r"(?:\b(?:this|our|the present|the current|we|here)\s+"
    r"|\b(?:design|study design|study type|methods?)\s*:\s*"
    r"|^(?:in\s+)?(?:an?\s+)?"
    r"|[.:;!?]\s+(?:in\s+)?an?\s+)"
)
_NOT_OTHERS = (
    r"(?!(?:previous|prior|earlier|recent|published|existing|other|another|future"
    r"|further|larger|largest|latest|last|one|several|many|some|most|few|two|three"
    r"|more|no)\b)"
)
_WINDOW = rf"(?:{_NOT_OTHERS}[\w'-]+,?\s+){{0,4}}?"
# "... a randomised trial is needed" is a call for a study, not a description of one.
_NOT_NEEDED = (
    r"(?!\s+(?:is|are|would be|will be|should be|may be|could be)\s+"
    r"(?:needed|warranted|required|necessary))"
)
# After an adjective-like design word: "cohort studies" (plural) are other people's.
_NOT_PLURAL = r"(?!\s+(?:studies|trials|surveys|analyses|designs|reports|data|evidence)\b)"


def _self(noun: str) -> _SelfReference:
    """A pattern for ``noun`` used by an abstract to describe its own study."""
    return _SelfReference(rf"{_LEAD}{_WINDOW}(?:{noun}){_NOT_PLURAL}{_NOT_NEEDED}", noun)


# Words before "review" that make it a review of records, not of literature.
_NOT_CHART = (
    r"(?<!chart )(?<!charts )(?<!record )(?<!records )(?<!note )(?<!notes )"
    r"(?<!peer )(?<!peer-)(?<!case )(?<!utilization )(?<!utilisation )"
)

# A title *about* guidelines (adherence, uptake) is a study of practice, not a guideline.
_GUIDELINE_USE = (
    r"\b(?:adheren\w*|non-?adheren\w*|complian\w*|non-?complian\w*|concordan\w*"
    r"|discordan\w*|conform\w*|deviat\w*|implement\w*|uptake|awareness|knowledge"
    r"|attitudes?) (?:to|with|of|from|among|about|in)\b"
    r"|\bguidelines?[- ](?:concordant|discordant|adherent|based|recommended)\b"
)

# A cohort rule stands down when the work names a more specific observational design
# (a nested case-control study in a cohort; a cross-sectional analysis of a cohort).
_OTHER_OBSERVATIONAL = (
    r"\bcase[- ](?:control(?:led)?|referent|crossover)"
    r" (?:study|design|analysis)\b"
    r"|\bcross[- ]?sectional\b(?!\s+(?:studies|surveys|designs)\b)"
    r"|\bcase[- ]series\b"
)

# --- the rules, in order ------------------------------------------------------------------

_COMMENTARY = (
    _rule(
        "erratum-label",
        "commentary",
        r"^(?:correction|erratum|errata|corrigendum|retraction|retracted)\b",
        where="title",
    ),
    _rule(
        "erratum",
        "commentary",
        r"\berrat(?:um|a)\b",
        r"\bthis (?:article )?corrects\b",
        r"\bcorrigend(?:um|a)\b",
        r"\bcorrection to\b",
        r"\bnotice of (?:retraction|correction)\b",
        r"\bretraction (?:note|notice|statement)\b",
        r"\bexpression of concern\b",
    ),
    _rule("editorial", "commentary", r"\beditorials?\b", where="title"),
    _rule("comment", "commentary", r"\bcomment(?:ary|aries|s)?\b", where="title"),
    _rule(
        "letter",
        "commentary",
        r"\bletters? to the editors?\b",
        r"^letters?\b",
        r"[:.]\s*(?:an? )?(?:open )?letter\s*$",
        where="title",
    ),
    _rule(
        "reply",
        "commentary",
        r"\b(?:in|authors?'?|author's|the authors'?) reply\b",
        r"\breply to\b",
        r"^reply\b",
        r"^re\s*:\s",
        r"^response\s*:",
        r"\bresponse to (?:the |a |an )?(?:[\w'-]+ ){0,3}?(?:letter|comment|commentary"
        r"|editorial|correspondence|critique|criticism|article|paper|authors?)s?\b",
    ),
    _rule("correspondence", "commentary", r"\bcorrespondence\b", where="title"),
    # "Patient perspectives on ..." is usually qualitative research, so "perspective" only
    # counts as a label: at the start, or as the whole subtitle.
    _rule(
        "viewpoint",
        "commentary",
        r"^(?:perspective|viewpoint|opinion|point of view|pro-con debate|pro/con debate)\b",
        r"[:.?]\s*(?:an? |the |my |our )?(?:[\w'-]+ ){0,2}?(?:perspective|viewpoint|point of"
        r" view|opinion)\s*[.?!]?\s*$",
        where="title",
    ),
    _rule(
        "this-commentary",
        "commentary",
        _self(r"editorial|commentary|letter|viewpoint|correspondence"),
        where="abstract",
    ),
)

_PROTOCOL = (
    _rule(
        "study-protocol",
        "protocol",
        r"\b(?:study|trial|review|research|evaluation|cohort|analysis) protocols?\b",
        where="title",
    ),
    _rule(
        "protocol-for",
        "protocol",
        r"\bprotocol (?:for|of) (?:an?|the) (?:[\w,-]+ ){0,5}?(?:trial|study|review"
        r"|meta-analysis|analysis|evaluation|cohort|investigation|overview)\b",
        where="title",
    ),
    _rule(
        "protocol-label",
        "protocol",
        r"^protocol\b",
        r"[:(\[]\s*(?:an? |the )?protocol\s*[)\]]?\s*\.?\s*$",
        where="title",
    ),
    _rule(
        "this-protocol",
        "protocol",
        r"\bthis (?:[\w-]+ ){0,2}?protocol (?:describes|outlines|details|presents|reports"
        r"|sets out)\b",
        r"\bin this (?:[\w-]+ ){0,2}?protocol\b",
        r"\bwe (?:describe|present|report|outline) (?:the|our|a) (?:[\w-]+ ){0,3}?protocol\b",
        where="abstract",
    ),
    # Future tense about one's own participants or searches is the voice of a protocol.
    _rule(
        "will-be-done",
        "protocol",
        r"\b(?:will|shall) be (?:randomi[sz]ed|randomly (?:assigned|allocated)|recruited"
        r"|enrolled|searched|screened for (?:inclusion|eligibility))\b",
        r"\bwe will (?:conduct|perform|recruit|randomi[sz]e|search|enrol+|include)\b",
        where="abstract",
    ),
)

_SYSTEMATIC_REVIEW = (
    _rule(
        "meta-analysis",
        "systematic-review",
        r"\bmeta[- ]?analy(?:sis|ses|tic|sed|zed)\b",
        r"\bmeta[- ]?regressions?\b",
        r"\bnetwork meta\b",
        where="title",
    ),
    _rule(
        "systematic-review",
        "systematic-review",
        r"\bsystematic(?:ally)? (?:[\w-]+ ){0,2}?reviews?\b",
        r"\bsystematically reviewed\b",
        r"\bumbrella reviews?\b",
        r"\boverview of (?:[\w-]+ ){0,2}?reviews\b",
        r"\bcochrane reviews?\b",
        where="title",
    ),
    _rule(
        "pooled-analysis",
        "systematic-review",
        r"\bpooled (?:[\w-]+ ){0,3}?analys[ie]s of\b[^.:;]{0,80}?\b(?:trials|rcts|studies)\b",
        r"\bindividual[- ](?:patient|participant)[- ](?:level[- ])?data\b",
        where="title",
    ),
    _rule("trial-sequential-analysis", "systematic-review", r"\btrial sequential analys[ie]s\b"),
    _rule(
        "this-meta-analysis",
        "systematic-review",
        _self(
            r"meta[- ]?analysis\b|meta[- ]?regression\b|systematic (?:[\w-]+ )?review\b"
            r"|umbrella review\b|pooled analysis\b|overview of (?:[\w-]+ )?reviews\b"
        ),
        where="abstract",
    ),
    _rule(
        "searched-databases",
        "systematic-review",
        r"\bwe (?:systematically |comprehensively )?searched\b",
        r"\b(?:were|was) (?:systematically |comprehensively )?searched\b",
        r"\bsystematic(?:ally)? (?:literature )?search(?:ed)?\b",
        r"\bPRISMA\b",
        r"\bPROSPERO\b",
        where="abstract",
    ),
)

_GUIDELINE = (
    _rule(
        "guideline", "guideline", r"\bguidelines?\b", where="title", unless=_GUIDELINE_USE
    ),  # not "adherence to guidelines"
    # "Consensus" alone ("consensus clustering") is not a guideline; it needs context.
    _rule(
        "consensus",
        "guideline",
        r"\bconsensus (?:statement|guideline|recommendation|report|conference|document"
        r"|paper|panel|meeting|development)s?\b",
        r"\b(?:expert|international|national|european|american|global|multidisciplinary"
        r"|interdisciplinary|multi-?society|multi-?professional|delphi) consensus\b",
        r"\bposition (?:statement|paper)s?\b",
        r"\b(?:scientific|policy) statements?\b",
        r"\bpractice (?:parameter|advisory|advisories)\b",
        where="title",
    ),
    _rule(
        "recommendations",
        "guideline",
        r"^recommendations?\b",
        r"\b(?:practice|clinical|consensus|expert|evidence-based|management|treatment"
        r"|international|national) recommendations?\b",
        r"\brecommendations (?:for|on|from)\b",
        where="title",
        unless=_GUIDELINE_USE,
    ),
    _rule(
        "delphi",
        "guideline",
        r"\bmodified delphi\b",
        r"\bdelphi (?:process|panel|method|round|survey|study)s?\b",
    ),
    _rule(
        "this-guideline",
        "guideline",
        _self(
            r"guidelines?\b|consensus statement\b|position statement\b"
            r"|scientific statement\b|recommendations\b|expert consensus\b"
        ),
        r"\bguideline development group\b",
        where="abstract",
    ),
)

_RCT = (
    _rule(
        "randomised-trial",
        "rct",
        rf"{_RANDOMISED}(?:[ ,-]+\w+){{0,6}}?[ ,-]+(?:trial|study|experiment|comparison"
        r"|evaluation)\b",
        rf"{_RANDOMISED},? (?:double|single|triple|observer|assessor|investigator)[- ]?"
        r"blind(?:ed)?\b",
        r"\bRCT\b",
        where="title",
    ),
    _rule(
        "randomly-assigned",
        "rct",
        r"\brandomly (?:assigned|allocated)\b",
        rf"{_RANDOMISED} (?:to|in a \d+:\d+)\b",
        r"\b(?:were|was|been|being) (?:(?!not\b)[\w-]+ )?randomi[sz]ed\b",
        r"\bwe randomi[sz]ed\b",
    ),
    _rule(
        "this-randomised-trial",
        "rct",
        _self(
            rf"{_RANDOMISED}(?:[ ,-]+\w+){{0,6}}?[ ,-]+(?:trial|study)\b"
            r"|\bRCT\b"
        ),
        where="abstract",
    ),
)

_CONTROLLED_TRIAL = (
    _rule(
        "non-randomised",
        "controlled-trial",
        r"\bnon-?randomi[sz]ed\b",
        r"\bquasi-?(?:randomi[sz]ed|experiment(?:al)?)\b",
        r"\bpseudo-?randomi[sz]ed\b",
        r"\binterrupted time-?series\b",
        r"\bcontrolled before-and-after\b",
        where="title",
    ),
    _rule(
        "controlled-trial",
        "controlled-trial",
        r"(?<!case-)(?<!case )\b(?:controlled|comparative) (?:clinical |pilot |open-label "
        r"|crossover |cross-over |multicent(?:er|re) )?(?:trial|study)\b",
        r"\bplacebo-?controlled\b",
        where="title",
    ),
    _rule(
        "this-controlled-trial",
        "controlled-trial",
        _self(
            r"non-?randomi[sz]ed\b|quasi-?experimental\b|quasi-?randomi[sz]ed\b"
            r"|controlled before-and-after\b|interrupted time-?series\b"
            r"|(?:placebo-)?controlled (?:clinical )?(?:trial|study)\b"
        ),
        where="abstract",
    ),
)

_COHORT = (
    # "birth cohort", "retrospective cohort", "cohort study": all cohorts.
    _rule("cohort", "cohort", r"\bcohorts?\b", where="title", unless=_OTHER_OBSERVATIONAL),
    _rule(
        "longitudinal",
        "cohort",
        r"\blongitudinal (?:[\w-]+ ){0,2}?(?:study|studies|analysis|analyses|data|survey"
        r"|follow-?up|cohort|evaluation|investigation|assessment|changes?|trajector(?:y|ies)"
        r"|course|outcomes?|associations?)\b",
        where="title",
        unless=_OTHER_OBSERVATIONAL,
    ),
    _rule(
        "follow-up",
        "cohort",
        r"\bfollow-?up (?:study|studies|analysis|survey|evaluation|investigation|report"
        r"|assessment|of)\b",
        r"\blong-term (?:outcomes? and )?follow-?up\b",
        rf"\b{_NUM}-(?:year|month|week)s?-? ?(?:long-? ?)?follow-?up\b",
        where="title",
        unless=_OTHER_OBSERVATIONAL,
    ),
    # "prospective" needs a study noun: a "prospective survey" is still cross-sectional.
    _rule(
        "prospective",
        "cohort",
        r"\bprospective(?:ly)?,? (?:[\w-]+,? ){0,3}?(?:study|studies|analysis|evaluation"
        r"|investigation|observational|registry|register|database|follow-?up)\b",
        where="title",
        unless=_OTHER_OBSERVATIONAL,
    ),
    _rule(
        "registry",
        "cohort",
        r"\bregistr(?:y|ies)\b",
        r"\bregister-based\b",
        r"\b(?:national|nationwide|population|patient|quality) register\b",
        where="title",
        unless=_OTHER_OBSERVATIONAL,
    ),
    _rule(
        "this-cohort",
        "cohort",
        _self(
            r"cohort\b|(?:longitudinal|prospective(?:ly)?|follow-?up|registry-based"
            r"|register-based)(?:,?\s+[\w-]+){0,3}?,?\s+(?:study|analysis|investigation)\b"
        ),
        where="abstract",
        unless=_OTHER_OBSERVATIONAL,
    ),
)

_CASE_CONTROL = (
    _rule(
        "case-control",
        "case-control",
        r"\bcase-? ?control(?:s|led)?\b",
        r"\bcase-referent\b",
        r"\bcase-crossover\b",
        where="title",
    ),
    _rule(
        "this-case-control",
        "case-control",
        _self(r"case-? ?control(?:led)?\b|case-referent\b|case-crossover\b"),
        where="abstract",
    ),
)

_CROSS_SECTIONAL = (
    _rule(
        "cross-sectional",
        "cross-sectional",
        r"\bcross-? ?sectional\b",
        r"\bsurveys?\b(?! of (?:the )?literature)",
        r"\bprevalence\b",
        r"\bquestionnaire(?:-based)? (?:study|survey)\b",
        where="title",
    ),
    _rule(
        "this-cross-sectional",
        "cross-sectional",
        _self(r"cross-? ?sectional\b|survey\b|prevalence study\b|questionnaire study\b"),
        where="abstract",
    ),
)

_CASE_SERIES = (
    _rule(
        "case-series",
        "case-series",
        r"\bcase-? ?series\b",
        rf"\bseries of {_NUM} (?:[\w-]+ ){{0,2}}?(?:cases|patients)\b",
        rf"\b{_NUM} (?:[\w-]+ )?cases\b",
        rf"\breports? of {_NUM} (?:[\w-]+ )?cases\b",
        where="title",
    ),
    # Plural case reports are a series, unless they are the subject of a review.
    _rule(
        "case-reports",
        "case-series",
        r"\bcase-? ?(?:reports|studies)\b",
        where="title",
        unless=r"\breview",
    ),
    _rule(
        "this-case-series",
        "case-series",
        _self(r"case-? ?series\b"),
        rf"\bwe (?:describe|report|present) {_NUM} (?:[\w-]+ ){{0,3}}?(?:cases|patients)\b",
        where="abstract",
    ),
)

_CASE_REPORT = (
    _rule(
        "case-report",
        "case-report",
        r"\bcase-? ?report\b",
        r"\b(?:an?|one|unusual|rare|fatal|interesting|unique|atypical|novel|first|curious)"
        r" case of\b",
        r"\bcase (?:study|presentation|vignette)\b",
        r"\breport of an? (?:[\w-]+ ){0,2}?case\b",
        where="title",
    ),
    _rule(
        "this-case-report",
        "case-report",
        _self(r"case-? ?report\b"),
        r"\bwe (?:report|present|describe) (?:the )?(?:case of )?(?:an?|the) (?:[\w,-]+ ){0,5}?"
        r"(?:case|patient|woman|man|boy|girl|child|infant|neonate|adolescent|female|male)\b",
        where="abstract",
    ),
)

_NARRATIVE_REVIEW = (
    _rule(
        "narrative-review",
        "narrative-review",
        r"\b(?:narrative|literature|clinical|critical|scoping|integrative|rapid|realist"
        r"|selective|brief|comprehensive|educational|mini-?) ?reviews?\b",
        r"\breview of (?:the )?(?:current |recent )?literature\b",
        r"\bclinical update\b",
        r"\bcontinuing (?:medical |professional )?education\b",
    ),
    _rule(
        "review",
        "narrative-review",
        rf"{_NOT_CHART}\breviews?\b",
        r"\boverview\b",
        # "update" alone is too common ("software update"); it needs to be the label.
        r"\b(?:an?|clinical|annual|brief|current|recent) update\b",
        r"\bupdate (?:on|in)\b",
        r"^update\b",
        r"[:.]\s*(?:an? )?update\s*$",
        r"\bstate-of-the-art\b",
        r"\bstate of the art\b",
        r"\bprimer\b",
        where="title",
    ),
    _rule(
        "this-review",
        "narrative-review",
        _self(rf"{_NOT_CHART}review\b|overview\b|(?:clinical )?update (?:on|of)\b"),
        r"\b(?:this|the present) (?:article|paper|chapter|manuscript) (?:reviews|summari[sz]es"
        r"|discusses|provides an? (?:[\w-]+ )?overview)\b",
        where="abstract",
    ),
)

RULES: tuple[Rule, ...] = (
    *_COMMENTARY,
    *_PROTOCOL,
    *_SYSTEMATIC_REVIEW,
    *_GUIDELINE,
    *_RCT,
    *_CONTROLLED_TRIAL,
    *_COHORT,
    *_CASE_CONTROL,
    *_CROSS_SECTIONAL,
    *_CASE_SERIES,
    *_CASE_REPORT,
    *_NARRATIVE_REVIEW,
)

# The order in which designs are tried (see the module docstring for why).
RULE_ORDER = tuple(dict.fromkeys(rule.design for rule in RULES))
