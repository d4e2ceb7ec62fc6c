"""Grading the certainty of evidence by indication and outcome, as GRADE does.

Each appraisal (a work's findings for one indication and one outcome) starts at a level set
by the work's design, or at the review's own GRADE rating where it gives one, and is
downgraded for risk of bias, inconsistency, indirectness and imprecision. The works on one
indication × outcome are then combined by their best-rated evidence. The same rules grade
the evidence an article cites and the best available evidence (curated whether or not the
article cites it); ``docs/method.md`` says them in full for reviewers. A question (a role,
an outcome, an indication, a comparison, and the works cited) is combined once, in
:class:`Questions`, for every claim and table that asks it.

>>> starting_certainty("rct", None)
('high', 'randomised trial: starts high')
>>> step_down("high", 3)
'very-low'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import pandas as pd

from litkit.processed import columns, conform
from litkit.schema import is_missing, row_dicts, split_list
from litkit.vocabulary import (
    ABSOLUTE_COMPARATORS,
    ASSERTION_NEEDS,
    CERTAINTY_LEVELS,
    DESIGNS,
    DIRECTIONS,
    GENERAL,
    NO_EVIDENCE,
    RANK,
)

# GRADE's rule of thumb: a body of evidence under ~400 participants rarely reaches an
# optimal information size for a continuous outcome such as a symptom score.
OPTIMAL_INFORMATION_SIZE = 400

_OBSERVATIONAL = ("controlled-trial", "cohort", "case-control", "cross-sectional")
_DOMAIN_RATED = ("rct", "systematic-review", *_OBSERVATIONAL)
# Designs whose findings come from trials or their synthesis: a consensus guideline's grade
# never outranks them on the same indication and outcome.
_PRIMARY = ("systematic-review", "rct")
_RATIO = re.compile(r"^\s*(?:RR|OR|HR|IRR|RRR)\b|ratio", re.IGNORECASE)


def step_down(certainty: str, levels: int) -> str:
    """``certainty`` lowered by ``levels``, never below very low."""
    order = list(CERTAINTY_LEVELS)
    return order[min(order.index(certainty) + max(levels, 0), len(order) - 1)]


def starting_certainty(
    design: str, review_of: str | None, *, stated: str | None = None
) -> tuple[str | None, str]:
    """Where a work's evidence starts, by design (GRADE and Oxford CEBM), and why.

    A systematic review's own GRADE rating for the outcome (``stated``) is taken as it is:
    the review weighed the domains itself. Returns ``(None, reason)`` for works that carry
    no findings to grade.
    """
    if design == "systematic-review" and stated:
        return stated, f"the review's own GRADE rating: {stated}"
    if design == "rct":
        return "high", "randomised trial: starts high"
    if design == "systematic-review":
        if review_of == "rct":
            return "high", "systematic review of randomised trials: starts high"
        return "low", f"systematic review of {review_of or 'unstated'} studies: starts low"
    if design in _OBSERVATIONAL:
        return "low", f"{design} (non-randomised): starts low"
    if design in ("case-series", "case-report"):
        return "very-low", f"{design}: very low"
    if design in ("narrative-review", "commentary"):
        return "very-low", f"{design} (expert opinion): very low"
    if design == "guideline":
        if stated:
            return stated, f"guideline's own grade (consensus): {stated}"
        return "very-low", "guideline without a graded certainty (consensus): very low"
    return None, f"{design}: reports no findings to grade, not counted"


def _number(value: object) -> float | None:
    """A cell's number, or None for an empty cell.

    Raises:
        ValueError: naming the value, when a cell holds something that is not a number
            (the raw tables are checked on reading, so this is a bug, not bad input).

    >>> _number(" 0.23"), _number(12), _number(pd.NA), _number(float("nan")), _number("")
    (0.23, 12.0, None, None, None)
    """
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ValueError(f"not a number: {value!r}") from None


def crosses_no_effect(measure: object, low: object, high: object) -> bool | None:
    """Whether a 95% CI includes no effect (1 for ratios, 0 for differences); None if unknown.

    >>> crosses_no_effect("RR any adverse event", "0.23", "1.48"), crosses_no_effect("MD", -2.3, -1.3)
    (True, False)
    """
    lo, hi = _number(low), _number(high)
    if lo is None or hi is None:
        return None
    null = 1.0 if _RATIO.search(str(measure or "")) else 0.0
    return lo <= null <= hi


def _imprecision(row: Mapping) -> list[tuple[int, str]]:
    """Imprecision from the CI where reported, else from the number of participants.

    A number of participants the source does not state is not imprecision by itself.
    """
    crosses = crosses_no_effect(row.get("effect_measure"), row.get("ci_low"), row.get("ci_high"))
    if crosses:
        return [(1, "imprecise: the 95% CI includes no effect")]
    n = row.get("n_participants")
    if pd.notna(n) and n < OPTIMAL_INFORMATION_SIZE:
        return [(1, f"imprecise: {n} participants, under the ~{OPTIMAL_INFORMATION_SIZE} needed")]
    return []


def _rated_downgrades(row: Mapping, start: str) -> list[tuple[int, str]]:
    """GRADE's domains for designs rated through them: (levels, reason) per concern."""
    concerns = []
    bias = row["risk_of_bias"]
    if bias == "some-concerns":
        concerns.append((1, "serious risk of bias (some concerns)"))
    elif bias == "high":
        concerns.append((2, "very serious risk of bias (most evidence at high risk)"))
    elif bias == "not-assessed" and start == "high":
        concerns.append((1, "risk of bias of randomised evidence not assessed"))
    if row["inconsistency"] == "some":
        concerns.append((1, "inconsistent results (heterogeneity)"))
    elif row["inconsistency"] == "serious":
        concerns.append((2, "seriously inconsistent results (heterogeneity)"))
    return concerns + _imprecision(row)


def downgrades(row: Mapping, start: str, *, own_grade: bool = False) -> list[tuple[int, str]]:
    """The downgrades one appraisal earns, each with its number of levels and reason.

    Trials, reviews and observational studies can lose levels in each of GRADE's domains;
    a review's own GRADE rating and a guideline's grade already weigh them, so only
    indirectness applies; works that start very low cannot go lower.
    """
    if start == "very-low":
        return []
    rated = row["design"] in _DOMAIN_RATED and not own_grade
    concerns = _rated_downgrades(row, start) if rated else []
    if row["indirect"] == "yes":
        concerns.append((1, "indirect: population or outcome differs from the question"))
    return concerns


def effect_text(row: Mapping) -> str | None:
    """The effect estimate in words: ``"MD -1.83 (95% CI -2.35 to -1.31)"``, if reported."""
    estimate = _number(row.get("estimate"))
    if estimate is None:
        return None
    measure = str(row.get("effect_measure") or "effect").strip()
    low, high = _number(row.get("ci_low")), _number(row.get("ci_high"))
    ci = f" (95% CI {low:g} to {high:g})" if low is not None and high is not None else ""
    return f"{measure}: {estimate:g}{ci}"


def grade_appraisals(
    appraisals: pd.DataFrame,
    *,
    role: str,
    work_labels: Mapping[str, str] | None = None,
    excluded: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The certainty of each work's evidence for each indication and outcome it addresses.

    Args:
        appraisals: appraisal rows (cited works' appraisals, or the best-evidence table).
        role: ``cited`` or ``best-evidence``, written on every row.
        work_labels: a short label per DOI for reasons ("Orhurhu 2019"); the DOI otherwise.
        excluded: DOIs left out of the grading, with the reason (e.g. a retraction).
    """
    work_labels, excluded = work_labels or {}, excluded or {}
    rows = [_grade_row(row, role, work_labels, excluded) for row in row_dicts(appraisals)]
    return conform(pd.DataFrame(rows, columns=columns("evidence_by_work")), "evidence_by_work")


def _grade_row(
    row: Mapping, role: str, labels: Mapping[str, str], excluded: Mapping[str, str]
) -> dict:
    stated = row["stated_certainty_level"] if pd.notna(row["stated_certainty_level"]) else None
    start, why = starting_certainty(row["design"], row["review_of"] or None, stated=stated)
    own = bool(stated) and row["design"] in ("systematic-review", "guideline")
    concerns = downgrades(row, start, own_grade=own) if start else []
    levels = sum(n for n, _ in concerns)
    certainty = step_down(start, levels) if start else None
    reasons = [why, *(f"−{n} {text}" for n, text in concerns)]
    if (
        start
        and row["design"] in _DOMAIN_RATED
        and pd.isna(row.get("n_participants"))
        and crosses_no_effect(row.get("effect_measure"), row.get("ci_low"), row.get("ci_high"))
        is None
    ):
        reasons.append("imprecision not judged: participants not reported")
    left_out = excluded.get(row["doi"]) or (None if start else why)
    if row["doi"] in excluded:
        reasons.append(f"not counted: {excluded[row['doi']]}")
    return {
        "doi": row["doi"],
        "work": labels.get(row["doi"], row["doi"]),
        "role": role,
        "indication": row["indication"],
        "outcome": row["outcome"],
        "comparator": row.get("comparator") or pd.NA,
        "design": row["design"],
        "year": row.get("year"),
        "own_grade": own and row["design"] == "systematic-review",
        "n_studies": row.get("n_studies"),
        "n_participants": row.get("n_participants"),
        "effect": effect_text(row),
        "start": start,
        "downgrades": levels,
        "certainty": certainty,
        "counted": left_out is None,
        "not_counted_because": left_out,
        "direction": row["direction"],
        "independent_of": row.get("independent_of") or pd.NA,
        # Kept so the report can say how much of the grading rests on checked facts.
        "risk_of_bias": row.get("risk_of_bias"),
        "verified": row.get("verified"),
        "reasons": "; ".join(reasons) + (f" → {certainty}" if certainty else ""),
    }


# --- combining a body of evidence ----------------------------------------------------------


def _counted(grades: pd.DataFrame) -> pd.Series:
    return grades["counted"].fillna(False).astype(bool)


_TIERS = {"systematic-review": 0, "rct": 1}


def _shared_authors(top: list[dict]) -> list[tuple[str, str]]:
    """Pairs of top-rated works flagged as not independent of each other (shared authors)."""
    dois = {row["doi"] for row in top}
    pairs = []
    for row in top:
        for other in split_list(row["independent_of"]):
            if other in dois and (other, row["doi"]) not in pairs:
                pairs.append((row["doi"], other))
    return pairs


def _independent_directions(top: list[dict]) -> list[str]:
    """The directions of the top works, each group of dependent works counted once."""
    seen: set[str] = set()
    directions = []
    for row in top:
        if row["doi"] in seen:
            continue
        seen |= {row["doi"], *split_list(row["independent_of"])}
        directions.append(row["direction"])
    return directions


# The columns a body of evidence is combined from: read once, as plain dicts.
_BODY_COLUMNS = [
    "doi",
    "work",
    "design",
    "certainty",
    "direction",
    "reasons",
    "effect",
    "counted",
    "not_counted_because",
    "independent_of",
    "own_grade",
    "year",
    "n_participants",
    "n_studies",
]


def _is_counted(row: dict) -> bool:
    return not is_missing(row["counted"]) and bool(row["counted"])


def _rank_of(row: dict) -> float:
    return RANK.get(row["certainty"], -1) if not is_missing(row["certainty"]) else -1


def _ranked_records(rows: list[dict]) -> list[dict]:
    """Best first: certainty; then reviews before trials before the rest; a review's own
    GRADE rating before a grade litkit worked out; the newest; the most participants, the
    most studies; then by name. Ties keep their order (the sorts are stable)."""
    keys = (
        (lambda r: (is_missing(r["work"]), "" if is_missing(r["work"]) else r["work"]), False),
        (lambda r: _number(r["n_studies"]) or 0.0, True),
        (lambda r: _number(r["n_participants"]) or 0.0, True),
        (lambda r: _number(r["year"]) or 0.0, True),
        (lambda r: not is_missing(r["own_grade"]) and bool(r["own_grade"]), True),
        (lambda r: _TIERS.get(r["design"], 2), False),
        (_rank_of, True),
    )
    ranked = list(rows)
    for key, descending in keys:  # least significant first: stable sorts compose
        ranked.sort(key=key, reverse=descending)
    return ranked


EMPTY_BODY = {
    "certainty": NO_EVIDENCE,
    "direction": pd.NA,
    "n_works": 0,
    "best_work": pd.NA,
    "best_design": pd.NA,
    "dois": "",
    "effect": pd.NA,
}


def combine(
    grades: pd.DataFrame, *, empty_reason: str = "no work addresses it", single: bool = False
) -> dict:
    """The certainty of a body of evidence: its best-rated works, and why.

    The best certainty among the counted works stands for the body; a consensus guideline
    is not counted beside a systematic review or trial. Works flagged as sharing authors
    are counted once when judging agreement. If the independent works at the top disagree
    in direction, the body is lowered one level for inconsistency across works.

    With ``single`` (the best available evidence), the one best work stands for the body:
    several reviews of the same trials are not independent bodies to weigh against each
    other, so one is taken: the highest certainty, then reviews before trials, a review's own
    GRADE rating before litkit's, the newest, the most participants; the others are listed.
    """
    rows = row_dicts(grades, _BODY_COLUMNS)
    left_out = [
        f"{r['work']} not counted ({r['not_counted_because']})" for r in rows if not _is_counted(r)
    ]
    counted = [r for r in rows if _is_counted(r)]
    if any(r["design"] in _PRIMARY for r in counted):
        left_out += [
            f"{r['work']} not counted (a consensus guideline's grade does not outrank the "
            f"systematic reviews and trials on the same question)"
            for r in counted
            if r["design"] == "guideline"
        ]
        counted = [r for r in counted if r["design"] != "guideline"]
    if not counted:
        return EMPTY_BODY | {"reasons": "; ".join([empty_reason, *left_out])}
    ranked = _ranked_records(counted)
    best_rank = _rank_of(ranked[0])
    top = ranked[:1] if single else [r for r in ranked if _rank_of(r) == best_rank]
    others = ranked[1:] if single else [r for r in ranked if _rank_of(r) < best_rank]
    best = top[0]
    distinct = sorted(set(_independent_directions(top)), key=DIRECTIONS.index)
    certainty = best["certainty"]
    reasons = [f"best: {w['work']} ({w['design']}): {w['reasons']}" for w in top]
    work_of = {r["doi"]: r["work"] for r in reversed(top)}
    for a, b in _shared_authors(top):
        reasons.append(f"{work_of[a]} and {work_of[b]} share authors: counted once")
    if len(distinct) > 1:
        certainty = step_down(certainty, 1)
        reasons.append(
            f"−1 the best-rated independent works disagree ({' vs '.join(distinct)}) → {certainty}"
        )
    if others:
        reasons.append(
            ("also: " if single else "also, rated lower: ")
            + ", ".join(f"{w['work']} ({w['design']}, {w['certainty']})" for w in others)
        )
    dois = list(dict.fromkeys(r["doi"] for r in counted))
    return {
        "certainty": certainty,
        "direction": distinct[0] if len(distinct) == 1 else "mixed",
        "n_works": len(dois),
        "best_work": best["work"],
        "best_design": best["design"],
        "dois": "; ".join(dois),
        "effect": best["effect"],
        "reasons": "; ".join([*reasons, *left_out]),
    }


def absolute(grades: pd.DataFrame) -> pd.DataFrame:
    """Rows comparing with placebo, usual care or nothing named (not head-to-head)."""
    comparator = grades["comparator"].fillna("").str.lower()
    return grades[comparator.isin(("", *ABSOLUTE_COMPARATORS))]


def matching(grades: pd.DataFrame, comparator: object) -> pd.DataFrame:
    """Rows that answer a claim's comparison: the same comparator, or none for absolute claims.

    "Safer than drug Y" is judged only on head-to-head evidence against drug Y; a claim
    with no comparator only on evidence against placebo or usual care.
    """
    if not isinstance(comparator, str) or not comparator.strip():
        return absolute(grades)
    return grades[grades["comparator"].fillna("").str.lower() == comparator.strip().lower()]


def best_per_work(grades: pd.DataFrame) -> pd.DataFrame:
    """Each work's best-rated row (for claims about no single indication).

    A work's findings for different indications are not a disagreement, so a claim about
    no single indication rests on each work once, at its strongest.
    """
    rows = [row | {"_at": at} for at, row in enumerate(row_dicts(grades, _BODY_COLUMNS))]
    best: dict[str, int] = {}
    for row in _ranked_records(rows):
        best.setdefault(row["doi"], row["_at"])
    return grades.iloc[sorted(best.values())]


# --- questions: the evidence that answers one ------------------------------------------------

_EMPTY_REASON = {
    "cited": "no cited work addresses it",
    "best-evidence": "no best-evidence row curated",
}


def evidence_by_question(grades: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """The graded rows split once by role and outcome, each part in the table's order.

    Every question then looks up its own few rows instead of filtering the whole table again.
    """
    return dict(iter(grades.groupby(["role", "outcome"], sort=False)))


def question(
    role: str,
    outcome: str,
    indication: str,
    *,
    comparator: object = None,
    cited: Collection[str] | None = None,
) -> tuple:
    """The key of one question: the evidence of ``role`` on an outcome, an indication and a
    comparison, limited to the ``cited`` works (None: every work of the role). Questions
    with the same key rest on the same rows, so their body of evidence is the same.

    A comparator is compared as :func:`matching` compares it: case and blanks aside.

    >>> question("cited", "pain-relief", "neuropathic-pain", comparator=" Placebo", cited=["10.1/a"])
    ('cited', 'pain-relief', 'placebo', 'neuropathic-pain', frozenset({'10.1/a'}))
    """
    asked = comparator.strip().lower() if isinstance(comparator, str) else ""
    works = None if cited is None else frozenset(cited)
    return (role, outcome, asked or None, indication, works)


def question_rows(
    key: tuple, grades: pd.DataFrame, by_question: Mapping | None = None
) -> pd.DataFrame:
    """The graded rows that answer the question ``key`` (see :func:`question`).

    A question about no single indication (``general``) rests on each work once, at its
    strongest for the outcome. ``by_question``, the rows of ``grades`` split by
    :func:`evidence_by_question`, saves filtering the whole table for each question.
    """
    role, outcome, comparator, indication, cited = key
    if by_question is None:
        by_question = evidence_by_question(grades)
    rows = matching(by_question.get((role, outcome), grades.iloc[0:0]), comparator)
    if cited is not None:
        rows = rows[rows["doi"].isin(cited)]
    if indication == GENERAL:
        return best_per_work(rows)
    return rows[rows["indication"] == indication]


class Questions:
    """The graded evidence looked up by question: each question's body of evidence is
    combined once, however many claims and tables ask it (the claims and the
    evidence-by-outcome table share one).

    >>> from litkit.processed import columns
    >>> questions = Questions(pd.DataFrame(columns=columns("evidence_by_work")))
    >>> questions.body(question("best-evidence", "pain-relief", "neuropathic-pain"))["reasons"]
    'no best-evidence row curated'
    """

    def __init__(self, grades: pd.DataFrame):
        self.grades = grades
        self.by_question = evidence_by_question(grades)
        self._bodies: dict[tuple, dict] = {}

    def body(self, key: tuple) -> dict:
        """The body of evidence on ``key`` (see :func:`combine`): the best available
        evidence is the one best work, the cited evidence all the works cited."""
        if key not in self._bodies:
            role = key[0]
            self._bodies[key] = combine(
                question_rows(key, self.grades, self.by_question),
                empty_reason=_EMPTY_REASON[role],
                single=role == "best-evidence",
            )
        return self._bodies[key]


# --- tables --------------------------------------------------------------------------------


def _pairs(*frames: pd.DataFrame) -> list[tuple[str, str]]:
    """Every indication × outcome pair named in the frames, in first-seen order."""
    seen: dict[tuple[str, str], None] = {}
    for frame in frames:
        for pair in zip(frame["indication"], frame["outcome"], strict=False):
            if all(isinstance(v, str) and v for v in pair):
                seen.setdefault(pair, None)
    return list(seen)


def evidence_by_outcome(
    grades: pd.DataFrame,
    claims: pd.DataFrame,
    indications: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    questions: Questions | None = None,
) -> pd.DataFrame:
    """One row per indication × outcome: what is asserted, cited and best, with reasons.

    Args:
        grades: graded appraisals of both roles (``cited`` and ``best-evidence``).
        claims: the assessed claims (their ``asserted`` and certainty needs).
        indications: the indications vocabulary (for labels and order).
        outcomes: the outcomes vocabulary (for labels, kinds and order).
        questions: ``grades`` looked up by question, shared with the claims' assessment
            so that a body of evidence both ask for is combined once.
    """
    if questions is None:
        questions = Questions(grades)
    specific = claims[claims["indication"].isin(indications["indication_id"])]
    pairs = _pairs(specific[specific["verdict"] != "not-graded"], grades)
    order_i = {v: i for i, v in enumerate(indications["indication_id"])}
    order_o = {v: i for i, v in enumerate(outcomes["outcome_id"])}
    pairs = sorted(
        (p for p in pairs if p[0] in order_i and p[1] in order_o),
        key=lambda p: (order_i[p[0]], order_o[p[1]]),
    )
    labels_i = dict(zip(indications["indication_id"], indications["label"], strict=False))
    outcome_rows = outcomes.set_index("outcome_id")
    rows = [
        _outcome_row(i, o, questions, specific, labels_i[i], outcome_rows.loc[o]) for i, o in pairs
    ]
    return conform(
        pd.DataFrame(rows, columns=columns("evidence_by_outcome")), "evidence_by_outcome"
    )


def _outcome_row(
    indication: str,
    outcome: str,
    questions: Questions,
    claims: pd.DataFrame,
    indication_label: str,
    outcome_row: pd.Series,
) -> dict:
    """One indication × outcome's row: every cited work on it and the best evidence, both
    against placebo, usual care or nothing named (no comparator)."""
    cited = questions.body(question("cited", outcome, indication))
    best = questions.body(question("best-evidence", outcome, indication))
    graded = claims[
        (claims["indication"] == indication)
        & (claims["outcome"] == outcome)
        & (claims["verdict"] != "not-graded")
    ]
    return {
        "indication": indication,
        "indication_label": indication_label,
        "outcome": outcome,
        "outcome_label": outcome_row["label"],
        "outcome_kind": outcome_row["kind"],
        "asserted": _strongest_assertion(graded),
        "claims": "; ".join(graded["claim_id"]),
        "n_claims": len(graded),
        "cited_certainty": cited["certainty"],
        "cited_direction": cited["direction"],
        "cited_dois": cited["dois"],
        "cited_n_works": cited["n_works"],
        "best_certainty": best["certainty"],
        "best_direction": best["direction"],
        "best_dois": best["dois"],
        "best_work": best["best_work"],
        "best_design": best["best_design"],
        "best_effect": best["effect"],
        "reasons": f"cited: {cited['reasons']} | best: {best['reasons']}",
    }


def _strongest_assertion(claims: pd.DataFrame) -> str | None:
    """The certainty the strongest of these claims asserts (None without claims)."""
    needs = [ASSERTION_NEEDS[a] for a in claims["asserted"]]
    return max(needs, key=RANK.__getitem__) if needs else None


def gap_map(grades: pd.DataFrame, indications: pd.DataFrame) -> pd.DataFrame:
    """Indications × designs: how many cited works, and the direction they point.

    Indications with no cited work get one row with ``n_works`` 0, so the gap shows.
    """
    counted = grades[_counted(grades) & grades["role"].eq("cited")]
    rows = []
    for ind in row_dicts(indications, ["indication_id", "label"]):
        here = counted[counted["indication"] == ind["indication_id"]]
        if here.empty:
            rows.append(
                {
                    "indication": ind["indication_id"],
                    "label": ind["label"],
                    "design": pd.NA,
                    "n_works": 0,
                    "direction": pd.NA,
                }
            )
        for design in [d for d in DESIGNS if d in set(here["design"])]:
            cell = here[here["design"] == design]
            directions = set(cell["direction"])
            rows.append(
                {
                    "indication": ind["indication_id"],
                    "label": ind["label"],
                    "design": design,
                    "n_works": cell["doi"].nunique(),
                    "direction": directions.pop() if len(directions) == 1 else "mixed",
                }
            )
    return conform(pd.DataFrame(rows, columns=columns("evidence_gap_map")), "evidence_gap_map")
