"""Pure summaries of the processed tables, shaped for a notebook, a chart or a report page.

Each function takes DataFrames and returns a DataFrame (or a plain value): notebooks, plot
functions and page templates only call these and show the result, so what a reviewer sees
is tested code, not notebook or template logic. Nothing here reads or writes a file.

>>> claims = pd.DataFrame({"claim_id": ["A1", "A2", "A3"], "article_id": ["A"] * 3,
...                        "verdict": ["supported", "overstated", "contradicted"],
...                        "overstated_by": [0, 1, 2], "asserted": ["possible"] * 3,
...                        "start": [0, 10, 20]})
>>> claims_to_review(claims)["claim_id"].tolist()
['A3', 'A2']
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from litkit.analysis.claims import claim_evidence, question_key
from litkit.analysis.evidence import evidence_by_question
from litkit.analysis.works import with_suffixes, work_labels
from litkit.report.shared import require_columns
from litkit.schema import is_missing, row_dicts, split_list
from litkit.vocabulary import (
    ASSERTED,
    AUDIT_VERDICTS,
    CERTAINTIES,
    CROSSREF_STATUSES,
    DESIGNS,
    DIRECTIONS,
    GENERAL,
    GENERAL_LABEL,
    RANK,
    VERDICTS,
)

FETCH_COMMAND = "LITKIT_MAILTO=you@example.org litkit fetch"
DOI_URL = "https://doi.org/"

# The verdicts a reviewer has to act on or know about, most serious first; "supported" and
# "not-graded" need nothing.
REVIEW_VERDICTS = ("contradicted", "overstated", "under-cited", "uncited", "understated")

# The columns each view shows, in order: declared once here, each a line.
COLUMNS: dict[str, list[str]] = {
    "cited_works": "article_id ref_no first_author year title container_title volume issue page doi crossref_status source".split(),
    "claims_with": "claim_id indication outcome claim asserted cited_certainty best_certainty best_work verdict_reason".split(),
    "every_claim": "claim_id article_id section claim indication outcome topic asserted cited_certainty best_certainty verdict".split(),
    "work_certainties": "work role indication outcome design start downgrades certainty direction reasons".split(),
    "evidence_summary": "indication_label outcome_label asserted cited_certainty cited_direction best_certainty best_direction best_work n_claims".split(),
    "cited_evidence": "claim_id doi work url design certainty direction counted addresses".split(),
    "best_evidence": "claim_id work doi url design certainty direction effect".split(),
}


# --- showing a table in a notebook -------------------------------------------------------------


def setup_display() -> None:
    """Show tables whole in notebooks: claims and reasons are sentences, and pandas would
    otherwise cut every cell at 50 characters and every table at 60 rows."""
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.max_columns", 30)


@dataclass(frozen=True)
class Shown:
    """A table as a reviewer reads it: no index, text left-aligned, numbers right-aligned;
    or, when there are no rows, the sentence that says so.

    Jupyter calls ``_repr_html_`` for the page and ``repr`` for plain text; both are
    deterministic (no random ids), so committed notebook outputs stay stable.
    """

    frame: pd.DataFrame
    empty: str
    name: str

    def _repr_html_(self) -> str:
        if self.frame.empty:
            return f'<p class="litkit-none">{html.escape(self.empty)}</p>'
        text = [
            c
            for c in self.frame.columns
            if not pd.api.types.is_numeric_dtype(self.frame[c])
            or pd.api.types.is_bool_dtype(self.frame[c])
        ]
        styler = self.frame.style.hide(axis="index").set_uuid(self.name).format(na_rep="")
        styler = styler.set_table_styles(
            {
                c: [{"selector": "td, th", "props": "text-align: left; vertical-align: top;"}]
                for c in text
            },
            overwrite=False,
        )
        return styler.to_html()

    def __repr__(self) -> str:
        return self.empty if self.frame.empty else self.frame.to_string(index=False, na_rep="")


def show(frame: pd.DataFrame, *, empty: str, name: str = "table") -> Shown:
    """``frame`` to display without its index, or ``empty`` (a sentence) when it has no rows.

    ``name`` becomes the HTML table's id, so keep it unique within a notebook.

    >>> repr(show(pd.DataFrame({"claim": []}), empty="No claim is contradicted."))
    'No claim is contradicted.'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table"
    return Shown(frame.reset_index(drop=True), empty, slug)


def _one_reason_per_row(table: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    """Each ``; ``-separated reason on a row of its own, under the row it explains."""
    steps = table[[*keep, "reasons"]].assign(reason=table["reasons"].fillna("").str.split("; "))
    return steps.drop(columns="reasons").explode("reason").reset_index(drop=True)


# --- the notebooks' tables ---------------------------------------------------------------------


def crossref_status(works: pd.DataFrame) -> pd.DataFrame:
    """How many cited works have a Crossref record, and what to run for the rest."""
    counts = works["crossref_status"].value_counts()
    rows = [
        {"crossref_status": status, "works": int(counts.get(status, 0))}
        for status in CROSSREF_STATUSES
    ]
    missing = int(counts.get("not fetched", 0))
    note = (
        f"run `{FETCH_COMMAND}` with network access, then `litkit build`"
        if missing
        else "every cited work has a Crossref record"
    )
    return pd.DataFrame(rows).assign(next_step=["", note])


def cited_works(works: pd.DataFrame) -> pd.DataFrame:
    """The works table with the columns a reader needs first."""
    return (
        works[COLUMNS["cited_works"]].sort_values(["article_id", "ref_no"]).reset_index(drop=True)
    )


def claim_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims per article by verdict: one row per article, one column per verdict present.

    :func:`verdict_counts` set out as a table, without the verdicts no claim has, plus totals.
    """
    table = verdict_counts(claims).pivot(index="article_id", columns="verdict", values="n_claims")
    table = table.reindex(columns=[v for v in VERDICTS if v in table and table[v].any()])
    return table.assign(total=table.sum(axis=1)).rename_axis(columns=None).reset_index()


def claims_with(claims: pd.DataFrame, verdict: str) -> pd.DataFrame:
    """The claims with one verdict: what is asserted, what is cited, what the best evidence is."""
    picked = claims[claims["verdict"] == verdict]
    return picked[COLUMNS["claims_with"]].reset_index(drop=True)


def every_claim(claims: pd.DataFrame) -> pd.DataFrame:
    """Every claim, in article order, with what it asserts and its verdict."""
    return claims.sort_values(["article_id", "start"])[COLUMNS["every_claim"]].reset_index(
        drop=True
    )


def work_certainties(grades: pd.DataFrame) -> pd.DataFrame:
    """Each work's certainty per indication and outcome, with every step that led to it."""
    return grades[COLUMNS["work_certainties"]].reset_index(drop=True)


def evidence_summary(evidence: pd.DataFrame) -> pd.DataFrame:
    """The headline table: by indication and outcome, asserted, cited and best, side by side."""
    columns = COLUMNS["evidence_summary"]
    ranked = evidence.assign(_rank=evidence["best_certainty"].map(RANK))
    return ranked.sort_values(
        ["_rank", "indication_label", "outcome_label"], ascending=[False, True, True]
    )[columns].reset_index(drop=True)


def evidence_reasons(evidence: pd.DataFrame) -> pd.DataFrame:
    """Each indication × outcome's certainties and the reasons for them, one reason per row."""
    return _one_reason_per_row(
        evidence, ["indication_label", "outcome_label", "cited_certainty", "best_certainty"]
    )


# What evidence would move each certainty up: GRADE's levels read backwards.
NEXT_EVIDENCE = {
    "none": "any appraisable study; a systematic review of randomised trials would say most",
    "very-low": "a randomised trial or a systematic review of trials at low risk of bias, with enough participants (~400+)",
    "low": "well-conducted randomised trials with consistent results, or a high-quality systematic review of them",
    "moderate": "further large trials at low risk of bias, consistent with the existing ones",
    "high": "little: only new trials contradicting the existing ones would change it",
}


def what_would_change(evidence: pd.DataFrame) -> pd.DataFrame:
    """For each indication × outcome, the kind of evidence that would raise the best certainty."""
    return (
        evidence[["indication_label", "outcome_label", "best_certainty"]]
        .assign(would_change_it=evidence["best_certainty"].map(NEXT_EVIDENCE))
        .reset_index(drop=True)
    )


def audit_summary(audit: pd.DataFrame) -> pd.DataFrame:
    """How many citations got each verdict, in the verdicts' order."""
    counts = audit["verdict"].value_counts()
    return pd.DataFrame(
        {
            "verdict": list(AUDIT_VERDICTS),
            "citations": [int(counts.get(v, 0)) for v in AUDIT_VERDICTS],
        }
    )


def audit_details(audit: pd.DataFrame) -> pd.DataFrame:
    """Each citation's verdict and its reasons, one reason per row."""
    return _one_reason_per_row(audit, ["article_id", "ref_no", "doi", "verdict"])


def flagged(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows (claims or indications) resting on a retracted or concern-flagged work."""
    marked = table[table["citation_flags"].fillna("") != ""]
    return marked[[key, "citation_flags"]].reset_index(drop=True)


def indication_labels(indications: pd.DataFrame) -> dict[str, str]:
    """Indication id → label, with ``general`` labelled too."""
    return dict(zip(indications["indication_id"], indications["label"], strict=False)) | {
        GENERAL: GENERAL_LABEL
    }


def outcome_labels(outcomes: pd.DataFrame) -> dict[str, str]:
    """Outcome id → label."""
    return dict(zip(outcomes["outcome_id"], outcomes["label"], strict=False))


# --- tables shaped for the charts --------------------------------------------------------------


def _check(values: pd.Series, allowed: tuple[str, ...], column: str) -> None:
    """Raise ``ValueError`` naming any value of ``column`` outside its vocabulary."""
    unknown = sorted(set(values.dropna()) - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown {column} value(s) {unknown}; expected one of: {', '.join(allowed)}"
        )


def outcome_rows(evidence: pd.DataFrame) -> pd.DataFrame:
    """The evidence-by-outcome table shaped for its chart: one labelled row per pair.

    Only pairs the articles make a graded claim about, strongest best evidence first.
    ``beyond_best`` is how many levels the strongest claim asserts beyond the best evidence.
    """
    require_columns(
        evidence,
        (
            "indication_label",
            "outcome_label",
            "asserted",
            "cited_certainty",
            "best_certainty",
            "n_claims",
        ),
    )
    for column in ("asserted", "cited_certainty", "best_certainty"):
        _check(evidence[column], CERTAINTIES, column)
    asserted = evidence[evidence["n_claims"].fillna(0) > 0]
    ranked = asserted.assign(_rank=asserted["best_certainty"].map(RANK))
    ranked = ranked.sort_values(
        ["_rank", "indication_label", "outcome_label"], ascending=[False, True, True]
    )
    rows = ranked["indication_label"] + " · " + ranked["outcome_label"]
    beyond = (ranked["asserted"].map(RANK) - ranked["best_certainty"].map(RANK)).clip(lower=0)
    return ranked.assign(row=rows, beyond_best=beyond.astype("Int64"))[
        ["row", "asserted", "cited_certainty", "best_certainty", "beyond_best"]
    ].reset_index(drop=True)


def gap_cells(gap_map: pd.DataFrame) -> pd.DataFrame:
    """The gap map's cells: one row per indication × design with cited works, in drawing order.

    Indications without any cited work keep one row with ``design`` missing, so the chart can
    show them as empty rows (the gaps are the point). Rows are sorted by indication label,
    designs strongest first; a missing direction reads ``not stated``.
    """
    require_columns(gap_map, ("indication", "label", "design", "n_works", "direction"))
    table = gap_map.assign(
        label=gap_map["label"].fillna(gap_map["indication"]),
        design=gap_map["design"].fillna("unclassified"),
        direction=gap_map["direction"].fillna("not stated"),
        n_works=gap_map["n_works"].fillna(0).astype("Int64"),
    )
    _check(table["design"], DESIGNS, "design")
    _check(table["direction"], (*DIRECTIONS, "not stated"), "direction")
    filled = table[table["n_works"] > 0]
    duplicated = filled[filled.duplicated(["indication", "design"])]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        raise ValueError(
            f"gap map has more than one row for ({first['indication']}, {first['design']})"
        )
    empty = table[~table["indication"].isin(filled["indication"])].drop_duplicates("indication")
    empty = empty.assign(design=pd.NA, direction=pd.NA, n_works=0)
    cells = pd.concat([filled, empty], ignore_index=True)
    cells = cells.assign(
        _label=cells["label"].str.casefold(),
        _design=cells["design"].map({d: i for i, d in enumerate(DESIGNS)}),
    )
    return (
        cells.sort_values(["_label", "label", "indication", "_design"], na_position="last")[
            ["indication", "label", "design", "n_works", "direction"]
        ]
        .astype({"design": "string", "direction": "string"})
        .reset_index(drop=True)
    )


def claim_rows(claims: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Claims counted by verdict per article and indication, for the stacked bar chart.

    One row per (article, indication) with claims, sorted by article then label; ``row`` is
    "A · label" (the indication id when ``labels`` has no label); one count column per
    verdict, in the verdicts' order.
    """
    require_columns(claims, ("article_id", "indication", "verdict"))
    labels = labels or {}
    table = claims.assign(
        article_id=claims["article_id"].fillna("?"),
        indication=claims["indication"].fillna(GENERAL),
        verdict=claims["verdict"].fillna("not-graded"),
    )
    _check(table["verdict"], VERDICTS, "verdict")
    counts = pd.crosstab([table["article_id"], table["indication"]], table["verdict"])
    counts = counts.reindex(columns=list(VERDICTS), fill_value=0).reset_index()
    names = counts["indication"].map(lambda i: labels.get(i) or i)
    counts = counts.assign(row=counts["article_id"] + " · " + names, _key=names.str.casefold())
    counts = counts.sort_values(["article_id", "_key", "row"]).rename_axis(columns=None)
    return counts[["article_id", "row", *VERDICTS]].reset_index(drop=True)


def year_design_counts(designs: pd.DataFrame) -> pd.DataFrame:
    """Works per publication year and study design; works without a year have ``year`` NA.

    Sorted by design (strongest first) then year.
    """
    require_columns(designs, ("year", "final_design"))
    table = designs.assign(
        design=designs["final_design"].fillna("unclassified"),
        year=pd.to_numeric(designs["year"], errors="coerce").astype("Int64"),
    )
    _check(table["design"], DESIGNS, "design")
    counts = table.groupby(["design", "year"], dropna=False).size().rename("n_works").reset_index()
    counts = counts.assign(_design=counts["design"].map({d: i for i, d in enumerate(DESIGNS)}))
    return (
        counts.sort_values(["_design", "year"], na_position="last")[["year", "design", "n_works"]]
        .astype({"design": "string", "n_works": "Int64"})
        .reset_index(drop=True)
    )


def _author_year_labels(authors: pd.Series, years: pd.Series) -> list[str]:
    """ "Author Year" labels, with a/b/c suffixes where two works would share one."""
    return with_suffixes(
        [f"{a} {'n.d.' if is_missing(y) else int(y)}" for a, y in zip(authors, years, strict=False)]
    )


def citation_rows(works: pd.DataFrame) -> pd.DataFrame:
    """One row per cited DOI: its "Author Year" label and Crossref's citation count.

    ``cited_by_count`` is missing for works not fetched from Crossref. A work cited twice
    appears once, with its count if any row has one. Most cited first. Best-evidence works
    (``role``) are left out: the chart is about what the articles cite.
    """
    require_columns(works, ("doi", "first_author", "year", "cited_by_count", "crossref_status"))
    if "role" in works.columns:
        works = works[works["role"] == "cited"]
    table = works.assign(
        doi=works["doi"].fillna(
            pd.Series(
                [f"(no DOI, row {i + 1})" for i in range(len(works))],
                index=works.index,
                dtype="string",
            )
        )
    )
    fetched = (table["crossref_status"] == "fetched") & table["cited_by_count"].notna()
    table = table.assign(
        cited_by_count=table["cited_by_count"].where(fetched).astype("Int64"), _has=fetched
    )
    table = table.sort_values(["doi", "_has"], ascending=[True, False]).drop_duplicates("doi")
    table = table.assign(
        label=_author_year_labels(table["first_author"].fillna(table["doi"]), table["year"])
    )
    table = table.assign(
        _count=table["cited_by_count"].fillna(-1), _key=table["label"].str.casefold()
    )
    return table.sort_values(["_count", "_key", "label"], ascending=[False, True, True])[
        ["label", "doi", "cited_by_count"]
    ].reset_index(drop=True)


# --- the report: what a reviewer reads first ---------------------------------------------------


def verdict_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims per article and verdict, every verdict listed (zero included), in order."""
    articles = sorted(claims["article_id"].dropna().unique())
    index = pd.MultiIndex.from_product([articles, list(VERDICTS)], names=["article_id", "verdict"])
    counts = claims.groupby(["article_id", "verdict"]).size().reindex(index, fill_value=0)
    return (
        counts.rename("n_claims")
        .reset_index()
        .astype({"article_id": "string", "verdict": "string"})
    )


def claims_to_review(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims a reviewer must look at, most serious first.

    Contradicted, then overstated, under-cited, uncited and understated claims; within a
    verdict, the claims that outrun their evidence by the most levels first, then the most
    firmly asserted, then in the order the article makes them.
    """
    picked = claims[claims["verdict"].isin(REVIEW_VERDICTS)]
    firmness = {a: i for i, a in enumerate(ASSERTED)}  # established first
    ordered = picked.assign(
        _verdict=picked["verdict"].map({v: i for i, v in enumerate(REVIEW_VERDICTS)}),
        _short=-picked["overstated_by"].fillna(0).astype(int),
        _firm=picked["asserted"].map(firmness).fillna(len(ASSERTED)),
        _start=pd.to_numeric(picked["start"], errors="coerce").fillna(0),
    )
    return (
        ordered.sort_values(["_verdict", "_short", "_firm", "_start", "claim_id"])
        .drop(columns=["_verdict", "_short", "_firm", "_start"])
        .reset_index(drop=True)
    )


def cited_evidence(
    claims: pd.DataFrame, grades: pd.DataFrame, works: pd.DataFrame, designs: pd.DataFrame
) -> pd.DataFrame:
    """Each work a claim cites: its label, DOI, design and the certainty of what it shows.

    The certainty is the work's graded row for the claim's own indication, outcome and
    comparison (its best row, for a claim about no single indication); a cited work that
    does not address the claim's question has none, and ``addresses`` is False.
    """
    # The label the grading used (a best-evidence work's is curated), else "Author Year".
    labels = work_labels(works) | {
        doi: work
        for doi, work in zip(grades["doi"], grades["work"], strict=False)
        if not is_missing(doi) and not is_missing(work)
    }
    design = dict(zip(designs["doi"], designs["final_design"], strict=False))
    by_question, found = evidence_by_question(grades), {}
    rows = []
    for _, claim in claims.iterrows():
        dois = split_list(claim["cited_dois"])
        graded = _claim_rows(claim, grades, "cited", by_question, found)
        for doi in dois:
            hit = next((row for row in graded if row["doi"] == doi), None)
            rows.append(
                {
                    "claim_id": claim["claim_id"],
                    "doi": doi,
                    "work": labels.get(doi, doi),
                    "url": DOI_URL + doi,
                    "design": design.get(doi, pd.NA),
                    "certainty": hit["certainty"] if hit is not None else pd.NA,
                    "direction": hit["direction"] if hit is not None else pd.NA,
                    "counted": bool(hit["counted"]) if hit is not None else False,
                    "addresses": hit is not None,
                }
            )
    columns = COLUMNS["cited_evidence"]
    return pd.DataFrame(rows, columns=columns).astype(
        {c: "string" for c in columns if c not in ("counted", "addresses")}
    )


def _claim_rows(
    claim: pd.Series, grades: pd.DataFrame, role: str, by_question: Mapping, found: dict
) -> list[dict]:
    """The graded rows of one role bearing on a claim's question (none without an outcome),
    as records, looked up in ``found`` when another claim asked the same question."""
    if is_missing(claim.get("outcome")):
        return []
    key = question_key(claim, role)
    if key not in found:
        found[key] = row_dicts(claim_evidence(claim, grades, role=role, by_question=by_question))
    return found[key]


def best_evidence(
    claims: pd.DataFrame, grades: pd.DataFrame, designs: pd.DataFrame
) -> pd.DataFrame:
    """The work that stands as the best evidence on each graded claim's question.

    One row per claim that has one: the work, its DOI link, design, the certainty and
    direction of the best evidence, and the effect where one is recorded.
    """
    design = dict(zip(designs["doi"], designs["final_design"], strict=False))
    by_question, found = evidence_by_question(grades), {}
    rows = []
    for _, claim in claims[claims["best_work"].notna()].iterrows():
        graded = _claim_rows(claim, grades, "best-evidence", by_question, found)
        hit = next((row for row in graded if row["work"] == claim["best_work"]), {})
        doi = hit.get("doi", pd.NA)
        rows.append(
            {
                "claim_id": claim["claim_id"],
                "work": claim["best_work"],
                "doi": doi,
                "url": pd.NA if is_missing(doi) else DOI_URL + doi,
                "design": design.get(doi, hit.get("design", pd.NA)),
                "certainty": claim["best_certainty"],
                "direction": claim["best_direction"],
                "effect": hit.get("effect", pd.NA),
            }
        )
    columns = COLUMNS["best_evidence"]
    return pd.DataFrame(rows, columns=columns).astype("string")


def trust_figures(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """How far to trust the report: each check, how many of how many passed, and what it means.

    Computed from the processed tables (``works``, ``citation_audit``, ``evidence_by_work``
    and ``claims``), never typed.
    """
    works, audit = tables["works"], tables["citation_audit"]
    grades, claims = tables["evidence_by_work"], tables["claims"]
    dois = works.drop_duplicates("doi")
    cited_audit = audit[audit["role"] == "cited"]
    cited, best = grades[grades["role"] == "cited"], grades[grades["role"] == "best-evidence"]
    linked = claims[claims["cited_dois"].fillna("") != ""]
    assessed = grades["risk_of_bias"].fillna("not-assessed") != "not-assessed"
    rows = [
        (
            "Crossref records fetched",
            (dois["crossref_status"] == "fetched").sum(),
            len(dois),
            "works without a record are described as the article prints them",
        ),
        (
            "Citations audited against Crossref",
            (cited_audit["verdict"] != "not-checked").sum(),
            len(cited_audit),
            "a citation not audited may carry a wrong field or a retraction",
        ),
        (
            "Appraisals of cited works verified",
            (cited["verified"] == "yes").sum(),
            len(cited),
            _verified_detail(cited),
        ),
        (
            "Risk of bias assessed",
            assessed.sum(),
            len(grades),
            "appraisal rows, cited and best evidence; where it is not assessed, randomised "
            "evidence is downgraded one level",
        ),
        (
            "Claim–reference links stated by the article",
            (linked["link"] == "explicit").sum(),
            len(linked),
            f"{(linked['link'] == 'inferred').sum()} inferred by the curator from a "
            "reference list that is not tied to sentences",
        ),
        (
            "Best-evidence rows verified",
            (best["verified"] == "yes").sum(),
            len(best),
            _verified_detail(best),
        ),
    ]
    return pd.DataFrame(rows, columns=["check", "n", "of", "meaning"]).astype(
        {"check": "string", "n": "Int64", "of": "Int64", "meaning": "string"}
    )


def _verified_detail(rows: pd.DataFrame) -> str:
    counts = rows["verified"].fillna("no").value_counts()
    return (
        f"{counts.get('partly', 0)} partly verified (some facts read from the source, "
        f"others not), {counts.get('no', 0)} not verified"
    )


# --- the annotated article ---------------------------------------------------------------------


def text_segments(text: str, claims: pd.DataFrame) -> pd.DataFrame:
    """An article's text cut into blocks and segments, each segment plain or one claim.

    A block is a run of paragraphs that no claim crosses, so a page can set each block beside
    the notes of its claims. Claims' ``start``/``end`` are checked at build (inside the text,
    non-empty, not overlapping).

    >>> claims = pd.DataFrame({"claim_id": ["A1"], "start": [5], "end": [9]})
    >>> text_segments("One. Two.\\n\\nThree.", claims)[["block", "text", "claim_id"]].values.tolist()
    [[0, 'One. ', <NA>], [0, 'Two.', 'A1'], [0, '\\n\\n', <NA>], [1, 'Three.', <NA>]]
    """
    spans = claims.dropna(subset=["start", "end"]).sort_values("start")
    cuts, position = [], 0
    for claim in spans.itertuples():
        start, end = int(claim.start), int(claim.end)
        cuts += _plain(text, position, start) + [(start, end, claim.claim_id)]
        position = end
    cuts += _plain(text, position, len(text))
    rows, block = [], 0
    for start, end, claim_id in cuts:
        rows.append(
            {
                "block": block,
                "start": start,
                "end": end,
                "text": text[start:end],
                "claim_id": claim_id,
            }
        )
        if claim_id is pd.NA and "\n\n" in text[start:end]:
            block += 1
    return pd.DataFrame(rows, columns=["block", "start", "end", "text", "claim_id"]).astype(
        {"block": "Int64", "start": "Int64", "end": "Int64", "text": "string", "claim_id": "string"}
    )


def _plain(text: str, start: int, end: int) -> list[tuple[int, int, object]]:
    """The plain text between two claims, cut after each paragraph break (blank line)."""
    pieces, position = [], start
    for match in re.finditer(r"\n\s*\n\s*", text[start:end]):
        cut = start + match.end()
        pieces.append((position, cut, pd.NA))
        position = cut
    if position < end:
        pieces.append((position, end, pd.NA))
    return pieces
